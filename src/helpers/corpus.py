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
import os
import re
import sys
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

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


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when BOM-less bytes read as UTF-16 text, else None.

    Arabic, ASCII and general punctuation in UTF-16 have a high byte of 0x06, 0x00 or 0x20 in
    every code unit; in UTF-8 or Windows-1256 text those bytes are rare at every other
    position. (UTF-16 Arabic is also valid UTF-8, of control characters: the test must come
    first.)
    """
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    for codec, high in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        share = sum(b in (0x00, 0x06, 0x20) for b in high) / len(high)
        if share >= 0.9 and high.count(0) < len(high):  # all NUL is no text at all
            try:
                data.decode(codec)
            except UnicodeDecodeError:
                continue
            return codec
    return None


def decode_bytes(data: bytes, name: str) -> tuple[str, str | None]:
    """Decode a file's bytes: UTF-16 (with or without BOM), UTF-8, or Windows-1256.

    Returns ``(text, note)``; ``note`` names the decoding used when it is not UTF-8. Raises
    :class:`CorpusError` naming the file and the fix for a PDF or other binary file, a file of
    NUL bytes, and a file that is neither UTF-8 nor Arabic in Windows-1256 (Windows-1256 decodes
    almost any bytes, so it is only accepted when the result is mostly Arabic letters).

    >>> decode_bytes("سلام".encode("cp1256"), "a.txt")
    ('سلام', 'decoded as Windows-1256')
    >>> decode_bytes("سلام عليكم".encode("utf-16-le"), "b.txt")
    ('سلام عليكم', 'decoded as UTF-16 (little-endian, no byte-order mark)')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "decoded as UTF-16"
        except UnicodeDecodeError:
            pass
    if data.startswith(b"%PDF-"):
        raise CorpusError(
            f"{name}: a PDF file, not text; extract its text first (e.g. `pdftotext -enc UTF-8 "
            "file.pdf`) and check the Arabic reads in the right order."
        )
    if data and not data.strip(b"\x00 \t\r\n"):
        raise CorpusError(
            f"{name}: only NUL bytes, no text (a damaged or unfinished file); replace it with "
            "the article's text or remove it."
        )
    codec = _utf16_without_bom(data)
    if codec:
        order = "little" if codec.endswith("le") else "big"
        return data.decode(codec), f"decoded as UTF-16 ({order}-endian, no byte-order mark)"
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
            crlf = _sha256(data.replace(b"\r\n", b"\n")) == digest
            why = (
                "has Windows line ends (CRLF), as git's core.autocrlf writes them"
                if crlf
                else "changed (its SHA-256 does not match seeds/SHA256SUMS)"
            )
            raise SeedChecksumError(
                f"seeds/{name}: {why}; restore it with `git checkout -- seeds/{name}` "
                "(the seeds are read-only; .gitattributes keeps them byte-exact)."
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


def _txt_record(name: str, data: bytes | None, record_id: str, problem: str | None = None) -> dict:
    rec = {"file": name, "record": pd.NA, "id": record_id, "notes": [], "reject": problem}
    rec["text"] = None
    if problem is not None:
        return rec
    try:
        text, note = decode_bytes(data, name)
        if note:
            rec["notes"].append(note)
        rec["text"] = text
    except CorpusError as err:
        rec["reject"] = str(err).split(": ", 1)[1].removesuffix(".")  # a clause of a line
    return rec


def _read_file(path: Path, name: str, record_id: str) -> dict:
    """A .txt article's record; a file that cannot be read is rejected with the reason."""
    try:
        data = path.read_bytes()
    except OSError as err:
        why = (err.strerror or type(err).__name__).lower()
        fix = "make it readable (chmod a+r)" if isinstance(err, PermissionError) else "check it"
        return _txt_record(name, None, record_id, f"cannot be read ({why}); {fix}")
    return _txt_record(name, data, record_id)


def _read_seeds() -> tuple[list[dict], pd.DataFrame]:
    seeds = verify_seeds()
    records = [_txt_record(name, data, Path(name).stem) for name, data in sorted(seeds.items())]
    return records, read_curated()


def seed_records(names: Sequence[str]) -> list[dict]:
    """The records of the seed files ``names``, once :func:`verify_seeds` has checked them."""
    return [_txt_record(n, (paths.SEEDS_DIR / n).read_bytes(), Path(n).stem) for n in names]


def folder_entries(folder: Path) -> list[tuple[Path, str | None]]:
    """Every entry under ``folder`` as ``(path, problem)``, sorted; ``problem`` is None for a
    file to read, else why the entry cannot be read as an article.

    Symbolic links are followed, to files and to folders alike (a linked folder is read as if
    it were there), except a link to a folder already read (a loop, or a second link to the same
    folder), which is reported and not read twice. Broken links and folders that cannot be
    listed are reported too, so every path under ``folder`` has a row in the load report.
    """
    out, seen, stack = [], {folder.resolve()}, [folder]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError as err:
            why = (err.strerror or type(err).__name__).lower()
            out.append(
                (
                    current,
                    f"folder cannot be read ({why}); its articles are not loaded: "
                    "make it readable (chmod a+rx)",
                )
            )
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink() and not path.exists():
                out.append((path, "broken symbolic link (its target is missing); fix or remove it"))
            elif path.is_dir():
                real = path.resolve()
                if real in seen:
                    out.append((path, "link to a folder already read; not read twice"))
                else:
                    seen.add(real)
                    stack.append(path)
            elif path.is_file():
                out.append((path, None))
            else:
                out.append((path, "not a regular file; move it out of the folder"))
    return sorted(out, key=lambda item: item[0].relative_to(folder).as_posix())


def _read_folder(folder: Path) -> list[dict]:
    return folder_records(folder, folder_entries(folder))


def folder_records(folder: Path, entries: Sequence[tuple[Path, str | None]]) -> list[dict]:
    """The records of ``entries`` of :func:`folder_entries` (all of them, or a block)."""
    records = []
    for path, problem in entries:
        rel = path.relative_to(folder).as_posix() if path != folder else "."
        if problem is None and path.suffix.lower() != ".txt":
            problem = "not a .txt file"
        if problem is None:
            records.append(_read_file(path, rel, rel[: -len(path.suffix)]))
            continue
        skip = problem if problem.startswith(("not a", "link to")) else None
        records.append(
            {
                "file": rel,
                "record": pd.NA,
                "id": pd.NA,
                "text": None,
                "notes": [],
                "reject": None if skip else problem,
                "skip": skip,
            }
        )
    return records


_META_ALIASES = {
    "headline": ("headline", "title"),
    "outlet": ("outlet", "source"),
    "place": ("place",),
    "agency": ("agency",),
    "date": ("date",),
}


# Bookkeeping columns of a table being read: names no user's file will have.
_BAD, _RECORD, _NOTE = "__loader_bad__", "__loader_record__", "__loader_note__"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(obj: dict) -> dict:
    """A JSON record with every lone UTF-16 surrogate (an escape like ``\\ud83d`` without its
    pair, left by a tool that cut an emoji in half) replaced by U+FFFD, and a note saying so.
    No text can hold them: they cannot be written as UTF-8, so Parquet and pandas refuse them."""
    found = 0
    for key, value in obj.items():
        if isinstance(value, str) and _LONE_SURROGATE.search(value):
            value, n = _LONE_SURROGATE.subn("\ufffd", value)
            obj[key], found = value, found + n
    if found:
        obj[_NOTE] = f"replaced {found} lone surrogate escape(s) (\\udXXX) with U+FFFD"
    return obj


def _read_table(path: Path) -> tuple[pd.DataFrame, str]:
    """Read a CSV or JSONL(.gz) file into a frame of cells (plus :data:`_RECORD`, the 1-based
    row or line number, and :data:`_BAD`, why a line is not a record)."""
    name = path.name
    text, note = decode_bytes(_read_bytes(path), name)
    text = text.removeprefix(_BOM)
    lower = name.lower().removesuffix(".gz")
    if lower.endswith(".csv"):
        if not text.strip():
            raise CorpusError(f"{name}: the file is empty; it needs a header row id,text and rows.")
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False)
        except pd.errors.ParserError as err:
            raise CorpusError(f"{name}: not a readable CSV ({err}); check its quoting.") from err
        frame[_BAD] = None
        frame[_RECORD] = range(1, len(frame) + 1)
        return frame, note
    return jsonl_frame(text.split("\n")), note


def jsonl_frame(lines: Iterable[str], first: int = 1) -> pd.DataFrame:
    """JSONL lines as a frame of cells, as :func:`_read_table` reads them; ``first`` is the
    line number of the first line (a block of a large file keeps its numbers in the file).

    >>> frame = jsonl_frame(['{"id": "a", "text": "نص"}', "", "[1]"], first=7)
    >>> frame[_RECORD].tolist(), frame[_BAD].tolist()[1]
    ([7, 9], 'not a JSON object')
    """
    rows = []
    for number, line in enumerate(lines, start=first):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            obj = {_BAD: f"not valid JSON ({err.msg})"}
        if not isinstance(obj, dict):
            obj = {_BAD: "not a JSON object"}
        elif "\\ud" in line.lower():  # a JSON escape of a UTF-16 half: maybe a lone one
            obj = _without_lone_surrogates(obj)
        obj[_RECORD] = number
        rows.append(obj)
    frame = pd.DataFrame(rows, columns=None if rows else [_BAD, _RECORD])
    if _BAD not in frame:
        frame[_BAD] = None
    return frame


def parquet_frame(path: Path, row_groups: Sequence[int] | None = None, first: int = 1):
    """A Parquet file's cells (or those of some of its row groups, whose first row is row
    ``first`` of the file) as a frame like :func:`jsonl_frame`'s; missing cells are None."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        table = parquet.read_row_groups(row_groups) if row_groups is not None else parquet.read()
    except (OSError, ValueError) as err:
        raise CorpusError(
            f"{path.name}: not a readable Parquet file ({err}); write it again."
        ) from err
    frame = pd.DataFrame({c: table.column(c).to_pylist() for c in table.column_names})
    frame[_BAD] = None
    frame[_RECORD] = range(first, first + len(frame))
    return frame


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


# Text copied out of a PDF: glyph-shape characters (presentation forms) instead of letters,
# and often each line in visual order, i.e. reversed. Function words tell the order: in
# logical order «في», «من», «على» are frequent; reversed they read «يف», «نم», «ىلع».
_PRESENTATION_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")
# Only words whose reversal is not itself a word: «من» and «مع» reversed are «نم» (sleep!) and
# «عم» (uncle), and «هذه» reads the same both ways.
_FUNCTION_WORDS = frozenset(
    ["في", "على", "إلى", "الى", "أن", "عن", "التي", "الذي", "هذا", "قال", "كان", "الله"]
)
_REVERSED_WORDS = frozenset(w[::-1] for w in _FUNCTION_WORDS)
_LTR_RUN_RE = re.compile(r"[0-9A-Za-z\u0660-\u0669][0-9A-Za-z\u0660-\u0669.,:%/-]*")
_MIRROR = str.maketrans("()[]{}«»<>", ")(][}{»«><")


def _word_order_votes(text: str) -> tuple[int, int]:
    """How many tokens are function words read forwards, and how many read reversed."""
    folded = unicodedata.normalize("NFKC", text) if _PRESENTATION_RE.search(text) else text
    tokens = re.findall("[\u0621-\u064a]+", folded)
    return sum(t in _FUNCTION_WORDS for t in tokens), sum(t in _REVERSED_WORDS for t in tokens)


def _logical_line(line: str) -> str:
    """A visual-order line in logical order: reversed, with numbers and Latin runs kept as
    written and paired brackets swapped back."""
    flipped = line[::-1].translate(_MIRROR)
    return _LTR_RUN_RE.sub(lambda m: m.group()[::-1], flipped)


def _repair_pdf_text(text: str) -> tuple[str, list[str], str | None]:
    """``(text, repairs, doubt)`` for text that looks copied out of a PDF.

    Lines are reversed when reversed function words outnumber forward ones at least two to one
    (and there are at least three). Presentation forms are folded with NFKC when the lines were
    reversed or when they make up at least 30 % of the Arabic letters; a few ligatures in
    ordinary text (ﷺ, ﻻ) are left for :mod:`helpers.arabic`, whose normaliser folds them.
    When the reversed words are frequent but the evidence is weaker, nothing is changed and
    ``doubt`` says what to check.
    """
    forward, reversed_ = _word_order_votes(text)
    repairs, doubt = [], None
    if reversed_ >= 3 and reversed_ >= 2 * forward:
        text = "\n".join(_logical_line(line) for line in text.split("\n"))
        repairs.append(
            "lines were in visual (reversed) order, as in text copied from a PDF "
            "(function words read reversed, such as يف for في); put back in reading order"
        )
    elif reversed_ >= 3 and reversed_ * 2 >= forward:
        doubt = (
            "some lines may be in visual (reversed) order, as in text copied from a PDF: "
            "function words read reversed (يف for في) almost as often as forward; check the file"
        )
    n_forms = len(_PRESENTATION_RE.findall(text))
    n_arabic = len(_ARABIC_LETTER_RE.findall(text))
    if n_forms and (repairs or n_forms >= 0.3 * n_arabic):  # a whole text of glyph shapes
        text = _PRESENTATION_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
        repairs.append(
            "folded presentation-form characters (glyph shapes, as in text copied from a PDF) "
            "into letters"
        )
    return text, repairs, doubt


# Cheap tests before the full checks: an invisible character or a presentation form; and one
# of the commonest function words reversed, standing between spaces (text in visual order
# has « يف » wherever it has «في»).
_SUSPECT_RE = re.compile(f"{_INVISIBLE_RE.pattern}|{_PRESENTATION_RE.pattern}")
_REVERSED_HINTS = (" يف ", " ىلع ", " يتلا ", " يذلا ")


def _maybe_reversed(text: str) -> bool:
    return any(hint in text for hint in _REVERSED_HINTS)


_CONTROL_ONLY_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\s]*")


def _clean(records: pd.DataFrame) -> pd.DataFrame:
    """Apply the four repairs and the rejections; fill ``status`` and ``reason``."""
    has_text = [isinstance(t, str) for t in records["text"]]
    raw = [t if ok else "" for t, ok in zip(records["text"], has_text, strict=False)]
    raw_empty = [t == "" for t in raw]
    skip = [v if isinstance(v, str) else None for v in records["skip"]]
    reject = [v if isinstance(v, str) else None for v in records["reject"]]
    bom = [t.startswith(_BOM) for t in raw]
    crlf = ["\r" in t for t in raw]
    text, n_invisible, pdf_repairs, doubts = [], [], [], []
    for t in raw:  # a search is cheap; only texts with invisible characters are rewritten
        t = t.removeprefix(_BOM)
        if "\r" in t:
            t = t.replace("\r\n", "\n").replace("\r", "\n")
        n, repairs, doubt = 0, [], None
        if _SUSPECT_RE.search(t):
            t, n = _INVISIBLE_RE.subn("", t)
            if _PRESENTATION_RE.search(t) or _maybe_reversed(t):
                t, repairs, doubt = _repair_pdf_text(t)
        elif _maybe_reversed(t):
            t, repairs, doubt = _repair_pdf_text(t)
        text.append(t)
        n_invisible.append(n)
        pdf_repairs.append(repairs)
        doubts.append(doubt)
    blank = [not t.strip() for t in text]
    control_only = [
        bool(t) and not b and _CONTROL_ONLY_RE.fullmatch(t)
        for t, b in zip(text, blank, strict=True)
    ]
    records = records.assign(text=text, _bom=bom, _crlf=crlf, _invisible=n_invisible, _doubt=doubts)
    records["notes"] = [[*n, *r] for n, r in zip(records["notes"], pdf_repairs, strict=True)]

    reasons, statuses = [], []
    for notes, bad, skipped, ok, b, c, n, empty, was_empty, junk in zip(
        records["notes"],
        reject,
        skip,
        has_text,
        bom,
        crlf,
        n_invisible,
        blank,
        raw_empty,
        control_only,
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
        if junk:
            statuses.append("rejected")
            reasons.append("only control characters, no text")
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
    "joined a list": "nothing to do (store the text as one string to silence this)",
    "lines were in visual": "check a few of them against the original",
    "folded": "nothing to do (extract the text again as Unicode text to silence this)",
    "removed a byte-order mark": "save it as UTF-8 without BOM to silence this",
    "CRLF/CR line ends normalised to LF": "nothing to do (save with LF line ends to silence this)",
    "invisible": "check those spots if the marks were meant (e.g. ZWNJ in Persian)",
    "replaced": "nothing to do: each was half of a character (often an emoji) cut by the tool "
    "that wrote the file",
}
_REJECT_ADVICE = {
    "missing text": "fill the text column or drop those rows",
    "empty": "add the article's text or remove the file",
    "whitespace only": "add the article's text or remove the file",
    "only control characters, no text": "replace it with the article's text or remove it",
}


def _note_kind(note: str) -> str:
    """A note without its numbers, so that one warning covers every record it applies to."""
    return re.sub(r"\d+", "N", note)


def _where(rows: pd.DataFrame, many: bool) -> str:
    if not many:
        return ""
    labels = [
        f"{i} (record {r})"
        if isinstance(i, str) and pd.notna(r)
        else f"record {r}"
        if pd.notna(r)
        else str(i)
        for i, r in zip(rows["id"], rows["record"], strict=False)
    ]
    return f" in {len(rows)} record(s) ({_examples(labels)})"


def _announce_repairs(file: str, group: pd.DataFrame, many: bool) -> None:
    loaded = group[group["status"] == "cleaned"]
    kinds: dict[str, list[int]] = {}
    for index, notes in zip(loaded.index, loaded["notes"], strict=True):
        for note in notes:
            kinds.setdefault(_note_kind(note), []).append(index)
    for kind, index in kinds.items():
        rows = loaded.loc[index]
        note = next(n for n in rows["notes"].iloc[0] if _note_kind(n) == kind)
        advice = next((v for k, v in _FIX_ADVICE.items() if note.startswith(k)), "check it")
        _warn(f"{file}: {note}{_where(rows, many)}; {advice}.")
    for flag, label in (
        ("_bom", "removed a byte-order mark"),
        ("_crlf", "CRLF/CR line ends normalised to LF"),
    ):
        rows = loaded[loaded[flag]]
        if len(rows):
            _warn(f"{file}: {label}{_where(rows, many)}; {_FIX_ADVICE[label]}.")
    rows = loaded[loaded["_invisible"] > 0]
    if len(rows):
        n = int(rows["_invisible"].sum())
        _warn(
            f"{file}: removed {n} invisible bidi/zero-width characters{_where(rows, many)}; "
            f"{_FIX_ADVICE['invisible']}."
        )
    doubtful = group[group["_doubt"].notna() & group["status"].isin(["loaded", "cleaned"])]
    for doubt, rows in doubtful.groupby("_doubt", sort=False):
        _warn(f"{file}: {doubt}{_where(rows, many)}.")


def _announce(records: pd.DataFrame) -> None:
    """One CorpusWarning per file and kind of problem, naming the file and the fix."""
    for file, group in records[records["status"] != "skipped"].groupby("file", sort=False):
        many = len(group) > 1 or group["record"].notna().any()
        _announce_repairs(file, group, many)
        rejected = group[group["status"] == "rejected"]
        for reason, rows in rejected.groupby("reason", sort=False):
            fix = _REJECT_ADVICE.get(reason, "fix or remove it")
            if reason.startswith("id repeats"):
                fix = "give every article a unique id"
            if ";" in reason or "re-save it as UTF-8" in reason:  # the reason says what to do
                _warn(f"{file}: rejected{_where(rows, many)}: {reason}.")
                continue
            _warn(f"{file}: rejected{_where(rows, many)}: {reason}; {fix}.")
    skipped = records[records["status"] == "skipped"]
    for reason, rows in skipped.groupby("reason", sort=False):
        fix = (
            "convert them to .txt or move them out of the folder"
            if reason == "not a .txt file"
            else "nothing to do"
        )
        _warn(f"skipped {len(rows)} file(s): {reason} ({_examples(rows['file'])}); {fix}.")


_ISO_DATE_RE = re.compile(
    r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]*(?:Z|[+-]\d\d:?\d\d)?)?\s*"
)


def _read_date(value: str) -> tuple[pd.Timestamp | None, str | None]:
    """One ``date`` cell as ``(day, problem)``.

    The calendar date is the one written: a timestamp with an offset
    (``2022-01-10T01:30:00+03:00``) stays on 10 January, never shifted to UTC. A year before
    1900 is not read as Gregorian: between 1300 and 1500 it is most likely a Hijri year.
    """
    m = _ISO_DATE_RE.fullmatch(value)
    if m is None:
        return None, "not an ISO date"
    year, month, day = map(int, m.groups())
    if year < 1900:
        return None, (
            f"year {year} looks Hijri (AH); convert it to the Gregorian date"
            if 1300 <= year <= 1500
            else f"year {year} is before 1900"
        )
    try:
        return pd.Timestamp(year=year, month=month, day=day), None
    except ValueError:
        return None, "not a real day"


def _metadata_dates(values: pd.Series, file_of: pd.Series, ids: pd.Series) -> pd.Series:
    """The ``date`` column as days; a value that cannot be read is announced (naming the
    records) and the article falls back to its dateline."""
    given = values.notna() & values.astype(str).str.strip().ne("")
    read = [_read_date(str(v)) for v in values[given].tolist()]
    dates = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    dates[given] = pd.to_datetime([day for day, _ in read]).as_unit("us") if read else []
    problems = pd.Series(None, index=values.index, dtype=object)
    problems[given] = [problem for _, problem in read]
    bad = problems.notna()
    for (file, problem), rows in ids[bad].groupby([file_of[bad], problems[bad]], sort=False):
        fix = "write them as YYYY-MM-DD" if problem == "not an ISO date" else "fix them"
        _warn(
            f"{file}: {len(rows)} date value(s) not used ({problem}: {_examples(rows)}); "
            f"{fix}; those articles fall back to their dateline."
        )
    return dates


def _dateline_fields(arts: pd.DataFrame) -> pd.DataFrame:
    """City, agency, date and headline read from each article's dateline (NA where none)."""
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
    return pd.DataFrame(
        {"city": dl_city, "agency": dl_agency, "date": dl_date, "headline": dl_headline},
        index=arts.index,
    )


def _curated_fields(
    arts: pd.DataFrame, curated: pd.DataFrame, dl: pd.DataFrame
) -> tuple[dict[str, pd.Series], pd.DataFrame]:
    """Metadata from the curated table, the dateline's for articles it has no row for.

    Returns the fields (``date, date_source, place, agency, outlet, headline``) and the extra
    columns to keep (``headline_en, note``).
    """
    cur = curated.set_index("id").reindex(arts["id"]).set_index(arts.index)
    missing = cur["date_source"].isna()
    if missing.any():
        _warn(
            f"{ARTICLES_CSV.name}: no curated row for {_examples(arts.loc[missing, 'id'])}; "
            "add one (their metadata now comes from the dateline)."
        )
    fields = {
        "date": cur["date"].where(~missing, dl["date"]),
        "date_source": cur["date_source"].where(~missing, "dateline"),
        "place": cur["place"].where(~missing, dl["city"]),
        "agency": cur["agency"].where(~missing, dl["agency"]),
        "outlet": cur["outlet"].where(~missing, dl["agency"].map(agency_english)),
        "headline": cur["headline"].where(~missing, dl["headline"]),
    }
    return fields, cur[["headline_en", "note"]]


def _record_meta(arts: pd.DataFrame, column: str) -> pd.Series:
    """The record's own ``meta_<column>`` values, NA where absent or blank."""
    series = arts.get(f"meta_{column}")
    if series is None:
        return pd.Series(pd.NA, index=arts.index, dtype=object)
    series = series.astype(object).where(series.notna(), pd.NA)
    return series.where(series.astype(str).str.strip().ne(""), pd.NA)


def _record_fields(
    arts: pd.DataFrame, dl: pd.DataFrame
) -> tuple[dict[str, pd.Series], pd.DataFrame]:
    """Metadata from the records' own columns, the dateline's where they have none.

    Returns the fields (as :func:`_curated_fields`) and the user's ``extra_`` columns, without
    the prefix.
    """
    meta_date = _metadata_dates(_record_meta(arts, "date"), arts["file"], arts["id"])
    date_source = pd.Series("none", index=arts.index, dtype=object)
    date_source[dl["date"].notna()] = "dateline"
    date_source[meta_date.notna()] = "metadata"
    agency = _record_meta(arts, "agency").fillna(dl["agency"])
    fields = {
        "date": meta_date.where(meta_date.notna(), dl["date"]),
        "date_source": date_source,
        "place": _record_meta(arts, "place").fillna(dl["city"]),
        "agency": agency,
        "outlet": _record_meta(arts, "outlet").fillna(
            agency.map(agency_english, na_action="ignore")
        ),
        "headline": _record_meta(arts, "headline").fillna(dl["headline"]),
    }
    extra = arts[[c for c in arts.columns if c.startswith("extra_")]]
    return fields, extra.rename(columns=lambda c: c.removeprefix("extra_"))


def _assemble(records: pd.DataFrame, curated: pd.DataFrame | None) -> pd.DataFrame:
    """The article table for loaded records."""
    arts = records[records["status"].isin(["loaded", "cleaned"])].copy()
    text = arts["text"]
    dl = _dateline_fields(arts)
    if curated is not None:
        fields, extra = _curated_fields(arts, curated, dl)
    else:
        fields, extra = _record_fields(arts, dl)
    table = pd.DataFrame(
        {
            "id": arts["id"].astype(str),
            "file": arts["file"].astype(str),
            "text": text,
            "date": pd.to_datetime(fields["date"]),
            "date_source": fields["date_source"].astype(str),
            "place": fields["place"].astype(object),
            "agency": fields["agency"].astype(object),
            "outlet": fields["outlet"].astype(object),
            "headline": fields["headline"].astype(object),
            "n_words": pd.Series(_count_words(text), index=arts.index, dtype="int64"),
            "n_paragraphs": pd.Series(_count_paragraphs(text), index=arts.index, dtype="int64"),
        },
        index=arts.index,
    )
    clashes = [c for c in extra.columns if c in table.columns]
    if clashes:
        _warn(
            f"{records['file'].iloc[0]}: column(s) {', '.join(clashes)} have names the loader "
            f"uses; they are kept as {', '.join('user_' + c for c in clashes)}."
        )
    for column in extra.columns:
        table[f"user_{column}" if column in clashes else column] = extra[column]
    return table.reset_index(drop=True)


def _table_text(value) -> tuple[str | None, str | None, str | None]:
    """A CSV/JSONL text cell as ``(text, note, rejection)``.

    An empty cell or null is missing text. A list of strings (paragraphs) is joined with
    blank lines, and the note says so; a number, a true/false, an object or any other list is
    not an article's text and is rejected with the reason.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None, None, None
    if isinstance(value, str):
        return value, None, None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        note = "joined a list of paragraphs with blank lines"
        return "\n\n".join(value), note, None
    kind = {bool: "true/false", int: "a number", float: "a number", dict: "an object"}.get(
        type(value), "a list" if isinstance(value, list) else type(value).__name__
    )
    return None, None, f"text is {kind}, not a string; put the article's text there as a string"


def _user_columns(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns if c not in (_BAD, _RECORD, _NOTE)]


def table_records(frame: pd.DataFrame, name: str, stem: str) -> pd.DataFrame:
    """One record per row of a table's cells (:func:`jsonl_frame`, a CSV or Parquet block),
    ready for :func:`load_records`; ids are not yet checked for repeats
    (:func:`reject_repeated_ids`). ``name`` is the file name in the report, ``stem`` the
    prefix of ids made from record numbers when the table has no ``id`` column."""
    if "text" not in frame.columns:
        found = _user_columns(frame)
        separator = next((s for s in (";", "\t", "|") if len(found) == 1 and s in found[0]), None)
        hint = f"; its header is separated by {separator!r}, not commas" if separator else ""
        raise CorpusError(
            f"{name}: no `text` column (found: {', '.join(found[:8]) or 'no columns at all'})"
            f"{hint}; the file needs comma-separated id,text[,date,title,source,...] columns."
        )
    if "id" not in frame.columns:
        frame["id"] = [f"{stem}-{int(r):06d}" for r in frame[_RECORD]]
        _warn(
            f"{name}: no `id` column; ids were made from the record number ({stem}-000001, ...); "
            "add an id column to keep them stable."
        )
    ids = frame["id"].map(
        lambda v: (
            pd.NA if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip() or pd.NA
        )
    )
    cells = [_table_text(v) for v in frame["text"]]
    out = pd.DataFrame(
        {
            "file": name,
            "record": frame[_RECORD].astype("Int64"),
            "id": ids,
            "text": [text for text, _, _ in cells],
            "notes": [
                [n for n in (note, loader_note) if isinstance(n, str)]
                for (_, note, _), loader_note in zip(
                    cells, frame[_NOTE] if _NOTE in frame else [None] * len(frame), strict=True
                )
            ],
            "reject": [
                bad if isinstance(bad, str) else why
                for bad, (_, _, why) in zip(frame[_BAD], cells, strict=True)
            ],
        }
    )
    out.loc[out["reject"].isna() & out["id"].isna(), "reject"] = "missing id"
    known = {"id", "text", _RECORD, _BAD, _NOTE}
    for column, aliases in _META_ALIASES.items():
        source = next((a for a in aliases if a in frame.columns), None)
        if source is not None:
            out[f"meta_{column}"] = frame[source].values
            known.add(source)
    for column in frame.columns:
        if column not in known:
            out[f"extra_{column}"] = frame[column].values
    return out


def claimed_ids(records: pd.DataFrame) -> pd.DataFrame:
    """``file, record, id`` of the records of :func:`table_records` that claim their id: not
    rejected before the check for repeated ids (a later, empty text still claims it)."""
    taken = records["reject"].isna() & records["id"].notna()
    return records.loc[taken, ["file", "record", "id"]].reset_index(drop=True)


def first_claims(claimed: pd.DataFrame) -> dict:
    """``{id: (file, record)}`` of the record that keeps each id claimed more than once in
    ``claimed`` (:func:`claimed_ids` of every block, in corpus order): the first."""
    repeated = claimed[claimed["id"].duplicated(keep=False)].drop_duplicates("id")
    return {
        i: (f, r) for i, f, r in zip(repeated["id"], repeated["file"], repeated["record"],
                                     strict=True)
    }  # fmt: skip


def reject_repeated_ids(records: pd.DataFrame, first: dict | None = None) -> pd.DataFrame:
    """Reject every record whose id an earlier record claimed (:func:`claimed_ids`).

    ``first`` is :func:`first_claims` of the whole corpus, for the blocks of a large file
    loaded apart; by default it is that of ``records`` alone.
    """
    first = first_claims(claimed_ids(records)) if first is None else first
    if not first:
        return records
    taken = records["reject"].isna() & records["id"].notna()
    reasons = []
    for t, i, f, r, why in zip(
        taken, records["id"], records["file"], records["record"], records["reject"], strict=True
    ):
        keeper = first.get(i) if t else None
        if keeper is None or keeper == (f, r):
            reasons.append(why)
        elif keeper[0] == f:
            reasons.append(f"id repeats record {keeper[1]}")
        else:
            reasons.append(f"id repeats {keeper[0]} record {keeper[1]}")
    return records.assign(reject=reasons)


def table_stem(name: str) -> str:
    """The prefix of ids made from record numbers: the file name less its table suffixes.

    >>> table_stem("wire.jsonl.gz")
    'wire'
    """
    return re.sub(r"(\.jsonl|\.csv|\.ndjson|\.parquet)?(\.gz)?$", "", name)


def collect_records(source) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Every record of ``source`` as read, before repairs: ``(records, curated)`` for
    :func:`load_records` (``curated``: the seed metadata, or None)."""
    if source is None:
        records, curated = _read_seeds()
        return pd.DataFrame(records), curated
    path = Path(source).expanduser()
    if not path.exists():
        raise CorpusError(
            f"{path}: no such file or folder; give a folder of .txt files or a "
            ".csv/.jsonl/.jsonl.gz/.parquet file with id,text columns."
        )
    if path.is_dir():
        records = _read_folder(path)
        if not records:
            raise CorpusError(f"{path}: the folder is empty; put one .txt file per article in it.")
        return pd.DataFrame(records), None
    lower = path.name.lower()
    if lower.endswith(".txt"):
        return pd.DataFrame([_read_file(path, path.name, path.stem)]), None
    if lower.endswith(".parquet"):
        frame = parquet_frame(path)
        return reject_repeated_ids(table_records(frame, path.name, table_stem(path.name))), None
    if lower.endswith((".csv", ".csv.gz", ".jsonl", ".jsonl.gz", ".ndjson")):
        frame, note = _read_table(path)
        records = reject_repeated_ids(table_records(frame, path.name, table_stem(path.name)))
        if note:
            records["notes"] = [[note, *notes] for notes in records["notes"]]
        return records, None
    hint = {
        ".json": " (write a JSON array of records one object per line as .jsonl: pandas.read_json"
        "(path).to_json(new_path, orient='records', lines=True, force_ascii=False))",
        ".tsv": " (save a tab-separated file as a comma-separated .csv)",
    }.get(path.suffix.lower(), "")
    raise CorpusError(
        f"{path.name}: unsupported file type{hint}; use a folder of .txt files, a .csv, a .jsonl "
        "or a .jsonl.gz file with id,text columns."
    )


def _check_script(articles: pd.DataFrame, label: str, sample: int = 500) -> None:
    """Warn when the loaded text is not Arabic (a wrong file, or a mis-decoded one).

    Reads a fixed-seed sample of ``sample`` articles: the share of Arabic among all letters
    is stable well before that.
    """
    if articles.empty:
        return
    texts = articles["text"]
    if len(texts) > sample:
        texts = texts.sample(sample, random_state=0)
    joined = "\n".join(texts)
    letters = sum(ch.isalpha() for ch in joined)
    arabic_letters = len(_ARABIC_LETTER_RE.findall(joined))
    if letters and arabic_letters / letters < 0.05:
        _warn(
            f"{label}: only {arabic_letters / letters:.0%} of the letters are Arabic; these "
            "notebooks analyse Arabic text: check that CORPUS names the right file and that it "
            "was decoded right (see the load report)."
        )


def load_records(
    records: pd.DataFrame, curated: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn raw records into ``(articles, report)``: repair, reject, announce, assemble.

    The part of :func:`load_with_report` after reading, for records read any way: every
    record of a corpus (one call) or of one block of it (``python -m batch`` calls it once
    per block, on a worker). ``records`` has ``file, record, id, text, notes`` and optionally
    ``reject``, ``skip``, ``meta_*`` and ``extra_*`` columns (:func:`table_records`);
    ``curated`` is the seed metadata (:func:`read_curated`) or None.
    """
    for column in ("skip", "reject", "text"):
        if column not in records:
            records[column] = None
    records = _clean(records)
    _announce(records)
    report = records[REPORT_COLUMNS].reset_index(drop=True)
    report["record"] = report["record"].astype("Int64")
    return _assemble(records, curated), report


def load_with_report(source: str | Path | None = None, *, strict: bool = False):
    """Load a corpus and account for every input file and record.

    Parameters
    ----------
    source : None, folder, or file
        ``None`` = the seed articles (checksums verified against ``seeds/SHA256SUMS``,
        metadata from ``data/articles.csv``); a folder of ``.txt`` files (searched
        recursively); a ``.csv``, ``.jsonl``, ``.jsonl.gz``, ``.parquet`` or ``.txt`` file;
        or the output folder of a batch run (``python -m batch``), whose tables are read.
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
    if is_batch(source):  # a corpus loaded elsewhere, block by block: read its tables
        articles, report = read_batch(source, "articles"), read_batch(source, "load_report")
    else:
        articles, report = load_records(*collect_records(source))
    label = "the seed corpus" if source is None else str(source)
    _check_script(articles, label)
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
    loaded = load_once(source)
    if loaded.warnings:
        _warn(load_summary(loaded.report, len(loaded.warnings), source))
    return loaded.articles


class Loaded(NamedTuple):
    """What :func:`load_once` returns."""

    articles: pd.DataFrame
    report: pd.DataFrame
    warnings: list[str]  # each CorpusWarning the load emitted, in order
    kept: bool  # True when read back from the kept copy instead of parsed from the source


def load_once(source: str | Path | None = None) -> Loaded:
    """Load a corpus from its source once, and read the kept copy every later time.

    The first call loads with :func:`load_with_report`, records its :class:`CorpusWarning`
    messages (instead of emitting them: the caller shows them) and keeps the tables with
    :func:`save_loaded`; later calls read them back while :func:`source_fingerprint` is
    unchanged. Warnings of other kinds pass through. The main job's check before running
    makes the first call, so the notebooks never parse a large corpus more than once.

    >>> loaded = load_once()
    >>> len(loaded.articles), loaded.warnings
    (5, [])
    """
    kept = read_loaded(source)
    if kept is not None:
        return Loaded(*kept, kept=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        articles, report = load_with_report(source)
    messages = [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]
    for w in caught:
        if not issubclass(w.category, CorpusWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    save_loaded(articles, report, source, messages)
    return Loaded(articles, report, messages, kept=False)


# ---------------------------------------------------------------------------------------------
# The loaded corpus, kept for reuse: notebook 01 writes it, 02-05 read it (load once).
# ---------------------------------------------------------------------------------------------

#: The manifest that a batch run (``python -m batch``, ``src/batch/``) writes in its folder.
BATCH_MANIFEST = "batch.json"


def is_batch(source) -> bool:
    """True when ``source`` is the output folder of a batch run (it holds its manifest)."""
    return source is not None and (Path(source).expanduser() / BATCH_MANIFEST).is_file()


def read_batch(out_dir: str | Path, table: str = "articles") -> pd.DataFrame:
    """One table that a batch run (``python -m batch --out DIR``) wrote to ``out_dir``.

    ``table`` is a key of the manifest's ``tables``: ``articles``, ``load_report``,
    ``frame_hits``, ``frame_rates``, ``top_terms`` (one Parquet file per block, read here as
    one table), ``corpus_frame_rates`` or ``document_frequencies``. Columns hold what the
    helpers give in one process; text columns that were ``object`` there are ``object``
    again (a missing cell reads back as NaN rather than ``pd.NA``).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(out_dir).expanduser()
    meta = json.loads((folder / BATCH_MANIFEST).read_text("utf-8"))
    where = folder / meta["tables"][table]
    files = sorted(where.glob("part-*.parquet")) if where.is_dir() else [where]
    tables = [pq.read_table(f) for f in files]
    frame = pa.concat_tables(tables, promote_options="permissive").to_pandas()
    for column in meta.get("object_columns", {}).get(table, []):
        if column in frame:
            frame[column] = frame[column].astype(object)
    if "record" in frame and table == "load_report":
        frame["record"] = frame["record"].astype("Int64")
    return frame


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


def save_loaded(
    articles: pd.DataFrame, report: pd.DataFrame, source=None, messages: Sequence[str] = ()
):
    """Keep a loaded corpus, its load report (Parquet) and its warnings' messages for reuse.

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
        "warnings": list(messages),
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


def read_loaded(source=None) -> tuple[pd.DataFrame, pd.DataFrame, list[str]] | None:
    """``(articles, report, warning messages)`` kept by :func:`save_loaded`, if still current.

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
        messages = [str(m) for m in meta["warnings"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return tables[0], tables[1], messages


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


__all__ = [
    "ARTICLES_CSV",
    "BATCH_MANIFEST",
    "COLUMNS",
    "DATE_SOURCES",
    "LOAD_REPORT_CSV",
    "REPORT_COLUMNS",
    "STATUSES",
    "CorpusError",
    "CorpusWarning",
    "SeedChecksumError",
    "claimed_ids",
    "collect_records",
    "compare_datelines",
    "decode_bytes",
    "first_claims",
    "folder_entries",
    "folder_records",
    "is_batch",
    "jsonl_frame",
    "load_corpus",
    "load_records",
    "load_summary",
    "load_with_report",
    "overview",
    "parquet_frame",
    "read_batch",
    "read_curated",
    "reject_repeated_ids",
    "seed_records",
    "table_records",
    "table_stem",
    "verify_seeds",
    "write_tidy",
]
