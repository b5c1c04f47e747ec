"""Arabic cleaning: each normalisation step, the default chain, tokens, sentences, stop list,
clitics and name variants. Expected values are written by hand from the Unicode charts and
Arabic spelling, never copied from the code's output."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from helpers import arabic
from helpers.paths import SEEDS_DIR

SEEDS = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))}

FATHA, DAMMA, KASRA, SHADDA, SUKUN = "\u064e", "\u064f", "\u0650", "\u0651", "\u0652"
FATHATAN, DAMMATAN, KASRATAN = "\u064b", "\u064c", "\u064d"
RLM, LRM, ALM, ZWJ, ZWNJ, ZWSP, BOM = (
    "\u200f",
    "\u200e",
    "\u061c",
    "\u200d",
    "\u200c",
    "\u200b",
    "\ufeff",
)
HAMZA_ABOVE, HAMZA_BELOW, MADDAH = "\u0654", "\u0655", "\u0653"

# Alphabets for property tests.
MARKS = "".join(
    arabic._expand(arabic.HARAKAT + arabic.OTHER_MARKS + arabic.DAGGER_ALEF + arabic.QURANIC_MARKS)
)
INVISIBLES = "".join(arabic._expand(arabic.BIDI_CONTROLS + arabic.ZERO_WIDTH))
ARABIC_TEXT = st.text(
    alphabet=arabic.ARABIC_LETTERS + MARKS + INVISIBLES + arabic.TATWEEL + " ،.٠١٢٣۴۵0123",
    max_size=300,
)
ANY_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFFFF, exclude_categories=["Cs"]),
    max_size=300,
)


def steps_one_by_one(text: str, steps=arabic.DEFAULT_STEPS) -> str:
    """The obvious reference for the default chain: each step applied in turn."""
    for step in steps:
        text = step(text)
    return text


def camel_chain(text: str) -> str:
    text = normalize_unicode(text)
    text = dediac_ar(text)
    text = normalize_alef_ar(text)
    text = normalize_alef_maksura_ar(text)
    return normalize_teh_marbuta_ar(text)


# --------------------------------------------------------------------------- the steps


class TestRemoveInvisibles:
    def test_rlm_lrm_and_arabic_letter_mark_are_deleted(self):
        assert arabic.remove_invisibles(f"{RLM}بكين{LRM} {ALM}2022") == "بكين 2022"

    def test_embeddings_overrides_and_isolates_are_deleted(self):
        text = "\u202bقازاقستان\u202c \u2067روسيا\u2069 \u202e"
        assert arabic.remove_invisibles(text) == "قازاقستان روسيا "

    def test_zero_width_characters_and_bom_are_deleted(self):
        assert arabic.remove_invisibles(f"{BOM}وان{ZWJ}غ{ZWNJ} يي{ZWSP}") == "وانغ يي"

    def test_word_joiner_is_deleted(self):
        assert arabic.remove_invisibles("وان\u2060غ") == arabic.normalize("وان\u2060غ") == "وانغ"

    def test_zero_width_lists_each_character_once_without_ranges(self):
        # U+200B ZWSP, U+200C ZWNJ, U+200D ZWJ, U+2060 WORD JOINER, U+FEFF ZWNBSP/BOM
        assert arabic.ZERO_WIDTH == "\u200b\u200c\u200d\u2060\ufeff"

    def test_bidi_controls_list_each_character_once_without_ranges(self):
        expected = "\u061c\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F)))
        assert expected + "".join(map(chr, range(0x2066, 0x206A))) == arabic.BIDI_CONTROLS

    def test_ordinary_spaces_and_punctuation_stay(self):
        text = "قال: «نعم»، ثم\u00a0غادر.\n"
        assert arabic.remove_invisibles(text) == text


class TestFoldPresentationForms:
    def test_contextual_letter_forms_become_base_letters(self):
        # ﻗ initial qaf U+FED7, ﺎ final alef U+FE8E, ﺯ isolated zain U+FEAF, ...
        shaped = "\ufed7\ufe8e\ufeaf\ufe8e\ufed7\ufeb3\ufe98\ufe8e\ufee5"
        assert arabic.fold_presentation_forms(shaped) == "قازاقستان"

    def test_lam_alef_ligature_expands_to_two_letters(self):
        assert arabic.fold_presentation_forms("\ufefb") == "لا"

    def test_lam_alef_with_hamza_ligature_keeps_the_hamza(self):
        assert arabic.fold_presentation_forms("\ufef7") == "لأ"

    def test_allah_ligature_becomes_the_word(self):
        assert arabic.fold_presentation_forms("\ufdf2") == "الله"

    def test_rial_sign_is_spelled_with_arabic_yeh(self):
        assert arabic.fold_presentation_forms("\ufdfc") == "ريال"

    def test_latin_compatibility_characters_are_not_touched(self):
        text = "\ufb01le ２０２２ x²"  # fi ligature, full-width digits, superscript two
        assert arabic.fold_presentation_forms(text) == text


class TestComposeHamza:
    def test_alef_plus_combining_hamza_above_becomes_alef_with_hamza(self):
        assert arabic.compose_hamza("ا" + HAMZA_ABOVE + "من") == "أمن"

    def test_alef_plus_hamza_below_and_maddah(self):
        assert arabic.compose_hamza("ا" + HAMZA_BELOW + "ن ا" + MADDAH + "سيا") == "إن آسيا"

    def test_waw_and_yeh_with_combining_hamza_compose(self):
        assert arabic.compose_hamza("مو" + HAMZA_ABOVE + "تمر شي" + HAMZA_ABOVE) == "مؤتمر شئ"

    def test_hamza_after_a_fatha_still_composes_and_keeps_the_fatha(self):
        assert arabic.compose_hamza("ا" + FATHA + HAMZA_ABOVE) == "أ" + FATHA

    def test_hamza_mark_after_a_letter_without_a_composed_form_stays(self):
        text = "ل" + HAMZA_ABOVE
        assert arabic.compose_hamza(text) == text


class TestStripDiacritics:
    def test_short_vowels_shadda_and_sukun_are_deleted(self):
        text = f"ع{FATHA}ل{SHADDA}{FATHA}م{FATHA} م{DAMMA}س{SUKUN}ل{KASRA}م"
        assert arabic.strip_diacritics(text) == "علم مسلم"

    def test_tanween_is_deleted(self):
        assert arabic.strip_diacritics(f"شكر{FATHATAN}ا كتاب{DAMMATAN} عال{KASRATAN}") == (
            "شكرا كتاب عال"
        )

    def test_dagger_alef_is_deleted_not_turned_into_alef(self):
        assert arabic.strip_diacritics("ه\u0670ذا") == "هذا"

    def test_quranic_annotation_marks_are_deleted(self):
        # U+0610 sign sallallahou, U+06D6 small high ligature sad-lam-alef, U+06ED small meem
        assert arabic.strip_diacritics("محمد\u0610 الكتاب\u06d6 من\u06ed") == "محمد الكتاب من"

    def test_tatweel_and_hamza_letters_are_kept(self):
        text = "الصيـن مؤتمر شيء أسئلة"
        assert arabic.strip_diacritics(text) == text


class TestRemoveTatweel:
    def test_tatweel_runs_are_deleted(self):
        assert arabic.remove_tatweel("الصيــــن والـ14") == "الصين وال14"

    def test_text_without_tatweel_is_unchanged(self):
        assert arabic.remove_tatweel("قال وانغ يي") == "قال وانغ يي"


class TestNormalizeAlef:
    @pytest.mark.parametrize("alef", ["أ", "إ", "آ", "ٱ", "\u0672", "\u0673"])
    def test_each_alef_form_becomes_bare_alef(self, alef):
        assert arabic.normalize_alef(alef + "من") == "امن"

    def test_hamza_on_waw_yeh_and_on_the_line_is_kept(self):
        assert arabic.normalize_alef("مؤتمر أسئلة شيء") == "مؤتمر اسئلة شيء"

    def test_the_fold_merges_an_and_in(self):
        assert arabic.normalize_alef("أن") == arabic.normalize_alef("إن")


class TestNormalizeAlefMaksura:
    def test_final_alef_maksura_becomes_yeh(self):
        assert arabic.normalize_alef_maksura("فى الارهابى") == "في الارهابي"

    def test_the_documented_loss_ala_and_ali_merge(self):
        assert arabic.normalize_alef_maksura("على") == "علي"


class TestNormalizeTehMarbuta:
    def test_teh_marbuta_becomes_heh(self):
        assert arabic.normalize_teh_marbuta("الثورة الملونة") == "الثوره الملونه"

    def test_teh_and_heh_elsewhere_are_untouched(self):
        assert arabic.normalize_teh_marbuta("قوته هذه") == "قوته هذه"


class TestNormalizeDigits:
    def test_arabic_indic_digits_become_ascii(self):
        assert arabic.normalize_digits("١٠ يناير ٢٠٢٢") == "10 يناير 2022"

    def test_persian_digits_become_ascii(self):
        assert arabic.normalize_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"

    def test_arabic_separators_and_percent_sign_become_ascii(self):
        assert arabic.normalize_digits("١٬٥٠٠ و٣٫٥٪") == "1,500 و3.5%"

    def test_arabic_comma_is_not_a_number_separator(self):
        assert arabic.normalize_digits("١، ٢") == "1، 2"


# --------------------------------------------------------------------------- the chain


class TestNormalize:
    def test_default_chain_on_a_vocalised_sentence(self):
        text = "أَعْرَبَ الرَّئِيسُ القازاقى عن دَعْمِهِ لِمُنَظَّمَةِ مُعاهدة الأمن ٢٠٢٢"
        assert arabic.normalize(text) == "اعرب الرئيس القازاقي عن دعمه لمنظمه معاهده الامن 2022"

    def test_default_chain_on_text_copied_from_a_pdf(self):
        text = "\u200f\ufe8d\ufedf\ufebc\ufef4\ufee6 \ufefb\u200f"  # الصين لا as glyphs + RLM
        assert arabic.normalize(text) == "الصين لا"

    def test_decomposed_hamza_meets_the_same_folds_as_precomposed(self):
        decomposed = "و" + HAMZA_ABOVE + "كد ا" + HAMZA_BELOW + "ن"
        assert arabic.normalize(decomposed) == arabic.normalize("ؤكد إن") == "ؤكد ان"

    def test_steps_can_be_named(self):
        assert arabic.normalize("إنَّ", steps=["strip_diacritics"]) == "إن"

    def test_a_custom_step_runs_after_the_chosen_ones(self):
        assert arabic.normalize("إنّ", steps=["normalize_alef", str.strip]) == "انّ"

    def test_unknown_step_name_is_a_clear_error(self):
        with pytest.raises(ValueError, match="unknown normalisation step 'stem'"):
            arabic.normalize("نص", steps=["stem"])

    def test_non_text_input_is_a_clear_error(self):
        with pytest.raises(TypeError, match="normalize_series"):
            arabic.normalize(float("nan"))

    @given(ARABIC_TEXT)
    def test_default_is_idempotent_on_arabic_text(self, text):
        once = arabic.normalize(text)
        assert arabic.normalize(once) == once

    @given(ANY_TEXT)
    def test_default_is_idempotent_on_any_text(self, text):
        once = arabic.normalize(text)
        assert arabic.normalize(once) == once

    @given(ARABIC_TEXT)
    def test_no_arabic_letter_is_lost_outside_the_documented_folds(self, text):
        letters = [arabic.FOLDS.get(c, c) for c in text if c in arabic.ARABIC_LETTERS]
        kept = [c for c in arabic.normalize(text) if c in arabic.ARABIC_LETTERS]
        assert kept == letters

    @given(ANY_TEXT)
    def test_fast_path_matches_the_steps_applied_one_by_one(self, text):
        assert arabic.normalize(text) == steps_one_by_one(text)

    @settings(max_examples=30)
    @given(st.lists(ANY_TEXT, min_size=20, max_size=40))
    def test_long_texts_in_several_chunks_match_the_steps(self, parts):
        text = "قازاقستان ".join(parts) * 20
        assert arabic.normalize(text) == steps_one_by_one(text)

    def test_lookup_table_agrees_with_the_steps_for_every_bmp_character(self):
        chars = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000]
        for ch in chars:
            expected = steps_one_by_one(ch)
            assert arabic.normalize(ch) == expected, f"U+{ord(ch):04X}"
            assert arabic.normalize("ا" + ch * 2) == steps_one_by_one("ا" + ch * 2)

    def test_noncharacters_fffe_and_ffff_are_kept_like_any_other_character(self):
        assert arabic.normalize("فى\ufffe\uffffإن") == "في\ufffe\uffffان"

    def test_a_lone_surrogate_passes_through(self):
        assert arabic.normalize("إن\ud800") == "ان\ud800"

    def test_empty_text(self):
        assert arabic.normalize("") == ""

    def test_table_path_pieces_with_presentation_forms_and_decomposed_hamza(self):
        word = "ا" + HAMZA_ABOVE + "من\ufefb"  # decomposed أ, then the lam-alef ligature
        text = f"{word} قازاقستان " * 9000 + "و" + HAMZA_ABOVE
        assert len(text) > 2 * arabic._TABLE_CHUNK
        assert arabic.normalize(text) == "امنلا قازاقستان " * 9000 + "ؤ"

    def test_characters_outside_the_bmp_survive_the_table_path(self):
        text = ("قازاقستان 🇰🇿 𝔸 " * 500).strip()
        assert arabic.normalize(text) == text

    @pytest.mark.parametrize("name", sorted(SEEDS))
    def test_seeds_are_a_fixed_point_after_one_pass(self, name):
        once = arabic.normalize(SEEDS[name])
        assert arabic.normalize(once) == once


class TestAgreementWithCamel:
    """Where ours and CAMeL's chain do the same thing, the outputs are identical.

    They differ, by design: CAMeL keeps tatweel, bidi/zero-width characters, Quranic marks
    outside its diacritic set, combining hamza marks, Arabic-Indic digits and ٲ ٳ; and its
    NFKC runs over all of Unicode (full-width Latin, ﬁ, NBSP -> space), ours only over the
    Arabic presentation-form blocks.
    """

    SAME_STEPS = (
        "fold_presentation_forms",
        "strip_diacritics",
        "normalize_alef",
        "normalize_alef_maksura",
        "normalize_teh_marbuta",
    )
    EXTRA_STEPS = ("remove_invisibles", "remove_tatweel", "normalize_digits")

    @pytest.mark.parametrize("name", sorted(SEEDS))
    def test_the_shared_steps_give_camels_output_on_the_seeds(self, name):
        assert arabic.normalize(SEEDS[name], steps=self.SAME_STEPS) == camel_chain(SEEDS[name])

    @pytest.mark.parametrize("name", sorted(SEEDS))
    def test_default_equals_camel_plus_our_extra_steps_on_the_seeds(self, name):
        text = SEEDS[name]
        assert arabic.normalize(text) == arabic.normalize(camel_chain(text), self.EXTRA_STEPS)

    def test_agreement_on_a_written_sentence_with_every_shared_fold(self):
        text = "إنَّ آسيا ٱلوسطى أَمامَ مُنظّمةٍ كُبرى ﻻ تتوقف"
        assert arabic.normalize(text, steps=self.SAME_STEPS) == camel_chain(text)

    def test_camel_keeps_tatweel_and_we_delete_it(self):
        text = "الصيــن"
        assert camel_chain(text) == text
        assert arabic.normalize(text) == "الصين"

    def test_camel_applies_nfkc_to_latin_and_we_do_not(self):
        text = "\ufb01 ２٠"
        assert camel_chain(text) == "fi 2٠"
        assert arabic.normalize(text) == "\ufb01 ２0"


class TestNormalizeSeries:
    def test_every_value_is_normalised_and_the_index_kept(self):
        series = pd.Series(["قازاقستانُ", "فى"], index=["a", "b"], name="text")
        out = arabic.normalize_series(series)
        assert out.to_dict() == {"a": "قازاقستان", "b": "في"} and out.name == "text"

    def test_missing_values_stay_missing(self):
        out = arabic.normalize_series(pd.Series(["إن", None], dtype=object))
        assert out[0] == "ان" and pd.isna(out[1])

    def test_non_text_values_are_a_clear_error_naming_the_index(self):
        with pytest.raises(TypeError, match="index 'x'"):
            arabic.normalize_series(pd.Series([3], index=["x"]))

    @given(st.lists(ANY_TEXT, max_size=12))
    def test_equals_normalising_each_text(self, values):
        out = arabic.normalize_series(pd.Series(values, dtype=object))
        assert out.tolist() == [arabic.normalize(v) for v in values]

    def test_a_text_holding_the_batch_separator_is_still_normalised_alone(self):
        out = arabic.normalize_series(pd.Series(["إن\x00فى", "أن"], dtype=object))
        assert out.tolist() == ["ان\x00في", "ان"]

    def test_chosen_steps_are_applied(self):
        out = arabic.normalize_series(pd.Series(["إنَّ"]), steps=["strip_diacritics"])
        assert out.tolist() == ["إن"]


def _offsets_one_match_at_a_time(text, steps=arabic.DEFAULT_STEPS):
    """normalize_with_offsets the obvious way: a Python loop over each step's matches."""
    offsets = list(range(len(text)))
    for step in steps:
        rule = arabic._RULES[step]
        out, index, pos = [], [], 0
        for m in rule.pattern.finditer(text):
            start, end = m.span()
            repl = rule.replace if isinstance(rule.replace, str) else rule.replace(m)
            out += [text[pos:start], repl]
            index += list(range(pos, start))
            index += list(range(start, end)) if len(repl) == end - start else [start] * len(repl)
            pos = end
        out.append(text[pos:])
        index += list(range(pos, len(text)))
        text, offsets = "".join(out), [offsets[i] for i in index]
    return text, offsets


class TestNormalizeWithOffsets:
    def test_each_normalised_character_points_at_its_source(self):
        text = "وَأعربَ"  # waw, fatha, alef-hamza, ain, reh, beh, fatha
        norm, offsets = arabic.normalize_with_offsets(text)
        assert norm == "واعرب" and offsets == [0, 2, 3, 4, 5]

    def test_ligature_letters_all_point_at_the_ligature(self):
        norm, offsets = arabic.normalize_with_offsets("ب \ufefb")
        assert norm == "ب لا" and offsets == [0, 1, 2, 2]

    def test_a_match_on_normalised_text_is_quoted_from_the_original(self):
        text = "قال الرئيسُ القازاقى\u200f توكاييف"
        norm, offsets = arabic.normalize_with_offsets(text)
        a = norm.index("القازاقي")
        b = a + len("القازاقي")
        assert text[offsets[a] : offsets[b - 1] + 1] == "القازاقى"

    @given(ANY_TEXT)
    def test_output_equals_normalize_and_offsets_increase(self, text):
        norm, offsets = arabic.normalize_with_offsets(text)
        assert norm == arabic.normalize(text)
        assert len(offsets) == len(norm)
        assert offsets == sorted(offsets) and all(0 <= i < len(text) for i in offsets)

    @given(ANY_TEXT)
    def test_offsets_equal_the_one_match_at_a_time_reference(self, text):
        assert arabic.normalize_with_offsets(text) == _offsets_one_match_at_a_time(text)

    @settings(max_examples=30)
    @given(st.text(alphabet=arabic.ARABIC_LETTERS + MARKS + INVISIBLES + "\ufefb\ufef7 \u0654"))
    def test_offsets_with_ligatures_and_combining_hamza_equal_the_reference(self, text):
        assert arabic.normalize_with_offsets(text) == _offsets_one_match_at_a_time(text)

    def test_offsets_on_the_seeds_equal_the_reference(self):
        for text in SEEDS.values():
            assert arabic.normalize_with_offsets(text) == _offsets_one_match_at_a_time(text)

    def test_a_custom_step_cannot_be_tracked(self):
        with pytest.raises(ValueError, match="custom step"):
            arabic.normalize_with_offsets("نص", steps=[str.strip])


class TestStepChanges:
    def test_counts_characters_and_tokens_each_step_changed(self):
        table = arabic.step_changes("أَعربَ عن دعمِهِ", steps=["strip_diacritics", "normalize_alef"])
        assert table["chars_changed"].tolist() == [4, 1]
        assert table["tokens_changed"].tolist() == [2, 1]
        assert table["tokens"].tolist() == [3, 3]

    def test_a_step_with_nothing_to_do_counts_zero(self):
        table = arabic.step_changes("قال وانغ", steps=["remove_tatweel"])
        assert table.loc[0, "chars_changed"] == 0 and table.loc[0, "tokens_changed"] == 0


# --------------------------------------------------------------------------- tokens


class TestTokenize:
    def test_diacritics_and_tatweel_do_not_split_words(self):
        assert arabic.tokenize("إنَّ الصيــنَ") == ["إنَّ", "الصيــنَ"]

    def test_punctuation_and_arabic_comma_separate_tokens(self):
        assert arabic.tokenize("الصين، روسيا؛ (قازاقستان)") == ["الصين", "روسيا", "قازاقستان"]

    def test_decimal_and_grouped_numbers_stay_whole(self):
        assert arabic.tokenize("نما 3.5 و١٬٥٠٠ و2022") == ["نما", "3.5", "و١٬٥٠٠", "و2022"]

    def test_hyphenated_compounds_split_as_documented(self):
        assert arabic.tokenize("الصينية-القازاقية") == ["الصينية", "القازاقية"]

    @given(ARABIC_TEXT)
    def test_on_normalised_text_tokens_are_runs_of_letters_and_digits(self, text):
        norm = arabic.normalize(text)
        assert arabic.tokenize(norm) == re.findall(r"(?u)[^\W_]+(?:(?<=\d)[.,]\d+)*", norm)

    @given(
        st.text(alphabet=arabic.ARABIC_LETTERS + MARKS + "\u0640\u200c\u200d ،.٫٬3٣_a", max_size=80)
    )
    def test_on_raw_text_tokens_are_runs_of_letters_and_marks_from_the_first_letter(self, text):
        marks = "".join(arabic._expand(arabic._IN_WORD))
        not_letters = "".join(c for c in marks if not c.isalnum())  # tatweel is a letter (Lm)
        word = f"(?:[^\\W_]|[{re.escape(marks)}])"
        runs = re.findall(f"{word}+(?:(?<=\\d)[.,\u066b\u066c]\\d+)*", text)
        expected = [r.lstrip(not_letters) for r in runs if r.lstrip(not_letters)]
        assert arabic.tokenize(text) == expected

    def test_a_stray_mark_before_a_word_is_not_a_token(self):
        assert arabic.tokenize(f"{KASRA} قال{FATHA}") == [f"قال{FATHA}"]


class TestBmpClass:
    @pytest.mark.parametrize("regex", [r"\w", r"[^\W_]", r"\d", "[\u064b-\u0652\ud800-\udbff]"])
    def test_agrees_with_the_regex_on_every_bmp_character(self, regex):
        rx = re.compile(regex)
        expected = [rx.match(chr(c)) is not None for c in range(0x10000)]
        assert arabic.bmp_class(regex).tolist() == expected

    def test_arabic_letters_and_digits_are_word_characters_and_harakat_are_not(self):
        table = arabic.bmp_class(r"[^\W_]")
        assert table[ord("ع")] and table[ord("٣")] and not table[0x064E] and not table[ord("_")]


class TestTokenPattern:
    def test_scikit_learn_default_splits_a_word_at_an_inner_diacritic(self):
        # م ُ ن ظ ّ م ة: the marks are not \w, so the word falls apart into م, نظ, مة and
        # the default pattern keeps only pieces of two letters or more.
        vec = CountVectorizer().fit(["مُنظّمة"])
        assert sorted(vec.vocabulary_) == ["مة", "نظ"]

    def test_scikit_learn_default_keeps_tatweel_inside_a_token(self):
        vec = CountVectorizer().fit(["الصيـن الصين"])
        assert set(vec.vocabulary_) == {"الصين", "الصيـن"}

    def test_scikit_learn_strip_accents_folds_hamza_on_waw(self):
        vec = CountVectorizer(strip_accents="unicode").fit(["مؤتمر"])
        assert list(vec.vocabulary_) == ["موتمر"]

    def test_token_pattern_keeps_normalised_words_whole(self):
        text = arabic.normalize("إنَّ الصينَ ودعمَ 3.5")
        vec = CountVectorizer(token_pattern=arabic.TOKEN_PATTERN).fit([text])
        assert sorted(vec.vocabulary_) == sorted(["3.5", "ان", "الصين", "ودعم"])


# --------------------------------------------------------------------------- sentences


# Letters, titles, digits (Western and Arabic-Indic), Latin, sentence ends, closers, spaces.
_SENTENCE_ALPHABET = [*'أدمفبوقال٣5²xA_.!؟؛…\n \t"»)(«', "\u00a0", "\u0640", FATHA]


_SENT_END_PLAIN = re.compile(f"\\n+|[.!?\u061f\u061b\u2026\u06d4]+[{arabic._CLOSERS}]*")


def _spans_every_stop_tested(text):
    """sentence_spans the straightforward way: candidate ends found by the plain regex, and
    every one of them through the full test."""
    protected = [m.span() for m in arabic._ABBREV_RE.finditer(text)]
    cuts = [
        m.end() for m in _SENT_END_PLAIN.finditer(text) if arabic._is_boundary(text, m, protected)
    ]
    spans, start = [], 0
    for cut in [*cuts, len(text)]:
        a, b = start, cut
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
        start = cut
    return spans


class TestSentenceSpans:
    def test_spans_index_the_original_text(self):
        text = "  قال وانغ.  وأضاف لافروف؟"
        assert arabic.sentence_spans(text) == [(2, 11), (13, 26)]

    def test_empty_and_blank_text_have_no_sentences(self):
        assert arabic.sentence_spans("") == [] and arabic.sentence_spans(" \n ") == []

    @settings(max_examples=600, deadline=None)
    @given(st.text(alphabet=st.sampled_from(_SENTENCE_ALPHABET), max_size=60))
    def test_fast_rules_give_the_straightforward_rules_spans(self, text):
        # sentence_spans tests a full stop in full only when a cheap condition says it may
        # not end a sentence; this checks that shortcut against every stop tested in full.
        assert arabic.sentence_spans(text) == _spans_every_stop_tested(text)

    def test_fast_rules_agree_on_the_seeds(self):
        for text in SEEDS.values():
            assert arabic.sentence_spans(text) == _spans_every_stop_tested(text)


class TestSplitSentences:
    def test_arabic_comma_does_not_end_a_sentence(self):
        assert arabic.split_sentences("قال وانغ، إن الصين مستعدة، للدعم.") == [
            "قال وانغ، إن الصين مستعدة، للدعم."
        ]

    def test_question_mark_semicolon_exclamation_and_full_stop_end_sentences(self):
        text = "هل حضر؟ نعم؛ حضر! ثم غادر. انتهى"
        assert arabic.split_sentences(text) == ["هل حضر؟", "نعم؛", "حضر!", "ثم غادر.", "انتهى"]

    def test_newlines_end_sentences(self):
        assert arabic.split_sentences("بكين (شينخوا)\nقال وانغ") == ["بكين (شينخوا)", "قال وانغ"]

    def test_decimal_points_do_not_end_sentences(self):
        assert arabic.split_sentences("نما بنسبة 3.5 بالمئة. ثم تراجع") == [
            "نما بنسبة 3.5 بالمئة.",
            "ثم تراجع",
        ]

    def test_dotted_agency_abbreviations_do_not_end_sentences(self):
        assert arabic.split_sentences("ذكرت أ.ف.ب أن الوضع هادئ. وقالت د.ب.أ ذلك") == [
            "ذكرت أ.ف.ب أن الوضع هادئ.",
            "وقالت د.ب.أ ذلك",
        ]

    def test_one_letter_title_does_not_end_a_sentence(self):
        assert arabic.split_sentences("قال د. محمد إن ذلك صحيح.") == ["قال د. محمد إن ذلك صحيح."]

    def test_closing_quote_stays_with_its_sentence(self):
        assert arabic.split_sentences('وقال: "بعد العاصفة يأتي قوس قزح." ثم غادر') == [
            'وقال: "بعد العاصفة يأتي قوس قزح."',
            "ثم غادر",
        ]

    def test_web_address_is_not_split(self):
        assert arabic.split_sentences("المصدر arabic.news.cn اليوم.") == [
            "المصدر arabic.news.cn اليوم."
        ]

    def test_documented_failure_sentence_ending_in_an_abbreviation_merges(self):
        assert len(arabic.split_sentences("نقلت ذلك أ.ف.ب. وقال الوزير")) == 1

    def test_documented_failure_mid_sentence_ellipsis_splits(self):
        assert len(arabic.split_sentences("قال… إن الصين مستعدة")) == 2

    def test_every_seed_sentence_ends_with_punctuation_or_a_line_end(self):
        for text in SEEDS.values():
            for _a, b in arabic.sentence_spans(text):
                assert b == len(text) or text[b - 1] in '.؟!؛"»)' or text[b] == "\n"


# --------------------------------------------------------------------------- stop words


class TestStopwords:
    def test_the_list_is_a_fixed_point_of_normalize(self):
        assert all(arabic.normalize(w) == w for w in arabic.stopwords())

    def test_hamza_and_maksura_spellings_are_stored_normalised(self):
        stop = arabic.stopwords()
        assert {"ان", "الي", "في", "هذه"} <= stop and not {"أن", "إلى", "فى"} & stop

    def test_content_words_and_reporting_verbs_are_not_stop_words(self):
        assert not {"قال", "الصين", "قازاقستان", "الارهاب", "دعم"} & arabic.stopwords()

    def test_comments_and_blank_lines_are_not_read_as_words(self):
        assert not any(w.startswith("#") or not w.strip() for w in arabic.stopwords())

    def test_the_file_names_its_source_in_a_header(self):
        head = arabic.STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()[:12]
        assert any(line.startswith("# Source:") for line in head)


# --------------------------------------------------------------------------- clitics


class TestSplitClitics:
    def test_conjunction_preposition_and_article(self):
        assert arabic.split_clitics("وبالصين") == ["و", "ب", "ال", "صين"]

    def test_lil_is_preposition_plus_article(self):
        assert arabic.split_clitics("للتعاون") == ["ل", "ال", "تعاون"]

    def test_fa_and_ka(self):
        assert arabic.split_clitics("فكالعاده") == ["ف", "ك", "ال", "عاده"]

    def test_word_without_clitics_is_returned_whole(self):
        assert arabic.split_clitics("تعاون") == ["تعاون"]

    @pytest.mark.parametrize("word", ["وزير", "بكين", "لافروف", "كازاخستان"])
    def test_protected_words_keep_their_first_letters(self, word):
        assert arabic.split_clitics(word) == [word]

    def test_protected_stem_behind_a_real_clitic(self):
        assert arabic.split_clitics("ولافروف") == ["و", "لافروف"]

    def test_article_before_a_protected_stem_is_split(self):
        assert arabic.split_clitics("والوزير") == ["و", "ال", "وزير"]

    def test_words_of_organisation_names_are_not_protected(self):
        assert arabic.split_clitics("والطريق") == ["و", "ال", "طريق"]

    def test_min_stem_stops_short_remainders(self):
        assert arabic.split_clitics("وقال") == ["و", "قال"]
        assert arabic.split_clitics("وقال", min_stem=4) == ["وقال"]

    @pytest.mark.parametrize(
        ("word", "wrong"),
        [("وصول", ["و", "صول"]), ("فرصه", ["ف", "رصه"]), ("التزام", ["ال", "تزام"])],
    )
    def test_documented_failures_unlisted_root_letters_are_split(self, word, wrong):
        assert arabic.split_clitics(word) == wrong


class TestVocabulary:
    def test_normalisation_merges_spellings(self):
        raw = arabic.vocabulary(["إنّ الصين", "ان الصين"])
        norm = arabic.vocabulary(["إنّ الصين", "ان الصين"], steps=arabic.DEFAULT_STEPS)
        assert len(raw) == 3 and len(norm) == 2

    def test_counts_over_several_batches_equal_counting_text_by_text(self):
        texts = [f"إنّ الصين {i % 7} فى" for i in range(2 * arabic._TEXTS_PER_BATCH + 3)]
        expected = Counter()
        for text in texts:
            expected.update(arabic.tokenize(arabic.normalize(text)))
        assert arabic.vocabulary(texts, steps=arabic.DEFAULT_STEPS) == expected

    def test_missing_texts_are_skipped(self):
        assert arabic.vocabulary(["قال", None]) == Counter({"قال": 1})

    def test_stop_words_can_be_dropped(self):
        counts = arabic.vocabulary(["في الصين"], steps=arabic.DEFAULT_STEPS, drop_stopwords=True)
        assert dict(counts) == {"الصين": 1}


# --------------------------------------------------------------------------- notebook views


class TestCharacterClassTable:
    def test_counts_each_class_by_hand(self):
        table = arabic.character_class_table([f"أَعربَ{RLM} فى الصيــن ٢٠ مؤتمرة", "قال"])
        counts = table.iloc[0]
        assert counts["harakat"] == 2 and counts["tatweel"] == 2
        assert counts["bidi/zero-width"] == 1 and counts["alef with hamza/madda/wasla"] == 1
        assert counts["alef maksura"] == 1 and counts["teh marbuta"] == 1
        assert counts["Arabic-Indic/Persian digits"] == 2
        assert counts["hamza on waw/yeh/line (kept)"] == 1
        assert table.iloc[1].sum() == 0

    def test_rows_are_labelled_by_the_index_given(self):
        table = arabic.character_class_table(["فى", ""], index=["a", "b"])
        assert table.loc["a", "alef maksura"] == 1 and table.loc["b"].sum() == 0

    def test_counts_equal_a_regex_count_per_class_on_the_seeds(self):
        table = arabic.character_class_table(SEEDS.values())
        for row, text in zip(table.itertuples(index=False), SEEDS.values(), strict=True):
            expected = [
                len(re.findall(f"[{body}]", text)) for body in arabic.CHARACTER_CLASSES.values()
            ]
            assert list(row) == expected

    @given(st.lists(ANY_TEXT, max_size=5))
    def test_counts_equal_a_regex_count_per_class_on_any_text(self, texts):
        table = arabic.character_class_table(texts)
        for row, text in zip(table.itertuples(index=False), texts, strict=True):
            expected = [
                len(re.findall(f"[{body}]", text)) for body in arabic.CHARACTER_CLASSES.values()
            ]
            assert list(row) == expected


class TestStepChangeTable:
    def test_one_row_per_article_and_step_with_shares(self):
        articles = pd.DataFrame({"id": ["a", "b"], "text": ["إنّ الصين", "قال"]})
        table = arabic.step_change_table(articles, steps=["strip_diacritics", "normalize_alef"])
        assert len(table) == 4
        a = table[table.id == "a"].set_index("step")
        assert a.loc["strip_diacritics", "share_tokens_changed"] == 0.5
        assert a.loc["normalize_alef", "chars_changed"] == 1

    def test_missing_texts_are_skipped(self):
        articles = pd.DataFrame({"id": ["a"], "text": [None]})
        assert arabic.step_change_table(articles).empty


class TestStepChangeSummary:
    @pytest.fixture
    def summary(self):
        articles = pd.DataFrame({"id": ["a", "b"], "text": ["إنّ الصين", "قال إن"]})
        changes = arabic.step_change_table(articles, steps=["strip_diacritics", "normalize_alef"])
        return arabic.step_change_summary(changes)

    def test_one_row_per_step_in_chain_order(self, summary):
        assert summary["step"].tolist() == ["strip_diacritics", "normalize_alef"]

    def test_shares_pool_the_tokens_of_all_articles(self, summary):
        # strip_diacritics changes إنّ only: 1 of 4 tokens; normalize_alef then إن twice: 2 of 4
        assert summary["share_tokens_changed"].tolist() == [0.25, 0.5]

    def test_it_counts_the_articles_each_step_touched_and_all_articles(self, summary):
        assert summary["articles_changed"].tolist() == [1, 2]
        assert summary["n_articles"].tolist() == [2, 2]

    def test_no_article_gives_an_empty_summary(self):
        empty = arabic.step_change_table(pd.DataFrame({"id": ["a"], "text": [None]}))
        assert arabic.step_change_summary(empty).empty


class TestStepExamples:
    def test_examples_are_taken_after_the_earlier_steps(self):
        # strip_diacritics runs before normalize_alef, so "أَنّ" is shown as "أن" -> "ان".
        table = arabic.step_examples(["أَنّ أن إن"], "normalize_alef")
        assert table.values.tolist() == [["أن", "ان", 2], ["إن", "ان", 1]]

    def test_a_step_outside_the_chain_is_a_clear_error(self):
        with pytest.raises(ValueError, match="not one of the chosen steps"):
            arabic.step_examples(["نص"], "normalize_alef", steps=["strip_diacritics"])


class TestVocabularyBySteps:
    def test_folds_shrink_the_vocabulary_and_stop_words_the_tokens(self):
        texts = ["إنَّ قازاقستان", "ان كازاخستان فى"]
        table = arabic.vocabulary_by_step(texts).set_index("stage")
        assert table.loc["raw", "vocabulary"] == 5
        assert table.loc["normalize_digits", "vocabulary"] == 4  # ان merged, في alone
        assert table.loc["- stop words", "tokens"] == 2
        assert table.loc["+ names unified", "vocabulary"] == 1


class TestCompareTokenizers:
    def test_hamza_on_waw_is_folded_by_strip_accents_but_kept_by_ours(self):
        row = arabic.compare_tokenizers(["مؤتمر"]).iloc[0]
        assert row["sklearn_strip_accents"] == "موتمر" and row["ours"] == "مؤتمر"
