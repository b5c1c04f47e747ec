"""``python -m batch`` on all of SaudiNewsNet: a LocalCluster of worker processes vs in process.

Both runs execute the same task graph on the same blocks (``--partition-size`` records
each), first with Dask's synchronous scheduler in this process, then on a
``distributed.LocalCluster`` of ``--workers`` single-threaded worker processes; the figure is
the ratio of their wall-clock times, measured in one run on the same machine. A thread
samples the resident memory (RSS) of this process and of every worker process every
0.2 s: the peak per worker is what a cluster node needs for one block at a time. The two
runs' tables are checked to be equal (counts, top terms and corpus-level frame rates).

Point ``--scheduler`` at a running cluster (``tcp://host:8786``) to time that instead of a
LocalCluster; then worker memory is the RSS each worker reports after the run (its own
``psutil``), not a sampled peak. With ``--repeats`` > 1 the runs alternate, cluster first
(so the client process is small while it is measured), and medians are reported.

Run: ``.venv/bin/python benchmarks/bench_batch.py`` (about 5 minutes on 2 cores); results
go to ``benchmarks/results/batch.json``. The corpus is read in place (``--real``), its
text never copied; the tables go to a temporary folder removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import threading
import time
import warnings
from pathlib import Path

import dask
import distributed
import pandas as pd
import psutil

from batch import pipeline
from helpers import corpus
from helpers.paths import PROJECT_ROOT, saudinewsnet_path

RESULTS = PROJECT_ROOT / "benchmarks" / "results" / "batch.json"
GB = 2**30


class PeakRSS:
    """Peak RSS of this process and of each of its descendant processes, sampled in a thread."""

    def __init__(self, every: float = 0.2):
        self.every, self.peaks, self._stop = every, {}, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            for proc in [me, *me.children(recursive=True)]:
                try:
                    rss = proc.memory_info().rss
                    name = " ".join(proc.cmdline()[-3:])
                except psutil.Error:
                    continue
                old = self.peaks.get(proc.pid, (0, name))[0]
                self.peaks[proc.pid] = (max(old, rss), name)
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def timed_run(real: Path, out: Path, spec, size: int) -> tuple[float, dict]:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        manifest = pipeline.run(real, out, scheduler_spec=spec, partition_size=size)
    return time.perf_counter() - start, manifest


def connect(args):
    """``(client, cluster or None, label)``: a LocalCluster of ``--workers`` single-threaded
    worker processes, or the running cluster at ``--scheduler``."""
    if args.scheduler:
        return distributed.Client(args.scheduler), None, args.scheduler
    cluster = distributed.LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    return distributed.Client(cluster), cluster, f"LocalCluster({args.workers} worker processes)"


def _own_rss() -> int:
    return psutil.Process().memory_info().rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", type=Path, default=saudinewsnet_path())
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partition-size", type=int, default=pipeline.DEFAULT_PARTITION_SIZE)
    parser.add_argument("--repeats", type=int, default=1, help="alternating runs of each")
    parser.add_argument("--scheduler", help="a running cluster's address instead of a LocalCluster")
    args = parser.parse_args()
    if not args.real.exists():
        raise SystemExit(f"{args.real}: not found; pass --real PATH to SaudiNewsNet 2015")
    size, times = args.partition_size, {"cluster": [], "in_process": []}
    worker_peaks: dict[int, int] = {}
    in_peak = client_peak = 0
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        client, cluster, label = connect(args)
        startup = time.perf_counter() - started
        pids = client.run(os.getpid)
        try:
            for _ in range(args.repeats):  # the cluster first: the client stays small
                with PeakRSS() as watch:
                    seconds, cl_manifest = timed_run(args.real, tmp / "cluster", client, size)
                times["cluster"].append(seconds)
                print(f"{label}: {seconds:.1f} s")
                remote = client.run(_own_rss)  # a real cluster's workers are not our children
                for addr, pid in pids.items():
                    peak = watch.peaks.get(pid, (remote[addr], ""))[0]
                    worker_peaks[pid] = max(worker_peaks.get(pid, 0), peak)
                client_peak = max(client_peak, watch.peaks[os.getpid()][0])
                with PeakRSS() as watch:
                    seconds, in_manifest = timed_run(args.real, tmp / "in", None, size)
                times["in_process"].append(seconds)
                print(f"in process: {seconds:.1f} s")
                in_peak = max(in_peak, watch.peaks[os.getpid()][0])
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        same = in_manifest["counts"] == cl_manifest["counts"] and all(
            corpus.read_batch(tmp / "in", t).equals(corpus.read_batch(tmp / "cluster", t))
            for t in (*pipeline.PART_TABLES, "corpus_frame_rates", "document_frequencies")
        )
        sizes = corpus.read_batch(tmp / "in", "articles")["text"].str.encode("utf-8").str.len()
        text_mb = float(sizes.sum()) / 1e6
        doc_freqs_mb = (tmp / "in" / pipeline.DOC_FREQS).stat().st_size / 1e6
    cluster_s, in_s = statistics.median(times["cluster"]), statistics.median(times["in_process"])
    results = {
        "corpus": args.real.name,
        "articles": in_manifest["counts"]["articles"],
        "records": in_manifest["counts"]["records"],
        "text_mb": round(text_mb, 1),
        "terms": in_manifest["counts"]["terms"],
        "document_frequencies_parquet_mb": round(doc_freqs_mb, 1),
        "partition_size": size,
        "partitions": len(in_manifest["partitions"]),
        "cluster": label,
        "cluster_startup_s": round(startup, 1),
        "in_process_s": round(in_s, 1),
        "cluster_s": round(cluster_s, 1),
        "in_process_runs_s": [round(t, 1) for t in times["in_process"]],
        "cluster_runs_s": [round(t, 1) for t in times["cluster"]],
        "ratio_cluster_to_in_process": round(cluster_s / in_s, 3),
        "in_process_peak_rss_gb": round(in_peak / GB, 2),
        "client_peak_rss_gb_during_cluster_run": round(client_peak / GB, 2),
        "worker_peak_rss_gb": sorted(round(v / GB, 2) for v in worker_peaks.values()),
        "tables_equal": bool(same),
        "cpus": len(os.sched_getaffinity(0)),
        "load_average_1min_at_end": round(os.getloadavg()[0], 1),
        "python": platform.python_version(),
        "dask": dask.__version__,
        "distributed": distributed.__version__,
        "pandas": pd.__version__,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
