"""Split a corpus into blocks that a worker reads on its own, and read one block's records.

A block (:class:`Part`) names where its records are, never the records themselves, so the
task graph stays small and no process but the one reading a block holds its text:

* a JSONL file (``.jsonl``, ``.jsonl.gz``, ``.ndjson``): ``size`` lines from line ``first``;
  the task streams the file and skips to them (a gzip stream cannot be entered in the
  middle, so each task decompresses the lines before its block, without parsing them);
* a Parquet file: ``size`` row groups from row group ``first`` (as the file was written);
* a folder of ``.txt`` files: ``size`` entries of :func:`helpers.corpus.folder_entries`;
* the seed articles: ``size`` seed files;
* a CSV file, or a JSONL file that is not UTF-8: the whole file, read by the loader as in
  one process (a CSV row may span lines, so only a parser can find row boundaries).

Line, row and record numbers stay those of the file, so the load report reads as in one
process. :func:`index_file` counts what a file holds: the index pass, one task per file.
"""

from __future__ import annotations

import codecs
import gzip
import warnings
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pandas as pd

from helpers import corpus, paths

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
TABLE_SUFFIXES = (*JSONL_SUFFIXES, ".csv", ".csv.gz", ".parquet")
_CHUNK = 1 << 24  # bytes read at a time by the index pass


@dataclass(frozen=True)
class Part:
    """One block of a corpus: where its records are (see the module docstring)."""

    kind: str  # "jsonl", "parquet", "txt", "seeds" or "whole"
    path: str  # the file, or the folder of .txt files
    name: str  # the file's name in the load report
    first: int = 0  # first line (0-based) or row group of the block
    size: int = 0  # lines or row groups in the block
    entries: tuple = field(default=())  # (path, problem) or seed names, for txt and seeds
    row: int = 1  # for Parquet, the file's row number of the block's first row

    def describe(self) -> dict:
        """The block for the run's manifest."""
        out = {"kind": self.kind, "file": self.name}
        if self.kind in ("jsonl", "parquet"):
            unit = "lines" if self.kind == "jsonl" else "row_groups"
            out.update(first=self.first, **{unit: self.size})
        elif self.entries:
            out["files"] = len(self.entries)
        return out


def _open(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def index_file(path: str, name: str) -> dict:
    """What one table file holds: ``{"kind", "lines" | "row_groups" + "rows"}``.

    A JSONL file is streamed once (16 MB at a time) to count its lines and check that it
    is UTF-8; one that looks like UTF-16 (a byte-order mark, or NUL bytes, which UTF-8 JSON
    never holds) or does not decode is read whole by the loader, which decodes it as in one
    process (and says how in the report).
    """
    path = Path(path)
    lower = path.name.lower()
    if lower.endswith(".parquet"):
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        rows = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        return {"kind": "parquet", "row_groups": len(rows), "rows": rows}
    if not lower.endswith(JSONL_SUFFIXES):
        return {"kind": "whole"}
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines, last = 0, b"\n"
    try:
        with _open(path) as stream:
            chunk = stream.read(_CHUNK)
            if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:4096]:
                return {"kind": "whole"}  # UTF-16, with or without a byte-order mark
            while chunk:
                decoder.decode(chunk)
                newlines += chunk.count(b"\n")
                last = chunk[-1:]
                chunk = stream.read(_CHUNK)
            decoder.decode(b"", final=True)
    except (UnicodeDecodeError, OSError, EOFError):
        return {"kind": "whole"}  # the loader names the problem (or the fix) in one process
    return {"kind": "jsonl", "lines": newlines + (last != b"\n")}


def plan(source, size: int, index) -> list[Part]:
    """The blocks of ``source`` (None = the seeds, a folder, or one file), in corpus order.

    ``size`` is the records per block (lines, ``.txt`` files; for Parquet, rows, rounded
    to whole row groups). ``index`` maps a list of ``(path, name)`` to :func:`index_file`'s
    answers for them: the caller runs the index pass on its scheduler.
    """
    if source is None:
        names = sorted(corpus.verify_seeds())
        return [
            Part("seeds", str(paths.SEEDS_DIR), "seeds", entries=tuple(names[i : i + size]))
            for i in range(0, len(names), size)
        ]
    path = Path(source).expanduser()
    if not path.exists():
        raise corpus.CorpusError(
            f"{path}: no such file or folder; give a folder of .txt files or a "
            ".csv/.jsonl/.jsonl.gz/.parquet file with id,text columns."
        )
    if not path.is_dir():
        if not path.name.lower().endswith((*TABLE_SUFFIXES, ".txt")):
            raise corpus.CorpusError(
                f"{path.name}: unsupported file type; use a folder of .txt files, a .csv, a "
                ".jsonl, a .jsonl.gz or a .parquet file with id,text columns."
            )
        files = [(path, path.name)]
        return _table_parts(files, index(files), size) if _is_table(path) else _whole(files)
    entries = corpus.folder_entries(path)
    tables = [(p, p.relative_to(path).as_posix()) for p, bad in entries if not bad and _is_table(p)]
    others = [(p, bad) for p, bad in entries if bad or not _is_table(p)]
    parts = [
        Part(
            "txt", str(path), path.name, entries=tuple((str(p), b) for p, b in others[i : i + size])
        )
        for i in range(0, len(others), size)
    ]
    return parts + (_table_parts(tables, index(tables), size) if tables else [])


def _is_table(path: Path) -> bool:
    return path.name.lower().endswith(TABLE_SUFFIXES)


def _whole(files) -> list[Part]:
    return [Part("whole", str(p), name) for p, name in files]


def _table_parts(files, answers, size: int) -> list[Part]:
    parts = []
    for (path, name), answer in zip(files, answers, strict=True):
        if answer["kind"] == "jsonl":
            parts += [
                Part("jsonl", str(path), name, first, min(size, answer["lines"] - first))
                for first in range(0, answer["lines"], size)
            ]
        elif answer["kind"] == "parquet":
            parts += _row_group_parts(path, name, answer["rows"], size)
        else:
            parts += _whole([(path, name)])
    return parts


def _row_group_parts(path, name, rows: list[int], size: int) -> list[Part]:
    """Row groups gathered into blocks of about ``size`` rows (at least one group each)."""
    parts, first, held, row = [], 0, 0, 1
    for group, n in enumerate(rows):
        held += n
        if held >= size or group == len(rows) - 1:
            parts.append(Part("parquet", str(path), name, first, group + 1 - first, row=row))
            first, row, held = group + 1, row + held, 0
    return parts


def read_records(part: Part, first_claims: dict | None = None) -> tuple[pd.DataFrame, object]:
    """``(records, curated)`` of one block, ready for :func:`helpers.corpus.load_records`.

    ``first_claims`` (:func:`helpers.corpus.first_claims` of the whole corpus) says which
    record keeps an id that several records claim; None = check within the block only.
    """
    if part.kind == "seeds":
        return pd.DataFrame(corpus.seed_records(part.entries)), corpus.read_curated()
    if part.kind == "txt":
        entries = [(Path(p), bad) for p, bad in part.entries]
        return pd.DataFrame(corpus.folder_records(Path(part.path), entries)), None
    if part.kind == "whole":
        records, curated = corpus.collect_records(part.path)  # the loader's own reading
        records = records.assign(file=part.name)  # its path within a folder of tables
        if first_claims and "reject" in records:  # ids repeated in another file
            records = corpus.reject_repeated_ids(records, first_claims)
        return records, curated
    stem = corpus.table_stem(Path(part.name).name)
    records = corpus.table_records(_cells(part), part.name, stem)
    return corpus.reject_repeated_ids(records, first_claims), None


def _cells(part: Part) -> pd.DataFrame:
    path = Path(part.path)
    if part.kind == "parquet":
        groups = list(range(part.first, part.first + part.size))
        return corpus.parquet_frame(path, groups, first=part.row)
    with _open(path) as stream:
        raw = islice(stream, part.first, part.first + part.size)
        lines = [line.decode("utf-8").removesuffix("\n") for line in raw]
    if part.first == 0 and lines:
        lines[0] = lines[0].removeprefix("\ufeff")
    return corpus.jsonl_frame(lines, first=part.first + 1)


def claimed_ids(part: Part) -> pd.DataFrame:
    """``file, record, id`` of the records of a table block that claim an id: the id pass.

    Blocks of ``.txt`` files and seeds have ids made from unique paths: nothing to check.
    """
    if part.kind in ("seeds", "txt"):
        return pd.DataFrame(columns=["file", "record", "id"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", corpus.CorpusWarning)  # the main pass announces them
        if part.kind == "whole":
            records, _ = corpus.collect_records(part.path)
            if "reject" not in records:
                return pd.DataFrame(columns=["file", "record", "id"])
            records = records.assign(file=part.name)
        else:
            stem = corpus.table_stem(Path(part.name).name)
            records = corpus.table_records(_cells(part), part.name, stem)
    return corpus.claimed_ids(records)
