"""Which notebook must wait for which, and running several at once in one event loop.

A notebook that reads what another one writes says so in its metadata, by the other's name::

    "metadata": {"reports": {"after": ["01-load-corpus", "04-frame-discourse"]}}

(``05-timeline`` reads the frame hits that ``04-frame-discourse`` keeps, and both read the
corpus that ``01-load-corpus`` keeps.) The job starts a notebook only once every notebook it
runs after has finished, whether it succeeded or not; otherwise notebooks start in number
order, as many at once as the job allows. A name that is not a notebook of the folder, or
notebooks that wait for each other in a cycle, stop the job before anything runs.
"""

from __future__ import annotations

import asyncio
import graphlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path

from reports.notebooks import ReportsError

METADATA_KEY = "reports"
AFTER_KEY = "after"
_WHERE = f"metadata {METADATA_KEY}.{AFTER_KEY}"


def declared_after(path: Path) -> tuple[str, ...]:
    """The notebooks ``path`` says it runs after, as names without ``.ipynb``.

    A wrongly shaped entry (not a list of names) is a :class:`ReportsError` naming the file.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    after = nb.metadata.get(METADATA_KEY, {}).get(AFTER_KEY, [])
    if not isinstance(after, list) or not all(isinstance(n, str) for n in after):
        raise ReportsError(
            f"{path.name}: {_WHERE} must be a list of notebook names, "
            f'e.g. ["01-load-corpus"]; it is {after!r}'
        )
    return tuple(n.removesuffix(".ipynb") for n in after)


def prerequisites(every: Iterable[Path], selected: Iterable[Path]) -> dict[str, tuple[str, ...]]:
    """``{name: the selected notebooks it runs after}`` for each selected notebook.

    Every notebook of the folder (``every``) is checked, so a mistake is found whichever
    notebooks a run selects; a prerequisite that the run does not select is not waited for.
    Raises :class:`ReportsError` for a name that is not a notebook of the folder, and for
    notebooks that run after each other in a cycle.
    """
    every = list(every)
    names = {p.stem for p in every}
    after = {p.stem: declared_after(p) for p in every}
    for path in every:
        unknown = [n for n in after[path.stem] if n not in names]
        if unknown:
            raise ReportsError(
                f"{path.name} runs after {', '.join(unknown)} ({_WHERE}), but there is no such "
                f"notebook in {path.parent}; available: {', '.join(sorted(names))}"
            )
    try:
        graphlib.TopologicalSorter(after).prepare()
    except graphlib.CycleError as exc:
        cycle = " runs after ".join(f"{n}.ipynb" for n in reversed(exc.args[1]))
        raise ReportsError(
            f"notebooks wait for each other in a cycle: {cycle} ({_WHERE}); "
            "remove one of these names"
        ) from None
    chosen = {p.stem for p in selected}
    return {n: tuple(m for m in after[n] if m in chosen) for n in sorted(chosen)}


async def run_in_order(
    after: Mapping[str, Iterable[str]], jobs: int, start: Callable[[str], Awaitable[object]]
) -> None:
    """Await ``start(name)`` for every name of ``after``, up to ``jobs`` at once.

    A name starts once all the names it runs after have finished; among the names that may
    start, the lowest (in number order) goes first. An exception from one ends the run and is
    raised here; whatever else is running is cancelled and awaited first, as it is when this
    coroutine itself is cancelled.
    """
    order = graphlib.TopologicalSorter(after)
    order.prepare()
    ready: list[str] = []
    running: dict[asyncio.Task, str] = {}
    try:
        while order.is_active():
            ready = sorted({*ready, *order.get_ready()})
            while ready and len(running) < jobs:
                name = ready.pop(0)
                running[asyncio.create_task(start(name), name=name)] = name
            finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in sorted(finished, key=running.__getitem__):
                order.done(running.pop(task))
                task.result()  # raises what the notebook's coroutine raised
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
