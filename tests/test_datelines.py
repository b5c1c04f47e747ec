"""Tests for helpers.datelines: wire datelines in every month-name convention, agencies."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from helpers import datelines
from helpers.datelines import parse_dateline

D = dt.date

# Month names by convention, written out here (not read from data/) so the test checks the
# data file rather than repeating it. Index i is month i + 1.
MONTHS = {
    "egyptian_gulf": [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ],
    "egyptian_variants": [
        "ينايِر",
        "فبرايِر",
        "مارس",
        "ابريل",
        "مايو",
        "يونيه",
        "يوليه",
        "اغسطس",
        "سبتمبر",
        "اكتوبر",
        "نوفمبر",
        "ديسمبر",
    ],
    "levantine_iraqi": [
        "كانون الثاني",
        "شباط",
        "آذار",
        "نيسان",
        "أيار",
        "حزيران",
        "تموز",
        "آب",
        "أيلول",
        "تشرين الأول",
        "تشرين الثاني",
        "كانون الأول",
    ],
    "maghrebi": [
        "جانفي",
        "فيفري",
        "مارس",
        "أفريل",
        "ماي",
        "جوان",
        "جويلية",
        "أوت",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ],
    "moroccan": [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "ماي",
        "يونيو",
        "يوليوز",
        "غشت",
        "شتنبر",
        "أكتوبر",
        "نونبر",
        "دجنبر",
    ],
}


ARTICLE = (
    "القاهرة 3 مارس 2021 (أ ش أ) قال وزير الخارجية إن المحادثات كانت مثمرة.\n"
    "وأضاف أن الجانبين اتفقا."
)


class TestParseDateline:
    @pytest.mark.parametrize("convention", sorted(MONTHS))
    def test_every_month_of_every_convention_gives_its_month_number(self, convention):
        for number, name in enumerate(MONTHS[convention], start=1):
            d = parse_dateline(f"بكين 7 {name} 2021 (شينخوا) قال المتحدث إن ...")
            assert d is not None and d.date == D(2021, number, 7), (convention, name)

    @pytest.mark.parametrize(
        "name",
        ["إبريل", "أبريل", "ابريل", "يونيو", "يونيه", "يوليو", "يوليه", "أغسطس", "اغسطس", "غشت"],
    )
    def test_spelling_variants_of_the_same_month_agree(self, name):
        expected = {
            "إبريل": 4,
            "أبريل": 4,
            "ابريل": 4,
            "يونيو": 6,
            "يونيه": 6,
            "يوليو": 7,
            "يوليه": 7,
            "أغسطس": 8,
            "اغسطس": 8,
            "غشت": 8,
        }[name]
        assert parse_dateline(f"الرباط 2 {name} 2020 (و م ع) -").date.month == expected

    def test_libyan_month_names_are_read_in_dateline_position(self):
        assert parse_dateline("طرابلس 5 الفاتح 2009 (وال) قال ...").date == D(2009, 9, 5)

    def test_arabic_indic_digits_are_read(self):
        assert parse_dateline("بكين ١٠ يناير ٢٠٢٢ (شينخوا) قال").date == D(2022, 1, 10)

    def test_persian_digits_are_read(self):
        assert parse_dateline("طهران ۱۲ نيسان ۲۰۲۱ (إرنا) أعلن").date == D(2021, 4, 12)

    @pytest.mark.parametrize(
        "city", ["نور سلطان", "أبو ظبي", "الدار البيضاء", "مكة المكرمة", "ريو دي جانيرو"]
    )
    def test_multi_word_cities_are_kept_whole(self, city):
        d = parse_dateline(f"{city} 1 يوليو 2019 (واس) أكد المسؤول")
        assert (d.city, d.date) == (city, D(2019, 7, 1))

    def test_agency_in_parentheses_is_returned_without_them(self):
        assert parse_dateline("موسكو 3 مارس 2022 (رويترز) قال الكرملين").agency == "رويترز"

    def test_bare_known_agency_after_the_date_is_read(self):
        d = parse_dateline("باريس 4 أبريل 2019 أ ف ب\nقال الرئيس الفرنسي")
        assert (d.city, d.agency) == ("باريس", "أ ف ب")

    def test_agency_between_slashes_is_read(self):
        d = parse_dateline("القاهرة في 10 يناير 2022 / أ ش أ / صرح المتحدث")
        assert (d.city, d.date, d.agency) == ("القاهرة", D(2022, 1, 10), "أ ش أ")

    def test_day_and_month_without_a_year_give_no_date(self):
        d = parse_dateline("القاهرة في 10 يناير/ أ ش أ/ صرح المتحدث باسم الوزارة")
        assert (d.city, d.date, d.agency) == ("القاهرة", None, "أ ش أ")

    def test_missing_agency_with_line_break_gives_none_agency(self):
        d = parse_dateline("دمشق 8 آب 2018\nأعلنت وزارة الدفاع")
        assert (d.city, d.date, d.agency) == ("دمشق", D(2018, 8, 8), None)

    def test_dash_dateline_gives_city_without_date_or_agency(self):
        d = parse_dateline("جاكرتا - قال وزير الخارجية الصيني وانغ يي لنظيره الروسي مساء الاثنين")
        assert (d.city, d.date, d.agency, d.raw) == ("جاكرتا", None, None, "جاكرتا -")

    def test_dash_then_agency_reads_both(self):
        d = parse_dateline("بيروت - (أ ف ب) - قال مصدر أمني إن الانفجار وقع صباحا")
        assert (d.city, d.agency) == ("بيروت", "أ ف ب")

    def test_tatweel_dash_and_agency_with_dots_are_read(self):
        d = parse_dateline("باريس ـ أ.ف.ب: قال الرئيس الفرنسي إن بلاده ستواصل دعمها")
        assert (d.city, d.agency) == ("باريس", "أ.ف.ب")

    def test_hijri_plus_gregorian_keeps_the_gregorian_date(self):
        d = parse_dateline("الرياض 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس\nأعلنت الوزارة")
        assert (d.city, d.date, d.agency) == ("الرياض", D(2015, 8, 11), "واس")
        assert d.hijri.startswith("26 شوال 1436")

    def test_gregorian_first_then_hijri_keeps_the_gregorian_date(self):
        d = parse_dateline("جدة 1 مارس 2021 م الموافق 17 رجب 1442 هـ (واس) أكد")
        assert d.date == D(2021, 3, 1)

    def test_hijri_glued_forms_and_agency_glued_to_the_era_mark_are_read(self):
        d = parse_dateline("الدمام25 ذو الحجة 1440هـالموافق 26 أغسطس 2019م واس\nقال")
        assert (d.city, d.date, d.agency) == ("الدمام", D(2019, 8, 26), "واس")
        assert (
            parse_dateline("نجران 9 محرم 1441 هـ الموافق 8 سبتمبر 2019 مواس\nقال").agency == "واس"
        )

    def test_hijri_only_dateline_has_no_gregorian_date(self):
        d = parse_dateline("مكة المكرمة 5 رمضان 1443 هـ (واس) -")
        assert (d.city, d.date) == ("مكة المكرمة", None)
        assert d.hijri == "5 رمضان 1443 هـ"

    def test_weekday_before_the_day_is_allowed(self):
        assert parse_dateline("عمان، الأحد 3 تشرين الأول 2021 (بترا) -").date == D(2021, 10, 3)

    def test_levantine_month_with_gregorian_name_in_parentheses(self):
        d = parse_dateline("بيروت 12 كانون الثاني (يناير) 2020 (الوكالة الوطنية للإعلام) -")
        assert (d.date, d.agency) == (D(2020, 1, 12), "الوكالة الوطنية للإعلام")

    def test_double_month_with_slash_is_read(self):
        assert parse_dateline("الدوحة 9 يناير/كانون الثاني 2022 (قنا) -").date == D(2022, 1, 9)

    def test_numeric_day_month_year_is_read_day_first(self):
        assert parse_dateline("تونس 05/04/2021 (وات) -").date == D(2021, 4, 5)

    def test_raw_is_the_span_of_the_original_text(self):
        text = "\u200fأبهــا 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م واس\nشدد المدير"
        d = parse_dateline(text)
        assert text[d.start : d.end] == d.raw
        assert d.city == "أبها"

    def test_diacritics_in_the_city_and_month_do_not_stop_the_match(self):
        assert parse_dateline("بَكِين 10 ينايِر 2022 (شينخوا)").date == D(2022, 1, 10)

    def test_dateline_after_a_headline_line_is_found(self):
        text = "الصين تدعم الاستقرار في آسيا الوسطى\n\nبكين 3 يناير 2022 (شينخوا) قال المتحدث"
        d = parse_dateline(text)
        assert (d.city, d.date) == ("بكين", D(2022, 1, 3))
        assert text[d.start : d.end] == "بكين 3 يناير 2022 (شينخوا)"

    def test_an_impossible_date_gives_a_dateline_without_a_date(self):
        d = parse_dateline("بغداد 31 شباط 2020 (واع) -")
        assert (d.city, d.date) == ("بغداد", None)

    def test_date_inside_a_sentence_is_not_a_dateline(self):
        assert parse_dateline("قال الوزير إن الاجتماع عقد في بكين 10 يناير 2022 (الاثنين).") is None

    def test_sentence_opening_with_a_date_is_not_a_dateline(self):
        assert parse_dateline("في 10 يناير 2022 أعلنت الحكومة حالة الطوارئ.") is None

    def test_verb_then_date_inside_a_sentence_is_not_a_dateline(self):
        assert parse_dateline("أعلنت الوزارة في 10 يناير 2022 أن الامتحانات ستؤجل.") is None

    def test_reporter_byline_with_a_dash_is_not_read_as_a_city(self):
        assert (
            parse_dateline("إبراهيم الحذيفي – جدة سارعت أمانة جدة لإغلاق مطعم في المدينة") is None
        )

    def test_dashed_aside_is_not_a_dateline(self):
        assert parse_dateline("تمكنت - بفضل الله - عشر فرق إطفاء من السيطرة على الحريق") is None

    def test_story_without_dateline_gives_none(self):
        assert parse_dateline("أضرم المتظاهرون النار في شوارع المدينة بعد ارتفاع الأسعار.") is None

    @pytest.mark.parametrize("text", ["", "   \n", None, 42])
    def test_empty_or_non_text_input_gives_none(self, text):
        assert parse_dateline(text) is None

    def test_dateline_is_frozen(self):
        d = parse_dateline(ARTICLE)
        with pytest.raises(AttributeError):
            d.city = "x"


class TestMonthTable:
    def test_every_convention_in_the_test_is_in_the_table_with_its_month(self):
        table = datelines.month_table()
        lookup = dict(zip(table["name"], table["month"], strict=False))
        for names in MONTHS.values():
            for number, name in enumerate(names, start=1):
                assert lookup[name] == number, name

    def test_hijri_months_are_marked_as_hijri(self):
        table = datelines.month_table().set_index("name")
        assert table.loc["شوال", "calendar"] == "hijri" and table.loc["شوال", "month"] == 10


class TestAgencyTable:
    def test_table_has_variant_and_english_columns_without_blanks(self):
        table = datelines.agency_table()
        assert {"variant", "english"} <= set(table.columns)
        assert (table["variant"] != "").all() and (table["english"] != "").all()


class TestAgencyEnglish:
    def test_known_credits_map_to_english_names_whatever_the_dots(self):
        assert [datelines.agency_english(a) for a in ("أ ف ب", "ا.ف.ب", "واس", "شينخوا")] == [
            "AFP",
            "AFP",
            "SPA",
            "Xinhua",
        ]

    def test_unknown_or_missing_credit_gives_none(self):
        assert (
            datelines.agency_english("صحيفة الحياة") is None
            and datelines.agency_english(None) is None
        )


class TestDatelineTable:
    def test_articles_without_a_dateline_keep_a_row_with_missing_values(self):
        articles = pd.DataFrame({"id": ["a", "b"], "text": [ARTICLE, "نص بلا خط تاريخ."]})
        table = datelines.dateline_table(articles)
        assert table["city"].tolist()[0] == "القاهرة" and pd.isna(table["city"].iloc[1])
