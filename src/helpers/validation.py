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
* **Who speaks, checked by hand?** :func:`speaker_scores` gives the accuracy of the speaker
  group of :func:`helpers.speakers.attribute_speakers` and the precision and recall of its
  listed entities against hand-labelled sentences (``data/validation/speakers_heldout.csv``,
  read by :func:`read_speaker_gold`), with the same intervals; :func:`speaker_confusion`
  says which groups are taken for which.

The held-out gold set (``data/validation/frames_heldout.csv``, read by :func:`read_gold`)
was written and coded after the lexicon was tuned, and shares no sentence with the tuning
set (``tests/data/frames_gold.csv``); ``docs/codebook.md`` is what its coder followed. Its
sentences quoted from SaudiNewsNet 2015 are stored as pointers (record id, sentence number,
fingerprint) and read from the shared corpus in place (:func:`resolve_quotes`): the
corpus's text is never copied into the repository.

What a score cannot tell: sentence-level scores say nothing of how *often* a frame occurs
within a sentence, and a held-out set written for the purpose is not a random sample of any
corpus, so its precision and recall describe these sentences, not a population.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import math
import unicodedata
import warnings
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
from scipy import stats

from helpers import arabic, frames, speakers
from helpers.paths import (
    PROJECT_ROOT,
    SAUDINEWSNET_ENV,
    VALIDATION_DIR,
    processed_dir,
    saudinewsnet_path,
)

HELDOUT_PATH = VALIDATION_DIR / "frames_heldout.csv"
SAMPLE_PATH = VALIDATION_DIR / "coding_sample.csv"  # coder A's codes of the double-coded sample
BLANK_SAMPLE_PATH = VALIDATION_DIR / "coding_sample_blank.csv"  # the same sheet, for coder B
SECOND_CODER_PATH = VALIDATION_DIR / "coding_sample_b.csv"  # where coder B's coded copy goes
SAMPLE_SIZE, SAMPLE_SEED = 40, 15
TUNING_PATH = PROJECT_ROOT / "tests" / "data" / "frames_gold.csv"  # the lexicon was tuned on it
NONE_LABEL = "none"  # what a coder writes on a sheet when no frame applies
FINGERPRINT_DIGITS = 12  # hex digits of sha256 kept to check a quoted sentence
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
# Sentences quoted from SaudiNewsNet: pointers in git, text read from the corpus
# ----------------------------------------------------------------------------------------


def fingerprint(text: str) -> str:
    """The first 12 hex digits of the SHA-256 of a sentence, NFC and whitespace normalised.

    What the repository keeps of a sentence quoted from the shared corpus instead of its
    text: enough to check that the corpus gives back the same sentence, too little to
    recover it. Line breaks, runs of spaces and composed/decomposed forms do not change it;
    any change of letter, mark or punctuation does.

    >>> fingerprint("ثورة  ملونة.") == fingerprint("ثورة ملونة.")
    True
    >>> len(fingerprint("ثورة ملونة."))
    12
    """
    norm = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:FINGERPRINT_DIGITS]


_ID_PREFIX = '{"id": "'  # how each SaudiNewsNet line starts: the id is read without parsing


@functools.lru_cache(maxsize=4)
def _corpus_texts(path: Path, mtime_ns: int, ids: frozenset[str]) -> dict[str, str]:
    """The texts of the records ``ids`` of a JSON-lines corpus (gzip or plain), streamed once.

    Only the wanted lines are parsed (the id is sliced from the line's start when the line
    has the corpus's usual layout) and reading stops when all are found: a pass over
    SaudiNewsNet's 30,676 records is about as fast as decompressing it. Cached per file
    version (``mtime_ns``), so a notebook reads the corpus once however often it asks.
    """
    found: dict[str, str] = {}
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(_ID_PREFIX):
                end = line.find('"', len(_ID_PREFIX))
                if line[len(_ID_PREFIX) : end] not in ids:
                    continue
            record = json.loads(line)
            if record.get("id") in ids:
                found[record["id"]] = record.get("text") or ""
                if len(found) == len(ids):
                    break
    return found


def _quoted(table: pd.DataFrame) -> pd.Series:
    """Which rows point into the corpus (a non-empty ``article_id``) instead of holding text."""
    if "article_id" not in table.columns:
        return pd.Series(False, index=table.index)
    return table["article_id"].fillna("").astype(str).str.strip() != ""


def _quote(text: str, row, where: Path, corpus: Path) -> str:
    """The sentence a pointer row names, checked against its fingerprint, with the
    ``context`` sentences before it when the row has that column (a passage)."""
    spans = arabic.sentence_spans(text) if text else []
    try:
        k, before = int(row.sentence_no), int(getattr(row, "context", "") or 0)
        a, b = spans[k]
        start = spans[k - before][0] if 0 <= before <= k else None
    except (ValueError, IndexError):
        raise ValueError(
            f"{where}: row {row.id}: {row.article_id} in {corpus} has no sentence "
            f"{row.sentence_no!r} ({len(spans)} sentences); fix the row's sentence_no"
        ) from None
    got = fingerprint(text[a:b])
    if got != row.fingerprint:
        raise ValueError(
            f"{where}: row {row.id}: sentence {row.sentence_no} of {row.article_id} in {corpus} "
            f"has fingerprint {got}, not {row.fingerprint}; use the SaudiNewsNet 2015 file "
            "the set was built from, or fix the row's pointer"
        )
    if start is None:
        raise ValueError(
            f"{where}: row {row.id}: context {row.context!r} must be a whole number from 0 to "
            f"the sentence_no {k}; fix the row"
        )
    return text[start:b]


def resolve_quotes(
    table: pd.DataFrame, corpus: str | Path | None = None, where: str | Path = "table"
) -> tuple[pd.DataFrame, pd.Series]:
    """Fill the ``text`` of rows that point into SaudiNewsNet 2015, read from the corpus.

    A pointer row has ``article_id``, ``sentence_no`` (the sentence's number by
    :func:`helpers.arabic.sentence_spans` in that article) and ``fingerprint``
    (:func:`fingerprint`) and an empty ``text``: the corpus's licence and this project's
    rule keep its text out of the repository. The corpus is ``corpus``, else
    ``$SAUDINEWSNET_PATH``, else ``../shared/corpora/`` beside the project
    (:func:`helpers.paths.saudinewsnet_path`), read in place with one streamed pass.

    Returns
    -------
    (pandas.DataFrame, pandas.Series)
        The table with the quoted texts filled, and a boolean mask of the pointer rows left
        without text because the corpus file is absent (all False when it is present).
        A record or sentence that is not in the corpus, or a fingerprint that differs,
        raises ``ValueError`` in one line naming ``where`` and the row.
    """
    quoted = _quoted(table)
    path = saudinewsnet_path(corpus)
    if not quoted.any() or not path.is_file():
        return table, quoted
    missing = [c for c in ("sentence_no", "fingerprint") if c not in table.columns]
    if missing:
        raise ValueError(f"{where}: missing column(s) {', '.join(missing)}; add them")
    path = path.resolve()
    ids = frozenset(table.loc[quoted, "article_id"].str.strip())
    texts = _corpus_texts(path, path.stat().st_mtime_ns, ids)
    out = table.copy()
    for i, row in zip(table.index[quoted], table[quoted].itertuples(), strict=True):
        text = texts.get(row.article_id.strip())
        if text is None:
            raise ValueError(
                f"{where}: row {row.id}: record {row.article_id} is not in {path}; point "
                f"{SAUDINEWSNET_ENV} at SaudiNewsNet 2015 or fix the row's article_id"
            )
        out.at[i, "text"] = _quote(text, row, Path(where), path)
    return out, pd.Series(False, index=table.index)


def _unresolved_warning(n: int, total: int, where: Path, corpus: str | Path | None) -> str:
    return (
        f"{n} of {total} rows of {where.name} quote SaudiNewsNet 2015 and are left out: the "
        f"corpus is not at {saudinewsnet_path(corpus)}; set {SAUDINEWSNET_ENV} (or pass "
        "corpus=) to the saudinewsnet-2015.jsonl.gz file to include them"
    )


# ----------------------------------------------------------------------------------------
# Gold tables and the lexicon's predictions on them
# ----------------------------------------------------------------------------------------


def _read_table(path: Path) -> pd.DataFrame:
    """A gold table as stored (pointer rows without text), with its columns checked."""
    try:
        gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as err:
        raise ValueError(f"{path}: cannot read the gold table ({err}); check the path") from err
    missing = [c for c in ("id", "text", "frames") if c not in gold.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; add them")
    empty = gold["id"][(gold["text"].str.strip() == "") & ~_quoted(gold)].tolist()
    if empty:
        raise ValueError(
            f"{path}: row(s) {', '.join(empty[:5])} have no text and no article_id; "
            "give the sentence, or the article_id, sentence_no and fingerprint of a quoted one"
        )
    unknown = _unknown_labels(gold["frames"], frame_ids())
    if unknown:
        raise ValueError(
            f"{path}: unknown frame label(s) {', '.join(unknown)}; use {', '.join(frame_ids())}"
        )
    return gold


def read_gold(path: str | Path | None = None, corpus: str | Path | None = None) -> pd.DataFrame:
    """A gold table (``id, text, frames`` ...; default the held-out set), checked, with the
    sentences quoted from SaudiNewsNet read from the corpus (:func:`resolve_quotes`).

    Missing columns, labels that are not frame ids, or a quoted sentence the corpus does not
    give back raise ``ValueError`` in one line naming the file and the fix. When the corpus
    file is absent, the quoted rows are dropped with one warning saying how many and where
    the corpus is expected; the written sentences are always there.

    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # the warning when the corpus is absent
    ...     gold = read_gold()
    >>> len(gold) >= 75, bool(gold["origin"].isin(["written", "real"]).all())
    (True, True)
    """
    path = Path(path) if path is not None else HELDOUT_PATH
    return _resolved(_read_table(path), path, corpus)


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


def _article_spans(text: object) -> list[tuple[int, int]]:
    """Sentence spans of one article as :func:`helpers.frames.frame_hits` numbers them."""
    if not isinstance(text, str) or not text.strip():
        return []
    return arabic.sentence_spans(text) or [(0, len(text))]


def _unit(text: str, spans: list[tuple[int, int]], k: int, width: int) -> tuple[str, str, str]:
    """``(before, sentence, after)`` of sentence ``k``: its neighbours trimmed to ``width``."""
    before = _trim(text[slice(*spans[k - 1])], width, keep_end=True) if k else ""
    after = _trim(text[slice(*spans[k + 1])], width, keep_end=False) if k + 1 < len(spans) else ""
    return before, " ".join(text[slice(*spans[k])].split()), after


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
        spans = _article_spans(text)
        rows += [(art_id, k, *_unit(text, spans, k, width)) for k in range(len(spans))]
    return pd.DataFrame(rows, columns=["id", "sentence_no", "before", "sentence", "after"])


def _draw(rng: np.random.Generator, pool: np.ndarray, size: int) -> list:
    return list(rng.choice(pool, size=size, replace=False)) if size else []


def _sample_order(
    with_hit: np.ndarray, without: np.ndarray, n: int, seed: int, share_hits: float
) -> tuple[np.ndarray, int]:
    """Sentence numbers drawn from the two strata, shuffled, and how many came from hits."""
    n = min(n, len(with_hit) + len(without))
    n_hit = min(len(with_hit), max(n - len(without), round(n * share_hits)))
    rng = np.random.default_rng(seed)
    chosen = np.array(_draw(rng, with_hit, n_hit) + _draw(rng, without, n - n_hit), dtype=int)
    return chosen[rng.permutation(len(chosen))], n_hit


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
        sentence, for :func:`scores_from_sheet`). These two stay off the file.

    Notes
    -----
    Sentences are numbered across the corpus (article by article) and drawn by number; only
    the sampled articles are cut into units with context, so a large corpus costs one
    sentence split per article, not a table of all its sentences.

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["ثورة ملونة. جملة. أخرى."]})
    >>> s = coding_sheet(arts, frames.frame_hits(arts), n=2)
    >>> sorted(s["predicted"]), len(s)
    (['', 'colour_revolution'], 2)
    """
    texts = articles["text"].tolist()
    spans = [_article_spans(t) for t in texts]
    ends = np.cumsum([len(s) for s in spans])
    starts = ends - [len(s) for s in spans]
    position = pd.Series(range(len(texts)), index=articles["id"].to_numpy())
    position = position[~position.index.duplicated()]
    keys = hits[["id", "sentence_no"]].drop_duplicates()
    keys = keys[keys["id"].isin(position.index)]
    pos = position.loc[keys["id"]].to_numpy()
    ok = keys["sentence_no"].to_numpy() < ends[pos] - starts[pos]
    with_hit = np.unique(starts[pos][ok] + keys["sentence_no"].to_numpy()[ok])
    without = np.setdiff1d(np.arange(ends[-1] if len(ends) else 0), with_hit)
    order, n_hit = _sample_order(with_hit, without, n, seed, share_hits)
    art = np.searchsorted(ends, order, side="right")
    rows = [
        (articles["id"].iat[a], k, *_unit(texts[a], spans[a], k, width))
        for a, k in zip(art, order - starts[art], strict=True)
    ]
    sample = pd.DataFrame(rows, columns=["id", "sentence_no", "before", "sentence", "after"])
    sample["predicted"] = _labels_of(sample, hits)
    n_without = len(order) - n_hit
    sample["weight"] = np.where(
        sample["predicted"] != "", len(with_hit) / max(n_hit, 1), len(without) / max(n_without, 1)
    )
    sample.insert(0, "unit", [f"u{i:03d}" for i in range(1, len(sample) + 1)])
    if path is not None:
        write_sheet(sample, path)
    return sample


def _labels_of(units: pd.DataFrame, hits: pd.DataFrame) -> list[str]:
    """The frames ``hits`` has in each unit's sentence, ``"a|b"`` in lexicon order."""
    mine = hits.merge(units[["id", "sentence_no"]].drop_duplicates(), on=["id", "sentence_no"])
    found = mine.groupby(["id", "sentence_no"])["frame"].agg(set).to_dict()
    order = frame_ids()
    return [
        "|".join(f for f in order if f in found.get(key, ()))
        for key in zip(units["id"], units["sentence_no"], strict=True)
    ]


def write_sheet(
    sample: pd.DataFrame,
    path: str | Path,
    labels: pd.Series | None = None,
    coder: str = "",
    quotes: bool = False,
) -> Path:
    """Write a coding sheet for ``sample``: blank codes, or ``labels`` (``"a|b"``, empty for
    no frame, written ``none``) as the codes of ``coder``.

    Rows of a sample marked ``quoted`` (sentences of SaudiNewsNet, see :func:`heldout_sample`)
    are written without their text unless ``quotes=True``, so a sheet saved in the project
    never holds corpus text; use ``quotes=True`` only for a copy that leaves it (a coder's).
    """
    sheet = pd.DataFrame({c: sample.get(c, "") for c in SHEET_COLUMNS})
    if not quotes and "quoted" in sample.columns:
        sheet.loc[sample["quoted"].to_numpy(dtype=bool), ["before", "sentence", "after"]] = ""
    if labels is not None:
        sheet["frames"] = [v if v else NONE_LABEL for v in labels]
        sheet["coder"] = coder
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.to_csv(path, index=False, encoding="utf-8")
    return path


def _changed(got: pd.DataFrame, want: pd.DataFrame, unit: str) -> bool:
    """Whether the sheet row differs from the sample's in id, sentence_no or sentence. A
    quoted sentence may be blank on either side (the sheet is stored without corpus text,
    or the corpus is absent here); it is compared only when both have it."""
    quoted = bool(want.at[unit, "quoted"]) if "quoted" in want.columns else False
    for c in _KEY_COLUMNS[1:]:
        a, b = str(got.at[unit, c]), str(want.at[unit, c])
        if a != b and not (quoted and c == "sentence" and "" in (a, b)):
            return True
    return False


def _mismatch(path: Path, sheet: pd.DataFrame, sample: pd.DataFrame) -> str | None:
    """What differs between the sheet's rows and the sample's (None when they match)."""
    got = sheet.set_index("unit")
    want = sample.assign(sentence_no=sample["sentence_no"].astype(str)).set_index("unit")
    missing = [u for u in want.index if u not in got.index]
    added = [u for u in got.index if u not in want.index]
    dupes = sorted(set(got.index[got.index.duplicated()]))
    common = [u for u in want.index if u in got.index and u not in dupes]
    changed = [u for u in common if _changed(got, want, u)]
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
    n: int = SAMPLE_SIZE,
    seed: int = SAMPLE_SEED,
    path: str | Path | None = None,
    corpus: str | Path | None = None,
) -> pd.DataFrame:
    """The double-coded sample of the held-out set: a simple random sample of its sentences.

    Drawn like :func:`coding_sheet` with no hits, so it does not depend on the lexicon (an
    edited lexicon leaves the committed sheets valid), and from every row of the stored
    table, so it does not depend on whether the corpus is here either. The sheets are
    :data:`SAMPLE_PATH` (coder A) and :data:`BLANK_SAMPLE_PATH` (for coder B, see
    :func:`second_coder_sheet`; the coded copy goes to :data:`SECOND_CODER_PATH`, see
    :func:`store_second_coding`).

    Returns
    -------
    pandas.DataFrame
        As :func:`coding_sheet`, plus ``quoted`` (the sentence is quoted from SaudiNewsNet:
        its text is read from the corpus, and is empty when the corpus is absent; the codes
        and the agreement on them need no text).

    >>> s = heldout_sample()
    >>> len(s), s["unit"].iloc[0], bool((s["predicted"] == "").all())
    (40, 'u001', True)
    """
    path = Path(path) if path is not None else HELDOUT_PATH
    stored = _read_table(path)
    gold, _ = resolve_quotes(stored, corpus, path)
    order, _ = _sample_order(np.array([], dtype=int), np.arange(len(gold)), n, seed, 0.5)
    rows = gold.iloc[order]
    sample = pd.DataFrame(
        {
            "unit": [f"u{i:03d}" for i in range(1, len(rows) + 1)],
            "id": rows["id"].to_numpy(),
            "sentence_no": 0,  # every held-out row is one sentence
            "before": "",
            "sentence": [" ".join(t.split()) for t in rows["text"]],
            "after": "",
            "predicted": "",
            "weight": len(gold) / max(len(rows), 1),
            "quoted": _quoted(rows).to_numpy(),
        }
    )
    return sample


def second_coder_sheet(path: str | Path | None = None, corpus: str | Path | None = None) -> Path:
    """Write the blank sheet of :func:`heldout_sample` for a second coder, with its quoted
    sentences filled from the corpus (default ``data/processed/coding_sample_for_b.csv``,
    which git ignores: the copy holds corpus text and must not be committed).

    Without the corpus the coder would see empty sentences, so this raises ``ValueError``
    saying where the corpus is expected.
    """
    sample = heldout_sample(corpus=corpus)
    if (sample["quoted"] & (sample["sentence"] == "")).any():
        n = int(sample["quoted"].sum())
        raise ValueError(
            f"{n} of the {len(sample)} sentences are quoted from SaudiNewsNet 2015, which is not "
            f"at {saudinewsnet_path(corpus)}; set {SAUDINEWSNET_ENV} (or pass corpus=) to the "
            "saudinewsnet-2015.jsonl.gz file"
        )
    path = Path(path) if path is not None else processed_dir() / "coding_sample_for_b.csv"
    return write_sheet(sample, path, quotes=True)


def store_second_coding(
    path: str | Path, corpus: str | Path | None = None, out: str | Path = SECOND_CODER_PATH
) -> Path:
    """Check a second coder's copy of :func:`second_coder_sheet` and save it as ``out``
    (default :data:`SECOND_CODER_PATH`) without the sentences quoted from the corpus.

    The check is :func:`read_coding_sheet`'s (every problem raises ``ValueError`` naming
    the file and the fix); the saved sheet keeps every code, coder and note.
    """
    sample = heldout_sample(corpus=corpus)
    coded = read_coding_sheet(path, sample)
    codes = coded.assign(frames=[v or NONE_LABEL for v in coded["frames"]])
    return write_sheet(codes, out)


# ----------------------------------------------------------------------------------------
# Who speaks: the speaker attribution against hand-labelled sentences
# ----------------------------------------------------------------------------------------

SPEAKER_HELDOUT_PATH = VALIDATION_DIR / "speakers_heldout.csv"  # random real sentences
SPEAKER_DEV_PATH = VALIDATION_DIR / "speakers_dev.csv"  # the rules were improved on its misses
SPEAKER_SCORE_COLUMNS = ["measure", "k", "n", "value", "low", "high"]


def _listed_ids() -> frozenset[str]:
    """The entity ids of ``data/lexicons/speakers.csv``: what counts as a listed speaker."""
    return frozenset(speakers.load_speakers()["entity_id"])


def _read_speaker_table(path: Path) -> pd.DataFrame:
    """The speaker gold table as stored, with its columns, groups and entities checked."""
    try:
        gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as err:
        raise ValueError(f"{path}: cannot read the speaker gold table ({err}); check it") from err
    missing = [c for c in ("id", "text", "target", "group", "entity") if c not in gold.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; add them")
    bad = sorted(set(gold["group"]) - set(speakers.SPEAKER_GROUPS))
    if bad:
        raise ValueError(
            f"{path}: unknown group(s) {bad}; use one of {list(speakers.SPEAKER_GROUPS)}"
        )
    unknown = sorted(set(gold["entity"]) - _listed_ids() - {""})
    if unknown:
        raise ValueError(
            f"{path}: entity id(s) {unknown} are not in speakers.csv; use its entity_id, "
            "or leave the cell empty for a speaker it does not list"
        )
    return gold


def read_speaker_gold(
    path: str | Path | None = None, corpus: str | Path | None = None
) -> pd.DataFrame:
    """The held-out speaker gold set (default :data:`SPEAKER_HELDOUT_PATH`), checked, with
    its sentences quoted from SaudiNewsNet read from the corpus (:func:`resolve_quotes`).

    One row per labelled sentence: ``text`` is a passage of one to three sentences (a
    passage gives a carried speaker its antecedent), ``target`` the number of the labelled
    sentence in it (:func:`helpers.arabic.sentence_spans`, from 0), ``group`` one of
    :data:`helpers.speakers.SPEAKER_GROUPS` and ``entity`` the speaker's ``entity_id`` in
    ``speakers.csv``, empty when it is not listed there. Without the corpus the quoted rows
    are dropped with one warning, as in :func:`read_gold`.

    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # the warning when the corpus is absent
    ...     gold = read_speaker_gold(SPEAKER_DEV_PATH)  # its written passages need no corpus
    >>> len(gold) >= 35, bool(gold["group"].isin(speakers.SPEAKER_GROUPS).all())
    (True, True)
    """
    path = Path(path) if path is not None else SPEAKER_HELDOUT_PATH
    return _resolved(_read_speaker_table(path), path, corpus)


def _resolved(table: pd.DataFrame, path: Path, corpus) -> pd.DataFrame:
    """``table`` with its quoted sentences filled from the corpus; those the corpus cannot
    give (it is absent) left out, with one warning saying how many and where it was looked for."""
    gold, unresolved = resolve_quotes(table, corpus, path)
    if unresolved.any():
        warnings.warn(
            _unresolved_warning(int(unresolved.sum()), len(gold), path, corpus), stacklevel=3
        )
        gold = gold[~unresolved].reset_index(drop=True)
    return gold


def predict_speakers(gold: pd.DataFrame) -> pd.DataFrame:
    """:func:`helpers.speakers.attribute_speakers` on each gold passage, one "article" per
    row, as the notebooks call it: the speaker of the ``target`` sentence, with the row's
    ``outlet`` (its home state groups officials named without an adjective) when it has one.

    Returns one row per gold row: ``group``, ``entity`` (the listed ``entity_id``, or empty
    for an unlisted person, an unnamed source or the outlet) and ``speaker`` (as printed).

    >>> gold = pd.DataFrame({"text": ["قال لافروف إن الوضع مستقر. وأضاف أن الحوار مهم."],
    ...                      "target": ["1"]})
    >>> predict_speakers(gold)[["group", "entity"]].values.tolist()
    [['Russian official', 'lavrov']]
    """
    listed = _listed_ids()
    outlets = gold["outlet"] if "outlet" in gold.columns else pd.Series("", index=gold.index)
    rows = []
    for text, target, outlet in zip(gold["text"], gold["target"], outlets, strict=True):
        table = speakers.attribute_speakers(text, outlet or None)
        row = table.iloc[int(target or 0)]
        entity = row["entity_id"] if row["entity_id"] in listed else ""
        rows.append((row["speaker_group"], entity, row["speaker"]))
    return pd.DataFrame(rows, columns=["group", "entity", "speaker"], index=gold.index)


def speaker_scores(
    gold: pd.DataFrame, predicted: pd.DataFrame, confidence: float = 0.95
) -> pd.DataFrame:
    """Accuracy of the speaker group and precision/recall of the listed entity.

    Parameters
    ----------
    gold, predicted : pandas.DataFrame
        One row per sentence, in the same order, each with ``group`` and ``entity`` (empty
        when the speaker is not a listed one): :func:`read_speaker_gold` and
        :func:`predict_speakers`.

    Returns
    -------
    pandas.DataFrame
        :data:`SPEAKER_SCORE_COLUMNS`, three rows with ``k`` of ``n`` and the
        Clopper–Pearson interval (:func:`proportion_interval`): ``group accuracy`` (every
        sentence: is the group right?), ``entity precision`` (the sentences given a listed
        entity: is it the right one?) and ``entity recall`` (the sentences whose speaker is
        a listed entity: do they get it?). A wrong listed entity counts against both.

    Examples
    --------
    >>> gold = pd.DataFrame({"group": ["Chinese official", "outlet"], "entity": ["wang_yi", ""]})
    >>> pred = pd.DataFrame({"group": ["Chinese official", "outlet"], "entity": ["", ""]})
    >>> speaker_scores(gold, pred)[["measure", "k", "n"]].values.tolist()
    [['group accuracy', 2, 2], ['entity precision', 0, 0], ['entity recall', 0, 1]]
    """
    if len(gold) != len(predicted):
        raise ValueError(
            f"{len(predicted)} predictions for {len(gold)} gold rows; give one per row, in order"
        )
    g_group, p_group = gold["group"].to_numpy(), predicted["group"].to_numpy()
    g_ent, p_ent = gold["entity"].to_numpy(), predicted["entity"].to_numpy()
    right = (g_ent == p_ent) & (g_ent != "")
    counts = (
        ("group accuracy", (g_group == p_group).sum(), len(gold)),
        ("entity precision", (right & (p_ent != "")).sum(), (p_ent != "").sum()),
        ("entity recall", right.sum(), (g_ent != "").sum()),
    )
    rows = [
        (name, int(k), int(n), *proportion_interval(int(k), int(n), confidence))
        for name, k, n in counts
    ]
    return pd.DataFrame(rows, columns=SPEAKER_SCORE_COLUMNS)


def speaker_confusion(gold: pd.DataFrame, predicted: pd.DataFrame) -> pd.DataFrame:
    """Sentences by hand-labelled group (rows) and attributed group (columns), in the order of
    :data:`helpers.speakers.SPEAKER_GROUPS`; groups that occur on neither side are left out.

    >>> gold = pd.DataFrame({"group": ["outlet", "unnamed source", "outlet"]})
    >>> pred = pd.DataFrame({"group": ["outlet", "outlet", "outlet"]})
    >>> speaker_confusion(gold, pred).loc["unnamed source", "outlet"]
    np.int64(1)
    """
    used = set(gold["group"]) | set(predicted["group"])
    order = [g for g in speakers.SPEAKER_GROUPS if g in used]
    table = pd.crosstab(
        pd.Categorical(gold["group"].to_numpy(), categories=order),
        pd.Categorical(predicted["group"].to_numpy(), categories=order),
        dropna=False,
    )
    table.index.name, table.columns.name = "labelled by hand", "attributed"
    return table


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
    "SPEAKER_DEV_PATH",
    "SPEAKER_HELDOUT_PATH",
    "SPEAKER_SCORE_COLUMNS",
    "TUNING_PATH",
    "agreement",
    "coding_sheet",
    "fingerprint",
    "frame_ids",
    "frame_scores",
    "gold_hits",
    "heldout_sample",
    "parse_labels",
    "predict_speakers",
    "proportion_interval",
    "read_coding_sheet",
    "read_gold",
    "read_speaker_gold",
    "resolve_quotes",
    "scores_from_sheet",
    "second_coder_sheet",
    "sentence_units",
    "speaker_confusion",
    "speaker_scores",
    "store_second_coding",
    "write_sheet",
]
