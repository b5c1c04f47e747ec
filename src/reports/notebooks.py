"""Finding the notebooks, where their reports go, and the ``CORPUS`` parameter cell."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from pathlib import Path

from helpers import paths

#: ``NN-verb-object.ipynb``: two digits, then kebab-case words (docs/notebook-conventions.md).
NOTEBOOK_NAME = re.compile(r"^(?P<number>\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.ipynb$")
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"


class ReportsError(RuntimeError):
    """A problem with the command's arguments (bad corpus path, unknown notebook number)."""


def list_notebooks(
    notebooks_dir: Path | None = None, only: Iterable[str] | None = None
) -> list[Path]:
    """The ``NN-name.ipynb`` notebooks of a folder in number order, optionally only some numbers.

    ``only`` takes numbers (``"3"``, ``"03"``) or names (``"03-tfidf-compare"``).
    Files that do not follow the naming scheme are ignored.
    """
    notebooks_dir = Path(notebooks_dir or paths.NOTEBOOKS_DIR)
    found = sorted(p for p in notebooks_dir.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))
    if only is None:
        return found
    wanted = {w.strip().removesuffix(".ipynb") for w in only}
    picked = [
        p
        for p in found
        if p.stem in wanted
        or NOTEBOOK_NAME.match(p.name)["number"] in {w.zfill(2) for w in wanted if w.isdigit()}
    ]
    known = {p.stem for p in picked} | {p.stem[:2] for p in picked}
    missing = sorted(w for w in wanted if w not in known and w.zfill(2) not in known)
    if missing:
        names = ", ".join(p.stem for p in found) or "none"
        raise ReportsError(
            f"no notebook {', '.join(missing)} in {notebooks_dir}; available: {names}"
        )
    return picked


def report_dir(
    corpus: str | Path | None, out_root: Path | None = None, reference: str | Path | None = None
) -> Path:
    """Where a corpus's reports go: the root for the seeds, ``<root>/<corpus-slug>/`` otherwise,
    and a ``vs-<reference-slug>/`` folder inside that for a run against a reference corpus.

    >>> report_dir(None, Path("/r")).as_posix()
    '/r'
    >>> report_dir("/x/Wire 2022.csv", Path("/r")).as_posix().startswith("/r/wire-2022-")
    True
    >>> report_dir(None, Path("/r"), reference="/x/news.jsonl").as_posix().startswith("/r/vs-news-")
    True

    The slug ends in a hash of the corpus's path (:func:`helpers.paths.corpus_slug`), so it
    never collides with another corpus or with a folder of the reports (``screenshots``).
    """
    root = Path(out_root or paths.REPORTS_DIR)
    base = root if corpus is None else root / paths.corpus_slug(corpus)
    return base if reference is None else base / f"vs-{paths.corpus_slug(reference)}"


def inject_parameters(nb, corpus: str | Path | None, reference: str | Path | None = None):
    """Return a copy of ``nb`` with a cell setting ``CORPUS`` after its ``parameters`` cell.

    The new cell is tagged ``injected-parameters`` (papermill's convention); one left from an
    earlier run is replaced. A ``reference`` corpus sets ``REFERENCE`` in the same cell (read
    by notebook 03's keyness against a reference). With neither, or a notebook without a
    ``parameters`` cell (it does not read ``CORPUS``), the copy is unchanged.
    """
    import nbformat

    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]
    if corpus is None and reference is None:
        return nb
    where = next(
        (
            i
            for i, c in enumerate(nb.cells)
            if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])
        ),
        None,
    )
    if where is None:
        return nb
    lines = ["# Parameters (injected by reports)"]
    for name, value in (("CORPUS", corpus), ("REFERENCE", reference)):
        if value is not None:
            lines.append(f"{name} = {str(Path(value).resolve())!r}")
    cell = nbformat.v4.new_code_cell("\n".join(lines) + "\n", metadata={"tags": [INJECTED_TAG]})
    nb.cells.insert(where + 1, cell)
    return nb


def notebook_heading(nb) -> tuple[str, str]:
    """(title, one-line purpose) from a notebook's first markdown cell.

    The title is the first ``#`` heading; the purpose the first plain line after it.
    """
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first is None:
        return "", ""
    title, purpose = "", ""
    for line in first.source.splitlines():
        text = line.strip()
        if not text:
            continue
        if text.startswith("#"):
            title = title or text.lstrip("#").strip()
        elif not purpose and not text.startswith(("-", "*", ">", "<", "|")):
            purpose = re.sub(r"[*_`]", "", text)
    return title, purpose
