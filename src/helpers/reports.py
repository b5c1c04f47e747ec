"""Execute every notebook and write HTML reports in which Arabic reads right to left.

Usage::

    python -m helpers.reports [--corpus PATH] [--only 01 03 ...] [--out DIR] [--timeout SECONDS]

All notebooks run from this one Python process with nbclient (one fresh kernel each, on this
interpreter, cwd ``notebooks/``), in number order. With ``--corpus`` a cell that sets
``CORPUS`` is injected after each notebook's ``parameters`` cell (papermill's convention) and
the reports go to ``reports/<corpus-slug>/``, so the seed reports are never overwritten.

Every report is self-contained (images as data URIs, formulas drawn at build time, no CDN
scripts) and ends with a reproducibility footer. Arabic direction is declared when the report
is written (``dir="rtl"`` on Arabic paragraphs, list items, headings and table cells), so it
works without JavaScript; a small template (``templates/rtl``) makes alignment follow it.

A failing cell does not stop the run: every notebook is executed, the failures are listed at
the end (notebook, cell number, error), the partly executed notebook is saved next to the
reports as ``NN-name.failed.ipynb``, and the command exits with status 1.
"""

from __future__ import annotations

import argparse
import base64
import copy
import csv
import datetime as dt
import functools
import hashlib
import html
import io
import os
import platform
import re
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from helpers import paths
from helpers.display import is_arabic

#: ``NN-verb-object.ipynb``: two digits, then kebab-case words (docs/notebook-conventions.md).
NOTEBOOK_NAME = re.compile(r"^(?P<number>\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.ipynb$")
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "rtl"
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
DEFAULT_TIMEOUT = 900  # seconds per cell: generous, for a user corpus of tens of thousands
#: Folder names inside ``reports/`` that a corpus slug must not take.
RESERVED_SLUGS = frozenset({"screenshots"})
#: Packages whose versions every report's footer lists (those installed).
KEY_PACKAGES = (
    "pandas",
    "numpy",
    "scikit-learn",
    "matplotlib",
    "arabic-reshaper",
    "python-bidi",
    "pyyaml",
    "camel-tools",
    "nbclient",
    "nbconvert",
    "ipykernel",
)

# Block-level elements whose direction is declared from their own text.
_BLOCKS = (
    "p",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "dt",
    "dd",
    "summary",
    "caption",
    "figcaption",
    "td",
    "th",
)
_ARABIC_CHAR = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?!\d)")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class CellFailure:
    """Where and how a notebook failed.

    ``cell`` counts the notebook's own cells from 1, as JupyterLab shows them (the injected
    parameters cell is not counted); ``stage`` is ``"cell"``, ``"injected parameters"``,
    ``"kernel"`` (it did not start or died outside a cell) or ``"rendering"``.
    """

    notebook: str
    cell: int | None
    ename: str
    evalue: str
    source: str = ""
    stage: str = "cell"

    def message(self) -> str:
        where = {
            "cell": f"cell {self.cell}",
            "injected parameters": "the injected parameters cell",
            "kernel": "kernel start",
            "rendering": "rendering the report",
        }.get(self.stage, self.stage)
        first = self.source.strip().splitlines()[0] if self.source.strip() else ""
        snippet = f" (`{first[:60]}`)" if first else ""
        return f"{self.notebook} failed at {where}{snippet}: {self.ename}: {self.evalue}"


@dataclass
class NotebookResult:
    """One notebook's run: its report (None when it failed) and wall time."""

    notebook: Path
    report: Path | None
    seconds: float
    failure: CellFailure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass
class RunResult:
    """What :func:`run` did: the output folder, one result per notebook, index and glossary."""

    out_dir: Path
    corpus: Path | None
    notebooks: list[NotebookResult] = field(default_factory=list)
    index: Path | None = None
    glossary: Path | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.notebooks)

    @property
    def failures(self) -> list[CellFailure]:
        return [r.failure for r in self.notebooks if r.failure is not None]


class ReportsError(RuntimeError):
    """A problem with the command's arguments (bad corpus path, unknown notebook number)."""


# --------------------------------------------------------------------------------------------
# Finding notebooks, parameters
# --------------------------------------------------------------------------------------------


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


def report_dir(corpus: str | Path | None, out_root: Path | None = None) -> Path:
    """Where a corpus's reports go: the root for the seeds, ``<root>/<corpus-slug>/`` otherwise.

    >>> report_dir(None, Path("/r")).as_posix()
    '/r'
    >>> report_dir("/x/Wire 2022.csv", Path("/r")).as_posix().startswith("/r/wire-2022-")
    True
    """
    root = Path(out_root or paths.REPORTS_DIR)
    if corpus is None:
        return root
    slug = paths.corpus_slug(corpus)
    if slug in RESERVED_SLUGS:
        slug += "-corpus"
    return root / slug


def inject_parameters(nb, corpus: str | Path | None):
    """Return a copy of ``nb`` with a cell setting ``CORPUS`` after its ``parameters`` cell.

    The new cell is tagged ``injected-parameters`` (papermill's convention); one left from an
    earlier run is replaced. With ``corpus=None``, or a notebook without a ``parameters`` cell
    (it does not read ``CORPUS``), the copy is unchanged.
    """
    import nbformat

    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]
    if corpus is None:
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
    value = str(Path(corpus).resolve())
    cell = nbformat.v4.new_code_cell(
        f"# Parameters (injected by helpers.reports)\nCORPUS = {value!r}\n",
        metadata={"tags": [INJECTED_TAG]},
    )
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


# --------------------------------------------------------------------------------------------
# Reproducibility footer
# --------------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def corpus_files(corpus: str | Path | None) -> list[Path]:
    """The files a corpus consists of: the seed articles, one file, or every file of a folder.

    Hidden files are left out; for the seeds, so is the checksum file itself.
    """
    if corpus is None:
        return sorted(p for p in paths.SEEDS_DIR.glob("*.txt") if p.is_file())
    corpus = Path(corpus)
    if corpus.is_file():
        return [corpus]
    return sorted(
        p
        for p in corpus.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus).parts)
    )


def corpus_checksum(corpus: str | Path | None) -> tuple[str, int]:
    """sha256 of a ``sha256sum``-style manifest of the corpus files, and the number of files.

    The manifest has one ``<sha256>  <relative path>\\n`` line per file, sorted by path (the
    lines of ``seeds/SHA256SUMS`` for the seeds). Any changed, added or removed file changes it;
    moving the corpus folder does not.
    """
    files = corpus_files(corpus)
    base = paths.SEEDS_DIR if corpus is None else Path(corpus)
    lines = []
    for f in files:
        rel = f.name if base.is_file() else f.relative_to(base).as_posix()
        lines.append((rel, f"{_sha256_file(f)}  {rel}\n"))
    manifest = "".join(line for _, line in sorted(lines))
    return hashlib.sha256(manifest.encode("utf-8")).hexdigest(), len(files)


def git_commit(root: Path | None = None) -> str:
    """The checked-out commit (short hash, ``+ uncommitted changes`` when the tree is dirty)."""
    root = Path(root or paths.PROJECT_ROOT)
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    return f"{sha} + uncommitted changes" if dirty else sha


def package_versions(names: Sequence[str] = KEY_PACKAGES) -> dict[str, str]:
    """Python's version and the installed version of each named package (missing ones left out)."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def reproducibility(corpus: str | Path | None) -> dict:
    """The facts every footer shows: commit, corpus and its checksum, packages, run date."""
    sha, n_files = corpus_checksum(corpus)
    label = "the five seed articles (seeds/)" if corpus is None else str(Path(corpus).resolve())
    return {
        "commit": git_commit(),
        "corpus": label,
        "corpus_sha256": sha,
        "corpus_files": n_files,
        "packages": package_versions(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def footer_html(repro: dict, notebook: str | None = None, seconds: float | None = None) -> str:
    """The reproducibility footer as HTML (left to right, values escaped)."""
    e = html.escape
    n = repro["corpus_files"]
    rows = []
    if notebook:
        rows.append(("Notebook", f"<code>{e(notebook)}</code>"))
    rows += [
        ("Commit", f"<code>{e(repro['commit'])}</code>"),
        (
            "Corpus",
            f"{e(repro['corpus'])} ({n} file{'' if n == 1 else 's'}), "
            f"sha256 <code>{e(repro['corpus_sha256'])}</code>",
        ),
        ("Packages", e(", ".join(f"{k} {v}" for k, v in repro["packages"].items()))),
        ("Run", e(repro["date"] + (f", {seconds:.1f} s" if seconds is not None else ""))),
    ]
    items = "\n".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (
        '<footer class="repro-footer" id="reproducibility" dir="ltr" lang="en">\n'
        '<p class="repro-nav"><a href="index.html">All reports</a> · '
        '<a href="glossary.html">Glossary</a></p>\n'
        f"<h2>Reproducibility</h2>\n<dl>\n{items}\n</dl>\n</footer>"
    )


# --------------------------------------------------------------------------------------------
# Build-time HTML: direction, formulas, links
# --------------------------------------------------------------------------------------------


def _has_rtl_ancestor(el) -> bool:
    for parent in el.parents:
        d = parent.get("dir") if hasattr(parent, "get") else None
        if d:
            return d == "rtl"
    return False


def mark_direction(scopes) -> int:
    """Declare the direction of every block inside ``scopes`` (BeautifulSoup elements).

    A paragraph, list, list item, heading or table cell whose first strong letter is Arabic
    gets ``dir="rtl"``; one that contains Arabic later, or sits inside an Arabic block, gets
    ``dir="auto"`` (the browser picks from its first strong letter). Elements that already
    declare a direction are left alone; tables keep their column order. In a ``<pre>`` of
    printed output, each line of Arabic words only reads right to left; mixed lines stay
    left to right.
    Returns the number of elements marked ``rtl``.
    """
    n_rtl = 0
    for scope in scopes:
        for el in scope.find_all(_BLOCKS):
            if el.has_attr("dir"):
                continue
            text = el.get_text()
            if is_arabic(text):
                el["dir"] = "rtl"
                n_rtl += 1
            elif _ARABIC_CHAR.search(text) or _has_rtl_ancestor(el):
                el["dir"] = "auto"
        for pre in scope.find_all("pre"):
            if not pre.has_attr("dir") and _ARABIC_CHAR.search(pre.get_text()):
                _mark_lines(pre)
    return n_rtl


_ARABIC_WORD = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]+")
_LATIN_WORD = re.compile("[A-Za-z\u00c0-\u024f]+")


def _mostly_arabic(text: str) -> bool:
    """Arabic words and no Latin ones: an Arabic sentence or concordance line, not a mixed
    line such as ``found: قال`` or a Python repr like ``('بيروت', datetime.date(…))``."""
    return _ARABIC_WORD.search(text) is not None and _LATIN_WORD.search(text) is None


def _mark_lines(pre) -> None:
    """Give each line of printed output its own direction.

    A line of Arabic words (and no Latin ones), such as ``print(arabic_sentence)``, reads right
    to left; a mixed line, such as ``print("found:", word)`` or a tuple's repr, stays left to
    right with the Arabic in place, as JupyterLab shows it (making it right to left would
    reorder its parts and mirror its brackets and arrows). Output with markup inside (ANSI
    colours) gets one direction for the whole block instead.
    """
    from bs4 import NavigableString, Tag

    if any(isinstance(child, Tag) for child in pre.children):
        pre["dir"] = "rtl" if _mostly_arabic(pre.get_text()) else "ltr"
        return
    lines = pre.get_text().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    pre.clear()
    pre["class"] = [*pre.get("class", []), "bidi-lines"]
    for line in lines:
        span = Tag(
            name="span",
            attrs={"class": "bidi-line", "dir": "rtl" if _mostly_arabic(line) else "ltr"},
        )
        span.append(NavigableString(line))
        pre.append(span)


# TeX commands matplotlib's mathtext lacks, with the closest command it has (same look).
_MATHTEXT_SUBSTITUTES = (
    (re.compile(r"\\[td]?frac\s*(\d)\s*(\d)"), r"\\frac{\1}{\2}"),  # \tfrac12 -> \frac{1}{2}
    (re.compile(r"\\tfrac(?![a-zA-Z])"), r"\\frac"),
    # \bigl( -> (: mathtext has no sized delimiters
    (re.compile(r"\\[bB]igg?[lr]?(?![a-zA-Z])\s*"), ""),
    (re.compile(r"\n"), " "),
    (re.compile(r"\\[lr]vert(?![a-zA-Z])"), "|"),
    (re.compile(r"\\[lr]Vert(?![a-zA-Z])"), r"\\|"),
    (re.compile(r"\\(?:displaystyle|textstyle)(?![a-zA-Z])"), ""),
)


def _drop_underbraces(tex: str) -> str:
    """``\\underbrace{X}_{label}`` -> ``X``: mathtext has no underbrace (the label is lost)."""
    while (i := tex.find("\\underbrace")) >= 0:
        j = tex.find("{", i)
        if j < 0:
            break
        depth, k = 0, j
        for k in range(j, len(tex)):
            depth += {"{": 1, "}": -1}.get(tex[k], 0)
            if depth == 0:
                break
        body, rest = tex[j + 1 : k], tex[k + 1 :]
        label = re.match(r"\s*_\s*(\{)?", rest)
        if label and label.group(1):
            depth, m = 0, label.end() - 1
            for m in range(label.end() - 1, len(rest)):
                depth += {"{": 1, "}": -1}.get(rest[m], 0)
                if depth == 0:
                    break
            rest = rest[m + 1 :]
        tex = tex[:i] + body + rest
    return tex


@functools.cache
def _math_svg(tex: str, display: bool) -> str | None:
    """A formula drawn by matplotlib's mathtext as an SVG data URI, or None if it cannot."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    tex = _drop_underbraces(tex)
    for pattern, replacement in _MATHTEXT_SUBSTITUTES:
        tex = pattern.sub(replacement, tex)
    buf = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mathtext.math_to_image(
                f"${tex.strip()}$",
                buf,
                prop=FontProperties(size=15 if display else 12),
                format="svg",
            )
    except Exception:  # mathtext covers a subset of TeX: keep the source visible instead
        return None
    svg = re.sub(rb"<metadata>.*?</metadata>", b"", buf.getvalue(), flags=re.DOTALL)
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def render_math(soup, scopes) -> tuple[int, int]:
    """Replace ``$…$`` / ``$$…$$`` in markdown text with formulas drawn at build time.

    Formulas become SVG images (matplotlib mathtext), so reports need neither MathJax nor the
    network; the TeX source is kept as the image's ``alt`` text. A formula mathtext cannot
    draw is shown as its TeX source in ``<code>``. Returns (drawn, left as source).
    """
    from bs4 import NavigableString

    drawn = kept = 0
    for scope in scopes:
        for node in list(scope.find_all(string=re.compile(r"\$"))):
            if node.find_parent(["code", "pre", "script", "style", "a"]) is not None:
                continue
            text = str(node)
            pieces: list = []
            pos = 0
            spans = []
            for m in _DISPLAY_MATH.finditer(text):
                spans.append((m.start(), m.end(), m.group(1), True))
            masked = _DISPLAY_MATH.sub(lambda m: " " * len(m.group(0)), text)
            for m in _INLINE_MATH.finditer(masked):
                spans.append((m.start(), m.end(), m.group(1), False))
            if not spans:
                continue
            for start, end, tex, display in sorted(spans):
                pieces.append(NavigableString(text[pos:start]))
                uri = _math_svg(tex, display)
                if uri is None:
                    code = soup.new_tag("code", attrs={"class": "tex-source"})
                    code.string = text[start:end]
                    pieces.append(code)
                    kept += 1
                else:
                    img = soup.new_tag(
                        "img",
                        attrs={
                            "src": uri,
                            "alt": tex.strip(),
                            "class": "math-display" if display else "math-inline",
                        },
                    )
                    pieces.append(img)
                    drawn += 1
                pos = end
            pieces.append(NavigableString(text[pos:]))
            node.replace_with(*[p for p in pieces if not (isinstance(p, str) and p == "")])
    return drawn, kept


def rewrite_links(scopes, notebooks_dir: Path, out_dir: Path, notebook_stems: set[str]) -> None:
    """Point relative links written for ``notebooks/`` at the right place from ``out_dir``.

    ``NN-name.ipynb`` becomes ``NN-name.html`` (the sibling report); a link into
    ``reports/`` (``../reports/glossary.html``) points into the same report folder; a link to
    any other existing file is made relative to the report folder. Unknown targets are left
    as they are (the link check reports them).
    """
    for scope in scopes:
        for el, attr in [(a, "href") for a in scope.find_all("a", href=True)] + [
            (img, "src") for img in scope.find_all("img", src=True)
        ]:
            url = el[attr]
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path or url.startswith("/"):
                continue
            target = unquote(parts.path)
            frag = f"#{parts.fragment}" if parts.fragment else ""
            if target.endswith(".ipynb") and Path(target).stem in notebook_stems:
                el[attr] = f"{Path(target).stem}.html{frag}"
                continue
            resolved = (notebooks_dir / target).resolve()
            if resolved.is_relative_to(paths.REPORTS_DIR):  # e.g. ../reports/glossary.html
                el[attr] = resolved.relative_to(paths.REPORTS_DIR).as_posix() + frag
            elif resolved.exists():
                el[attr] = os.path.relpath(resolved, out_dir).replace(os.sep, "/") + frag


def postprocess(body: str, notebooks_dir: Path, out_dir: Path, notebook_stems: set[str]) -> str:
    """Direction, formulas and links of a rendered notebook, fixed at build time."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser")
    prose = soup.select(".jp-RenderedMarkdown, .jp-RenderedHTML")
    render_math(soup, soup.select(".jp-MarkdownCell .jp-RenderedMarkdown"))
    mark_direction(prose + soup.select(".jp-RenderedText"))
    rewrite_links(prose, notebooks_dir, out_dir, notebook_stems)
    return str(soup)


# --------------------------------------------------------------------------------------------
# Execution and rendering
# --------------------------------------------------------------------------------------------


@functools.cache
def _kernel_manager_class():
    """A KernelManager whose ``python3`` kernel is always this interpreter.

    A user-wide ``python3`` kernelspec could point at another Python; the reports must run on
    the project's environment.
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import KernelManager

    class ThisPythonKernelManager(KernelManager):
        @property
        def kernel_spec(self):
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(
                    argv=[
                        sys.executable,
                        "-Xfrozen_modules=off",
                        "-m",
                        "ipykernel_launcher",
                        "-f",
                        "{connection_file}",
                        # ipykernel 7 warns on every start that local TCP is unencrypted
                        "--IPKernelApp.log_level=ERROR",
                    ],
                    display_name="Python 3 (ipykernel)",
                    language="python",
                    metadata={"debugger": True},
                )
            return self._kernel_spec

    return ThisPythonKernelManager


@functools.cache
def _exporter():
    """nbconvert's HTML exporter with the project template, created once (it costs seconds)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        embed_images=True,
    )


@functools.cache
def report_css() -> str:
    return (TEMPLATES_DIR / TEMPLATE_NAME / "static" / "rtl.css").read_text(encoding="utf-8")


def execute_notebook(nb, cwd: Path, timeout: int = DEFAULT_TIMEOUT) -> tuple[object, int | None]:
    """Run ``nb`` in place in a fresh kernel; return (nb, index of the failing cell or None).

    Outputs up to the failure stay in ``nb``.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    current = {"index": None}

    def on_cell_start(cell, cell_index):
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        kernel_manager_class=_kernel_manager_class(),
        on_cell_start=on_cell_start,
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        exc.cell_index = current["index"]
        raise
    return nb, None


def _failure(nb, name: str, index: int | None, exc: BaseException, injected_at: int | None):
    cell = nb.cells[index] if index is not None and index < len(nb.cells) else None
    ename, evalue = type(exc).__name__, str(exc).strip().splitlines()[-1] if str(exc) else ""
    if cell is not None:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                ename, evalue = out.get("ename", ename), out.get("evalue", evalue)
    number, stage = (None, "kernel") if index is None else (index + 1, "cell")
    if injected_at is not None and index is not None:
        if index == injected_at:
            number, stage = None, "injected parameters"
        elif index > injected_at:
            number = index
    return CellFailure(
        notebook=name,
        cell=number,
        ename=ename,
        evalue=_ANSI.sub("", evalue),
        source=cell.source if cell is not None else "",
        stage=stage,
    )


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
    resources = {
        "metadata": {"name": name, "path": str(notebooks_dir)},
        "rtl_css": report_css(),
        "footer_html": footer_html(repro, notebook=f"{name}.ipynb", seconds=seconds),
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return postprocess(body, notebooks_dir, out_dir, notebook_stems)


def run(
    corpus: str | Path | None = None,
    only: Iterable[str] | None = None,
    out_dir: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    log: Callable[[str], None] | None = print,
) -> RunResult:
    """Execute the notebooks on a corpus and write their reports, index and glossary.

    Parameters
    ----------
    corpus : path, optional
        A folder of ``.txt`` files or a CSV/JSONL file; None = the seed articles.
    only : numbers or names, optional
        Run only these notebooks (e.g. ``["01", "03"]``); the index still lists all.
    out_dir : path, optional
        Root of the reports (default ``reports/``). A user corpus writes to
        ``<out_dir>/<corpus-slug>/``, never over the seed reports.
    notebooks_dir : path, optional
        Where the notebooks are (default ``notebooks/``); also the kernels' working folder.
    timeout : int
        Seconds any one cell may take.
    log : callable, optional
        Receives one progress line per notebook; None for silence.

    Returns
    -------
    RunResult
        Check ``.ok`` and ``.failures``; a failing notebook gets no report (an old one is
        removed) and its partly executed copy is saved as ``NN-name.failed.ipynb``.
    """
    started = time.perf_counter()
    import nbformat

    say = log or (lambda _msg: None)
    if corpus is not None:
        corpus = Path(corpus).expanduser().resolve()
        if not corpus.exists():
            raise ReportsError(
                f"corpus {corpus} does not exist: give a folder of .txt files or a .csv/.jsonl file"
            )
    notebooks_dir = Path(notebooks_dir or paths.NOTEBOOKS_DIR).resolve()
    all_notebooks = list_notebooks(notebooks_dir)
    selected = list_notebooks(notebooks_dir, only)
    if not selected:
        raise ReportsError(f"no NN-name.ipynb notebooks in {notebooks_dir}")
    out = report_dir(corpus, Path(out_dir).resolve() if out_dir else None)
    out.mkdir(parents=True, exist_ok=True)
    stems = {p.stem for p in all_notebooks}
    repro = reproducibility(corpus)
    result = RunResult(out_dir=out, corpus=corpus)
    say(f"helpers.reports: {len(selected)} notebook(s) on {repro['corpus']} -> {out}")
    # nbconvert's exporter takes seconds to set up: build it while the first kernel runs.
    warm_up = threading.Thread(target=_exporter, daemon=True)
    warm_up.start()

    for path in selected:
        t0 = time.perf_counter()
        name = path.stem
        report_path = out / f"{name}.html"
        failed_path = out / f"{name}.failed.ipynb"
        nb = inject_parameters(nbformat.read(path, as_version=4), corpus)
        injected_at = next(
            (i for i, c in enumerate(nb.cells) if INJECTED_TAG in c.metadata.get("tags", [])),
            None,
        )
        failure = None
        try:
            if any(c.cell_type == "code" for c in nb.cells):  # no kernel for prose-only
                execute_notebook(nb, cwd=notebooks_dir, timeout=timeout)
        except Exception as exc:  # any kernel or cell failure: record it and go on
            failure = _failure(nb, path.name, getattr(exc, "cell_index", None), exc, injected_at)
        seconds = time.perf_counter() - t0
        if failure is None:
            warm_up.join()
            try:
                page = render_report(nb, name, notebooks_dir, out, stems, repro, seconds=seconds)
            except Exception as exc:  # a template or post-processing bug: name it, go on
                failure = CellFailure(
                    path.name, None, type(exc).__name__, _first_line(exc), stage="rendering"
                )
        if failure is None:
            report_path.write_text(page, encoding="utf-8")
            failed_path.unlink(missing_ok=True)
            report = report_path
        else:
            report_path.unlink(missing_ok=True)  # nothing stale reaches a reader
            nbformat.write(nb, failed_path)
            report = None
        seconds = time.perf_counter() - t0
        result.notebooks.append(NotebookResult(path, report, seconds, failure))
        shown = report.relative_to(out.parent) if report else failed_path.name
        say(f"  {name:<28} {'ok' if failure is None else 'FAILED':<6} {seconds:7.1f} s  {shown}")

    result.index = write_index(out, all_notebooks, result, repro)
    result.glossary = write_glossary(out, repro)
    result.seconds = time.perf_counter() - started
    n_ok = sum(r.ok for r in result.notebooks)
    say(
        f"helpers.reports: {n_ok}/{len(result.notebooks)} notebooks ok in "
        f"{result.seconds:.1f} s; open {result.index}"
    )
    return result


# --------------------------------------------------------------------------------------------
# Index and glossary pages
# --------------------------------------------------------------------------------------------


def _page(title: str, body: str, repro: dict) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=False)
    page = env.get_template("page.html.j2").render(
        title=title, body=body, css=report_css(), footer=footer_html(repro)
    )
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    mark_direction(soup.select("main"))
    return str(soup)


def write_index(out_dir: Path, notebooks: list[Path], result: RunResult, repro: dict) -> Path:
    """``index.html``: one line per notebook (number, title linked to its report, purpose)."""
    import nbformat

    e = html.escape
    status = {r.notebook.stem: r for r in result.notebooks}
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
    path.write_text(_page("Notebook reports", body, repro), encoding="utf-8")
    return path


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            {k.strip(): (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(fh)
        ]


def _cell(value: str) -> str:
    if is_arabic(value):
        return f'<td dir="rtl" lang="ar">{html.escape(value)}</td>'
    return f"<td>{html.escape(value)}</td>"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _read_yaml(path: Path):
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _missing(path: Path, reason: str) -> str:
    rel = path.relative_to(paths.PROJECT_ROOT) if path.is_relative_to(paths.PROJECT_ROOT) else path
    return f'<p class="missing"><code>{html.escape(str(rel))}</code> {html.escape(reason)}</p>'


_CSV_ERRORS = (OSError, UnicodeDecodeError, csv.Error)


def _load_or_missing(path: Path, what: str, nothing: str, load=_read_csv, errors=_CSV_ERRORS):
    """``(data, None)``, or ``(None, html)`` saying why there is no table (a missing file, or
    one that cannot be read: then a warning names it)."""
    if not path.exists():
        return None, _missing(path, f"is not there yet: no {nothing} to show.")
    try:
        return load(path), None
    except errors as exc:
        warnings.warn(
            f"{path}: cannot read the {what} ({_first_line(exc)}); fix the file", stacklevel=3
        )
        return None, _missing(path, f"could not be read: {_first_line(exc)}")


def glossary_terms_section(path: Path) -> str:
    """The curated glossary (``arabic, transliteration, english, note``) as a table."""
    rows, missing = _load_or_missing(path, "glossary", "terms")
    if missing:
        return missing
    cols = ("arabic", "transliteration", "english", "note")
    rows = sorted(rows, key=lambda r: r.get("english", "").lower())
    return _table(
        ["Arabic", "Transliteration", "English", "Note"],
        ([r.get(c, "") for c in cols] for r in rows),
    )


def glossary_entities_section(path: Path) -> str:
    """Named entities with their spelling variants (``entities.csv``), one row per entity."""
    rows, missing = _load_or_missing(path, "entity table", "entities")
    if missing:
        return missing
    grouped: dict[str, dict] = {}
    for r in rows:
        key = r.get("entity_id") or r.get("canonical") or r.get("variant", "")
        g = grouped.setdefault(
            key,
            {
                "canonical": r.get("canonical", ""),
                "english": r.get("english", ""),
                "type": r.get("type", ""),
                "variants": [],
            },
        )
        v = r.get("variant", "")
        if v and v != g["canonical"] and v not in g["variants"]:
            g["variants"].append(v)
    table_rows = sorted(
        (
            [g["canonical"], g["english"], g["type"], "، ".join(g["variants"])]
            for g in grouped.values()
        ),
        key=lambda row: (row[2], row[1].lower()),
    )
    return _table(["Arabic", "English", "Type", "Spelling variants"], table_rows)


def _frame_entries(data) -> list[tuple[str, dict]]:
    if isinstance(data, dict) and "frames" in data:
        data = data["frames"]
    if isinstance(data, dict):
        return [(str(k), v if isinstance(v, dict) else {"terms": v}) for k, v in data.items()]
    if isinstance(data, list):
        out = []
        for i, item in enumerate(data):
            if isinstance(item, dict):
                name = item.get("id") or item.get("name") or item.get("frame") or f"frame {i + 1}"
                out.append((str(name), item))
        return out
    return []


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def glossary_frames_section(path: Path) -> str:
    """The frame lexicon (``frames.yaml``): each frame's Arabic and English name, definition.

    Frames are read from a ``frames:`` list (or mapping) of entries with ``id``, ``arabic``,
    ``english`` and ``definition``; an entry without an ``arabic`` name shows the Arabic
    strings found anywhere in it instead. Matching patterns are not shown (they use the
    lexicon's own template syntax).
    """
    # any exception: YAML errors come in several classes
    data, missing = _load_or_missing(path, "frame lexicon", "frames", _read_yaml, Exception)
    if missing:
        return missing
    rows = []
    for name, entry in _frame_entries(data):
        arabic = entry.get("arabic")
        if not isinstance(arabic, str):
            cues = [s for s in _strings(entry) if _ARABIC_CHAR.search(s)]
            arabic = "، ".join(dict.fromkeys(cues))
        english = entry.get("english") or entry.get("label") or ""
        definition = entry.get("definition") or entry.get("description") or ""
        rows.append(
            [arabic, f"{english} ({name})" if english else name, " ".join(str(definition).split())]
        )
    if not rows:
        return _missing(path, "has no frames in a form this page understands.")
    return _table(["Arabic", "Frame", "Definition"], rows)


def write_glossary(out_dir: Path, repro: dict, data_dir: Path | None = None) -> Path:
    """``glossary.html`` from the curated data files; a missing file gets a sentence, no error."""
    data_dir = Path(data_dir or paths.DATA_DIR)
    lex = data_dir / "lexicons"
    body = "\n".join(
        [
            "<p>Arabic terms used in the notebooks, with a transliteration and English gloss, "
            "built from the curated data files in <code>data/</code> (each row there gives its "
            "source or rationale).</p>",
            '<h2 id="terms">Terms</h2>',
            glossary_terms_section(data_dir / "glossary.csv"),
            '<h2 id="frames">Frames</h2>',
            glossary_frames_section(lex / "frames.yaml"),
            '<h2 id="entities">Names and their spellings</h2>',
            glossary_entities_section(lex / "entities.csv"),
            '<p><a href="index.html">All reports</a></p>',
        ]
    )
    path = out_dir / "glossary.html"
    path.write_text(_page("Glossary", body, repro), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status (0 ok, 1 a notebook failed, 2 bad arguments)."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.reports",
        description="Execute the notebooks and write HTML reports (reports/index.html).",
    )
    parser.add_argument(
        "--corpus",
        help="a folder of .txt files or a .csv/.jsonl file (id,text[,date,...]); "
        "default: the seed articles. Reports go to reports/<corpus-name>/.",
    )
    parser.add_argument("--only", nargs="+", metavar="NN", help="run only these notebooks")
    parser.add_argument("--out", help="root folder of the reports (default: reports/)")
    parser.add_argument(
        "--notebooks", help="folder of NN-name.ipynb notebooks (default: notebooks/)"
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT,
        help="seconds per cell (default %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        result = run(
            corpus=args.corpus,
            only=args.only,
            out_dir=args.out,
            notebooks_dir=args.notebooks,
            timeout=args.timeout,
        )
    except ReportsError as exc:
        print(f"helpers.reports: {exc}", file=sys.stderr)
        return 2
    if not result.ok:
        for f in result.failures:
            print(
                f"helpers.reports: {f.message()}. The partly executed notebook is "
                f"{result.out_dir / Path(f.notebook).with_suffix('.failed.ipynb').name}: "
                "open it in JupyterLab to see the traceback.",
                file=sys.stderr,
            )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
