"""Every path the project uses, defined once from this file's location.

Notebooks and helpers import these names instead of writing relative paths, so they
work from any working directory (JupyterLab, nbclient, pytest).
"""

from __future__ import annotations

import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = PROJECT_ROOT / "seeds"  # read-only: the articles exactly as received
SEEDS_CHECKSUMS = SEEDS_DIR / "SHA256SUMS"
DATA_DIR = PROJECT_ROOT / "data"  # hand-curated tables and lexicons (in git)
LEXICON_DIR = DATA_DIR / "lexicons"
PROCESSED_DIR = DATA_DIR / "processed"  # generated tables (ignored by git)
REPORTS_DIR = PROJECT_ROOT / "reports"  # generated HTML (ignored by git)
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"


def corpus_slug(corpus: str | Path | None) -> str:
    """A short folder name for a corpus: ``"seeds"`` for the default, else the file stem.

    >>> corpus_slug(None)
    'seeds'
    >>> corpus_slug("/data/My Wire Stories.jsonl.gz")
    'my-wire-stories'
    """
    if corpus is None:
        return "seeds"
    name = Path(corpus).name
    for suffix in (".gz", ".jsonl", ".json", ".csv", ".txt"):
        name = name.removesuffix(suffix)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "corpus"


def processed_dir(corpus: str | Path | None = None) -> Path:
    """Where generated tables for ``corpus`` go; user corpora get their own subfolder."""
    out = PROCESSED_DIR if corpus is None else PROCESSED_DIR / corpus_slug(corpus)
    out.mkdir(parents=True, exist_ok=True)
    return out
