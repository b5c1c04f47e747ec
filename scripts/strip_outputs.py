"""Remove outputs and execution counts from notebooks, in place (safe to re-run).

Usage: python scripts/strip_outputs.py notebooks/*.ipynb
"""

import sys

import nbformat


def strip(path: str) -> bool:
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            cell.outputs, cell.execution_count = [], None
            changed = True
        if "execution" in cell.get("metadata", {}):
            del cell.metadata["execution"]
            changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


if __name__ == "__main__":
    paths = sys.argv[1:]
    if not paths or any(p in ("-h", "--help") for p in paths):
        print(__doc__.strip())
        sys.exit(0 if paths else 2)
    for p in paths:
        if not p.endswith(".ipynb"):
            sys.exit(
                f"{p}: not a notebook (.ipynb); usage: python scripts/strip_outputs.py NB.ipynb ..."
            )
        if strip(p):
            print(f"stripped {p}")
