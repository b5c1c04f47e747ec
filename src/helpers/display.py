"""Show Arabic tables and text right to left, in JupyterLab and in the HTML reports.

Text stays in logical order (never reshaped); only its *direction* is declared, with
``dir``/``direction`` so the browser's bidi algorithm lays it out right to left and aligns it
to the right. Latin-only cells keep left-to-right.
"""

from __future__ import annotations

import html
import re

import pandas as pd

# Arabic letters and marks, Arabic Supplement, Extended-A, and both presentation-form blocks.
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
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
    first_ar = _ARABIC.search(value)
    if first_ar is None:
        return False
    first_latin = _LATIN.search(value)
    return first_latin is None or first_ar.start() < first_latin.start()


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
    if is_arabic(value):
        return RTL_CSS
    return LTR_CSS if isinstance(value, str) and _LATIN.search(value) else ""


def rtl_table(df: pd.DataFrame, caption: str | None = None, precision: int = 2):
    """A pandas Styler that lays out Arabic cells (and Arabic headers) right to left.

    Returns the Styler so a notebook cell can show it; the data are not changed, except that
    presentation-form characters are shown as ``[U+XXXX]`` labels (:func:`show_code_points`)
    and missing values as :data:`MISSING`. Every cell, index label, column header and the
    caption is HTML-escaped: text from a corpus (``<script>``, ``<img onerror=…>``) shows as
    text and never runs in a report.
    """
    shown = df.copy()
    for col in shown.columns:
        if shown[col].dtype == object or pd.api.types.is_string_dtype(shown[col]):
            shown[col] = shown[col].map(lambda v: show_code_points(v) if isinstance(v, str) else v)
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


def rtl_html(text: str, tag: str = "p") -> str:
    """Escaped Arabic text wrapped in an element that reads right to left.

    >>> rtl_html("قال <وانغ>")
    '<p dir="rtl" lang="ar" style="text-align: right">قال &lt;وانغ&gt;</p>'
    """
    return f'<{tag} dir="rtl" lang="ar" style="text-align: right">{html.escape(text)}</{tag}>'
