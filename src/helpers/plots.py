"""Every chart of the notebooks: each function takes a table computed elsewhere and draws it.

The tables come from the module of their concern; this module only draws them:

- :func:`plot_lengths` draws the article table of :func:`~helpers.corpus.load_corpus`;
- :func:`plot_step_changes` draws :func:`~helpers.arabic.step_change_summary`;
- :func:`plot_top_terms`, :func:`plot_similarity`, :func:`plot_term_table` and
  :func:`plot_keyness` draw :func:`~helpers.terms.top_terms`,
  :func:`~helpers.terms.similarity`, :func:`~helpers.terms.top_term_table` and
  :func:`~helpers.terms.top_keyness`; which articles a chart shows when there are too many
  (:func:`~helpers.terms.sample_ids`) and in what order
  (:func:`~helpers.terms.order_by_similarity`) are decided in :mod:`helpers.terms`;
- :func:`plot_rate_heatmap` draws :func:`~helpers.frames.top_rates`;
- :func:`plot_articles` draws :func:`~helpers.timeline.article_timeline`: one row per outlet,
  marker area for length (or count), hollow markers for inferred dates, undated articles in a
  panel of their own;
- :func:`plot_frame_intensity` draws :func:`~helpers.timeline.frame_intensity` with the events
  of :func:`~helpers.timeline.events_near` numbered on the axis;
- :func:`plot_dispersion` draws :func:`~helpers.timeline.dispersion` as an x-ray plot.

Nothing here computes a statistic. In the timeline plots every mark is a row of the table it
was given, at the x of its ``date`` (:func:`matplotlib.dates.date2num`, so a test can read the
date back from the artists) or its ``position``. Each panel of a broken time axis has its own
scale, so distances *across* a break are not to scale. Labels go through
:func:`helpers.plotting.ar` / :func:`~helpers.plotting.bilingual`, with ``$`` escaped in the
timeline plots so an id or outlet is never read as mathtext.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator

from helpers import terms
from helpers.plotting import ar, bilingual, plt
from helpers.timeline import OTHER_OUTLETS, UNKNOWN_OUTLET, frame_labels

# Outlet rows and frame colours: colour-blind-safe Tableau palette, in a fixed order.
PALETTE = (
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F",
    "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC",
)  # fmt: skip

_MIN_PAD_DAYS = 2.0


@dataclass
class TimelinePlot:
    """A figure and what the reader should know about it.

    Attributes
    ----------
    figure : matplotlib.figure.Figure or None
        None when there is nothing to draw (e.g. no article has a date); ``message`` says why.
    message : str
        Markdown: why nothing was drawn, what was pooled or capped, which articles are undated.
    """

    figure: Figure | None
    message: str = ""

    def _ipython_display_(self) -> None:  # pragma: no cover - exercised in the notebooks
        from IPython.display import Image, Markdown, display

        if self.figure is not None:  # rendered here, so no pyplot backend set-up is needed
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
            display(Image(data=buffer.getvalue(), format="png"))
        if self.message:
            display(Markdown(self.message))

    def savefig(self, path, **kwargs) -> None:
        """Save the figure (PNG, SVG, ...); raises if there is no figure to save."""
        if self.figure is None:
            raise ValueError(f"nothing to save: {self.message}")
        self.figure.savefig(path, **kwargs)


def code_span(text: object) -> str:
    """Text as a Markdown code span that shows it literally, whatever it holds.

    The fence is one backtick longer than the longest run of backticks inside (CommonMark), so
    an id from a corpus such as ``a`<img onerror=…>`` cannot close the span early and become
    markup in a report.

    >>> code_span("a1"), code_span("a`b"), code_span("`x")
    ('`a1`', '``a`b``', '`` `x ``')
    """
    text = str(text).replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def undated_note(ids: Sequence[str], limit: int = 5) -> str:
    """One Markdown line about the articles left off a time axis: the count, then the first
    ``limit`` ids (``limit=0``: the count only).

    >>> undated_note(["a", "b", "c"], limit=2)
    '**Not on the time axis (no date):** 3 articles: `a`, `b` and 1 more.'
    >>> undated_note(["a"], limit=0)
    '**Not on the time axis (no date):** 1 article.'
    >>> undated_note([])
    ''
    """
    n = len(ids)
    if n == 0:
        return ""
    head = f"**Not on the time axis (no date):** {n} article{'s' if n != 1 else ''}"
    if limit <= 0:
        return f"{head}."
    shown = ", ".join(code_span(i) for i in list(ids)[:limit])
    return f"{head}: {shown}." if n <= limit else f"{head}: {shown} and {n - limit} more."


def plain(text: object) -> str:
    """Text for a matplotlib label with ``$`` escaped, so it is never read as mathtext.

    >>> plain("loan_$1bn_$2bn")
    'loan_\\\\$1bn_\\\\$2bn'
    """
    return str(text).replace("$", r"\$")


# --------------------------------------------------------------------------------------------
# Broken date axes


def _x(dates: pd.Series) -> np.ndarray:
    """matplotlib date numbers of a datetime column."""
    return mdates.date2num(pd.to_datetime(dates).dt.to_pydatetime())


def _panel_limits(xs: np.ndarray) -> tuple[float, float]:
    """Padded x limits (date numbers) for a panel's marks: at least two days either side."""
    lo, hi = float(np.min(xs)), float(np.max(xs))
    pad = max(_MIN_PAD_DAYS, 0.08 * (hi - lo))
    return lo - pad, hi + pad


class _InnerDateLocator(mdates.AutoDateLocator):
    """AutoDateLocator without ticks in the outer 5% of the view, where panels meet."""

    def __call__(self):
        ticks = super().__call__()
        lo, hi = self.axis.get_view_interval()
        margin = 0.05 * (hi - lo)
        inner = [t for t in ticks if lo + margin <= t <= hi - margin]
        return inner if len(inner) >= 2 else ticks


def _format_date_axis(ax, xs: Sequence[float], n_panels: int) -> None:
    """Date ticks for one panel: the days themselves for a short span, else automatic.

    Day ticks carry their month ("09 Jan"), and the offset only the year, so a panel that
    starts in one month and ends in the next names both.
    """
    days = np.unique(np.floor(np.asarray(xs, dtype=float)))
    if len(days) and days[-1] - days[0] <= 7:
        if len(days) > 4:
            days = days[np.linspace(0, len(days) - 1, 4).round().astype(int)]
        ax.xaxis.set_major_locator(FixedLocator(days))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
    else:
        locator = _InnerDateLocator(minticks=2, maxticks=4 if n_panels > 1 else 7)
        ax.xaxis.set_major_locator(locator)
        formatter = mdates.ConciseDateFormatter(
            locator,
            formats=["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"],
            offset_formats=["", "%Y", "%Y", "%Y-%b-%d", "%Y-%b-%d", "%Y-%b-%d %H:%M"],
            show_offset=True,
        )
        ax.xaxis.set_major_formatter(formatter)
    ax.tick_params(axis="x", labelsize=8)


def _break_marks(axes: Sequence) -> None:
    """Hide the inner spines between panels and draw the usual // break marks."""
    kw = {"marker": [(-1, -1.5), (1, 1.5)], "markersize": 9, "linestyle": "none",
          "color": "0.4", "mec": "0.4", "mew": 1, "clip_on": False}  # fmt: skip
    for left, right in itertools.pairwise(axes):
        left.spines["right"].set_visible(False)
        right.spines["left"].set_visible(False)
        right.tick_params(axis="y", which="both", left=False)
        left.plot([1], [0], transform=left.transAxes, **kw)
        right.plot([0], [0], transform=right.transAxes, **kw)


def _date_source_handles(size: float, edge: float, read: str, inferred: str) -> list[Line2D]:
    """Legend entries for the two date sources: filled = read, hollow = inferred."""
    common = {"marker": "o", "linestyle": "none", "color": "0.35", "markersize": size}
    return [
        Line2D([], [], label=read, **common),
        Line2D([], [], label=inferred, markerfacecolor="none", markeredgewidth=edge, **common),
    ]


def _frame_colours(frames: Sequence[str], labels: Mapping[str, tuple[str, str]]) -> dict:
    """One colour per frame, by its place in the lexicon, so every plot agrees."""
    order = [*labels, *[f for f in frames if f not in labels]]
    return {f: PALETTE[order.index(f) % len(PALETTE)] for f in frames}


def _frame_label(frame: str, labels: Mapping[str, tuple[str, str]]) -> str:
    """Two-line plot label; the English name is cut before " / " or " (" to stay short."""
    arabic, english = labels.get(frame, ("", frame.replace("_", " ")))
    english = plain(english.split(" / ")[0].split(" (")[0])
    return bilingual(arabic, english) if arabic else english


# --------------------------------------------------------------------------------------------
# 1. Articles over time


def _row_label(outlet: str, agency: str) -> str:
    if outlet == OTHER_OUTLETS:
        return bilingual(OTHER_OUTLETS, "other outlets")
    if outlet == UNKNOWN_OUTLET:
        return bilingual(UNKNOWN_OUTLET, "unknown outlet")
    return bilingual(agency, plain(outlet)) if agency else ar(plain(outlet))


def _marker_area(values: pd.Series, ref: float) -> pd.Series:
    """Marker area (pt^2): 15 for nothing, 215 for ``ref``."""
    return 15 + 200 * (values.fillna(0).clip(lower=0) / max(ref, 1.0))


def _day_offsets(rows: pd.Series, dates: pd.Series, step: float = 0.16) -> np.ndarray:
    """Small vertical offsets so marks on the same row and day do not hide each other."""
    keys = pd.DataFrame({"r": rows.to_numpy(), "d": dates.dt.normalize().to_numpy()})
    rank = keys.groupby(["r", "d"]).cumcount().to_numpy()
    size = keys.groupby(["r", "d"])["r"].transform("size").to_numpy()
    return np.clip((rank - (size - 1) / 2) * step, -0.4, 0.4)


def _nice_sizes(n_words: pd.Series, ref: float) -> list[int]:
    """Two or three round word counts spanning the data, for the size legend."""
    values = n_words.dropna()
    picks = sorted({_round_nice(v) for v in (*values.agg(["min", "median"]), ref) if v > 0})
    kept: list[int] = []
    for value in picks:  # drop a size that would look the same as the previous one
        if not kept or value > 1.3 * kept[-1]:
            kept.append(value)
    return kept


def _round_nice(value: float) -> int:
    magnitude = 10 ** max(int(math.log10(value)) - 1, 0)
    return int(round(value / magnitude) * magnitude)


def plot_articles(table: pd.DataFrame) -> TimelinePlot:
    """Draw :func:`helpers.timeline.article_timeline`: one row per outlet, a panel per span.

    Filled markers are dates read from the text or metadata, hollow ones inferred dates.
    Marker area is the article's length, or the count of articles when the table is pooled.
    Undated rows are drawn in a separate "undated" panel with their count, and named below
    the figure. Artists carry gids ``articles:<outlet>:<dated|inferred>`` and
    ``undated:<outlet>``.

    Examples
    --------
    >>> from helpers.timeline import article_timeline
    >>> arts = pd.DataFrame({"id": ["a", "b"], "date": pd.to_datetime(["2022-01-10", None]),
    ...                      "date_source": ["dateline", "none"], "outlet": ["Xinhua"] * 2,
    ...                      "n_words": [600, 400]})
    >>> plot = plot_articles(article_timeline(arts))
    >>> len(plot.figure.axes), plot.message
    (2, '**Not on the time axis (no date):** 1 article: `b`.')
    """
    dated, undated = table[table["panel"] >= 0], table[table["panel"] < 0]
    note = undated_note(undated["id"].tolist())
    if dated.empty:
        return TimelinePlot(
            None,
            f"None of the {len(undated)} articles has a date, so there is no time axis "
            f"to draw.\n\n{note}",
        )
    rows = table[["row", "outlet", "agency"]].drop_duplicates("row").sort_values("row")
    n_panels = int(dated["panel"].max()) + 1
    fig, axes = _article_figure(dated, n_panels, len(rows), has_undated=len(undated) > 0)
    _draw_article_panels(axes[:n_panels], dated)
    if len(undated):
        _draw_undated(axes[-1], undated)
    axes[0].set_yticks(
        rows["row"], [_row_label(o, a) for o, a in zip(rows["outlet"], rows["agency"], strict=True)]
    )
    axes[0].set_ylim(len(rows) - 0.5, -0.5)
    axes[0].tick_params(axis="y", labelsize=9)
    fig.supxlabel(bilingual("تاريخ النشر", "publication date"), fontsize=9)
    fig.suptitle(bilingual("المقالات على محور الزمن", "Articles over time, by outlet"), fontsize=11)
    fig.legend(
        handles=_article_legend(dated, has_undated=len(undated) > 0),
        loc="outside right upper",
        fontsize=8,
        frameon=False,
        labelspacing=1.1,
    )
    return TimelinePlot(fig, "\n\n".join(m for m in (_pooled_articles_note(dated), note) if m))


def _pooled_articles_note(dated: pd.DataFrame) -> str:
    period = dated["period"].iloc[0]
    if period == "article":
        return ""
    n = int(dated["n_articles"].sum())
    return f"{n} dated articles: each mark counts the articles of one {period} (area by count)."


def _article_figure(dated: pd.DataFrame, n_panels: int, n_rows: int, has_undated: bool):
    """The figure and its axes: one per panel (wider for long spans), then the undated one."""
    spans = dated.groupby("panel")["date"].agg(lambda d: (d.max() - d.min()).days)
    short = [spans.get(k, 0) <= 14 for k in range(n_panels)]
    ratios = [1.0 if s else 1.7 for s in short] + ([0.3] if has_undated else [])
    width = min(4.5 + sum(2.6 if s else 4.5 for s in short) + (1.0 if has_undated else 0), 14)
    fig = Figure(figsize=(width, 2.4 + 0.55 * n_rows), layout="constrained")
    axes = fig.subplots(
        1, len(ratios), sharey=True, squeeze=False,
        gridspec_kw={"width_ratios": ratios, "wspace": 0.02},
    )[0]  # fmt: skip
    return fig, list(axes)


def _draw_article_panels(axes: Sequence, dated: pd.DataFrame) -> None:
    by_count = dated["period"].iloc[0] != "article"
    values = dated["n_articles"] if by_count else dated["n_words"]
    marks = dated.assign(
        x=_x(dated["date"]),
        y=dated["row"].to_numpy(float) + _day_offsets(dated["row"], dated["date"]),
        size=_marker_area(values, float(values.max()) if values.notna().any() else 1.0),
    )
    for k, ax in enumerate(axes):
        in_panel = marks[marks["panel"] == k]
        for (row, outlet, inferred), grp in in_panel.groupby(["row", "outlet", "inferred"]):
            colour = PALETTE[int(row) % len(PALETTE)]
            ax.scatter(
                grp["x"], grp["y"], s=grp["size"], marker="o", linewidths=1.6,
                facecolors="none" if inferred else colour, edgecolors=colour,
                alpha=1.0 if inferred else 0.85, zorder=3,
                gid=f"articles:{outlet}:{'inferred' if inferred else 'dated'}",
            )  # fmt: skip
        ax.set_xlim(*_panel_limits(in_panel["x"].to_numpy()))
        _format_date_axis(ax, in_panel["x"], len(axes))
        ax.grid(axis="x", color="0.9", linewidth=0.8)
    if len(axes) > 1:
        _break_marks(axes)


def _draw_undated(ax, undated: pd.DataFrame) -> None:
    counts = undated.groupby(["row", "outlet"])["n_articles"].sum()
    for (row, outlet), n in counts.items():
        ax.scatter([0.0], [row], s=60, marker="X", color="0.45", zorder=3, gid=f"undated:{outlet}")
        ax.annotate(
            f"{n}", (0.0, row), xytext=(8, 0), textcoords="offset points",
            va="center", fontsize=9, color="0.3",
        )  # fmt: skip
    ax.set_xlim(-0.6, 1.2)
    ax.set_xticks([])
    ax.set_title(bilingual("بلا تاريخ", "undated"), fontsize=9)
    ax.spines["left"].set_visible(False)
    ax.spines["bottom"].set_color("0.8")
    ax.tick_params(axis="y", left=False)


def _article_legend(dated: pd.DataFrame, has_undated: bool) -> list[Line2D]:
    handles = _date_source_handles(
        8,
        1.6,
        bilingual("تاريخ من سطر التاريخ أو البيانات", "date read (dateline/metadata)"),
        bilingual("تاريخ مستنتج", "date inferred"),
    )
    period = dated["period"].iloc[0]
    units = {"day": "اليوم", "week": "الأسبوع", "month": "الشهر"}
    if period in units:
        label = bilingual(
            f"المساحة = عدد المقالات في {units[period]}", f"area = articles per {period}"
        )
        handles.append(Line2D([], [], linestyle="none", label=label))
    else:
        ref = float(dated["n_words"].max()) if dated["n_words"].notna().any() else 1.0
        for n in _nice_sizes(dated["n_words"], ref):
            size = math.sqrt(float(_marker_area(pd.Series([n]), ref)[0]))
            label = f"{n:,} words / " + ar("كلمة")
            handles.append(
                Line2D(
                    [], [], marker="o", linestyle="none", color="0.6", markersize=size, label=label
                )
            )
    if has_undated:
        label = bilingual("عدد المقالات بلا تاريخ", "undated: count")
        handles.append(
            Line2D([], [], marker="X", linestyle="none", color="0.45", markersize=8, label=label)
        )
    return handles


# --------------------------------------------------------------------------------------------
# 2. Frame intensity over time, with events


def _event_marks(x: Sequence[float], min_sep: float, max_levels: int = 3):
    """Where to write event numbers so they do not overlap.

    Consecutive events closer than ``min_sep`` form a group. A group of up to ``max_levels``
    events is staggered (one level per event); a larger group gets one mark "first–last" at
    its middle. Returns ``(x, level, first index, last index)`` per mark.
    """
    groups: list[list[int]] = []
    for i, value in enumerate(x):
        if groups and value - x[groups[-1][-1]] < min_sep:
            groups[-1].append(i)
        else:
            groups.append([i])
    marks = []
    for group in groups:
        if len(group) <= max_levels:
            marks += [(x[i], level, i, i) for level, i in enumerate(group)]
        else:
            marks.append(((x[group[0]] + x[group[-1]]) / 2, 0, group[0], group[-1]))
    return marks


def plot_frame_intensity(
    intensity: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    labels: Mapping[str, tuple[str, str]] | None = None,
) -> TimelinePlot:
    """Draw :func:`helpers.timeline.frame_intensity`, with :func:`~helpers.timeline.events_near`.

    One row of axes per frame, one column per panel. A point is a row of ``intensity`` at its
    date with its ``ci_low``–``ci_high`` interval as a bar; hollow points have inferred dates.
    Shown events are numbered dashed lines, explained in the key below the figure. Artists
    carry gids ``rates:<frame>:<dated|inferred>``, ``event-lines`` (one collection per axes)
    and ``event:<date>`` (``event:<first>..<last>`` for a group). ``labels`` maps frame ids
    to (Arabic, English) names, :func:`helpers.timeline.frame_labels` by default.

    Examples
    --------
    >>> points = pd.DataFrame({"frame": ["f"], "row": [0], "date": pd.to_datetime(["2022-01-10"]),
    ...     "period": ["article"], "inferred": [False], "n_articles": [1], "per_1000": [4.0],
    ...     "ci_low": [0.5], "ci_high": [14.4], "panel": [0]})
    >>> len(plot_frame_intensity(points, labels={}).figure.axes)
    1
    """
    if intensity.empty:
        return TimelinePlot(
            None,
            "No article that has a date has a hit of these frames, so there is nothing to draw "
            "over time; the x-ray plot below needs no dates.",
        )
    labels = frame_labels() if labels is None else labels
    points = intensity.assign(x=_x(intensity["date"]))
    frames = points.drop_duplicates("row").sort_values("row")["frame"].tolist()
    shown = pd.DataFrame(columns=["date", "x", "panel", "number", "label_ar", "label_en"])
    if events is not None and not {"shown", "panel", "number"} <= set(events.columns):
        raise ValueError("the events lack shown/panel/number; pass timeline.events_near(...)")
    if events is not None and events["shown"].any():
        shown = events[events["shown"]].assign(x=lambda e: _x(e["date"]))
    n_panels = int(points["panel"].max()) + 1
    panel_x = [
        np.r_[points.loc[points["panel"] == k, "x"], shown.loc[shown["panel"] == k, "x"]]
        for k in range(n_panels)
    ]
    # at least 9 inches: the two-column event key below must fit the figure's width
    width = min(max(3.2 + 3.0 * n_panels, 9.0 if len(shown) else 5.0), 13)
    height = 1.9 + 1.25 * len(frames) + 0.33 * math.ceil(len(shown) / 2)
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(
        len(frames), n_panels, sharex="col", sharey="row", squeeze=False,
        gridspec_kw={"wspace": 0.02},
    )  # fmt: skip
    colours = _frame_colours(frames, labels)
    for r, frame in enumerate(frames):
        _draw_rate_row(axes[r], points[points["row"] == r], shown, panel_x, colours[frame])
        axes[r, 0].set_ylabel(
            _frame_label(frame, labels), fontsize=8, rotation=0, ha="right", va="center", labelpad=8
        )
        if r < len(frames) - 1:
            for ax in axes[r]:
                ax.tick_params(axis="x", labelbottom=False)
    for k in range(n_panels):
        _draw_event_numbers(axes[0, k], shown[shown["panel"] == k], _panel_limits(panel_x[k]))
    fig.supylabel(bilingual("عدد المطابقات لكل ألف كلمة", "hits per 1,000 words"), fontsize=9)
    fig.suptitle(
        bilingual(
            "شدة الأطر عبر الزمن",
            "Frame intensity over time (bars: ci_low to ci_high of the rates)",
        ),
        fontsize=11,
    )
    handles = _date_source_handles(
        6, 1.4, bilingual("تاريخ مقروء", "date read"), bilingual("تاريخ مستنتج", "inferred")
    )
    handles += [_event_key(ev) for _, ev in shown.iterrows()]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=7, frameon=False)
    return TimelinePlot(fig, _pooled_note(points))


def _pooled_note(points: pd.DataFrame) -> str:
    period = points["period"].iloc[0]
    if period == "article":
        return ""
    n = int(points.loc[points["row"] == 0, "n_articles"].sum())
    return (
        f"{n} dated articles pooled per {period}: hits over words of the {period}, with an "
        "exact Poisson interval."
    )


def _draw_rate_row(axes, pts: pd.DataFrame, shown: pd.DataFrame, panel_x, colour: str) -> None:
    """One frame's points (with interval bars) and the event lines, in every panel.

    ``panel_x`` holds every x of each panel (all frames, and events): the panels of a column
    share their x axis, so they get the same limits and ticks.
    """
    for k, ax in enumerate(axes):
        for inferred, grp in pts[pts["panel"] == k].groupby("inferred"):
            yerr = np.vstack(
                [
                    (grp["per_1000"] - grp["ci_low"]).clip(lower=0).to_numpy(float),
                    (grp["ci_high"] - grp["per_1000"]).clip(lower=0).to_numpy(float),
                ]
            )
            bars = ax.errorbar(
                grp["x"], grp["per_1000"], yerr=yerr, fmt="o", color=colour,
                markerfacecolor="none" if inferred else colour, markersize=6,
                markeredgewidth=1.4, elinewidth=1.1, capsize=2.5, zorder=3,
            )  # fmt: skip
            frame = grp["frame"].iloc[0]
            bars.lines[0].set_gid(f"rates:{frame}:{'inferred' if inferred else 'dated'}")
        ax.vlines(
            shown.loc[shown["panel"] == k, "x"], 0, 1, transform=ax.get_xaxis_transform(),
            colors="0.55", linestyles="--", linewidth=0.8, zorder=1, gid="event-lines",
        )  # fmt: skip
        ax.set_xlim(*_panel_limits(panel_x[k]))
        ax.grid(axis="y", color="0.92", linewidth=0.8)
        _format_date_axis(ax, panel_x[k], len(axes))
    top = np.nanmax(np.r_[pts["ci_high"].to_numpy(float), pts["per_1000"].to_numpy(float), 1.0])
    axes[0].set_ylim(0, 1.08 * top)
    if len(axes) > 1:
        _break_marks(list(axes))


def _draw_event_numbers(ax, shown: pd.DataFrame, limits: tuple[float, float]) -> None:
    """The events' numbers above the top row, staggered or grouped so they do not overlap."""
    lo, hi = limits
    for x, level, i, j in _event_marks(shown["x"].tolist(), min_sep=0.06 * (hi - lo)):
        first, last = shown.iloc[i], shown.iloc[j]
        text = f"{first['number']}" if i == j else f"{first['number']}–{last['number']}"
        gid = f"event:{first['date']:%Y-%m-%d}"
        if i != j:
            gid += f"..{last['date']:%Y-%m-%d}"
        box = "round,pad=0.25" if i != j else "circle,pad=0.2"
        ax.annotate(
            text, (x, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 4 + 13 * level),
            textcoords="offset points", ha="center", va="bottom", fontsize=7,
            annotation_clip=False, bbox={"boxstyle": box, "fc": "white", "ec": "0.45", "lw": 0.8},
            gid=gid,
        )  # fmt: skip


def _event_key(event: pd.Series) -> Line2D:
    """A legend entry: the event's number as the marker, its date and labels as the text."""
    label = bilingual(
        plain(event["label_ar"]), plain(f"{event['date']:%d %b %Y}: {event['label_en']}")
    )
    return Line2D(
        [], [], marker=f"${event['number']}$", linestyle="none", color="0.2", markersize=7,
        label=label,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# 3. Lexical dispersion ("x-ray")


def _article_label(ident: str, date, width: int = 22) -> str:
    ident = ident if len(ident) <= width else ident[: width - 1] + "…"
    # Latin only: an id and an Arabic word on one line would be reordered by the bidi rules
    return plain(f"{ident} · {date:%Y-%m-%d}" if pd.notna(date) else f"{ident} · undated")


def plot_dispersion(
    table: pd.DataFrame,
    *,
    labels: Mapping[str, tuple[str, str]] | None = None,
    ncols: int = 3,
    max_height: float = 11.0,
) -> TimelinePlot:
    """Draw :func:`helpers.timeline.dispersion`: one panel per frame, one line per article.

    Each hit is a tick at its relative position (0 = start of the text, 1 = end) on its
    article's line; an article without hits keeps an empty line. The figure is at most
    ``max_height`` inches tall: many lines are drawn thinner, with smaller labels. Tick
    artists carry the gid ``hits:<frame>``. ``labels`` maps frame ids to (Arabic, English)
    names, :func:`helpers.timeline.frame_labels` by default.

    Examples
    --------
    >>> table = pd.DataFrame({"row": [0], "id": ["a"], "date": [pd.NaT], "frame": ["f"],
    ...                       "panel": [0], "position": [0.25], "n_corpus": [1]})
    >>> [ax.get_title() for ax in plot_dispersion(table, labels={}).figure.axes]
    ['f']
    """
    if table.empty:
        return TimelinePlot(None, "No frame hit in any article, so there is nothing to place.")
    labels = frame_labels() if labels is None else labels
    articles = table.drop_duplicates("row").sort_values("row")
    ticks = table[table["panel"].notna()]
    frames = ticks.drop_duplicates("panel").sort_values("panel")["frame"].tolist()
    n_art, ncols = len(articles), max(1, min(ncols, len(frames)))
    nrows = math.ceil(len(frames) / ncols)
    fixed, panel_pad = 1.4, 0.7
    row_height = min(0.24, (max_height - fixed - nrows * panel_pad) / (nrows * n_art))
    height = min(fixed + nrows * (panel_pad + row_height * n_art), max_height)
    fig = Figure(figsize=(min(2.6 + 3.0 * ncols, 13), height), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    row_labels = [
        _article_label(str(i), d) for i, d in zip(articles["id"], articles["date"], strict=True)
    ]
    fontsize = float(np.clip(row_height * 72 * 0.8, 4, 8))
    colours = _frame_colours(frames, labels)
    for i, ax in enumerate(axes.flat):
        if i >= len(frames):
            ax.set_visible(False)
            continue
        pts = ticks[ticks["panel"] == i]
        ax.hlines(range(n_art), 0, 1, color="0.88", linewidth=0.8, zorder=1)
        ax.scatter(
            pts["position"], pts["row"], marker="|", s=140 * row_height / 0.24, linewidths=1.6,
            color=colours[frames[i]], zorder=3, gid=f"hits:{frames[i]}",
        )  # fmt: skip
        ax.set_title(_frame_label(frames[i], labels), fontsize=8.5)
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(n_art - 0.5, -0.5)
        ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
        ax.tick_params(labelsize=8)
        if i % ncols == 0:
            ax.set_yticks(range(n_art), row_labels, fontsize=fontsize)
    fig.supxlabel(
        bilingual(
            "موضع المطابقة من بداية المقال إلى نهايته",
            "position of the hit in the article (0 = start, 1 = end)",
        ),
        fontsize=9,
    )
    title = bilingual("أين تقع الأطر داخل كل مقال", "Where each frame falls inside each article")
    n_corpus = int(table["n_corpus"].iloc[0])
    message = ""
    if n_art < n_corpus:
        title += f"\n({n_art} of {n_corpus} articles: those with most hits)"
        message = (
            f"{n_art} of {n_corpus} articles shown: those with the most hits of the frames "
            "drawn (see `timeline.dispersion(max_articles=...)`)."
        )
    fig.suptitle(title, fontsize=11)
    return TimelinePlot(fig, message)


# ----------------------------------------------------------------------------------------
# Corpus, cleaning, terms and frames: one chart per table
# ----------------------------------------------------------------------------------------


def plot_lengths(articles: pd.DataFrame, ax=None, top: int = 25):
    """Article lengths in words: one bar per article, or a histogram beyond ``top`` articles.

    ``articles`` is the table of :func:`helpers.corpus.load_corpus`. Bars are labelled with
    the place (Arabic, passed through :func:`helpers.plotting.ar`) over the date and id, in
    date order; returns the matplotlib Axes.
    """
    if ax is None:
        height = 1.2 + 0.35 * min(len(articles), top) if len(articles) <= top else 3.5
        _, ax = plt.subplots(figsize=(7, height))
    title = bilingual("طول المقالات بالكلمات", "Article length (words)")
    if len(articles) <= top:
        table = articles.sort_values(["date", "id"], na_position="last", kind="stable")
        labels = []
        for place, date, art_id in zip(table["place"], table["date"], table["id"], strict=True):
            # Arabic alone on the first line: a date inside an Arabic run would be reordered.
            where = ar(place) if isinstance(place, str) else "—"
            when = date.strftime("%Y-%m-%d") if pd.notna(date) else "undated"
            labels.append(f"{where}\n{when} · {str(art_id)[:12]}")
        ax.barh(range(len(table)), table["n_words"], color="#4C72B0")
        ax.set_yticks(range(len(table)), labels)
        ax.invert_yaxis()
        ax.set_xlabel(bilingual("عدد الكلمات", "words"))
        for i, n in enumerate(table["n_words"]):
            ax.text(n, i, f" {n}", va="center", fontsize=8)
    else:
        ax.hist(articles["n_words"], bins=40, color="#4C72B0")
        ax.set_xlabel(bilingual("عدد الكلمات", "words per article"))
        ax.set_ylabel(bilingual("عدد المقالات", "articles"))
        title = f"{title} · n = {len(articles):,}"
    ax.set_title(title)
    return ax


def plot_step_changes(summary: pd.DataFrame, ax=None):
    """Bar chart of :func:`helpers.arabic.step_change_summary`: share of tokens each step changed.

    One bar per step (pooled over articles: tokens changed / tokens), labelled with the
    number of articles the step touched. Returns the matplotlib Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6))
    if summary.empty:
        ax.set_title("No articles to count")
        return ax
    order = summary["step"].tolist()[::-1]
    share = summary["share_tokens_changed"].to_numpy()[::-1] * 100
    touched = summary["articles_changed"].to_numpy()[::-1]
    n_articles = int(summary["n_articles"].iloc[0])
    ax.barh(order, share, color="#4C72B0")
    for y, (value, n) in enumerate(zip(share, touched, strict=True)):
        ax.text(value, y, f"  {n}/{n_articles} articles", va="center", fontsize=8)
    ax.set_xlabel("tokens changed by the step (% of all tokens, steps applied in turn)")
    ax.set_xlim(0, max(5.0, float(summary["share_tokens_changed"].max() * 100) * 1.35))
    return ax


def plot_top_terms(
    top: pd.DataFrame,
    surfaces: Mapping[str, str] | None = None,
    titles: Mapping | None = None,
    max_articles: int = terms.DEFAULT_PANELS,
    ncols: int = 3,
):
    """Small multiples of :func:`helpers.terms.top_terms`: one bar chart of top terms per article.

    Labels are the usual original spelling over the English gloss. With more than
    ``max_articles`` articles, a fixed random sample is drawn (the title says so).
    Returns the matplotlib Figure.
    """
    ids = terms.sample_ids(top["id"].unique(), max_articles)
    k = int(top["rank"].max()) if len(top) else 1
    ncols = max(1, min(ncols, len(ids)))
    nrows = max(1, math.ceil(len(ids) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.6 * ncols, 0.62 * k * nrows + 0.9), squeeze=False
    )
    for ax in axes.ravel()[len(ids) :]:
        ax.set_visible(False)
    for ax, doc_id in zip(axes.ravel(), ids, strict=False):
        part = top[top["id"] == doc_id].sort_values("rank", ascending=False)
        ax.barh(range(len(part)), part["weight"], color="#4c72b0")
        ax.set_yticks(range(len(part)), [terms.display_label(t, surfaces) for t in part["term"]])
        ax.tick_params(axis="y", labelsize=8)
        ax.set_xlabel("TF-IDF weight")
        ax.set_title(str((titles or {}).get(doc_id, doc_id)), fontsize=10)
    shown = f"{len(ids)} of {top['id'].nunique()} articles (random sample)"
    if len(ids) < top["id"].nunique():
        fig.suptitle(f"Top {k} terms per article: {shown}")
    else:
        fig.suptitle(f"Top {k} terms per article")
    return fig


def plot_similarity(sim: pd.DataFrame, annotate_max: int = 15, labels: Mapping | None = None):
    """Heatmap of :func:`helpers.terms.similarity`'s table, similar articles placed together.

    When the table is a sample, the title says so: "N of M articles, random sample (seed S)".
    The colour scale runs from 0 to the largest similarity between two different articles;
    the diagonal (always 1) is grey. Values are written in the cells when at most
    ``annotate_max`` articles are shown. ``labels`` maps ids to tick labels (e.g.
    :func:`helpers.terms.article_titles`). Returns the matplotlib Figure.
    """
    order = terms.order_by_similarity(sim)
    part = sim.loc[order, order]
    size = min(2.5 + 0.8 * len(order), 16)  # cells big enough for 11-point numbers on a projector
    fig, ax = plt.subplots(figsize=(size + 1.6, size), layout="constrained")
    values = part.to_numpy()
    off_diagonal = values[~np.eye(len(values), dtype=bool)]
    vmax = max(float(off_diagonal.max()) if off_diagonal.size else 1.0, 0.05)
    cmap = mpl.colormaps["Blues"].with_extremes(bad="#dddddd")  # the diagonal, in grey
    shown = np.ma.masked_array(values, mask=np.eye(len(values), dtype=bool))
    image = ax.imshow(shown, cmap=cmap, vmin=0, vmax=vmax)
    names = [str((labels or {}).get(i, i)) for i in order]
    ax.set_xticks(range(len(order)), names, rotation=90)
    ax.set_yticks(range(len(order)), names)
    if len(order) <= annotate_max:
        for i in range(len(order)):
            for j in range(len(order)):
                value = part.iat[i, j]
                colour = "white" if i != j and value > 0.6 * vmax else "black"
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", color=colour, fontsize=11)
    # constrained layout keeps the colour bar's label inside the figure (it was clipped)
    fig.colorbar(image, ax=ax, shrink=0.8, label="cosine similarity (TF-IDF)\ngrey diagonal = 1")
    title = "Cosine similarity between articles"
    n_articles, seed = sim.attrs.get("n_articles", len(sim)), sim.attrs.get("seed")
    if len(sim) < n_articles:
        title += f"\n({len(sim)} of {n_articles:,} articles, random sample (seed {seed}))"
    ax.set_title(title)
    return fig


def plot_term_table(
    table: pd.DataFrame,
    value: str = "count",
    labels: Mapping | None = None,
    columns: Mapping | None = None,
):
    """Heatmap of chosen terms (rows) across the articles of :func:`helpers.terms.top_term_table`.

    One column per article of ``table``, in its order; the title says how many articles of
    the corpus have any of the terms and how many are shown (from ``table.attrs``, else every
    article is taken to be shown). ``labels`` maps row labels and ``columns`` maps article ids
    to display names. Returns the Figure (with a one-line note instead of a heatmap when no
    article has any term).

    >>> t = pd.DataFrame({"id": ["a", "b", "c"], "label": ["x"] * 3, "count": [0, 2, 1]})
    >>> fig = plot_term_table(terms.top_term_table(t, max_articles=1))
    >>> [tick.get_text() for tick in fig.axes[0].get_xticklabels()], fig.axes[0].get_title()
    (['b'], 'Framing phrases per article (count): 2 of 3 articles have any; the 1 with most shown')
    """
    ids = list(dict.fromkeys(table["id"]))
    n_all = table.attrs.get("n_articles", len(ids))
    n_any = table.attrs.get("n_with_any", len(ids))
    title = f"Framing phrases per article ({value})"
    if n_any < n_all:
        title += f": {n_any} of {n_all} articles have any"
    if n_any == 0:
        fig, ax = plt.subplots(figsize=(7, 1.2))
        ax.axis("off")
        ax.text(0.5, 0.5, f"None of the {n_all} articles contains any of these phrases.",
                ha="center", va="center")  # fmt: skip
        ax.set_title(title)
        return fig
    if len(ids) < n_any:
        title += f"; the {len(ids)} with most shown"
    grid = table.pivot(index="label", columns="id", values=value).fillna(0)
    grid = grid.loc[list(dict.fromkeys(table["label"])), ids]
    fig, ax = plt.subplots(figsize=(2.5 + 0.8 * grid.shape[1], 0.8 + 0.55 * grid.shape[0]))
    ax.imshow(grid.to_numpy(), cmap="Oranges", aspect="auto")
    names = [str((columns or {}).get(c, c)) for c in grid.columns]
    ax.set_xticks(range(grid.shape[1]), names, rotation=90)
    ylabels = [(labels or {}).get(lab, lab) for lab in grid.index]
    ax.set_yticks(range(grid.shape[0]), ylabels)
    vmax = grid.to_numpy().max() if grid.size else 0
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            v = grid.iat[i, j]
            text = f"{v:.0f}" if value == "count" else f"{v:.2f}"
            colour = "white" if vmax and v > 0.6 * vmax else "black"
            ax.text(j, i, text, ha="center", va="center", color=colour, fontsize=9)
    ax.set_title(title)
    return fig


def plot_keyness(top: pd.DataFrame, surfaces: Mapping[str, str] | None = None):
    """Diverging bars of Log Ratio for the key terms of :func:`helpers.terms.top_keyness`.

    ``top`` holds the strongest key terms (by G²) of each side, with the group labels in
    ``top.attrs["labels"]`` as :func:`helpers.terms.keyness` sets them. Hatched bars are terms
    found in one group only: their Log Ratio is a floor set by the 0.5 zero-frequency
    adjustment. Pale bars are terms whose G² stays below the threshold
    (:data:`helpers.terms.KEYNESS_THRESHOLD`): strongest on their side, but not significant.
    Labels show each term's usual original spelling from ``surfaces`` (e.g.
    :func:`helpers.terms.surface_forms`). Returns the matplotlib Figure.
    """
    sides = list(top.attrs.get("labels") or [x for x in dict.fromkeys(top["key_for"]) if x])
    top = top.sort_values("log_ratio")
    fig, ax = plt.subplots(figsize=(8, 0.5 * max(len(top), 2) + 1.2))
    colours = np.where(top["log_ratio"] > 0, "#c44e52", "#4c72b0")
    bars = ax.barh(range(len(top)), top["log_ratio"], color=colours)
    for bar, only, passes in zip(
        bars, top["only_in"], top["g2"] >= terms.KEYNESS_THRESHOLD, strict=True
    ):
        if only:
            bar.set_hatch("//")
            bar.set_edgecolor("white")
        if not passes:
            bar.set_alpha(0.35)
    labels = [
        f"{terms.display_label(t, surfaces)}  (G²={g:.1f})"
        for t, g in zip(top["term"], top["g2"], strict=True)
    ]
    ax.set_yticks(range(len(top)), labels)
    ax.tick_params(axis="y", labelsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    ratio = f"{sides[0]} over {sides[1]}" if len(sides) == 2 else "A over B"
    ax.set_xlabel(
        f"Log Ratio (log2 of relative frequency, {ratio}); hatched = one group only; "
        f"pale = G² below {terms.KEYNESS_THRESHOLD:.2f}"
    )
    ax.set_title(" vs ".join(sides) if sides else "Keyness")
    return fig


def plot_rate_heatmap(rates: pd.DataFrame, ax=None, labels=None):
    """Heatmap of frames (columns) × articles (rows), per 1,000 words, intervals annotated.

    One row per article of ``rates``, in its order. Each cell reads ``rate`` over
    ``[low–high]`` while the grid is small enough to read (at most 12 rows); beyond that only
    the colour is shown.

    Parameters
    ----------
    rates : pandas.DataFrame
        From :func:`helpers.frames.top_rates`: the articles to show, with ``n_articles``.
    labels : mapping, optional
        Article id -> row label (e.g. date and outlet).

    Returns
    -------
    matplotlib.figure.Figure
    """
    frame_ids = list(dict.fromkeys(rates["frame"]))
    order = list(dict.fromkeys(rates["id"]))
    wide = rates.pivot(index="id", columns="frame", values="per_1000").loc[order, frame_ids]
    low = rates.pivot(index="id", columns="frame", values="ci_low").loc[order, frame_ids]
    high = rates.pivot(index="id", columns="frame", values="ci_high").loc[order, frame_ids]
    n_rows = len(wide)
    if ax is None:  # cells big enough for 9-point text on a projector
        _, ax = plt.subplots(
            figsize=(1.5 * len(frame_ids) + 3, 0.8 * n_rows + 2.4), layout="constrained"
        )
    im = ax.imshow(wide.to_numpy(dtype=float), aspect="auto", cmap="Blues", vmin=0)
    ax.set_xticks(range(len(frame_ids)), [f.replace("_", "\n") for f in frame_ids], fontsize=8)
    row_labels = [str(labels.get(i, i)) if labels is not None else str(i) for i in wide.index]
    ax.set_yticks(range(n_rows), row_labels, fontsize=8)
    if n_rows <= 12:
        vmax = np.nanmax(wide.to_numpy(dtype=float)) if n_rows else 0
        for r in range(n_rows):
            for c in range(len(frame_ids)):
                v = wide.iat[r, c]
                colour = "white" if vmax and v > 0.6 * vmax else "black"
                ax.text(
                    c,
                    r,
                    f"{v:.1f}\n[{low.iat[r, c]:.1f}–{high.iat[r, c]:.1f}]",
                    ha="center",
                    va="center",
                    fontsize=9,
                    color=colour,
                )
    ax.figure.colorbar(im, ax=ax, shrink=0.8, label="mentions per 1,000 words")
    title = "Frames per 1,000 words (95% exact Poisson interval)"
    n_articles = int(rates["n_articles"].iloc[0]) if len(rates) else 0
    if n_articles > n_rows:
        title += f": top {n_rows} of {n_articles} articles"
    ax.set_title(title, fontsize=10)
    return ax.figure


__all__ = [
    "PALETTE",
    "TimelinePlot",
    "code_span",
    "plain",
    "plot_articles",
    "plot_dispersion",
    "plot_frame_intensity",
    "plot_keyness",
    "plot_lengths",
    "plot_rate_heatmap",
    "plot_similarity",
    "plot_step_changes",
    "plot_term_table",
    "plot_top_terms",
    "undated_note",
]
