"""Who speaks each sentence: reporting verbs, the speakers table, carry-forward, colons."""

from __future__ import annotations

import re

import oracles
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_frames import _PIECES, WRITTEN_ARTICLES, _gold, _gold_articles

from helpers import frames, speakers
from helpers.paths import PROJECT_ROOT

GOLD = PROJECT_ROOT / "tests" / "data" / "frames_gold.csv"
# Speaker attribution is a heuristic (reporting verb + name): it must be right on 85% of the
# labelled sentences of the gold set.
MIN_SPEAKER_ACCURACY = 0.85


def _groups(text: str, **kw) -> list[str]:
    return speakers.attribute_speakers(text, **kw)["speaker_group"].tolist()


class TestAttributeSpeakers:
    def test_labelled_sentences_get_the_right_speaker_group(self):
        gold = _gold()
        gold = gold[gold["speaker_group"] != ""]
        got = [_groups(t)[0] for t in gold["text"]]
        accuracy = (pd.Series(got, index=gold.index) == gold["speaker_group"]).mean()
        assert len(gold) >= 15 and accuracy >= MIN_SPEAKER_ACCURACY

    def test_a_nameless_verb_carries_the_last_named_speaker(self):
        text = "وقال لافروف إن الوضع تحسن.\nوأضاف أن قوى خارجية خططت للفوضى."
        assert _groups(text) == ["Russian official", "Russian official"]

    def test_the_carry_stops_at_a_blank_line(self):
        text = "وقال لافروف إن الوضع تحسن.\n\nوأضاف أن قوى خارجية خططت للفوضى."
        assert _groups(text)[1] == "other"

    def test_a_verbless_sentence_continues_the_speech_of_its_line_only(self):
        text = "قال وانغ إن الوضع مستقر. فالقوى الخارجية فشلت.\nواندلعت احتجاجات."
        assert _groups(text, outlet="Xinhua") == ["Chinese official", "Chinese official", "outlet"]

    def test_declaring_a_state_of_emergency_is_not_speech(self):
        text = "وأعلن الرئيس توكاييف حالة الطوارئ حيث انتشرت الاحتجاجات."
        assert _groups(text)[0] == "outlet"

    def test_spelling_variants_resolve_to_one_speaker(self):
        spoken = [
            speakers.attribute_speakers(f"وقال {name} إن الوضع مستقر.")["speaker"].iloc[0]
            for name in ("تليوبردي", "تليوبيردي", "طوبيردى")
        ]
        assert len(set(spoken)) == 1 and "Tileuberdi" in spoken[0]

    def test_the_cue_is_the_verb_as_normalised(self):
        table = speakers.attribute_speakers("وأكّد لافروف أن الوضع مستقر.")
        assert table["cue"].tolist() == ["واكد"] and table["sentence"].iloc[0].startswith("وأكّد")

    def test_blank_text_gives_an_empty_table_with_the_columns(self):
        assert list(speakers.attribute_speakers(" \n").columns) == speakers.SPEAKER_COLUMNS


class TestAgainstTheOracle:
    """attribute_speakers finds the verbs once per article; the oracle, sentence by sentence."""

    @staticmethod
    def _same(text: str, outlet: str | None = None) -> None:
        got = speakers.attribute_speakers(text, outlet)
        expected = oracles.attribute_speakers(text, outlet)
        assert list(zip(got["entity_id"], got["speaker"], got["cue"], strict=True)) == [
            (w["entity_id"], w["english"], cue) for w, cue in expected
        ]

    def test_written_articles_give_the_oracle_speakers(self):
        for text in WRITTEN_ARTICLES:
            self._same(text, "Xinhua")

    def test_gold_sentences_joined_into_articles_give_the_oracle_speakers(self):
        for text in _gold_articles()["text"]:
            self._same(text)

    @settings(max_examples=80, deadline=None)
    @given(st.lists(st.sampled_from(_PIECES), max_size=60).map(" ".join))
    def test_random_texts_give_the_oracle_speakers(self, text):
        self._same(text)


class TestLoadSpeakers:
    def test_spellings_from_the_entity_table_are_added(self):
        sp = speakers.load_speakers()
        assert "تلوبيردي" in set(sp.loc[sp.entity_id == "tileuberdi", "variant"])

    def test_unknown_group_is_rejected_with_the_allowed_ones(self, tmp_path):
        bad = tmp_path / "speakers.csv"
        bad.write_text("entity_id,english,group,kind,arabic\nx,X,Martian,person,س\n", "utf-8")
        with pytest.raises(ValueError, match="Martian"):
            speakers.load_speakers(bad)


class TestSpeakerNames:
    def test_the_look_ahead_changes_no_name_match(self):
        from helpers.corpus import load_corpus

        names = speakers._speaker_model().names
        # the same alternation after the word-start test, without the look-ahead on letters
        plain = re.compile(frames.WORD_START + names.pattern[names.pattern.index("(?:(?P<n0>") :])
        for text in [*load_corpus()["text"], *_gold()["text"]]:
            norm = frames.normalize_for_matching(text)[0]
            assert [(*m.span(), m.lastgroup) for m in names.finditer(norm)] == [
                (*m.span(), m.lastgroup) for m in plain.finditer(norm)
            ]


class TestReportingVerbs:
    def test_a_template_of_two_words_is_refused(self, tmp_path, monkeypatch):
        bad = tmp_path / "reporting_verbs.csv"
        bad.write_text("lemma,template,english,kind,note\nنقل,نقلا عن,quote,verb,\n", "utf-8")
        monkeypatch.setattr(speakers, "REPORTING_VERBS_PATH", bad)
        speakers._speaker_model.cache_clear()
        try:
            with pytest.raises(ValueError, match="one word per template"):
                speakers._speaker_model()
        finally:
            speakers._speaker_model.cache_clear()
