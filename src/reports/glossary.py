"""``glossary.html``: curated terms, frames and name spellings from the data files."""

from __future__ import annotations

import csv
import html
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

from helpers import paths
from helpers.display import ARABIC_CHAR, text_direction
from reports.pages import page
from reports.runner import first_line


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            {k.strip(): (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(fh)
        ]


def _cell(value: str) -> str:
    """A cell; its direction is left to the page's post-processing unless it reads right to
    left (``lang="ar"`` then picks the Arabic font)."""
    if text_direction(value) == "rtl":
        return f'<td dir="rtl" lang="ar">{html.escape(value)}</td>'
    return f"<td>{html.escape(value)}</td>"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _read_yaml(path: Path):
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _missing(path: Path, reason: str) -> str:
    rel = path.relative_to(paths.PROJECT_ROOT) if path.is_relative_to(paths.PROJECT_ROOT) else path
    return f'<p class="missing"><code>{html.escape(str(rel))}</code> {html.escape(reason)}</p>'


_CSV_ERRORS = (OSError, UnicodeDecodeError, csv.Error)


def _load_or_missing(path: Path, what: str, nothing: str, load=_read_csv, errors=_CSV_ERRORS):
    """``(data, None)``, or ``(None, html)`` saying why there is no table (a missing file, or
    one that cannot be read: then a warning names it)."""
    if not path.exists():
        return None, _missing(path, f"is not there yet: no {nothing} to show.")
    try:
        return load(path), None
    except errors as exc:
        warnings.warn(
            f"{path}: cannot read the {what} ({first_line(exc)}); fix the file", stacklevel=3
        )
        return None, _missing(path, f"could not be read: {first_line(exc)}")


def glossary_terms_section(path: Path) -> str:
    """The curated glossary (``arabic, transliteration, english, note``) as a table."""
    rows, missing = _load_or_missing(path, "glossary", "terms")
    if missing:
        return missing
    cols = ("arabic", "transliteration", "english", "note")
    rows = sorted(rows, key=lambda r: r.get("english", "").lower())
    return _table(
        ["Arabic", "Transliteration", "English", "Note"],
        ([r.get(c, "") for c in cols] for r in rows),
    )


def glossary_entities_section(path: Path) -> str:
    """Named entities with their spelling variants (``entities.csv``), one row per entity."""
    rows, missing = _load_or_missing(path, "entity table", "entities")
    if missing:
        return missing
    grouped: dict[str, dict] = {}
    for r in rows:
        key = r.get("entity_id") or r.get("canonical") or r.get("variant", "")
        g = grouped.setdefault(
            key,
            {
                "canonical": r.get("canonical", ""),
                "english": r.get("english", ""),
                "type": r.get("type", ""),
                "variants": [],
            },
        )
        v = r.get("variant", "")
        if v and v != g["canonical"] and v not in g["variants"]:
            g["variants"].append(v)
    table_rows = sorted(
        (
            [g["canonical"], g["english"], g["type"], "، ".join(g["variants"])]
            for g in grouped.values()
        ),
        key=lambda row: (row[2], row[1].lower()),
    )
    return _table(["Arabic", "English", "Type", "Spelling variants"], table_rows)


def _frame_entries(data) -> list[tuple[str, dict]]:
    if isinstance(data, dict) and "frames" in data:
        data = data["frames"]
    if isinstance(data, dict):
        return [(str(k), v if isinstance(v, dict) else {"terms": v}) for k, v in data.items()]
    if isinstance(data, list):
        out = []
        for i, item in enumerate(data):
            if isinstance(item, dict):
                name = item.get("id") or item.get("name") or item.get("frame") or f"frame {i + 1}"
                out.append((str(name), item))
        return out
    return []


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def glossary_frames_section(path: Path) -> str:
    """The frame lexicon (``frames.yaml``): each frame's Arabic and English name, definition.

    Frames are read from a ``frames:`` list (or mapping) of entries with ``id``, ``arabic``,
    ``english`` and ``definition``; an entry without an ``arabic`` name shows the Arabic
    strings found anywhere in it instead. Matching patterns are not shown (they use the
    lexicon's own template syntax).
    """
    # any exception: YAML errors come in several classes
    data, missing = _load_or_missing(path, "frame lexicon", "frames", _read_yaml, Exception)
    if missing:
        return missing
    rows = []
    for name, entry in _frame_entries(data):
        arabic = entry.get("arabic")
        if not isinstance(arabic, str):
            cues = [s for s in _strings(entry) if ARABIC_CHAR.search(s)]
            arabic = "، ".join(dict.fromkeys(cues))
        english = entry.get("english") or entry.get("label") or ""
        definition = entry.get("definition") or entry.get("description") or ""
        rows.append(
            [arabic, f"{english} ({name})" if english else name, " ".join(str(definition).split())]
        )
    if not rows:
        return _missing(path, "has no frames in a form this page understands.")
    return _table(["Arabic", "Frame", "Definition"], rows)


def write_glossary(out_dir: Path, repro: dict, data_dir: Path | None = None) -> Path:
    """``glossary.html`` from the curated data files; a missing file gets a sentence, no error."""
    data_dir = Path(data_dir or paths.DATA_DIR)
    lex = data_dir / "lexicons"
    body = "\n".join(
        [
            "<p>Arabic terms used in the notebooks, with a transliteration and English gloss, "
            "built from the curated data files in <code>data/</code> (each row there gives its "
            "source or rationale).</p>",
            '<h2 id="terms">Terms</h2>',
            glossary_terms_section(data_dir / "glossary.csv"),
            '<h2 id="frames">Frames</h2>',
            glossary_frames_section(lex / "frames.yaml"),
            '<h2 id="entities">Names and their spellings</h2>',
            glossary_entities_section(lex / "entities.csv"),
            '<p><a href="index.html">All reports</a></p>',
        ]
    )
    path = out_dir / "glossary.html"
    path.write_text(page("Glossary", body, repro), encoding="utf-8")
    return path
