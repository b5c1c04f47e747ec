"""The main job: every notebook on a corpus, one fresh kernel each, then index and glossary.

Up to ``jobs`` notebooks run at once, each in its own kernel (a process), all driven from one
asyncio event loop in this thread. A notebook starts once the notebooks it runs after have
finished, declared in its metadata as ``{"reports": {"after": ["01-load-corpus"]}}`` (see
:mod:`reports.schedule`), and otherwise in number order. A notebook whose prerequisite failed
still runs: every notebook can load the corpus from its source, and its own report says more
than a skip would; the prerequisite's failure is on record. The reports do not depend on how
many run at once: results, ``timings.json`` and the index are in number order.

A failing cell, a dead kernel or a kernel over the memory limit does not stop the job: the
failure is printed at once in one line (notebook, cell number and first line, error), the
partly executed notebook is saved next to the reports as ``NN-name.failed.ipynb`` (an old
report of it is removed) and the other notebooks go on. SIGINT or SIGTERM stop the job: every
running kernel is killed and :class:`reports.runner.Stopped` is raised, naming the notebooks
and cells that were running. Reports are rendered (nbconvert, seconds of CPU each) in one
thread beside the event loop, so the kernels still running are served meanwhile.

Besides the HTML, every run writes ``timings.json`` into its report folder: per notebook the
wall time, the kernel's peak memory and each code cell's seconds, and the job's own peak
memory (``benchmarks/bench_reports.py`` reads it).
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from helpers import paths
from reports.check import check_corpus
from reports.glossary import write_glossary
from reports.notebooks import ReportsError, inject_parameters, list_notebooks, report_dir
from reports.pages import exporter, render_report, write_index
from reports.repro import reproducibility
from reports.runner import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    CellFailure,
    Execution,
    cell_timings,
    execute,
    failure,
    first_line,
    until_stopped,
)
from reports.schedule import prerequisites, run_in_order
from teaching.materials import write_materials

TIMINGS_NAME = "timings.json"


@dataclass
class NotebookResult:
    """One notebook's run: its report (None when it failed), wall time, memory, cell times."""

    notebook: Path
    report: Path | None
    seconds: float
    failure: CellFailure | None = None
    peak_rss: int = 0  # bytes, the kernel and its children, sampled every 0.2 s
    peak_process_rss: int = 0  # bytes, the largest single process among them
    cells: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass
class RunResult:
    """What :func:`run` did: the output folder, one result per notebook, index and glossary."""

    out_dir: Path
    corpus: Path | None
    notebooks: list[NotebookResult] = field(default_factory=list)
    index: Path | None = None
    glossary: Path | None = None
    timings: Path | None = None
    seconds: float = 0.0
    check_seconds: float = 0.0  # loading the corpus once before the notebooks

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.notebooks)

    @property
    def failures(self) -> list[CellFailure]:
        return [r.failure for r in self.notebooks if r.failure is not None]


@dataclass
class _Plan:
    """What every notebook of one run shares."""

    corpus: Path | None
    reference: Path | None
    notebooks_dir: Path
    out: Path
    stems: set[str]
    repro: dict
    timeout: int
    max_memory: int
    n_articles: int | None
    check_seconds: float
    after: dict[str, tuple[str, ...]]  # each selected notebook: the selected ones it waits for
    jobs: int


@dataclass
class _InFlight:
    """One run's notebooks as they go: the thread that renders, and the notebooks running now.

    ``running`` maps a notebook's file name to its kernel's run while the kernel runs, to None
    before the kernel starts and while its report is rendered.
    """

    renderer: ThreadPoolExecutor
    running: dict[str, Execution | None] = field(default_factory=dict)

    def where(self) -> list[tuple[str, int | None]]:
        """``(notebook, cell)`` of each notebook running now, in number order."""
        return [(name, run.cell() if run else None) for name, run in sorted(self.running.items())]


def default_jobs(max_memory: int) -> int:
    """How many notebooks to run at once: one per CPU this process may use, fewer when that
    many kernels at ``max_memory`` bytes each would not fit in the memory available now; at
    least one."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    jobs = cpus or 1
    if max_memory:
        jobs = min(jobs, psutil.virtual_memory().available // max_memory)
    return max(1, jobs)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(
    corpus: str | Path | None = None,
    only: Iterable[str] | None = None,
    reference: str | Path | None = None,
    out_dir: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    max_memory: int = DEFAULT_MAX_MEMORY,
    jobs: int | None = None,
    log: Callable[[str], None] | None = print,
    errors: Callable[[str], None] | None = _stderr,
) -> RunResult:
    """Execute the notebooks on a corpus and write their reports, index and glossary.

    Parameters
    ----------
    corpus : path, optional
        A folder of ``.txt`` files or a CSV/JSONL file; None = the seed articles.
    only : numbers or names, optional
        Run only these notebooks (e.g. ``["01", "03"]``); the index still lists all.
    reference : path, optional
        A second corpus, set as ``REFERENCE`` for notebook 03's keyness against a reference
        corpus; checked before running like ``corpus``. Reports go to a ``vs-<reference>/``
        folder inside the corpus's, so they never replace the run without a reference.
    out_dir : path, optional
        Root of the reports (default ``reports/``). A user corpus writes to
        ``<out_dir>/<corpus-slug>/``, never over the seed reports.
    notebooks_dir : path, optional
        Where the notebooks are (default ``notebooks/``); also the kernels' working folder.
    timeout : int
        Seconds any one cell may take.
    max_memory : int
        Bytes of resident memory a kernel (with its children) may use before it is killed;
        0 for no limit.
    jobs : int, optional
        How many notebooks may run at once, each in its own kernel; None for
        :func:`default_jobs` (one per CPU, as many as fit in the memory available at
        ``max_memory`` each). The reports are the same for any number.
    log, errors : callable, optional
        Receive one progress line per notebook as it finishes, and one line per failure as it
        happens; None for silence.

    Returns
    -------
    RunResult
        Check ``.ok`` and ``.failures``. Raises :class:`ReportsError` when the arguments are
        wrong, the notebooks' order cannot be met (an unknown name or a cycle in their
        ``reports.after`` metadata) or the corpus loads to nothing (all checked before any
        notebook starts), and :class:`reports.runner.Stopped` on SIGINT or SIGTERM
        (``timings.json`` is written first, with the notebooks that had finished).
    """
    started = time.perf_counter()
    say = log or (lambda _msg: None)
    plan, every, selected = _prepare(
        corpus, only, out_dir, notebooks_dir, timeout, max_memory, reference, jobs
    )
    result = RunResult(out_dir=plan.out, corpus=plan.corpus, check_seconds=plan.check_seconds)
    loaded = f" ({plan.n_articles:,} articles)" if plan.n_articles is not None else ""
    say(
        f"reports: {len(selected)} notebook(s), up to {plan.jobs} at once, on "
        f"{plan.repro['corpus']}{loaded} -> {plan.out}"
    )
    finished: dict[Path, NotebookResult] = {}
    try:
        _run_notebooks(selected, plan, finished, functools.partial(_tell, plan.out, say, errors))
    finally:  # also when stopped: what ran is on record, in number order
        result.notebooks = [finished[p] for p in selected if p in finished]
        result.seconds = time.perf_counter() - started
        result.timings = write_timings(plan.out, result)
    _write_pages(result, plan, every)
    result.seconds = time.perf_counter() - started
    result.timings = write_timings(plan.out, result)
    n_ok = sum(r.ok for r in result.notebooks)
    say(
        f"reports: {n_ok}/{len(result.notebooks)} notebooks ok in "
        f"{result.seconds:.1f} s; open {result.index}"
    )
    return result


def _write_pages(result: RunResult, plan: _Plan, every: list[Path]) -> None:
    """The index and the glossary, and for the seeds the class materials."""
    result.index = write_index(plan.out, every, result.notebooks, plan.repro)
    result.glossary = write_glossary(plan.out, plan.repro)
    if plan.corpus is None and plan.reference is None:  # the class materials come from the seeds
        write_materials(plan.out / "materials")


def _tell(out: Path, say: Callable[[str], None], errors, this: NotebookResult) -> None:
    """The progress line of a finished notebook, and its failure's line to ``errors``."""
    if this.failure is not None and errors is not None:
        errors(f"reports: {this.failure.message()}")
    shown = this.report.relative_to(out.parent) if this.report else "failed"
    status = "ok" if this.ok else "FAILED"
    say(f"  {this.notebook.stem:<28} {status:<6} {this.seconds:7.1f} s  {shown}")


def _run_notebooks(
    selected: list[Path],
    plan: _Plan,
    finished: dict[Path, NotebookResult],
    tell: Callable[[NotebookResult], None],
) -> None:
    """Run the notebooks, up to ``plan.jobs`` at once on one event loop; each result goes into
    ``finished`` and to ``tell`` as it comes. Reports are rendered one at a time in a thread of
    their own."""
    _import_kernel_machinery()
    by_name = {p.stem: p for p in selected}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reports-render") as renderer:
        # nbconvert's exporter takes seconds to set up: built while the first kernels run
        renderer.submit(exporter)
        flight = _InFlight(renderer)

        async def one(name: str) -> None:
            this = finished[by_name[name]] = await _run_one(by_name[name], plan, flight)
            tell(this)

        asyncio.run(until_stopped(run_in_order(plan.after, plan.jobs, one), flight.where))


def _import_kernel_machinery() -> None:
    """Import what running a kernel needs, on this thread, before nbconvert warms up in another.

    Both import jupyter_client; two threads importing one package at once can trip Python's
    import deadlock detection (``_DeadlockError``, or a half-initialised module and an
    ``ImportError``), which once failed a whole run.
    """
    import jupyter_client.kernelspec
    import jupyter_client.manager  # noqa: F401
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401


def _existing(path, what: str) -> Path | None:
    if path is None:
        return None
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise ReportsError(
            f"{what} {path} does not exist: give a folder of .txt files or a .csv/.jsonl file"
        )
    return path


def _prepare(corpus, only, out_dir, notebooks_dir, timeout, max_memory, reference=None, jobs=None):
    """Check the arguments, the notebooks' order and the corpus; gather what the run shares.

    Returns (plan, every notebook of the folder, the selected ones).
    """
    if jobs is not None and jobs < 1:
        raise ReportsError(f"jobs must be 1 or more (got {jobs})")
    corpus, reference = _existing(corpus, "corpus"), _existing(reference, "reference corpus")
    notebooks_dir = Path(notebooks_dir or paths.NOTEBOOKS_DIR).resolve()
    every = list_notebooks(notebooks_dir)
    selected = list_notebooks(notebooks_dir, only)
    if not selected:
        raise ReportsError(f"no NN-name.ipynb notebooks in {notebooks_dir}")
    after = prerequisites(every, selected)
    t0 = time.perf_counter()
    n_articles = check_corpus(corpus, max_memory)  # before anything is written
    check_corpus(reference, max_memory)
    check_seconds = time.perf_counter() - t0
    out = report_dir(corpus, Path(out_dir).resolve() if out_dir else None, reference)
    out.mkdir(parents=True, exist_ok=True)
    plan = _Plan(
        corpus=corpus,
        reference=reference,
        notebooks_dir=notebooks_dir,
        out=out,
        stems={p.stem for p in every},
        repro=reproducibility(corpus, reference),
        timeout=timeout,
        max_memory=max_memory,
        n_articles=n_articles,
        check_seconds=check_seconds,
        after=after,
        jobs=default_jobs(max_memory) if jobs is None else jobs,
    )
    return plan, every, selected


async def _run_one(path: Path, plan: _Plan, flight: _InFlight) -> NotebookResult:
    """Execute one notebook and write its report (or its ``.failed.ipynb``)."""
    import nbformat

    t0 = time.perf_counter()
    nb = inject_parameters(nbformat.read(path, as_version=4), plan.corpus, plan.reference)
    result = NotebookResult(path, None, 0.0)
    flight.running[path.name] = None
    if any(c.cell_type == "code" for c in nb.cells):  # no kernel for prose-only
        await _run_kernel(nb, path.name, plan, result, flight.running)
    seconds = time.perf_counter() - t0
    page = None
    if result.failure is None:
        render = functools.partial(
            render_report, nb, path.stem, plan.notebooks_dir, plan.out, plan.stems, plan.repro
        )
        try:
            page = await asyncio.get_running_loop().run_in_executor(
                flight.renderer, render, seconds
            )
        except Exception as exc:  # a template or post-processing bug: name it, go on
            result.failure = CellFailure(
                path.name, None, type(exc).__name__, first_line(exc), stage="rendering"
            )
    result.report = _save(nb, path.stem, plan.out, page)
    result.seconds = time.perf_counter() - t0
    del flight.running[path.name]
    return result


async def _run_kernel(
    nb, name: str, plan: _Plan, result: NotebookResult, running: dict[str, Execution | None]
) -> None:
    """Run ``nb`` in a fresh kernel; its memory, cell times and failure go into ``result``."""
    run = running[name] = Execution.of(nb, plan.max_memory)
    try:
        await execute(run, plan.notebooks_dir, plan.timeout)
    except OSError as exc:  # the kernel could not be started
        result.failure = CellFailure(
            name, None, type(exc).__name__, first_line(exc), stage="kernel"
        )
    else:
        result.peak_rss, result.peak_process_rss = run.peak_rss, run.peak_process_rss
        result.cells = cell_timings(run)
        if run.error is not None:
            result.failure = failure(run, name)
    running[name] = None  # the kernel is gone; the report comes next


def _save(nb, name: str, out: Path, page: str | None) -> Path | None:
    """Write the report, or (``page`` None) the partly executed notebook; never both."""
    import nbformat

    report, failed = out / f"{name}.html", out / f"{name}.failed.ipynb"
    if page is not None:
        report.write_text(page, encoding="utf-8")
        failed.unlink(missing_ok=True)
        return report
    report.unlink(missing_ok=True)  # nothing stale reaches a reader
    nbformat.write(nb, failed)
    return None


def write_timings(out: Path, result: RunResult) -> Path:
    """``timings.json``: seconds and peak memory (bytes) per notebook, seconds per cell, and
    the seconds of the whole run and of its corpus check."""
    data = {
        "corpus": str(result.corpus) if result.corpus else None,
        "seconds": round(result.seconds, 3),
        "check_seconds": round(result.check_seconds, 3),
        # ru_maxrss is in kilobytes on Linux
        "job_peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "notebooks": [
            {
                "notebook": r.notebook.name,
                "ok": r.ok,
                "failure": r.failure.message() if r.failure else None,
                "seconds": round(r.seconds, 3),
                "peak_rss": r.peak_rss,
                "peak_process_rss": r.peak_process_rss,
                "cells": r.cells,
            }
            for r in result.notebooks
        ],
    }
    path = out / TIMINGS_NAME
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
