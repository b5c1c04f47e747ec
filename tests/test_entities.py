"""Name spellings: the entity lexicon, finding and unifying names, the spelling report.
Expected values are written by hand from the lexicon rows and Arabic spelling, never copied
from the code's output."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers import arabic, entities
from helpers.paths import SEEDS_DIR

SEEDS = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))}


class TestEntityTable:
    def test_has_the_contract_columns_and_a_note_on_every_row(self):
        table = entities.entity_table()
        assert list(table.columns[:6]) == list(entities.ENTITY_COLUMNS)
        assert (table["note"].str.strip() != "").all()

    def test_one_canonical_and_one_english_label_per_entity(self):
        table = entities.entity_table()
        per_entity = table.groupby("entity_id")[["canonical", "english"]].nunique()
        assert (per_entity == 1).all().all()

    def test_the_kazakhstan_spellings_of_the_corpus_are_listed(self):
        table = entities.entity_table()
        kz = set(table.loc[table.entity_id == "kazakhstan", "variant_norm"])
        assert {"كازاخستان", "قازاقستان", "قزاقستان", "قازقستان"} <= kz

    def test_a_file_with_a_missing_column_is_a_clear_error(self, tmp_path, monkeypatch):
        bad = tmp_path / "entities.csv"
        bad.write_text("variant,canonical\nا,ب\n", encoding="utf-8")
        monkeypatch.setattr(entities, "ENTITIES_FILE", bad)
        entities.entity_table.cache_clear()
        try:
            with pytest.raises(ValueError, match=r"entities\.csv: missing columns"):
                entities.entity_table()
        finally:
            entities.entity_table.cache_clear()


class TestFindEntities:
    def test_variants_with_prefixes_are_found_with_original_offsets(self):
        text = "دعمه لقازاقستان وللشعب القازاقى"
        hits = entities.find_entities(text)
        assert hits["surface"].tolist() == ["لقازاقستان", "القازاقى"]
        assert hits["entity_id"].tolist() == ["kazakhstan", "kazakh"]
        assert text[hits.loc[0, "start"] : hits.loc[0, "end"]] == "لقازاقستان"

    def test_adjective_endings_are_matched(self):
        hits = entities.find_entities("السلطات القازاقية والجيشين الصيني والكازاخستانيين")
        assert hits["entity_id"].tolist() == ["kazakh", "kazakh"]

    def test_adjective_is_not_taken_for_the_country(self):
        hits = entities.find_entities("وزارة الصحة الكازاخستانية")
        assert hits["entity_id"].tolist() == ["kazakh"]

    def test_full_name_nursultan_is_the_person_not_the_city(self):
        hits = entities.find_entities("حضر نور سلطان نزارباييف إلى نور سلطان")
        assert hits["entity_id"].tolist() == ["nazarbayev", "astana"]

    def test_spellings_differing_in_diacritics_or_maksura_need_no_extra_row(self):
        hits = entities.find_entities("الوزير طوبيردى والوزير تِليوبَردي")
        assert hits["entity_id"].tolist() == ["tileuberdi", "tileuberdi"]

    def test_a_hamza_alef_lam_is_not_taken_for_the_article(self):
        hits = entities.find_entities("في ألماتي وفي الماتي، لا في ماتي")
        assert hits["surface"].tolist() == ["ألماتي", "الماتي"]

    def test_a_name_inside_a_longer_word_is_not_matched(self):
        assert entities.find_entities("بوتينيون وكازاخستانستان").empty


class TestUnifyEntities:
    def test_variants_become_the_canonical_spelling_keeping_prefixes(self):
        assert entities.unify_entities("ولقازاقستان وقزاقستان") == "ولكازاخستان وكازاخستان"

    def test_adjectives_keep_article_and_ending(self):
        assert entities.unify_entities("السلطات القازاقية") == "السلطات الكازاخيه"

    def test_the_minister_spellings_unify(self):
        out = entities.unify_entities("تليوبيردي طوبيردى مختار تليوبردي")
        assert out == "تليوبردي تليوبردي تليوبردي"

    def test_text_without_names_is_only_normalised(self):
        assert entities.unify_entities("أعربَ عن دعمه") == "اعرب عن دعمه"


class TestSpellingReport:
    def test_reports_each_spelling_per_article_with_outlet_and_date(self):
        articles = pd.DataFrame(
            {
                "id": ["a", "b"],
                "outlet": ["Xinhua", "Other"],
                "date": pd.to_datetime(["2019-12-15", "2022-01-10"]),
                "text": ["كازاخستان وكازاخستان", "لقازاقستان والقازاقى"],
            }
        )
        report = entities.spelling_report(articles)
        rows = set(report[["id", "outlet", "surface", "count"]].itertuples(index=False, name=None))
        assert rows == {
            ("a", "Xinhua", "كازاخستان", 2),
            ("b", "Other", "قازاقستان", 1),
            ("b", "Other", "قازاقى", 1),
        }

    def test_the_seeds_show_the_shift_from_kazakhstan_to_qazaqstan(self):
        articles = pd.DataFrame({"id": list(SEEDS), "text": list(SEEDS.values())})
        report = entities.spelling_report(articles)
        kz = report[report.entity_id == "kazakhstan"]
        spellings_2019 = set(kz.loc[kz.id.str.startswith("002"), "surface"])
        spellings_2022 = set(kz.loc[kz.id.str.startswith("000"), "surface"])
        assert spellings_2019 == {"كازاخستان"} and spellings_2022 == {"قازاقستان"}

    def test_missing_text_column_is_a_clear_error(self):
        with pytest.raises(KeyError, match="no 'text' column"):
            entities.spelling_report(pd.DataFrame({"id": [1]}))


class TestSpellingPivot:
    def test_unknown_dates_and_outlets_become_question_marks(self):
        report = pd.DataFrame(
            {
                "id": ["a"],
                "outlet": [None],
                "date": [pd.NaT],
                "entity_id": ["kazakhstan"],
                "english": ["Kazakhstan"],
                "variant": ["قازاقستان"],
                "surface": ["قازاقستان"],
                "count": [2],
            }
        )
        table = entities.spelling_pivot(report)
        assert table.to_dict("index") == {("kazakhstan", "قازاقستان"): {"? · ?": 2}}

    def test_an_entity_with_no_rows_gives_an_empty_table(self):
        report = entities.spelling_report(pd.DataFrame({"id": ["a"], "text": ["قال"]}))
        assert entities.spelling_pivot(report, "kazakhstan").empty


class TestNameWords:
    def test_words_of_multi_word_names_are_listed_normalised(self):
        assert {"نور", "سلطان", "قازاقستان", "بوتين"} <= entities.name_words()

    def test_organisation_words_are_not_names(self):
        assert "طريق" not in entities.name_words()

    def test_split_clitics_keeps_a_name_whole(self):
        assert arabic.split_clitics("بوتين") == ["بوتين"]


def _flat_longest_first_regex():
    """The entity regex the obvious way: one alternation of the variants, longest first."""
    _, _, by_variant = entities._entity_regex()

    def alternation(adjective):
        chosen = [v for v, r in by_variant.items() if (r["type"] == "adjective") == adjective]
        return "|".join(map(re.escape, sorted(chosen, key=len, reverse=True)))

    return re.compile(
        f"(?<!\\w)(?P<prefix>{entities._ENTITY_PREFIX})(?:(?P<core>{alternation(False)})"
        f"|(?P<adj>{alternation(True)})(?P<suffix>{entities._ADJ_SUFFIX}))(?!\\w)"
    )


class TestEntityRegex:
    def test_the_trie_matches_what_a_flat_longest_first_alternation_matches(self):
        pattern, _, _ = entities._entity_regex()
        flat = _flat_longest_first_regex()
        texts = [*SEEDS.values(), "والكازاخستانيين وبقازاقستان نور سلطان نزارباييف وألماتي"]
        for text in map(arabic.normalize, texts):
            ours = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
            assert ours == [(m.span(), m.groupdict()) for m in flat.finditer(text)]

    def test_the_quick_test_finds_a_variant_wherever_the_regex_does(self):
        pattern, any_variant, _ = entities._entity_regex()
        for text in map(arabic.normalize, SEEDS.values()):
            assert any_variant.search(text) is not None
            assert pattern.search(text) is not None

    def test_trie_of_words_sharing_a_start(self):
        rx = re.compile(f"(?:{entities._trie(['اب', 'ابن', 'ت'])})$")
        assert [bool(rx.match(w)) for w in ["اب", "ابن", "ت", "ا", "ابنا"]] == [
            True,
            True,
            True,
            False,
            False,
        ]


class TestSeedClaimsOfNotebook02:
    """The sentences of notebook 02, section 9, about the seed articles."""

    SEED_TABLE = pd.DataFrame({"id": list(SEEDS), "text": list(SEEDS.values())})
    REPORT = entities.spelling_report(SEED_TABLE)

    def _spellings(self, article, entity_id):
        rows = self.REPORT[self.REPORT.id.str.startswith(article)]
        surfaces = rows.loc[rows.entity_id == entity_id, "surface"]
        return {arabic.normalize(s.split()[-1]) for s in surfaces}

    def test_the_minister_is_tileubierdi_in_2019_and_tileubirdi_in_2022(self):
        assert self._spellings("002", "tileuberdi") == {"تليوبيردي"}
        assert self._spellings("000", "tileuberdi") == {"تليوبردي"}

    def test_the_fifth_article_spells_him_tobirdi_and_the_country_both_ways(self):
        assert self._spellings("004", "tileuberdi") == {"طوبيردي"}
        assert self._spellings("004", "kazakhstan") == {"كازاخستان", "قازاقستان"}
