"""Show Arabic tables and text right to left, in JupyterLab and in the HTML reports.

Text stays in logical order (never reshaped); only its *direction* is declared, with
``dir``/``direction`` so the browser's bidi algorithm lays it out right to left and aligns it
to the right. Latin-only cells keep left-to-right.
"""

from __future__ import annotations

import html
import re

import pandas as pd

#: Arabic-script characters: the Arabic block, Supplement, Extended-A and both presentation-form
#: blocks. The one definition shared by this package, the report tool and the class materials.
ARABIC_CLASS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
ARABIC_CHAR = re.compile(f"[{ARABIC_CLASS}]")
#: Arabic letters (no punctuation, digits or presentation forms).
ARABIC_LETTERS = (
    "\u0620-\u065f\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff"
)
#: An Arabic phrase: Arabic words joined by spaces, digits or tatweel (بكين 10 يناير), never by
#: Latin punctuation, so «ة, ا» stays two items; what a left-to-right block isolates in <bdi>.
ARABIC_RUN = re.compile(
    f"[{ARABIC_LETTERS}]+(?:[ \\t0-9\u0660-\u0669\u06f0-\u06f9\u0640]+[{ARABIC_LETTERS}]+)*"
)
_LATIN = re.compile("[A-Za-z]")

# Presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFE: glyph shapes, e.g. from PDFs) never appear
# in tables or reports; shaping belongs inside plot images only. U+FEFF (BOM) is included too.
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")

RTL_CSS = "direction: rtl; text-align: right; unicode-bidi: isolate;"
LTR_CSS = "direction: ltr; text-align: left;"
#: How a missing value (NaN, NaT, None, pd.NA) is shown in a table.
MISSING = "—"


def is_arabic(value: object) -> bool:
    """True when a value's text starts (first strong letter) in Arabic script.

    >>> is_arabic("القوى الخارجية (external forces)"), is_arabic("Wang Yi وانغ يي"), is_arabic(3)
    (True, False, False)
    """
    if not isinstance(value, str):
        return False
    first_ar = ARABIC_CHAR.search(value)
    if first_ar is None:
        return False
    first_latin = _LATIN.search(value)
    return first_latin is None or first_ar.start() < first_latin.start()


# Arabic letters and marks (not its punctuation ، ؛ ؟ or digits), and Latin letters.
_ARABIC_WORD = re.compile(
    "[\u0620-\u065f\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff]+"
)
_LATIN_WORD = re.compile("[A-Za-z\u00c0-\u024f]+")
# A quotation in guillemets: an item inside the sentence, not the sentence's own language.
_QUOTATION = re.compile("\u00ab[^\u00ab\u00bb]*\u00bb")
# A mapping such as «ى → ي»: written to be read left to right, from the arrow's tail to its head.
_ARROW = re.compile("[\u2192\u27f6\u21d2]")


def text_direction(value: object) -> str | None:
    """The direction a block of text reads in: ``"rtl"``, ``"ltr"``, or None without Arabic.

    Decided by the share of Arabic letters among its Arabic and Latin letters, so English
    prose that starts with an Arabic word stays left to right and an Arabic sentence with an
    English name in it reads right to left; a tie goes to the first strong letter
    (:func:`is_arabic`). Letters inside «…» quotations count only when there are no others,
    so ``As in «…» (article 004)`` is an English note. A mapping with an arrow reads left to
    right, so ``ى → ي`` shows its tail first.

    >>> text_direction("وزير، بكين and لافروف stay whole: they are protected")
    'ltr'
    >>> text_direction("قال وانغ يي (Wang Yi)"), text_direction("folded (ه for ة, ا for أ)")
    ('rtl', 'ltr')
    >>> text_direction("ى → ي"), text_direction("Wang Yi وانغ يي"), text_direction("Wang Yi")
    ('ltr', 'ltr', None)
    >>> text_direction("As in «قال وانغ يي إن الصين تدعم الاستقرار» (article 000)")
    'ltr'
    """
    if not isinstance(value, str) or _ARABIC_WORD.search(value) is None:
        return None
    if _ARROW.search(value):
        return "ltr"
    outside = _QUOTATION.sub(" ", value)
    if _ARABIC_WORD.search(outside) or _LATIN_WORD.search(outside):
        value = outside
    n_arabic = sum(map(len, _ARABIC_WORD.findall(value)))
    n_latin = sum(map(len, _LATIN_WORD.findall(value)))
    if n_arabic != n_latin:
        return "rtl" if n_arabic > n_latin else "ltr"
    return "rtl" if is_arabic(value) else "ltr"


def show_code_points(text: str) -> str:
    """Replace presentation-form characters by a visible ``[U+XXXX]`` label for display.

    Logical text is left as it is; only glyph-shape characters (and the BOM) are spelled out.

    >>> show_code_points("\ufefb تعاون")
    '[U+FEFB] تعاون'
    """
    return _PRESENTATION.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def _cell_css(value: object) -> str:
    """Arabic text right to left; other text (English glosses, ids) left to right; numbers
    keep the notebook's default alignment (right, so digits line up)."""
    if text_direction(value) == "rtl":
        return RTL_CSS
    return LTR_CSS if isinstance(value, str) and _LATIN.search(value) else ""


def _dates(column: pd.Series) -> pd.Series:
    """Timestamps as text: the day alone (``2022-01-10``) when every one falls at midnight,
    as dates without a time do, else day and minute; missing ones stay missing.

    >>> _dates(pd.Series(pd.to_datetime(["2022-01-10", None]))).tolist()
    ['2022-01-10', nan]
    """
    valid = column.dropna()
    midnight = (valid == valid.dt.normalize()).all()
    text = column.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")
    return text.where(column.notna(), float("nan")).astype(object)


def _for_display(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with presentation forms shown as ``[U+XXXX]`` labels and dates without a time."""
    shown = df.copy()
    for col in shown.columns:
        if shown[col].dtype == object or pd.api.types.is_string_dtype(shown[col]):
            shown[col] = shown[col].map(lambda v: show_code_points(v) if isinstance(v, str) else v)
        elif pd.api.types.is_datetime64_any_dtype(shown[col]):
            shown[col] = _dates(shown[col])
    return shown


def rtl_table(df: pd.DataFrame, caption: str | None = None, precision: int = 2):
    """A pandas Styler that lays out Arabic cells (and Arabic headers) right to left.

    Returns the Styler so a notebook cell can show it; the data are not changed, except that
    presentation-form characters are shown as ``[U+XXXX]`` labels (:func:`show_code_points`),
    missing values as :data:`MISSING`, and dates without a time of day as the day alone (no
    ``00:00:00``). Every cell, index label, column header and the caption is HTML-escaped:
    text from a corpus (``<script>``, ``<img onerror=…>``) shows as text and never runs in a
    report.
    """
    shown = _for_display(df)
    styler = (
        shown.style.map(_cell_css)
        .format(precision=precision, escape="html", na_rep=MISSING)
        .format_index(escape="html", axis=0, na_rep=MISSING)
        .format_index(escape="html", axis=1, na_rep=MISSING)
    )
    header_css = [
        {"selector": "th", "props": "text-align: start; unicode-bidi: plaintext;"},
        {"selector": "td", "props": "vertical-align: top;"},
    ]
    styler = styler.set_table_styles(header_css)
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler


def init_sortable() -> None:
    """Load the sortable-table library into this notebook, offline (call once, in setup).

    :func:`sortable_table` draws its tables with DataTables through itables, whose offline
    mode puts the library's JavaScript in this cell's output: JupyterLab and the HTML reports
    then fetch nothing from the network. The reports carry that one script per notebook.
    """
    import itables

    itables.init_notebook_mode(all_interactive=False, connected=False)


def sortable_table(df: pd.DataFrame, caption: str | None = None, page_length: int = 15):
    """A table the reader can sort (click a header) and filter (type in the search box).

    For concordances and term lists a reader wants to reorder, as in AntConc or Voyant. Needs
    :func:`init_sortable` once per notebook. Text is laid out right to left (Arabic columns
    read from the right; the search box and pages mirror too), cells keep their logical order,
    and every value is HTML-escaped by itables (its default, ``allow_html=False``): markup
    from a corpus shows as text. Missing values show as :data:`MISSING`, presentation forms as
    ``[U+XXXX]`` labels, as in :func:`rtl_table`. Returns an ``IPython.display.HTML``.
    """
    from IPython.display import HTML
    from itables import to_html_datatable

    shown = _for_display(df.reset_index(drop=True))
    for col in shown.columns[shown.isna().any()]:
        shown[col] = shown[col].astype(object).where(shown[col].notna(), MISSING)
    table = to_html_datatable(
        shown,
        connected=False,
        showIndex=False,
        pageLength=page_length,
        classes=["display", "compact", "cell-border"],
        text_in_header_can_be_selected=False,  # a click on a header sorts, as readers expect
        layout={"topStart": "search", "topEnd": "pageLength", "bottomStart": "info",
                "bottomEnd": "paging"},
    )  # fmt: skip
    # the caption outside the right-to-left table, so English reads left to right
    head = ""
    if caption:  # an Arabic run in an English caption is isolated, so "…الخارجية: 2" keeps order
        text = ARABIC_RUN.sub(r"<bdi>\g<0></bdi>", html.escape(caption))
        head = f'<p class="sortable-caption" dir="{text_direction(caption) or "ltr"}">{text}</p>'

    # each cell takes the direction of its own text: an id or a frame name reads left to right
    style = "<style>.sortable-table td { unicode-bidi: plaintext; }</style>"
    return HTML(f'{head}{style}<div class="sortable-table" dir="rtl" lang="ar">{table}</div>')


def rtl_html(text: str, tag: str = "p") -> str:
    """Escaped Arabic text wrapped in an element that reads right to left.

    >>> rtl_html("قال <وانغ>")
    '<p dir="rtl" lang="ar" style="text-align: right">قال &lt;وانغ&gt;</p>'
    """
    return f'<{tag} dir="rtl" lang="ar" style="text-align: right">{html.escape(text)}</{tag}>'
