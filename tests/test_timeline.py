"""Timeline tables: expected values worked out by hand (or from scipy) from small tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import timeline


@pytest.fixture
def articles():
    """Two outlets, an inferred date, an undated article and a two-year gap."""
    return pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "date": pd.to_datetime(["2022-01-10", "2022-01-11", "2019-12-15", "2022-01-10", None]),
            "date_source": ["dateline", "dateline", "dateline", "inferred", "none"],
            "outlet": ["Xinhua", "Xinhua", "Xinhua", "Other", "Other"],
            "agency": ["شينخوا", "شينخوا", "شينخوا", None, None],
            "n_words": [600, 450, 380, 420, 300],
            "text": ["قال وانغ يي إن القوى الخارجية " * 20] * 5,
        }
    )


@pytest.fixture
def rates(articles):
    """Two hits of external_forces in every article, none of colour_revolution."""
    rows = []
    for ident, words in zip(articles["id"], articles["n_words"], strict=True):
        for frame, count in (("external_forces", 2), ("colour_revolution", 0)):
            rows.append((ident, frame, count, words, 1000 * count / words, 0.0, 12.0))
    return pd.DataFrame(rows, columns=list(timeline.RATE_COLUMNS))


def many_articles(n: int, days: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": [f"n{i}" for i in range(n)],
            "date": pd.Timestamp("2021-01-04") + pd.to_timedelta(rng.integers(0, days, n), "D"),
            "date_source": "dateline",
            "outlet": "Xinhua",
            "n_words": 400,
        }
    )


class TestLoadEvents:
    def test_every_shipped_event_has_a_date_both_labels_and_a_web_source(self):
        events = timeline.load_events()
        assert events["date"].notna().all() and events["source"].str.contains("http").all()

    def test_no_event_rests_on_a_photo_caption_or_a_news_aggregator(self):
        sources = timeline.load_events()["source"].str.lower()
        assert not sources.str.contains("photo caption|exbulletin|epochtimes").any()

    def test_arabic_labels_are_written_in_arabic_script(self):
        events = timeline.load_events()
        assert events["label_ar"].str.contains("[\u0621-\u064a]{3}", regex=True).all()

    def test_the_unrest_events_are_on_their_documented_days(self):
        events = timeline.load_events().set_index("label_en")["date"].dt.strftime("%Y-%m-%d")
        found = {k: v for k, v in events.items() if "Zhanaozen" in k or "mourning" in k}
        assert sorted(found.values()) == ["2022-01-02", "2022-01-10"]

    def test_events_come_sorted_by_date(self):
        assert timeline.load_events()["date"].is_monotonic_increasing

    def test_a_bad_date_names_the_file_and_the_row(self, tmp_path):
        path = tmp_path / "ev.csv"
        path.write_text(
            "date,label_en,label_ar,source,note\n2022-01-02,a,ب,s,\n2022-13-40,a,ب,s,\n",
            encoding="utf-8",
        )
        with pytest.raises(ValueError, match=r"ev\.csv: row 3 date '2022-13-40'"):
            timeline.load_events(path)

    def test_a_row_without_source_is_refused(self, tmp_path):
        path = tmp_path / "ev.csv"
        path.write_text("date,label_en,label_ar,source,note\n2022-01-02,a,ب,,\n", encoding="utf-8")
        with pytest.raises(ValueError, match="row 2 has an empty 'source'"):
            timeline.load_events(path)

    def test_a_missing_column_is_named(self, tmp_path):
        path = tmp_path / "ev.csv"
        path.write_text("date,label_en,source,note\n2022-01-02,a,s,\n", encoding="utf-8")
        with pytest.raises(ValueError, match="label_ar"):
            timeline.load_events(path)


class TestDatePanels:
    def test_a_gap_of_years_and_one_of_months_make_three_panels(self):
        dates = ["2022-01-10", "2019-12-15", "2022-01-11", "2022-04-25"]
        spans = [
            (a.strftime("%Y-%m-%d"), b.strftime("%Y-%m-%d")) for a, b in timeline.date_panels(dates)
        ]
        assert spans == [
            ("2019-12-15", "2019-12-15"),
            ("2022-01-10", "2022-01-11"),
            ("2022-04-25", "2022-04-25"),
        ]

    def test_with_a_panel_limit_only_the_longest_gaps_are_broken(self):
        dates = ["2019-12-15", "2022-01-10", "2022-04-25"]
        spans = timeline.date_panels(dates, max_panels=2)
        assert [s.year for s, _ in spans] == [2019, 2022]

    def test_a_daily_series_stays_in_one_panel(self):
        dates = pd.date_range("2021-01-01", periods=400, freq="D")
        assert len(timeline.date_panels(dates)) == 1

    def test_missing_dates_are_ignored_and_no_dates_give_no_panel(self):
        assert timeline.date_panels([None, pd.NaT]) == []

    def test_a_single_date_is_its_own_panel(self):
        ((first, last),) = timeline.date_panels(["2022-01-10"])
        assert first == last == pd.Timestamp("2022-01-10")


class TestPanelOf:
    def test_each_date_gets_the_span_that_holds_it_and_missing_dates_none(self):
        spans = [
            (pd.Timestamp("2019-12-15"), pd.Timestamp("2019-12-15")),
            (pd.Timestamp("2022-01-10"), pd.Timestamp("2022-01-11")),
        ]
        dates = pd.Series(pd.to_datetime(["2022-01-11", "2019-12-15", None, "2021-06-01"]))
        assert timeline.panel_of(dates, spans).tolist() == [1, 0, -1, -1]


class TestPoolingPeriod:
    @pytest.mark.parametrize(
        ("span", "period"), [(0, "day"), (62, "day"), (63, "week"), (732, "week"), (733, "month")]
    )
    def test_the_period_grows_with_the_span(self, span, period):
        assert timeline.pooling_period(span) == period


class TestPeriodStart:
    def test_a_sunday_belongs_to_the_week_starting_the_monday_before(self):
        sunday = pd.Series(pd.to_datetime(["2022-01-16 23:59"]))
        assert timeline.period_start(sunday, "week").item() == pd.Timestamp("2022-01-10")

    def test_a_month_starts_on_its_first_day(self):
        day = pd.Series(pd.to_datetime(["2022-02-28"]))
        assert timeline.period_start(day, "month").item() == pd.Timestamp("2022-02-01")

    def test_an_unknown_period_is_refused(self):
        with pytest.raises(ValueError, match="'year'"):
            timeline.period_start(pd.Series(pd.to_datetime(["2022-01-01"])), "year")


class TestArticleTimeline:
    def test_each_dated_article_is_a_row_at_its_date(self, articles):
        table = timeline.article_timeline(articles)
        dated = table[table["period"] == "article"].set_index("id")["date"].dt.strftime("%Y-%m-%d")
        assert dated.to_dict() == {
            "a": "2022-01-10",
            "b": "2022-01-11",
            "c": "2019-12-15",
            "d": "2022-01-10",
        }

    def test_only_the_inferred_date_is_flagged(self, articles):
        table = timeline.article_timeline(articles)
        assert table.loc[table["inferred"], "id"].tolist() == ["d"]

    def test_the_undated_article_comes_last_outside_every_panel(self, articles):
        last = timeline.article_timeline(articles).iloc[-1]
        assert (last["id"], last["period"], last["panel"], last["n_articles"]) == (
            "e",
            "undated",
            -1,
            1,
        )

    def test_dates_years_apart_go_to_separate_panels(self, articles):
        table = timeline.article_timeline(articles)
        panels = table.groupby(table["date"].dt.year)["panel"].unique().map(list).to_dict()
        assert panels == {2019: [0], 2022: [1]}

    def test_the_outlet_with_most_articles_is_row_0_and_carries_its_agency(self, articles):
        rows = timeline.article_timeline(articles).drop_duplicates("row").sort_values("row")
        assert rows[["outlet", "agency"]].values.tolist() == [["Xinhua", "شينخوا"], ["Other", ""]]

    def test_outlets_beyond_the_top_k_share_one_row(self, articles):
        sizes = {"O0": 4, "O1": 3, "O2": 2, "O3": 1, "O4": 1}
        wide = pd.concat(
            [articles.iloc[:k].assign(outlet=o, id=articles["id"] + o) for o, k in sizes.items()]
        )
        table = timeline.article_timeline(wide, top_outlets=3)
        rows = table.drop_duplicates("row").sort_values("row")["outlet"].tolist()
        assert rows == ["O0", "O1", "O2", timeline.OTHER_OUTLETS]
        assert table["outlet"].nunique() == 4

    def test_a_blank_outlet_gets_the_unknown_row(self, articles):
        table = timeline.article_timeline(articles.assign(outlet=["", " ", None, "X", "X"]))
        assert set(table["outlet"]) == {timeline.UNKNOWN_OUTLET, "X"}

    def test_hundreds_of_articles_over_300_days_are_counted_per_week(self):
        many = many_articles(300, days=300)
        table = timeline.article_timeline(many)
        assert set(table["period"]) == {"week"} and table["n_articles"].sum() == 300
        # Monday of each date's week, by hand: 1970-01-01 (day 0) was a Thursday
        days = many["date"].to_numpy().astype("datetime64[D]").astype(int)
        mondays = pd.Series(days - (days + 3) % 7).value_counts()
        got = table.set_index(table["date"].to_numpy().astype("datetime64[D]").astype(int))
        assert got["n_articles"].sort_index().to_dict() == mondays.sort_index().to_dict()

    def test_pooled_rows_sum_the_words_and_count_the_articles(self):
        many = many_articles(90, days=1)  # all on 2021-01-04: one day
        (row,) = timeline.article_timeline(many).itertuples()
        assert (row.period, row.n_articles, row.n_words, row.id) == (
            "day",
            90,
            90 * 400,
            "90 articles",
        )

    def test_undated_articles_are_never_pooled(self):
        many = many_articles(90, days=1).assign(
            date=[pd.NaT] * 3 + [pd.Timestamp("2021-01-04")] * 87
        )
        table = timeline.article_timeline(many)
        undated = table[table["period"] == "undated"]
        assert undated["id"].tolist() == ["n0", "n1", "n2"] and set(undated["n_articles"]) == {1}

    def test_a_corpus_without_dates_gives_only_undated_rows(self, articles):
        table = timeline.article_timeline(articles.assign(date=pd.NaT, date_source="none"))
        assert table["period"].tolist() == ["undated"] * 5

    def test_a_missing_column_is_named(self, articles):
        with pytest.raises(ValueError, match="date_source"):
            timeline.article_timeline(articles.drop(columns="date_source"))


class TestFrameLabels:
    def test_names_come_from_the_frame_lexicon(self):
        arabic, english = timeline.frame_labels()["colour_revolution"]
        assert "ملون" in arabic and "olour" in english


class TestFrameIntensity:
    def test_each_dated_article_keeps_its_rate_at_its_date(self, articles, rates):
        table = timeline.frame_intensity(articles, rates)
        points = sorted(zip(table["date"].dt.strftime("%Y-%m-%d"), table["per_1000"], strict=True))
        assert points == sorted(
            [
                ("2019-12-15", 2000 / 380),
                ("2022-01-10", 2000 / 600),
                ("2022-01-10", 2000 / 420),
                ("2022-01-11", 2000 / 450),
            ]
        )

    def test_the_undated_article_is_left_out(self, articles, rates):
        assert "e" not in set(timeline.frame_intensity(articles, rates)["id"])

    def test_a_frame_without_hits_gets_no_row(self, articles, rates):
        assert set(timeline.frame_intensity(articles, rates)["frame"]) == {"external_forces"}

    def test_frames_are_ranked_by_their_hits(self, articles, rates):
        more = rates.assign(count=np.where(rates["frame"] == "colour_revolution", 3, 2))
        rows = timeline.frame_intensity(articles, more).drop_duplicates("frame")
        assert rows.set_index("frame")["row"].to_dict() == {
            "colour_revolution": 0,
            "external_forces": 1,
        }

    def test_the_panels_follow_the_dates(self, articles, rates):
        table = timeline.frame_intensity(articles, rates)
        assert table.groupby("panel")["id"].apply(sorted).to_dict() == {
            0: ["c"],
            1: ["a", "b", "d"],
        }

    def test_a_corpus_without_dates_gives_an_empty_table(self, articles, rates):
        undated = articles.assign(date=pd.NaT)
        table = timeline.frame_intensity(undated, rates)
        assert table.empty and list(table.columns) == list(timeline.INTENSITY_COLUMNS)

    def test_rates_for_an_unknown_article_are_refused(self, articles, rates):
        with pytest.raises(ValueError, match="'zz'"):
            timeline.frame_intensity(articles, rates.assign(id="zz"))

    def test_many_articles_are_pooled_as_hits_over_words(self):
        arts = many_articles(100, days=1)
        counts = np.arange(100) % 3  # 33 ones and 33 twos: 99 hits
        rates = pd.DataFrame(
            {"id": arts["id"], "frame": "external_forces", "count": counts, "n_words": 500,
             "per_1000": 2.0 * counts, "ci_low": 0.0, "ci_high": 9.0}
        )  # fmt: skip
        (row,) = timeline.frame_intensity(arts, rates).itertuples()
        assert (row.period, row.count, row.n_articles) == ("day", 99, 100)
        assert row.per_1000 == pytest.approx(1000 * 99 / 50_000)
        # Garwood's limits as gamma quantiles (equivalent to the chi-square form)
        assert row.ci_low == pytest.approx(1000 * stats.gamma.ppf(0.025, 99) / 50_000)
        assert row.ci_high == pytest.approx(1000 * stats.gamma.ppf(0.975, 100) / 50_000)

    def test_a_pooled_period_is_inferred_only_if_all_its_dates_are(self):
        arts = many_articles(100, days=1).assign(date_source=["inferred"] * 99 + ["dateline"])
        rates = pd.DataFrame(
            {"id": arts["id"], "frame": "f", "count": 1, "n_words": 100,
             "per_1000": 10.0, "ci_low": 0.0, "ci_high": 50.0}
        )  # fmt: skip
        assert timeline.frame_intensity(arts, rates)["inferred"].tolist() == [False]


class TestEventsNear:
    @pytest.fixture
    def points(self):
        dates = pd.to_datetime(["2019-12-15", "2022-01-10", "2022-01-11"])
        return pd.DataFrame({"date": dates, "panel": [0, 1, 1]})

    @pytest.fixture
    def events(self):
        return pd.DataFrame(
            {
                "date": pd.to_datetime(["2024-06-01", "2022-01-07", "2019-12-20", "2022-02-11"]),
                "label_en": ["Far away", "Xi sends a verbal message", "Near 2019", "31 days"],
            }
        )

    def test_an_event_near_a_date_is_shown_and_a_distant_one_is_not(self, points, events):
        near = timeline.events_near(events, points).set_index("label_en")["shown"]
        assert near.to_dict() == {
            "Near 2019": True,
            "Xi sends a verbal message": True,
            "31 days": True,
            "Far away": False,
        }

    def test_shown_events_are_numbered_in_date_order(self, points, events):
        near = timeline.events_near(events, points)
        assert near["number"].tolist() == [1, 2, 3, pd.NA]

    def test_an_event_goes_to_the_panel_of_its_nearest_date(self, points, events):
        near = timeline.events_near(events, points)
        assert near["panel"].tolist() == [0, 1, 1, -1]

    def test_one_day_past_the_window_is_not_shown(self, points, events):
        near = timeline.events_near(events, points, window_days=30)
        assert near.loc[near["label_en"] == "31 days", "shown"].item() is False

    def test_no_points_show_no_event(self, events):
        empty = pd.DataFrame({"date": pd.to_datetime([]), "panel": []})
        assert not timeline.events_near(events, empty)["shown"].any()


class TestHitPositions:
    def test_position_is_the_start_offset_over_the_text_length(self):
        arts = pd.DataFrame({"id": ["a"], "text": ["أ" * 200]})
        hits = pd.DataFrame({"id": ["a", "a"], "frame": ["f", "f"], "start": [0, 150]})
        assert timeline.hit_positions(arts, hits)["position"].tolist() == [0.0, 0.75]

    def test_a_hit_in_an_unknown_article_is_refused(self):
        arts = pd.DataFrame({"id": ["a"], "text": ["نص"]})
        hits = pd.DataFrame({"id": ["b"], "frame": ["f"], "start": [0]})
        with pytest.raises(ValueError, match="'b'"):
            timeline.hit_positions(arts, hits)

    def test_an_offset_past_the_end_is_refused(self):
        arts = pd.DataFrame({"id": ["a"], "text": ["نص"]})
        hits = pd.DataFrame({"id": ["a"], "frame": ["f"], "start": [5]})
        with pytest.raises(ValueError, match="outside article 'a'"):
            timeline.hit_positions(arts, hits)


class TestDispersion:
    @pytest.fixture
    def hits(self):
        return pd.DataFrame(
            {
                "id": ["a", "a", "c", "e"],
                "frame": ["f1", "f1", "f1", "f2"],
                "start": [0, 300, 60, 120],
            }
        )

    def test_positions_are_offsets_over_the_article_length(self, articles, hits):
        table = timeline.dispersion(articles, hits)
        length = len(articles["text"][0])
        assert table.loc[table["frame"] == "f1", "position"].tolist() == [
            60 / length,
            0.0,
            300 / length,
        ]

    def test_rows_run_oldest_first_with_the_undated_article_last(self, articles, hits):
        rows = timeline.dispersion(articles, hits).drop_duplicates("row")
        assert rows["id"].tolist() == ["c", "a", "d", "b", "e"]

    def test_an_article_without_hits_keeps_an_empty_line(self, articles, hits):
        table = timeline.dispersion(articles, hits).set_index("id")
        assert pd.isna(table.loc["b", "frame"])
        assert table.loc["b", "n_hits"] == 0

    def test_the_frame_with_most_hits_gets_panel_0(self, articles, hits):
        table = timeline.dispersion(articles, hits).dropna(subset=["frame"])
        assert table.drop_duplicates("frame").set_index("frame")["panel"].to_dict() == {
            "f1": 0,
            "f2": 1,
        }

    def test_with_many_articles_only_those_with_most_hits_are_kept(self, articles, hits):
        table = timeline.dispersion(articles, hits, max_articles=2)
        # a has 2 hits; c and e one each, and the tie goes to the older (c, 2019)
        assert table.drop_duplicates("row")["id"].tolist() == ["c", "a"]
        assert set(table["n_corpus"]) == {5}

    def test_a_frame_with_hits_only_beyond_the_cap_gets_no_panel(self, articles, hits):
        table = timeline.dispersion(articles, hits, max_articles=2)
        assert set(table["frame"]) == {"f1"} and set(table["panel"]) == {0}

    def test_a_capped_table_has_no_article_without_hits(self):
        arts = pd.DataFrame({"id": [f"n{i:03d}" for i in range(200)], "text": ["نص " * 20] * 200})
        hits = pd.DataFrame({"id": ["n004", "n008", "n008"], "frame": "f", "start": [0, 3, 6]})
        table = timeline.dispersion(arts, hits, max_articles=30)
        assert table["id"].unique().tolist() == ["n004", "n008"]

    def test_asked_frames_without_hits_are_left_out(self, articles, hits):
        table = timeline.dispersion(articles, hits, frames=["f3", "f2"])
        assert set(table["frame"].dropna()) == {"f2"}

    def test_a_single_undated_article_is_placed(self, articles, hits):
        table = timeline.dispersion(articles.iloc[[4]], hits[hits["id"] == "e"])
        assert table["id"].tolist() == ["e"] and table["date"].isna().all()

    def test_no_hits_give_an_empty_table(self, articles, hits):
        assert timeline.dispersion(articles, hits.iloc[:0]).empty
