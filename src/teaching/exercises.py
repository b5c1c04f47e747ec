"""The "Your turn" exercises of the notebooks, read from the notebooks themselves.

A lesson notebook closes with a ``## Your turn`` section: a numbered list of exercises, each
solution folded in ``<details><summary>Solution N</summary> … </details>`` with its code in a
fenced ``python`` block (docs/notebook-conventions.md). An exercise whose text starts with
``*(optional)*`` is not on the 90-minute core path (docs/teaching.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

OPTIONAL = "*(optional)*"
_YOUR_TURN = re.compile(r"^## Your turn", re.MULTILINE)
_SOLUTION = re.compile(
    r"<details>\s*<summary>\s*Solution(?:\s+(\d+))?\s*</summary>(.*?)</details>", re.DOTALL
)
_ITEM = re.compile(r"^(\d+)\.\s+(.*?)(?=^\d+\.\s|\Z)", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"```python\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Exercise:
    """One exercise of a notebook's "Your turn" section."""

    notebook: str  # the notebook's file stem, e.g. "03-tfidf-compare"
    number: int
    text: str  # markdown, without its number and without the optional label
    optional: bool
    solution: str  # markdown of the folded solution ("" when there is none)

    @property
    def code(self) -> str:
        """The solution's python blocks, joined in order."""
        return "\n".join(block.strip() for block in _CODE.findall(self.solution))

    @property
    def label(self) -> str:
        """``"03 · Exercise 1"``."""
        return f"{self.notebook[:2]} · Exercise {self.number}"


def your_turn_markdown(nb) -> str:
    """The markdown of the "Your turn" section: from its heading to the navigation cell."""
    cells = nb.cells
    start = next((i for i, c in enumerate(cells) if _YOUR_TURN.search(c.source)), None)
    if start is None:
        return ""
    parts = []
    for cell in cells[start:]:
        if cell.cell_type != "markdown" or "nav" in cell.metadata.get("tags", []):
            continue
        parts.append(_YOUR_TURN.split(cell.source, maxsplit=1)[-1])
    return "\n\n".join(parts)


def parse_exercises(markdown: str, notebook: str = "") -> list[Exercise]:
    """Exercises of a "Your turn" section, each with its solution.

    A solution is matched by its number (``Solution 2``), or, unnumbered, by its order.

    >>> md = '''1. *(optional)* **Two.** Add 1 and 1.
    ...
    ... <details><summary>Solution 1</summary>
    ...
    ... ```python
    ... print(1 + 1)
    ... ```
    ... </details>'''
    >>> [(e.number, e.optional, e.text, e.code) for e in parse_exercises(md)]
    [(1, True, '**Two.** Add 1 and 1.', 'print(1 + 1)')]
    """
    solutions = _SOLUTION.findall(markdown)
    numbered = {int(n): body.strip() for n, body in solutions if n}
    in_order = [body.strip() for _, body in solutions]
    prose = _SOLUTION.sub("", markdown)
    exercises = []
    for i, (number, text) in enumerate(_ITEM.findall(prose)):
        text = " ".join(line.strip() for line in text.strip().splitlines())
        optional = text.startswith(OPTIONAL)
        fallback = in_order[i] if i < len(in_order) else ""
        exercises.append(
            Exercise(
                notebook=notebook,
                number=int(number),
                text=text.removeprefix(OPTIONAL).strip(),
                optional=optional,
                solution=numbered.get(int(number), fallback),
            )
        )
    return exercises


def notebook_exercises(path: str | Path) -> list[Exercise]:
    """The exercises of one notebook file."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    return parse_exercises(your_turn_markdown(nb), notebook=path.stem)


def all_exercises(notebooks_dir: str | Path | None = None) -> list[Exercise]:
    """The exercises of every ``NN-name.ipynb`` notebook, in notebook order."""
    from helpers.paths import NOTEBOOKS_DIR

    folder = Path(notebooks_dir or NOTEBOOKS_DIR)
    return [e for p in sorted(folder.glob("[0-9][0-9]-*.ipynb")) for e in notebook_exercises(p)]
