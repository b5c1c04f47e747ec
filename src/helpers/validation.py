"""Does the frame lexicon find what a careful reader finds? Scores, blind coding, agreement.

Three questions a political scientist asks of a dictionary method, one function each:

* **How good is it?** :func:`frame_scores` gives per-frame precision and recall of
  :func:`helpers.frames.frame_hits` against hand-coded sentences, with exact (Clopper–Pearson)
  95% intervals. The unit is the sentence: a frame is *predicted* for a sentence when
  ``frame_hits`` finds at least one hit of it there, and *true* when the coder assigned it.
* **On my corpus?** :func:`coding_sheet` writes a blind coding sheet (a fixed-seed sample of
  sentences with and without hits, predictions hidden), :func:`read_coding_sheet` reads the
  coded sheet back and checks it, :func:`scores_from_sheet` scores the lexicon against it.
* **Would another coder agree?** :func:`agreement` gives Krippendorff's alpha per frame
  (nominal, from the ``krippendorff`` package) on a double-coded sheet.

The held-out gold set (``data/validation/frames_heldout.csv``, read by :func:`read_gold`)
was written and coded after the lexicon was tuned, and shares no sentence with the tuning
set (``tests/data/frames_gold.csv``); ``docs/codebook.md`` is what its coder followed.

What a score cannot tell: sentence-level scores say nothing of how *often* a frame occurs
within a sentence, and a held-out set written for the purpose is not a random sample of any
corpus, so its precision and recall describe these sentences, not a population.
"""

from __future__ import annotations

import math
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
from scipy import stats

from helpers import arabic, frames
from helpers.paths import PROJECT_ROOT, VALIDATION_DIR

HELDOUT_PATH = VALIDATION_DIR / "frames_heldout.csv"
SAMPLE_PATH = VALIDATION_DIR / "coding_sample.csv"  # coder A's codes of the double-coded sample
BLANK_SAMPLE_PATH = VALIDATION_DIR / "coding_sample_blank.csv"  # the same sheet, for coder B
SECOND_CODER_PATH = VALIDATION_DIR / "coding_sample_b.csv"  # where coder B's coded copy goes
SAMPLE_SIZE, SAMPLE_SEED = 40, 15
TUNING_PATH = PROJECT_ROOT / "tests" / "data" / "frames_gold.csv"  # the lexicon was tuned on it
NONE_LABEL = "none"  # what a coder writes on a sheet when no frame applies
POOLED = "all frames"

SCORE_COLUMNS = [
    "frame",
    "n_gold",
    "n_predicted",
    "tp",
    "fp",
    "fn",
    "precision",
    "precision_low",
    "precision_high",
    "recall",
    "recall_low",
    "recall_high",
]
SHEET_COLUMNS = [
    "unit",
    "id",
    "sentence_no",
    "before",
    "sentence",
    "after",
    "frames",
    "coder",
    "note",
]
_KEY_COLUMNS = ["unit", "id", "sentence_no", "sentence"]  # must match the sample exactly
AGREEMENT_COLUMNS = ["frame", "alpha", "n_units", "n_a", "n_b", "observed_agreement"]


def frame_ids(lexicon: list[frames.Frame] | None = None) -> list[str]:
    """The frame ids of the lexicon, in file order (the valid labels for coders)."""
    return [f.id for f in (frames.load_lexicon() if lexicon is None else lexicon)]


def parse_labels(value: object) -> frozenset[str]:
    """The frames of one coded cell: ``"a|b"`` -> ``{a, b}``; empty or ``none`` -> ``{}``.

    >>> sorted(parse_labels(" colour_revolution | external_forces "))
    ['colour_revolution', 'external_forces']
    >>> parse_labels("none"), parse_labels("")
    (frozenset(), frozenset())
    """
    if not isinstance(value, str):
        return frozenset()
    return frozenset(x.strip() for x in value.split("|") if x.strip() not in ("", NONE_LABEL))


def _unknown_labels(labels: pd.Series, valid: list[str]) -> list[str]:
    return sorted({x for cell in labels for x in parse_labels(cell)} - set(valid))


# ----------------------------------------------------------------------------------------
# Gold tables and the lexicon's predictions on them
# ----------------------------------------------------------------------------------------


def read_gold(path: str | Path | None = None) -> pd.DataFrame:
    """A gold table (``id, text, frames`` ...; default the held-out set), checked.

    Missing columns or labels that are not frame ids raise ``ValueError`` in one line naming
    the file and the fix.

    >>> gold = read_gold()
    >>> len(gold) >= 75, bool(gold["origin"].isin(["written", "real"]).all())
    (True, True)
    """
    path = Path(path) if path is not None else HELDOUT_PATH
    try:
        gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as err:
        raise ValueError(f"{path}: cannot read the gold table ({err}); check the path") from err
    missing = [c for c in ("id", "text", "frames") if c not in gold.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; add them")
    unknown = _unknown_labels(gold["frames"], frame_ids())
    if unknown:
        raise ValueError(
            f"{path}: unknown frame label(s) {', '.join(unknown)}; use {', '.join(frame_ids())}"
        )
    return gold


def gold_hits(gold: pd.DataFrame, matcher: frames.Matcher | None = None) -> pd.DataFrame:
    """:func:`helpers.frames.frame_hits` over a gold table, one "article" per sentence.

    The ``id`` of each hit is the gold row's ``id`` (its index when there is none).

    >>> gold = pd.DataFrame({"id": ["g1"], "text": ["ورفض التدخل الخارجي."], "frames": [""]})
    >>> gold_hits(gold)[["id", "frame"]].values.tolist()
    [['g1', 'external_forces']]
    """
    ids = gold["id"] if "id" in gold.columns else pd.Series(gold.index, index=gold.index)
    return frames.frame_hits(pd.DataFrame({"id": ids.to_numpy(), "text": gold["text"]}), matcher)


def _predicted_sets(gold: pd.DataFrame, predicted: pd.DataFrame | pd.Series) -> pd.Series:
    """One frozenset of predicted frames per gold row, from a hit table or a label column."""
    if isinstance(predicted, pd.DataFrame) and "frame" in predicted.columns:
        keys = gold["id"] if "id" in gold.columns else pd.Series(gold.index, index=gold.index)
        by_id = predicted.groupby("id")["frame"].agg(frozenset)
        return keys.map(lambda k: by_id.get(k, frozenset()))
    labels = predicted["frames"] if isinstance(predicted, pd.DataFrame) else predicted
    if len(labels) != len(gold):
        raise ValueError(
            f"{len(labels)} predictions for {len(gold)} gold rows; give one per row, in order"
        )
    return pd.Series([parse_labels(v) for v in labels], index=gold.index)


# ----------------------------------------------------------------------------------------
# Precision and recall with exact intervals
# ----------------------------------------------------------------------------------------


def proportion_interval(
    k: float, n: float, confidence: float = 0.95, n_effective: float | None = None
) -> tuple[float, float, float]:
    """``(k/n, low, high)``: Clopper–Pearson's exact interval for ``k`` successes in ``n``.

    Whole counts use ``scipy.stats.binomtest(k, n).proportion_ci(method="exact")``. For a
    weighted sample (``k`` and ``n`` weighted sums, ``n_effective`` Kish's effective sample
    size) the interval is Korn and Graubard's (1998) version: the same beta quantiles at the
    effective counts. ``n == 0`` gives NaN throughout (no sentence to score).

    >>> [round(x, 3) for x in proportion_interval(5, 10)]
    [0.5, 0.187, 0.813]
    >>> [round(x, 3) for x in proportion_interval(0, 10)]
    [0.0, 0.0, 0.308]
    """
    if n <= 0:
        return math.nan, math.nan, math.nan
    p = k / n
    if n_effective is None:
        ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence, method="exact")
        return p, float(ci.low), float(ci.high)
    m = n_effective
    x, tail = p * m, (1 - confidence) / 2
    low = 0.0 if x <= 0 else float(stats.beta.ppf(tail, x, m - x + 1))
    high = 1.0 if x >= m else float(stats.beta.ppf(1 - tail, x + 1, m - x))
    return p, low, high


def _score_row(name, gold_has, pred_has, weights, confidence) -> dict:
    """Counts, precision and recall of one frame (boolean arrays over sentences)."""
    tp, fp, fn = gold_has & pred_has, ~gold_has & pred_has, gold_has & ~pred_has
    row = {"frame": name, "n_gold": int(gold_has.sum()), "n_predicted": int(pred_has.sum())}
    row.update(tp=int(tp.sum()), fp=int(fp.sum()), fn=int(fn.sum()))
    for what, hit, base in (("precision", tp, pred_has), ("recall", tp, gold_has)):
        if weights is None:
            k, n, n_eff = hit.sum(), base.sum(), None
        else:
            w = weights[base]
            k, n = weights[hit].sum(), w.sum()
            n_eff = n**2 / (w**2).sum() if len(w) else None
        value, low, high = proportion_interval(k, n, confidence, n_eff)
        row.update({what: value, f"{what}_low": low, f"{what}_high": high})
    return row


def frame_scores(
    gold: pd.DataFrame,
    predicted: pd.DataFrame | pd.Series,
    lexicon: list[frames.Frame] | None = None,
    confidence: float = 0.95,
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """Per-frame precision and recall of the lexicon against coded sentences.

    Parameters
    ----------
    gold : pandas.DataFrame
        One coded sentence a row: ``frames`` (``"a|b"``, empty or ``none`` for no frame) and
        ``id`` when ``predicted`` is a hit table.
    predicted : DataFrame or Series
        Either the hits of those sentences (from :func:`gold_hits`: a frame is predicted
        for a sentence when it has at least one hit there), or one ``"a|b"`` label per gold
        row, in order (a Series, or a table with a ``frames`` column).
    weights : Series, optional
        Sampling weights (one per row, as :func:`coding_sheet` records them): counts become
        weighted sums and the intervals Korn–Graubard's (see :func:`proportion_interval`).

    Returns
    -------
    pandas.DataFrame
        :data:`SCORE_COLUMNS`, one row per lexicon frame and a last row ``"all frames"``
        (every sentence × frame decision pooled; its interval treats those decisions as
        independent, which sentences with several frames are not). Precision is NaN for a
        frame never predicted, recall for a frame never coded.

    Examples
    --------
    >>> gold = pd.DataFrame({"frames": ["colour_revolution", "", "colour_revolution"]})
    >>> pred = pd.Series(["colour_revolution", "colour_revolution", ""])
    >>> s = frame_scores(gold, pred).set_index("frame").loc["colour_revolution"]
    >>> int(s.tp), int(s.fp), int(s.fn), float(s.precision), float(s.recall)
    (1, 1, 1, 0.5, 0.5)
    """
    names = frame_ids(lexicon)
    truth = gold["frames"].map(parse_labels)
    guess = _predicted_sets(gold, predicted)
    w = None if weights is None else np.asarray(weights, dtype=float)
    grid = {
        f: (
            truth.map(lambda s, f=f: f in s).to_numpy(),
            guess.map(lambda s, f=f: f in s).to_numpy(),
        )
        for f in names
    }
    rows = [_score_row(f, g, p, w, confidence) for f, (g, p) in grid.items()]
    pooled_g = np.concatenate([g for g, _ in grid.values()]) if names else np.array([], bool)
    pooled_p = np.concatenate([p for _, p in grid.values()]) if names else np.array([], bool)
    pooled_w = None if w is None else np.tile(w, len(names))
    rows.append(_score_row(POOLED, pooled_g, pooled_p, pooled_w, confidence))
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


# ----------------------------------------------------------------------------------------
# Blind coding sheets
# ----------------------------------------------------------------------------------------


def _trim(text: str, width: int, keep_end: bool) -> str:
    """At most ``width`` characters of ``text`` (its end or its start), cut at a space."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    piece = text[-width:] if keep_end else text[:width]
    if " " in piece:
        piece = piece.split(" ", 1)[1] if keep_end else piece.rsplit(" ", 1)[0]
    return "… " + piece if keep_end else piece + " …"


def sentence_units(articles: pd.DataFrame, width: int = 120) -> pd.DataFrame:
    """Every sentence of every article with its neighbours as context.

    Sentences are :func:`helpers.arabic.sentence_spans`, numbered as
    :func:`helpers.frames.frame_hits` numbers them (``sentence_no``), so hits and units join.
    ``before``/``after`` are the end of the previous and the start of the next sentence
    (``width`` characters at most). Articles without text have no units.

    >>> arts = pd.DataFrame({"id": ["a"], "text": ["جملة أولى. جملة ثانية."]})
    >>> sentence_units(arts)[["sentence_no", "before", "sentence"]].values.tolist()
    [[0, '', 'جملة أولى.'], [1, 'جملة أولى.', 'جملة ثانية.']]
    """
    rows = []
    for art_id, text in zip(articles["id"], articles["text"], strict=True):
        if not isinstance(text, str) or not text.strip():
            continue
        spans = arabic.sentence_spans(text) or [(0, len(text))]
        sents = [text[a:b] for a, b in spans]
        for k, sent in enumerate(sents):
            before = _trim(sents[k - 1], width, keep_end=True) if k else ""
            after = _trim(sents[k + 1], width, keep_end=False) if k + 1 < len(sents) else ""
            rows.append((art_id, k, before, " ".join(sent.split()), after))
    return pd.DataFrame(rows, columns=["id", "sentence_no", "before", "sentence", "after"])


def _draw(rng: np.random.Generator, index: pd.Index, size: int) -> list:
    return list(rng.choice(index, size=size, replace=False)) if size else []


def coding_sheet(
    articles: pd.DataFrame,
    hits: pd.DataFrame,
    n: int,
    seed: int = 0,
    path: str | Path | None = None,
    share_hits: float = 0.5,
    width: int = 120,
) -> pd.DataFrame:
    """A blind coding sheet: a fixed-seed sample of sentences with and without frame hits.

    Parameters
    ----------
    articles, hits : pandas.DataFrame
        The corpus (``id, text``) and its :func:`helpers.frames.frame_hits`.
    n : int
        Sentences to code. About ``share_hits`` of them have at least one hit, the rest have
        none (strata topped up from each other when one is too small), so that both
        precision and the misses (recall) can be checked. The order is shuffled.
    seed : int
        The same corpus, hits, ``n`` and ``seed`` give the same sample: that is how
        :func:`read_coding_sheet` checks a sheet when it comes back.
    path : str or Path, optional
        Where to write the sheet (UTF-8 CSV): :data:`SHEET_COLUMNS`, with ``frames``,
        ``coder`` and ``note`` blank. Predictions are **not** on the sheet (blind coding),
        nor is the hit marked in the sentence: marking it would tell the coder which
        sentences the lexicon flagged.

    Returns
    -------
    pandas.DataFrame
        The sample: the sheet's columns except the blank ones, plus ``predicted`` (the
        lexicon's frames, ``"a|b"``) and ``weight`` (sentences in the stratum per sampled
        sentence, for :func:`scores_from_sheet`).

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["ثورة ملونة. جملة. أخرى."]})
    >>> s = coding_sheet(arts, frames.frame_hits(arts), n=2)
    >>> sorted(s["predicted"]), len(s)
    (['', 'colour_revolution'], 2)
    """
    units = sentence_units(articles, width)
    found = hits.groupby(["id", "sentence_no"])["frame"].agg(
        lambda f: "|".join(x for x in frame_ids() if x in set(f))
    )
    keys = pd.MultiIndex.from_frame(units[["id", "sentence_no"]])
    units["predicted"] = found.reindex(keys).fillna("").to_numpy()
    with_hit = units.index[units["predicted"] != ""]
    without = units.index[units["predicted"] == ""]
    n = min(n, len(units))
    n_hit = min(len(with_hit), max(n - len(without), round(n * share_hits)))
    rng = np.random.default_rng(seed)
    chosen = _draw(rng, with_hit, n_hit) + _draw(rng, without, n - n_hit)
    sample = units.loc[chosen].iloc[rng.permutation(len(chosen))].reset_index(drop=True)
    sample["weight"] = np.where(
        sample["predicted"] != "", len(with_hit) / max(n_hit, 1), len(without) / max(n - n_hit, 1)
    )
    sample.insert(0, "unit", [f"u{i:03d}" for i in range(1, len(sample) + 1)])
    if path is not None:
        write_sheet(sample, path)
    return sample


def write_sheet(
    sample: pd.DataFrame, path: str | Path, labels: pd.Series | None = None, coder: str = ""
) -> Path:
    """Write a coding sheet for ``sample``: blank codes, or ``labels`` (``"a|b"``, empty for
    no frame, written ``none``) as the codes of ``coder``."""
    sheet = pd.DataFrame({c: sample.get(c, "") for c in SHEET_COLUMNS})
    if labels is not None:
        sheet["frames"] = [v if v else NONE_LABEL for v in labels]
        sheet["coder"] = coder
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.to_csv(path, index=False, encoding="utf-8")
    return path


def _mismatch(path: Path, sheet: pd.DataFrame, sample: pd.DataFrame) -> str | None:
    """What differs between the sheet's rows and the sample's (None when they match)."""
    got = sheet.set_index("unit")
    want = sample.assign(sentence_no=sample["sentence_no"].astype(str)).set_index("unit")
    missing = [u for u in want.index if u not in got.index]
    added = [u for u in got.index if u not in want.index]
    dupes = sorted(set(got.index[got.index.duplicated()]))
    common = [u for u in want.index if u in got.index and u not in dupes]
    changed = [
        u for u in common if any(str(got.at[u, c]) != str(want.at[u, c]) for c in _KEY_COLUMNS[1:])
    ]
    problems = [
        f"{what} unit(s) {', '.join(map(str, units[:5]))}{' …' if len(units) > 5 else ''}"
        for what, units in (
            ("missing", missing),
            ("added", added),
            ("repeated", dupes),
            ("changed (id, sentence_no or sentence)", changed),
        )
        if units
    ]
    if not problems:
        return None
    return (
        f"{path}: rows do not match the sample: {'; '.join(problems)}; copy your codes into a "
        "fresh export from coding_sheet (same corpus, n and seed) and edit only frames, coder, note"
    )


def read_coding_sheet(
    path: str | Path, sample: pd.DataFrame, lexicon: list[frames.Frame] | None = None
) -> pd.DataFrame:
    """Read a coded sheet back, check it against its sample, and return the coded table.

    Every problem raises ``ValueError`` in one line naming the file and the fix: missing
    columns; rows that are not the sample's (missing, added, repeated or edited units); an
    empty ``frames`` or ``coder`` cell (write ``none`` when no frame applies); labels that
    are not frame ids (the valid ones are listed).

    Returns
    -------
    pandas.DataFrame
        The sample's rows with ``frames`` (``"a|b"`` in lexicon order, empty for none),
        ``coder`` and ``note`` from the sheet.

    Examples
    --------
    >>> import tempfile
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["ثورة ملونة. جملة."]})
    >>> s = coding_sheet(arts, frames.frame_hits(arts), n=2)
    >>> out = Path(tempfile.mkdtemp()) / "sheet.csv"
    >>> _ = write_sheet(s, out, labels=s["predicted"], coder="A")
    >>> read_coding_sheet(out, s)["frames"].tolist() == s["predicted"].tolist()
    True
    """
    path = Path(path)
    try:
        sheet = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ValueError(
            f"{path}: cannot read the coding sheet ({err}); save it as UTF-8 CSV"
        ) from err
    missing = [c for c in SHEET_COLUMNS if c not in sheet.columns]
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {', '.join(missing)}; restore them from a fresh "
            "coding_sheet export (columns: " + ", ".join(SHEET_COLUMNS) + ")"
        )
    problem = _mismatch(path, sheet, sample)
    if problem:
        raise ValueError(problem)
    sheet = sheet.set_index("unit").loc[sample["unit"]]
    for column, fix in (
        ("frames", f"write '{NONE_LABEL}' when no frame applies"),
        ("coder", "write the coder's name or initials"),
    ):
        empty = sheet.index[sheet[column].str.strip() == ""].tolist()
        if empty:
            more = " …" if len(empty) > 5 else ""
            raise ValueError(
                f"{path}: unit(s) {', '.join(empty[:5])}{more} have no {column!r}; {fix}"
            )
    valid = frame_ids(lexicon)
    unknown = _unknown_labels(sheet["frames"], valid)
    if unknown:
        raise ValueError(
            f"{path}: unknown frame label(s) {', '.join(unknown)}; use '{NONE_LABEL}' or these, "
            f"joined with |: {', '.join(valid)}"
        )
    coded = sample.copy()
    coded["frames"] = ["|".join(f for f in valid if f in parse_labels(v)) for v in sheet["frames"]]
    coded["coder"] = sheet["coder"].str.strip().to_numpy()
    coded["note"] = sheet["note"].to_numpy()
    return coded


def scores_from_sheet(
    coded: pd.DataFrame, lexicon: list[frames.Frame] | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """:func:`frame_scores` of the lexicon against a coded sheet (:func:`read_coding_sheet`).

    The sample over-represents sentences with hits, so each sentence counts with its
    sampling ``weight``: recall then estimates the share of the corpus's framed sentences
    that the lexicon finds, not the share within the sample (precision is unaffected: every
    predicted sentence comes from the same stratum).
    """
    return frame_scores(coded, coded["predicted"], lexicon, confidence, coded.get("weight"))


def heldout_sample(
    n: int = SAMPLE_SIZE, seed: int = SAMPLE_SEED, gold: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The double-coded sample of the held-out set: a simple random sample of its sentences.

    Drawn by :func:`coding_sheet` with no hits, so it does not depend on the lexicon (an
    edited lexicon leaves the committed sheets valid); the sheets are
    :data:`SAMPLE_PATH` (coder A) and :data:`BLANK_SAMPLE_PATH` (for coder B, whose coded
    copy goes to :data:`SECOND_CODER_PATH`).

    >>> s = heldout_sample()
    >>> len(s), s["unit"].iloc[0], bool((s["predicted"] == "").all())
    (40, 'u001', True)
    """
    gold = read_gold() if gold is None else gold
    no_hits = pd.DataFrame(columns=["id", "sentence_no", "frame"])
    return coding_sheet(gold[["id", "text"]], no_hits, n, seed)


# ----------------------------------------------------------------------------------------
# Agreement between two coders
# ----------------------------------------------------------------------------------------


def _alpha(a: np.ndarray, b: np.ndarray) -> float:
    """Nominal Krippendorff's alpha of two coders' 0/1 codes; NaN when only one value occurs
    (nobody used the frame, or everyone always did: agreement is perfect but alpha is 0/0)."""
    if len(np.unique(np.concatenate([a, b]))) < 2:
        return math.nan
    return float(
        krippendorff.alpha(reliability_data=np.vstack([a, b]), level_of_measurement="nominal")
    )


def agreement(
    coded_a: pd.DataFrame, coded_b: pd.DataFrame, lexicon: list[frames.Frame] | None = None
) -> pd.DataFrame:
    """Krippendorff's alpha per frame for two coders of the same sentences.

    Parameters
    ----------
    coded_a, coded_b : pandas.DataFrame
        Each with ``frames`` (``"a|b"``), e.g. from :func:`read_coding_sheet`; rows are
        paired on ``unit`` when both have it, else by position.

    Returns
    -------
    pandas.DataFrame
        :data:`AGREEMENT_COLUMNS`: ``alpha`` (nominal, on "frame present: yes/no" per
        sentence), ``n_units`` (sentences coded by both), ``n_a``/``n_b`` (sentences each
        coder gave the frame) and ``observed_agreement`` (share of sentences where they
        agree). Alpha is NaN for a frame neither coder used. Krippendorff's rule of thumb:
        rely on a frame at alpha >= 0.8, draw tentative conclusions at 0.667–0.8.

    Examples
    --------
    >>> a = pd.DataFrame({"frames": ["colour_revolution", "", "colour_revolution", ""]})
    >>> float(agreement(a, a).set_index("frame").loc["colour_revolution", "alpha"])
    1.0
    """
    if "unit" in coded_a.columns and "unit" in coded_b.columns:
        pair = coded_a[["unit", "frames"]].merge(coded_b[["unit", "frames"]], on="unit")
        left, right = pair["frames_x"], pair["frames_y"]
    elif len(coded_a) == len(coded_b):
        left, right = (
            coded_a["frames"].reset_index(drop=True),
            coded_b["frames"].reset_index(drop=True),
        )
    else:
        raise ValueError(
            f"{len(coded_a)} and {len(coded_b)} coded rows without a 'unit' column to pair "
            "them; give both tables the sheet's unit column"
        )
    sa, sb = left.map(parse_labels), right.map(parse_labels)
    rows = []
    for f in frame_ids(lexicon):
        a = sa.map(lambda s, f=f: f in s).to_numpy(dtype=int)
        b = sb.map(lambda s, f=f: f in s).to_numpy(dtype=int)
        agree = float((a == b).mean()) if len(a) else math.nan
        rows.append((f, _alpha(a, b), len(a), int(a.sum()), int(b.sum()), agree))
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


__all__ = [
    "AGREEMENT_COLUMNS",
    "BLANK_SAMPLE_PATH",
    "HELDOUT_PATH",
    "NONE_LABEL",
    "POOLED",
    "SAMPLE_PATH",
    "SAMPLE_SEED",
    "SAMPLE_SIZE",
    "SCORE_COLUMNS",
    "SECOND_CODER_PATH",
    "SHEET_COLUMNS",
    "TUNING_PATH",
    "agreement",
    "coding_sheet",
    "frame_ids",
    "frame_scores",
    "gold_hits",
    "heldout_sample",
    "parse_labels",
    "proportion_interval",
    "read_coding_sheet",
    "read_gold",
    "scores_from_sheet",
    "sentence_units",
    "write_sheet",
]
