"""Slow, obvious reference versions of fast helpers, used only by the tests.

Each one does the job the straightforward way, article by article and sentence by sentence,
so that a test can compare the helper's table with it on the seeds, the gold sentences and
random texts. Nothing in ``src/`` imports this module.
"""

from __future__ import annotations

import bisect
import re

import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from helpers import arabic, frames, speakers
from helpers.stats import poisson_interval


def counted_terms(texts: list[str], settings) -> tuple[list[str], object]:
    """``terms.count_terms`` the scikit-learn way: ``CountVectorizer`` with the same token
    pattern, n-gram range, case and ``min_df`` over the normalised texts, then the columns
    of terms that hold a stop word dropped. Returns the vocabulary and the CSR counts."""
    vectorizer = CountVectorizer(
        token_pattern=settings.token_pattern,
        ngram_range=settings.ngram_range,
        lowercase=settings.lowercase,
        min_df=settings.min_df,
    )
    counts = vectorizer.fit_transform(texts).tocsr()
    stop = settings.stop_words()
    names = vectorizer.get_feature_names_out().tolist()
    keep = [i for i, term in enumerate(names) if not set(term.split()) & stop]
    return [names[i] for i in keep], counts[:, keep]


def alternation(patterns: list[frames.Pattern]) -> re.Pattern:
    """Every pattern as one named group ``p<i>`` of one regex, tried in the order given."""
    branches = [
        f"(?P<p{i}>{frames.compile_template(p.template).removeprefix(frames.WORD_START)})"
        for i, p in enumerate(patterns)
    ]
    return re.compile(f"{frames.WORD_START}(?:{'|'.join(branches)})")


def find_frames(text: str, matcher: frames.Matcher) -> list[tuple]:
    """``(pattern, start, end, sentence number)`` per hit: the whole lexicon as one regex over
    the text's normalised form, offsets mapped back through the index map."""
    regex = alternation(matcher.patterns)
    norm, index = frames.normalize_for_matching(text)
    starts = [a for a, _ in arabic.sentence_spans(text)] or [0]
    hits = []
    for m in regex.finditer(norm):
        pat = matcher.patterns[int(m.lastgroup[1:])]
        if not pat.exclude:
            start, end = index[m.start()], index[m.end() - 1] + 1
            k = max(i for i, s in enumerate(starts) if s <= start) if start >= starts[0] else 0
            hits.append((pat, start, end, k))
    return hits


def sentence_cues(sentence_norm: str) -> list[tuple]:
    """The reporting cues of one normalised sentence, in order, by a regex over that sentence."""
    model = speakers._speaker_model()
    regex = alternation(model.cues.patterns)
    cues = []
    for m in regex.finditer(sentence_norm):
        kind = model.cues.patterns[int(m.lastgroup[1:])].frame
        if kind not in ("verb_that", "verb_from") or speakers._COMPLEMENT.search(
            sentence_norm, m.end()
        ):
            cues.append((m.start(), m.end(), kind))
    return cues


def attribute_speakers(text: str, outlet: str | None = None) -> list[tuple[dict, str]]:
    """Speaker row and cue word per sentence, walking the sentences one by one."""
    model = speakers._speaker_model()
    outlet_row = {**speakers._OUTLET, "english": outlet or "outlet"}
    home = " ".join((outlet or "").split()).casefold()
    norm, index = frames.normalize_for_matching(text)
    out, carried, prev_line, prev_who = [], None, -1, None
    memory = speakers._Memory(model, model.homes.get(home))
    for s, e in arabic.sentence_spans(text):
        line = text[:s].count("\n")
        lo = bisect.bisect_left(index, s)
        sent = norm[lo : bisect.bisect_left(index, e)]
        surface = speakers._surface_of(text, index, lo)
        who, cue, carried = speakers._decide(
            model, sent, sentence_cues(sent), carried, surface, model.homes.get(home)
        )
        if who is not None:
            same, who = carried is who, speakers._remember_state(model, memory, who)
            carried = who if same else carried
        memory.pending.append(sent)
        memory.read()  # every sentence's offices at once, not when a speaker needs them
        if who is None:
            who = speakers._colon_speaker(model, sent)
            if who is None and line == prev_line and prev_who is not None:
                who = prev_who
            who = who or outlet_row
        prev_line, prev_who = line, (who if who["group"] != "outlet" else None)
        out.append((who, sent[cue[0] : cue[1]] if cue else ""))
    return out


def frame_hits(articles: pd.DataFrame, matcher: frames.Matcher | None = None) -> pd.DataFrame:
    """:func:`helpers.frames.frame_hits` article by article: the one-regex hits and the
    sentence-by-sentence speakers of each article."""
    matcher = frames.build_matcher() if matcher is None else matcher
    rows = []
    for r in articles.itertuples(index=False):
        text = r.text if isinstance(r.text, str) else ""
        if not text.strip():
            continue
        hits = find_frames(text, matcher)
        if not hits:
            continue
        outlet = getattr(r, "outlet", None)
        who = attribute_speakers(text, outlet if isinstance(outlet, str) else None)
        spans = arabic.sentence_spans(text) or [(0, len(text))]
        for n, (pat, start, end, k) in enumerate(hits):
            w = who[k][0]
            sentence = text[spans[k][0] : spans[k][1]]
            rows.append((r.id, pat.frame, text[start:end], start, end, sentence))
            rows[-1] += (w["english"], w["group"], pat.template, k, _continues(text, hits, n))
    columns = [*frames.HIT_COLUMNS, "pattern", "sentence_no", "same_mention"]
    return pd.DataFrame(rows, columns=columns)


def _continues(text: str, hits: list[tuple], n: int) -> bool:
    """Whether hit n is part of the mention of an earlier hit of its frame in its sentence:
    they overlap, or the original text between them, normalised, is a same-mention link
    from the end of the furthest-reaching earlier hit of the mention."""
    pat, start, _, k = hits[n]
    before = [h for h in hits[:n] if h[0].frame == pat.frame]
    if not before or before[-1][3] != k:
        return False
    reach = max(h[2] for h in before if h[3] == k)
    return start < reach or frames.same_mention(frames.normalize_literal(text[reach:start]))


def frame_rates(articles: pd.DataFrame, hits: pd.DataFrame, confidence=0.95) -> pd.DataFrame:
    """:func:`helpers.frames.frame_rates` as a loop over articles and frames."""
    n_words = dict(zip(articles["id"], frames._n_words(articles), strict=True))
    counted = hits[~hits["same_mention"]] if "same_mention" in hits else hits
    counts = counted.groupby(["id", "frame"]).size() if len(counted) else pd.Series(dtype=int)
    rows = []
    for i in articles["id"]:
        n = int(n_words[i])
        for f in frames.load_lexicon():
            k = int(counts.get((i, f.id), 0))
            lo, hi = poisson_interval(k, confidence)
            scale = 1000 / n if n else float("nan")
            rows.append((i, f.id, k, n, k * scale, lo * scale, hi * scale))
    return pd.DataFrame(rows, columns=frames.RATE_COLUMNS)


def coding_sheet(articles: pd.DataFrame, hits: pd.DataFrame, n: int, seed: int = 0):
    """``validation.coding_sheet`` the obvious way: every sentence of the corpus as a unit
    (``validation.sentence_units``), its hit frames joined on, then the two strata drawn
    from the full table with the same generator calls."""
    import numpy as np

    from helpers import validation

    units = validation.sentence_units(articles)
    found = hits.groupby(["id", "sentence_no"])["frame"].agg(
        lambda f: "|".join(x for x in validation.frame_ids() if x in set(f))
    )
    keys = pd.MultiIndex.from_frame(units[["id", "sentence_no"]])
    units["predicted"] = found.reindex(keys).fillna("").to_numpy()
    with_hit = units.index[units["predicted"] != ""]
    without = units.index[units["predicted"] == ""]
    n = min(n, len(units))
    n_hit = min(len(with_hit), max(n - len(without), round(n * 0.5)))
    rng = np.random.default_rng(seed)
    chosen = list(rng.choice(with_hit, n_hit, replace=False)) if n_hit else []
    if n - n_hit:
        chosen += list(rng.choice(without, n - n_hit, replace=False))
    sample = units.loc[chosen].iloc[rng.permutation(len(chosen))].reset_index(drop=True)
    sample["weight"] = np.where(
        sample["predicted"] != "", len(with_hit) / max(n_hit, 1), len(without) / max(n - n_hit, 1)
    )
    sample.insert(0, "unit", [f"u{i:03d}" for i in range(1, len(sample) + 1)])
    return sample
