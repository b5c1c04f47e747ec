"""The Arabic plot-label decision, checked on the glyphs matplotlib actually lays out."""

from __future__ import annotations

import dataclasses
import warnings

import matplotlib

matplotlib.use("Agg")

import arabic_reshaper
import pytest
from bidi import get_display
from matplotlib import font_manager, ft2font

from helpers import plotting

WORD = "بيت"  # beh, yeh, teh: joins as initial, medial, final forms
# The same word as shaped presentation forms in visual (left-to-right) order:
# U+FE96 teh final, U+FEF4 yeh medial, U+FE91 beh initial.
SHAPED_VISUAL = "\ufe96\ufef4\ufe91"


def _font():
    return ft2font.FT2Font(font_manager.findfont(plotting.register_font()))


def _probe_font():
    """DejaVu Sans: one glyph per shaped form, so shaping can be compared to presentation
    forms (Noto draws dots as glyphs of their own)."""
    return ft2font.FT2Font(font_manager.findfont(plotting.FALLBACK_FAMILY))


def _laid_out_glyphs(text: str) -> list[int]:
    font = _probe_font()
    return [item.glyph_index for item in font._layout(text, ft2font.LoadFlags.NO_HINTING)]


def _expected_glyphs() -> list[int]:
    font = _probe_font()
    return [font.get_char_index(ord(c)) for c in SHAPED_VISUAL]


needs_raqm = pytest.mark.skipif(
    not hasattr(ft2font.FT2Font, "_layout"), reason="this matplotlib has no text shaping"
)


class TestStackShapesArabic:
    @needs_raqm
    def test_this_stack_is_detected_as_shaping(self):
        assert plotting.stack_shapes_arabic() is True

    @needs_raqm
    def test_the_stack_lays_out_joined_forms_right_to_left(self):
        assert _laid_out_glyphs(WORD) == _expected_glyphs()


class TestAr:
    @needs_raqm
    def test_label_passes_through_unchanged_when_the_stack_shapes(self):
        assert plotting.ar(WORD) == WORD

    @needs_raqm
    def test_rendered_glyphs_of_a_label_are_the_joined_forms(self):
        assert _laid_out_glyphs(plotting.ar(WORD)) == _expected_glyphs()

    @needs_raqm
    def test_pre_shaping_on_a_shaping_stack_would_garble_the_label(self):
        pre_shaped = get_display(arabic_reshaper.reshape(WORD))
        assert _laid_out_glyphs(pre_shaped) != _expected_glyphs()

    def test_label_is_shaped_and_reordered_when_the_stack_cannot(self, monkeypatch):
        monkeypatch.setattr(plotting, "stack_shapes_arabic", lambda: False)
        assert plotting.ar(WORD) == SHAPED_VISUAL

    def test_empty_label_stays_empty(self):
        assert plotting.ar("") == ""


class TestBilingual:
    def test_arabic_line_comes_first_and_english_second(self):
        assert plotting.bilingual("القوى الخارجية", "external forces").splitlines()[1] == (
            "external forces"
        )

    def test_without_english_it_is_the_arabic_label(self):
        assert plotting.bilingual("قوى", None) == plotting.ar("قوى")


# Arabic letters beyond the basic alphabet (Persian, Urdu, Quranic spellings); DejaVu Sans lacks
# the first and the last two.
EXTENDED_ARABIC = "\u0671\u067e\u0686\u0698\u06a4\u06af\u06cc\u06c1\u06d2"


class TestRegisterFont:
    def test_the_plot_font_is_the_packaged_file_not_a_fallback(self):
        import fontpkg

        found = font_manager.findfont(plotting.register_font(), fallback_to_default=False)
        assert found == str(fontpkg.path(plotting.FONT_FAMILY))

    def test_a_system_font_of_the_same_name_is_not_taken(self, monkeypatch):
        # Debian's fonts-noto-core has a Noto Sans Arabic without Latin letters; stand-in:
        # DejaVu Sans under that name, listed before the packaged file.
        import fontpkg

        manager = font_manager.fontManager
        dejavu = font_manager.findfont(plotting.FALLBACK_FAMILY)
        entry = next(f for f in manager.ttflist if f.fname == dejavu)
        system = dataclasses.replace(entry, name=plotting.FONT_FAMILY)
        monkeypatch.setattr(manager, "ttflist", [system, *manager.ttflist])
        plotting.register_font.cache_clear()
        try:
            found = font_manager.findfont(plotting.register_font(), fallback_to_default=False)
        finally:
            monkeypatch.undo()
            plotting.register_font.cache_clear()
            plotting.register_font()
        assert found == str(fontpkg.path(plotting.FONT_FAMILY))

    @pytest.mark.parametrize("letter", list(EXTENDED_ARABIC), ids=lambda c: f"U+{ord(c):04X}")
    def test_extended_arabic_letters_have_a_glyph(self, letter):
        assert _font().get_char_index(ord(letter)) != 0  # glyph 0 is .notdef, the empty box

    def test_latin_letters_and_digits_have_a_glyph_too(self):
        assert all(_font().get_char_index(ord(c)) != 0 for c in "Aaz09()%")


class TestUseProjectStyle:
    def test_plots_use_the_full_coverage_font_first(self):
        plotting.use_project_style()
        assert matplotlib.rcParams["font.sans-serif"][0] == plotting.FONT_FAMILY

    def test_a_label_of_extended_letters_draws_without_missing_glyphs(self):
        plotting.use_project_style()
        fig, ax = plotting.plt.subplots()
        ax.set_title(plotting.ar(f"ٱلقدس {EXTENDED_ARABIC}"))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.canvas.draw()
        plotting.plt.close(fig)

    def test_mixed_arabic_and_latin_labels_draw_without_missing_glyphs(self):
        plotting.use_project_style()
        fig, ax = plotting.plt.subplots()
        ax.set_title(plotting.bilingual("الثورة الملونة (2022)", "colour revolution"))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.canvas.draw()
        plotting.plt.close(fig)
