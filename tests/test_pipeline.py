"""helpers.pipeline: the end-to-end run agrees with the step-by-step helpers it chains."""

from __future__ import annotations

import multiprocessing
import random
import re
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from helpers import arabic, frames, paths, pipeline, terms


def _generated(n: int, seed: int = 3) -> pd.DataFrame:
    """``n`` articles of 2-6 shuffled seed sentences (fixed seed)."""
    sentences = []
    for path in sorted(paths.SEEDS_DIR.glob("*.txt")):
        sentences += arabic.split_sentences(path.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    texts = ["\n".join(rng.sample(sentences, rng.randint(2, 6))) for _ in range(n)]
    return pd.DataFrame({"id": [f"g{i:03d}" for i in range(n)], "text": texts})


@pytest.fixture(scope="module")
def small():
    return _generated(40)


@pytest.fixture(scope="module")
def serial(small):
    return pipeline.run_pipeline(small, workers=1, top_k=5)


class TestTfidfMatrix:
    def test_terms_and_counts_are_those_of_build_matrix(self, small):
        ours = pipeline.tfidf_matrix(small.set_index("id")["text"])
        ref = terms.build_matrix(small)
        assert ours.vocabulary.tolist() == ref.vocabulary.tolist()
        assert (ours.counts != ref.counts).nnz == 0

    def test_float64_weights_equal_build_matrix(self, small):
        ours = pipeline.tfidf_matrix(small.set_index("id")["text"], dtype=np.float64)
        ref = terms.build_matrix(small)
        assert np.allclose(ours.matrix.toarray(), ref.matrix.toarray(), rtol=1e-12, atol=0)

    def test_default_weights_are_float32_and_close(self, small):
        ours = pipeline.tfidf_matrix(small.set_index("id")["text"])
        ref = terms.build_matrix(small)
        assert ours.matrix.dtype == np.float32
        assert np.allclose(ours.matrix.toarray(), ref.matrix.toarray(), atol=1e-6)

    def test_token_totals_include_stop_words(self, small):
        ours = pipeline.tfidf_matrix(small.set_index("id")["text"])
        assert ours.n_tokens.tolist() == terms.build_matrix(small).n_tokens.tolist()

    def test_hand_counted_tokens_of_a_two_word_text(self):
        tm = pipeline.tfidf_matrix(pd.Series(["في الصين"], index=["a"]))
        assert tm.n_tokens.tolist() == [2] and tm.vocabulary.tolist() == ["الصين"]

    def test_no_text_at_all_is_a_clear_error(self):
        with pytest.raises(ValueError, match="no articles"):
            pipeline.tfidf_matrix(pd.Series([], dtype=object))


class TestTopTermsFast:
    def test_same_rows_as_terms_top_terms(self, small):
        tm = terms.build_matrix(small)
        ours = pipeline.top_terms_fast(tm, k=6)
        ref = terms.top_terms(tm, k=6)
        pd.testing.assert_frame_equal(ours, ref, check_dtype=False)

    def test_ties_go_to_the_alphabetically_first_term(self):
        tm = pipeline.tfidf_matrix(pd.Series(["سلام حرب امن"], index=["a"]))
        assert pipeline.top_terms_fast(tm, k=2)["term"].tolist() == ["امن", "حرب"]

    def test_k_below_one_is_refused(self, small):
        with pytest.raises(ValueError, match="at least 1"):
            pipeline.top_terms_fast(terms.build_matrix(small.head(2)), k=0)


class TestRunPipeline:
    def test_hits_are_those_of_frame_hits(self, small, serial):
        ref = frames.frame_hits(small)
        pd.testing.assert_frame_equal(serial.hits.reset_index(drop=True), ref, check_dtype=False)

    def test_rates_are_those_of_frame_rates(self, small, serial):
        ref = frames.frame_rates(serial.articles, frames.frame_hits(small))
        pd.testing.assert_frame_equal(serial.rates, ref, check_dtype=False)

    def test_table_has_one_row_per_article_in_input_order(self, small, serial):
        assert serial.table["id"].tolist() == small["id"].tolist()

    def test_missing_n_words_are_counted_as_tokens(self, serial):
        assert serial.articles["n_words"].tolist() == serial.matrix.n_tokens.tolist()

    @pytest.mark.parametrize("workers", [2, 3])
    def test_worker_processes_give_the_same_tables(self, small, serial, monkeypatch, workers):
        monkeypatch.setattr(pipeline, "MIN_PARALLEL_ARTICLES", 10)
        monkeypatch.setattr(pipeline, "MIN_CHUNK", 3)  # 14 frame chunks to share out
        par = pipeline.run_pipeline(small, workers=workers, top_k=5)
        assert par.workers == workers
        pd.testing.assert_frame_equal(par.table, serial.table)
        pd.testing.assert_frame_equal(par.hits, serial.hits)

    def test_workers_started_without_fork_get_the_rows_they_work_on(
        self, small, serial, monkeypatch
    ):
        # spawn: the pool cannot inherit the corpus; it gets one copy when it starts
        monkeypatch.setattr(pipeline, "MIN_PARALLEL_ARTICLES", 10)
        monkeypatch.setattr(pipeline, "MIN_CHUNK", 3)
        monkeypatch.setattr(pipeline, "_pool_context", lambda: multiprocessing.get_context("spawn"))
        par = pipeline.run_pipeline(small, workers=2, top_k=5)
        assert par.workers == 2 and not pipeline._SHARED
        pd.testing.assert_frame_equal(par.table, serial.table)
        pd.testing.assert_frame_equal(par.hits, serial.hits)

    def test_forked_workers_leave_no_corpus_and_no_process_behind(self, small, monkeypatch):
        monkeypatch.setattr(pipeline, "MIN_PARALLEL_ARTICLES", 10)
        pipeline.run_pipeline(small, workers=2, top_k=5)
        assert not pipeline._SHARED
        deadline = time.monotonic() + 30  # the idle pool is let go without waiting for it
        while multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not multiprocessing.active_children()

    def test_an_error_in_a_frame_chunk_reaches_the_caller_and_leaves_no_files(
        self, small, monkeypatch, tmp_path
    ):
        real = frames.frame_hits

        def boom(articles, *args, **kwargs):
            if articles["id"].iloc[0] == "warm-up":
                return real(articles, *args, **kwargs)
            raise RuntimeError(f"boom in {articles['id'].iloc[0]}")

        monkeypatch.setattr(pipeline, "MIN_PARALLEL_ARTICLES", 10)
        monkeypatch.setattr(pipeline, "MIN_CHUNK", 3)
        monkeypatch.setattr(frames, "frame_hits", boom)  # the forked pool inherits it
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        monkeypatch.setattr(pipeline, "SHM_FREE_NEEDED", 2**62)  # spill folder in tmp_path
        with pytest.raises(RuntimeError, match="boom in g"):
            pipeline.run_pipeline(small, workers=2, top_k=5)
        assert not list(tmp_path.iterdir())

    def test_a_path_is_loaded_with_its_report(self):
        res = pipeline.run_pipeline(None, workers=1)
        assert len(res.report) == len(res.table) == 5

    def test_a_table_without_text_is_refused(self):
        with pytest.raises(ValueError, match="text"):
            pipeline.run_pipeline(pd.DataFrame({"id": ["a"]}), workers=1)

    def test_an_article_without_any_word_gets_a_warning_and_an_empty_row(self):
        arts = pd.DataFrame({"id": ["a", "b"], "text": ["الصين وكازاخستان", "…!"]})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = pipeline.run_pipeline(arts, workers=1)
        assert any("no countable term" in str(w.message) for w in caught)
        assert res.table.set_index("id").loc["b", ["n_terms", "top_terms"]].tolist() == [0, ""]


class TestClaims:
    def test_front_and_back_meet_with_every_chunk_handed_out_once(self):
        claims = pipeline._Claims(7, multiprocessing.get_context())
        got = [claims.first(), claims.last(), claims.last(), claims.first()]
        got += [claims.first(), claims.last(), claims.first()]
        assert got == [0, 6, 5, 1, 2, 4, 3]
        assert claims.first() is None and claims.last() is None

    def test_no_chunk_is_claimed_twice_by_processes_racing_for_them(self, tmp_path):
        context = multiprocessing.get_context("fork")
        claims = pipeline._Claims(3000, context)
        procs = [
            context.Process(target=_claim_all, args=(claims, tmp_path / f"p{k}", k % 2 == 0))
            for k in range(3)
        ]
        for p in procs:
            p.start()
        mine = []
        while (i := claims.last()) is not None:
            mine.append(i)
        for p in procs:
            p.join(timeout=60)
            assert p.exitcode == 0
        theirs = [int(x) for k in range(3) for x in (tmp_path / f"p{k}").read_text().split()]
        assert sorted(mine + theirs) == list(range(3000))


def _claim_all(claims, out: Path, from_the_front: bool) -> None:
    take = claims.first if from_the_front else claims.last
    got = []
    while (i := take()) is not None:
        got.append(i)
    out.write_text(" ".join(map(str, got)))


class TestSpill:
    def test_a_spilled_result_comes_back_whole_and_its_file_is_deleted(self, tmp_path, monkeypatch):
        monkeypatch.setitem(pipeline._SHARED, "spill", str(tmp_path))
        table = pd.DataFrame({"id": ["a", "b"], "match": ["الثورة الملونة", "قوى خارجية"]})
        spilled = pipeline._spill((table, 0.5, ["note"]))
        assert isinstance(spilled, pipeline._Spilled) and len(list(tmp_path.iterdir())) == 1
        back, cpu, notes = pipeline._collect(spilled)
        pd.testing.assert_frame_equal(back, table)
        assert (cpu, notes) == (0.5, ["note"]) and not list(tmp_path.iterdir())

    def test_a_folder_that_cannot_take_the_file_sends_the_result_itself(
        self, tmp_path, monkeypatch
    ):
        monkeypatch.setitem(pipeline._SHARED, "spill", str(tmp_path / "gone"))
        result = ("counts", [1, 2, 3])
        assert pipeline._spill(result) is result
        assert pipeline._collect(result) is result

    def test_a_small_dev_shm_is_not_used(self, monkeypatch):
        monkeypatch.setattr(pipeline, "SHM_FREE_NEEDED", 2**62)  # more than any machine has
        folder = pipeline._spill_folder()
        try:
            assert not folder.startswith("/dev/shm") and Path(folder).name.startswith("helpers-")
        finally:
            Path(folder).rmdir()


class TestArticleTable:
    def test_hit_count_is_the_sum_over_frames(self, serial):
        per_article = serial.rates.groupby("id", sort=False)["count"].sum()
        assert serial.table.set_index("id")["n_hits"].equals(per_article.rename("n_hits"))

    def test_rate_of_hand_made_article(self):
        arts = pd.DataFrame({"id": ["a"], "text": ["ثورة ملونة"], "n_words": [500]})
        tm = pipeline.tfidf_matrix(arts.set_index("id")["text"])
        rates = frames.frame_rates(arts, frames.frame_hits(arts))
        row = pipeline.article_table(arts, tm, pipeline.top_terms_fast(tm), rates).iloc[0]
        assert (row["hits_per_1000"], row["colour_revolution_per_1000"]) == (2.0, 2.0)

    def test_top_terms_are_joined_in_rank_order_whatever_the_row_order(self, serial):
        shuffled = serial.top.sample(frac=1, random_state=0)
        table = pipeline.article_table(serial.articles, serial.matrix, shuffled, serial.rates)
        first = serial.top[serial.top["id"] == serial.table["id"].iloc[0]].sort_values("rank")
        assert table["top_terms"].iloc[0] == " · ".join(first["term"])
        pd.testing.assert_frame_equal(table, serial.table)

    def test_hand_made_rates_with_a_tie_a_gap_and_a_stranger(self):
        arts = pd.DataFrame(
            {"id": ["a", "b", "c"], "text": ["الصين", "روسيا", "قازاقستان"], "n_words": [10, 0, 5]}
        )
        tm = pipeline.tfidf_matrix(arts.set_index("id")["text"])
        rates = pd.DataFrame(
            {
                "id": ["a", "a", "b", "b", "x"],  # c has no rows; x is not an article
                "frame": ["f1", "f2", "f1", "f2", "f1"],
                "count": [2, 2, 0, 0, 9],
                "per_1000": [200.0, 200.0, np.nan, np.nan, 1.0],
            }
        )
        table = pipeline.article_table(arts, tm, pipeline.top_terms_fast(tm), rates)
        assert table["n_hits"].tolist() == [4, 0, 0]
        assert table["top_frame"].tolist() == ["f1", "", ""]  # a tie goes to the first frame
        per_1000 = table["hits_per_1000"].tolist()  # b has no words: no rate
        assert per_1000[0] == 400.0 and np.isnan(per_1000[1]) and per_1000[2] == 0.0
        assert table["f1_per_1000"].iloc[1:].isna().all()  # b's rate is NaN, c has no row
        assert table["f2_per_1000"].tolist()[0] == 200.0

    def test_article_without_hits_has_no_top_frame(self):
        arts = pd.DataFrame({"id": ["a"], "text": ["الطقس جميل اليوم"], "n_words": [3]})
        res = pipeline.run_pipeline(arts, workers=1)
        assert res.table.loc[0, "top_frame"] == "" and res.table.loc[0, "n_hits"] == 0


class TestFrameRatesVectorised:
    """frames.frame_rates (group-by, one interval per distinct count) vs the old loop."""

    def test_same_table_as_the_article_loop(self, small):
        arts = small.assign(n_words=small["text"].str.split().str.len())
        arts.loc[3, "n_words"] = 0  # a zero-word article gets NaN rates in both
        hits = frames.frame_hits(arts)
        ref = frames._frame_rates_reference(arts, hits)
        pd.testing.assert_frame_equal(frames.frame_rates(arts, hits), ref)

    def test_repeated_id_and_no_hits_match_the_loop(self, small):
        arts = pd.concat([small, small.iloc[[5]]], ignore_index=True)
        hits = frames.frame_hits(small)
        for h in (hits, hits.iloc[:0]):
            ref = frames._frame_rates_reference(arts, h)
            pd.testing.assert_frame_equal(frames.frame_rates(arts, h), ref)

    def test_hand_counted_interval_of_two_hits(self):
        arts = pd.DataFrame({"id": ["a"], "text": ["ثورة ملونة، ثورة ملونة"], "n_words": [2000]})
        r = frames.frame_rates(arts, frames.frame_hits(arts)).set_index("frame")
        row = r.loc["colour_revolution"]
        # Garwood 95% for k=2: [0.2422, 7.2247] per article, halved per 1,000 of 2,000 words
        assert row["count"] == 2 and row["per_1000"] == 1.0
        assert abs(row["ci_low"] - 0.12111) < 1e-4 and abs(row["ci_high"] - 3.61235) < 1e-4


class TestCountTerms:
    def test_hand_counted_batch(self):
        voc, counts, n_tokens = pipeline.count_terms(["سلام سلام", "حرب"])
        assert voc.tolist() == ["حرب", "سلام", "سلام سلام"]
        assert counts.toarray().tolist() == [[0, 2, 1], [1, 0, 0]]
        assert n_tokens.tolist() == [2, 1]

    def test_stop_words_are_dropped_but_counted_as_tokens(self):
        voc, _, n_tokens = pipeline.count_terms(["في الصين"])
        assert voc.tolist() == ["الصين"] and n_tokens.tolist() == [2]

    def test_batch_without_words_gives_no_terms_not_an_error(self):
        voc, counts, n_tokens = pipeline.count_terms(["…!", "؟"])
        assert len(voc) == 0 and counts.shape == (2, 0) and n_tokens.tolist() == [0, 0]


def _vectorizer_counts(texts, ngram_range=(1, 2), stop=frozenset()):
    """What scikit-learn's CountVectorizer counts, stop-word terms then dropped."""
    vec = CountVectorizer(
        token_pattern=arabic.TOKEN_PATTERN, ngram_range=ngram_range, lowercase=False
    )
    try:
        counts = vec.fit_transform(texts).tocsr()
    except ValueError:  # empty vocabulary
        return [], np.zeros((len(texts), 0), dtype=np.int64)
    voc = vec.get_feature_names_out().tolist()
    keep = [not any(w in stop for w in t.split(" ")) for t in voc]
    return [t for t, k in zip(voc, keep, strict=True) if k], counts[
        :, np.flatnonzero(keep)
    ].toarray()


# Words that sort in tricky ways: prefixes of each other (a space sorts first), digits and
# decimals, Latin, and one-letter words.
_WORDS = ["ال", "الصين", "الصيني", "الصينيه", "صين", "و", "في", "3", "3.5", "35", "A", "Ab", "b"]


class TestCountNgrams:
    @settings(max_examples=150, deadline=None)
    @given(
        st.lists(
            st.lists(st.sampled_from([*_WORDS, "،", ".", "\n"]), max_size=12).map(" ".join),
            min_size=1,
            max_size=6,
        ),
        st.sampled_from([(1, 1), (1, 2), (2, 2), (1, 3), (2, 3)]),
    )
    def test_same_terms_and_counts_as_count_vectorizer(self, texts, ngram_range):
        stop = {"في", "و"}
        voc, counts, n_tokens = pipeline.count_ngrams(
            texts, arabic.TOKEN_PATTERN, ngram_range, stop
        )
        ref_voc, ref_counts = _vectorizer_counts(texts, ngram_range, stop)
        assert voc.tolist() == ref_voc
        assert counts.toarray().tolist() == ref_counts.tolist()
        assert n_tokens.tolist() == [len(arabic.tokenize(t)) for t in texts]

    def test_same_terms_and_counts_as_count_vectorizer_on_the_seeds(self):
        texts = [
            arabic.normalize(p.read_text(encoding="utf-8"))
            for p in sorted(paths.SEEDS_DIR.glob("*.txt"))
        ]
        stop = terms._stopwords()
        voc, counts, _ = pipeline.count_ngrams(texts, arabic.TOKEN_PATTERN, (1, 2), stop)
        ref_voc, ref_counts = _vectorizer_counts(texts, (1, 2), stop)
        assert len(voc) > 1000 and voc.tolist() == ref_voc
        assert (counts.toarray() == ref_counts).all()

    def test_count_terms_falls_back_to_the_vectorizer_for_other_settings(self, small):
        texts = small["text"].tolist()
        fast = pipeline.count_terms(texts)
        # the same tokens through a pattern with a group, which count_ngrams does not take
        slow = pipeline.count_terms(
            texts,
            terms.TermSettings(
                token_pattern="(?u)(" + arabic.TOKEN_PATTERN.removeprefix("(?u)") + ")"
            ),
        )
        assert fast[0].tolist() == slow[0].tolist() and (fast[1] != slow[1]).nnz == 0
        assert fast[2].tolist() == slow[2].tolist()


# Characters where a run of [^\W_] and TOKEN_PATTERN part ways or the tables end: digits of
# two scripts, "." and "," between them, a number glued to a letter ("1.5a"), "_", marks,
# a superscript digit (alphanumeric, not \d), a roman numeral, characters beyond the BMP, a
# lone surrogate, and separators that str.split also cuts at.
_TOKEN_PIECES = [
    "ق", "الصين", "a", "Z", "1", "٣", "15", ".", ",", "،", "_", " ", "\n", "\t", "\u064e", "ـ",
    "²", "Ⅻ", "\U0001f600", "\U00010400", "\ud800", "\x1c", "\u00a0", "1.5", "2,000م", "1.5a",
]  # fmt: skip


class TestPatternTokens:
    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.lists(st.sampled_from(_TOKEN_PIECES), max_size=14).map("".join), max_size=5))
    def test_same_tokens_as_the_regex(self, texts):
        tokens, lengths = pipeline._pattern_tokens(texts)
        expected = [re.findall(arabic.TOKEN_PATTERN, t) for t in texts]
        assert tokens == [t for found in expected for t in found]
        assert lengths.tolist() == [len(found) for found in expected]

    def test_a_number_glued_to_a_word_is_cut_as_the_regex_cuts_it(self):
        tokens, lengths = pipeline._pattern_tokens(["بلغ 1.5مليار و2,000 دولار", "3.14"])
        assert tokens == ["بلغ", "1.5", "مليار", "و2,000", "دولار", "3.14"]
        assert lengths.tolist() == [5, 1]

    def test_seed_articles_give_the_regex_tokens(self):
        texts = [
            arabic.normalize(p.read_text(encoding="utf-8")) for p in paths.SEEDS_DIR.glob("*.txt")
        ]
        tokens, _ = pipeline._pattern_tokens(texts)
        assert tokens == [t for text in texts for t in re.findall(arabic.TOKEN_PATTERN, text)]


class TestMergeCounts:
    def test_two_halves_give_the_matrix_of_one_count(self, small):
        texts = small["text"].tolist()
        one_voc, one, one_n = pipeline.count_terms(texts)
        parts = [pipeline.count_terms(texts[:17]), pipeline.count_terms(texts[17:])]
        voc, merged, n_tokens = pipeline.merge_counts(parts)
        assert voc.tolist() == one_voc.tolist()
        assert (merged != one).nnz == 0
        assert n_tokens.tolist() == one_n.tolist()

    def test_three_batches_give_the_matrix_of_build_matrix(self, small):
        texts = small["text"].tolist()
        parts = [pipeline.count_terms(texts[i : i + 13]) for i in range(0, len(texts), 13)]
        voc, merged, _ = pipeline.merge_counts(parts)
        ref = terms.build_matrix(small)
        assert voc.tolist() == ref.vocabulary.tolist() and (merged != ref.counts).nnz == 0

    def test_an_empty_half_keeps_its_rows(self):
        voc, merged, _ = pipeline.merge_counts(
            [pipeline.count_terms(["سلام"]), pipeline.count_terms(["…"])]
        )
        assert voc.tolist() == ["سلام"] and merged.toarray().tolist() == [[1], [0]]


class TestHalfway:
    def test_cut_balances_characters_not_articles(self):
        texts = pd.Series(["a" * 100, "b", "c", "d"])
        assert pipeline._halfway(texts) == 1
