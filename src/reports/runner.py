"""Running one notebook in a fresh kernel: watched, timed, and stopped cleanly.

nbclient executes the cells; the kernel itself is started and stopped here, not by nbclient,
so that

- a kernel that dies (killed for lack of memory, a segfault, ``os._exit``) is noticed within
  about a second: the kernel client is asyncio's, so nbclient's once-a-second liveness check
  runs while a cell waits for its reply (a blocking client waits inside ZeroMQ, for the cell's
  whole timeout or, for output, for ever);
- SIGINT and SIGTERM stop the whole job (:func:`until_stopped`, installed once on the event
  loop that runs every kernel): the running cells are cancelled, each kernel's process group
  (the kernel and whatever it started) is killed and :class:`Stopped` is raised (nbclient's
  own handlers shut the kernel down but leave the job running);
- a :class:`MemoryWatch` per kernel samples its process tree every 0.2 s, keeps its peak, and
  kills the kernel when it passes a limit, naming the cell, so a runaway notebook cannot take
  the machine down. The limit is on resident memory (RSS), not on address space
  (``RLIMIT_AS``): numpy, OpenBLAS and glibc reserve far more address space than they use.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import os
import re
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import psutil

DEFAULT_TIMEOUT = 900  # seconds per cell: generous, for a user corpus of tens of thousands
DEFAULT_MAX_MEMORY = 4 * 2**30  # bytes of RSS for a kernel and its children (--max-memory)
SAMPLE_SECONDS = 0.2
STARTUP_TIMEOUT = 60  # seconds for a new kernel to answer
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
INJECTED_TAG = "injected-parameters"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: Run in each kernel as it starts (``exec_lines``, not counted as a cell): before a write to
#: stdout is scheduled to be sent, what stderr holds is sent, and the other way round.
#: ipykernel sends each stream on a timer of its own, so a warning printed between two prints
#: could land before, between or after them depending on the load; a report must not depend on
#: that (or on ``--jobs``). It hooks ipykernel 7's ``OutStream._schedule_flush`` (``write``
#: itself is swapped by IPython during each cell); without it the streams go as before.
ORDERED_STREAMS = """\
import sys as _sys


def _reports_in_order():
    from ipykernel.iostream import OutStream

    streams = (_sys.stdout, _sys.stderr)
    schedule = getattr(OutStream, "_schedule_flush", None)
    if schedule is None or not all(isinstance(s, OutStream) for s in streams):
        return

    def schedule_in_order(self):
        for other in streams:
            if other is not self and getattr(other, "_flush_pending", False):
                other.flush()
        schedule(self)

    OutStream._schedule_flush = schedule_in_order


_reports_in_order()
del _sys, _reports_in_order
"""
_DEATHS = {
    signal.SIGKILL: "was killed by SIGKILL (as the system does when memory runs out)",
    signal.SIGSEGV: "crashed with SIGSEGV (a fault in compiled code)",
    signal.SIGABRT: "aborted (SIGABRT)",
}


class Stopped(Exception):
    """SIGINT or SIGTERM arrived while notebooks ran; their kernels have been killed.

    ``running`` holds ``(notebook, cell)`` for each notebook that was running, the cell
    numbered as JupyterLab shows it (None before the first cell, or once the kernel is done);
    the notebook is ``""`` when the caller did not name it.
    """

    def __init__(self, signum: int, running: Sequence[tuple[str, int | None]] = ()):
        self.signum, self.running = signum, list(running)
        super().__init__(signum, self.running)

    def __str__(self) -> str:
        places = []
        for notebook, cell in self.running:
            where = f"in {notebook}" if notebook else ""
            where += f" at cell {cell}" if cell else ""
            places.append(where.strip())
        where = " and ".join(p for p in places if p)
        return f"stopped by {signal.Signals(self.signum).name}" + (f" {where}" if where else "")


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its class name when it has none)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@dataclass
class CellFailure:
    """Where and how a notebook failed.

    ``cell`` counts the notebook's own cells from 1, as JupyterLab shows them (the injected
    parameters cell is not counted); ``stage`` is ``"cell"``, ``"injected parameters"``,
    ``"kernel"`` (it did not start or died outside a cell) or ``"rendering"``.
    """

    notebook: str
    cell: int | None
    ename: str
    evalue: str
    source: str = ""
    stage: str = "cell"

    def message(self) -> str:
        where = {
            "cell": f"cell {self.cell}",
            "injected parameters": "the injected parameters cell",
            "kernel": "kernel start",
            "rendering": "rendering the report",
        }.get(self.stage, self.stage)
        first = self.source.strip().splitlines()[0] if self.source.strip() else ""
        snippet = f" (`{first[:60]}`)" if first else ""
        return f"{self.notebook} failed at {where}{snippet}: {self.ename}: {self.evalue}"


@dataclass
class Execution:
    """One notebook's run in its kernel (the notebook ``nb`` holds the outputs)."""

    nb: object
    error: BaseException | None = None
    cell_index: int | None = None  # the cell running when the run stopped (index in nb.cells)
    exit_code: int | None = None  # the kernel's, when it died (negative: killed by that signal)
    peak_rss: int = 0  # bytes, the kernel and its children together, sampled
    peak_process_rss: int = 0  # bytes, the largest single process of the kernel's tree
    killed_at: int | None = None  # RSS at which the memory watch killed the kernel
    max_memory: int = 0
    injected_at: int | None = field(default=None)

    @classmethod
    def of(cls, nb, max_memory: int = DEFAULT_MAX_MEMORY) -> Execution:
        """A run of ``nb`` about to start, under a memory limit of ``max_memory`` bytes."""
        return cls(nb, max_memory=max_memory, injected_at=injected_index(nb))

    def cell(self) -> int | None:
        """The running (or last) cell's number as JupyterLab shows it; None before any."""
        if self.cell_index is None:
            return None
        return cell_number(self.cell_index, self.injected_at)


def kill_group(pgid: int | None) -> None:
    """SIGKILL to a process group; nothing if it is already gone."""
    if pgid:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


class MemoryWatch:
    """Peak resident memory of a process and its descendants, sampled in a thread.

    Over ``limit`` bytes (0: no limit) the process group ``pgid`` is killed with SIGKILL and
    ``killed_at`` keeps the size that triggered it. RSS summed over processes counts the pages
    they share (forked children) once per process, so the total errs high.
    """

    def __init__(self, pid: int, pgid: int | None, limit: int, interval: float = SAMPLE_SECONDS):
        self.root = psutil.Process(pid)
        self.pgid, self.limit, self.interval = pgid, limit, interval
        self.peak = self.peak_process = 0
        self.killed_at: int | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"memory-watch-{pid}", daemon=True)

    def __enter__(self) -> MemoryWatch:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def sample(self) -> int:
        """Measure once (and kill over the limit); returns the tree's RSS in bytes."""
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return 0
        sizes = []
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                sizes.append(proc.memory_info().rss)
        total = sum(sizes)
        self.peak = max(self.peak, total)
        self.peak_process = max(self.peak_process, *sizes, 0)
        if self.limit and total > self.limit and self.killed_at is None:
            self.killed_at = total
            kill_group(self.pgid)
        return total

    def _loop(self) -> None:
        while not self._done.wait(self.interval):
            self.sample()


@functools.cache
def _kernel_manager_class():
    """An asyncio KernelManager whose ``python3`` kernel is always this interpreter.

    A user-wide ``python3`` kernelspec could point at another Python; the reports must run on
    the project's environment. The kernel keeps stdout and stderr in the order they were
    written (:data:`ORDERED_STREAMS`).
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ThisPythonKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self):
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(
                    argv=[
                        sys.executable,
                        "-Xfrozen_modules=off",
                        "-m",
                        "ipykernel_launcher",
                        "-f",
                        "{connection_file}",
                        # ipykernel 7 warns on every start that local TCP is unencrypted
                        "--IPKernelApp.log_level=ERROR",
                        f"--IPKernelApp.exec_lines={ORDERED_STREAMS}",
                    ],
                    display_name="Python 3 (ipykernel)",
                    language="python",
                    metadata={"debugger": True},
                )
            return self._kernel_spec

    return ThisPythonKernelManager


@functools.cache
def _client_class():
    """nbclient's NotebookClient on a kernel that :func:`execute` starts and stops."""
    from nbclient import NotebookClient

    class OwnKernelClient(NotebookClient):
        @contextlib.asynccontextmanager
        async def async_setup_kernel(self, **kwargs):
            yield  # kernel and channels: set up by execute; signal handlers: until_stopped

    return OwnKernelClient


def execute_notebook(
    nb, cwd: Path, timeout: int = DEFAULT_TIMEOUT, max_memory: int = DEFAULT_MAX_MEMORY
) -> Execution:
    """Run ``nb`` in place in a fresh kernel (working folder ``cwd``) and say how it went.

    One notebook on an event loop of its own: :func:`execute` under :func:`until_stopped`.
    A failing cell, a timeout or a dead kernel end the run and are kept in
    ``Execution.error`` (outputs up to there stay in ``nb``; each cell's ``execution``
    metadata has its timestamps). SIGINT or SIGTERM kill the kernel and raise
    :class:`Stopped`. The kernel's process group is killed in every case before this returns.
    """
    run = Execution.of(nb, max_memory)
    asyncio.run(until_stopped(execute(run, cwd, timeout), lambda: [("", run.cell())]))
    return run


async def execute(run: Execution, cwd: Path, timeout: int) -> None:
    """Run ``run.nb`` in a fresh kernel on the running event loop, beside any others.

    As :func:`execute_notebook`, but installs no signal handlers: cancelling the task kills
    the kernel's process group and raises :class:`asyncio.CancelledError`.
    """
    km = _kernel_manager_class()(kernel_name="python3")
    client = _client_class()(
        run.nb,
        km=km,
        timeout=timeout,
        kernel_name="python3",
        record_timing=True,
        resources={"metadata": {"path": str(cwd)}},
        on_cell_start=lambda cell, cell_index: setattr(run, "cell_index", cell_index),
    )
    pgid = None
    try:
        await km.start_kernel(cwd=str(cwd))
        pgid = km.provisioner.pgid
        with MemoryWatch(km.provisioner.pid, pgid, run.max_memory) as watch:
            await _run_cells(run, client, km)
        run.peak_rss, run.peak_process_rss = watch.peak, watch.peak_process
        run.killed_at = watch.killed_at
    finally:
        await _stop_kernel(km, pgid)
    # nbclient turns the cancelled wait for a reply into DeadKernelError: the cancel decides
    if asyncio.current_task().cancelling():
        raise asyncio.CancelledError


T = TypeVar("T")


async def until_stopped(
    work: Awaitable[T], where: Callable[[], list[tuple[str, int | None]]] = list
) -> T:
    """Await ``work`` with SIGINT and SIGTERM handlers on this loop, in this (main) thread.

    A signal cancels ``work`` (its ``finally`` clauses kill what it started); once it has
    finished, :class:`Stopped` is raised with ``where()``: ``(notebook, cell)`` for each
    notebook that was running. The handlers are removed before this returns.
    """
    received: list[int] = []
    task = asyncio.current_task()
    _install_stop_handlers(task, received)
    try:
        result = await work
    except asyncio.CancelledError:
        if not received:
            raise
        task.uncancel()
    finally:
        _remove_stop_handlers()
    if received:
        raise Stopped(received[0], where())
    return result


def _install_stop_handlers(task: asyncio.Task, received: list[int]) -> None:
    """SIGINT/SIGTERM cancel ``task`` once (a second signal must not interrupt the cleanup)."""

    def stop(signum: int) -> None:
        if not received:
            received.append(signum)
            task.cancel()

    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop, signum)


def _remove_stop_handlers() -> None:
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.remove_signal_handler(signum)


def run_watched(argv: list[str], max_memory: int) -> tuple[int, str, int | None]:
    """Run a command in a process group of its own, under the memory watch and stop signals.

    Returns (exit status, its standard output, the RSS at which the watch killed it or None).
    SIGINT or SIGTERM kill the group and raise :class:`Stopped`.
    """
    return asyncio.run(until_stopped(_run_watched(argv, max_memory)))


async def _run_watched(argv: list[str], max_memory: int) -> tuple[int, str, int | None]:
    proc = None
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.PIPE, start_new_session=True
        )
        with MemoryWatch(proc.pid, proc.pid, max_memory) as watch:
            out, _ = await proc.communicate()
    finally:
        if proc is not None:
            kill_group(proc.pid)
    return proc.returncode, out.decode("utf-8", "replace"), watch.killed_at


async def _run_cells(run: Execution, client, km) -> None:
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    kc = km.client()
    client.kc = kc
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
        await client.async_execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as exc:
        run.error = exc
        run.exit_code = await km.provisioner.poll() if km.provisioner else None
    finally:
        kc.stop_channels()


async def _stop_kernel(km, pgid: int | None) -> None:
    """Kill the kernel now (nothing of its state is wanted) and anything it left behind."""
    try:
        if km.has_kernel:
            await km.shutdown_kernel(now=True)
    finally:
        kill_group(pgid)


# --------------------------------------------------------------------------------------------
# What a run tells: the failing cell, cell timings
# --------------------------------------------------------------------------------------------


def injected_index(nb) -> int | None:
    """Index of the injected parameters cell in ``nb.cells``, None when there is none."""
    return next(
        (i for i, c in enumerate(nb.cells) if INJECTED_TAG in c.metadata.get("tags", [])),
        None,
    )


def cell_number(index: int, injected_at: int | None) -> int | None:
    """The number JupyterLab shows for ``nb.cells[index]`` (None for the injected cell)."""
    if injected_at is None or index < injected_at:
        return index + 1
    return None if index == injected_at else index


def _gb(n: int) -> str:
    return f"{n / 2**30:.1f} GB"


def death_note(run: Execution) -> str:
    """Why the kernel is gone, in words, from its exit code or the memory watch."""
    if run.killed_at is not None:
        return (
            f"the kernel reached {_gb(run.killed_at)} of memory, over the limit of "
            f"{_gb(run.max_memory)}, and was stopped (raise it with --max-memory)"
        )
    code = run.exit_code
    if code is not None and code < 0:
        name = signal.Signals(-code)
        return "the kernel " + _DEATHS.get(name, f"was killed by {name.name}")
    if code is not None:
        return f"the kernel exited with status {code}"
    return "the kernel died"


def failure(run: Execution, name: str) -> CellFailure:
    """The failure of a run whose ``error`` is set, located at its cell."""
    from nbclient.exceptions import DeadKernelError

    nb, index, exc = run.nb, run.cell_index, run.error
    cell = nb.cells[index] if index is not None and index < len(nb.cells) else None
    ename, evalue = type(exc).__name__, first_line(exc) if str(exc) else ""
    if isinstance(exc, DeadKernelError):
        evalue = death_note(run)
    elif cell is not None:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                ename, evalue = out.get("ename", ename), out.get("evalue", evalue)
    number = None if cell is None else cell_number(index, run.injected_at)
    stage = "kernel" if cell is None else "cell" if number else "injected parameters"
    return CellFailure(
        notebook=name,
        cell=number,
        ename=ename,
        evalue=_ANSI.sub("", evalue),
        source=cell.source if cell is not None else "",
        stage=stage,
    )


def _stamp(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def cell_timings(run: Execution) -> list[dict]:
    """Seconds each executed code cell took (from nbclient's ``execution`` timestamps).

    One entry per code cell that ran, numbered as JupyterLab shows them; the cell a failed or
    stopped run ended in has ``seconds`` None when it never replied.
    """
    rows = []
    for index, cell in enumerate(run.nb.cells):
        stamps = cell.get("metadata", {}).get("execution", {})
        start = _stamp(stamps.get("iopub.execute_input"))
        number = cell_number(index, run.injected_at)
        ran = start is not None or (run.error is not None and index == run.cell_index)
        if cell.cell_type != "code" or not ran or number is None:
            continue
        end = _stamp(stamps.get("shell.execute_reply"))
        rows.append(
            {
                "cell": number,
                "first_line": (cell.source.strip().splitlines() or [""])[0][:80],
                "seconds": None
                if None in (start, end)
                else round((end - start).total_seconds(), 3),
            }
        )
    return rows
