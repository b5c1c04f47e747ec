"""Collocates: the words that keep company with a term, within a window of tokens.

A *collocate* of a node (a word or a phrase such as القوى الخارجية) is a word found within
``window`` tokens to its left or right more often than its frequency in the corpus predicts.
Tokens are those of :mod:`helpers.terms` (the regex :data:`helpers.arabic.TOKEN_PATTERN` over
normalised text), so a collocate is a term of the TF-IDF vocabulary and the counts agree with
notebook 03's. Stop words are never collocates.

For a collocate *c* seen *O* times in the window slots around the node (*W* slots in all,
each occurrence of the node opening up to ``2 * window`` of them), with *f* occurrences of
*c* in the corpus of *N* tokens:

- the expected count is *E = W f / N*;
- **G²** is :func:`helpers.terms.log_likelihood` of *O* in the *W* window tokens against
  *f − O* in the *N − W* other tokens (the keyness of the windows against the rest);
- **PMI** is log2(*O* / *E*): how many times more often than chance, on a log scale.

G² says how sure, PMI how strong. PMI rewards rare words (one co-occurrence of a word seen
once gives a huge PMI), hence the floor ``min_count`` on *O*. Only words found *more* often
than expected are listed (*O* > *E*). What this loses: a node written with a clitic (والقوى
الخارجية) is a different token sequence; give each spelling to look for.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from helpers import arabic, frames, terms

COLLOCATE_COLUMNS = [
    "collocate", "surface", "observed", "expected", "g2", "pmi", "left", "right", "frequency",
    "n_articles",
]  # fmt: skip


def _nodes(node: str | Iterable[str]) -> list[tuple[str, ...]]:
    """Each spelling of the node as a tuple of normalised tokens."""
    spellings = [node] if isinstance(node, str) else list(node)
    regex = re.compile(terms.SETTINGS.token_pattern)
    out = [tuple(regex.findall(arabic.normalize(s))) for s in spellings]
    if not all(out):
        raise ValueError(f"collocates: a node spelling has no word in it: {spellings}")
    return out


def window_counts(texts: Sequence[str], node, window: int = 5):
    """Words around each occurrence of the node: ``(left, right, slots, articles)``.

    ``left`` and ``right`` are Counters of the normalised tokens found up to ``window``
    tokens before and after an occurrence (within the same text, the node itself left out),
    ``slots`` the number of window positions that exist, ``articles`` a Counter of how many
    texts each word was found near the node in.

    >>> text = "قال إن القوى الخارجية تريد الفوضى"
    >>> left, right, slots, _ = window_counts([text], "القوى الخارجية", window=2)
    >>> dict(left), dict(right), slots
    ({'قال': 1, 'ان': 1}, {'تريد': 1, 'الفوضي': 1}, 4)
    """
    spellings = _nodes(node)
    regex = re.compile(terms.SETTINGS.token_pattern)
    left, right, articles = Counter(), Counter(), Counter()
    slots = 0
    firsts = {s[0] for s in spellings}
    for text in arabic.normalize_series(pd.Series(list(texts), dtype=object)):
        if not any(f in text for f in firsts):
            continue
        tokens, near = regex.findall(text), set()
        for i in range(len(tokens)):
            for spelling in spellings:
                end = i + len(spelling)
                if tuple(tokens[i:end]) != spelling:
                    continue
                before, after = tokens[max(0, i - window) : i], tokens[end : end + window]
                left.update(before)
                right.update(after)
                near.update(before + after)
                slots += len(before) + len(after)
                break
        articles.update(near)
    return left, right, slots, articles


def collocates(
    tm: terms.TermMatrix,
    texts: Sequence[str],
    node: str | Iterable[str],
    window: int = 5,
    min_count: int = 3,
) -> pd.DataFrame:
    """The collocates of ``node`` in a corpus, strongest (by G²) first.

    Parameters
    ----------
    tm : TermMatrix
        From :func:`helpers.terms.build_matrix` of the same articles: it gives each word's
        corpus frequency *f* and the corpus size *N* (tokens, stop words included).
    texts : sequence of str
        The articles' original texts, in the order of ``tm.ids``.
    node : str or list of str
        The word or phrase, in any spelling (it is normalised); a list gives several
        spellings (e.g. with and without the article).
    window : int
        Tokens looked at on each side.
    min_count : int
        Collocates seen fewer times than this near the node are left out.

    Returns
    -------
    DataFrame
        :data:`COLLOCATE_COLUMNS`: the normalised ``collocate`` and its usual original
        ``surface``, ``observed`` (*O*), ``expected`` (*E*), ``g2``, ``pmi``, counts to the
        ``left`` and ``right``, its corpus ``frequency`` (*f*) and ``n_articles`` it was found
        near the node in. Empty (with these columns) when the node is not found.
    """
    if len(texts) != len(tm):
        raise ValueError(f"collocates: {len(texts)} texts for {len(tm)} articles")
    left, right, slots, articles = window_counts(texts, node, window)
    observed = left + right
    unigrams = np.flatnonzero(tm.ngram == 1)
    frequency = dict(
        zip(
            tm.vocabulary[unigrams],
            np.asarray(tm.counts[:, unigrams].sum(axis=0)).ravel(),
            strict=True,
        )
    )
    words = [w for w, o in observed.items() if o >= min_count and w in frequency]
    total = int(tm.n_tokens.sum())
    if not words or slots == 0 or slots >= total:
        return pd.DataFrame(columns=COLLOCATE_COLUMNS)
    o = np.array([observed[w] for w in words], dtype=float)
    f = np.array([frequency[w] for w in words], dtype=float)
    expected = slots * f / total
    table = pd.DataFrame(
        {
            "collocate": words,
            "observed": o.astype(int),
            "expected": expected,
            "g2": terms.log_likelihood(o, f - o, slots, total - slots),
            "pmi": np.log2(o / expected),
            "left": [left[w] for w in words],
            "right": [right[w] for w in words],
            "frequency": f.astype(int),
            "n_articles": [articles[w] for w in words],
        }
    )
    table = table[table["observed"] > table["expected"]]
    table = table.sort_values(["g2", "collocate"], ascending=[False, True], ignore_index=True)
    near = terms.texts_with(tm, texts, table["collocate"].head(50))
    surfaces = terms.surface_forms(near, table["collocate"].head(50))
    table.insert(1, "surface", table["collocate"].map(surfaces).fillna(table["collocate"]))
    return table[COLLOCATE_COLUMNS]


def collocate_lines(
    articles: pd.DataFrame, node: str, collocate: str, window: int = 5, width: int = 60
) -> pd.DataFrame:
    """The concordance lines of ``node`` that hold ``collocate`` within ``window`` tokens.

    ``node`` is a pattern in the lexicon's language (:func:`helpers.frames.compile_template`:
    plain words match themselves, so "القوى الخارجية" works as it is); the lines come from
    :func:`helpers.frames.kwic`, in original spelling.

    >>> arts = pd.DataFrame({"id": ["a", "b"], "text": ["قال إن القوى الخارجية تريد الفوضى",
    ...                                                 "القوى الخارجية في كل مكان"]})
    >>> lines = collocate_lines(arts, "القوى الخارجية", "الفوضى")
    >>> lines[["left", "match", "right"]].values.tolist()
    [['قال إن', 'القوى الخارجية', 'تريد الفوضى']]
    """
    lines = frames.kwic(articles, pattern=frames.normalize_literal(node), width=width)
    wanted = arabic.normalize(collocate)
    regex = re.compile(terms.SETTINGS.token_pattern)

    def near(row) -> bool:
        before = regex.findall(arabic.normalize(row.left))[-window:]
        after = regex.findall(arabic.normalize(row.right))[:window]
        return wanted in before + after

    keep = [near(row) for row in lines.itertuples(index=False)]
    return lines[keep].reset_index(drop=True)


__all__ = ["COLLOCATE_COLUMNS", "collocate_lines", "collocates", "window_counts"]
