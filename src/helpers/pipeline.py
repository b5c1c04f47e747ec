"""The helpers end to end, over a whole corpus: one call from texts to per-article tables.

:func:`run_pipeline` chains what notebooks 01–04 do one step at a time:

1. **load** (when given a path): :func:`helpers.corpus.load_with_report`;
2. **normalise** with :func:`helpers.arabic.normalize_series` and **tokenise** with
   :data:`helpers.arabic.TOKEN_PATTERN` (:func:`count_ngrams`: the counts of scikit-learn's
   ``CountVectorizer`` with those settings, three to four times faster; a test compares them);
3. **TF-IDF with bigrams** exactly as :data:`helpers.terms.SETTINGS` states them (the
   same formula, stop-word filter and sorted vocabulary as :func:`helpers.terms.build_matrix`);
4. **frames with speakers**: :func:`helpers.frames.frame_hits` and
   :func:`helpers.frames.frame_rates`;
5. **per-article tables**: one row per article (words, tokens, distinct terms, top terms,
   frame hits and rates) plus the long tables the notebooks use.

With ``workers=2`` (the default) both cores are used. The corpus is cut into two halves of
about equal length in characters: a forked pool process normalises and counts the second
half (:func:`count_terms`: unigrams and bigrams with the project's token pattern, token
totals, stop-word filter) while the main process counts the first; the two
count matrices are then joined over the sorted union of their terms (:func:`merge_counts`,
the same vocabulary and counts as one ``CountVectorizer`` over everything) and weighted once
(:func:`weigh_counts`). The frame matching (regular expressions and speaker attribution, pure
Python) is cut into chunks of rows that the processes claim one at a time (:class:`_Claims`):
the pool from the front once it has counted, this process from the back between its own
steps, so both stay busy until the two meet and neither waits for the other. The pool is
forked after the tables and regexes are built (:func:`_warm_up`), so it inherits them and
the corpus; its tasks name row ranges, and it hands results back through files in /dev/shm
rather than the executor's pipe, whose reading thread in this process waits for the GIL (see
:func:`_spill`). Measured figures are in ``benchmarks/PIPELINE.md``.

Memory: the weights are ``float32`` (half of scikit-learn's default), the counts ``int32``,
the TF-IDF weighting runs in place, and the normalised texts are freed as soon as they are
counted. Every helper used here is a pure function of the article texts, so the same steps can
run partition by partition on a corpus larger than one machine (see ``benchmarks/PIPELINE.md``).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import multiprocessing
import os
import pickle
import re
import shutil
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from helpers import arabic, corpus, frames, terms

#: Columns of :attr:`PipelineResult.table` before the one ``<frame>_per_1000`` column per frame.
TABLE_COLUMNS = [
    "id",
    "n_words",
    "n_tokens",
    "n_terms",
    "top_terms",
    "n_hits",
    "hits_per_1000",
    "top_frame",
]
DEFAULT_TOP_K = 10  # terms kept per article in the long ``top`` table
MIN_PARALLEL_ARTICLES = 400  # below this, starting worker processes costs more than it saves
CHUNKS_PER_WORKER = 32  # small chunks: both processes stay busy to the end, neither waits
MIN_CHUNK = 64  # articles per frame chunk at least (each chunk has a fixed cost of a few ms)


@dataclass
class PipelineResult:
    """Everything :func:`run_pipeline` computed.

    Attributes
    ----------
    articles : DataFrame
        The input table (``n_words`` filled from the token counts when it was missing).
    report : DataFrame or None
        The loader's per-file report when the pipeline loaded the corpus itself.
    matrix : helpers.terms.TermMatrix
        Counts and TF-IDF weights over the kept unigrams and bigrams.
    top : DataFrame
        ``id, rank, term, weight, count`` (as :func:`helpers.terms.top_terms`).
    hits : DataFrame
        :data:`helpers.frames.HIT_COLUMNS` plus ``pattern, sentence_no``.
    rates : DataFrame
        :data:`helpers.frames.RATE_COLUMNS`, one row per article × frame.
    table : DataFrame
        One row per article: :data:`TABLE_COLUMNS` then ``<frame>_per_1000`` per frame.
    seconds : dict
        Wall time per stage (``load``, ``warm_up`` (tables and regexes built before the pool
        forks), ``tfidf``, ``top_terms``, ``frames_wait`` (after the
        matrix: matching the chunks not yet started here, and waiting for the pool),
        ``rates``, ``table``, ``total``); ``frames_cpu`` is the frame matching's own time
        summed over chunks (it overlaps ``tfidf`` when ``workers > 1``).
    workers : int
        Processes that matched frames (1 = all in the main process).
    """

    articles: pd.DataFrame
    report: pd.DataFrame | None
    matrix: terms.TermMatrix
    top: pd.DataFrame
    hits: pd.DataFrame
    rates: pd.DataFrame
    table: pd.DataFrame
    seconds: dict = field(default_factory=dict)
    workers: int = 1


# ---------------------------------------------------------------------------------------------
# TF-IDF


def count_terms(
    texts: list[str], settings=terms.SETTINGS
) -> tuple[np.ndarray, sparse.csr_matrix, np.ndarray]:
    """Normalise and count one batch of texts: sorted kept terms, ``int32`` counts, token totals.

    The counting step of :func:`tfidf_matrix`, on its own so that two processes can count
    two halves of a corpus (see :func:`merge_counts`). The stop-word filter (a filter on
    terms, independent of the other texts) is applied here, after the token totals, which
    include stop words. A batch without any countable term gives no terms and an all-zero
    matrix (no error: the other batch may have some).

    The counts are those of ``settings.count_vectorizer()`` (a test compares the two); with
    the project's settings they are computed by :func:`count_ngrams`, about three times
    faster on news text, and by scikit-learn's ``CountVectorizer`` otherwise (``min_df`` above
    1, a token pattern with a group, or an analyzer other than words).

    Examples
    --------
    >>> voc, counts, n_tokens = count_terms(["الصينُ وروسيا", "في الصين"])
    >>> voc.tolist(), counts.toarray().tolist(), n_tokens.tolist()
    (['الصين', 'الصين وروسيا', 'وروسيا'], [[1, 1, 1], [1, 0, 0]], [2, 2])
    """
    stop = settings.stop_words()
    normalised = arabic.normalize_series(pd.Series(texts, dtype=object)).tolist()
    if _counts_itself(settings):
        return count_ngrams(normalised, settings.token_pattern, settings.ngram_range, stop)
    vectorizer = settings.count_vectorizer().set_params(dtype=np.int32)
    try:
        counts = vectorizer.fit_transform(normalised).tocsr()
    except ValueError:  # scikit-learn: "empty vocabulary" for this batch
        empty = sparse.csr_matrix((len(texts), 0), dtype=np.int32)
        return np.array([], dtype=object), empty, np.zeros(len(texts), dtype=np.int64)
    del normalised
    # object dtype: a fixed-width str array would pad millions of terms to the longest one
    vocabulary = vectorizer.get_feature_names_out().astype(object)
    vectorizer.vocabulary_ = None  # the dict of every term is the largest object here
    unigram = np.fromiter((" " not in t for t in vocabulary), dtype=np.int64, count=len(vocabulary))
    n_tokens = np.asarray(counts @ unigram, dtype=np.int64).ravel()  # no copy of the matrix
    counts, vocabulary = terms.drop_stop_terms(counts, vocabulary, stop)
    return vocabulary, counts, n_tokens


def _counts_itself(settings) -> bool:
    """Whether :func:`count_ngrams` gives ``settings.count_vectorizer()``'s counts."""
    return (
        settings.analyzer == "word"
        and not settings.lowercase
        and settings.min_df == 1
        and re.compile(settings.token_pattern).groups == 0
        and 1 <= settings.ngram_range[0] <= settings.ngram_range[1]
    )


_TOKEN_BATCH = 2_000  # texts tokenised per step (their tokens are one object array at a time)


def _pattern_tokens(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """``re.findall(arabic.TOKEN_PATTERN, t)`` for every text, flattened, and tokens per text.

    The same tokens, found with numpy instead of one regex call per text: a token of that
    pattern is a run of ``[^\\W_]`` characters in which a "." or "," between two ``\\d``
    digits also counts (3.5, 1,500). Those characters are kept, every other character becomes
    a space, and one ``str.split`` cuts the whole batch. The regex differs from a plain run
    in one case, a joined number followed directly by a letter ("1.5a": tokens "1.5" and
    "a"), and outside the BMP, where the character tables end; texts with either are passed
    to the regex itself. A test compares the two on random text.
    """
    word, digit = arabic.bmp_class(r"[^\W_]"), arabic.bmp_class(r"\d")
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) + 1 for t in texts], out=starts[1:])
    codes = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    wide = np.flatnonzero(codes > 0xFFFF)
    bmp = codes if not len(wide) else np.where(codes > 0xFFFF, 0, codes)
    is_word = word[bmp]
    is_digit = digit[bmp]
    keep = is_word.copy()
    if len(codes) > 2:  # "." or "," between two digits
        keep[1:-1] |= ((codes[1:-1] == 0x2E) | (codes[1:-1] == 0x2C)) & is_digit[:-2] & is_digit[2:]
    # Texts the regex must see: a character beyond the BMP, or a joined number whose last
    # digit run is followed by a letter, where the regex ends the token and a plain run does not.
    after = np.flatnonzero(keep & ~is_word) + 1  # the digit after each joining "." or ","
    while len(after):
        inside = after < len(codes)
        more = np.zeros(len(after), dtype=bool)
        more[inside] = is_digit[after[inside]]
        if not more.any():
            break
        after[more] += 1  # to the end of the digit run
    after = after[after < len(codes)]
    at = np.concatenate([after[is_word[after]], wide])
    regex_texts = np.unique(np.searchsorted(starts, at, "right") - 1)
    token_start = keep.copy()
    token_start[1:] &= ~keep[:-1]
    lengths = np.bincount(
        np.searchsorted(starts, np.flatnonzero(token_start), "right") - 1, minlength=len(texts)
    ).astype(np.int64)
    spaced = np.where(keep, codes, np.uint32(0x20))  # every other character: a space
    tokens = spaced.tobytes().decode("utf-32-le", "surrogatepass").split()
    if len(regex_texts):
        findall = re.compile(arabic.TOKEN_PATTERN).findall
        ends = np.cumsum(lengths)
        pieces, done = [], 0
        for i in regex_texts.tolist():
            pieces.append(tokens[done : ends[i] - lengths[i]])
            found = findall(texts[i])
            pieces.append(found)
            done = ends[i]
            lengths[i] = len(found)
        pieces.append(tokens[done:])
        tokens = list(itertools.chain.from_iterable(pieces))
    return tokens, lengths


def _token_codes(texts: list[str], pattern: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every token of every text as an integer id, tokens per text, and the word of each id."""
    findall = re.compile(pattern).findall
    index: dict[str, int] = {}
    parts = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for lo in range(0, len(texts), _TOKEN_BATCH):
        batch = texts[lo : lo + _TOKEN_BATCH]
        if pattern == arabic.TOKEN_PATTERN:
            tokens, lengths[lo : lo + len(batch)] = _pattern_tokens(batch)
        else:
            tokens = []
            for i, text in enumerate(batch, start=lo):
                found = findall(text)
                lengths[i] = len(found)
                tokens += found
        if not tokens:
            continue
        # ids within the batch by hashing in C, then one dictionary lookup per distinct word
        local, distinct = pd.factorize(np.array(tokens, dtype=object))
        add = index.setdefault
        ids = np.fromiter(
            (add(w, len(index)) for w in distinct), dtype=np.int64, count=len(distinct)
        )
        parts.append(ids.astype(np.int32)[local] if len(index) < 2**31 else ids[local])
    codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    words = np.empty(len(index), dtype=object)
    words[:] = list(index)
    return codes, lengths, words


def _small_int(n: int):
    """int32 when ids up to ``n`` (and an offset of that size) fit it, else int64."""
    return np.int32 if n < 2**30 else np.int64


def count_ngrams(
    texts: list[str],
    token_pattern: str = arabic.TOKEN_PATTERN,
    ngram_range: tuple[int, int] = (1, 2),
    stop: frozenset[str] | set[str] = frozenset(),
) -> tuple[np.ndarray, sparse.csr_matrix, np.ndarray]:
    """N-gram counts as scikit-learn's ``CountVectorizer(lowercase=False)`` gives them, faster.

    Parameters
    ----------
    texts : list of str
        Already normalised.
    token_pattern : str
        Tokens are ``re.findall(token_pattern, text)`` (the pattern must have no group).
    ngram_range : (int, int)
        As in scikit-learn: n-grams of consecutive tokens joined by one space.
    stop : set of str
        Terms with any of these words are dropped (after the token totals).

    Returns
    -------
    (numpy.ndarray of str, scipy.sparse.csr_matrix of int32, numpy.ndarray of int64)
        The kept terms in sorted order (scikit-learn's column order), the counts (sorted
        indices), and the tokens of each text, stop words included.

    Notes
    -----
    scikit-learn builds every n-gram as a Python string and looks it up in a dictionary, one
    at a time. Here each token gets an integer id (tokens are hashed in C by
    ``pandas.factorize``, batch by batch; one dictionary lookup per distinct word of a batch),
    an n-gram is the pair (id of its first n-1 words, id of its last word) packed in one
    integer and hashed in C the same way, and the occurrences become a sparse matrix in one
    step. Strings are built only for the distinct terms kept, and their sorted order is worked
    out from the order of the words alone: two terms compare as their first differing word,
    and a term that is a prefix of another comes first, since the space that joins words sorts
    before every character a token can hold. Three to four times faster than
    ``CountVectorizer`` on Arabic news, with less memory (no dictionary of every n-gram).

    Examples
    --------
    >>> voc, counts, n = count_ngrams(["امن سلام امن", "سلام"], stop={"في"})
    >>> voc.tolist(), counts.toarray().tolist(), n.tolist()
    (['امن', 'امن سلام', 'سلام', 'سلام امن'], [[2, 1, 1, 1], [0, 0, 1, 0]], [3, 1])
    """
    min_n, max_n = ngram_range
    codes, lengths, words = _token_codes(texts, token_pattern)
    n_docs, n_words = len(texts), len(words)
    # int32 where values allow: at 25,000 articles these arrays hold ~17 million entries, and
    # arrays over glibc's 32 MB mmap threshold are fresh pages (page faults) on every allocation
    doc = np.repeat(np.arange(n_docs, dtype=np.int32), lengths)
    stop_word = np.fromiter((w in stop for w in words), dtype=bool, count=n_words)
    # per n: the document and term of every occurrence, and each term's word ids
    occ_docs, occ_terms, parts = [], [], []
    offset = 0
    gram = codes  # at each token position, the id of the n-gram that starts there (or -1)
    made = np.arange(n_words, dtype=np.int64)[:, None]  # word ids of each n-gram id
    inside = np.ones(len(codes), dtype=bool)  # the n-gram at this position is inside one text
    for n in range(1, max_n + 1):
        if n == 1:
            at = slice(None)  # every position
        else:
            m = len(codes) - n + 1
            if m <= 0:
                break
            inside = inside[:m] & (doc[n - 1 :] == doc[:m])
            at = np.flatnonzero(inside)
            ids, packed = pd.factorize(gram[at].astype(np.int64) * n_words + codes[at + n - 1])
            gram = np.full(m, -1, dtype=_small_int(len(packed)))
            gram[at] = ids
            made = np.column_stack([made[packed // n_words], packed % n_words])
        if n >= min_n:
            occ_docs.append(doc[at])
            term_ids = gram[at].astype(_small_int(offset + len(made)), copy=False)
            occ_terms.append(term_ids + offset if offset else term_ids)
            parts.append(made)
            offset += len(made)
    if not offset:
        empty = sparse.csr_matrix((n_docs, 0), dtype=np.int32)
        return np.array([], dtype=object), empty, lengths
    # every term's word ids, padded with -1; kept = no stop word in it
    every = np.concatenate(
        [np.pad(p, ((0, 0), (0, max_n - p.shape[1])), constant_values=-1) for p in parts]
    )
    kept = np.flatnonzero(~(stop_word[every] & (every >= 0)).any(axis=1))
    # sorted order: by first word, then by each next word, a missing word first
    rank = np.empty(n_words + 1, dtype=np.int64)
    rank[np.argsort(words, kind="stable")] = np.arange(1, n_words + 1)
    rank[n_words] = 0  # index -1: no word
    keys = rank[every[kept]]
    if (n_words + 1) ** max_n < 2**63:
        packed_key = np.zeros(len(kept), dtype=np.int64)
        for j in range(max_n):
            packed_key = packed_key * (n_words + 1) + keys[:, j]
        order = kept[np.argsort(packed_key, kind="stable")]
    else:
        order = kept[np.lexsort(keys.T[::-1])]
    column = np.full(offset, -1, dtype=_small_int(len(order)))
    column[order] = np.arange(len(order))
    rows = np.concatenate(occ_docs)
    cols = column[np.concatenate(occ_terms)]
    del occ_docs, occ_terms
    counted = cols >= 0
    counts = sparse.coo_matrix(
        (np.ones(int(counted.sum()), dtype=np.int32), (rows[counted], cols[counted])),
        shape=(n_docs, len(order)),
    ).tocsr()
    counts.sum_duplicates()
    counts.sort_indices()
    chosen = every[order]
    vocabulary = words[chosen[:, 0]]
    for j in range(1, max_n):
        longer = np.flatnonzero(chosen[:, j] >= 0)
        vocabulary[longer] = [
            f"{a} {b}"
            for a, b in zip(
                vocabulary[longer].tolist(), words[chosen[longer, j]].tolist(), strict=True
            )
        ]
    return vocabulary, counts, lengths


def merge_counts(
    parts: list[tuple[np.ndarray, sparse.csr_matrix, np.ndarray]],
) -> tuple[np.ndarray, sparse.csr_matrix, np.ndarray]:
    """Stack the counts of consecutive batches over the sorted union of their terms.

    Each batch's columns are re-indexed into the merged vocabulary; the result is the
    matrix one ``CountVectorizer`` would give on all the texts at once. The union is found
    without a dictionary of terms: the batches' sorted vocabularies are concatenated and
    put in order by a stable sort (numpy's timsort merges the sorted runs in linear time),
    equal neighbours are the same term.

    Examples
    --------
    >>> voc, m, n = merge_counts([count_terms(["سلام"]), count_terms(["حرب سلام"])])
    >>> voc.tolist(), m.toarray().tolist(), n.tolist()
    (['حرب', 'حرب سلام', 'سلام'], [[0, 0, 1], [1, 1, 1]], [1, 2])
    """
    if len(parts) == 1:
        return parts[0]
    every = np.concatenate([np.asarray(voc, dtype=object) for voc, _, _ in parts])
    order = np.argsort(every, kind="stable")
    in_order = every[order]
    del every
    first = np.ones(len(in_order), dtype=bool)  # first of a run of equal terms
    if len(in_order) > 1:
        first[1:] = in_order[1:] != in_order[:-1]
    column = np.empty(len(in_order), dtype=np.int64)
    column[order] = np.cumsum(first) - 1
    merged = in_order[first]
    del in_order, order, first
    blocks, offset = [], 0
    for voc, counts, _ in parts:
        where = column[offset : offset + len(voc)]
        offset += len(voc)
        indices = where[counts.indices].astype(np.int32 if len(merged) < 2**31 else np.int64)
        blocks.append(
            sparse.csr_matrix(
                (counts.data, indices, counts.indptr), shape=(counts.shape[0], len(merged))
            )
        )
    n_tokens = np.concatenate([n for _, _, n in parts])
    return merged, sparse.vstack(blocks, format="csr"), n_tokens


def weigh_counts(
    ids: pd.Index,
    vocabulary: np.ndarray,
    counts: sparse.csr_matrix,
    n_tokens: np.ndarray,
    settings=terms.SETTINGS,
    dtype=np.float32,
) -> terms.TermMatrix:
    """TF-IDF weights of counted (and stop-word filtered) terms, as in :func:`tfidf_matrix`.

    Examples
    --------
    >>> tm = weigh_counts(pd.Index(["a"]), *count_terms(["في الصين"]))
    >>> tm.vocabulary.tolist(), tm.n_tokens.tolist()
    (['الصين'], [2])
    """
    if counts.shape[1] == 0 and not n_tokens.any():
        raise ValueError(
            "tfidf_matrix: no Arabic word or number found in any article; "
            "check that the corpus 'text' column holds the article text"
        )
    counts.sort_indices()
    empty = ids[np.diff(counts.indptr) == 0].tolist()
    if empty:
        warnings.warn(
            f"tfidf_matrix: {len(empty)} article(s) have no countable term and get a zero row: "
            f"{empty[:5]}; check their text",
            stacklevel=3,
        )
    weights = counts.astype(dtype)
    transformer = settings.tfidf_transformer()
    weights = transformer.fit(weights).transform(weights, copy=False).tocsr()
    return terms.TermMatrix(
        ids=pd.Index(ids, name="id"),
        vocabulary=vocabulary,
        counts=counts,
        matrix=weights,
        n_tokens=n_tokens,
        settings=settings,
    )


def tfidf_matrix(texts: pd.Series, settings=terms.SETTINGS, dtype=np.float32) -> terms.TermMatrix:
    """Normalise, count and weight unigrams and bigrams as :func:`helpers.terms.build_matrix`.

    The terms, counts and formula are those of ``build_matrix``; the differences are for
    memory on large corpora: counts are ``int32``, weights ``dtype`` (``float32`` by
    default, so weights agree with ``build_matrix`` to about 7 significant digits; pass
    ``numpy.float64`` for the same numbers), the vocabulary is an object array (not
    fixed-width ``str``, which pads every term to the longest), weighting happens in place,
    the normalised texts are dropped once counted, and the token totals come from the
    unigram counts instead of a second pass of the regex.

    Parameters
    ----------
    texts : Series of str
        Original article texts, index = article ids (unique).
    settings : helpers.terms.TermSettings
    dtype : numpy float type

    Returns
    -------
    helpers.terms.TermMatrix

    Examples
    --------
    >>> tm = tfidf_matrix(pd.Series(["الصينُ وروسيا", "الصين"], index=["a", "b"]))
    >>> tm.vocabulary.tolist(), tm.counts.toarray().tolist(), tm.n_tokens.tolist()
    (['الصين', 'الصين وروسيا', 'وروسيا'], [[1, 1, 1], [1, 0, 0]], [2, 1])
    """
    texts = terms._as_series(texts)
    if texts.empty:
        raise ValueError("tfidf_matrix: no articles to count; check the corpus path")
    vocabulary, counts, n_tokens = count_terms(texts.tolist(), settings)
    return weigh_counts(texts.index, vocabulary, counts, n_tokens, settings, dtype)


def top_terms_fast(tm: terms.TermMatrix, k: int = DEFAULT_TOP_K) -> pd.DataFrame:
    """:func:`helpers.terms.top_terms` for large matrices (same rows, same tie-break).

    Ties are broken by the term's alphabetical order, which is the column order of the
    sorted vocabulary; counts are read from the count matrix, which shares the weights'
    sparsity pattern, instead of one sparse lookup per term.

    Examples
    --------
    >>> tm = tfidf_matrix(pd.Series(["سلام سلام أمن", "أمن"], index=["a", "b"]))
    >>> top_terms_fast(tm, k=1)[["id", "rank", "term", "count"]].to_dict("records")
    [{'id': 'a', 'rank': 1, 'term': 'سلام', 'count': 2}, {'id': 'b', 'rank': 1, 'term': 'امن', \
'count': 1}]
    """
    if k < 1:
        raise ValueError("top_terms_fast: k must be at least 1")
    w, c = tm.matrix.tocsr(), tm.counts.tocsr()
    if not (np.array_equal(w.indptr, c.indptr) and np.array_equal(w.indices, c.indices)):
        w, c = w.copy(), c.copy()  # e.g. a matrix from terms.build_matrix: sort both alike
        w.sort_indices()
        c.sort_indices()
        if not np.array_equal(w.indices, c.indices):
            raise ValueError("top_terms_fast: counts and weights have different terms per row")
    rows, cols, ranks = [], [], []
    for r in range(w.shape[0]):
        lo, hi = w.indptr[r], w.indptr[r + 1]
        if lo == hi:
            continue
        vals = w.data[lo:hi]
        idx = w.indices[lo:hi]
        if hi - lo > 4 * k:  # keep the candidates that can reach the top k (ties included)
            cut = np.partition(vals, hi - lo - k)[hi - lo - k]
            sel = np.flatnonzero(vals >= cut)
        else:
            sel = np.arange(hi - lo)
        order = sel[np.lexsort((idx[sel], -vals[sel]))[:k]]
        rows.append(np.full(len(order), r))
        cols.append(lo + order)
        ranks.append(np.arange(1, len(order) + 1))
    if not rows:
        return pd.DataFrame(columns=["id", "rank", "term", "weight", "count"])
    row, pos, rank = np.concatenate(rows), np.concatenate(cols), np.concatenate(ranks)
    return pd.DataFrame(
        {
            "id": np.asarray(tm.ids)[row],
            "rank": rank.astype(np.int64),
            "term": tm.vocabulary[w.indices[pos]].astype(object),
            "weight": w.data[pos].astype(float),
            "count": c.data[pos].astype(np.int64),
        }
    )


# ---------------------------------------------------------------------------------------------
# Frames, in worker processes


def _frame_chunk(chunk: pd.DataFrame) -> tuple[pd.DataFrame, float, list[str]]:
    """Frame hits of one chunk, its CPU time, and the warnings it raised (as text)."""
    t0 = time.process_time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hits = frames.frame_hits(chunk)
    return hits, time.process_time() - t0, [str(w.message) for w in caught]


# What a pool process works on, set by _pool_start when it starts: the corpus (texts and the
# frame input), the frame chunks' row ranges and their claims, and the spill folder. Tasks
# then name rows instead of carrying a pickled copy of their texts (at 50,000 articles that
# copy was ~200 MB through a pipe, and held twice in memory). Empty in the main process.
_SHARED: dict[str, object] = {}


def _pool_start(shared: dict) -> None:
    """Initializer of each pool process: forked, it inherits ``shared`` as it is; started
    otherwise (spawn), it receives one pickled copy when it starts."""
    _SHARED.update(shared)


class _Claims:
    """Chunk numbers ``0 .. n-1``, each handed out once, to processes that share this object.

    The pool takes chunks from the front (:meth:`first`), the main process from the back
    (:meth:`last`), so the two meet wherever the work happens to balance. A chunk is claimed
    only by a process ready to start it. With one future per chunk, the executor hands each
    pool process a task ahead of time and a handed-out task cannot be cancelled, so the main
    process, out of chunks, sat idle while the pool worked through the ones queued for it
    (up to a fifth of a 1,000-article run).

    Two integers in shared memory under one lock; created before the pool starts, so that
    each pool process inherits it (fork) or gets it when it starts (spawn).
    """

    def __init__(self, n: int, context):
        self._ends = context.Array("q", [0, n])

    def first(self) -> int | None:
        """The lowest chunk not yet claimed (None when none is left)."""
        with self._ends.get_lock():
            lo, hi = self._ends[0], self._ends[1]
            if lo >= hi:
                return None
            self._ends[0] = lo + 1
            return lo

    def last(self) -> int | None:
        """The highest chunk not yet claimed (None when none is left)."""
        with self._ends.get_lock():
            lo, hi = self._ends[0], self._ends[1]
            if lo >= hi:
                return None
            self._ends[1] = hi - 1
            return hi - 1


#: Name prefix of the folder (in /dev/shm where it exists) through which the pool's results come.
SPILL_PREFIX = "helpers-pipeline-"


@dataclass(frozen=True)
class _Spilled:
    """A result a pool process wrote to ``path`` (read back and deleted by :func:`_collect`)."""

    path: str


def _spill(result):
    """Write a pool process's result to a file in the run's spill folder.

    Results do not come back through the pool's pipe: the parent's thread that reads the
    pipe needs the GIL, which the busy main thread holds, so a 56 MB result took seconds to
    arrive (the pool process blocked on the full pipe all that while) against ~60 ms written
    to and read from a file in RAM.

    A folder that cannot take the file (full, gone) sends the result back through the pipe
    instead, as before: slower, never lost.
    """
    path = None
    try:
        fd, path = tempfile.mkstemp(dir=_SHARED["spill"], suffix=".pickle")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        if path is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)
        return result
    return _Spilled(path)


def _collect(value):
    """A pool result: read back (and delete) what :func:`_spill` wrote, else as it came."""
    if not isinstance(value, _Spilled):
        return value
    with open(value.path, "rb") as fh:
        result = pickle.load(fh)
    os.unlink(value.path)
    return result


SHM_FREE_NEEDED = 2 * 1024**3  # bytes free in /dev/shm to use it (Docker's default is 64 MB)


def _spill_folder() -> str:
    """A new folder for spilled results: in /dev/shm (RAM) on Linux when it has room, else
    the system's temporary folder (a disk, whose page cache serves the read-back)."""
    shm = Path("/dev/shm")
    where = None
    with contextlib.suppress(OSError):
        st = os.statvfs(shm)
        if os.access(shm, os.W_OK) and st.f_bavail * st.f_frsize >= SHM_FREE_NEEDED:
            where = str(shm)
    return tempfile.mkdtemp(prefix=SPILL_PREFIX, dir=where)


def _count_shared(lo: int, hi: int, settings) -> _Spilled:
    """:func:`count_terms` of texts ``lo:hi`` of the corpus this pool process was given."""
    return _spill(count_terms(_SHARED["texts"][lo:hi], settings))


def _frames_shared() -> list[tuple[int, object]]:
    """:func:`_frame_chunk` of each chunk this pool process can claim, as ``(number, spilled
    result)``, until no chunk is left."""
    claims, bounds, articles = _SHARED["claims"], _SHARED["bounds"], _SHARED["articles"]
    done = []
    while (i := claims.first()) is not None:
        done.append((i, _spill(_frame_chunk(articles.iloc[slice(*bounds[i])]))))
    return done


def _take_from_the_back(claims: _Claims, bounds, articles, results: list, until=None) -> None:
    """Match frame chunks claimed from the back into ``results[i]`` until none is left (or
    the future ``until`` is done)."""
    while (until is None or not until.done()) and (i := claims.last()) is not None:
        results[i] = _frame_chunk(articles.iloc[slice(*bounds[i])])


def _chunk_bounds(n: int, n_chunks: int, least: int = 1) -> list[tuple[int, int]]:
    """``(lo, hi)`` row ranges cutting ``n`` rows into about ``n_chunks`` runs of ``least``+.

    >>> _chunk_bounds(10, 3)
    [(0, 4), (4, 8), (8, 10)]
    """
    size = max(least, math.ceil(n / max(1, n_chunks)))
    return [(lo, min(lo + size, n)) for lo in range(0, n, size)]


def _halfway(texts: pd.Series) -> int:
    """Position that splits ``texts`` into two runs of about equal length in characters."""
    lengths = np.cumsum(texts.fillna("").astype(str).str.len().to_numpy())
    return int(np.searchsorted(lengths, lengths[-1] / 2)) + 1 if len(lengths) > 1 else len(lengths)


def _pool_context():
    # fork: workers start at once with the lexicon already compiled (no re-import of pandas);
    # elsewhere (macOS, Windows) the platform's default start method.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


# ---------------------------------------------------------------------------------------------
# The pipeline


_WARM_UP = pd.DataFrame({"id": ["warm-up"], "text": ["قال وانغ يي إن القوى الخارجية 3.5"]})


def _warm_up(settings) -> None:
    """Build every table and regex the steps make on first use, once, before the pool forks.

    The pool's process then inherits them instead of building its own copy: the frame
    lexicon and speaker model, the normalisation and token tables, the stop list (~0.09 s in
    all, a sixth of the pipeline's time on 1,000 articles).
    """
    count_terms(_WARM_UP["text"].tolist(), settings)
    frames.frame_hits(_WARM_UP)


def _articles_from(source) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if isinstance(source, pd.DataFrame):
        return source, None
    if source is None or isinstance(source, (str, Path)):
        return corpus.load_with_report(source)
    raise TypeError(
        f"run_pipeline: expected an articles DataFrame, a corpus path or None, "
        f"not {type(source).__name__}"
    )


def run_pipeline(
    source=None,
    *,
    workers: int = 2,
    top_k: int = DEFAULT_TOP_K,
    dtype=np.float32,
    settings=terms.SETTINGS,
) -> PipelineResult:
    """Run load → normalise → tokenise → TF-IDF → frames with speakers → per-article tables.

    Parameters
    ----------
    source : DataFrame, path or None
        An articles table with at least ``id`` and ``text`` (``n_words`` and ``outlet`` are
        used when present), or anything :func:`helpers.corpus.load_with_report` reads
        (``None`` = the seed articles).
    workers : int
        Processes in all, this one included (default 2; see the module notes). With
        ``workers > 1`` and at least :data:`MIN_PARALLEL_ARTICLES` articles, a pool of
        ``workers - 1`` processes counts the second half of the corpus (when
        ``settings.min_df == 1``; a higher ``min_df`` needs the whole corpus's counts, so then
        the matrix is built here in one piece) and matches frame chunks, while this one counts
        the first half and takes the frame chunks not yet started; else everything runs here,
        one step after the other.
    top_k : int
        Terms per article in :attr:`PipelineResult.top`.
    dtype : numpy float type
        Of the TF-IDF weights (``float32`` halves their memory; see :func:`tfidf_matrix`).
    settings : helpers.terms.TermSettings

    Returns
    -------
    PipelineResult

    Notes
    -----
    An article without any countable term gets a zero row in the matrix and no top terms
    (a warning names it). Articles without ``n_words`` are measured in tokens of
    :data:`helpers.arabic.TOKEN_PATTERN`, which counts a number like "2,5" once, as the
    loader does, but may differ from the loader's whitespace count on punctuation.

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a", "b"],
    ...                      "text": ["قال لافروف إن قوى خارجية خططت للفوضى.", "الصين وكازاخستان"]})
    >>> res = run_pipeline(arts, workers=1, top_k=2)
    >>> res.table[["id", "n_tokens", "n_hits"]].to_dict("records")
    [{'id': 'a', 'n_tokens': 7, 'n_hits': 2}, {'id': 'b', 'n_tokens': 2, 'n_hits': 0}]
    """
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    articles, report = _articles_from(source)
    frames._check_articles(articles)
    seconds["load"] = time.perf_counter() - started
    texts = pd.Series(articles["text"].to_numpy(), index=pd.Index(articles["id"], name="id"))

    parallel = workers > 1 and len(articles) >= MIN_PARALLEL_ARTICLES
    if parallel:
        t0 = time.perf_counter()
        _warm_up(settings)
        seconds["warm_up"] = time.perf_counter() - t0
    split = parallel and settings.min_df == 1  # min_df needs the whole corpus's counts
    pool = counting = spill = claims = None
    done = False
    frame_input = articles[[c for c in ("id", "text", "outlet") if c in articles.columns]]
    try:
        t0 = time.perf_counter()
        if parallel:
            context = _pool_context()
            text_list = texts.tolist()
            bounds = _chunk_bounds(len(frame_input), workers * CHUNKS_PER_WORKER, MIN_CHUNK)
            claims = _Claims(len(bounds), context)
            spill = _spill_folder()
            shared = dict(
                texts=text_list, articles=frame_input, bounds=bounds, claims=claims, spill=spill
            )
            pool = ProcessPoolExecutor(
                max_workers=workers - 1,
                mp_context=context,
                initializer=_pool_start,
                initargs=(shared,),
            )
            del shared
            if split:  # the pool counts the second half (by characters) while we count the first
                cut = _halfway(texts)
                counting = pool.submit(_count_shared, cut, len(text_list), settings)
            # one claiming loop per pool process (after the count, for the one that counts)
            loops = [pool.submit(_frames_shared) for _ in range(workers - 1)]
        results: list = [None] * (len(bounds) if parallel else 1)
        if split:
            first = count_terms(text_list[:cut], settings)
            del text_list
            seconds["count_here"] = time.perf_counter() - t0
            # frame chunks from the back until the pool's half is counted
            _take_from_the_back(claims, bounds, frame_input, results, until=counting)
            t1 = time.perf_counter()
            second = _collect(counting.result())
            seconds["count_wait"] = time.perf_counter() - t1
            merged = merge_counts([first, second])
            del first, second
            seconds["merge"] = time.perf_counter() - t1 - seconds["count_wait"]
            tm = weigh_counts(texts.index, *merged, settings, dtype)
            del merged
        else:
            tm = tfidf_matrix(texts, settings=settings, dtype=dtype)
        seconds["tfidf"] = time.perf_counter() - t0
        del texts

        t0 = time.perf_counter()
        top = top_terms_fast(tm, top_k)
        seconds["top_terms"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        if parallel:
            _take_from_the_back(claims, bounds, frame_input, results)
            for loop in loops:
                for i, spilled in loop.result():
                    results[i] = _collect(spilled)
        else:
            results = [_frame_chunk(frame_input)]
        seconds["frames_wait"] = time.perf_counter() - t0
        done = True
    finally:
        if claims is not None:  # after an error: the pool stops at the end of its chunk
            while claims.last() is not None:
                pass
        if pool is not None:
            # Every result is in: the executor's own thread lets the idle pool exit (~9 ms
            # less at the end of a run). After an error: wait, so nothing outlives the call.
            pool.shutdown(wait=not done, cancel_futures=True)
        if spill is not None:
            shutil.rmtree(spill, ignore_errors=True)
    seconds["frames_cpu"] = sum(r[1] for r in results)
    for message in dict.fromkeys(m for r in results for m in r[2]):
        warnings.warn(message, stacklevel=2)
    parts = [r[0] for r in results if len(r[0])]
    hits = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=[*frames.HIT_COLUMNS, "pattern", "sentence_no"])
    )

    if "n_words" not in articles.columns or articles["n_words"].isna().any():
        counted = pd.Series(tm.n_tokens, index=tm.ids)
        given = articles["n_words"] if "n_words" in articles.columns else np.nan
        articles = articles.assign(
            n_words=pd.Series(given, index=articles.index)
            .fillna(articles["id"].map(counted))
            .astype("int64")
        )
    t0 = time.perf_counter()
    rates = frames.frame_rates(articles, hits)
    seconds["rates"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    table = article_table(articles, tm, top, rates)
    seconds["table"] = time.perf_counter() - t0
    seconds["total"] = time.perf_counter() - started
    return PipelineResult(
        articles=articles,
        report=report,
        matrix=tm,
        top=top,
        hits=hits,
        rates=rates,
        table=table,
        seconds=seconds,
        workers=workers if parallel else 1,
    )


def _joined_terms(top: pd.DataFrame) -> pd.Series:
    """Each article's top terms in rank order joined with " · " (index: article id).

    One string join per article over slices of the rows put in (article, rank) order;
    a pandas group-by with ``" · ".join`` built a Series per article (30x slower).
    """
    if not len(top):
        return pd.Series(dtype=object)
    codes, uniques = pd.factorize(top["id"])
    order = np.lexsort((top["rank"].to_numpy(), codes))
    codes, words = codes[order], top["term"].to_numpy()[order].tolist()
    cuts = np.flatnonzero(np.diff(codes)) + 1
    lo, hi = np.concatenate([[0], cuts]).tolist(), np.concatenate([cuts, [len(codes)]]).tolist()
    return pd.Series(
        [" · ".join(words[a:b]) for a, b in zip(lo, hi, strict=True)],
        index=np.asarray(uniques)[codes[lo]],
        dtype=object,
    )


def article_table(
    articles: pd.DataFrame, tm: terms.TermMatrix, top: pd.DataFrame, rates: pd.DataFrame
) -> pd.DataFrame:
    """One row per article: size, distinct terms, top terms, frame hits and rates.

    ``top_terms`` joins the article's top terms by rank with " · "; ``hits_per_1000`` is all
    frame hits per 1,000 words; ``top_frame`` the frame with most hits (ties: lexicon order;
    empty when none); then one ``<frame>_per_1000`` column per frame of the lexicon.

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["ثورة ملونة"], "n_words": [2]})
    >>> tm = tfidf_matrix(arts.set_index("id")["text"])
    >>> rates = frames.frame_rates(arts, frames.frame_hits(arts))
    >>> row = article_table(arts, tm, top_terms_fast(tm, 2), rates).iloc[0]
    >>> row["top_terms"], int(row["n_hits"]), row["top_frame"]
    ('ثوره · ثوره ملونه', 1, 'colour_revolution')
    """
    ids = pd.Index(articles["id"], name="id")
    n_terms = pd.Series(np.diff(tm.matrix.indptr), index=tm.ids)
    n_tokens = pd.Series(tm.n_tokens, index=tm.ids)
    joined = _joined_terms(top)
    # articles x frames (frames in their order in ``rates``: the lexicon's), filled from the
    # long table with numpy (two pandas pivots cost ~10x as much); rows of articles not in
    # ``articles`` are left out; an article without rows has 0 hits at an unknown rate
    codes, uniques = pd.factorize(rates["frame"])
    frame_ids = uniques.tolist()
    row = ids.get_indexer(rates["id"])
    known = row >= 0
    cell = (row[known], codes[known])
    wide_count = np.zeros((len(ids), len(frame_ids)), dtype=np.int64)
    wide_count[cell] = rates["count"].to_numpy()[known]
    wide_rate = np.full((len(ids), len(frame_ids)), np.nan)
    wide_rate[cell] = rates["per_1000"].to_numpy()[known]
    n_hits = wide_count.sum(axis=1)
    n_words = articles["n_words"].to_numpy()
    per_1000 = np.where(n_words > 0, 1000 * n_hits / np.where(n_words > 0, n_words, 1), np.nan)
    best = np.full(len(ids), "", dtype=object)
    if frame_ids:  # the first frame with most hits (argmax takes the first of a tie)
        first_most = np.asarray(frame_ids, dtype=object)[wide_count.argmax(axis=1)]
        best = np.where(n_hits > 0, first_most, best)
    table = pd.DataFrame(
        {
            "id": ids,
            "n_words": n_words,
            "n_tokens": n_tokens.reindex(ids).to_numpy(),
            "n_terms": n_terms.reindex(ids).to_numpy(),
            "top_terms": joined.reindex(ids).fillna("").to_numpy(),
            "n_hits": n_hits,
            "hits_per_1000": per_1000,
            "top_frame": best,
        }
    )
    for j, f in enumerate(frame_ids):
        table[f"{f}_per_1000"] = wide_rate[:, j]
    return table


def cpu_count() -> int:
    """Cores this process may use (the affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


__all__ = [
    "DEFAULT_TOP_K",
    "TABLE_COLUMNS",
    "PipelineResult",
    "article_table",
    "count_ngrams",
    "count_terms",
    "cpu_count",
    "merge_counts",
    "run_pipeline",
    "tfidf_matrix",
    "top_terms_fast",
    "weigh_counts",
]
