"""Timeline plots: what they draw, read back from the figure's artists, with warnings as errors.

The tables come from :mod:`helpers.timeline` (tested in ``test_timeline.py``) or are written
here by hand; the expected positions are worked out independently with ``date2num``.
"""

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

from helpers import arabic, plots, timeline
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


def tick_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels()]


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
def timeline_table(articles):
    return timeline.article_timeline(articles)


def intensity_table(rows) -> pd.DataFrame:
    """A frame-intensity table by hand: (frame, row, date, per_1000, inferred, panel)."""
    table = pd.DataFrame(rows, columns=["frame", "row", "date", "per_1000", "inferred", "panel"])
    return table.assign(
        date=pd.to_datetime(table["date"]),
        period="article",
        id=[f"x{i}" for i in range(len(table))],
        n_articles=1,
        ci_low=table["per_1000"] / 2,
        ci_high=table["per_1000"] * 2,
    )


@pytest.fixture
def points():
    return intensity_table(
        [
            ("external_forces", 0, "2019-12-15", 2.0, False, 0),
            ("external_forces", 0, "2022-01-10", 3.0, False, 1),
            ("external_forces", 0, "2022-01-10", 5.0, True, 1),
            ("external_forces", 0, "2022-01-11", 4.0, False, 1),
            ("stability_security", 1, "2022-01-11", 1.0, False, 1),
        ]
    )


@pytest.fixture
def events():
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2022-01-07", "2024-06-01"]),
            "label_en": ["Xi sends a verbal message", "Far away"],
            "label_ar": ["رسالة شفهية من شي", "حدث بعيد"],
            "source": ["Xinhua", "test"],
            "note": ["", ""],
            "panel": [1, -1],
            "shown": [True, False],
            "number": pd.array([1, pd.NA], dtype="Int64"),
        }
    )


class TestPlotArticles:
    def test_each_dated_article_is_drawn_at_its_date(self, timeline_table):
        plot = strict(lambda: plots.plot_articles(timeline_table))
        marks = flat(artists(plot.figure, "articles:"))
        assert x_of(marks) == sorted(
            [day("2022-01-10"), day("2022-01-11"), day("2019-12-15"), day("2022-01-10")]
        )

    def test_the_inferred_date_is_drawn_hollow(self, timeline_table):
        plot = strict(lambda: plots.plot_articles(timeline_table))
        (hollow,) = artists(plot.figure, "articles:")["articles:Other:inferred"]
        assert x_of([hollow]) == [day("2022-01-10")]
        assert len(hollow.get_facecolors()) == 0 or hollow.get_facecolors()[:, 3].max() == 0

    def test_the_undated_article_is_marked_in_its_own_panel_and_named(self, timeline_table):
        plot = strict(lambda: plots.plot_articles(timeline_table))
        assert "undated:Other" in artists(plot.figure, "undated:")
        assert "1 article: `e`" in plot.message

    def test_dates_years_apart_go_to_separate_panels_that_contain_them(self, timeline_table):
        plot = strict(lambda: plots.plot_articles(timeline_table))
        time_axes = [
            ax
            for ax in plot.figure.axes
            if any(str(c.get_gid()).startswith("articles:") for c in ax.collections)
        ]
        assert len(time_axes) == 2
        for ax in time_axes:
            lo, hi = ax.get_xlim()
            xs = x_of([c for c in ax.collections if str(c.get_gid()).startswith("articles:")])
            assert lo < min(xs) and max(xs) < hi

    def test_one_row_label_per_outlet_with_the_agency_over_the_outlet(self, timeline_table):
        plot = strict(lambda: plots.plot_articles(timeline_table))
        labels = [t.get_text() for t in plot.figure.axes[0].get_yticklabels()]
        assert labels == ["شينخوا\nXinhua", "Other"]

    def test_a_single_article_gives_one_mark(self, articles):
        table = timeline.article_timeline(articles.iloc[[0]])
        plot = strict(lambda: plots.plot_articles(table))
        assert x_of(flat(artists(plot.figure, "articles:"))) == [day("2022-01-10")]

    def test_a_corpus_without_dates_gives_a_message_not_a_figure(self, articles):
        table = timeline.article_timeline(articles.assign(date=pd.NaT, date_source="none"))
        plot = strict(lambda: plots.plot_articles(table))
        assert plot.figure is None and "None of the 5 articles has a date" in plot.message

    def test_a_pooled_table_draws_one_mark_per_row_and_says_per_what(self):
        table = pd.DataFrame(
            {
                "row": 0, "outlet": "X", "agency": "", "period": "week", "inferred": False,
                "date": pd.to_datetime(["2021-01-04", "2021-01-11", "2021-03-01"]),
                "n_articles": [3, 1, 2], "n_words": 900, "id": "...", "panel": 0,
            }
        )  # fmt: skip
        plot = strict(lambda: plots.plot_articles(table))
        marks = flat(artists(plot.figure, "articles:"))
        assert x_of(marks) == [day("2021-01-04"), day("2021-01-11"), day("2021-03-01")]
        assert "6 dated articles" in plot.message and "one week" in plot.message

    def test_a_dollar_in_an_outlet_is_drawn_as_text(self, articles):
        table = timeline.article_timeline(articles.assign(outlet="loan_$1bn_$2bn"))
        plot = strict(lambda: plots.plot_articles(table))
        (label,) = plot.figure.axes[0].get_yticklabels()
        assert label.get_text().endswith(r"loan_\$1bn_\$2bn")

    def test_the_warning_check_does_catch_a_missing_glyph(self):
        def bad():
            fig = Figure()
            fig.suptitle("\u4e2d")  # a CJK character DejaVu Sans does not have
            return plots.TimelinePlot(fig)

        with pytest.raises(UserWarning, match="missing from font"):
            strict(bad)


class TestDateAxis:
    def test_a_panel_from_january_into_february_names_both_months(self, points, events):
        spread = points.assign(
            date=pd.to_datetime(
                ["2019-12-15", "2022-01-02", "2022-01-10", "2022-02-05", "2022-02-05"]
            )
        )
        plot = strict(lambda: plots.plot_frame_intensity(spread, labels={}))
        ax = plot.figure.axes[3]  # bottom row (the one with tick labels), panel 1
        texts = " ".join(tick_texts(ax))
        assert "Jan" in texts and "Feb" in texts
        assert ax.xaxis.get_major_formatter().get_offset() == "2022"


class TestPlotFrameIntensity:
    def test_each_rate_is_drawn_at_its_date_and_value(self, points, events):
        plot = strict(lambda: plots.plot_frame_intensity(points, events, labels={}))
        lines = artists(plot.figure, "rates:external_forces:dated")["rates:external_forces:dated"]
        drawn = sorted(
            (float(x), float(y))
            for line in lines
            for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)
        )
        assert drawn == [
            (day("2019-12-15"), 2.0),
            (day("2022-01-10"), 3.0),
            (day("2022-01-11"), 4.0),
        ]

    def test_an_inferred_date_is_drawn_hollow(self, points, events):
        plot = strict(lambda: plots.plot_frame_intensity(points, events, labels={}))
        (line,) = artists(plot.figure, "rates:external_forces:inferred")[
            "rates:external_forces:inferred"
        ]
        assert line.get_markerfacecolor() == "none" and list(line.get_ydata()) == [5.0]

    def test_one_row_of_axes_per_frame_and_one_column_per_panel(self, points, events):
        plot = strict(lambda: plots.plot_frame_intensity(points, events, labels={}))
        labels = [ax.get_ylabel() for ax in plot.figure.axes if ax.get_ylabel()]
        assert len(plot.figure.axes) == 4 and labels == ["external forces", "stability security"]

    def test_only_a_shown_event_is_drawn_and_numbered(self, points, events):
        plot = strict(lambda: plots.plot_frame_intensity(points, events, labels={}))
        lines = flat(artists(plot.figure, "event-lines"))
        xs = [float(seg[0, 0]) for c in lines for seg in c.get_segments()]
        assert xs == [day("2022-01-07")] * 2  # the panel of 2022 in both frame rows
        (number,) = flat(artists(plot.figure, "event:"))
        assert number.get_text() == "1"

    def test_the_key_explains_each_shown_event(self, points, events):
        plot = strict(lambda: plots.plot_frame_intensity(points, events, labels={}))
        texts = [t.get_text() for t in plot.figure.legends[0].get_texts()]
        assert len(texts) == 3 and "07 Jan 2022: Xi sends a verbal message" in texts[-1]

    def test_close_events_share_one_number_range(self, points, events):
        days = pd.to_datetime(["2022-01-06", "2022-01-07", "2022-01-08", "2022-01-09"])
        many = pd.DataFrame(
            {"date": days, "label_en": list("abcd"), "label_ar": ["حدث"] * 4, "panel": 1,
             "shown": True, "number": pd.array([1, 2, 3, 4], dtype="Int64")}
        )  # fmt: skip
        wide = pd.concat([points, points.iloc[[1]].assign(date=pd.Timestamp("2022-03-10"))])
        plot = strict(lambda: plots.plot_frame_intensity(wide, many, labels={}))
        # a panel of about 70 days: events a day apart are closer than 6% of it
        assert [a.get_text() for a in flat(artists(plot.figure, "event:"))] == ["1–4"]

    def test_a_dollar_in_an_event_label_is_drawn_as_text(self, points, events):
        loan = events.assign(label_en=["loan_$1bn_$2bn", "Far away"])
        plot = strict(lambda: plots.plot_frame_intensity(points, loan, labels={}))
        texts = [t.get_text() for t in plot.figure.legends[0].get_texts()]
        assert texts[-1].endswith(r"loan_\$1bn_\$2bn")

    def test_events_not_placed_by_events_near_are_refused(self, points, events):
        with pytest.raises(ValueError, match="events_near"):
            plots.plot_frame_intensity(points, events.drop(columns="shown"), labels={})

    def test_an_empty_table_gives_a_message_not_a_figure(self):
        empty = pd.DataFrame(columns=list(timeline.INTENSITY_COLUMNS))
        plot = strict(lambda: plots.plot_frame_intensity(empty, labels={}))
        assert plot.figure is None and "has a date" in plot.message

    def test_a_pooled_table_says_how_many_articles_per_what(self, points):
        pooled = points.assign(period="week", n_articles=[10, 20, 30, 40, 100])
        plot = strict(lambda: plots.plot_frame_intensity(pooled, labels={}))
        assert plot.message.startswith("100 dated articles pooled per week")


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
        table = timeline.dispersion(articles, hits)
        plot = strict(lambda: plots.plot_dispersion(table, labels={}))
        length = len(articles["text"][0])
        ticks = artists(plot.figure, "hits:f1")["hits:f1"]
        assert x_of(ticks) == sorted([0.0, 300 / length, 60 / length])

    def test_one_line_per_article_labelled_with_id_and_date(self, articles, hits):
        table = timeline.dispersion(articles, hits)
        plot = strict(lambda: plots.plot_dispersion(table, labels={}))
        labels = [t.get_text() for t in plot.figure.axes[0].get_yticklabels()]
        assert labels == [
            "c · 2019-12-15",
            "a · 2022-01-10",
            "d · 2022-01-10",
            "b · 2022-01-11",
            "e · undated",
        ]

    def test_one_panel_per_frame_in_the_tables_order(self, articles, hits):
        table = timeline.dispersion(articles, hits)
        plot = strict(lambda: plots.plot_dispersion(table, labels={}))
        assert [ax.get_title() for ax in plot.figure.axes if ax.get_visible()] == ["f1", "f2"]

    def test_a_capped_table_says_how_many_articles_it_shows(self, articles, hits):
        table = timeline.dispersion(articles, hits, max_articles=2)
        plot = strict(lambda: plots.plot_dispersion(table, labels={}))
        assert len(plot.figure.axes[0].get_yticks()) == 2 and "2 of 5" in plot.message

    def test_many_lines_stay_within_the_height_cap(self):
        table = pd.DataFrame(
            {"row": np.arange(60), "id": [f"n{i}" for i in range(60)], "date": pd.NaT,
             "frame": [f"f{i % 9}" for i in range(60)], "panel": [i % 9 for i in range(60)],
             "position": 0.5, "n_corpus": 60}
        )  # fmt: skip
        plot = strict(lambda: plots.plot_dispersion(table, labels={}, max_height=8))
        assert plot.figure.get_size_inches()[1] <= 8
        assert len(plot.figure.axes[0].get_yticks()) == 60

    def test_a_dollar_in_an_id_is_drawn_as_text(self, articles, hits):
        table = timeline.dispersion(articles, hits).replace({"id": {"a": "loan_$1bn_$2bn"}})
        plot = strict(lambda: plots.plot_dispersion(table, labels={}))
        labels = [t.get_text() for t in plot.figure.axes[0].get_yticklabels()]
        assert r"loan_\$1bn_\$2bn · 2022-01-10" in labels

    def test_an_empty_table_gives_a_message_not_a_figure(self, articles, hits):
        table = timeline.dispersion(articles, hits.iloc[:0])
        plot = strict(lambda: plots.plot_dispersion(table, labels={}))
        assert plot.figure is None and "No frame hit" in plot.message


class TestTimelinePlot:
    def test_saving_a_plot_without_figure_says_why(self):
        plot = plots.TimelinePlot(None, message="no dates")
        with pytest.raises(ValueError, match="no dates"):
            plot.savefig(io.BytesIO())


class TestUndatedNote:
    def test_many_undated_articles_give_the_count_and_the_first_ids(self):
        note = plots.undated_note([f"n{i}" for i in range(200)], limit=3)
        assert "200 articles: `n0`, `n1`, `n2` and 197 more" in note and "`n3`" not in note

    def test_a_limit_of_zero_gives_the_count_only(self):
        note = plots.undated_note(["a", "b"], limit=0)
        assert "2 articles" in note and "`a`" not in note

    def test_no_undated_article_gives_no_note(self):
        assert plots.undated_note([]) == ""

    def test_an_id_with_backticks_and_markup_renders_as_text(self):
        from bs4 import BeautifulSoup
        from nbconvert.filters.markdown_mistune import markdown2html_mistune

        hostile = 'u`<img src=x onerror=alert(1)>`"><b>'
        html = markdown2html_mistune(plots.undated_note([hostile, "``"]))
        soup = BeautifulSoup(html, "html.parser")
        assert not soup.find_all(["img", "b"])
        assert [c.get_text() for c in soup.find_all("code")] == [hostile, "``"]


class TestCodeSpan:
    def test_the_fence_is_longer_than_any_backtick_run_inside(self):
        assert plots.code_span("a``b") == "```a``b```"

    def test_a_backtick_at_either_end_is_padded_off_the_fence(self):
        assert plots.code_span("`a") == "`` `a ``"


class TestPlain:
    def test_a_dollar_is_escaped_for_mathtext(self):
        assert plots.plain("$1bn") == "\\$1bn"


class TestPlotStepChanges:
    @pytest.fixture
    def summary(self):
        articles = pd.DataFrame({"id": ["a", "b"], "text": ["إنّ الصين", "قال إن"]})
        changes = arabic.step_change_table(articles, steps=["strip_diacritics", "normalize_alef"])
        return arabic.step_change_summary(changes)

    def test_one_bar_per_step_first_step_on_top_as_a_percentage(self, summary):
        ax = plots.plot_step_changes(summary)
        assert [p.get_width() for p in ax.patches] == [50.0, 25.0]
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        assert ticks == ["normalize_alef", "strip_diacritics"]

    def test_each_bar_says_how_many_articles_the_step_touched(self, summary):
        texts = [t.get_text() for t in plots.plot_step_changes(summary).texts]
        assert texts == ["  2/2 articles", "  1/2 articles"]

    def test_an_empty_summary_gives_a_title_not_bars(self):
        ax = plots.plot_step_changes(arabic.step_change_summary(pd.DataFrame()))
        assert not ax.patches and ax.get_title() == "No articles to count"
