"""Check before running: the corpus must load before any notebook starts.

The corpus is loaded with ``helpers.corpus.load_once`` in a child process, so its memory is
given back before the kernels start and the memory limit applies to it as to a kernel. That
load is the one the notebooks then read back (``load_once`` keeps it), so checking costs no
extra parse of the corpus. When nothing can be loaded (an empty folder, a truncated
``.jsonl.gz``, a CSV without a ``text`` column), the job stops with the loader's one-line
reason instead of running every notebook into the same error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reports.notebooks import ReportsError
from reports.runner import run_watched

NOT_LOADABLE = 3  # the child's exit status when the loader raised CorpusError
_CHECK = """
import sys
import warnings

from helpers.corpus import CorpusError, load_once

try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # notebook 01 shows each one beside the load report
        articles = load_once(sys.argv[1]).articles
except CorpusError as exc:
    print((str(exc).strip().splitlines() or ["CorpusError"])[0])
    sys.exit(3)
print(len(articles))
"""


def check_corpus(corpus: Path | None, max_memory: int) -> int | None:
    """How many articles the corpus loads to, or :class:`ReportsError` when none can be.

    None for the seeds (the notebooks verify them against their checksums) and when the
    check could not finish for another reason (the notebooks will then say why).
    """
    if corpus is None:
        return None
    status, out, killed_at = run_watched([sys.executable, "-c", _CHECK, str(corpus)], max_memory)
    if status == NOT_LOADABLE:
        raise ReportsError(f"nothing to run the notebooks on: {out.strip()}")
    if killed_at is not None:
        raise ReportsError(
            f"loading {corpus.name} alone passed the memory limit of {max_memory / 2**30:.1f} GB; "
            "raise it with --max-memory"
        )
    return int(out.split()[-1]) if status == 0 and out.split() else None
