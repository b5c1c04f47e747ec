"""Arabic labels in matplotlib, decided once for the plotting stack in use.

matplotlib 3.11 and later lay text out with libraqm, which shapes Arabic (joins letters into
their contextual forms) and orders right-to-left runs itself. Older matplotlib draws each
character's isolated glyph left to right, so labels must be shaped with arabic-reshaper and
reordered with python-bidi first. Doing both garbles the label, so :func:`ar` asks the stack
once (:func:`stack_shapes_arabic`) and only pre-shapes when the stack cannot.

Only plot labels go through :func:`ar`. Text in tables, HTML and notebooks stays in logical
order, untouched.
"""

from __future__ import annotations

import functools

import matplotlib as mpl
import matplotlib.pyplot as plt

# Noto Sans Arabic (the PyPI package fontpkg-noto-sans-arabic, registered with matplotlib by
# register_font) has the whole Arabic block and its supplements, Latin, digits and brackets, so
# mixed Arabic/English labels render from one font. DejaVu Sans, which ships with matplotlib,
# lacks ٱ (U+0671), ہ (U+06C1) and ے (U+06D2); it stays as the fallback for other symbols.
FONT_FAMILY = "Noto Sans Arabic"
FALLBACK_FAMILY = "DejaVu Sans"
_PROBE = "\u0628\u0628\u0628"  # three beh: shaped, they take initial, medial and final forms


@functools.cache
def register_font() -> str:
    """Make the packaged :data:`FONT_FAMILY` matplotlib's only font of that name (once);
    return its name.

    Debian's fonts-noto-core (which the browser tests install) has a Noto Sans Arabic of its
    own, without Latin letters; when matplotlib knows both, it may pick that one and draw
    "Dates" as empty boxes. So the system's fonts of that family are dropped from the font
    list before the packaged one is added (adding a font clears matplotlib's lookup cache).
    """
    from fontpkg.mpl import use
    from matplotlib import font_manager

    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if f.name != FONT_FAMILY]
    use(FONT_FAMILY)
    return FONT_FAMILY


@functools.cache
def stack_shapes_arabic() -> bool:
    """True when this matplotlib shapes and orders Arabic text by itself.

    The probe lays out three beh with matplotlib's own text layout and checks that they come
    back as three different glyphs (initial, medial, final forms). A stack without shaping
    returns the isolated glyph three times, or has no layout engine at all.
    """
    from matplotlib import font_manager, ft2font

    # DejaVu Sans: it ships with matplotlib and each shaped form is one glyph (Noto draws a
    # letter's dots as glyphs of their own, so a beh lays out as two).
    font = ft2font.FT2Font(font_manager.findfont(FALLBACK_FAMILY))
    layout = getattr(font, "_layout", None)  # matplotlib >= 3.11 (libraqm)
    if layout is None:
        return False
    try:
        glyphs = [item.glyph_index for item in layout(_PROBE, ft2font.LoadFlags.NO_HINTING)]
    except Exception:  # a private API: if it changes shape, fall back to pre-shaping
        return False
    return len(set(glyphs)) == 3


def ar(text: str) -> str:
    """Return ``text`` ready to use as a matplotlib label.

    On a stack that shapes Arabic (matplotlib >= 3.11) the text is returned unchanged; on an
    older stack it is shaped with arabic-reshaper and put in visual order with python-bidi.
    Never use the result outside a plot: it is display-only text.
    """
    if not text or stack_shapes_arabic():
        return text
    import arabic_reshaper
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(text))


def bilingual(arabic: str, english: str | None) -> str:
    """A two-line plot label: the Arabic term over its English gloss."""
    return ar(arabic) if not english else f"{ar(arabic)}\n{english}"


def use_project_style() -> None:
    """Set the font and a few readable defaults for every notebook's plots."""
    mpl.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [register_font(), FALLBACK_FAMILY],
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "figure.constrained_layout.use": True,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


__all__ = [
    "FALLBACK_FAMILY",
    "FONT_FAMILY",
    "ar",
    "bilingual",
    "plt",
    "register_font",
    "stack_shapes_arabic",
    "use_project_style",
]
