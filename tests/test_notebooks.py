"""The notebook collection follows docs/notebook-conventions.md (the mechanical rules)."""

from __future__ import annotations

import importlib.util
import re

import nbformat
import pytest

from helpers.paths import NOTEBOOKS_DIR, PROJECT_ROOT

NAME = re.compile(r"^(?P<number>\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$")
PLANNED = {"00", "01", "02", "03", "04", "05"}
OPENING_FIELDS = ("Reads", "Writes", "You will be able to", "Time")


def _load_nav_links():
    spec = importlib.util.spec_from_file_location(
        "nav_links", PROJECT_ROOT / "scripts" / "nav_links.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


nav_links = _load_nav_links()
ALL_FILES = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
NOTEBOOKS = [p for p in ALL_FILES if NAME.match(p.name)]
LESSONS = [p for p in NOTEBOOKS if not p.name.startswith("00-")]


def _read(path):
    return nbformat.read(path, as_version=4)


def _ids(paths):
    return [p.stem for p in paths]


class TestCollection:
    def test_every_notebook_file_follows_the_naming_scheme(self):
        bad = [p.name for p in ALL_FILES if not NAME.match(p.name)]
        assert not bad, f"rename to NN-verb-object.ipynb: {bad}"

    def test_no_untitled_or_draft_notebooks(self):
        bad = [
            p.name
            for p in NOTEBOOKS_DIR.rglob("*.ipynb")
            if ".ipynb_checkpoints" not in p.parts
            and re.match(r"(untitled|draft)", p.name, re.IGNORECASE)
        ]
        assert not bad

    def test_numbers_are_unique(self):
        numbers = [NAME.match(p.name)["number"] for p in NOTEBOOKS]
        assert len(numbers) == len(set(numbers))

    def test_the_planned_notebooks_00_to_05_are_there(self):
        numbers = {NAME.match(p.name)["number"] for p in NOTEBOOKS}
        assert numbers >= PLANNED, f"missing: {sorted(PLANNED - numbers)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
class TestCommittedState:
    def test_committed_without_outputs(self, path):
        with_outputs = [i for i, c in enumerate(_read(path).cells) if c.get("outputs")]
        assert not with_outputs, "strip with: python scripts/strip_outputs.py"

    def test_committed_without_execution_counts(self, path):
        counted = [
            i for i, c in enumerate(_read(path).cells) if c.get("execution_count") is not None
        ]
        assert not counted, "strip with: python scripts/strip_outputs.py"

    def test_kernel_is_python3(self, path):
        assert _read(path).metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
class TestOpening:
    def test_first_cell_is_a_markdown_title_with_the_notebook_number(self, path):
        first = _read(path).cells[0]
        number = path.name[:2]
        assert first.cell_type == "markdown"
        assert re.match(rf"# {number} · \S", first.source), first.source[:60]

    def test_title_is_followed_by_a_one_line_purpose(self, path):
        lines = [ln.strip() for ln in _read(path).cells[0].source.splitlines() if ln.strip()]
        assert len(lines) > 1 and not lines[1].startswith(("-", "#", ">"))

    @pytest.mark.parametrize("field", OPENING_FIELDS)
    def test_opening_lists_the_field(self, path, field):
        assert re.search(rf"^- \*\*{field}:\*\* \S", _read(path).cells[0].source, re.MULTILINE)


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
class TestLessonStructure:
    def test_second_cell_is_code_tagged_parameters_setting_corpus(self, path):
        cell = _read(path).cells[1]
        assert cell.cell_type == "code"
        assert "parameters" in cell.metadata.get("tags", [])
        assert re.search(r"^CORPUS\s*=\s*None\b", cell.source, re.MULTILINE)

    def test_only_one_parameters_cell(self, path):
        tagged = [c for c in _read(path).cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1

    def test_has_a_your_turn_section(self, path):
        heads = [c for c in _read(path).cells if re.search(r"^## Your turn", c.source, re.M)]
        assert heads and heads[0].cell_type == "markdown"

    def test_your_turn_has_at_least_two_folded_solutions(self, path):
        cells = _read(path).cells
        start = next(i for i, c in enumerate(cells) if re.search(r"^## Your turn", c.source, re.M))
        after = "\n".join(c.source for c in cells[start:] if c.cell_type == "markdown")
        folded = re.findall(r"<details>\s*<summary>[^<]*</summary>.+?</details>", after, re.S)
        assert len(folded) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
class TestClosing:
    def test_last_cell_is_the_generated_navigation(self, path):
        assert nav_links.is_nav_cell(_read(path).cells[-1])

    def test_exactly_one_navigation_cell(self, path):
        assert sum(nav_links.is_nav_cell(c) for c in _read(path).cells) == 1

    def test_navigation_links_point_at_existing_notebooks(self, path):
        targets = re.findall(r"\]\(([^)]+)\)", _read(path).cells[-1].source)
        assert targets and all((NOTEBOOKS_DIR / t).exists() for t in targets)


class TestNavigationIsCurrent:
    def test_running_nav_links_would_change_nothing(self):
        stale = nav_links.update(NOTEBOOKS_DIR, write=False)
        assert not stale, "run: python scripts/nav_links.py"
