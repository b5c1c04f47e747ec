"""Plots over time: when the articles appeared, how strongly they frame, and where frames fall.

Three figures, each returned as a :class:`TimelinePlot` (the matplotlib figure plus a table of
exactly what was drawn, so tests and readers can check positions without looking):

- :func:`plot_articles`: the articles on a time axis, one row per outlet, marker area for
  length, hollow markers for inferred dates, undated articles in a panel of their own;
- :func:`plot_frame_intensity`: hits per 1,000 words of each frame per article over time,
  with the reference events of ``data/events.csv`` numbered on the axis;
- :func:`plot_dispersion`: a lexical dispersion ("x-ray") plot of where each frame's hits fall
  inside each article (relative position, 0 = first character, 1 = last).

News corpora cluster in days and leave gaps of years, so the time axis is broken into panels
wherever the dates leave a long gap (:func:`date_panels`); each panel has its own scale, so
distances *across* a break are not to scale. With many articles the plots aggregate (per day,
week or month) or keep the top-k, and say so in the title.

x positions are matplotlib date numbers (:func:`matplotlib.dates.date2num` of the day), so a
test can read an article's date back from the artists. All labels go through
:func:`helpers.plotting.ar` / :func:`~helpers.plotting.bilingual`.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator

from helpers.paths import DATA_DIR
from helpers.plotting import ar, bilingual
from helpers.stats import rate_interval

EVENTS_CSV = DATA_DIR / "events.csv"
EVENT_COLUMNS = ("date", "label_en", "label_ar", "source", "note")
ARTICLE_COLUMNS = ("id", "date", "date_source", "outlet", "n_words")
RATE_COLUMNS = ("id", "frame", "count", "n_words", "per_1000", "ci_low", "ci_high")
HIT_COLUMNS = ("id", "frame", "start")

# date_source values that mean "the date was worked out, not read": drawn hollow.
INFERRED_SOURCES = frozenset({"inferred"})

# Outlet rows and frame colours: colour-blind-safe Tableau palette, in a fixed order.
PALETTE = (
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F",
    "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC",
)  # fmt: skip
OTHER_OUTLETS = "أخرى"  # "others": outlets beyond the top-k share one row
UNKNOWN_OUTLET = "غير معروف"  # "unknown"

_MIN_PAD_DAYS = 2.0


@dataclass
class TimelinePlot:
    """A figure and the table of what it draws.

    Attributes
    ----------
    figure : matplotlib.figure.Figure or None
        None when the plot cannot be drawn (e.g. no article has a date); ``message`` says why.
    data : pandas.DataFrame
        One row per drawn mark, with its x (matplotlib date number or relative position), y
        and panel, so positions can be checked without reading pixels.
    undated : pandas.DataFrame
        Articles left off the time axis because they have no date (``id, outlet, reason``).
    events : pandas.DataFrame
        For plots with events: every event considered, with ``number`` and ``shown``.
    message : str
        What the reader should know: why nothing was drawn, or what was aggregated.
    list_undated : bool
        Whether the notebook display names the undated articles (:func:`undated_note`).
        Plots after the article timeline set it to False and only count them, so a notebook
        does not print the same list twice.
    """

    figure: Figure | None
    data: pd.DataFrame
    undated: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    message: str = ""
    list_undated: bool = True

    def _ipython_display_(self) -> None:  # pragma: no cover - exercised in the notebooks
        from IPython.display import Image, Markdown, display

        if self.figure is not None:  # rendered here, so no pyplot backend set-up is needed
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
            display(Image(data=buffer.getvalue(), format="png"))
        if self.message:
            display(Markdown(f"**Note:** {self.message}"))
        note = undated_note(self.undated, limit=5 if self.list_undated else 0)
        if note and not (self.figure is None and not self.list_undated):
            display(Markdown(note))

    def savefig(self, path, **kwargs) -> None:
        """Save the figure (PNG, SVG, ...); raises if there is no figure to save."""
        if self.figure is None:
            raise ValueError(f"nothing to save: {self.message}")
        self.figure.savefig(path, **kwargs)


def undated_note(undated: pd.DataFrame, limit: int = 5) -> str:
    """One Markdown line about the articles left off a time axis: the count, then the first
    ``limit`` ids (``limit=0``: the count only) and where the rest are.

    What is lost: the ids past ``limit``; ``TimelinePlot.undated`` holds them all.

    >>> undated_note(pd.DataFrame({"id": ["a", "b", "c"]}), limit=2)
    '**Not on the time axis (no date):** 3 articles: `a`, `b` and 1 more (all in `.undated`).'
    >>> undated_note(pd.DataFrame({"id": ["a"]}), limit=0)
    '**Not on the time axis (no date):** 1 article (listed in `.undated`).'
    >>> undated_note(pd.DataFrame())
    ''
    """
    n = len(undated)
    if n == 0:
        return ""
    head = f"**Not on the time axis (no date):** {n} article{'s' if n != 1 else ''}"
    if limit <= 0:
        return f"{head} (listed in `.undated`)."
    ids = [f"`{i}`" for i in undated["id"].astype(str).head(limit)]
    if n <= limit:
        return f"{head}: {', '.join(ids)}."
    return f"{head}: {', '.join(ids)} and {n - limit} more (all in `.undated`)."


# --------------------------------------------------------------------------------------------
# Reference events


def load_events(path=None) -> pd.DataFrame:
    """Read the reference events table (``data/events.csv`` by default).

    Columns ``date`` (datetime64), ``label_en``, ``label_ar``, ``source``, ``note``; sorted by
    date. Every row must have a parseable ISO date, both labels and a source; a bad row stops
    with one line naming the file, the row and what to fix.

    Examples
    --------
    >>> events = load_events()
    >>> events.loc[events["date"] == "2022-01-10", "label_ar"].item()
    'يوم حداد وطني في قازاقستان'
    """
    path = EVENTS_CSV if path is None else path
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: events file not found; pass an existing CSV") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8; re-save the file as UTF-8") from None
    missing = [c for c in EVENT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected {list(EVENT_COLUMNS)}")
    for col in ("date", "label_en", "label_ar", "source"):
        blank = table.index[table[col].str.strip() == ""]
        if len(blank):
            row = int(blank[0]) + 2  # 1-based, after the header line
            raise ValueError(f"{path}: row {row} has an empty '{col}'; every event needs one")
    dates = pd.to_datetime(table["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    bad = table.index[dates.isna()]
    if len(bad):
        row = int(bad[0]) + 2
        raise ValueError(
            f"{path}: row {row} date {table.loc[bad[0], 'date']!r} is not YYYY-MM-DD; fix it"
        )
    table["date"] = dates
    return table.sort_values("date", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Breaking the time axis


def date_panels(
    dates: Iterable, min_gap_days: float = 30, max_panels: int = 4
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Group dates into panels, breaking the time axis at long gaps.

    A gap between consecutive distinct dates longer than ``min_gap_days`` starts a new panel;
    when that gives more than ``max_panels`` panels only the longest gaps are broken. Missing
    dates (NaT) are ignored. Returns ``(first, last)`` date of each panel, oldest first.

    What is lost: distances across a break are not to scale, and dates closer than
    ``min_gap_days`` always share a panel however uneven their spacing.

    Examples
    --------
    >>> dates = ["2019-12-15", "2022-01-10", "2022-01-11", None]
    >>> [(a.date().isoformat(), b.date().isoformat()) for a, b in date_panels(dates)]
    [('2019-12-15', '2019-12-15'), ('2022-01-10', '2022-01-11')]
    """
    values = pd.to_datetime(pd.Series(list(dates), dtype=object), errors="coerce").dropna()
    if values.empty:
        return []
    days = pd.DatetimeIndex(values.sort_values().unique())
    if max_panels < 1:
        raise ValueError(f"max_panels must be at least 1, got {max_panels}")
    gaps = np.diff(days.to_numpy()).astype("timedelta64[s]").astype(float) / 86400
    candidates = [i for i in np.argsort(-gaps, kind="stable") if gaps[i] > min_gap_days]
    breaks = sorted(candidates[: max_panels - 1])
    starts = [0, *[b + 1 for b in breaks]]
    ends = [*breaks, len(days) - 1]
    return [(days[s], days[e]) for s, e in zip(starts, ends, strict=True)]


def _panel_limits(first: pd.Timestamp, last: pd.Timestamp) -> tuple[float, float]:
    """Padded x limits (date numbers) for a panel: at least two days either side."""
    lo, hi = mdates.date2num(first), mdates.date2num(last)
    pad = max(_MIN_PAD_DAYS, 0.08 * (hi - lo))
    return lo - pad, hi + pad


def _panel_of(x: np.ndarray, limits: Sequence[tuple[float, float]]) -> np.ndarray:
    out = np.full(len(x), -1)
    for k, (lo, hi) in enumerate(limits):
        out[(x >= lo) & (x <= hi)] = k
    return out


class _InnerDateLocator(mdates.AutoDateLocator):
    """AutoDateLocator without ticks in the outer 5% of the view, where panels meet."""

    def __call__(self):
        ticks = super().__call__()
        lo, hi = self.axis.get_view_interval()
        margin = 0.05 * (hi - lo)
        inner = [t for t in ticks if lo + margin <= t <= hi - margin]
        return inner if len(inner) >= 2 else ticks


def _format_date_axis(ax, xs: Sequence[float], n_panels: int) -> None:
    """Date ticks for one panel: the days themselves for a short span, else automatic."""
    days = np.unique(np.floor(np.asarray(xs, dtype=float)))
    if len(days) and days[-1] - days[0] <= 7:
        if len(days) > 4:
            days = days[np.linspace(0, len(days) - 1, 4).round().astype(int)]
        ax.xaxis.set_major_locator(FixedLocator(days))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
    else:
        locator = _InnerDateLocator(minticks=2, maxticks=4 if n_panels > 1 else 7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=True))
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


def _to_dates(column: pd.Series) -> pd.Series:
    dates = pd.to_datetime(column, errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    return dates


def _require(table: pd.DataFrame, columns: Sequence[str], what: str, hint: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {missing}; {hint}")


def _choose_freq(span_days: float) -> tuple[str, str, str]:
    """Aggregation period for a span: pandas alias, Arabic and English name."""
    if span_days <= 62:
        return "D", "يوم", "day"
    if span_days <= 2 * 366:
        return "W-MON", "أسبوع", "week"
    return "MS", "شهر", "month"


def _period_start(dates: pd.Series, freq: str) -> pd.Series:
    if freq == "D":
        return dates.dt.normalize()
    if freq == "MS":
        return dates.dt.to_period("M").dt.start_time
    return dates.dt.normalize() - pd.to_timedelta(dates.dt.day_of_week, unit="D")


# --------------------------------------------------------------------------------------------
# 1. Articles on a time axis


def _outlet_rows(
    articles: pd.DataFrame, top_outlets: int
) -> tuple[pd.Series, list[str], list[str]]:
    """Row key per article (outlet, or 'others' beyond the top-k) and row labels."""
    outlet = articles["outlet"].astype("string").str.strip().fillna("").replace("", pd.NA)
    outlet = outlet.fillna(UNKNOWN_OUTLET).astype(str)
    order = outlet.value_counts(sort=True).index.tolist()
    keep = order[:top_outlets] if len(order) > top_outlets else order
    key = outlet.where(outlet.isin(keep), OTHER_OUTLETS)
    rows = [o for o in keep if o in set(key)]
    if OTHER_OUTLETS in set(key):
        rows.append(OTHER_OUTLETS)
    labels = []
    for o in rows:
        if o == OTHER_OUTLETS:
            labels.append(bilingual(OTHER_OUTLETS, "other outlets"))
        elif o == UNKNOWN_OUTLET:
            labels.append(bilingual(UNKNOWN_OUTLET, "unknown outlet"))
        else:
            agency = _arabic_agency(articles.loc[outlet == o])
            labels.append(bilingual(agency, o) if agency else ar(o))
    return key, rows, labels


def _arabic_agency(rows: pd.DataFrame) -> str | None:
    """The commonest Arabic agency name in the rows (e.g. شينخوا for Xinhua), if any."""
    if "agency" not in rows.columns:
        return None
    names = rows["agency"].dropna().astype(str).str.strip()
    names = names[names.str.contains("[\u0600-\u06ff]", regex=True)]
    return names.value_counts().index[0] if len(names) else None


def _size(n_words: pd.Series, ref: float) -> pd.Series:
    """Marker area (pt^2): 15 for an empty article, 215 for one of ``ref`` words."""
    return 15 + 200 * (n_words.fillna(0).clip(lower=0) / ref)


def _day_offsets(keys: pd.DataFrame, step: float = 0.16) -> np.ndarray:
    """Small vertical offsets so marks on the same row and day do not hide each other."""
    rank = keys.groupby(list(keys.columns)).cumcount().to_numpy()
    size = keys.groupby(list(keys.columns))[keys.columns[0]].transform("size").to_numpy()
    return np.clip((rank - (size - 1) / 2) * step, -0.4, 0.4)


def plot_articles(
    articles: pd.DataFrame,
    *,
    min_gap_days: float = 30,
    max_panels: int = 4,
    max_points: int = 80,
    top_outlets: int = 8,
) -> TimelinePlot:
    """Place the articles on a time axis: one row per outlet, marker area by length.

    Filled markers are dates read from the text or metadata; hollow markers are inferred
    dates (``date_source == "inferred"``). The axis is broken into panels at gaps longer than
    ``min_gap_days`` (:func:`date_panels`). Undated articles are drawn in a separate
    "undated" panel and listed in ``.undated``. With more than ``max_points`` dated articles
    the marks are counts per day, week or month (chosen from the span), area by count;
    outlets beyond ``top_outlets`` share an "other outlets" row.

    What is lost: a break hides how long the gap is (the dates on either side say it);
    aggregated marks no longer show single articles' lengths.

    Examples
    --------
    >>> table = pd.DataFrame({"id": ["a", "b"], "date": pd.to_datetime(["2022-01-10", None]),
    ...                       "date_source": ["dateline", "none"], "outlet": ["Xinhua"] * 2,
    ...                       "agency": ["شينخوا", None], "n_words": [600, 400]})
    >>> plot = plot_articles(table)
    >>> plot.data["date"].dt.date.astype(str).tolist(), plot.undated["id"].tolist()
    (['2022-01-10'], ['b'])
    """
    _require(
        articles,
        ARTICLE_COLUMNS,
        "the articles table",
        "pass the table from helpers.corpus.load_corpus()",
    )
    table = articles.reset_index(drop=True).copy()
    table["date"] = _to_dates(table["date"])
    table["id"] = table["id"].astype(str)
    table["row_key"], rows, row_labels = _outlet_rows(table, top_outlets)
    row_of = {key: i for i, key in enumerate(rows)}
    table["inferred"] = table["date_source"].astype(str).isin(INFERRED_SOURCES)

    undated = table.loc[table["date"].isna(), ["id", "outlet", "date_source"]].copy()
    undated["reason"] = "no date (date_source: " + undated["date_source"].astype(str) + ")"
    undated = undated.drop(columns="date_source").reset_index(drop=True)
    dated = table.loc[table["date"].notna()].copy()
    if dated.empty:
        return TimelinePlot(
            None,
            pd.DataFrame(),
            undated,
            message=(
                f"None of the {len(table)} articles has a date, so there is no time axis "
                "to draw; the articles are listed below."
            ),
        )

    spans = date_panels(dated["date"], min_gap_days, max_panels)
    longest = max((b - a).days for a, b in spans)
    aggregated = len(dated) > max_points
    message = ""
    if aggregated:
        freq, unit_ar, unit_en = _choose_freq(longest)
        dated["date"] = _period_start(dated["date"], freq)
        marks = (
            dated.groupby(["row_key", "date", "inferred"], sort=True)
            .agg(
                n_articles=("id", "size"),
                n_words=("n_words", "sum"),
                id=("id", lambda s: ",".join(s)),
                outlet=("outlet", "first"),
            )
            .reset_index()
        )
        marks["size"] = 15 + 200 * marks["n_articles"] / marks["n_articles"].max()
        message = (
            f"{len(dated)} dated articles: each mark counts the articles of one "
            f"{unit_en} (area by count)."
        )
    else:
        marks = dated[["id", "outlet", "row_key", "date", "inferred", "n_words"]].copy()
        marks["n_articles"] = 1
        ref = float(max(marks["n_words"].max(), 1)) if marks["n_words"].notna().any() else 1.0
        marks["size"] = _size(marks["n_words"], ref)
    marks = marks.sort_values(["date", "row_key"], kind="stable").reset_index(drop=True)
    marks["x"] = mdates.date2num(marks["date"].dt.to_pydatetime())
    marks["y"] = marks["row_key"].map(row_of).astype(float) + _day_offsets(
        pd.DataFrame({"r": marks["row_key"], "d": marks["date"].dt.normalize()})
    )
    limits = [_panel_limits(a, b) for a, b in spans]
    marks["panel"] = _panel_of(marks["x"].to_numpy(), limits)

    n_cols = len(spans) + (1 if len(undated) else 0)
    ratios = [1.0 if (b - a).days <= 14 else 1.7 for a, b in spans]
    ratios += [0.3] if len(undated) else []
    panel_widths = sum(2.6 if (b - a).days <= 14 else 4.5 for a, b in spans)
    width = min(4.5 + panel_widths + (1.0 if len(undated) else 0), 14)
    height = 2.4 + 0.55 * len(rows)
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(
        1, n_cols, sharey=True, squeeze=False, gridspec_kw={"width_ratios": ratios, "wspace": 0.02}
    )[0]
    colours = {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(rows)}
    for k, ax in enumerate(axes[: len(spans)]):
        in_panel = marks[marks["panel"] == k]
        for (key, inferred), grp in in_panel.groupby(["row_key", "inferred"], sort=False):
            colour = colours[key]
            ax.scatter(
                grp["x"],
                grp["y"],
                s=grp["size"],
                marker="o",
                linewidths=1.6,
                facecolors="none" if inferred else colour,
                edgecolors=colour,
                alpha=1.0 if inferred else 0.85,
                zorder=3,
                gid=f"articles:{key}:{'inferred' if inferred else 'dated'}",
            )
        ax.set_xlim(*limits[k])
        _format_date_axis(ax, in_panel["x"], len(spans))
        ax.grid(axis="x", color="0.9", linewidth=0.8)
    if len(spans) > 1:
        _break_marks(list(axes[: len(spans)]))
    if len(undated):
        ax_u = axes[-1]
        u = table.loc[table["date"].isna()]
        counts = u.groupby("row_key").size()
        for key, n in counts.items():
            y = row_of[key]
            ax_u.scatter([0.0], [y], s=60, marker="X", color="0.45", zorder=3, gid=f"undated:{key}")
            ax_u.annotate(
                f"{n}",
                (0.0, y),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
                color="0.3",
            )
        ax_u.set_xlim(-0.6, 1.2)
        ax_u.set_xticks([])
        ax_u.set_title(bilingual("بلا تاريخ", "undated"), fontsize=9)
        ax_u.spines["left"].set_visible(False)
        ax_u.spines["bottom"].set_color("0.8")
        ax_u.tick_params(axis="y", left=False)
    first = axes[0]
    first.set_yticks(range(len(rows)), row_labels)
    first.set_ylim(len(rows) - 0.5, -0.5)
    first.tick_params(axis="y", labelsize=9)
    fig.supxlabel(bilingual("تاريخ النشر", "publication date"), fontsize=9)
    fig.suptitle(bilingual("المقالات على محور الزمن", "Articles over time, by outlet"), fontsize=11)
    handles = _date_source_handles(
        8,
        1.6,
        bilingual("تاريخ من سطر التاريخ أو البيانات", "date read (dateline/metadata)"),
        bilingual("تاريخ مستنتج", "date inferred"),
    )
    if aggregated:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                label=bilingual(
                    f"المساحة = عدد المقالات في ال{unit_ar}", f"area = articles per {unit_en}"
                ),
            )
        )
    else:
        for n in _nice_sizes(marks["n_words"], ref):
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="none",
                    color="0.6",
                    markersize=math.sqrt(float(_size(pd.Series([n]), ref)[0])),
                    label=f"{n:,} words / " + ar("كلمة"),
                )
            )
    if len(undated):
        handles.append(
            Line2D(
                [],
                [],
                marker="X",
                linestyle="none",
                color="0.45",
                markersize=8,
                label=bilingual("عدد المقالات بلا تاريخ", "undated: count"),
            )
        )
    fig.legend(
        handles=handles, loc="outside right upper", fontsize=8, frameon=False, labelspacing=1.1
    )
    data = marks[
        [
            "id",
            "outlet",
            "row_key",
            "date",
            "inferred",
            "n_words",
            "n_articles",
            "x",
            "y",
            "size",
            "panel",
        ]
    ]
    return TimelinePlot(fig, data, undated, message=message)


def _date_source_handles(size: float, edge: float, read: str, inferred: str) -> list[Line2D]:
    """Legend entries for the two date sources: filled = read, hollow = inferred."""
    common = {"marker": "o", "linestyle": "none", "color": "0.35", "markersize": size}
    return [
        Line2D([], [], label=read, **common),
        Line2D([], [], label=inferred, markerfacecolor="none", markeredgewidth=edge, **common),
    ]


def _nice_sizes(n_words: pd.Series, ref: float) -> list[int]:
    """Two or three round word counts spanning the data, for the size legend."""
    values = n_words.dropna()
    if values.empty:
        return []
    picks = sorted({_round_nice(v) for v in (values.min(), values.median(), ref) if v > 0})
    kept: list[int] = []
    for value in picks:  # drop a size that would look the same as the previous one
        if not kept or value > 1.3 * kept[-1]:
            kept.append(value)
    return kept


def _round_nice(value: float) -> int:
    magnitude = 10 ** max(int(math.log10(value)) - 1, 0)
    return int(round(value / magnitude) * magnitude)


# --------------------------------------------------------------------------------------------
# 2. Frame intensity over time, with events


def frame_labels(path=None) -> dict[str, tuple[str, str]]:
    """Arabic and English display names per frame id, from the frame lexicon.

    Reads ``data/lexicons/frames.yaml`` (or ``path``) with
    :func:`helpers.frames.load_lexicon`, so a bad lexicon fails with that function's message.

    Examples
    --------
    >>> frame_labels()["external_forces"][0]
    'القوى الخارجية'
    """
    from helpers import frames as frame_lexicon

    return {f.id: (f.arabic, f.english) for f in frame_lexicon.load_lexicon(path)}


def _frame_colours(frames: Sequence[str], labels: Mapping[str, tuple[str, str]]) -> dict:
    """One colour per frame, by its place in the lexicon, so every plot agrees."""
    order = [*labels, *[f for f in frames if f not in labels]]
    return {f: PALETTE[order.index(f) % len(PALETTE)] for f in frames}


def _frame_label(frame: str, labels: Mapping[str, tuple[str, str]]) -> str:
    """Two-line plot label; the English name is cut before " / " or " (" to stay short."""
    arabic, english = labels.get(frame, ("", frame.replace("_", " ")))
    english = english.split(" / ")[0].split(" (")[0]
    return bilingual(arabic, english) if arabic else english


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
    articles: pd.DataFrame,
    rates: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    frames: Sequence[str] | None = None,
    top_frames: int = 6,
    labels: Mapping[str, tuple[str, str]] | None = None,
    event_window_days: float = 31,
    min_gap_days: float = 30,
    max_panels: int = 4,
    max_points: int = 80,
) -> TimelinePlot:
    """Hits per 1,000 words of each frame, per article, over time, with events numbered.

    One row of panels per frame (the ``top_frames`` with most hits, or ``frames``), one
    column per date cluster (:func:`date_panels`). A point is one article at its date, with
    the ``ci_low``–``ci_high`` interval of ``rates`` as a bar; hollow points have inferred
    dates. Events (``data/events.csv`` by default; pass an empty table for none) within
    ``event_window_days`` of an article widen the panels and are drawn as numbered dashed
    lines, explained in the key below; ``.events`` says which were shown. With more than
    ``max_points`` dated articles, articles are pooled per day, week or month (sum of hits
    over sum of words, exact Poisson interval).

    What is lost: undated articles cannot be placed (listed in ``.undated``); pooled points
    hide differences between articles of the same period.

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "date": pd.to_datetime(["2022-01-10"]),
    ...                      "date_source": ["dateline"], "outlet": ["Xinhua"],
    ...                      "n_words": [500]})
    >>> rates = pd.DataFrame({"id": ["a"], "frame": ["external_forces"], "count": [2],
    ...                       "n_words": [500], "per_1000": [4.0], "ci_low": [0.5],
    ...                       "ci_high": [14.4]})
    >>> plot = plot_frame_intensity(arts, rates, labels={"external_forces":
    ...                             ("القوى الخارجية", "external forces")})
    >>> plot.data[["frame", "per_1000"]].values.tolist()
    [['external_forces', 4.0]]
    >>> plot.events.loc[plot.events["shown"], "date"].dt.day.tolist()
    [2, 3, 5, 6, 7, 10, 13, 4, 5]
    """
    _require(
        articles,
        ("id", "date", "date_source"),
        "the articles table",
        "pass the table from helpers.corpus.load_corpus()",
    )
    _require(
        rates, RATE_COLUMNS, "the rates table", "pass the table from helpers.frames.frame_rates()"
    )
    labels = frame_labels() if labels is None else labels
    events = load_events() if events is None else events
    arts = articles[["id", "date", "date_source"]].copy()
    arts["id"] = arts["id"].astype(str)
    arts["date"] = _to_dates(arts["date"])
    rates = rates.copy()
    rates["id"] = rates["id"].astype(str)
    unknown = sorted(set(rates["id"]) - set(arts["id"]))
    if unknown:
        raise ValueError(
            f"rates name article id(s) {unknown[:5]} that are not in the articles "
            "table; compute both from the same corpus"
        )
    table = rates.merge(arts, on="id", how="left")
    table["inferred"] = table["date_source"].astype(str).isin(INFERRED_SOURCES)
    undated = arts.loc[arts["date"].isna(), ["id"]].assign(reason="no date").reset_index(drop=True)
    dated = table[table["date"].notna()].copy()
    empty_events = pd.DataFrame(columns=[*EVENT_COLUMNS, "number", "shown"])
    if dated.empty:
        return TimelinePlot(
            None,
            pd.DataFrame(),
            undated,
            empty_events,
            message=(
                f"None of the {len(arts)} articles has a date, so frame intensity cannot "
                "be drawn over time; see the x-ray plot for where frames fall instead."
            ),
            list_undated=False,
        )
    totals = dated.groupby("frame")["count"].sum().sort_values(ascending=False, kind="stable")
    if frames is None:
        frames = [f for f in totals.index if totals[f] > 0][:top_frames]
    else:
        frames = list(frames)
    if not frames:
        return TimelinePlot(
            None,
            pd.DataFrame(),
            undated,
            empty_events,
            message="No frame matched any dated article, so there is nothing to draw.",
            list_undated=False,
        )
    dated = dated[dated["frame"].isin(frames)]
    n_articles = dated["id"].nunique()
    message = ""
    if n_articles > max_points:
        span = (dated["date"].max() - dated["date"].min()).days
        freq, _, unit_en = _choose_freq(span)
        dated["date"] = _period_start(dated["date"], freq)
        pooled = dated.groupby(["frame", "date"], sort=True).agg(
            count=("count", "sum"),
            n_words=("n_words", "sum"),
            id=("id", "nunique"),
            inferred=("inferred", "all"),
        )
        pooled = pooled.reset_index().rename(columns={"id": "n_articles"})
        pooled["per_1000"] = 1000 * pooled["count"] / pooled["n_words"].where(pooled["n_words"] > 0)
        bounds = [
            rate_interval(c, w) for c, w in zip(pooled["count"], pooled["n_words"], strict=True)
        ]
        pooled["ci_low"] = [b[0] for b in bounds]
        pooled["ci_high"] = [b[1] for b in bounds]
        pooled["id"] = pooled["n_articles"].map(lambda n: f"{n} articles")
        dated = pooled
        message = (
            f"{n_articles} dated articles pooled per {unit_en}: hits over words of the "
            f"{unit_en}, with an exact Poisson 95% interval."
        )

    # Panels: article dates plus the events close to them.
    events = events.copy()
    if len(events):
        events["date"] = _to_dates(events["date"])
    art_days = np.sort(mdates.date2num(dated["date"].dt.to_pydatetime()))
    if len(events):
        ev_x = mdates.date2num(events["date"].dt.to_pydatetime())
        nearest = np.min(np.abs(ev_x[:, None] - art_days[None, :]), axis=1)
        near = events.loc[nearest <= event_window_days, "date"]
    else:
        near = pd.Series([], dtype="datetime64[ns]")
    spans = date_panels(pd.concat([dated["date"], near]), min_gap_days, max_panels)
    limits = [_panel_limits(a, b) for a, b in spans]

    dated = dated.sort_values(["date", "id"], kind="stable").reset_index(drop=True)
    dated["x"] = mdates.date2num(dated["date"].dt.to_pydatetime())
    dated["panel"] = _panel_of(dated["x"].to_numpy(), limits)
    dated["row"] = dated["frame"].map({f: i for i, f in enumerate(frames)})

    if len(events):
        events["x"] = mdates.date2num(events["date"].dt.to_pydatetime())
        events["panel"] = _panel_of(events["x"].to_numpy(), limits)
        events["shown"] = events["panel"] >= 0
    else:
        events = events.assign(x=[], panel=[], shown=[])
    shown = events[events["shown"]].copy()
    shown["number"] = range(1, len(shown) + 1)
    events["number"] = shown["number"].reindex(events.index)

    panel_x = [
        np.r_[
            dated.loc[dated["panel"] == k, "x"].to_numpy(float),
            shown.loc[shown["panel"] == k, "x"].to_numpy(float),
        ]
        for k in range(len(spans))
    ]
    n_rows = len(frames)
    # at least 9 inches: the two-column event key below must fit the figure's width
    width = min(max(3.2 + 3.0 * len(spans), 9.0 if len(shown) else 5.0), 13)
    height = 1.9 + 1.25 * n_rows + 0.33 * math.ceil(len(shown) / 2)
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(
        n_rows, len(spans), sharex="col", sharey="row", squeeze=False, gridspec_kw={"wspace": 0.02}
    )
    colours = _frame_colours(frames, labels)
    for r, frame in enumerate(frames):
        for k in range(len(spans)):
            ax = axes[r, k]
            pts = dated[(dated["row"] == r) & (dated["panel"] == k)]
            for inferred, grp in pts.groupby("inferred", sort=False):
                yerr = np.vstack(
                    [
                        (grp["per_1000"] - grp["ci_low"]).clip(lower=0).to_numpy(),
                        (grp["ci_high"] - grp["per_1000"]).clip(lower=0).to_numpy(),
                    ]
                )
                bars = ax.errorbar(
                    grp["x"],
                    grp["per_1000"],
                    yerr=yerr,
                    fmt="o",
                    color=colours[frame],
                    markerfacecolor="none" if inferred else colours[frame],
                    markersize=6,
                    markeredgewidth=1.4,
                    elinewidth=1.1,
                    capsize=2.5,
                    zorder=3,
                )
                bars.lines[0].set_gid(f"rates:{frame}:{'inferred' if inferred else 'dated'}")
            for _, ev in shown[shown["panel"] == k].iterrows():
                ax.axvline(
                    ev["x"],
                    color="0.55",
                    linestyle="--",
                    linewidth=0.8,
                    zorder=1,
                    gid=f"event-line:{ev['date']:%Y-%m-%d}",
                )
            ax.set_xlim(*limits[k])
            ax.grid(axis="y", color="0.92", linewidth=0.8)
            _format_date_axis(ax, panel_x[k], len(spans))
            if r < n_rows - 1:
                ax.tick_params(axis="x", labelbottom=False)
        axes[r, 0].set_ylabel(
            _frame_label(frame, labels), fontsize=8, rotation=0, ha="right", va="center", labelpad=8
        )
        in_row = dated[dated["row"] == r]
        top_y = np.nanmax(
            np.r_[in_row["ci_high"].to_numpy(float), in_row["per_1000"].to_numpy(float), 1.0]
        )
        axes[r, 0].set_ylim(0, 1.08 * top_y)
        if len(spans) > 1:
            _break_marks(list(axes[r]))
    for k in range(len(spans)):
        top = axes[0, k]
        sub = shown[shown["panel"] == k]
        lo, hi = limits[k]
        for x, level, i, j in _event_marks(sub["x"].tolist(), min_sep=0.06 * (hi - lo)):
            first, last = sub.iloc[i], sub.iloc[j]
            text = f"{first['number']}" if i == j else f"{first['number']}–{last['number']}"
            gid = f"event:{first['date']:%Y-%m-%d}"
            if i != j:
                gid += f"..{last['date']:%Y-%m-%d}"
            top.annotate(
                text,
                (x, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 4 + 13 * level),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
                annotation_clip=False,
                bbox={
                    "boxstyle": "round,pad=0.25" if i != j else "circle,pad=0.2",
                    "fc": "white",
                    "ec": "0.45",
                    "lw": 0.8,
                },
                gid=gid,
            )
    fig.supylabel(bilingual("عدد المطابقات لكل ألف كلمة", "hits per 1,000 words"), fontsize=9)
    fig.suptitle(
        bilingual(
            "شدة الأطر في كل مقال عبر الزمن",
            "Frame intensity per article over time (bars: ci_low to ci_high of the rates)",
        ),
        fontsize=11,
    )
    handles = _date_source_handles(
        6, 1.4, bilingual("تاريخ مقروء", "date read"), bilingual("تاريخ مستنتج", "inferred")
    )
    for _, ev in shown.iterrows():
        handles.append(
            Line2D(
                [],
                [],
                marker=f"${ev['number']}$",
                linestyle="none",
                color="0.2",
                markersize=7,
                label=bilingual(ev["label_ar"], f"{ev['date']:%d %b %Y}: {ev['label_en']}"),
            )
        )
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=7, frameon=False)
    data = dated[
        ["id", "frame", "date", "inferred", "per_1000", "ci_low", "ci_high", "x", "row", "panel"]
    ]
    return TimelinePlot(
        fig, data, undated, events.drop(columns=["x"]), message=message, list_undated=False
    )


# --------------------------------------------------------------------------------------------
# 3. Lexical dispersion ("x-ray")


def hit_positions(articles: pd.DataFrame, hits: pd.DataFrame) -> pd.DataFrame:
    """Each hit's relative position in its article: ``start / len(text)``, from 0 to 1.

    Returns the hits with a ``position`` column. A hit naming an unknown article, or starting
    beyond its article's end, stops with an error naming it (the two tables do not match).

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["قال إن القوى الخارجية تتدخل"]})
    >>> hits = pd.DataFrame({"id": ["a"], "frame": ["external_forces"], "start": [7]})
    >>> round(hit_positions(arts, hits)["position"].item(), 2)
    0.26
    """
    _require(
        articles,
        ("id", "text"),
        "the articles table",
        "pass the table from helpers.corpus.load_corpus()",
    )
    _require(hits, HIT_COLUMNS, "the hits table", "pass the table from helpers.frames")
    lengths = pd.Series(
        articles["text"].fillna("").astype(str).str.len().to_numpy(),
        index=articles["id"].astype(str),
    )
    out = hits.copy()
    out["id"] = out["id"].astype(str)
    unknown = sorted(set(out["id"]) - set(lengths.index))
    if unknown:
        raise ValueError(
            f"hits name article id(s) {unknown[:5]} that are not in the articles "
            "table; compute both from the same corpus"
        )
    length = out["id"].map(lengths)
    beyond = out[(out["start"] < 0) | (out["start"] >= length)]
    if len(beyond):
        row = beyond.iloc[0]
        raise ValueError(
            f"hit at offset {row['start']} lies outside article {row['id']!r} "
            f"({int(length[beyond.index[0]])} characters); offsets must refer "
            "to the original text"
        )
    out["position"] = out["start"] / length
    return out


def _article_label(row: pd.Series, width: int = 22) -> str:
    ident = str(row["id"])
    ident = ident if len(ident) <= width else ident[: width - 1] + "…"
    date = row.get("date")
    # Latin only: an id and an Arabic word on one line would be reordered by the bidi rules
    return f"{ident} · {date:%Y-%m-%d}" if pd.notna(date) else f"{ident} · undated"


def plot_dispersion(
    articles: pd.DataFrame,
    hits: pd.DataFrame,
    *,
    frames: Sequence[str] | None = None,
    top_frames: int = 9,
    labels: Mapping[str, tuple[str, str]] | None = None,
    max_articles: int = 30,
    ncols: int = 3,
    max_height: float = 11.0,
) -> TimelinePlot:
    """Where each frame's hits fall inside each article: one panel per frame.

    Rows are articles (oldest first, undated last), the x axis the relative position of a hit
    (:func:`hit_positions`: 0 = start of the text, 1 = end), one tick per hit. Only frames
    with at least one hit get a panel (the ``top_frames`` with most hits, or those of
    ``frames`` that have any). Articles with no hit keep an empty row, so absence is visible,
    as long as every article fits: the figure is at most ``max_height`` inches tall, so with
    more than ``max_articles`` articles, or more than that height allows, only those with
    most hits are drawn (said in the title and in ``.message``). Dates are not needed, so
    this plot also works for an undated corpus.

    What is lost: positions are relative, so a hit 10% into a long and a short article line
    up although they are far apart in characters; articles beyond the cap are not drawn.

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["قال إن القوى الخارجية تتدخل"],
    ...                      "date": pd.to_datetime(["2022-01-10"])})
    >>> hits = pd.DataFrame({"id": ["a"], "frame": ["external_forces"], "start": [7]})
    >>> plot = plot_dispersion(arts, hits, labels={}, frames=["external_forces", "stability"])
    >>> plot.data[["id", "frame", "row"]].values.tolist(), len(plot.figure.axes)
    ([['a', 'external_forces', 0]], 1)
    """
    placed = hit_positions(articles, hits)
    labels = frame_labels() if labels is None else labels
    arts = articles.copy()
    arts["id"] = arts["id"].astype(str)
    arts["date"] = _to_dates(arts["date"]) if "date" in arts.columns else pd.NaT
    if placed.empty:
        return TimelinePlot(
            None,
            placed.assign(row=[], x=[]),
            message="No frame hit in any article, so there is nothing to place.",
        )
    totals = placed.groupby("frame").size().sort_values(ascending=False, kind="stable")
    if frames is None:
        frames = list(totals.index[:top_frames])
    else:
        asked = list(frames)
        frames = [f for f in asked if f in totals.index]
        if not frames:
            return TimelinePlot(
                None,
                placed.iloc[0:0].assign(row=[], x=[]),
                message=f"None of the frames {asked} has a hit in this corpus.",
            )
    placed = placed[placed["frame"].isin(frames)]
    n_hits = placed.groupby("id").size()
    arts["n_hits"] = arts["id"].map(n_hits).fillna(0).astype(int)

    n_panels = len(frames)
    ncols = max(1, min(ncols, n_panels))
    nrows = math.ceil(n_panels / ncols)
    row_height, panel_pad, fixed = 0.24, 0.7, 1.4
    fits = int((max_height - fixed - nrows * panel_pad) / (nrows * row_height))
    cap = min(max_articles, max(3, fits))
    message = ""
    if len(arts) > cap:
        keep = arts.sort_values(["n_hits", "date"], ascending=[False, True], kind="stable").head(
            cap
        )
        keep = keep[keep["n_hits"] > 0]  # a capped plot shows no empty rows
        n_with = int((arts["n_hits"] > 0).sum())
        message = (
            f"{len(keep)} of {len(arts)} articles shown: those with the most hits of the "
            f"frames drawn ({n_with} article(s) have any); the plot is capped at "
            f"{cap} rows to stay readable (see `plot_dispersion(max_articles=...)`)."
        )
        arts = arts[arts["id"].isin(keep["id"])]
    arts = arts.sort_values(["date", "id"], na_position="last", kind="stable")
    arts = arts.reset_index(drop=True)
    row_of = dict(zip(arts["id"], arts.index, strict=True))
    placed = placed[placed["id"].isin(row_of)].copy()
    absent = [f for f in frames if f not in set(placed["frame"])]
    if absent:  # their hits are all in articles beyond the cap: no empty panels
        frames = [f for f in frames if f not in absent]
        message += f" Not drawn: {', '.join(absent)} (hits only in articles not shown)."
        n_panels = len(frames)
        ncols = max(1, min(ncols, n_panels))
        nrows = math.ceil(n_panels / ncols)
    placed["row"] = placed["id"].map(row_of).astype(int)
    placed["x"] = placed["position"]
    placed["panel"] = placed["frame"].map({f: i for i, f in enumerate(frames)})
    placed = placed.sort_values(["panel", "row", "x"], kind="stable").reset_index(drop=True)

    n_art = len(arts)
    width = min(2.6 + 3.0 * ncols, 13)
    height = min(fixed + nrows * (panel_pad + row_height * n_art), max_height)
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    row_labels = [_article_label(r) for _, r in arts.iterrows()]
    colours = _frame_colours(frames, labels)
    for i, ax in enumerate(axes.flat):
        if i >= n_panels:
            ax.set_visible(False)
            continue
        frame = frames[i]
        colour = colours[frame]
        ax.hlines(range(n_art), 0, 1, color="0.88", linewidth=0.8, zorder=1)
        pts = placed[placed["panel"] == i]
        ax.scatter(
            pts["x"],
            pts["row"],
            marker="|",
            s=140,
            linewidths=1.6,
            color=colour,
            zorder=3,
            gid=f"hits:{frame}",
        )
        ax.set_title(_frame_label(frame, labels), fontsize=8.5)
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(n_art - 0.5, -0.5)
        ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
        ax.tick_params(labelsize=8)
        if i % ncols == 0:
            ax.set_yticks(range(n_art), row_labels)
    fig.supxlabel(
        bilingual(
            "موضع المطابقة من بداية المقال إلى نهايته",
            "position of the hit in the article (0 = start, 1 = end)",
        ),
        fontsize=9,
    )
    title = bilingual("أين تقع الأطر داخل كل مقال", "Where each frame falls inside each article")
    if message:
        title += f"\n({n_art} of {len(articles)} articles: those with most hits)"
    fig.suptitle(title, fontsize=11)
    data = placed[["id", "frame", "start", "position", "x", "row", "panel"]]
    return TimelinePlot(fig, data, message=message.strip())


__all__ = [
    "EVENTS_CSV",
    "TimelinePlot",
    "date_panels",
    "frame_labels",
    "hit_positions",
    "load_events",
    "plot_articles",
    "plot_dispersion",
    "plot_frame_intensity",
    "undated_note",
]
