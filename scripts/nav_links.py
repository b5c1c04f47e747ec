"""(Re)write the navigation cell that closes every notebook: previous, start here, next.

Usage: python scripts/nav_links.py [NOTEBOOKS_DIR] [--check]

Titles come from each notebook's first heading. The script finds its own cell by the tag
``nav`` (or the marker comment in the cell), replaces it, and keeps it last; a notebook whose
links are already right is not rewritten, so re-running changes nothing. ``--check`` writes
nothing and exits 1 when a notebook's links are missing or stale.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

NAV_TAG = "nav"
MARKER = "<!-- nav: written by scripts/nav_links.py; edits here are overwritten -->"
NAME = re.compile(r"^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$")
START = "00-start-here.ipynb"


def notebook_title(nb, fallback: str) -> str:
    """The text of the first ``#`` heading in the first markdown cell, or ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.lstrip().startswith("#"):
                return line.strip().lstrip("#").strip()
        break
    return fallback


def is_nav_cell(cell) -> bool:
    """True for a cell this script wrote (by tag, or by its marker comment)."""
    return cell.cell_type == "markdown" and (
        NAV_TAG in cell.get("metadata", {}).get("tags", []) or MARKER in cell.source
    )


def nav_source(names: list[str], titles: dict[str, str], name: str) -> str:
    """The navigation markdown for notebook ``name`` among ``names`` (sorted)."""
    i = names.index(name)
    parts = []
    if i > 0:
        prev = names[i - 1]
        parts.append(f"[← {titles[prev]}]({prev})")
    if name != START and START in names:
        parts.append(f"[Start here]({START})")
    if i + 1 < len(names):
        nxt = names[i + 1]
        parts.append(f"[{titles[nxt]} →]({nxt})")
    return f"{MARKER}\n\n---\n\n" + " | ".join(parts)


def update(notebooks_dir: Path, write: bool = True) -> list[Path]:
    """Rewrite the nav cell of every ``NN-name.ipynb``; return the notebooks that changed."""
    paths = sorted(p for p in Path(notebooks_dir).glob("*.ipynb") if NAME.match(p.name))
    books = {p.name: nbformat.read(p, as_version=4) for p in paths}
    names = [p.name for p in paths]
    titles = {n: notebook_title(nb, n.removesuffix(".ipynb")) for n, nb in books.items()}
    changed = []
    for path in paths:
        nb = books[path.name]
        source = nav_source(names, titles, path.name)
        old = [c for c in nb.cells if is_nav_cell(c)]
        if (
            len(old) == 1
            and nb.cells[-1] is old[0]
            and old[0].source == source
            and old[0].metadata.get("tags") == [NAV_TAG]
        ):
            continue
        cell = old[0] if old else nbformat.v4.new_markdown_cell()
        cell.source = source
        cell.metadata["tags"] = [NAV_TAG]
        nb.cells = [c for c in nb.cells if not is_nav_cell(c)] + [cell]
        changed.append(path)
        if write:
            nbformat.write(nb, path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks_dir", nargs="?", type=Path)
    parser.add_argument("--check", action="store_true", help="report stale links, write nothing")
    args = parser.parse_args(argv)
    if args.notebooks_dir is None:
        from helpers.paths import NOTEBOOKS_DIR

        args.notebooks_dir = NOTEBOOKS_DIR
    changed = update(args.notebooks_dir, write=not args.check)
    for path in changed:
        print(f"{'stale' if args.check else 'updated'}: {path}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
