"""Tables for the timeline: reference events, date panels, articles and frame rates over time,
and where frames fall inside articles. Data only; :mod:`helpers.plots` draws these tables.

- :func:`article_timeline`: articles per day (or per week or month when there are many) and
  outlet row, undated articles apart;
- :func:`frame_intensity` and :func:`events_near`: each frame's hits per 1,000 words per article
  (or pooled per period) with exact intervals, and the reference events of ``data/events.csv``
  near those dates, numbered;
- :func:`dispersion`: each hit's relative position in its article (0 = first character,
  1 = last), for a lexical dispersion ("x-ray") plot.

News corpora cluster in days and leave gaps of years, so the time axis is broken into panels
wherever the dates leave a long gap (:func:`date_panels`); every dated row of these tables
carries its ``panel``. With many articles the tables pool (per day, week or month) or keep the
top-k, and a column says so (``period``; ``n_corpus`` for the x-ray's cap).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from helpers.paths import DATA_DIR
from helpers.stats import poisson_interval

EVENTS_CSV = DATA_DIR / "events.csv"
EVENT_COLUMNS = ("date", "label_en", "label_ar", "source", "note")
ARTICLE_COLUMNS = ("id", "date", "date_source", "outlet", "n_words")
RATE_COLUMNS = ("id", "frame", "count", "n_words", "per_1000", "ci_low", "ci_high")
HIT_COLUMNS = ("id", "frame", "start")

# date_source values that mean "the date was worked out, not read".
INFERRED_SOURCES = frozenset({"inferred"})

OTHER_OUTLETS = "أخرى"  # "others": outlets beyond the top-k share one row
UNKNOWN_OUTLET = "غير معروف"  # "unknown"


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


def panel_of(dates: pd.Series, spans: Sequence[tuple[pd.Timestamp, pd.Timestamp]]) -> np.ndarray:
    """Index of the span (from :func:`date_panels`) holding each date; -1 for none or NaT.

    >>> spans = date_panels(["2019-12-15", "2022-01-10"])
    >>> panel_of(pd.Series(pd.to_datetime(["2022-01-10", None, "2019-12-15"])), spans).tolist()
    [1, -1, 0]
    """
    values = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates), errors="coerce"))
    out = np.full(len(values), -1)
    for k, (first, last) in enumerate(spans):
        out[(values >= first) & (values <= last)] = k
    return out


def _to_dates(column: pd.Series) -> pd.Series:
    dates = pd.to_datetime(column, errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    return dates


def _require(table: pd.DataFrame, columns: Sequence[str], what: str, hint: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {missing}; {hint}")


def pooling_period(span_days: float) -> str:
    """The period to pool over for a span of dates: a day up to two months, a week up to two
    years, else a month.

    >>> pooling_period(30), pooling_period(400), pooling_period(3000)
    ('day', 'week', 'month')
    """
    if span_days <= 62:
        return "day"
    if span_days <= 2 * 366:
        return "week"
    return "month"


def period_start(dates: pd.Series, period: str) -> pd.Series:
    """The first day of each date's period: the day itself, the Monday of its week, or the
    first of its month.

    >>> days = pd.Series(pd.to_datetime(["2022-01-13 15:00"]))
    >>> [period_start(days, p).dt.strftime("%Y-%m-%d").item() for p in ("day", "week", "month")]
    ['2022-01-13', '2022-01-10', '2022-01-01']
    """
    days = dates.dt.normalize()
    if period == "day":
        return days
    if period == "week":
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    if period == "month":
        return days.dt.to_period("M").dt.start_time
    raise ValueError(f"period must be 'day', 'week' or 'month', got {period!r}")


# --------------------------------------------------------------------------------------------
# 1. Articles over time


def _outlet_rows(articles: pd.DataFrame, top_outlets: int) -> tuple[pd.Series, pd.DataFrame]:
    """Row key per article (its outlet, or 'others' beyond the top-k) and the rows in order:
    ``outlet`` and ``agency``, the commonest Arabic agency name of its articles ("" if none).
    """
    outlet = articles["outlet"].astype("string").str.strip().replace("", pd.NA)
    outlet = outlet.fillna(UNKNOWN_OUTLET).astype(str)
    order = outlet.value_counts(sort=True).index.tolist()
    keep = order[:top_outlets]
    key = outlet.where(outlet.isin(keep), OTHER_OUTLETS)
    rows = [o for o in keep if o != OTHER_OUTLETS]
    if len(order) > len(keep) or OTHER_OUTLETS in keep:
        rows.append(OTHER_OUTLETS)
    agency = pd.Series("", index=rows, dtype=object)
    if "agency" in articles.columns:
        names = articles["agency"].astype("string").str.strip()
        arabic = names.str.contains("[\u0600-\u06ff]", regex=True).fillna(False)
        found = pd.DataFrame({"key": key[arabic], "name": names[arabic]})
        for row, counts in found.groupby("key")["name"]:
            if row in agency.index and row not in (OTHER_OUTLETS, UNKNOWN_OUTLET):
                agency[row] = counts.value_counts().index[0]
    table = pd.DataFrame({"outlet": rows, "agency": agency.to_numpy()})
    return key, table


def article_timeline(
    articles: pd.DataFrame,
    *,
    min_gap_days: float = 30,
    max_panels: int = 4,
    max_points: int = 80,
    top_outlets: int = 8,
) -> pd.DataFrame:
    """The articles on a time axis: one row per article, or per period when there are many.

    Up to ``max_points`` dated articles, each is its own row. Beyond that they are counted per
    day, week or month (:func:`pooling_period` of the longest panel) and date source, in each
    outlet row. Outlets beyond the ``top_outlets`` with most articles share the row
    ``OTHER_OUTLETS`` (أخرى). Undated articles come last, one row each, with ``panel`` -1.

    Returns
    -------
    pandas.DataFrame
        ``row`` (0 = the outlet with most articles), ``outlet`` (the row's outlet, or
        ``OTHER_OUTLETS`` / ``UNKNOWN_OUTLET``), ``agency`` (commonest Arabic agency name in
        the row, "" if none), ``date`` (the day, or the first day of the period; NaT when
        undated), ``period`` ("article", "day", "week", "month" or "undated"), ``inferred``
        (``date_source`` is "inferred"), ``n_articles``, ``n_words`` (their sum), ``id``
        (the article's id, or "N articles" on a pooled row) and ``panel``
        (:func:`date_panels` over the dated rows).

    What is lost: pooled rows no longer show single articles' lengths.

    Examples
    --------
    >>> table = pd.DataFrame({"id": ["a", "b"], "date": pd.to_datetime(["2022-01-10", None]),
    ...                       "date_source": ["dateline", "none"], "outlet": ["Xinhua"] * 2,
    ...                       "agency": ["شينخوا", None], "n_words": [600, 400]})
    >>> article_timeline(table)[["id", "period", "agency", "n_words", "panel"]].values.tolist()
    [['a', 'article', 'شينخوا', 600, 0], ['b', 'undated', 'شينخوا', 400, -1]]
    """
    _require(
        articles,
        ARTICLE_COLUMNS,
        "the articles table",
        "pass the table from helpers.corpus.load_corpus()",
    )
    table = pd.DataFrame(
        {
            "id": articles["id"].astype(str).to_numpy(),
            "date": _to_dates(articles["date"]).to_numpy(),
            "inferred": articles["date_source"].astype(str).isin(INFERRED_SOURCES).to_numpy(),
            "n_words": pd.to_numeric(articles["n_words"], errors="coerce").to_numpy(),
        }
    )
    key, rows = _outlet_rows(articles.reset_index(drop=True), top_outlets)
    table["outlet"] = key.to_numpy()
    dated = table[table["date"].notna()]
    period = "article"
    if len(dated) > max_points:
        spans = date_panels(dated["date"], min_gap_days, max_panels)
        period = pooling_period(max((b - a).days for a, b in spans))
    table["period"] = np.where(table["date"].isna(), "undated", period)
    if period != "article":
        table["date"] = period_start(table["date"], period)
    marks = _count_marks(table)
    marks["panel"] = panel_of(marks["date"], date_panels(marks["date"], min_gap_days, max_panels))
    marks = marks.merge(rows.reset_index(names="row"), on="outlet", how="left")
    marks = marks.sort_values(["date", "row", "inferred"], na_position="last", kind="stable")
    columns = ["row", "outlet", "agency", "date", "period", "inferred", "n_articles"]
    return marks[[*columns, "n_words", "id", "panel"]].reset_index(drop=True)


def _count_marks(table: pd.DataFrame) -> pd.DataFrame:
    """One row per article (dated unpooled, or undated) or per outlet, period and date source."""
    single = table["period"].isin(["article", "undated"])
    one = table[single].assign(n_articles=1)
    pooled = (
        table[~single]
        .groupby(["outlet", "period", "date", "inferred"], sort=False)
        .agg(n_articles=("id", "size"), n_words=("n_words", "sum"))
        .reset_index()
    )
    pooled["id"] = pooled["n_articles"].map(lambda n: f"{n} articles")
    parts = [part for part in (one, pooled) if len(part)] or [one]
    return pd.concat(parts, ignore_index=True)


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


INTENSITY_COLUMNS = (
    "frame", "row", "date", "period", "inferred", "id", "n_articles",
    "count", "n_words", "per_1000", "ci_low", "ci_high", "panel",
)  # fmt: skip


def frame_intensity(
    articles: pd.DataFrame,
    rates: pd.DataFrame,
    *,
    frames: Sequence[str] | None = None,
    top_frames: int = 6,
    max_points: int = 80,
    min_gap_days: float = 30,
    max_panels: int = 4,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Hits per 1,000 words of each frame over time: per dated article, or pooled per period.

    The frames are ``frames``, or the ``top_frames`` with most mentions in dated articles. Up to
    ``max_points`` dated articles, a row is one article's rate from ``rates``
    (:func:`helpers.frames.frame_rates`). Beyond that the articles of each day, week or month
    (:func:`pooling_period` of the whole span) are pooled: $r = 1000 \\sum k / \\sum n$, with
    Garwood's exact interval for $\\sum k$ (:func:`helpers.stats.poisson_interval`) scaled the
    same way. Undated articles are left out (the articles table counts them).

    Returns
    -------
    pandas.DataFrame
        ``frame``, ``row`` (the frame's place, 0 = most mentions), ``date`` (day or first day of
        the period), ``period`` ("article", "day", "week" or "month"), ``inferred`` (every
        article of the row has an inferred date), ``id`` (the article, or "N articles"),
        ``n_articles``, ``count``, ``n_words``, ``per_1000``, ``ci_low``, ``ci_high`` and
        ``panel`` (:func:`date_panels`); sorted by frame row and date. Empty (with these
        columns) when no dated article has a hit of the frames.

    What is lost: pooled rows hide differences between articles of the same period.

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "date": pd.to_datetime(["2022-01-10"]),
    ...                      "date_source": ["dateline"]})
    >>> rates = pd.DataFrame({"id": ["a"], "frame": ["external_forces"], "count": [2],
    ...                       "n_words": [500], "per_1000": [4.0], "ci_low": [0.5],
    ...                       "ci_high": [14.4]})
    >>> frame_intensity(arts, rates)[["frame", "period", "per_1000", "panel"]].values.tolist()
    [['external_forces', 'article', 4.0, 0]]
    """
    dated = _dated_rates(articles, rates)
    totals = dated.groupby("frame")["count"].sum().sort_values(ascending=False, kind="stable")
    if frames is None:
        frames = list(totals.index[totals > 0][:top_frames])
    frames = [f for f in frames if totals.get(f, 0) > 0]
    dated = dated[dated["frame"].isin(frames)]
    if dated.empty:
        return pd.DataFrame(columns=list(INTENSITY_COLUMNS))
    if dated["id"].nunique() > max_points:
        span = (dated["date"].max() - dated["date"].min()).days
        dated = _pool_rates(dated, pooling_period(span), confidence)
    else:
        dated = dated.assign(period="article", n_articles=1)
    dated["row"] = dated["frame"].map({f: i for i, f in enumerate(frames)})
    dated["panel"] = panel_of(dated["date"], date_panels(dated["date"], min_gap_days, max_panels))
    dated = dated.sort_values(["row", "date", "id"], kind="stable").reset_index(drop=True)
    return dated[list(INTENSITY_COLUMNS)]


def _dated_rates(articles: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """The rates of dated articles, with each article's date and whether it was inferred."""
    _require(
        articles,
        ("id", "date", "date_source"),
        "the articles table",
        "pass the table from helpers.corpus.load_corpus()",
    )
    _require(
        rates, RATE_COLUMNS, "the rates table", "pass the table from helpers.frames.frame_rates()"
    )
    arts = pd.DataFrame(
        {
            "date": _to_dates(articles["date"]).to_numpy(),
            "inferred": articles["date_source"].astype(str).isin(INFERRED_SOURCES).to_numpy(),
        },
        index=pd.Index(articles["id"].astype(str), name="id"),
    )
    table = rates.assign(id=rates["id"].astype(str))
    unknown = sorted(set(table["id"].unique()) - set(arts.index))
    if unknown:
        raise ValueError(
            f"rates name article id(s) {unknown[:5]} that are not in the articles "
            "table; compute both from the same corpus"
        )
    table = table.join(arts, on="id")
    return table[table["date"].notna()]


def _pool_rates(dated: pd.DataFrame, period: str, confidence: float) -> pd.DataFrame:
    """Hits over words per frame and period, with the exact interval of the pooled count."""
    dated = dated.assign(date=period_start(dated["date"], period))
    pooled = (
        dated.groupby(["frame", "date"], sort=True)
        .agg(
            count=("count", "sum"),
            n_words=("n_words", "sum"),
            n_articles=("id", "nunique"),
            inferred=("inferred", "all"),
        )
        .reset_index()
    )
    words = pooled["n_words"].where(pooled["n_words"] > 0).astype(float)
    low, high = poisson_interval(pooled["count"].to_numpy(), confidence)
    pooled["per_1000"] = 1000 * pooled["count"] / words
    pooled["ci_low"] = 1000 * low / words
    pooled["ci_high"] = 1000 * high / words
    pooled["id"] = pooled["n_articles"].map(lambda n: f"{n} articles")
    return pooled.assign(period=period)


def events_near(
    events: pd.DataFrame, intensity: pd.DataFrame, window_days: float = 31
) -> pd.DataFrame:
    """The reference events within ``window_days`` of a date of ``intensity``, numbered.

    ``intensity`` is a table with ``date`` and ``panel`` (:func:`frame_intensity`). Each event
    within the window of its nearest date goes in that date's panel (so an event never opens
    a panel of its own) and is numbered 1, 2, ... in date order.

    Returns
    -------
    pandas.DataFrame
        The events, sorted by date, with ``panel`` (-1 when not shown), ``shown`` and
        ``number`` (nullable integer, missing when not shown).

    Examples
    --------
    >>> ev = pd.DataFrame({"date": pd.to_datetime(["2022-01-07", "2024-06-01"])})
    >>> near = pd.DataFrame({"date": pd.to_datetime(["2022-01-10"]), "panel": [0]})
    >>> events_near(ev, near)[["shown", "number"]].values.tolist()
    [[True, 1], [False, <NA>]]
    """
    out = events.assign(date=_to_dates(events["date"]))
    out = out.sort_values("date", kind="stable").reset_index(drop=True)
    points = intensity[["date", "panel"]].dropna().drop_duplicates().sort_values("date")
    out["panel"] = -1
    if len(points) and len(out):
        nearest = pd.merge_asof(
            out[["date"]].reset_index(),
            points,
            on="date",
            direction="nearest",
            tolerance=pd.Timedelta(days=window_days),
        ).set_index("index")
        out["panel"] = nearest["panel"].fillna(-1).astype(int)
    out["shown"] = out["panel"] >= 0
    out["number"] = pd.Series(out["shown"].cumsum(), dtype="Int64").where(out["shown"])
    return out


# --------------------------------------------------------------------------------------------
# 3. Where frames fall inside articles


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
    length = out["id"].map(lengths).astype("int64")
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


def dispersion(
    articles: pd.DataFrame,
    hits: pd.DataFrame,
    *,
    frames: Sequence[str] | None = None,
    top_frames: int = 9,
    max_articles: int = 12,
) -> pd.DataFrame:
    """Where each frame's hits fall inside each article, one row per hit, for an x-ray plot.

    The frames are the ``top_frames`` with most hits (or those of ``frames`` that have any).
    Articles are given a ``row``: oldest first, undated last. An article with no hit of these
    frames keeps its row (one line with no frame), so absence can be shown, as long as the
    corpus has at most ``max_articles`` articles; beyond that only the ``max_articles`` with
    most hits are kept (ties: the older first), none of them without hits. Dates are not
    needed, so this also works for an undated corpus.

    Returns
    -------
    pandas.DataFrame
        ``row``, ``id``, ``date`` (NaT if none), ``frame`` and ``panel`` (the frame's place
        among those with a hit in a kept article, 0 = most hits; both missing on an empty
        line), ``start``, ``position`` (:func:`hit_positions`), ``n_hits`` (the article's
        hits of these frames) and ``n_corpus`` (the number of articles the rows were chosen
        from), sorted by row, panel and position. Empty when no hit is of these frames.

    What is lost: positions are relative, so a hit 10% into a long and a short article line
    up although they are far apart in characters; articles beyond the cap are left out.

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a", "b"], "text": ["قال إن القوى الخارجية تتدخل"] * 2})
    >>> hits = pd.DataFrame({"id": ["a"], "frame": ["external_forces"], "start": [7]})
    >>> dispersion(arts, hits)[["row", "id", "frame", "n_hits"]].values.tolist()
    [[0, 'a', 'external_forces', 1], [1, 'b', nan, 0]]
    """
    placed = hit_positions(articles, hits)
    totals = placed.groupby("frame").size().sort_values(ascending=False, kind="stable")
    if frames is None:
        frames = list(totals.index[:top_frames])
    frames = [f for f in frames if f in totals.index]
    placed = placed[placed["frame"].isin(frames)]
    columns = ["row", "id", "date", "frame", "panel", "start", "position", "n_hits", "n_corpus"]
    if placed.empty:
        return pd.DataFrame(columns=columns)
    arts = pd.DataFrame({"id": articles["id"].astype(str).to_numpy()})
    has_date = "date" in articles.columns
    arts["date"] = _to_dates(articles["date"]).to_numpy() if has_date else pd.NaT
    arts["n_hits"] = arts["id"].map(placed.groupby("id").size()).fillna(0).astype(int)
    if len(arts) > max_articles:
        arts = arts.sort_values(["n_hits", "date"], ascending=[False, True], kind="stable")
        arts = arts.head(max_articles)
        arts = arts[arts["n_hits"] > 0]
    arts = arts.sort_values(["date", "id"], na_position="last", kind="stable")
    arts = arts.reset_index(drop=True).rename_axis("row").reset_index()
    table = arts.merge(placed[["id", "frame", "start", "position"]], on="id", how="left")
    kept = [f for f in frames if f in set(table["frame"].dropna())]  # some only beyond the cap
    table["panel"] = table["frame"].map({f: k for k, f in enumerate(kept)}).astype("Int64")
    table["n_corpus"] = len(articles)
    table = table.sort_values(["row", "panel", "position"], kind="stable", na_position="last")
    return table[columns].reset_index(drop=True)


__all__ = [
    "ARTICLE_COLUMNS",
    "EVENTS_CSV",
    "EVENT_COLUMNS",
    "HIT_COLUMNS",
    "INTENSITY_COLUMNS",
    "OTHER_OUTLETS",
    "RATE_COLUMNS",
    "UNKNOWN_OUTLET",
    "article_timeline",
    "date_panels",
    "dispersion",
    "events_near",
    "frame_intensity",
    "frame_labels",
    "hit_positions",
    "load_events",
    "panel_of",
    "period_start",
    "pooling_period",
]
