"""Collocates against counts and statistics worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers import collocations, terms

# Three toy articles; the node is نفط (oil), window 1:
#   t1 "سلام حرب نفط غاز"  -> left حرب, right غاز
#   t2 "حرب نفط ماء"       -> left حرب, right ماء
#   t3 "غاز ماء سلام"      -> no node
# window slots W = 4; corpus N = 10 tokens; each of حرب, غاز, ماء, سلام occurs twice (f = 2).
TOY = pd.Series(["سلام حرب نفط غاز", "حرب نفط ماء", "غاز ماء سلام"], index=["t1", "t2", "t3"])


@pytest.fixture(scope="module")
def toy():
    return terms.build_matrix(TOY)


def _table(tm, texts=TOY, node="نفط", **kw):
    return collocations.collocates(tm, list(texts), node, **kw).set_index("collocate")


class TestCollocates:
    def test_observed_expected_g2_and_pmi_by_hand(self, toy):
        row = _table(toy, window=1, min_count=2).loc["حرب"]
        # E = W f / N = 4 * 2 / 10 = 0.8
        assert row["observed"] == 2 and row["expected"] == pytest.approx(0.8)
        # G² = 2 (2 ln(2 / 0.8) + 0): the 2 window hits against 0 of the 6 other tokens
        assert row["g2"] == pytest.approx(4 * math.log(2.5))
        assert row["pmi"] == pytest.approx(math.log2(2.5))
        assert (row["left"], row["right"], row["frequency"], row["n_articles"]) == (2, 0, 2, 2)

    def test_the_frequency_floor_and_only_words_above_chance(self, toy):
        assert list(_table(toy, window=1, min_count=2).index) == ["حرب"]
        # غاز and ماء: O = 1 > E = 0.8 each; سلام is never next to the node
        assert set(_table(toy, window=1, min_count=1).index) == {"حرب", "غاز", "ماء"}

    def test_windows_stay_inside_one_article(self):
        # window 5: t2's right side ends at ماء, it never reaches t3's غاز ماء سلام
        left, right, slots, articles = collocations.window_counts(list(TOY), "نفط", window=5)
        assert dict(left) == {"سلام": 1, "حرب": 2} and dict(right) == {"غاز": 1, "ماء": 1}
        assert slots == 5 and articles["حرب"] == 2

    def test_stop_words_are_never_collocates(self):
        texts = pd.Series(["في نفط في", "نفط في حرب"], index=["a", "b"])
        tm = terms.build_matrix(texts)
        assert "في" not in _table(tm, texts, window=2, min_count=1).index

    def test_several_spellings_and_a_missing_node(self, toy):
        both = _table(toy, node=["نفط", "النفط"], window=1, min_count=2)
        assert list(both.index) == ["حرب"]
        empty = collocations.collocates(toy, list(TOY), "ذهب")
        assert empty.empty and list(empty.columns) == collocations.COLLOCATE_COLUMNS

    def test_texts_must_match_the_matrix(self, toy):
        with pytest.raises(ValueError, match="2 texts for 3 articles"):
            collocations.collocates(toy, list(TOY)[:2], "نفط")


@pytest.fixture(scope="module")
def seeds():
    from helpers.corpus import load_corpus

    articles = load_corpus()
    return articles, terms.build_matrix(articles)


class TestOnTheSeeds:
    def test_internal_affairs_keeps_company_with_external_forces(self, seeds):
        articles, tm = seeds
        node = ["القوى الخارجية", "قوى خارجية"]
        table = collocations.collocates(tm, articles["text"].tolist(), node, min_count=2)
        assert table.iloc[0]["collocate"] == "الداخليه" and table.iloc[0]["surface"] == "الداخلية"

    def test_each_line_of_a_collocate_holds_it_near_the_node(self, seeds):
        articles, _ = seeds
        lines = collocations.collocate_lines(articles, "القوى الخارجية", "الداخلية")
        assert len(lines) >= 1
        assert all("الداخلية" in " ".join(row.right.split()[:5]) for row in lines.itertuples())
