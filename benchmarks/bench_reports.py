"""The main job (every notebook, ``python -m reports``) on a real corpus, against plain TF-IDF.

The reference is scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2))`` fit on the corpus's raw
texts, timed in this process just before the job runs on the same corpus (the machine is
shared, so the ratio travels better than seconds). The job runs as the command a user runs,
in a subprocess, with its reports in a temporary folder; its ``timings.json`` gives each
cell's seconds and each kernel's peak memory (sampled every 0.2 s by the job's memory watch),
and the same watch run here on the job's process tree gives the largest single process.

Targets checked and printed:

- the whole job within 2x the reference;
- no cell over 15 s, except notebook 03's TF-IDF matrix cell (the one calling
  ``terms.build_matrix``), which must take no longer than the reference itself;
- no process over 4 GB of resident memory.

``--sample N`` runs on a fixed-seed random sample of N articles (written to a temporary
JSONL, records unchanged) for a smoke run; the job's fixed costs (a kernel per notebook,
imports, rendering) then dominate and the 2x target is not meaningful.

Run: ``.venv/bin/python benchmarks/bench_reports.py [--sample 1000]``; results go to
``benchmarks/results/reports.json`` and a markdown table is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

from helpers.paths import NOTEBOOKS_DIR, PROCESSED_DIR, PROJECT_ROOT, corpus_slug
from reports.job import TIMINGS_NAME
from reports.notebooks import report_dir
from reports.runner import DEFAULT_MAX_MEMORY, MemoryWatch

REAL = PROJECT_ROOT.parent / "shared" / "corpora" / "saudinewsnet-2015.jsonl.gz"
RESULTS = PROJECT_ROOT / "benchmarks" / "results" / "reports.json"
JOB_RATIO = 2.0  # whole job / reference
CELL_SECONDS = 15.0  # any cell but the TF-IDF matrix cell
SHOWN_SECONDS = 5.0  # cells slower than this are listed
PROCESS_BYTES = 4 * 2**30
GB = 2**30


def read_lines(path: Path) -> list[str]:
    """The corpus's JSON lines as they are (gzip or plain)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [line for line in fh if line.strip()]


def write_sample(lines: list[str], n: int, folder: Path, name: str) -> Path:
    """A fixed-seed random sample of ``n`` records, in corpus order, as a JSONL file."""
    keep = sorted(random.Random(0).sample(range(len(lines)), min(n, len(lines))))
    path = folder / f"{name}-sample-{n}.jsonl"
    path.write_text("".join(lines[i] for i in keep), encoding="utf-8")
    return path


def reference_seconds(texts: list[str]) -> float:
    """Plain TF-IDF with bigrams on the raw texts: fit_transform's wall time."""
    start = time.perf_counter()
    TfidfVectorizer(ngram_range=(1, 2)).fit_transform(texts)
    return time.perf_counter() - start


def run_job(corpus: Path, out: Path, max_memory_gb: float) -> dict:
    """The command on ``corpus``, cold: its exit status, seconds, largest process and timings.

    The corpus's ``data/processed/`` folder is removed first, so the job parses the corpus and
    matches the frames as a new user's first run does (04 caches the hits there)."""
    shutil.rmtree(PROCESSED_DIR / corpus_slug(corpus), ignore_errors=True)
    command = [sys.executable, "-m", "reports", "--corpus", str(corpus), "--out", str(out)]
    command += ["--max-memory", str(max_memory_gb)]
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, stderr=subprocess.PIPE, text=True)
    with MemoryWatch(proc.pid, None, limit=0) as watch:
        _, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    timings_path = report_dir(corpus, out) / TIMINGS_NAME
    timings = json.loads(timings_path.read_text(encoding="utf-8"))
    return {
        "returncode": proc.returncode,
        "seconds": round(seconds, 3),
        "largest_process_rss": watch.peak_process,
        "stderr": stderr.strip().splitlines()[-5:],
        "timings": timings,
    }


def tfidf_cell() -> tuple[str, int]:
    """(notebook, cell number) of notebook 03's cell that builds the TF-IDF matrix."""
    path = next(NOTEBOOKS_DIR.glob("03-*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if "build_matrix(" in c.source)
    return path.name, index + 1


def check_targets(reference: float, job: dict) -> dict:
    """Each target with its measured value, its limit and whether it is met."""
    special = tfidf_cell()
    cells = [
        (nb["notebook"], c["cell"], c["seconds"] or 0.0)
        for nb in job["timings"]["notebooks"]
        for c in nb["cells"]
    ]
    others = [s for name, cell, s in cells if (name, cell) != special]
    matrix = [s for name, cell, s in cells if (name, cell) == special]
    largest = max(
        [job["largest_process_rss"], job["timings"]["job_peak_rss"]]
        + [nb["peak_process_rss"] for nb in job["timings"]["notebooks"]]
    )
    targets = {
        "job / reference": (job["seconds"] / reference, JOB_RATIO),
        "slowest other cell (s)": (max(others, default=0.0), CELL_SECONDS),
        f"{special[0]} cell {special[1]} (TF-IDF matrix) / reference": (
            (matrix[0] / reference) if matrix else float("nan"),
            1.0,
        ),
        "largest process (GB)": (largest / GB, PROCESS_BYTES / GB),
    }
    return {
        k: {"value": round(v, 3), "limit": lim, "ok": v <= lim} for k, (v, lim) in targets.items()
    }


def markdown(job: dict, targets: dict) -> str:
    """Tables: cells over 5 s, per-notebook totals and peak memory, the targets."""
    lines = ["| notebook | cell | first line | seconds |", "|---|---:|---|---:|"]
    for nb in job["timings"]["notebooks"]:
        for c in nb["cells"]:
            if (c["seconds"] or 0) > SHOWN_SECONDS or c["seconds"] is None:
                shown = "died" if c["seconds"] is None else f"{c['seconds']:.1f}"
                lines.append(f"| {nb['notebook']} | {c['cell']} | `{c['first_line']}` | {shown} |")
    lines += ["", "| notebook | ok | seconds | kernel peak RSS (GB) |", "|---|---|---:|---:|"]
    for nb in job["timings"]["notebooks"]:
        lines.append(
            f"| {nb['notebook']} | {'yes' if nb['ok'] else 'NO'} | {nb['seconds']:.1f} "
            f"| {nb['peak_rss'] / GB:.2f} |"
        )
    lines += ["", "| target | value | limit | met |", "|---|---:|---:|---|"]
    for name, t in targets.items():
        lines.append(
            f"| {name} | {t['value']:.2f} | {t['limit']:g} | {'yes' if t['ok'] else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REAL, help="a .jsonl or .jsonl.gz corpus")
    parser.add_argument("--sample", type=int, help="run on N articles (fixed seed)")
    parser.add_argument(
        "--max-memory", type=float, default=DEFAULT_MAX_MEMORY / GB, help="the job's limit, GB"
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"{args.corpus}: not found; nothing to measure")
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        corpus = args.corpus
        lines = read_lines(corpus)
        if args.sample:
            name = corpus.name.split(".")[0]
            corpus = write_sample(lines, args.sample, Path(tmp), name)
            lines = read_lines(corpus)
        texts = [json.loads(line).get("text") or "" for line in lines]
        n_articles = len(texts)
        del lines
        reference = reference_seconds(texts)
        del texts  # this process waits beside the job: keep it small
        job = run_job(corpus, Path(tmp) / "reports", args.max_memory)
    targets = check_targets(reference, job)
    report = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"python": platform.python_version(), "scikit-learn": sklearn.__version__},
        "corpus": args.corpus.name,
        "articles": n_articles,
        "sample": args.sample,
        "reference_seconds": round(reference, 3),
        "job": {k: v for k, v in job.items() if k != "timings"},
        "notebooks": job["timings"]["notebooks"],
        "job_peak_rss": job["timings"]["job_peak_rss"],
        "targets": targets,
    }
    args.results.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(
        f"{n_articles:,} articles; reference {reference:.1f} s; job {job['seconds']:.1f} s, "
        f"of which the corpus check {job['timings']['check_seconds']:.1f} s"
    )
    print(markdown(job, targets))
    return 0 if job["returncode"] == 0 and all(t["ok"] for t in targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
