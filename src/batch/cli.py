"""The command line: ``python -m batch --corpus PATH --out DIR [--scheduler ...]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from batch.pipeline import DEFAULT_PARTITION_SIZE, run
from helpers.corpus import CorpusError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m batch",
        description="Run the notebooks' helpers on a corpus block by block with Dask and write "
        "every table to Parquet (same numbers as in one process).",
    )
    parser.add_argument(
        "--corpus",
        help="a .jsonl/.jsonl.gz/.csv/.parquet file, or a folder of .txt or such files; "
        "default: the seed articles",
    )
    parser.add_argument("--out", required=True, help="folder for the Parquet tables")
    parser.add_argument(
        "--scheduler",
        help="none (default): in this process; 'local': a LocalCluster of worker processes; "
        "or the address of a running Dask scheduler (tcp://host:8786)",
    )
    parser.add_argument(
        "--partition-size",
        type=int,
        default=DEFAULT_PARTITION_SIZE,
        help="records (lines, .txt files; Parquet: rows, in whole row groups) per block "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="worker processes of --scheduler local (default: cores, up to 4)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        manifest = run(
            args.corpus,
            args.out,
            scheduler_spec=args.scheduler,
            partition_size=args.partition_size,
            workers=args.workers,
        )
    except (CorpusError, ValueError, OSError) as err:
        print(f"batch: {err}", file=sys.stderr)
        return 1
    counts = manifest["counts"]
    print(
        f"{counts['articles']:,} of {counts['records']:,} records loaded in "
        f"{len(manifest['partitions'])} block(s), {counts['frame_hits']:,} frame hits, "
        f"{counts['terms']:,} terms; {manifest['seconds']} s on {manifest['scheduler']}. "
        f"Tables in {args.out}; notebooks read them with CORPUS = {str(args.out)!r}."
    )
    return 0
