"""The package's shape: small functions, and every chart in one module.

STYLE.md: past about 80 lines a function usually holds two ideas; computation returns tables
and :mod:`helpers.plots` draws them. These tests read the source with :mod:`ast`, so they
hold for every module in ``src/``, including ones added later.
"""

from __future__ import annotations

import ast
from pathlib import Path

from helpers.paths import PROJECT_ROOT

SRC = PROJECT_ROOT / "src"
MAX_FUNCTION_LINES = 80  # from the ``def`` line to the function's last line, docstring included


def functions(path: Path):
    """Every function and method in ``path``, nested ones too, as ``(name, first, last)``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node.lineno, node.end_lineno


def source_files() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


class TestFunctionLength:
    def test_the_source_tree_is_found(self):
        assert len(source_files()) > 10

    def test_no_function_in_src_is_longer_than_80_lines(self):
        long = [
            f"{path.relative_to(PROJECT_ROOT)}:{first} {name} ({last - first + 1} lines)"
            for path in source_files()
            for name, first, last in functions(path)
            if last - first + 1 > MAX_FUNCTION_LINES
        ]
        assert not long, "split these into named helpers: " + "; ".join(long)


class TestChartsLiveInPlots:
    def test_no_plot_function_is_defined_outside_helpers_plots(self):
        elsewhere = [
            f"{path.relative_to(PROJECT_ROOT)}:{first} {name}"
            for path in source_files()
            if path != SRC / "helpers" / "plots.py"
            for name, first, _ in functions(path)
            if name.startswith("plot_")
        ]
        assert not elsewhere, "move these to helpers/plots.py: " + "; ".join(elsewhere)
