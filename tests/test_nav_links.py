"""scripts/nav_links.py writes previous / start-here / next links and is safe to re-run."""

from __future__ import annotations

import importlib.util

import nbformat
import pytest

from helpers.paths import PROJECT_ROOT

_spec = importlib.util.spec_from_file_location(
    "nav_links", PROJECT_ROOT / "scripts" / "nav_links.py"
)
nav_links = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nav_links)

TITLES = {
    "00-start-here": "00 · Start here",
    "01-load-corpus": "01 · Load the corpus",
    "02-clean-arabic": "02 · Clean Arabic text",
}


@pytest.fixture
def notebooks(tmp_path):
    for stem, title in TITLES.items():
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_markdown_cell(f"# {title}\n\nPurpose."),
            nbformat.v4.new_code_cell("x = 1"),
        ]
        nbformat.write(nb, tmp_path / f"{stem}.ipynb")
    (tmp_path / "notes.ipynb").write_text("{}", encoding="utf-8")  # not a lesson: ignored
    return tmp_path


def _last(path):
    return nbformat.read(path, as_version=4).cells[-1]


class TestUpdate:
    def test_middle_notebook_links_previous_start_and_next_with_their_titles(self, notebooks):
        nav_links.update(notebooks)
        source = _last(notebooks / "01-load-corpus.ipynb").source
        assert "[← 00 · Start here](00-start-here.ipynb)" in source
        assert "[Start here](00-start-here.ipynb)" in source
        assert "[02 · Clean Arabic text →](02-clean-arabic.ipynb)" in source

    def test_first_notebook_has_no_previous_link_and_no_link_to_itself(self, notebooks):
        nav_links.update(notebooks)
        source = _last(notebooks / "00-start-here.ipynb").source
        assert "←" not in source and "(00-start-here.ipynb)" not in source

    def test_last_notebook_has_no_next_link(self, notebooks):
        nav_links.update(notebooks)
        assert "→" not in _last(notebooks / "02-clean-arabic.ipynb").source

    def test_second_run_changes_nothing(self, notebooks):
        nav_links.update(notebooks)
        before = {p.name: p.read_bytes() for p in notebooks.glob("*.ipynb")}
        assert nav_links.update(notebooks) == []
        assert before == {p.name: p.read_bytes() for p in notebooks.glob("*.ipynb")}

    def test_renamed_title_updates_the_neighbours_cell_in_place(self, notebooks):
        nav_links.update(notebooks)
        path = notebooks / "02-clean-arabic.ipynb"
        nb = nbformat.read(path, as_version=4)
        nb.cells[0].source = "# 02 · Normalise Arabic\n\nPurpose."
        nbformat.write(nb, path)
        nav_links.update(notebooks)
        cells = nbformat.read(notebooks / "01-load-corpus.ipynb", as_version=4).cells
        assert "[02 · Normalise Arabic →]" in cells[-1].source
        assert sum(nav_links.is_nav_cell(c) for c in cells) == 1

    def test_a_nav_cell_moved_up_is_put_back_last(self, notebooks):
        nav_links.update(notebooks)
        path = notebooks / "01-load-corpus.ipynb"
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(0, nb.cells.pop())
        nbformat.write(nb, path)
        nav_links.update(notebooks)
        cells = nbformat.read(path, as_version=4).cells
        assert nav_links.is_nav_cell(cells[-1]) and not nav_links.is_nav_cell(cells[0])

    def test_check_mode_reports_without_writing(self, notebooks):
        before = (notebooks / "01-load-corpus.ipynb").read_bytes()
        assert nav_links.main([str(notebooks), "--check"]) == 1
        assert (notebooks / "01-load-corpus.ipynb").read_bytes() == before


class TestNotebookTitle:
    def test_falls_back_when_the_first_markdown_cell_has_no_heading(self):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("no heading")])
        assert nav_links.notebook_title(nb, "fallback") == "fallback"
