"""The command line: ``python -m reports [--corpus PATH] [--only NN ...] ...``."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from reports.job import run
from reports.notebooks import ReportsError
from reports.runner import DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT, Stopped


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reports",
        description="Execute the notebooks and write HTML reports (reports/index.html).",
    )
    parser.add_argument(
        "--corpus",
        help="a folder of .txt files or a .csv/.jsonl file (id,text[,date,...]); "
        "default: the seed articles. Reports go to reports/<corpus-name>/.",
    )
    parser.add_argument(
        "--reference",
        help="a second corpus (same formats) for notebook 03's keyness against a reference; "
        "reports go to a vs-<reference-name>/ folder inside the corpus's.",
    )
    parser.add_argument("--only", nargs="+", metavar="NN", help="run only these notebooks")
    parser.add_argument("--out", help="root folder of the reports (default: reports/)")
    parser.add_argument(
        "--notebooks", help="folder of NN-name.ipynb notebooks (default: notebooks/)"
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT,
        help="seconds per cell (default %(default)s)",
    )
    parser.add_argument(
        "--max-memory",
        type=float,
        default=DEFAULT_MAX_MEMORY / 2**30,
        metavar="GB",
        help="resident memory a notebook's kernel may use before it is stopped "
        "(default %(default)g; 0: no limit)",
    )
    parser.add_argument(
        "--jobs",
        type=_at_least_one,
        metavar="N",
        help="run up to N notebooks at once, each in its own kernel, a notebook only after "
        "those its metadata says it runs after (reports.after); the reports are the same "
        "for any N. Default: one per CPU, fewer when N x --max-memory would exceed the "
        "memory available; --jobs 1 runs them one by one",
    )
    return parser


def _at_least_one(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Returns the exit status: 0 ok, 1 a notebook failed, 2 bad arguments,
    128 + the signal number when stopped by SIGINT (130) or SIGTERM (143)."""
    args = _parser().parse_args(argv)
    try:
        result = run(
            corpus=args.corpus,
            only=args.only,
            reference=args.reference,
            out_dir=args.out,
            notebooks_dir=args.notebooks,
            timeout=args.timeout,
            max_memory=int(args.max_memory * 2**30),
            jobs=args.jobs,
        )
    except ReportsError as exc:
        print(f"reports: {exc}", file=sys.stderr)
        return 2
    except Stopped as exc:
        print(f"reports: {exc}; nothing the job started is left running", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:  # before or after the notebooks: no kernel is running
        print("reports: stopped by SIGINT", file=sys.stderr)
        return 128 + signal.SIGINT
    if not result.ok:
        failed = [
            (result.out_dir / Path(f.notebook).with_suffix(".failed.ipynb").name).name
            for f in result.failures
        ]
        print(
            f"reports: {len(failed)} notebook(s) failed (see above); partly executed copies in "
            f"{result.out_dir}: {', '.join(failed)} (open them in JupyterLab for the traceback)",
            file=sys.stderr,
        )
        return 1
    return 0
