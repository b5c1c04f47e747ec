"""Printable class materials, generated from the project's own files so they never drift.

Three A4 pages of self-contained HTML (print them from a browser):

- ``worksheet.html``: the core path's exercises, read from the notebooks' "Your turn" cells
  (solutions left out), with ruled space to write, and the exit question of docs/teaching.md;
- ``coding-sheet.html``: for notebook 04's "judge five hits", the sentences that
  :func:`helpers.frames.coding_sample` draws from the seed articles, the hit marked, with empty
  columns for the learner's judgement and speaker (the program's speaker is not printed);
- ``pitfalls.html``: the "Common pitfalls with Arabic text" of docs/teaching.md on one page.

Every piece of text is HTML-escaped (markdown through mistune, nbconvert's own renderer, with
``escape=True``); Arabic is declared ``dir="rtl" lang="ar"``, and an Arabic run inside an
English sentence is isolated in ``<bdi>`` so punctuation and numbers stay where they belong.

Usage: ``python -m teaching [--out reports/materials]`` (``make materials``).
"""

from __future__ import annotations

import argparse
import html
import re
from pathlib import Path

import mistune
import nbformat
from bs4 import BeautifulSoup, NavigableString

from helpers.display import ARABIC_CLASS
from teaching.exercises import Exercise, all_exercises

_AR = ARABIC_CLASS
#: An Arabic run: Arabic words with the spaces, Arabic commas and semicolons between them.
ARABIC_RUN = re.compile(rf"[{_AR}]+(?:[\s\u060c\u061b]+[{_AR}]+)*")
_RTL_SPAN = re.compile(r'<span dir="rtl" lang="ar">(.*?)</span>', re.DOTALL)
_RENDER = mistune.create_markdown(escape=True)
BLOCKS = {"p", "li", "td", "th", "div", "h1", "h2", "h3", "blockquote", "section"}
FILES = {"worksheet": "worksheet.html", "coding": "coding-sheet.html", "pitfalls": "pitfalls.html"}

CSS = """
@page { size: A4; margin: 14mm 15mm; }
body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt;
  line-height: 1.4; color: #000; max-width: 180mm; margin: 1.5em auto; }
[lang="ar"] { font-family: "Noto Naskh Arabic", "Amiri", "DejaVu Sans", serif; font-size: 1.1em; }
bdi { unicode-bidi: isolate; }
h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 5mm 0 1mm; }
.meta { display: flex; gap: 10mm; margin-bottom: 4mm; }
.meta span { flex: 1; border-bottom: 1px solid #000; padding-top: 5mm; }
.exercise { break-inside: avoid; page-break-inside: avoid; margin-bottom: 5mm; }
.lines div { border-bottom: 1px solid #999; height: 8mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #444; padding: 1.5mm 2mm; vertical-align: top; text-align: start; }
tr { break-inside: avoid; page-break-inside: avoid; }
td[dir="rtl"] { text-align: right; }
mark { background: #ffe27a; font-weight: bold; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; }
.small { font-size: 8.5pt; color: #333; }
.pitfalls { font-size: 10pt; line-height: 1.35; }
.pitfalls li { margin-bottom: 1.2mm; }
footer { margin-top: 4mm; font-size: 8pt; color: #444; }
@media print {
  body { margin: 0; max-width: none; }
  mark { background: none; border-bottom: 2px solid #000; }
  a { color: #000; text-decoration: none; }
}
"""
LANDSCAPE_CSS = "@page { size: A4 landscape; } body { max-width: 267mm; }"


def mark_arabic(fragment: str) -> str:
    """Declare every Arabic run of an HTML fragment right to left.

    Text already inside a ``dir="rtl"`` element is left alone; a run anywhere else is wrapped
    in ``<bdi dir="rtl" lang="ar">`` (isolated, so it cannot reorder the English around it).

    >>> mark_arabic("<p>the phrase القوى الخارجية, twice</p>")
    '<p>the phrase <bdi dir="rtl" lang="ar">القوى الخارجية</bdi>, twice</p>'
    """
    soup = BeautifulSoup(fragment, "html.parser")
    for node in list(soup.find_all(string=ARABIC_RUN)):
        if node.find_parent(attrs={"dir": "rtl"}) is not None:
            continue
        pieces, at = [], 0
        for match in ARABIC_RUN.finditer(node):
            pieces.append(NavigableString(node[at : match.start()]))
            bdi = soup.new_tag("bdi", attrs={"dir": "rtl", "lang": "ar"})
            bdi.string = match.group()
            pieces.append(bdi)
            at = match.end()
        pieces.append(NavigableString(node[at:]))
        node.replace_with(*[p for p in pieces if p != ""])
    return str(soup)


def markdown_html(markdown: str) -> str:
    """Markdown (from a notebook or a doc) as escaped HTML with its Arabic marked.

    Raw HTML is escaped, never passed through; only the notebooks' own
    ``<span dir="rtl" lang="ar">`` wrappers are unwrapped first (the Arabic is marked again).

    >>> markdown_html('**Say** <span dir="rtl" lang="ar">قال</span> <b>')
    '<p><strong>Say</strong> <bdi dir="rtl" lang="ar">قال</bdi> &lt;b&gt;</p>'
    """
    return mark_arabic(_RENDER(_RTL_SPAN.sub(r"\1", markdown)).strip())


def page(title: str, body: str, landscape: bool = False) -> str:
    """A self-contained A4 page."""
    css = CSS + (LANDSCAPE_CSS if landscape else "")
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _lines(n: int) -> str:
    return '<div class="lines">' + "<div></div>" * n + "</div>"


def _name_and_date() -> str:
    return '<div class="meta"><span>Name:</span><span>Date:</span></div>'


def worksheet_html(exercises: list[Exercise], titles: dict[str, str], exit_question: str) -> str:
    """The core exercises (``optional`` ones left out), without solutions, with space to write."""
    parts = ["<h1>Worksheet: Arabic news and frames, the 90-minute class</h1>", _name_and_date()]
    parts.append(
        '<p class="small">The exercises of the core path, from the notebooks\' "Your turn" '
        "sections. Solutions are folded under each exercise in the notebooks: try first.</p>"
    )
    for ex in (e for e in exercises if not e.optional):
        heading = f"{ex.label} · {titles.get(ex.notebook, ex.notebook)}"
        parts.append(
            f'<section class="exercise"><h2>{mark_arabic(html.escape(heading))}</h2>'
            f"{markdown_html(ex.text)}{_lines(6)}</section>"
        )
    parts.append(
        f'<section class="exercise"><h2>Exit question</h2>{markdown_html(exit_question)}'
        f"{_lines(7)}</section>"
    )
    parts.append("<footer>Generated by <code>make materials</code> from notebooks/.</footer>")
    return page("Worksheet", "\n".join(parts))


def _sentence_cell(row) -> str:
    before, match, after = (html.escape(str(row[k])) for k in ("before", "match", "after"))
    return f'<td dir="rtl" lang="ar">{before}<mark>{match}</mark>{after}</td>'


def _frame_cell(row, names: dict[str, tuple[str, str]]) -> str:
    english, arabic = names.get(row["frame"], (row["frame"], ""))
    return (
        f"<td>{html.escape(english)}<br>"
        f'<bdi dir="rtl" lang="ar">{html.escape(arabic)}</bdi><br>'
        f'<span class="small">pattern: <bdi dir="rtl" lang="ar">'
        f"{html.escape(str(row['pattern']))}</bdi></span></td>"
    )


JUDGE = "☐ yes<br>☐ no<br>☐ unsure"


def coding_sheet_html(rows, lexicon, missed_rows: int = 2) -> str:
    """The coding sheet: one row per sampled hit sentence, the hit marked; columns to fill in.

    ``rows`` is :func:`helpers.frames.coding_sample`'s table; its ``speaker`` columns are
    never printed (learners judge first, then compare in the notebook).
    """
    names = {f.id: (f.english, f.arabic) for f in lexicon}
    head = (
        "<tr><th>#</th><th style='width:42%'>Sentence (the hit is marked)</th><th>Frame</th>"
        "<th>Is the frame really there?</th><th style='width:14%'>Who speaks?</th>"
        "<th style='width:16%'>Note</th></tr>"
    )
    body = [
        f"<tr><td>{i}</td>{_sentence_cell(row)}{_frame_cell(row, names)}"
        f'<td>{JUDGE}</td><td class="speaks"></td><td class="note"></td></tr>'
        for i, (_, row) in enumerate(rows.iterrows(), 1)
    ]
    body += [
        f'<tr><td>{len(rows) + i}</td><td class="missed">A sentence the lexicon missed:'
        f"<br><br><br></td><td></td><td>{JUDGE}</td><td></td><td></td></tr>"
        for i in range(1, missed_rows + 1)
    ]
    defined = sorted(set(rows["frame"]))
    definitions = "".join(
        f"<li><strong>{html.escape(names[f][0])}</strong>: "
        f"{mark_arabic(html.escape(next(x.definition for x in lexicon if x.id == f)))}</li>"
        for f in defined
        if f in names
    )
    parts = [
        "<h1>Coding sheet: is the frame really there? (notebook 04, exercise 4)</h1>",
        _name_and_date(),
        '<p class="small">For each sentence: is the frame really carried by the marked words '
        "(yes / no / unsure)? Who speaks: the person whose reporting verb (قال، أكد …) the "
        "sentence depends on, or the outlet itself when there is none? Note why, and for a "
        "<em>no</em>, which pattern caused the false hit. Then compare with the program's "
        "answer in the notebook.</p>",
        f"<table>\n{head}\n" + "\n".join(body) + "\n</table>",
        f'<h2>The frames on this sheet</h2><ul class="small">{definitions}</ul>',
        "<footer>Generated by <code>make materials</code>: five mentions in different "
        "sentences of the seed articles, drawn by <code>helpers.frames.coding_sample</code> "
        "with a fixed seed.</footer>",
    ]
    return page("Coding sheet", mark_arabic("\n".join(parts)), landscape=True)


def section(markdown: str, heading: str) -> str:
    """The body of the ``## heading`` section of a markdown document (to the next ``## ``)."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    if match is None:
        raise ValueError(f"no '## {heading}' section: the materials read it from docs/teaching.md")
    return match.group(1).strip()


def exit_question(teaching_md: str) -> str:
    """The exit question: the block quote of the plan's "Exit question" section."""
    lines = section(teaching_md, "Exit question").splitlines()
    return " ".join(ln.removeprefix(">").strip() for ln in lines if ln.startswith(">"))


def pitfalls_html(teaching_md: str) -> str:
    """The plan's "Common pitfalls with Arabic text", on one page."""
    body = markdown_html(section(teaching_md, "Common pitfalls with Arabic text"))
    parts = [
        "<h1>Arabic text: common pitfalls</h1>",
        f'<div class="pitfalls">{body}</div>',
        "<footer>Generated by <code>make materials</code> from docs/teaching.md.</footer>",
    ]
    return page("Arabic text: common pitfalls", "\n".join(parts))


def notebook_titles(notebooks_dir: Path) -> dict[str, str]:
    """``{stem: title}`` from each notebook's first heading, without its number."""
    titles = {}
    for path in sorted(notebooks_dir.glob("[0-9][0-9]-*.ipynb")):
        first = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0]
        titles[path.stem] = first.lstrip("# ").split(" · ", 1)[-1].strip()
    return titles


def write_materials(out_dir: str | Path | None = None) -> list[Path]:
    """Write the three pages into ``out_dir`` (default ``reports/materials/``); their paths."""
    from helpers import frames, paths
    from helpers.corpus import load_corpus

    out = Path(out_dir) if out_dir is not None else paths.REPORTS_DIR / "materials"
    out.mkdir(parents=True, exist_ok=True)
    plan = (paths.PROJECT_ROOT / "docs" / "teaching.md").read_text("utf-8")
    articles = load_corpus(quiet=True)
    rows = frames.coding_sample(frames.frame_hits(articles), articles)
    pages = {
        "worksheet": worksheet_html(
            all_exercises(paths.NOTEBOOKS_DIR),
            notebook_titles(paths.NOTEBOOKS_DIR),
            exit_question(plan),
        ),
        "coding": coding_sheet_html(rows, frames.load_lexicon()),
        "pitfalls": pitfalls_html(plan),
    }
    written = []
    for key, text in pages.items():
        path = out / FILES[key]
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teaching", description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="folder to write to (default: reports/materials/)")
    args = parser.parse_args(argv)
    for path in write_materials(args.out):
        print(f"wrote {path}")
    return 0
