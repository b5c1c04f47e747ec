"""Timeline plots: marks read back from the figure's artists, drawn with warnings as errors."""

from __future__ import annotations

import io
import warnings
from datetime import datetime

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from helpers import timeline
from helpers.plotting import use_project_style

use_project_style()


def day(text: str) -> float:
    """matplotlib's date number of a day, computed independently of the module."""
    return mdates.date2num(datetime.fromisoformat(text))


def strict(make):
    """Build and render a plot with every warning (missing glyphs included) as an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot = make()
        if plot.figure is not None:
            plot.figure.savefig(io.BytesIO(), format="png")
    return plot


def artists(fig, prefix: str) -> dict[str, list]:
    """Artists of a figure whose gid starts with ``prefix``, grouped by gid (one per panel)."""
    found: dict[str, list] = {}
    for a in fig.findobj(lambda a: str(a.get_gid()).startswith(prefix)):
        found.setdefault(a.get_gid(), []).append(a)
    return found


def flat(groups: dict[str, list]) -> list:
    return [a for group in groups.values() for a in group]


def x_of(collections) -> list[float]:
    return sorted(float(x) for c in collections for x in c.get_offsets()[:, 0])


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
    rows = []
    for ident, words in zip(articles["id"], articles["n_words"], strict=True):
        for frame, count in (("external_forces", 2), ("colour_revolution", 0)):
            rows.append((ident, frame, count, words, 1000 * count / words, 0.0, 12.0))
    return pd.DataFrame(rows, columns=list(timeline.RATE_COLUMNS))


@pytest.fixture
def events():
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2022-01-07", "2024-06-01"]),
            "label_en": ["Xi sends a verbal message", "Far away"],
            "label_ar": ["رسالة شفهية من شي", "حدث بعيد"],
            "source": ["Xinhua", "test"],
            "note": ["", ""],
        }
    )


class TestLoadEvents:
    def test_every_shipped_event_has_a_date_both_labels_and_a_web_source(self):
        events = timeline.load_events()
        assert events["date"].notna().all() and events["source"].str.contains("http").all()

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


class TestPlotArticles:
    def test_each_dated_article_is_drawn_at_its_date(self, articles):
        plot = strict(lambda: timeline.plot_articles(articles))
        marks = flat(artists(plot.figure, "articles:"))
        assert x_of(marks) == sorted(
            [day("2022-01-10"), day("2022-01-11"), day("2019-12-15"), day("2022-01-10")]
        )

    def test_the_inferred_date_is_drawn_hollow(self, articles):
        plot = strict(lambda: timeline.plot_articles(articles))
        (hollow,) = artists(plot.figure, "articles:")["articles:Other:inferred"]
        assert x_of([hollow]) == [day("2022-01-10")]
        assert len(hollow.get_facecolors()) == 0 or hollow.get_facecolors()[:, 3].max() == 0

    def test_the_undated_article_is_listed_and_marked_in_its_own_panel(self, articles):
        plot = strict(lambda: timeline.plot_articles(articles))
        assert plot.undated["id"].tolist() == ["e"]
        assert "undated:Other" in artists(plot.figure, "undated:")

    def test_dates_years_apart_go_to_separate_panels_that_contain_them(self, articles):
        plot = strict(lambda: timeline.plot_articles(articles))
        time_axes = [
            ax
            for ax in plot.figure.axes
            if ax.collections
            and any(str(c.get_gid()).startswith("articles:") for c in ax.collections)
        ]
        assert len(time_axes) == 2
        for ax in time_axes:
            lo, hi = ax.get_xlim()
            xs = x_of([c for c in ax.collections if str(c.get_gid()).startswith("articles:")])
            assert lo < min(xs) and max(xs) < hi

    def test_a_single_article_corpus_gives_one_mark(self, articles):
        plot = strict(lambda: timeline.plot_articles(articles.iloc[[0]]))
        assert x_of(flat(artists(plot.figure, "articles:"))) == [day("2022-01-10")]

    def test_a_corpus_without_dates_gives_a_message_not_a_figure(self, articles):
        undated = articles.assign(date=pd.NaT, date_source="none")
        plot = strict(lambda: timeline.plot_articles(undated))
        assert plot.figure is None and "None of the 5 articles has a date" in plot.message
        assert len(plot.undated) == 5

    def test_hundreds_of_articles_are_counted_per_period(self):
        rng = np.random.default_rng(1)
        many = pd.DataFrame(
            {
                "id": [f"n{i}" for i in range(300)],
                "date": pd.Timestamp("2021-01-04")
                + pd.to_timedelta(rng.integers(0, 300, 300), "D"),
                "date_source": "dateline",
                "outlet": "Xinhua",
                "n_words": 400,
            }
        )
        plot = strict(lambda: timeline.plot_articles(many))
        assert len(plot.data) < 60 and plot.data["n_articles"].sum() == 300
        assert "week" in plot.message

    def test_outlets_beyond_the_top_k_share_one_row(self, articles):
        wide = pd.concat(
            [articles.assign(outlet=f"O{i}", id=articles["id"] + str(i)) for i in range(10)]
        )
        plot = strict(lambda: timeline.plot_articles(wide, top_outlets=3))
        assert plot.data["row_key"].nunique() == 4

    def test_a_missing_column_is_named(self, articles):
        with pytest.raises(ValueError, match="date_source"):
            timeline.plot_articles(articles.drop(columns="date_source"))

    def test_the_warning_check_does_catch_a_missing_glyph(self):
        def bad():
            fig = Figure()
            fig.suptitle("\u4e2d")  # a CJK character DejaVu Sans does not have
            return timeline.TimelinePlot(fig, pd.DataFrame())

        with pytest.raises(UserWarning, match="missing from font"):
            strict(bad)


class TestFrameLabels:
    def test_names_come_from_the_frame_lexicon(self):
        arabic, english = timeline.frame_labels()["colour_revolution"]
        assert "ملون" in arabic and "olour" in english


class TestPlotFrameIntensity:
    def test_each_article_rate_is_drawn_at_its_date_and_value(self, articles, rates, events):
        plot = strict(
            lambda: timeline.plot_frame_intensity(
                articles, rates, events, frames=["external_forces"], labels={}
            )
        )
        lines = artists(plot.figure, "rates:external_forces:dated")["rates:external_forces:dated"]
        points = sorted(
            (float(x), float(y))
            for line in lines
            for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)
        )
        assert points == sorted(
            [
                (day("2019-12-15"), 2000 / 380),
                (day("2022-01-10"), 2000 / 600),
                (day("2022-01-11"), 2000 / 450),
            ]
        )

    def test_an_event_within_range_is_annotated_and_a_distant_one_is_not(
        self, articles, rates, events
    ):
        plot = strict(lambda: timeline.plot_frame_intensity(articles, rates, events, labels={}))
        lines = artists(plot.figure, "event-line:")
        assert {float(a.get_xdata()[0]) for a in flat(lines)} == {day("2022-01-07")}
        assert "event:2022-01-07" in artists(plot.figure, "event:")
        assert plot.events["shown"].tolist() == [True, False]

    def test_the_undated_article_is_listed_not_plotted(self, articles, rates, events):
        plot = strict(lambda: timeline.plot_frame_intensity(articles, rates, events, labels={}))
        assert plot.undated["id"].tolist() == ["e"] and "e" not in set(plot.data["id"])

    def test_a_single_article_corpus_is_drawn(self, articles, rates, events):
        one = articles.iloc[[0]]
        plot = strict(
            lambda: timeline.plot_frame_intensity(one, rates[rates["id"] == "a"], events, labels={})
        )
        assert plot.data["x"].unique().tolist() == [day("2022-01-10")]

    def test_a_corpus_without_dates_gives_a_message_not_a_figure(self, articles, rates, events):
        undated = articles.assign(date=pd.NaT, date_source="none")
        plot = strict(lambda: timeline.plot_frame_intensity(undated, rates, events, labels={}))
        assert plot.figure is None and "has a date" in plot.message

    def test_rates_for_an_unknown_article_are_refused(self, articles, rates, events):
        with pytest.raises(ValueError, match="'zz'"):
            timeline.plot_frame_intensity(articles, rates.assign(id="zz"), events, labels={})

    def test_many_articles_are_pooled_as_hits_over_words(self, events):
        arts = pd.DataFrame(
            {
                "id": [f"n{i}" for i in range(100)],
                "date": pd.Timestamp("2022-01-10"),
                "date_source": "dateline",
            }
        )
        counts = np.arange(100) % 3
        words = np.full(100, 500)
        rates = pd.DataFrame(
            {
                "id": arts["id"],
                "frame": "external_forces",
                "count": counts,
                "n_words": words,
                "per_1000": 2 * counts,
                "ci_low": 0.0,
                "ci_high": 9.0,
            }
        )
        plot = strict(lambda: timeline.plot_frame_intensity(arts, rates, events, labels={}))
        assert plot.data["per_1000"].tolist() == [pytest.approx(1000 * 99 / 50_000)]


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


class TestPlotDispersion:
    @pytest.fixture
    def hits(self):
        return pd.DataFrame(
            {
                "id": ["a", "a", "c", "e"],
                "frame": ["f1", "f1", "f1", "f2"],
                "start": [0, 300, 60, 120],
            }
        )

    def test_ticks_sit_at_the_relative_positions(self, articles, hits):
        plot = strict(lambda: timeline.plot_dispersion(articles, hits, labels={}))
        length = len(articles["text"][0])
        ticks = artists(plot.figure, "hits:f1")["hits:f1"]
        assert x_of(ticks) == sorted([0.0, 300 / length, 60 / length])

    def test_rows_run_oldest_first_with_the_undated_article_last(self, articles, hits):
        plot = strict(lambda: timeline.plot_dispersion(articles, hits, labels={}))
        labels = [t.get_text() for t in plot.figure.axes[0].get_yticklabels()]
        assert [label.split(" · ")[0] for label in labels] == ["c", "a", "d", "b", "e"]

    def test_an_article_without_hits_keeps_its_row(self, articles, hits):
        plot = strict(lambda: timeline.plot_dispersion(articles, hits, labels={}))
        assert len(plot.figure.axes[0].get_yticks()) == 5 and "b" not in set(plot.data["id"])

    def test_with_many_articles_only_those_with_most_hits_are_kept(self, articles, hits):
        plot = strict(lambda: timeline.plot_dispersion(articles, hits, labels={}, max_articles=2))
        assert len(plot.figure.axes[0].get_yticks()) == 2 and "2 of 5" in plot.message

    def test_a_single_undated_article_is_drawn(self, articles, hits):
        one = articles.iloc[[4]]
        plot = strict(lambda: timeline.plot_dispersion(one, hits[hits["id"] == "e"], labels={}))
        assert plot.data["id"].tolist() == ["e"]

    def test_no_hits_give_a_message_not_a_figure(self, articles, hits):
        plot = strict(lambda: timeline.plot_dispersion(articles, hits.iloc[:0], labels={}))
        assert plot.figure is None and "No frame hit" in plot.message


class TestTimelinePlot:
    def test_saving_a_plot_without_figure_says_why(self):
        plot = timeline.TimelinePlot(None, pd.DataFrame(), message="no dates")
        with pytest.raises(ValueError, match="no dates"):
            plot.savefig(io.BytesIO())


class TestUndatedNote:
    def test_many_undated_articles_give_the_count_and_the_first_ids(self):
        note = timeline.undated_note(pd.DataFrame({"id": [f"n{i}" for i in range(200)]}), limit=3)
        assert "200 articles: `n0`, `n1`, `n2` and 197 more" in note and "`n3`" not in note

    def test_a_limit_of_zero_gives_the_count_only(self):
        note = timeline.undated_note(pd.DataFrame({"id": ["a", "b"]}), limit=0)
        assert "2 articles" in note and "`a`" not in note

    def test_no_undated_article_gives_no_note(self):
        assert timeline.undated_note(pd.DataFrame({"id": []})) == ""


class TestUndatedListedOnce:
    def test_the_article_timeline_lists_the_undated_articles(self, articles):
        assert strict(lambda: timeline.plot_articles(articles)).list_undated

    def test_frame_intensity_only_counts_them(self, articles, rates, events):
        plot = strict(lambda: timeline.plot_frame_intensity(articles, rates, events, labels={}))
        assert len(plot.undated) == 1 and not plot.list_undated


class TestPlotDispersionCaps:
    @pytest.fixture
    def many(self):
        arts = pd.DataFrame(
            {
                "id": [f"n{i:03d}" for i in range(200)],
                "date": pd.NaT,
                "text": ["قال إن القوى الخارجية تتدخل " * 10] * 200,
            }
        )
        ids = [f"n{i:03d}" for i in range(0, 200, 4) for _ in range(i % 3 + 1)]  # 50 with hits
        hits = pd.DataFrame(
            {"id": ids, "frame": [f"f{k % 4}" for k in range(len(ids))], "start": 7}
        )
        return arts, hits

    def test_a_frame_without_hits_gets_no_panel(self, articles):
        hits = pd.DataFrame({"id": ["a"], "frame": ["f1"], "start": [0]})
        plot = strict(
            lambda: timeline.plot_dispersion(articles, hits, labels={}, frames=["f1", "f2", "f3"])
        )
        assert [ax.get_title() for ax in plot.figure.axes if ax.get_visible()] == ["f1"]

    def test_a_large_corpus_stays_within_the_height_cap(self, many):
        arts, hits = many
        plot = strict(lambda: timeline.plot_dispersion(arts, hits, labels={}, max_height=8))
        assert plot.figure.get_size_inches()[1] <= 8

    def test_a_capped_plot_says_how_many_articles_it_shows(self, many):
        arts, hits = many
        plot = strict(lambda: timeline.plot_dispersion(arts, hits, labels={}, max_height=8))
        rows = len(plot.figure.axes[0].get_yticks())
        assert f"{rows} of 200 articles shown" in plot.message and rows < 30

    def test_a_capped_plot_draws_no_article_without_hits(self, many):
        arts, hits = many
        plot = strict(lambda: timeline.plot_dispersion(arts, hits, labels={}, max_height=8))
        labels = {t.get_text().split(" · ")[0] for t in plot.figure.axes[0].get_yticklabels()}
        assert labels <= set(hits["id"])
