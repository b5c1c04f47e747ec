"""Right-to-left display of Arabic tables and text (logical order, never reshaped)."""

from __future__ import annotations

import pandas as pd

from helpers import display


class TestIsArabic:
    def test_arabic_first_text_is_arabic(self):
        assert display.is_arabic("قال وانغ يي (Wang Yi)")

    def test_latin_first_text_is_not_arabic(self):
        assert not display.is_arabic("Wang Yi: وانغ يي")

    def test_numbers_and_missing_values_are_not_arabic(self):
        assert not any(display.is_arabic(v) for v in (3, None, float("nan"), "2022"))


class TestRtlTable:
    def test_arabic_cells_get_rtl_direction_and_latin_cells_do_not(self):
        df = pd.DataFrame({"term": ["القوى الخارجية"], "english": ["external forces"]})
        html = display.rtl_table(df).to_html()
        rtl_rules = [line for line in html.splitlines() if "direction: rtl" in line]
        assert len(rtl_rules) == 1

    def test_latin_text_is_left_aligned_and_numbers_keep_the_default(self):
        df = pd.DataFrame({"term": ["الصين"], "english": ["China"], "count": [3]})
        html = display.rtl_table(df).to_html()
        assert html.count("direction: ltr") == 1 and html.count("direction: rtl") == 1
        assert html.count("text-align: left") == 1

    def test_text_stays_in_logical_order_without_presentation_forms(self):
        df = pd.DataFrame({"term": ["الثورة الملونة"]})
        html = display.rtl_table(df).to_html()
        assert "الثورة الملونة" in html
        assert not any("\ufb50" <= ch <= "\ufeff" for ch in html)

    def test_dates_without_a_time_show_the_day_alone_and_missing_ones_a_dash(self):
        df = pd.DataFrame({"date": pd.to_datetime(["2022-01-10", None])})
        html = display.rtl_table(df).to_html()
        assert "2022-01-10" in html and "00:00" not in html
        assert "NaT" not in html and display.MISSING in html

    def test_a_time_of_day_is_kept_when_there_is_one(self):
        df = pd.DataFrame({"at": pd.to_datetime(["2022-01-10 14:30"])})
        assert "2022-01-10 14:30" in display.rtl_table(df).to_html()

    def test_missing_numbers_and_text_show_a_dash_not_nan(self):
        df = pd.DataFrame({"n": [1.0, None], "t": ["قال", None]})
        html = display.rtl_table(df).to_html()
        assert ">nan<" not in html and html.count(display.MISSING) == 2

    def test_caption_is_escaped(self):
        html = display.rtl_table(pd.DataFrame({"a": [1]}), caption="<b>x</b>").to_html()
        assert "&lt;b&gt;x&lt;/b&gt;" in html


class TestRtlHtml:
    def test_markup_in_article_text_is_escaped(self):
        assert "<script>" not in display.rtl_html("نص <script>alert(1)</script>")

    def test_element_declares_right_to_left(self):
        assert display.rtl_html("نص").startswith('<p dir="rtl" lang="ar"')


class TestShowCodePoints:
    def test_ligature_is_spelled_out_as_its_code_point(self):
        assert display.show_code_points("لا \ufefb") == "لا [U+FEFB]"

    def test_logical_arabic_is_unchanged(self):
        assert display.show_code_points("الثورة الملونة") == "الثورة الملونة"

    def test_rtl_table_never_emits_presentation_forms(self):
        df = pd.DataFrame({"before": ["\ufefb\ufe91"], "after": ["لاب"]})
        html = display.rtl_table(df).to_html()
        assert "[U+FEFB][U+FE91]" in html


HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


class TestRtlTableEscapes:
    def test_markup_in_cells_shows_as_text(self):
        df = pd.DataFrame({"text": [f"قال {HOSTILE}"], "id": [HOSTILE]})
        html = display.rtl_table(df).to_html()
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_markup_in_headers_and_index_shows_as_text(self):
        df = pd.DataFrame({HOSTILE: ["نص"]}, index=pd.Index([HOSTILE], name="id"))
        html = display.rtl_table(df).to_html()
        assert "<script>" not in html and "<img" not in html

    def test_angle_brackets_in_advice_survive(self):
        df = pd.DataFrame({"fix": ["iconv -f <encoding> -t UTF-8"]})
        assert "iconv -f &lt;encoding&gt; -t UTF-8" in display.rtl_table(df).to_html()

    def test_missing_values_show_as_a_dash(self):
        df = pd.DataFrame({"date": [pd.NaT], "place": [None], "n": [float("nan")]})
        html = display.rtl_table(df).to_html()
        assert not any(f">{word}<" in html for word in ("nan", "NaT", "None", "&lt;NA&gt;"))
        assert html.count(display.MISSING) == 3


class TestSortableTable:
    def test_cells_and_caption_are_escaped_once_and_missing_values_shown(self):
        table = pd.DataFrame({"before": ["<script>alert(1)</script> قال", None], "n": [1, 2]})
        page = display.sortable_table(table, caption="<b>lines</b>").data
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
        assert "&lt;b&gt;lines" in page and "&amp;lt;" not in page
        assert display.MISSING.encode("unicode_escape").decode() in page

    def test_arabic_in_an_english_caption_is_isolated(self):
        caption = "Collocates of القوى الخارجية: 2 (click a header to sort)"
        page = display.sortable_table(pd.DataFrame({"a": [1]}), caption=caption).data
        assert page.startswith(
            '<p class="sortable-caption" dir="ltr">Collocates of <bdi>القوى الخارجية</bdi>: 2'
        )

    def test_the_table_reads_right_to_left(self):
        page = display.sortable_table(pd.DataFrame({"a": ["ب"]}), caption="3 lines").data
        assert page.startswith('<p class="sortable-caption" dir="ltr">3 lines</p>')
        assert '<div class="sortable-table" dir="rtl" lang="ar">' in page
