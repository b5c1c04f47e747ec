"""Every folded solution runs after its notebook and shows a result (issue 19 item 3).

Each lesson notebook is executed once on the seed articles with its solutions appended as
code cells, in the same kernel, as a learner would paste them after *Run All*. A solution
passes when it raises nothing and shows something: printed text, a displayed object or a
figure. The exercise parser itself has fast tests here too.
"""

from __future__ import annotations

import functools
import re

import nbformat
import pytest

from helpers.paths import NOTEBOOKS_DIR
from teaching.exercises import (
    all_exercises,
    notebook_exercises,
    parse_exercises,
    your_turn_markdown,
)

EXERCISES = [e for e in all_exercises() if e.code]
SHOWN = {"stream", "display_data", "execute_result"}


@functools.cache
def executed(stem: str):
    """The notebook ``stem`` run with its solutions appended; {number: outputs} of those."""
    from nbclient import NotebookClient

    path = NOTEBOOKS_DIR / f"{stem}.ipynb"
    nb = nbformat.read(path, as_version=4)
    first_solution = len(nb.cells)
    exercises = [e for e in notebook_exercises(path) if e.code]
    nb.cells += [nbformat.v4.new_code_cell(e.code) for e in exercises]
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    client.execute()
    notebook_errors = [
        o
        for c in nb.cells[:first_solution]
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not notebook_errors, f"{stem} fails before its solutions: {notebook_errors[0].ename}"
    solved = nb.cells[first_solution:]
    return {e.number: c.outputs for e, c in zip(exercises, solved, strict=True)}


@pytest.mark.slow
@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.label for e in EXERCISES])
class TestSolutionsRun:
    def test_solution_raises_no_error(self, exercise):
        errors = [o for o in executed(exercise.notebook)[exercise.number] if "ename" in o]
        assert not errors, f"{errors[0].ename}: {errors[0].evalue}"

    def test_solution_shows_a_result(self, exercise):
        outputs = executed(exercise.notebook)[exercise.number]
        shown = [o for o in outputs if o.output_type in SHOWN]
        text = "".join(o.get("text", "") for o in shown if o.output_type == "stream")
        assert shown and (text.strip() or any(o.output_type != "stream" for o in shown))


class TestParseExercises:
    MARKDOWN = """
1. **First.** Do it.
2. *(optional)* **Second.** Do more,
   on two lines.

<details><summary>Solution 2</summary>

```python
print(2)
```
Because.
</details>

<details><summary>Solution 1</summary>

```python
print(1)
```
</details>
"""

    def test_items_are_numbered_in_order(self):
        assert [e.number for e in parse_exercises(self.MARKDOWN)] == [1, 2]

    def test_optional_label_is_read_and_removed_from_the_text(self):
        second = parse_exercises(self.MARKDOWN)[1]
        assert second.optional and second.text == "**Second.** Do more, on two lines."

    def test_numbered_solutions_are_matched_by_number_not_order(self):
        assert [e.code for e in parse_exercises(self.MARKDOWN)] == ["print(1)", "print(2)"]

    def test_solution_text_is_not_part_of_the_exercise(self):
        assert all("Because" not in e.text for e in parse_exercises(self.MARKDOWN))

    def test_every_lesson_notebook_has_exercises_with_code_solutions(self):
        stems = {e.notebook for e in EXERCISES}
        assert stems == {p.stem for p in NOTEBOOKS_DIR.glob("0[1-9]-*.ipynb")}

    def test_every_exercise_has_a_solution(self):
        missing = [e.label for e in all_exercises() if not e.solution]
        assert not missing, "add a <details><summary>Solution N</summary> block"

    @pytest.mark.parametrize("stem", sorted({e.notebook for e in EXERCISES}))
    def test_solutions_are_numbered_one_to_n_like_the_exercises(self, stem):
        nb = nbformat.read(NOTEBOOKS_DIR / f"{stem}.ipynb", as_version=4)
        summaries = re.findall(r"<summary>([^<]*)</summary>", your_turn_markdown(nb))
        numbers = [e.number for e in notebook_exercises(NOTEBOOKS_DIR / f"{stem}.ipynb")]
        assert [s.strip() for s in summaries] == [f"Solution {n}" for n in numbers]
