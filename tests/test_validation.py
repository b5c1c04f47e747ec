"""Validation of the frame lexicon: exact intervals, blind coding sheets, alpha, held-out set."""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import warnings

import oracles
import pandas as pd
import pytest

from helpers import arabic, corpus, frames, speakers, validation
from helpers.paths import PROJECT_ROOT, SAUDINEWSNET_ENV, saudinewsnet_path

CR, EF, SS = "colour_revolution", "external_forces", "stability_security"
FRAME_IDS = validation.frame_ids()
SNN = saudinewsnet_path()  # SaudiNewsNet 2015 where a user's run would look for it
needs_corpus = pytest.mark.skipif(
    not SNN.is_file(), reason=f"SaudiNewsNet 2015 is not at {SNN}; set {SAUDINEWSNET_ENV}"
)

# Floors for the lexicon on the held-out set. The tuning set asks 0.80 precision / 0.75
# recall per frame (tests/test_frames.py); out of sample, and on sentences chosen to be hard,
# a modest floor is what a reader can demand: for every frame, at least half of the
# sentences the lexicon flags really carry the frame, and at least half of the sentences
# that carry it are found. Below that a frame count says more about the lexicon than about
# the coverage. Pooled over frames (what the notebook's heatmaps sum) the lexicon must be
# right on two decisions in three. With 4-18 positives per frame these are point estimates
# with wide intervals (printed by notebook 04); the floors catch regressions, not small
# differences.
MIN_PRECISION = MIN_RECALL = 0.5
MIN_POOLED = 2 / 3
# Frames measured below a floor on the held-out set, kept visible instead of tuned away (the
# lexicon must not be tuned on this set). strict: a fix that lifts one makes the test fail
# until the entry is removed.
BELOW_FLOOR = {
    (EF, "recall"): "interference phrased around a name (تدخل إيران في), singular or "
    "unlisted wording (جهة أجنبية، أيادي خفية، الغرب، التدخلات الإيرانية): 4 of 11 found",
}


def _one_line(err: pytest.ExceptionInfo, *needles: str) -> None:
    message = str(err.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, (needle, message)


def _articles(*texts: str) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"a{i}" for i in range(len(texts))], "text": list(texts)})


class TestProportionInterval:
    """Clopper–Pearson values as published (e.g. Clopper and Pearson 1934 tables, R binom.test)."""

    def test_zero_of_ten_has_upper_bound_0_308(self):
        p, low, high = validation.proportion_interval(0, 10)
        assert (p, low) == (0.0, 0.0) and high == pytest.approx(0.3085, abs=5e-4)

    def test_five_of_ten_is_0_187_to_0_813(self):
        p, low, high = validation.proportion_interval(5, 10)
        assert p == 0.5
        assert (low, high) == (pytest.approx(0.1871, abs=5e-4), pytest.approx(0.8129, abs=5e-4))

    def test_ten_of_ten_has_lower_bound_0_692(self):
        _, low, high = validation.proportion_interval(10, 10)
        assert low == pytest.approx(0.6915, abs=5e-4) and high == 1.0

    def test_equal_weights_give_the_exact_interval(self):
        exact = validation.proportion_interval(3, 7)
        weighted = validation.proportion_interval(3 * 2.5, 7 * 2.5, n_effective=7)
        assert weighted == pytest.approx(exact)

    def test_nothing_to_score_is_nan(self):
        assert all(math.isnan(x) for x in validation.proportion_interval(0, 0))


class TestFrameScores:
    GOLD = pd.DataFrame({"id": list("abcde"), "frames": [CR, CR, f"{CR}|{EF}", "", EF]})
    PRED = pd.Series([CR, "", CR, CR, ""])  # CR: tp 2, fp 1, fn 1; EF: tp 0, fn 2

    def _row(self, scores: pd.DataFrame, frame: str) -> pd.Series:
        return scores.set_index("frame").loc[frame]

    def test_counts_precision_and_recall_by_hand(self):
        cr = self._row(validation.frame_scores(self.GOLD, self.PRED), CR)
        assert (cr.tp, cr.fp, cr.fn, cr.n_gold, cr.n_predicted) == (2, 1, 1, 3, 3)
        assert cr.precision == pytest.approx(2 / 3) and cr.recall == pytest.approx(2 / 3)

    def test_intervals_are_clopper_pearson_of_the_counts(self):
        cr = self._row(validation.frame_scores(self.GOLD, self.PRED), CR)
        _, low, high = validation.proportion_interval(2, 3)
        assert (cr.precision_low, cr.precision_high) == (low, high)
        assert low == pytest.approx(0.0943, abs=5e-4) and high == pytest.approx(0.9916, abs=5e-4)

    def test_a_frame_never_predicted_has_no_precision_and_zero_recall(self):
        ef = self._row(validation.frame_scores(self.GOLD, self.PRED), EF)
        assert math.isnan(ef.precision) and ef.recall == 0 and ef.fn == 2

    def test_pooled_row_sums_every_frame(self):
        pooled = self._row(validation.frame_scores(self.GOLD, self.PRED), validation.POOLED)
        assert (pooled.tp, pooled.fp, pooled.fn) == (2, 1, 3)

    def test_a_hit_table_gives_the_same_scores_as_labels(self):
        hits = pd.DataFrame({"id": ["a", "a", "c", "d"], "frame": [CR, CR, CR, CR]})
        pd.testing.assert_frame_equal(
            validation.frame_scores(self.GOLD, hits),
            validation.frame_scores(self.GOLD, self.PRED),
        )

    def test_weights_scale_the_misses(self):
        gold = pd.DataFrame({"frames": [CR, CR, CR, CR]})
        pred = pd.Series([CR, CR, "", ""])
        w = pd.Series([1.0, 1.0, 1.0, 3.0])
        cr = self._row(validation.frame_scores(gold, pred, weights=w), CR)
        assert cr.recall == pytest.approx(2 / 6) and cr.precision == 1.0

    def test_predictions_of_another_length_are_refused(self):
        with pytest.raises(ValueError) as err:
            validation.frame_scores(self.GOLD, self.PRED[:3])
        _one_line(err, "3 predictions for 5 gold rows")


class TestGoldHits:
    def test_hits_carry_the_gold_ids(self):
        gold = pd.DataFrame({"id": ["x", "y"], "text": ["ثورة ملونة.", "لا شيء هنا."]})
        assert validation.gold_hits(gold)[["id", "frame"]].values.tolist() == [["x", CR]]


class TestSentenceUnits:
    def test_sentences_are_numbered_as_frame_hits_numbers_them(self):
        arts = _articles("جملة أولى. وحذر من ثورة ملونة.\nسطر ثالث فيه الاستقرار.")
        units = validation.sentence_units(arts)
        hits = frames.frame_hits(arts)
        joined = hits.merge(units, on=["id", "sentence_no"])
        assert len(joined) == len(hits) == 2
        assert all(h in s for h, s in zip(joined["match"], joined["sentence_y"], strict=True))

    def test_context_is_the_neighbouring_sentences(self):
        units = validation.sentence_units(_articles("جملة أولى. جملة ثانية. جملة ثالثة."))
        want = ["جملة أولى.", "جملة ثانية.", "جملة ثالثة."]
        assert units.loc[1, ["before", "sentence", "after"]].tolist() == want


def _corpus() -> pd.DataFrame:
    texts = [f"جملة عادية رقم {i}. وحذر من ثورة ملونة {i}. ودعا إلى الاستقرار." for i in range(8)]
    return _articles(*texts)


class TestCodingSheet:
    def test_both_strata_appear_and_predictions_stay_off_the_sheet(self, tmp_path):
        arts = _corpus()
        sample = validation.coding_sheet(arts, frames.frame_hits(arts), 10, path=tmp_path / "s.csv")
        assert (sample["predicted"] == "").sum() == 5 and (sample["predicted"] != "").sum() == 5
        sheet = pd.read_csv(tmp_path / "s.csv", dtype=str, keep_default_na=False)
        assert list(sheet.columns) == validation.SHEET_COLUMNS
        assert (sheet[["frames", "coder", "note"]] == "").all().all()
        assert not sheet.isin(["predicted", "weight"]).any().any()

    def test_the_sentence_is_not_marked(self):
        arts = _corpus()
        sample = validation.coding_sheet(arts, frames.frame_hits(arts), 6)
        units = validation.sentence_units(arts).set_index(["id", "sentence_no"])["sentence"]
        assert sample.apply(lambda r: units[(r.id, r.sentence_no)] == r.sentence, axis=1).all()

    def test_the_same_seed_gives_the_same_sample_and_another_seed_another(self):
        arts = _corpus()
        hits = frames.frame_hits(arts)
        a, b = (validation.coding_sheet(arts, hits, 6, seed=s) for s in (1, 1))
        c = validation.coding_sheet(arts, hits, 6, seed=2)
        pd.testing.assert_frame_equal(a, b)
        assert a["sentence"].tolist() != c["sentence"].tolist()

    def test_weights_add_up_to_the_corpus(self):
        arts = _corpus()
        sample = validation.coding_sheet(arts, frames.frame_hits(arts), 7)
        assert sample["weight"].sum() == pytest.approx(len(validation.sentence_units(arts)))

    def test_a_small_stratum_is_topped_up_from_the_other(self):
        arts = _articles("ثورة ملونة. جملة. أخرى. ثالثة. رابعة.")
        sample = validation.coding_sheet(arts, frames.frame_hits(arts), 4)
        assert (sample["predicted"] != "").sum() == 1 and len(sample) == 4

    @pytest.mark.parametrize(("n", "seed"), [(6, 0), (10, 3), (40, 1)])
    @pytest.mark.filterwarnings("ignore:1 article.s. without text:UserWarning")
    def test_the_sample_is_the_one_drawn_from_every_sentence(self, n, seed):
        arts = pd.concat([_corpus(), _articles("", "جملة واحدة بلا نقطة")], ignore_index=True)
        arts["id"] = [f"a{i}" for i in range(len(arts))]
        hits = frames.frame_hits(arts)
        got = validation.coding_sheet(arts, hits, n, seed=seed)
        pd.testing.assert_frame_equal(got, oracles.coding_sheet(arts, hits, n, seed))

    def test_round_trip_returns_the_codes(self, tmp_path):
        arts = _corpus()
        sample = validation.coding_sheet(arts, frames.frame_hits(arts), 6)
        labels = pd.Series([f"{SS}|{CR}", "", CR, "", EF, SS])
        validation.write_sheet(sample, tmp_path / "c.csv", labels=labels, coder="B")
        coded = validation.read_coding_sheet(tmp_path / "c.csv", sample)
        assert coded["frames"].tolist() == [f"{CR}|{SS}", "", CR, "", EF, SS]
        assert (coded["coder"] == "B").all() and coded["unit"].tolist() == sample["unit"].tolist()


class TestReadCodingSheetErrors:
    @pytest.fixture
    def coded(self, tmp_path):
        arts = _corpus()
        sample = validation.coding_sheet(arts, frames.frame_hits(arts), 6)
        path = validation.write_sheet(sample, tmp_path / "sheet.csv", sample["predicted"], "A")
        return path, sample, pd.read_csv(path, dtype=str, keep_default_na=False)

    def _read(self, coded, sheet):
        path, sample, _ = coded
        sheet.to_csv(path, index=False)
        with pytest.raises(ValueError) as err:
            validation.read_coding_sheet(path, sample)
        return err

    def test_missing_columns_are_named(self, coded):
        err = self._read(coded, coded[2].drop(columns=["coder"]))
        _one_line(err, "sheet.csv", "missing column(s) coder", "fresh")

    def test_unknown_labels_are_named_with_the_valid_ones(self, coded):
        sheet = coded[2].copy()
        sheet.loc[0, "frames"] = "colour_revolutoin|stability_security"
        err = self._read(coded, sheet)
        _one_line(err, "sheet.csv", "colour_revolutoin", "none", *FRAME_IDS)

    def test_a_removed_row_is_missing(self, coded):
        err = self._read(coded, coded[2].iloc[1:])
        _one_line(err, "sheet.csv", "missing unit(s) u001")

    def test_an_added_row_is_named(self, coded):
        extra = coded[2].iloc[[0]].assign(unit="u999")
        err = self._read(coded, pd.concat([coded[2], extra]))
        _one_line(err, "sheet.csv", "added unit(s) u999")

    def test_an_edited_sentence_is_named(self, coded):
        sheet = coded[2].copy()
        sheet.loc[2, "sentence"] = "جملة أخرى"
        err = self._read(coded, sheet)
        _one_line(err, "sheet.csv", "changed", "u003")

    def test_an_empty_code_asks_for_none(self, coded):
        sheet = coded[2].copy()
        sheet.loc[4, "frames"] = ""
        err = self._read(coded, sheet)
        _one_line(err, "sheet.csv", "u005", "'frames'", "'none'")

    def test_an_empty_coder_is_refused(self, coded):
        sheet = coded[2].copy()
        sheet.loc[0, "coder"] = " "
        _one_line(self._read(coded, sheet), "sheet.csv", "u001", "'coder'")

    def test_an_unreadable_file_is_named(self, tmp_path, coded):
        with pytest.raises(ValueError) as err:
            validation.read_coding_sheet(tmp_path / "nope.csv", coded[1])
        _one_line(err, "nope.csv", "cannot read")


class TestAgreement:
    def _codes(self, bits: str) -> pd.DataFrame:
        return pd.DataFrame({"frames": [CR if b == "1" else "" for b in bits]})

    def _alpha(self, a: str, b: str) -> float:
        table = validation.agreement(self._codes(a), self._codes(b)).set_index("frame")
        return table.loc[CR, "alpha"]

    def test_perfect_agreement_is_one(self):
        assert self._alpha("0110010", "0110010") == 1.0

    def test_krippendorffs_binary_example_is_0_095(self):
        # Krippendorff (2011), Computing Krippendorff's Alpha-Reliability, section A:
        # two observers, ten units, binary data.
        assert self._alpha("0100000010", "1110010000") == pytest.approx(0.095, abs=5e-4)

    def test_a_constructed_case_matches_the_formula(self):
        # 10 units, 2 disagreements (one each way), 6 of 20 values are 1:
        # alpha = 1 - (n - 1) * o_01 / (n_0 * n_1) = 1 - 19 * 2 / (12 * 8)
        assert self._alpha("1111000000", "1110100000") == pytest.approx(1 - 38 / 96)

    def test_a_frame_nobody_used_has_no_alpha(self):
        table = validation.agreement(self._codes("0000"), self._codes("0000")).set_index("frame")
        assert math.isnan(table.loc[EF, "alpha"]) and table.loc[EF, "observed_agreement"] == 1

    def test_units_are_paired_by_id_not_by_order(self):
        a = pd.DataFrame({"unit": ["u1", "u2", "u3"], "frames": [CR, "", CR]})
        b = a.iloc[::-1]
        table = validation.agreement(a, b).set_index("frame")
        assert table.loc[CR, "alpha"] == 1.0 and table.loc[CR, "n_units"] == 3


def _norm(text: str) -> str:
    return " ".join(frames.normalize_literal(text).split())


def _seed_text() -> str:
    return " ".join(_norm(t) for t in corpus.load_corpus(quiet=True)["text"])


def _stored(path=validation.HELDOUT_PATH) -> pd.DataFrame:
    """A table as committed: quoted sentences are pointers without text."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def gold() -> pd.DataFrame:
    """The held-out set as a reader gets it: with the quoted sentences when the corpus is
    here, the written ones alone otherwise (the warning is tested below)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return validation.read_gold()


class TestHeldoutSet:
    def test_it_has_written_and_real_sentences_with_valid_labels(self):
        stored = _stored()
        assert (stored["origin"] == "written").sum() >= 60
        assert (stored["origin"] == "real").sum() >= 15
        assert set(stored["origin"]) == {"written", "real"} and stored["id"].is_unique
        assert (stored["frames"] == "").sum() >= 15
        for f in FRAME_IDS:
            assert stored["frames"].str.contains(f).sum() >= 4, f

    def test_every_row_is_one_sentence(self, gold):
        assert all(len(arabic.sentence_spans(t)) == 1 for t in gold["text"])
        assert gold["text"].map(_norm).is_unique

    def test_no_tuning_sentence_is_held_out(self, gold):
        held = set(gold["text"].map(_norm))
        tuning = pd.read_csv(validation.TUNING_PATH, dtype=str, keep_default_na=False)
        tuned = set(tuning["text"].map(_norm))
        assert held.isdisjoint(tuned)
        assert not [t for t in tuned for h in held if t in h or h in t]

    def test_no_seed_sentence_is_held_out(self, gold):
        seeds = _seed_text()
        assert not [h for h in gold["text"].map(_norm) if h in seeds]


def _fake_corpus(tmp_path, records: list[dict]):
    path = tmp_path / "snn.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    return path


FAKE_TEXT = "جملة أولى. وحذر من ثورة ملونة في البلاد."
FAKE_RECORDS = [
    {"id": "x0", "source": "okaz", "text": "شيء آخر."},
    {"id": "x1", "source": "okaz", "text": FAKE_TEXT},
    {"source": "sabq", "id": "x2", "text": "مفاتيح بترتيب آخر. ثم جملة ثانية."},
]


def _pointer_table(tmp_path, rows: list[dict]):
    """A gold table with one written row and the given pointer rows."""
    written = {"id": "w1", "text": "ورفض التدخل الخارجي.", "frames": EF, "origin": "written"}
    table = pd.DataFrame([written, *rows]).fillna("")
    path = tmp_path / "gold.csv"
    table.to_csv(path, index=False)
    return path


def _pointer(row_id, article_id, k, text, frames_=""):
    fp = validation.fingerprint(text)
    return {"id": row_id, "text": "", "frames": frames_, "origin": "real",
            "article_id": article_id, "sentence_no": str(k), "fingerprint": fp}  # fmt: skip


class TestQuotedSentences:
    """Sentences of SaudiNewsNet are pointers in git; their text comes from the corpus."""

    def test_the_committed_files_hold_no_corpus_text(self):
        stored = _stored()
        real = stored[stored["article_id"] != ""]
        assert len(real) == (stored["origin"] == "real").sum()
        assert (real["text"] == "").all() and real["fingerprint"].str.fullmatch(
            "[0-9a-f]{12}"
        ).all()
        assert real["source"].str.contains("SaudiNewsNet 2015").all()
        for sheet in (validation.SAMPLE_PATH, validation.BLANK_SAMPLE_PATH):
            rows = _stored(sheet).query("id in @real.id")
            assert len(rows) and (rows[["before", "sentence", "after"]] == "").all().all(), sheet

    def test_pointers_are_filled_from_the_corpus_and_checked(self, tmp_path):
        snn = _fake_corpus(tmp_path, FAKE_RECORDS)
        path = _pointer_table(
            tmp_path,
            [
                _pointer("r1", "x1", 1, "وحذر من ثورة ملونة في البلاد.", CR),
                _pointer("r2", "x2", 0, "مفاتيح بترتيب آخر."),
            ],
        )
        gold = validation.read_gold(path, corpus=snn)
        assert gold["text"].tolist() == [
            "ورفض التدخل الخارجي.",
            "وحذر من ثورة ملونة في البلاد.",
            "مفاتيح بترتيب آخر.",
        ]

    def test_the_environment_variable_names_the_corpus(self, tmp_path, monkeypatch):
        snn = _fake_corpus(tmp_path, FAKE_RECORDS)
        path = _pointer_table(tmp_path, [_pointer("r1", "x1", 0, "جملة أولى.")])
        monkeypatch.setenv(SAUDINEWSNET_ENV, str(snn))
        assert validation.read_gold(path)["text"].iloc[1] == "جملة أولى."

    def test_a_changed_sentence_is_named_by_its_row(self, tmp_path):
        snn = _fake_corpus(tmp_path, FAKE_RECORDS)
        path = _pointer_table(tmp_path, [_pointer("r1", "x1", 1, "وحذر من ثورة ملونة.")])
        with pytest.raises(ValueError) as err:
            validation.read_gold(path, corpus=snn)
        _one_line(err, "gold.csv", "row r1", "x1", "fingerprint")

    def test_a_record_or_sentence_not_in_the_corpus_is_named(self, tmp_path):
        snn = _fake_corpus(tmp_path, FAKE_RECORDS)
        for pointer, needle in (
            (_pointer("r1", "x9", 0, "جملة أولى."), "record x9 is not in"),
            (_pointer("r1", "x1", 5, "جملة أولى."), "has no sentence '5'"),
        ):
            path = _pointer_table(tmp_path, [pointer])
            with pytest.raises(ValueError) as err:
                validation.read_gold(path, corpus=snn)
            _one_line(err, "gold.csv", "row r1", needle)

    def test_the_corpus_is_streamed_once(self, tmp_path, monkeypatch):
        snn = _fake_corpus(tmp_path, FAKE_RECORDS)
        path = _pointer_table(tmp_path, [_pointer("r1", "x1", 0, "جملة أولى.")])
        opened = []
        real_open = gzip.open
        monkeypatch.setattr(gzip, "open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))
        for _ in range(3):
            validation.read_gold(path, corpus=snn)
        assert len(opened) == 1

    def test_without_the_corpus_quoted_rows_go_with_one_warning(self, tmp_path):
        absent = tmp_path / "nowhere" / "saudinewsnet-2015.jsonl.gz"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gold = validation.read_gold(corpus=absent)
        stored = _stored()
        n_real = (stored["article_id"] != "").sum()
        assert len(caught) == 1 and len(gold) == len(stored) - n_real
        message = str(caught[0].message)
        assert "\n" not in message and f"{n_real} of {len(stored)} rows" in message
        assert str(absent) in message and SAUDINEWSNET_ENV in message
        assert (gold["origin"] == "written").all() and (gold["text"] != "").all()

    def test_without_the_corpus_the_sample_keeps_every_unit(self, tmp_path):
        absent = tmp_path / "absent.jsonl.gz"
        sample = validation.heldout_sample(corpus=absent)
        assert len(sample) == validation.SAMPLE_SIZE
        assert (sample.loc[sample["quoted"], "sentence"] == "").all()
        assert (sample.loc[~sample["quoted"], "sentence"] != "").all()
        coded = validation.read_coding_sheet(validation.SAMPLE_PATH, sample)
        assert len(coded) == validation.SAMPLE_SIZE

    def test_a_second_coder_sheet_needs_the_corpus(self, tmp_path):
        with pytest.raises(ValueError) as err:
            validation.second_coder_sheet(tmp_path / "b.csv", corpus=tmp_path / "absent.gz")
        _one_line(err, "quoted from SaudiNewsNet 2015", "absent.gz", SAUDINEWSNET_ENV)

    def test_a_stored_second_coding_keeps_codes_and_drops_quotes(self, tmp_path):
        sample = validation.heldout_sample()
        labels = _stored(validation.SAMPLE_PATH)["frames"].replace("none", "")
        copy = validation.write_sheet(sample, tmp_path / "b.csv", labels, "B", quotes=True)
        out = validation.store_second_coding(copy, out=tmp_path / "stored.csv")
        stored = _stored(out)
        assert (stored.loc[sample["quoted"].to_numpy(), "sentence"] == "").all()
        assert (stored["coder"] == "B").all()
        coder_a = _stored(validation.SAMPLE_PATH)["frames"]
        assert (
            stored["frames"]
            .map(validation.parse_labels)
            .equals(coder_a.map(validation.parse_labels))
        )

    @needs_corpus
    def test_the_corpus_gives_back_every_quoted_sentence(self):
        stored = _stored()
        real = stored[stored["article_id"] != ""]
        want = dict(zip(real["article_id"], real["sentence_no"].astype(int), strict=True))
        records = {}
        with gzip.open(SNN, "rt", encoding="utf-8") as lines:
            for line in lines:
                rec = json.loads(line)
                if rec["id"] in want:
                    a, b = arabic.sentence_spans(rec["text"])[want[rec["id"]]]
                    records[rec["id"]] = (rec["text"][a:b], rec["source"])
        gold = validation.read_gold().set_index("id")
        assert len(gold) == len(stored)
        for r in real.itertuples():
            text, outlet = records[r.article_id]
            assert gold.at[r.id, "text"] == text and r.source.startswith(outlet + " ")

    @needs_corpus
    def test_no_tracked_file_quotes_a_corpus_sentence(self):
        quotes = validation.read_gold().query("origin == 'real'")["text"].map(_norm)
        listed = subprocess.run(
            ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        found = []
        for name in listed:
            try:
                text = _norm((PROJECT_ROOT / name).read_text("utf-8"))
            except (UnicodeDecodeError, OSError):
                continue
            found += [(name, q[:30]) for q in quotes if q in text]
        assert not found

    @needs_corpus
    def test_the_second_coder_sheet_shows_every_sentence(self, tmp_path):
        sheet = _stored(validation.second_coder_sheet(tmp_path / "b.csv"))
        assert (sheet["sentence"] != "").all() and (sheet["frames"] == "").all()


class TestCodingSample:
    def test_the_blank_sheet_has_no_codes_and_the_sample_sentences(self):
        sample = validation.heldout_sample()
        blank = _stored(validation.BLANK_SAMPLE_PATH)
        assert (blank[["frames", "coder", "note"]] == "").all().all()
        written = ~sample["quoted"].to_numpy()
        assert blank["id"].tolist() == sample["id"].tolist()
        assert blank["sentence"][written].tolist() == sample["sentence"][written].tolist()

    def test_coder_a_sheet_reads_back_with_the_gold_codes(self):
        coded = validation.read_coding_sheet(validation.SAMPLE_PATH, validation.heldout_sample())
        gold = _stored().set_index("id")["frames"]
        ordered = ["|".join(f for f in FRAME_IDS if f in gold[i].split("|")) for i in coded["id"]]
        assert coded["frames"].tolist() == ordered and len(coded) == validation.SAMPLE_SIZE


@pytest.fixture(scope="module")
def heldout_scores() -> pd.DataFrame:
    # The floors are set for the whole set: the written sentences alone are a harder,
    # smaller sample (their pooled recall is below two thirds), not the set they describe.
    if not SNN.is_file():
        pytest.skip(f"the floors need the quoted sentences: SaudiNewsNet 2015 is not at {SNN}")
    gold = validation.read_gold()
    return validation.frame_scores(gold, validation.gold_hits(gold)).set_index("frame")


def _floor_cases() -> list:
    cases = []
    for f in FRAME_IDS:
        for metric, floor in (("precision", MIN_PRECISION), ("recall", MIN_RECALL)):
            reason = BELOW_FLOOR.get((f, metric))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(f, metric, floor, marks=marks, id=f"{f}-{metric}"))
    return cases


class TestLexiconOnHeldoutSet:
    @pytest.mark.parametrize(("frame", "metric", "floor"), _floor_cases())
    def test_each_frame_reaches_the_floor(self, heldout_scores, frame, metric, floor):
        assert heldout_scores.loc[frame, metric] >= floor

    def test_pooled_precision_and_recall_reach_two_thirds(self, heldout_scores):
        pooled = heldout_scores.loc[validation.POOLED]
        assert pooled.precision >= MIN_POOLED and pooled.recall >= MIN_POOLED


# ----------------------------------------------------------------------------------------
# Who speaks: speaker attribution against hand-labelled sentences
# ----------------------------------------------------------------------------------------

CN, RU, KZ = "Chinese official", "Russian official", "Kazakh official"
# Floors for speaker attribution on the held-out set, taken from floors the project already
# sets rather than from this set's scores (which were seen before these lines were written):
# * the group must be right on 85% of the sentences, the floor test_speakers.py sets on the
#   tuning set: notebook 04's table of frames by speaker group is only as good as the group;
# * a listed entity must be the right one on 80% of the sentences given one (a wrong name
#   puts words in a minister's mouth) and 75% of the sentences whose speaker is listed must
#   get it: the frames' precision and recall floors on their tuning set (test_frames.py).
# These are point estimates on 65 sentences with intervals about 0.1 either side (printed in
# notebook 04): the floors catch regressions, not small differences.
MIN_GROUP_ACCURACY = 0.85
MIN_ENTITY_PRECISION = 0.80
MIN_ENTITY_RECALL = 0.75
# Measured below its floor on the held-out set, kept visible instead of tuned away (speakers.py
# and the lexicons must not be tuned on this set); strict: a fix makes the test fail until
# the entry is removed.
# Scored once, blind, on 2026-12-02, after the rules were improved on the dev set, which
# holds the first six random samples, each scored once while it was held out, then read
# (h001-h065: 26 of 65 groups; g001-g065: 39 of 65; k001-k065: 45 of 65; l001-l065: 36 of
# 65; m001-m100: 61 of 100; n001-n100: 67 of 100). The held-out set is the seventh random
# sample (o001-o100), drawn and labelled before the rules written on the n-sample's misses
# and scored once after them. Issue 20 stays open on the group accuracy.
SPEAKER_BELOW_FLOOR = {
    "group accuracy": "68 of 100 (0.68, 95% CI 0.58-0.77): unnamed sources taken for "
    "unlisted person (7); other state for unlisted person (6) or unnamed source (4); "
    "unlisted persons for unnamed source (6) or other state (2); the outlet's voice given "
    "to an unlisted person (3), an unnamed source (2) or a Chinese official (1); a Russian "
    "official for an unnamed source (1) (counts only: the set is not read, so that it stays "
    "held out)",
}


def _texts_of(path) -> list[str]:
    """Every string constant of a test module (the sentences its tests use)."""
    import ast

    tree = ast.parse(path.read_text("utf-8"))
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _sentences(text: str) -> list[str]:
    return [_norm(text[a:b]) for a, b in arabic.sentence_spans(text)] or [_norm(text)]


SPEAKER_SETS = {"dev": validation.SPEAKER_DEV_PATH, "heldout": validation.SPEAKER_HELDOUT_PATH}


@pytest.fixture(scope="module", params=sorted(SPEAKER_SETS))
def speaker_set(request) -> str:
    """Each speaker gold set by name: the checks that no tested sentence is in it and that
    the corpus gives back its quotes hold for both."""
    return request.param


@pytest.fixture(scope="module")
def speaker_gold(speaker_set) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return validation.read_speaker_gold(SPEAKER_SETS[speaker_set])


class TestSpeakerScores:
    GOLD = pd.DataFrame(
        {
            "group": [CN, CN, RU, "outlet", KZ, "unnamed source"],
            "entity": ["wang_yi", "xi_jinping", "lavrov", "", "", ""],
        }
    )
    # group right on 4 of 6 (rows 0, 1, 3, 4); entities: wang_yi right, xi_jinping given
    # wang_yi (wrong), lavrov missed, tokayev given where the gold speaker is unlisted
    PRED = pd.DataFrame(
        {
            "group": [CN, CN, "unnamed source", "outlet", KZ, KZ],
            "entity": ["wang_yi", "wang_yi", "", "", "tokayev", ""],
        }
    )

    def _scores(self) -> pd.Series:
        return validation.speaker_scores(self.GOLD, self.PRED).set_index("measure")

    def test_group_accuracy_counts_every_sentence(self):
        acc = self._scores().loc["group accuracy"]
        assert (acc.k, acc.n) == (4, 6) and acc.value == pytest.approx(4 / 6)

    def test_entity_precision_is_over_the_sentences_given_a_listed_entity(self):
        prec = self._scores().loc["entity precision"]
        assert (prec.k, prec.n) == (1, 3)  # wang_yi right; wang_yi for Xi and tokayev wrong

    def test_entity_recall_is_over_the_sentences_whose_speaker_is_listed(self):
        rec = self._scores().loc["entity recall"]
        assert (rec.k, rec.n) == (1, 3)  # of wang_yi, xi_jinping, lavrov only wang_yi

    def test_intervals_are_clopper_pearson(self):
        acc = self._scores().loc["group accuracy"]
        assert (acc.low, acc.high) == validation.proportion_interval(4, 6)[1:]
        assert acc.low == pytest.approx(0.2228, abs=5e-4)
        assert acc.high == pytest.approx(0.9567, abs=5e-4)

    def test_no_listed_prediction_gives_no_precision(self):
        pred = self.PRED.assign(entity="")
        prec = (
            validation.speaker_scores(self.GOLD, pred).set_index("measure").loc["entity precision"]
        )
        assert prec.n == 0 and math.isnan(prec.value)

    def test_predictions_of_another_length_are_refused(self):
        with pytest.raises(ValueError) as err:
            validation.speaker_scores(self.GOLD, self.PRED[:2])
        _one_line(err, "2 predictions for 6 gold rows")

    def test_the_confusion_table_puts_hand_labels_in_rows(self):
        table = validation.speaker_confusion(self.GOLD, self.PRED)
        assert table.loc[RU, "unnamed source"] == 1 and table.loc["unnamed source", KZ] == 1
        assert int(table.to_numpy().trace()) == 4 and table.to_numpy().sum() == 6
        assert list(table.index) == [CN, RU, KZ, "unnamed source", "outlet"]


class TestPredictSpeakers:
    def test_the_target_sentence_of_a_passage_gets_the_carried_speaker(self):
        gold = pd.DataFrame({"text": ["وقال توكاييف إن الوضع هادئ. وأضاف أن الحوار مستمر."],
                             "target": ["1"]})  # fmt: skip
        assert validation.predict_speakers(gold)[["group", "entity"]].values.tolist() == [
            [KZ, "tokayev"]
        ]

    def test_an_unlisted_speaker_has_no_entity(self):
        gold = pd.DataFrame({"text": ["وقال مسؤول صيني إن الوضع هادئ."], "target": ["0"]})
        assert validation.predict_speakers(gold)[["group", "entity"]].values.tolist() == [[CN, ""]]


class TestReadSpeakerGold:
    def _write(self, tmp_path, **row) -> object:
        base = {"id": "x1", "text": "وقال لافروف إن الوضع هادئ.", "target": "0", "group": RU,
                "entity": "lavrov"}  # fmt: skip
        path = tmp_path / "speakers.csv"
        pd.DataFrame([{**base, **row}]).to_csv(path, index=False)
        return path

    def test_an_unknown_group_is_named_with_the_allowed_ones(self, tmp_path):
        with pytest.raises(ValueError) as err:
            validation.read_speaker_gold(self._write(tmp_path, group="Russian officials"))
        _one_line(err, "speakers.csv", "Russian officials", "unnamed source")

    def test_an_entity_not_in_the_speakers_table_is_refused(self, tmp_path):
        with pytest.raises(ValueError) as err:
            validation.read_speaker_gold(self._write(tmp_path, entity="unlisted"))
        _one_line(err, "'unlisted'", "empty")

    def test_a_missing_column_is_named(self, tmp_path):
        path = self._write(tmp_path)
        pd.read_csv(path).drop(columns="target").to_csv(path, index=False)
        with pytest.raises(ValueError) as err:
            validation.read_speaker_gold(path)
        _one_line(err, "missing column(s) target")


class TestSpeakerSets:
    def test_the_heldout_set_is_a_random_sample_of_real_sentences_with_a_cue(self):
        stored = _stored(validation.SPEAKER_HELDOUT_PATH)
        assert len(stored) >= 60 and stored["id"].is_unique
        assert (stored["origin"] == "real").all() and (stored["text"] == "").all()
        assert stored["stratum"].value_counts().to_dict() == {"any": 75, "listed": 25}
        assert (stored["target"] == stored["context"]).all()
        assert stored["fingerprint"].str.fullmatch("[0-9a-f]{12}").all()
        dev = _stored(validation.SPEAKER_DEV_PATH)
        pointers = set(zip(dev["article_id"], dev["sentence_no"], strict=True)) - {("", "")}
        assert pointers.isdisjoint(zip(stored["article_id"], stored["sentence_no"], strict=True))

    def test_the_dev_set_has_written_and_real_sentences_of_every_group_the_code_gives(self):
        stored = _stored(validation.SPEAKER_DEV_PATH)
        assert len(stored) >= 50 and stored["id"].is_unique
        assert (stored["origin"] == "real").sum() >= 15
        real = stored[stored["origin"] == "real"]
        assert (real["text"] == "").all() and real["fingerprint"].str.fullmatch(
            "[0-9a-f]{12}"
        ).all()
        assert real["source"].str.contains("SaudiNewsNet 2015").all()
        used = set(stored["group"])
        assert used == set(speakers.SPEAKER_GROUPS) - {"other"}, used  # "other": no rule gives it
        assert (stored["entity"] != "").sum() >= 20 and (stored["target"] != "0").sum() >= 4

    def test_each_target_sentence_is_in_its_passage(self, speaker_gold):
        if speaker_gold.empty:
            pytest.skip(f"every sentence of this set is quoted from SaudiNewsNet, not at {SNN}")
        counts = speaker_gold["text"].map(lambda t: len(arabic.sentence_spans(t)))
        assert (speaker_gold["target"].astype(int) < counts).all()
        assert (counts <= 4).all()

    def test_no_sentence_of_the_speaker_tests_or_the_tuning_set_is_held_out(self, speaker_gold):
        used = [
            *_texts_of(PROJECT_ROOT / "tests" / "test_speakers.py"),
            *_texts_of(PROJECT_ROOT / "tests" / "test_frames.py"),  # its articles and pieces
            *pd.read_csv(validation.TUNING_PATH, dtype=str, keep_default_na=False)["text"],
            *validation.read_gold()["text"],  # the frame held-out set, met while it was built
        ]
        tested = {s for t in used for s in _sentences(t) if len(s.split()) >= 4}
        held = {s for t in speaker_gold["text"] for s in _sentences(t) if len(s.split()) >= 4}
        assert held.isdisjoint(tested)
        # inside another text, only a sentence of six words or more counts: a formula
        # (صلى الله عليه وسلم) is in many texts and copies nothing
        long_held = {h for h in held if len(h.split()) >= 6}
        long_tested = {t for t in tested if len(t.split()) >= 6}
        joined = " | ".join(_norm(t) for t in used)
        assert not [h for h in long_held if h in joined]
        assert not [t for t in long_tested for h in held if t in h]

    def test_no_seed_sentence_is_held_out(self, speaker_gold):
        seeds = _seed_text()
        held = {s for t in speaker_gold["text"] for s in _sentences(t) if len(s.split()) >= 4}
        assert not [h for h in held if h in seeds]

    @needs_corpus
    def test_the_corpus_gives_back_every_quoted_sentence(self, speaker_gold, speaker_set):
        stored = _stored(SPEAKER_SETS[speaker_set])
        assert len(speaker_gold) == len(stored) and (speaker_gold["text"] != "").all()

    @needs_corpus
    def test_no_tracked_file_quotes_a_sentence_of_it(self, speaker_gold):
        quotes = speaker_gold.query("origin == 'real'")["text"].map(_norm)
        listed = subprocess.run(
            ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        found = []
        for name in listed:
            try:
                text = _norm((PROJECT_ROOT / name).read_text("utf-8"))
            except (UnicodeDecodeError, OSError):
                continue
            found += [(name, q[:30]) for q in quotes if q in text]
        assert not found


def _speaker_scores(path) -> pd.DataFrame:
    if not SNN.is_file():
        pytest.skip(f"the floors need the quoted sentences: SaudiNewsNet 2015 is not at {SNN}")
    gold = validation.read_speaker_gold(path)
    return validation.speaker_scores(gold, validation.predict_speakers(gold)).set_index("measure")


@pytest.fixture(scope="module")
def speaker_scores_heldout() -> pd.DataFrame:
    return _speaker_scores(validation.SPEAKER_HELDOUT_PATH)


def _speaker_floor_cases() -> list:
    cases = []
    for measure, floor in (
        ("group accuracy", MIN_GROUP_ACCURACY),
        ("entity precision", MIN_ENTITY_PRECISION),
        ("entity recall", MIN_ENTITY_RECALL),
    ):
        reason = SPEAKER_BELOW_FLOOR.get(measure)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        cases.append(pytest.param(measure, floor, marks=marks, id=measure.replace(" ", "-")))
    return cases


class TestSpeakersOnHeldoutSet:
    @pytest.mark.parametrize(("measure", "floor"), _speaker_floor_cases())
    def test_each_measure_reaches_its_floor(self, speaker_scores_heldout, measure, floor):
        assert speaker_scores_heldout.loc[measure, "value"] >= floor


class TestSpeakersOnDevSet:
    """The rules were improved on this set's misses: its floors, a little under what the
    rules reach on it (419 of 525 groups, 71 of 74 entities on 2026-12-02; the group floor
    was 0.80 until the sixth random sample joined and took the set to 0.798), guard against a
    change that undoes those fixes; they do not measure the rules."""

    @pytest.mark.parametrize(
        ("measure", "floor"),
        [("group accuracy", 0.78), ("entity precision", 0.90), ("entity recall", 0.90)],
    )
    def test_each_measure_reaches_its_floor(self, measure, floor):
        scores = _speaker_scores(validation.SPEAKER_DEV_PATH)
        assert scores.loc[measure, "value"] >= floor
