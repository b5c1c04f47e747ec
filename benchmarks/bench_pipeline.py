"""End-to-end cost of ``helpers.pipeline.run_pipeline`` against plain scikit-learn TF-IDF.

Cases
- ``real``: SaudiNewsNet 2015 (30,676 Saudi news articles, ~96 MB), read in place from
  ``--real``; the pipeline loads it with ``helpers.corpus.load_with_report`` (timed), the
  reference gets the ``text`` field of every JSON line (reading is not timed). Its text is
  never copied anywhere.
- ``gen-N``: N articles of ~4 KB of UTF-8, made of the seed articles' sentences shuffled
  with a fixed seed, built in memory in the process that runs the case.

For every case two fresh processes run one after the other: the **reference**, scikit-learn's
plain ``TfidfVectorizer(ngram_range=(1, 2))`` on the raw texts, and the **pipeline** (load →
normalise → tokenise → TF-IDF with bigrams → frames with speakers → per-article tables).
The figure that counts is their ratio, measured minutes apart on the same machine.
The pipeline runs with ``--workers`` processes (default 2) on every case and also with
``--compare-workers`` (default 1) on the ``--compare`` cases, to show what the second core buys.

Memory: each run is a fresh process, so its ``ru_maxrss`` (``getrusage``) is the peak
resident set of that run alone, with nothing left from an earlier case; the worker processes
of the pipeline are reported by ``RUSAGE_CHILDREN`` (the largest one). Because a peak per
process does not say how much the processes held *at the same time*, a thread also samples
the proportional set size (PSS, shared pages split between the processes that share them)
of the whole process tree every 0.1 s from ``/proc``, plus the files through which the pool
returns its results (in /dev/shm, RAM that no process's PSS shows); ``tree_pss_peak_mb`` is
the largest sum seen. tracemalloc is not used: it misses memory that scikit-learn and numpy allocate
outside Python's allocator in places and slows the run it measures.

Every case runs ``--repeat`` times (default 3), reference and pipeline alternating; the
summary gives medians and the median of the paired ratios with their range.

Run: ``.venv/bin/python benchmarks/bench_pipeline.py`` (writes
``benchmarks/results/pipeline.json``; about 15 minutes on 2 quiet cores); ``--quick`` runs
small cases once in a minute or two (a smoke test) and writes to ``--out`` only when given.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "pipeline.json"
REAL_CORPUS = (
    Path(__file__).resolve().parents[2] / "shared" / "corpora" / ("saudinewsnet-2015.jsonl.gz")
)
FULL_SIZES = (1_000, 10_000, 50_000)
QUICK_SIZES = (100, 400, 800)
QUICK_REAL_LIMIT = 600
ARTICLE_BYTES = 4_000
SEED = 2022
REPEAT = 3  # runs of each case; the summary takes medians (the machine is shared)
# Generated cases under SMALL_ARTICLES run REPEAT_SMALL times: a run takes about a second, and
# a slow spell of a tenth of a second moves one ratio by a quarter (single 1k runs have
# ranged from 1.06x to 1.79x with the same code), so their median needs more runs.
SMALL_ARTICLES = 5_000
REPEAT_SMALL = 9


# ---------------------------------------------------------------------------------------------
# Inputs


def generated_texts(n: int, seed: int = SEED, article_bytes: int = ARTICLE_BYTES) -> list[str]:
    """``n`` articles of about ``article_bytes`` UTF-8 bytes of shuffled seed sentences."""
    from helpers import arabic
    from helpers.paths import SEEDS_DIR

    sentences = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        sentences += arabic.split_sentences(path.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        parts, size = [], 0
        while size < article_bytes:
            sentence = rng.choice(sentences)
            parts.append(sentence)
            size += len(sentence.encode("utf-8")) + 1
        texts.append("\n".join(parts))
    return texts


def real_texts(path: Path, limit: int | None = None) -> list[str]:
    """The ``text`` field of each JSON line of the real corpus (read in place)."""
    texts = []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and len(texts) >= limit:
                break
            texts.append(json.loads(line)["text"])
    return texts


def real_subset(path: Path, limit: int) -> Path:
    """The first ``limit`` lines of the real corpus in a temporary .jsonl file (quick runs)."""
    import tempfile

    out = Path(tempfile.mkdtemp(prefix="bench-pipeline-")) / f"saudinewsnet-head-{limit}.jsonl"
    with gzip.open(path, "rt", encoding="utf-8") as fh, out.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(fh):
            if i >= limit:
                break
            dst.write(line)
    return out


# ---------------------------------------------------------------------------------------------
# Memory of a process tree


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as fh:
                todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return pids


def _spill_kb() -> int:
    """Kilobytes of the pipeline's spill files (pool results in transit, in /dev/shm: RAM that
    no process's PSS shows)."""
    from helpers.pipeline import SPILL_PREFIX

    total = 0
    for root in {Path("/dev/shm"), Path(tempfile.gettempdir())}:
        for folder in root.glob(f"{SPILL_PREFIX}*"):
            with contextlib.suppress(OSError):  # read back and deleted meanwhile
                total += sum(f.stat().st_blocks // 2 for f in folder.iterdir())  # 512 B blocks
    return total


class TreeSampler(threading.Thread):
    """Largest summed PSS of this process and its descendants plus the pipeline's spill files,
    sampled every ``interval``."""

    def __init__(self, interval: float = 0.1):
        super().__init__(daemon=True)
        self.interval, self.peak_kb, self._halt = interval, 0, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            held = sum(_pss_kb(p) for p in _tree(os.getpid())) + _spill_kb()
            self.peak_kb = max(self.peak_kb, held)
            self._halt.wait(self.interval)

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return self.peak_kb / 1024


def _cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children (the workers)."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _maxrss_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


# ---------------------------------------------------------------------------------------------
# One run, in a fresh process


def child(kind: str, case: str, workers: int, real: Path) -> dict:
    """Run one (kind, case) in this process and return its measurements."""
    import warnings

    warnings.simplefilter("ignore")  # the loader's per-file notes are not what is measured
    n_real = None
    if case.startswith("gen-"):
        texts = generated_texts(int(case.removeprefix("gen-")))
    elif kind == "reference":
        texts = real_texts(real)
    else:
        texts = None
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer

    from helpers.pipeline import run_pipeline

    sampler = TreeSampler()
    sampler.start()
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()  # imports and building the generated corpus are not timed
    out: dict = {}
    if kind == "reference":
        matrix = TfidfVectorizer(ngram_range=(1, 2)).fit_transform(texts)
        out.update(n_articles=matrix.shape[0], n_features=matrix.shape[1], nnz=int(matrix.nnz))
    else:
        if texts is not None:
            source = pd.DataFrame({"id": [f"gen-{i:06d}" for i in range(len(texts))]})
            source["text"] = texts
            del texts
        else:
            source = real
        res = run_pipeline(source, workers=workers)
        tm = res.matrix
        n_real = len(res.articles)
        out.update(
            n_articles=n_real,
            n_features=len(tm.vocabulary),
            nnz=int(tm.matrix.nnz),
            n_hits=len(res.hits),
            table_rows=len(res.table),
            table_columns=len(res.table.columns),
            workers_used=res.workers,
            stages={k: round(v, 2) for k, v in res.seconds.items()},
        )
    out["seconds"] = time.perf_counter() - t0
    out["cpu_seconds"] = round(_cpu_seconds() - cpu0, 2)
    out["tree_pss_peak_mb"] = round(sampler.stop(), 1)
    out["peak_rss_mb"] = round(_maxrss_mb(resource.RUSAGE_SELF), 1)
    out["worker_peak_rss_mb"] = round(_maxrss_mb(resource.RUSAGE_CHILDREN), 1)
    return out


def run_case(kind: str, case: str, workers: int, real: Path, timeout: float) -> dict:
    """Start a fresh interpreter for one run and collect its JSON line."""
    cmd = [sys.executable, __file__, "--child", kind, case, "--workers", str(workers)]
    cmd += ["--real", str(real)]
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} on {case} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result.update(
        kind=kind,
        case=case,
        workers=workers,
        process_seconds=round(time.perf_counter() - t0, 2),
        loadavg_1min_before=round(load, 2),
        loadavg_1min_after=round(os.getloadavg()[0], 2),
    )
    result["seconds"] = round(result["seconds"], 2)
    return result


# ---------------------------------------------------------------------------------------------
# Summary


def _middle(runs: list[dict]) -> dict:
    """The run with the median wall time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2]


def summarise(runs: list[dict]) -> list[dict]:
    """One row per case and worker count: medians over the repetitions, and the ratio.

    Repetition ``i`` of a case runs the reference and then the pipeline, so each pipeline
    run is paired with the reference run just before it; ``ratio`` is the median of those
    paired ratios (a slow spell of the shared machine then touches both sides of a pair),
    ``ratio_min``/``ratio_max`` their range. Times per article and memory are those of the
    median run, except ``pipeline_tree_pss_peak_mb``, the largest over the repetitions.
    """
    rows = []
    for case in dict.fromkeys(r["case"] for r in runs):
        refs = [r for r in runs if r["case"] == case and r["kind"] == "reference"]
        pipes = [r for r in runs if r["case"] == case and r["kind"] == "pipeline"]
        ref = _middle(refs) if refs else None
        for workers in dict.fromkeys(r["workers"] for r in pipes):
            mine = [r for r in pipes if r["workers"] == workers]
            pipe, n = _middle(mine), mine[0]["n_articles"]
            ratios = sorted(
                r["seconds"] / q["seconds"]
                for r in mine
                for q in refs
                if q["repetition"] == r["repetition"]
            )
            rows.append(
                {
                    "case": case,
                    "workers": workers,
                    "n_articles": n,
                    "repetitions": len(mine),
                    "pipeline_s": pipe["seconds"],
                    "reference_s": ref["seconds"] if ref else None,
                    "ratio": round(statistics.median(ratios), 2) if ratios else None,
                    "ratio_min": round(ratios[0], 2) if ratios else None,
                    "ratio_max": round(ratios[-1], 2) if ratios else None,
                    "pipeline_cpu_s": pipe["cpu_seconds"],
                    "reference_cpu_s": ref["cpu_seconds"] if ref else None,
                    "cpu_ratio": round(pipe["cpu_seconds"] / ref["cpu_seconds"], 2)
                    if ref
                    else None,
                    "pipeline_ms_per_article": round(1000 * pipe["seconds"] / n, 3),
                    "reference_ms_per_article": round(1000 * ref["seconds"] / n, 3)
                    if ref
                    else None,
                    "pipeline_peak_rss_mb": pipe["peak_rss_mb"],
                    "pipeline_tree_pss_peak_mb": max(r["tree_pss_peak_mb"] for r in mine),
                    "reference_peak_rss_mb": ref["peak_rss_mb"] if ref else None,
                    "frames_cpu_s": pipe["stages"].get("frames_cpu"),
                    "tfidf_s": pipe["stages"].get("tfidf"),
                    "warm_up_s": pipe["stages"].get("warm_up"),
                    "loadavg_1min": pipe["loadavg_1min_before"],
                }
            )
    return rows


def markdown(rows: list[dict]) -> str:
    head = (
        "| case | workers | articles | pipeline s | reference s | ratio (range) | CPU ratio | "
        "ms/article (pipeline / ref) | memory MB (pipeline tree PSS / ref RSS) | load avg |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = [
        f"| {r['case']} | {r['workers']} | {r['n_articles']:,} | {r['pipeline_s']:.2f} | "
        f"{r['reference_s']:.2f} | {r['ratio']:.2f} ({r['ratio_min']:.2f}–{r['ratio_max']:.2f}) | "
        f"{r['cpu_ratio']:.2f} | {r['pipeline_ms_per_article']:.2f} / "
        f"{r['reference_ms_per_article']:.2f} | {r['pipeline_tree_pss_peak_mb']:,.0f} / "
        f"{r['reference_peak_rss_mb']:,.0f} | {r['loadavg_1min']:.1f} |"
        for r in rows
        if r["reference_s"]
    ]
    return head + "\n".join(lines) + "\n"


def environment() -> dict:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "scikit-learn": version("scikit-learn"),
        "pandas": version("pandas"),
        "numpy": version("numpy"),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small cases, a smoke run")
    parser.add_argument(
        "--sizes", type=int, nargs="*", help="generated corpus sizes (none: the real corpus only)"
    )
    parser.add_argument("--real", type=Path, default=REAL_CORPUS, help="the real corpus")
    parser.add_argument("--no-real", action="store_true", help="skip the real corpus")
    parser.add_argument(
        "--workers", type=int, default=2, help="pipeline processes on every case (default 2)"
    )
    parser.add_argument(
        "--compare",
        nargs="*",
        default=None,
        metavar="CASE",
        help="also run these cases with --compare-workers (default: real and the middle size)",
    )
    parser.add_argument("--compare-workers", type=int, default=1, help="default 1")
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="repetitions of every run, reference and pipeline alternating (default 3; 1 quick)",
    )
    parser.add_argument(
        "--repeat-small",
        type=int,
        default=None,
        help=f"repetitions of generated cases under {SMALL_ARTICLES:,} articles "
        f"(default {REPEAT_SMALL}; --repeat when that is given or quick)",
    )
    parser.add_argument("--out", type=Path, help=f"results file (default {RESULTS})")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds per run")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "CASE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.workers, args.real)))
        return 0

    sizes = args.sizes if args.sizes is not None else (QUICK_SIZES if args.quick else FULL_SIZES)
    if args.repeat_small is None:  # --repeat, when given, counts for every case
        args.repeat_small = args.repeat or (1 if args.quick else REPEAT_SMALL)
    if args.repeat is None:
        args.repeat = 1 if args.quick else REPEAT
    if min(args.repeat, args.repeat_small) < 1:
        parser.error("--repeat and --repeat-small take a whole number of at least 1")
    cases = [f"gen-{n}" for n in sizes]
    real = args.real
    if not args.no_real:
        if real.exists():
            if args.quick:
                real = real_subset(real, QUICK_REAL_LIMIT)
            cases.insert(0, "real")
        else:
            print(f"bench_pipeline: {real} not found; the real-corpus case is skipped.")
    if not cases:
        parser.error("nothing to run: give --sizes or drop --no-real")
    middle = [f"gen-{sizes[len(sizes) // 2]}"] if sizes else []
    compare = args.compare if args.compare is not None else ["real", *middle]
    out = args.out or (None if args.quick else RESULTS)

    runs, env = [], environment()
    for case in cases:
        extra = case in compare and args.compare_workers != args.workers
        small = case.startswith("gen-") and int(case.removeprefix("gen-")) < SMALL_ARTICLES
        repeat = args.repeat_small if small else args.repeat
        for rep in range(1, repeat + 1):
            for kind, workers in [("reference", 1), ("pipeline", args.workers)] + (
                [("pipeline", args.compare_workers)] if extra else []
            ):
                print(
                    f"bench_pipeline: {kind:<9} {case:<10} workers={workers} ({rep}/{repeat}) ...",
                    flush=True,
                )
                r = run_case(kind, case, workers, real, args.timeout)
                r["repetition"] = rep
                runs.append(r)
                print(
                    f"  {r['seconds']:8.2f} s  peak RSS {r['peak_rss_mb']:7.0f} MB  tree PSS "
                    f"{r['tree_pss_peak_mb']:7.0f} MB  load {r['loadavg_1min_before']:.1f}",
                    flush=True,
                )
                write(out, runs, args.quick, env)  # after every run: keep what it measured
    if real != args.real:  # the temporary head of the real corpus (quick runs)
        real.unlink(missing_ok=True)
        real.parent.rmdir()
    print(markdown(summarise(runs)))
    if out is not None:
        print(f"bench_pipeline: wrote {out}")
    return 0


def write(out: Path | None, runs: list[dict], quick: bool, env: dict) -> None:
    """Write the summary and every run to ``out`` (nothing when ``out`` is None)."""
    if out is None:
        return
    doc = {
        "description": "helpers.pipeline.run_pipeline vs TfidfVectorizer(ngram_range=(1, 2))",
        "quick": quick,
        "environment": env,
        "summary": summarise(runs),
        "runs": runs,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
