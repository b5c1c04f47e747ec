"""Load Arabic news corpora, account for every input, and keep the loaded corpus for reuse.

A corpus is the five seed articles (``source=None``), a folder of ``.txt`` files (one article
per file, id = file path without ``.txt``), or one ``.csv`` / ``.jsonl`` / ``.jsonl.gz`` file
with ``id,text`` columns and optional ``date``, ``title``/``headline``, ``source``/``outlet``,
``place`` and ``agency`` columns (other columns are kept as they are).

Every input file, and every record of a CSV/JSONL file, gets one row in the load report
(:func:`load_with_report`): ``loaded``, ``cleaned`` (loaded after a repair that a warning
names), ``rejected`` (not loaded, with the reason) or ``skipped`` (not an article file).
Repairs and rejections are announced with :class:`CorpusWarning`, one line per file and kind
of problem, naming the file and what to do. Nothing is dropped silently.

Text is kept as written except for four repairs: a leading byte-order mark is removed,
CRLF/CR line ends become LF, invisible bidi controls and zero-width characters are removed
(:data:`helpers.arabic.BIDI_CONTROLS`, :data:`helpers.arabic.ZERO_WIDTH`), and a Windows-1256
(or UTF-16) file is decoded. Diacritics, hamza forms and tatweel are left for
:mod:`helpers.arabic`. Datelines are read by :mod:`helpers.datelines`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import sys
import warnings
from pathlib import Path

import pandas as pd

from helpers import arabic, paths
from helpers.datelines import agency_english, dateline_table, parse_dateline

ARTICLES_CSV = paths.DATA_DIR / "articles.csv"  # curated metadata for the seed articles

#: Columns every article table has, in this order (other metadata columns follow them).
COLUMNS = [
    "id",
    "file",
    "text",
    "date",
    "date_source",
    "place",
    "agency",
    "outlet",
    "headline",
    "n_words",
    "n_paragraphs",
]
#: Where a ``date`` came from: the story's dateline, a curated inference (data/articles.csv),
#: the input file's own ``date`` column, or nowhere (``NaT``).
DATE_SOURCES = ("dateline", "inferred", "metadata", "none")
#: Report columns and statuses.
REPORT_COLUMNS = ["file", "record", "id", "status", "reason"]
#: File name of the load report that notebook 01 writes to ``processed_dir(corpus)``.
LOAD_REPORT_CSV = "load_report.csv"
STATUSES = ("loaded", "cleaned", "rejected", "skipped")

# Invisible characters removed from the text on load (bidi controls and zero-width characters,
# each class defined once in helpers.arabic). In Arabic prose they only steer layout (or are
# copy-paste debris); ZWNJ does carry meaning in Persian and Urdu, so a Persian corpus loses
# information here.
_INVISIBLE_RE = re.compile(f"[{arabic.BIDI_CONTROLS}{arabic.ZERO_WIDTH}]")
_BOM = "\ufeff"

_ARABIC_LETTER_RE = re.compile("[\u0621-\u064a\u0671-\u06d3\ufb50-\ufdff\ufe70-\ufefc]")


class CorpusWarning(UserWarning):
    """A file was loaded after a repair, or a file or record was rejected (see the report)."""


class CorpusError(ValueError):
    """A corpus cannot be loaded; the message names the file and the fix.

    ``report`` holds the load report when one was built before the failure.
    """

    def __init__(self, message: str, report: pd.DataFrame | None = None):
        super().__init__(message)
        self.report = report


class SeedChecksumError(CorpusError):
    """A seed article is missing, changed, or not listed in ``seeds/SHA256SUMS``."""


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------


def _mostly_arabic(text: str) -> bool:
    """True when at least 60 % of the letters are Arabic and no control characters appear."""
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
        return False
    letters = sum(1 for c in text if c.isalpha())
    if letters == 0:
        return False
    return len(_ARABIC_LETTER_RE.findall(text)) / letters >= 0.6


def decode_bytes(data: bytes, name: str) -> tuple[str, str | None]:
    """Decode a file's bytes: UTF-8 first, then UTF-16 (with its BOM) or Windows-1256.

    Returns ``(text, note)``; ``note`` names the fallback used (``None`` for UTF-8). A file
    that is neither UTF-8 nor Arabic in Windows-1256 raises :class:`CorpusError` naming it:
    Windows-1256 decodes almost any bytes, so it is only accepted when the result is mostly
    Arabic letters. A Windows-1256 file that is mostly Latin text is therefore refused.

    >>> decode_bytes("سلام".encode("cp1256"), "a.txt")
    ('سلام', 'decoded as Windows-1256')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "decoded as UTF-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as err:
        utf8_error = err
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = None
    if text is not None and _mostly_arabic(text):
        return text, "decoded as Windows-1256"
    raise CorpusError(
        f"{name}: not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and not Arabic "
        "in Windows-1256; re-save it as UTF-8 (e.g. `iconv -f <encoding> -t UTF-8`)."
    )


def _read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise CorpusError(
                f"{path.name}: not a readable gzip file ({err}); re-compress it."
            ) from err
    return data


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_seeds(seeds_dir: str | Path | None = None) -> dict[str, bytes]:
    """Check every seed against ``SHA256SUMS``; return ``{file name: bytes}``.

    Raises :class:`SeedChecksumError` naming the file and the fix when a listed seed is
    missing or changed, or when a ``.txt`` file in the folder is not listed.

    >>> sorted(verify_seeds())[0]
    '000_fff69c689aef26e1.txt'
    """
    seeds_dir = Path(seeds_dir) if seeds_dir is not None else paths.SEEDS_DIR
    sums = seeds_dir / "SHA256SUMS"
    if not sums.exists():
        raise SeedChecksumError(
            f"{sums}: checksum file missing; restore it with `git checkout -- seeds/SHA256SUMS`."
        )
    expected = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            expected[name.lstrip("*")] = digest
    found = {}
    for name, digest in expected.items():
        path = seeds_dir / name
        if not path.exists():
            raise SeedChecksumError(
                f"seeds/{name}: listed in SHA256SUMS but missing; restore it with "
                f"`git checkout -- seeds/{name}` (the seeds are read-only)."
            )
        data = path.read_bytes()
        if _sha256(data) != digest:
            raise SeedChecksumError(
                f"seeds/{name}: changed (its SHA-256 does not match seeds/SHA256SUMS); restore "
                f"it with `git checkout -- seeds/{name}` (the seeds are read-only)."
            )
        found[name] = data
    extra = sorted(p.name for p in seeds_dir.glob("*.txt") if p.name not in expected)
    if extra:
        raise SeedChecksumError(
            f"seeds/{extra[0]}: not listed in seeds/SHA256SUMS; move it out of seeds/ (load your "
            "own articles with load_corpus(folder)) or, if it is a new seed, add its sha256sum."
        )
    return found


def read_curated(path: str | Path | None = None) -> pd.DataFrame:
    """The curated seed metadata (``data/articles.csv``) with ``date`` as datetime64.

    >>> read_curated().set_index("id").loc["004_68131c3598d7dd27", "date_source"]
    'inferred'
    """
    table = pd.read_csv(path or ARTICLES_CSV, dtype=str, keep_default_na=False)
    table = table.replace("", pd.NA)
    table["date"] = pd.to_datetime(table["date"], format="%Y-%m-%d")
    return table


def _txt_record(name: str, data: bytes, record_id: str) -> dict:
    rec = {"file": name, "record": pd.NA, "id": record_id, "notes": [], "reject": None}
    try:
        text, note = decode_bytes(data, name)
        if note:
            rec["notes"].append(note)
        rec["text"] = text
    except CorpusError as err:
        rec["text"] = None
        rec["reject"] = str(err).split(": ", 1)[1].removesuffix(".")  # a clause of a line
    return rec


def _read_seeds() -> tuple[list[dict], pd.DataFrame]:
    seeds = verify_seeds()
    records = [_txt_record(name, data, Path(name).stem) for name, data in sorted(seeds.items())]
    return records, read_curated()


def _read_folder(folder: Path) -> list[dict]:
    records = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if path.suffix.lower() != ".txt":
            records.append(
                {
                    "file": rel,
                    "record": pd.NA,
                    "id": pd.NA,
                    "text": None,
                    "notes": [],
                    "reject": None,
                    "skip": "not a .txt file",
                }
            )
            continue
        records.append(_txt_record(rel, path.read_bytes(), rel[: -len(path.suffix)]))
    return records


_META_ALIASES = {
    "headline": ("headline", "title"),
    "outlet": ("outlet", "source"),
    "place": ("place",),
    "agency": ("agency",),
    "date": ("date",),
}


def _read_table(path: Path) -> tuple[pd.DataFrame, str]:
    """Read a CSV or JSONL(.gz) file into a frame of strings (``record`` = 1-based number)."""
    name = path.name
    text, note = decode_bytes(_read_bytes(path), name)
    text = text.removeprefix(_BOM)
    lower = name.lower().removesuffix(".gz")
    if lower.endswith(".csv"):
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
            raise CorpusError(f"{name}: not a readable CSV ({err}); check its quoting.") from err
        frame["_bad"] = None
    else:
        rows = []
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                obj = {"_bad": f"not valid JSON ({err.msg})"}
            if not isinstance(obj, dict):
                obj = {"_bad": "not a JSON object"}
            obj["_line"] = number
            rows.append(obj)
        frame = pd.DataFrame(rows)
        if "_bad" not in frame:
            frame["_bad"] = None
    frame["record"] = frame.pop("_line") if "_line" in frame else range(1, len(frame) + 1)
    return frame, note


_PACKAGE_DIRS = tuple({str(Path(__file__).parent), str(Path(__file__).resolve().parent)})


def _outside_stacklevel() -> int:
    """The ``stacklevel`` for a ``warnings.warn`` call in :func:`_warn` that attributes the
    warning to the first frame outside ``helpers`` (the notebook cell or script line that
    called the loader), whatever the depth of the helper that warns.

    ``skip_file_prefixes`` does this from Python 3.12 on; the project runs on 3.11.
    """
    frame, level = sys._getframe(2), 2  # the caller of _warn is stacklevel 2 inside _warn
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIRS):
        frame, level = frame.f_back, level + 1
    return level


def _warn(message: str) -> None:
    warnings.warn(message, CorpusWarning, stacklevel=_outside_stacklevel())


def _examples(values, limit: int = 3) -> str:
    values = [str(v) for v in values]
    more = f", … ({len(values)} in all)" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


# ---------------------------------------------------------------------------------------------
# Cleaning and the article table (vectorised over records)
# ---------------------------------------------------------------------------------------------

_PUNCT_ONLY_RE = re.compile(r"(?<![^\s])[^\w\s]+(?![^\s])")  # a token of punctuation only


def _count_words(texts) -> list[int]:
    """Whitespace-separated tokens that contain a letter or digit, per text."""
    return [len(t.split()) - len(_PUNCT_ONLY_RE.findall(t)) for t in texts]


def _count_paragraphs(texts) -> list[int]:
    """Non-blank lines, per text."""
    return [sum(1 for line in t.split("\n") if line.strip()) for t in texts]


def _clean(records: pd.DataFrame) -> pd.DataFrame:
    """Apply the four repairs and the rejections; fill ``status`` and ``reason``."""
    has_text = [isinstance(t, str) for t in records["text"]]
    raw = [t if ok else "" for t, ok in zip(records["text"], has_text, strict=False)]
    raw_empty = [t == "" for t in raw]
    skip = [v if isinstance(v, str) else None for v in records["skip"]]
    reject = [v if isinstance(v, str) else None for v in records["reject"]]
    bom = [t.startswith(_BOM) for t in raw]
    crlf = ["\r" in t for t in raw]
    text, n_invisible = [], []
    for t in raw:  # a search is cheap; only texts with invisible characters are rewritten
        t = t.removeprefix(_BOM)
        if "\r" in t:
            t = t.replace("\r\n", "\n").replace("\r", "\n")
        if _INVISIBLE_RE.search(t):
            t, n = _INVISIBLE_RE.subn("", t)
        else:
            n = 0
        text.append(t)
        n_invisible.append(n)
    blank = [not t.strip() for t in text]
    records = records.assign(text=text, _bom=bom, _crlf=crlf, _invisible=n_invisible)

    reasons, statuses = [], []
    for notes, bad, skipped, ok, b, c, n, empty, was_empty in zip(
        records["notes"],
        reject,
        skip,
        has_text,
        bom,
        crlf,
        n_invisible,
        blank,
        raw_empty,
        strict=False,
    ):
        if skipped:
            statuses.append("skipped")
            reasons.append(skipped)
            continue
        if bad:
            statuses.append("rejected")
            reasons.append(bad)
            continue
        if not ok:
            statuses.append("rejected")
            reasons.append("missing text")
            continue
        if empty:
            statuses.append("rejected")
            reasons.append("empty" if was_empty else "whitespace only")
            continue
        fixes = list(notes)
        if b:
            fixes.append("removed a byte-order mark")
        if c:
            fixes.append("CRLF/CR line ends normalised to LF")
        if n:
            fixes.append(f"removed {n} invisible bidi/zero-width characters")
        statuses.append("cleaned" if fixes else "loaded")
        reasons.append("; ".join(fixes))
    records["status"] = statuses
    records["reason"] = reasons
    return records


_FIX_ADVICE = {
    "decoded as Windows-1256": "re-save it as UTF-8 to silence this",
    "decoded as UTF-16": "re-save it as UTF-8 to silence this",
    "removed a byte-order mark": "save it as UTF-8 without BOM to silence this",
    "CRLF/CR line ends normalised to LF": "nothing to do (save with LF line ends to silence this)",
    "invisible": "check those spots if the marks were meant (e.g. ZWNJ in Persian)",
}


def _announce(records: pd.DataFrame) -> None:
    """One CorpusWarning per file and kind of problem."""
    for file, group in records.groupby("file", sort=False):
        many = len(group) > 1 or group["record"].notna().any()

        def where(rows: pd.DataFrame, many: bool = many) -> str:
            if not many:
                return ""
            labels = [
                f"{i} (record {r})" if isinstance(i, str) else f"record {r}"
                for i, r in zip(rows["id"], rows["record"], strict=False)
            ]
            return f" in {len(rows)} record(s) ({_examples(labels)})"

        for note in ("decoded as Windows-1256", "decoded as UTF-16"):
            rows = group[group["notes"].map(lambda ns, note=note: note in ns)]
            if len(rows):
                _warn(f"{file}: {note}{where(rows)}; {_FIX_ADVICE[note]}.")
        loaded = group[group["status"] == "cleaned"]
        for flag, label in (
            ("_bom", "removed a byte-order mark"),
            ("_crlf", "CRLF/CR line ends normalised to LF"),
        ):
            rows = loaded[loaded[flag]]
            if len(rows):
                _warn(f"{file}: {label}{where(rows)}; {_FIX_ADVICE[label]}.")
        rows = loaded[loaded["_invisible"] > 0]
        if len(rows):
            n = int(rows["_invisible"].sum())
            _warn(
                f"{file}: removed {n} invisible bidi/zero-width characters{where(rows)}; "
                f"{_FIX_ADVICE['invisible']}."
            )
        rejected = group[group["status"] == "rejected"]
        for reason, rows in rejected.groupby("reason", sort=False):
            fix = {
                "missing text": "fill the text column or drop those rows",
                "empty": "add the article's text or remove the file",
                "whitespace only": "add the article's text or remove the file",
            }.get(reason, "fix or remove it")
            if reason.startswith("id repeats"):
                fix = "give every article a unique id"
            if "re-save it as UTF-8" in reason:  # the decoder's reason already says what to do
                _warn(f"{file}: rejected{where(rows)}: {reason}.")
                continue
            _warn(f"{file}: rejected{where(rows)}: {reason}; {fix}.")
    skipped = records[records["status"] == "skipped"]
    if len(skipped):
        _warn(
            f"skipped {len(skipped)} file(s) that are not .txt articles "
            f"({_examples(skipped['file'])}); convert them to .txt or move them out of the folder."
        )


def _metadata_dates(values: pd.Series, file_of: pd.Series, ids: pd.Series) -> pd.Series:
    given = values.notna() & values.astype(str).str.strip().ne("")
    parsed = pd.to_datetime(values.where(given), errors="coerce", format="ISO8601", utc=True)
    parsed = parsed.dt.tz_convert(None)
    bad = given & parsed.isna()
    if bad.any():
        for file, rows in ids[bad].groupby(file_of[bad], sort=False):
            _warn(
                f"{file}: {len(rows)} date value(s) not read as ISO dates ({_examples(rows)}); "
                "write them as YYYY-MM-DD; those articles fall back to their dateline."
            )
    return parsed


def _assemble(records: pd.DataFrame, curated: pd.DataFrame | None) -> pd.DataFrame:
    """The article table for loaded records."""
    arts = records[records["status"].isin(["loaded", "cleaned"])].copy()
    text = arts["text"]
    datelines = [parse_dateline(t) for t in text]
    dl_city = pd.Series([d.city if d else pd.NA for d in datelines], index=arts.index, dtype=object)
    dl_agency = pd.Series(
        [d.agency if d else pd.NA for d in datelines], index=arts.index, dtype=object
    )
    dl_date = pd.to_datetime(
        pd.Series([d.date if d and d.date else pd.NaT for d in datelines], index=arts.index)
    )
    dl_headline = pd.Series(
        [
            t.lstrip().split("\n", 1)[0].strip()
            if d and d.start > len(t) - len(t.lstrip())
            else pd.NA
            for d, t in zip(datelines, text, strict=False)
        ],
        index=arts.index,
        dtype=object,
    )

    def meta(column: str) -> pd.Series:
        series = arts.get(f"meta_{column}")
        if series is None:
            return pd.Series(pd.NA, index=arts.index, dtype=object)
        series = series.astype(object).where(series.notna(), pd.NA)
        return series.where(series.astype(str).str.strip().ne(""), pd.NA)

    if curated is not None:
        cur = curated.set_index("id").reindex(arts["id"]).set_index(arts.index)
        missing = cur["date_source"].isna()
        if missing.any():
            _warn(
                f"{ARTICLES_CSV.name}: no curated row for {_examples(arts.loc[missing, 'id'])}; "
                "add one (their metadata now comes from the dateline)."
            )
        date = cur["date"].where(~missing, dl_date)
        date_source = cur["date_source"].where(~missing, "dateline")
        place = cur["place"].where(~missing, dl_city)
        agency = cur["agency"].where(~missing, dl_agency)
        outlet = cur["outlet"].where(~missing, dl_agency.map(agency_english))
        headline = cur["headline"].where(~missing, dl_headline)
        extra = cur[["headline_en", "note"]]
    else:
        meta_date = _metadata_dates(meta("date"), arts["file"], arts["id"])
        date = meta_date.where(meta_date.notna(), dl_date)
        date_source = pd.Series("none", index=arts.index, dtype=object)
        date_source[dl_date.notna()] = "dateline"
        date_source[meta_date.notna()] = "metadata"
        place = meta("place").fillna(dl_city)
        agency = meta("agency").fillna(dl_agency)
        outlet = meta("outlet").fillna(agency.map(agency_english, na_action="ignore"))
        headline = meta("headline").fillna(dl_headline)
        extra = arts[[c for c in arts.columns if c.startswith("extra_")]]
        extra = extra.rename(columns=lambda c: c.removeprefix("extra_"))

    table = pd.DataFrame(
        {
            "id": arts["id"].astype(str),
            "file": arts["file"].astype(str),
            "text": text,
            "date": pd.to_datetime(date),
            "date_source": date_source.astype(str),
            "place": place.astype(object),
            "agency": agency.astype(object),
            "outlet": outlet.astype(object),
            "headline": headline.astype(object),
            "n_words": pd.Series(_count_words(text), index=arts.index, dtype="int64"),
            "n_paragraphs": pd.Series(_count_paragraphs(text), index=arts.index, dtype="int64"),
        },
        index=arts.index,
    )
    for column in extra.columns:
        if column not in table:
            table[column] = extra[column]
    return table.reset_index(drop=True)


def _table_text(value) -> str | None:
    """A CSV/JSONL text cell: an empty cell or null is missing text, numbers become text."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _records_from_table(frame: pd.DataFrame, name: str, stem: str) -> pd.DataFrame:
    if "text" not in frame.columns:
        raise CorpusError(
            f"{name}: no `text` column (found: {', '.join(map(str, frame.columns[:8]))}); "
            "the file needs id,text[,date,title,source,...] columns."
        )
    if "id" not in frame.columns:
        frame["id"] = [f"{stem}-{int(r):06d}" for r in frame["record"]]
        _warn(
            f"{name}: no `id` column; ids were made from the record number ({stem}-000001, ...); "
            "add an id column to keep them stable."
        )
    ids = frame["id"].map(
        lambda v: (
            pd.NA if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip() or pd.NA
        )
    )
    out = pd.DataFrame(
        {
            "file": name,
            "record": frame["record"].astype("Int64"),
            "id": ids,
            "text": frame["text"].map(_table_text),
            "notes": [[] for _ in range(len(frame))],
            "reject": frame["_bad"].where(frame["_bad"].notna(), None),
        }
    )
    out.loc[out["reject"].isna() & out["id"].isna(), "reject"] = "missing id"
    taken = out["reject"].isna() & out["id"].notna()
    dup = taken & out["id"].duplicated(keep="first") & out["id"].notna()
    first_record = out[taken & ~dup].drop_duplicates("id").set_index("id")["record"]
    out.loc[dup, "reject"] = [
        f"id repeats record {first_record.get(i, '?')}" for i in out.loc[dup, "id"]
    ]
    known = {"id", "text", "record", "_bad"}
    for column, aliases in _META_ALIASES.items():
        source = next((a for a in aliases if a in frame.columns), None)
        if source is not None:
            out[f"meta_{column}"] = frame[source].values
            known.add(source)
    for column in frame.columns:
        if column not in known:
            out[f"extra_{column}"] = frame[column].values
    return out


def _collect(source) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if source is None:
        records, curated = _read_seeds()
        return pd.DataFrame(records), curated
    path = Path(source).expanduser()
    if not path.exists():
        raise CorpusError(
            f"{path}: no such file or folder; give a folder of .txt files or a "
            ".csv/.jsonl/.jsonl.gz file with id,text columns."
        )
    if path.is_dir():
        records = _read_folder(path)
        if not records:
            raise CorpusError(f"{path}: the folder is empty; put one .txt file per article in it.")
        return pd.DataFrame(records), None
    lower = path.name.lower()
    if lower.endswith(".txt"):
        return pd.DataFrame([_txt_record(path.name, path.read_bytes(), path.stem)]), None
    if lower.endswith((".csv", ".csv.gz", ".jsonl", ".jsonl.gz", ".ndjson")):
        frame, note = _read_table(path)
        stem = re.sub(r"(\.jsonl|\.csv|\.ndjson)?(\.gz)?$", "", path.name)
        records = _records_from_table(frame, path.name, stem)
        if note:
            records["notes"] = [[note] for _ in range(len(records))]
        return records, None
    raise CorpusError(
        f"{path.name}: unsupported file type; use a folder of .txt files, a .csv, a .jsonl or a "
        ".jsonl.gz file with id,text columns."
    )


def load_with_report(source: str | Path | None = None, *, strict: bool = False):
    """Load a corpus and account for every input file and record.

    Parameters
    ----------
    source : None, folder, or file
        ``None`` = the seed articles (checksums verified against ``seeds/SHA256SUMS``,
        metadata from ``data/articles.csv``); a folder of ``.txt`` files (searched
        recursively); or a ``.csv``, ``.jsonl``, ``.jsonl.gz`` or ``.txt`` file.
    strict : bool
        Raise :class:`CorpusError` when any file or record is rejected or skipped.

    Returns
    -------
    articles : DataFrame
        One row per loaded article with :data:`COLUMNS` (then curated or extra metadata
        columns). ``date`` comes from the curated table (seeds), else the file's ``date``
        column (ISO format), else the dateline; ``date_source`` says which.
        ``outlet`` is the file's ``outlet``/``source`` column, else the English name of a
        known agency credit (a wire story credited to AFP counts as AFP's), else missing.
        ``n_words`` counts whitespace-separated tokens with a letter or digit (clitics stay
        attached); ``n_paragraphs`` counts non-blank lines, a headline line included.
    report : DataFrame
        :data:`REPORT_COLUMNS`: ``file``, ``record`` (row or line number in a CSV/JSONL
        file), ``id``, ``status`` (one of :data:`STATUSES`) and ``reason``.

    Examples
    --------
    >>> articles, report = load_with_report()
    >>> articles.loc[0, ["id", "place", "agency"]].tolist()
    ['000_fff69c689aef26e1', 'بكين', 'شينخوا']
    >>> report["status"].tolist()
    ['loaded', 'loaded', 'loaded', 'loaded', 'loaded']
    """
    records, curated = _collect(source)
    for column in ("skip", "reject", "text"):
        if column not in records:
            records[column] = None
    records = _clean(records)
    _announce(records)
    report = records[REPORT_COLUMNS].reset_index(drop=True)
    report["record"] = report["record"].astype("Int64")
    articles = _assemble(records, curated)
    label = "the seed corpus" if source is None else str(source)
    if articles.empty:
        raise CorpusError(
            f"{label}: no article could be loaded ({_examples(report['reason'])}); "
            "see error.report for every file.",
            report,
        )
    if strict and report["status"].isin(["rejected", "skipped"]).any():
        bad = report[report["status"].isin(["rejected", "skipped"])]
        raise CorpusError(
            f"{label}: {len(bad)} file(s)/record(s) not loaded ({_examples(bad['file'])}); "
            "fix them or load with strict=False.",
            report,
        )
    return articles, report


def load_corpus(
    source: str | Path | None = None, *, strict: bool = False, quiet: bool = False
) -> pd.DataFrame:
    """Load a corpus as one row per article (see :func:`load_with_report`).

    Parameters
    ----------
    source : None, folder, or file
        As for :func:`load_with_report`.
    strict : bool
        Raise :class:`CorpusError` when any file or record is rejected or skipped.
    quiet : bool
        For notebooks after 01, which has already shown every warning: read the corpus that
        notebook 01 kept (:func:`save_loaded`) when its sources are unchanged, else load it and
        keep it; and instead of one :class:`CorpusWarning` per file and kind of problem, emit
        at most one that counts them (files repaired, rejected, skipped, warnings in all) and
        points to notebook 01's load report. Nothing is dropped silently: the count is always
        given, and warnings of other kinds pass through unchanged.

    Examples
    --------
    >>> articles = load_corpus()
    >>> len(articles), articles["date"].min().date().isoformat()
    (5, '2019-12-15')
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = load_corpus(quiet=True)
    >>> len(caught)
    0
    """
    if not quiet or strict:
        return load_with_report(source, strict=strict)[0]
    kept = read_loaded(source)
    if kept is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            articles, report = load_with_report(source)
        ours = [w for w in caught if issubclass(w.category, CorpusWarning)]
        for w in caught:
            if not issubclass(w.category, CorpusWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        n_warnings = len(ours)
        save_loaded(articles, report, source, n_warnings)
    else:
        articles, report, n_warnings = kept
    if n_warnings:
        _warn(load_summary(report, n_warnings, source))
    return articles


# ---------------------------------------------------------------------------------------------
# The loaded corpus, kept for reuse: notebook 01 writes it, 02-05 read it (load once).
# ---------------------------------------------------------------------------------------------

#: Files of the loaded corpus in :func:`helpers.paths.processed_dir` of the corpus.
LOADED_ARTICLES, LOADED_REPORT, LOADED_META = "articles.parquet", "load_report.parquet", "load.json"


def _loader_inputs(source) -> list[Path]:
    """Every file whose change can change what :func:`load_with_report` returns for ``source``:
    the corpus files, the curated tables the loader reads, and the loader's own code."""
    from helpers import datelines

    code = [Path(__file__), Path(datelines.__file__), Path(arabic.__file__)]
    curated = [datelines.MONTHS_CSV, datelines.AGENCIES_CSV, ARTICLES_CSV]
    if source is None:
        return [*code, *curated, *sorted(paths.SEEDS_DIR.iterdir())]
    src = Path(source)
    return [*code, *curated, *(sorted(src.rglob("*")) if src.is_dir() else [src])]


def source_fingerprint(source=None) -> str:
    """A digest of the path, size and modification time of every loader input of ``source``.

    A kept corpus is reused only while this digest is unchanged, so an edited, added or
    removed file (or a new version of the loader) makes the notebooks load from the source.
    """
    digest = hashlib.sha256()
    for path in _loader_inputs(source):
        try:
            st = path.stat()
            entry = f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n"
        except OSError:
            entry = f"{path}\0unreadable\n"
        digest.update(entry.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def save_loaded(articles: pd.DataFrame, report: pd.DataFrame, source=None, n_warnings: int = 0):
    """Keep a loaded corpus and its load report (Parquet) for the notebooks after 01.

    Returns the folder, or None when the table cannot be stored as Parquet (e.g. a metadata
    column mixing numbers and text); then a warning says so and the notebooks load from the
    source as before. Nothing about the corpus itself is lost either way.
    """
    import pyarrow as pa

    out = paths.processed_dir(source)
    meta = {
        "source": "seeds" if source is None else str(Path(source).resolve()),
        "fingerprint": source_fingerprint(source),
        "n_articles": len(articles),
        "n_warnings": int(n_warnings),
        # Parquet reads text columns back as pandas' string dtype; these become object again.
        "object_columns": {
            "articles": [c for c in articles if articles[c].dtype == object],
            "report": [c for c in report if report[c].dtype == object],
        },
    }
    try:
        articles.to_parquet(out / LOADED_ARTICLES, index=False)
        report.to_parquet(out / LOADED_REPORT, index=False)
    except (pa.ArrowException, TypeError, ValueError) as err:
        (out / LOADED_META).unlink(missing_ok=True)
        warnings.warn(
            f"{meta['source']}: the loaded corpus could not be kept for notebooks 02-05 "
            f"({type(err).__name__}: {str(err).splitlines()[0][:120]}); they will load it from "
            "the source again, which is slower but gives the same table.",
            UserWarning,
            stacklevel=2,
        )
        return None
    (out / LOADED_META).write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
    return out


def read_loaded(source=None) -> tuple[pd.DataFrame, pd.DataFrame, int] | None:
    """``(articles, report, n_warnings)`` kept by :func:`save_loaded`, if still current.

    None when nothing was kept, when any loader input changed since (see
    :func:`source_fingerprint`), or when the kept files cannot be read.
    """
    folder = paths.processed_dir(source)
    try:
        meta = json.loads((folder / LOADED_META).read_text("utf-8"))
        if meta.get("fingerprint") != source_fingerprint(source):
            return None
        tables = [pd.read_parquet(folder / name) for name in (LOADED_ARTICLES, LOADED_REPORT)]
        for table, key in zip(tables, ("articles", "report"), strict=True):
            for column in meta["object_columns"][key]:
                table[column] = table[column].astype(object)
    except (OSError, ValueError, KeyError):
        return None
    return tables[0], tables[1], int(meta.get("n_warnings", 0))


def load_summary(report: pd.DataFrame, n_warnings: int | None = None, source=None) -> str:
    """One line that counts what the loader repaired, rejected and skipped.

    ``n_warnings`` (when given) is the number of :class:`CorpusWarning` s it stands for; the
    line points to the load report that notebook 01 writes (``load_report.csv`` in
    :func:`helpers.paths.processed_dir` of ``source``). What is lost: which files they were;
    the report has them.

    >>> report = pd.DataFrame({"status": ["loaded", "cleaned", "rejected", "rejected"]})
    >>> load_summary(report, 3, "/tmp/wire.jsonl")  # doctest: +NORMALIZE_WHITESPACE +ELLIPSIS
    '2 of 4 files/records rejected, 1 repaired (3 loader warnings):
     see notebook 01 or data/processed/wire-.../load_report.csv.'
    """
    counts = report["status"].value_counts()
    parts = [
        f"{int(counts[status])} {word}"
        for status, word in (
            ("rejected", "rejected"),
            ("cleaned", "repaired"),
            ("skipped", "skipped"),
        )
        if counts.get(status, 0)
    ]
    if not parts:
        parts = ["0 repaired or rejected"]
    parts[0] = parts[0].replace(" ", f" of {len(report)} files/records ", 1)
    shown = f" ({n_warnings} loader warning{'s' if n_warnings != 1 else ''})" if n_warnings else ""
    folder = (
        paths.PROCESSED_DIR if source is None else paths.PROCESSED_DIR / paths.corpus_slug(source)
    )
    where = folder / LOAD_REPORT_CSV
    if where.is_relative_to(paths.PROJECT_ROOT):
        where = where.relative_to(paths.PROJECT_ROOT)
    where = where.as_posix()
    return f"{', '.join(parts)}{shown}: see notebook 01 or {where}."


# ---------------------------------------------------------------------------------------------
# Tables and a chart for notebooks
# ---------------------------------------------------------------------------------------------

OVERVIEW_COLUMNS = [c for c in COLUMNS if c not in ("file", "text")]


def overview(articles: pd.DataFrame, top: int = 20) -> pd.DataFrame:
    """The article table without text, sorted by date (undated last), first ``top`` rows.

    >>> overview(load_corpus(), top=2)["id"].tolist()
    ['002_1934d671e7ea1070', '000_fff69c689aef26e1']
    """
    table = articles[[c for c in OVERVIEW_COLUMNS if c in articles.columns]]
    table = table.sort_values(["date", "id"], na_position="last", kind="stable")
    table = table.assign(date=table["date"].dt.strftime("%Y-%m-%d"))
    return table.head(top).reset_index(drop=True)


def compare_datelines(
    articles: pd.DataFrame, curated: pd.DataFrame | None = None, *, use_curated: bool = True
) -> pd.DataFrame:
    """Parsed datelines next to curated metadata, with one ``agrees`` flag per article.

    ``curated`` defaults to ``data/articles.csv``; articles it does not list get ``agrees``
    missing, and with ``use_curated=False`` (a user's corpus, whose ids may happen to match
    seed ids) or when no article is listed, only the parsed columns are returned.
    ``agrees`` is True when city, agency and (for ``date_source == "dateline"``) date all
    match; for an inferred date only city and agency are compared.

    >>> compare_datelines(load_corpus())["agrees"].tolist()
    [True, True, True, True, True]
    """
    parsed = dateline_table(articles)
    curated = read_curated() if curated is None else curated
    if not use_curated:
        curated = curated.iloc[0:0]
    cur = curated.set_index("id").reindex(parsed["id"]).reset_index()
    table = pd.DataFrame(
        {
            "id": parsed["id"],
            "dateline": parsed["dateline"],
            "parsed_city": parsed["city"],
            "curated_place": cur["place"],
            "parsed_date": parsed["date"],
            "curated_date": cur["date"],
            "date_source": cur["date_source"],
            "parsed_agency": parsed["agency"],
            "curated_agency": cur["agency"],
        }
    )
    listed = cur["date_source"].notna()

    def same(a: pd.Series, b: pd.Series) -> pd.Series:
        return (a.isna() & b.isna()) | (a.astype(object) == b.astype(object)).fillna(False)

    date_ok = same(table["parsed_date"], table["curated_date"]) | (
        table["date_source"] != "dateline"
    )
    agrees = (
        same(table["parsed_city"], table["curated_place"])
        & same(table["parsed_agency"], table["curated_agency"])
        & date_ok
    )
    table["agrees"] = agrees.astype(object).where(listed, pd.NA)
    if not listed.any():
        table = table.drop(
            columns=["curated_place", "curated_date", "date_source", "curated_agency", "agrees"]
        )
    return table


def write_tidy(articles: pd.DataFrame, out_dir: str | Path) -> Path:
    """Write the article table (text included) to ``out_dir/articles.csv``; return the path.

    Dates are written as ``YYYY-MM-DD``, UTF-8 without BOM, one row per article.
    """
    out = Path(out_dir) / "articles.csv"
    table = articles.assign(date=articles["date"].dt.strftime("%Y-%m-%d"))
    table.to_csv(out, index=False, encoding="utf-8")
    return out


def plot_lengths(articles: pd.DataFrame, ax=None, top: int = 25):
    """Article lengths in words: one bar per article, or a histogram beyond ``top`` articles.

    Bars are labelled with the place (Arabic, passed through :func:`helpers.plotting.ar`)
    over the date and id, in date order; returns the matplotlib Axes.
    """
    from helpers.plotting import ar, bilingual, plt

    if ax is None:
        height = 1.2 + 0.35 * min(len(articles), top) if len(articles) <= top else 3.5
        _, ax = plt.subplots(figsize=(7, height))
    title = bilingual("طول المقالات بالكلمات", "Article length (words)")
    if len(articles) <= top:
        table = articles.sort_values(["date", "id"], na_position="last", kind="stable")
        labels = []
        for place, date, art_id in zip(table["place"], table["date"], table["id"], strict=True):
            # Arabic alone on the first line: a date inside an Arabic run would be reordered.
            where = ar(place) if isinstance(place, str) else "—"
            when = date.strftime("%Y-%m-%d") if pd.notna(date) else "undated"
            labels.append(f"{where}\n{when} · {str(art_id)[:12]}")
        ax.barh(range(len(table)), table["n_words"], color="#4C72B0")
        ax.set_yticks(range(len(table)), labels)
        ax.invert_yaxis()
        ax.set_xlabel(bilingual("عدد الكلمات", "words"))
        for i, n in enumerate(table["n_words"]):
            ax.text(n, i, f" {n}", va="center", fontsize=8)
    else:
        ax.hist(articles["n_words"], bins=40, color="#4C72B0")
        ax.set_xlabel(bilingual("عدد الكلمات", "words per article"))
        ax.set_ylabel(bilingual("عدد المقالات", "articles"))
        title = f"{title} · n = {len(articles):,}"
    ax.set_title(title)
    return ax


__all__ = [
    "ARTICLES_CSV",
    "COLUMNS",
    "DATE_SOURCES",
    "LOAD_REPORT_CSV",
    "REPORT_COLUMNS",
    "STATUSES",
    "CorpusError",
    "CorpusWarning",
    "SeedChecksumError",
    "compare_datelines",
    "decode_bytes",
    "load_corpus",
    "load_summary",
    "load_with_report",
    "overview",
    "plot_lengths",
    "read_curated",
    "verify_seeds",
    "write_tidy",
]
