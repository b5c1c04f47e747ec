"""HTML fixed at build time: Arabic direction, formulas drawn as SVG, links between reports."""

from __future__ import annotations

import base64
import functools
import io
import os
import re
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

from helpers import paths
from helpers.display import ARABIC_CHAR, ARABIC_LETTERS, ARABIC_RUN, text_direction

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
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?!\d)")


def _inherited_direction(el) -> str:
    """The direction ``el`` inherits: its nearest ancestor's ``dir`` (``auto`` counts as
    unknown), else left to right."""
    for parent in el.parents:
        d = parent.get("dir") if hasattr(parent, "get") else None
        if d in ("rtl", "ltr"):
            return d
    return "ltr"


def mark_direction(scopes) -> int:
    """Declare the direction of every block inside ``scopes`` (BeautifulSoup elements).

    A paragraph, list, list item, heading or table cell with Arabic in it gets the direction
    of most of its letters (:func:`helpers.display.text_direction`): ``dir="rtl"`` for an
    Arabic sentence with an English name in it, ``dir="ltr"`` for English prose that starts
    with an Arabic word (the browser's ``dir="auto"`` would follow that first word) and for a
    mapping such as ``ى → ي``. A block without Arabic inside an Arabic one gets
    ``dir="auto"``. Inside each block, inline Arabic in a left-to-right block and inline Latin
    in a right-to-left block are isolated in ``<bdi>`` (:func:`isolate_runs`), so neither
    reorders the words around it.
    Elements that already declare a direction are left alone; tables keep their column order.
    In a ``<pre>`` of printed output, each line of Arabic words only reads right to left;
    mixed lines stay left to right. Returns the number of elements marked ``rtl``.
    """
    n_rtl = 0
    for scope in scopes:
        for el in scope.find_all(_BLOCKS):
            if el.has_attr("dir"):
                continue
            direction = text_direction(el.get_text())
            if direction is not None:
                el["dir"] = direction
                n_rtl += direction == "rtl"
            elif _inherited_direction(el) == "rtl":
                el["dir"] = "auto"
        for pre in scope.find_all("pre"):
            if not pre.has_attr("dir") and ARABIC_CHAR.search(pre.get_text()):
                _mark_lines(pre)
        isolate_runs(scope)
    return n_rtl


# In a left-to-right block, a «…» quotation with Arabic in it is one item, guillemets included
# (its commas and full stops would otherwise split it into items shown in reverse order), and
# so is a number in Arabic-Indic digits (a range ٠–٩ would otherwise show as ٩–٠).
_ARABIC_ITEM = re.compile(
    f"\u00ab[^\u00ab\u00bb]*[{ARABIC_LETTERS}][^\u00ab\u00bb]*\u00bb|{ARABIC_RUN.pattern}"
    "|[\u0660-\u0669\u06f0-\u06f9]+"
)
# A Latin phrase: Latin words joined by spaces, digits, hyphens, apostrophes, dots or slashes,
# starting with a letter and ending with a letter or digit (the brackets around it stay out).
_LATIN_RUN = re.compile(
    "[A-Za-z\u00c0-\u024f](?:[A-Za-z0-9\u00c0-\u024f _'\u2019./+-]*[A-Za-z0-9\u00c0-\u024f])?"
)
# Where text keeps its own layout or is not text: code, formulas, and isolates already made.
_NO_ISOLATION = ("code", "pre", "script", "style", "bdi", "svg", "math", "kbd", "samp")


def isolate_runs(scope) -> int:
    """Wrap inline runs of the other script in ``<bdi>``: Arabic in left-to-right blocks,
    Latin in right-to-left ones. Returns the number of runs isolated.

    Isolated, ``وصول ("arrival") and التزام`` keeps its order in English prose, each side of
    ``ى → ي`` is its own item, and ``(external forces)`` inside Arabic keeps its words together
    with the brackets mirrored correctly. Text in code, ``<pre>`` and an existing ``<bdi>`` is
    left as it is.
    """
    from bs4 import NavigableString, Tag

    n = 0
    for node in list(scope.find_all(string=ARABIC_CHAR)) + list(
        scope.find_all(string=re.compile("[A-Za-z]"))
    ):
        if type(node) is not NavigableString or node.parent is None:
            continue  # a comment, or already replaced
        if node.find_parent(_NO_ISOLATION) is not None:
            continue
        block = node.find_parent(_BLOCKS)
        if block is None:
            continue
        direction = block.get("dir") or _inherited_direction(block)
        if direction not in ("rtl", "ltr"):
            continue
        pieces = _isolated(str(node), _LATIN_RUN if direction == "rtl" else _ARABIC_ITEM)
        if len(pieces) > 1 or not isinstance(pieces[0], NavigableString):
            node.replace_with(*pieces)
            n += sum(isinstance(p, Tag) for p in pieces)
    return n


def _isolated(text: str, pattern: re.Pattern) -> list:
    """``text`` as strings and ``<bdi>`` elements, one for each match of ``pattern``."""
    from bs4 import NavigableString, Tag

    pieces: list = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            pieces.append(NavigableString(text[pos : m.start()]))
        bdi = Tag(name="bdi")
        bdi.append(NavigableString(m.group()))
        pieces.append(bdi)
        pos = m.end()
    if pos < len(text) or not pieces:
        pieces.append(NavigableString(text[pos:]))
    return pieces


_ARABIC_WORD = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]+")
_LATIN_WORD = re.compile("[A-Za-z\u00c0-\u024f]+")
_CODE_PUNCTUATION = re.compile("[\\[\\]{}'\"]")


def _mostly_arabic(text: str) -> bool:
    """Arabic words and no Latin ones or Python quotes and brackets: an Arabic sentence or
    concordance line, not a mixed line such as ``found: قال``, a repr like
    ``('بيروت', datetime.date(…))`` or a printed list ``['وقال', 'وأضاف']`` (read right to
    left, its items would come out in reverse order)."""
    return (
        _ARABIC_WORD.search(text) is not None
        and _LATIN_WORD.search(text) is None
        and _CODE_PUNCTUATION.search(text) is None
    )


def _mark_lines(pre) -> None:
    """Give each line of printed output its own direction.

    A line of Arabic words (and no Latin ones), such as ``print(arabic_sentence)``, reads right
    to left; a mixed line, such as ``print("found:", word)`` or a list's repr, stays left to
    right with each Arabic phrase isolated in ``<bdi>``, so the items keep their order and the
    brackets and arrows their direction. Output with markup inside (ANSI colours) gets one
    direction for the whole block instead.
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
        rtl = _mostly_arabic(line)
        span = Tag(name="span", attrs={"class": "bidi-line", "dir": "rtl" if rtl else "ltr"})
        if line:
            span.extend([NavigableString(line)] if rtl else _isolated(line, ARABIC_RUN))
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


def break_identifiers(soup, scopes) -> None:
    """Offer a line break (``<wbr>``) after each underscore in table cells, outside code, so a
    wide table of ``snake_case`` columns wraps between words rather than inside one."""
    from bs4 import NavigableString

    for scope in scopes:
        for node in list(scope.find_all(string=re.compile("[A-Za-z0-9]_[A-Za-z0-9]"))):
            if type(node) is not NavigableString or node.find_parent(["td", "th"]) is None:
                continue
            if node.find_parent(["code", "pre", "script", "style"]) is not None:
                continue
            parts = str(node).split("_")
            pieces: list = []
            for i, part in enumerate(parts):
                pieces.append(NavigableString(part + ("_" if i < len(parts) - 1 else "")))
                if i < len(parts) - 1:
                    pieces.append(soup.new_tag("wbr"))
            node.replace_with(*[p for p in pieces if not (isinstance(p, str) and p == "")])


def wrap_concordance_contexts(soup, scopes) -> None:
    """Wrap the two context cells of each concordance row (``table.kwic``) in a span, so the
    stylesheet can keep the words next to the keyword in view and cut the far ends."""
    for scope in scopes:
        for row in scope.select("table.kwic tbody tr"):
            cells = row.find_all("td", recursive=False)
            if len(cells) < 3:
                continue
            for cell in (cells[0], cells[2]):
                span = soup.new_tag("span", attrs={"class": "kwic-context"})
                for child in list(cell.contents):
                    span.append(child.extract())
                cell.append(span)


def postprocess(body: str, notebooks_dir: Path, out_dir: Path, notebook_stems: set[str]) -> str:
    """Direction, formulas, links and table layout of a rendered notebook, fixed at build
    time."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser")
    prose = soup.select(".jp-RenderedMarkdown, .jp-RenderedHTML")
    render_math(soup, soup.select(".jp-MarkdownCell .jp-RenderedMarkdown"))
    mark_direction(prose + soup.select(".jp-RenderedText"))
    break_identifiers(soup, prose)
    wrap_concordance_contexts(soup, prose)
    rewrite_links(prose, notebooks_dir, out_dir, notebook_stems)
    return str(soup)
