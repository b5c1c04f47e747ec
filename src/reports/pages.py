"""Pages: a notebook's report (nbconvert with the ``rtl`` template), the index, page frame."""

from __future__ import annotations

import copy
import functools
import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reports.markdown import render_details
from reports.notebooks import notebook_heading
from reports.postprocess import mark_direction, postprocess
from reports.repro import footer_html

if TYPE_CHECKING:
    from reports.job import NotebookResult

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "rtl"


@functools.cache
def exporter():
    """nbconvert's HTML exporter with the project template, created once (it costs seconds)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        embed_images=True,
    )


@functools.cache
def report_css() -> str:
    """The reports' stylesheet (right-to-left alignment follows ``dir``), inlined in each page."""
    return (TEMPLATES_DIR / TEMPLATE_NAME / "static" / "rtl.css").read_text(encoding="utf-8")


def merge_adjacent_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) outputs into one, keeping every output's place.

    The kernel may deliver one ``print`` in several chunks; shown apart, a line would be split
    across two blocks (and laid out as two lines). Unlike nbclient's ``coalesce_streams``,
    printed text is never moved past a table or figure shown between two prints.
    """
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.get("output_type") == "stream"
            and prev is not None
            and prev.get("output_type") == "stream"
            and prev.get("name") == out.get("name")
        ):
            prev["text"] = prev["text"] + out["text"]
        else:
            merged.append(copy.deepcopy(out))
    return merged


def render_report(
    nb,
    name: str,
    notebooks_dir: Path,
    out_dir: Path,
    notebook_stems: set[str],
    repro: dict,
    seconds: float | None = None,
) -> str:
    """An executed notebook as a self-contained, right-to-left-aware HTML page."""
    title, _ = notebook_heading(nb)
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title or name
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_adjacent_streams(cell.get("outputs", []))
        elif cell.cell_type == "markdown":
            cell.source = render_details(cell.source)
    resources = {
        "metadata": {"name": name, "path": str(notebooks_dir)},
        "rtl_css": report_css(),
        "footer_html": footer_html(repro, notebook=f"{name}.ipynb", seconds=seconds),
    }
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    return postprocess(body, notebooks_dir, out_dir, notebook_stems)


def page(title: str, body: str, repro: dict) -> str:
    """A stand-alone page (index, glossary) in the reports' style, with the footer."""
    import jinja2
    from bs4 import BeautifulSoup

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=False)
    text = env.get_template("page.html.j2").render(
        title=title, body=body, css=report_css(), footer=footer_html(repro)
    )
    soup = BeautifulSoup(text, "html.parser")
    mark_direction(soup.select("main"))
    return str(soup)


def write_index(
    out_dir: Path, notebooks: list[Path], results: Sequence[NotebookResult], repro: dict
) -> Path:
    """``index.html``: one line per notebook (number, title linked to its report, purpose).

    ``results`` are this run's notebooks; the others are listed as built by an earlier run
    (their report is there) or not built yet.
    """
    import nbformat

    e = html.escape
    status = {r.notebook.stem: r for r in results}
    rows = []
    for path in notebooks:
        title, purpose = notebook_heading(nbformat.read(path, as_version=4))
        title = title or path.stem
        report = out_dir / f"{path.stem}.html"
        this = status.get(path.stem)
        if this is not None and this.failure is not None:
            note = f' <span class="failed">(failed: {e(this.failure.message())})</span>'
            link = e(title)
        elif report.exists():
            note = "" if this is not None else " <span>(from an earlier run)</span>"
            link = f'<a href="{e(report.name)}">{e(title)}</a>'
        else:
            note, link = " <span>(not built yet)</span>", e(title)
        rows.append(f"<li><strong>{link}</strong>{note}<br>{e(purpose)}</li>")
    body = (
        "<p>Reports of the notebooks studying how Chinese state media, writing in Arabic, "
        "frame China–Kazakhstan relations and the January 2022 unrest in Kazakhstan. "
        f"Corpus: {e(repro['corpus'])}.</p>\n"
        f'<ol class="report-list">\n{chr(10).join(rows)}\n</ol>\n'
        '<p><a href="glossary.html">Glossary of Arabic terms</a> · '
        '<a href="#reproducibility">Reproducibility</a></p>'
    )
    path = out_dir / "index.html"
    path.write_text(page("Notebook reports", body, repro), encoding="utf-8")
    return path
