"""Every path the project uses, defined once from this file's location.

Notebooks and helpers import these names instead of writing relative paths, so they
work from any working directory (JupyterLab, nbclient, pytest).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = PROJECT_ROOT / "seeds"  # read-only: the articles exactly as received
SEEDS_CHECKSUMS = SEEDS_DIR / "SHA256SUMS"
DATA_DIR = PROJECT_ROOT / "data"  # hand-curated tables and lexicons (in git)
LEXICON_DIR = DATA_DIR / "lexicons"
VALIDATION_DIR = DATA_DIR / "validation"  # held-out gold sentences and coding samples
PROCESSED_DIR = DATA_DIR / "processed"  # generated tables (ignored by git)
REPORTS_DIR = PROJECT_ROOT / "reports"  # generated HTML (ignored by git)
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
# SaudiNewsNet 2015 is shared, read in place and never copied here: a sibling of the project
# by default, or wherever the environment variable SAUDINEWSNET_PATH points.
SAUDINEWSNET_ENV = "SAUDINEWSNET_PATH"
SAUDINEWSNET_DEFAULT = PROJECT_ROOT.parent / "shared" / "corpora" / "saudinewsnet-2015.jsonl.gz"


def saudinewsnet_path(path: str | Path | None = None) -> Path:
    """Where SaudiNewsNet 2015 is read from: ``path``, else ``$SAUDINEWSNET_PATH``, else
    ``../shared/corpora/saudinewsnet-2015.jsonl.gz`` beside the project folder.

    The file need not exist: callers check, and say what they do without it.

    >>> saudinewsnet_path("/data/snn.jsonl.gz").name
    'snn.jsonl.gz'
    """
    chosen = path if path is not None else os.environ.get(SAUDINEWSNET_ENV) or SAUDINEWSNET_DEFAULT
    return Path(chosen).expanduser()


def corpus_slug(corpus: str | Path | None) -> str:
    """A folder name for a corpus, unique to its resolved path: its stem and a short hash.

    ``"seeds"`` for the default corpus. Two corpora never share a folder, even when their
    names do (``2022/articles.csv`` and ``2023/articles.csv``, ``a.csv`` and ``a.jsonl``, two
    Arabic-only names): the 8 hex digits are the start of the SHA-256 of the resolved path.
    Letters of any script are kept, so an Arabic file name stays readable.

    >>> corpus_slug(None)
    'seeds'
    >>> corpus_slug("/data/My Wire Stories.jsonl.gz").startswith("my-wire-stories-")
    True
    >>> corpus_slug("/data/a.csv") != corpus_slug("/data/a.jsonl")
    True
    """
    if corpus is None:
        return "seeds"
    path = Path(corpus).expanduser().resolve()
    name = path.name
    for suffix in (".gz", ".jsonl", ".json", ".csv", ".parquet", ".txt"):
        name = name.removesuffix(suffix)
    stem = re.sub(r"[\W_]+", "-", name.lower()).strip("-")[:40].strip("-") or "corpus"
    digest = hashlib.sha256(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{stem}-{digest}"


def processed_dir(corpus: str | Path | None = None) -> Path:
    """Where generated tables for ``corpus`` go; user corpora get their own subfolder."""
    out = PROCESSED_DIR if corpus is None else PROCESSED_DIR / corpus_slug(corpus)
    out.mkdir(parents=True, exist_ok=True)
    return out
