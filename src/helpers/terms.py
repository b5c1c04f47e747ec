"""Which words make each article distinctive, and which separate groups of articles.

One tokenisation serves everything here: the regex :data:`helpers.arabic.TOKEN_PATTERN` (the
one scikit-learn's ``CountVectorizer`` would run) over text normalised with
:func:`helpers.arabic.normalize_series`. :func:`count_terms` counts its unigrams and bigrams
with array operations (numpy, pyarrow) instead of a Python loop over every token; the test
suite checks that its vocabulary and counts equal ``CountVectorizer``'s. The raw counts feed
both the TF-IDF weights (:func:`build_matrix`, :func:`top_terms`, :func:`similarity`, through
scikit-learn's ``TfidfTransformer``) and the keyness statistics (:func:`keyness`), so a term
counted in one is the very same term counted in the other.

The settings are stated once, in :data:`SETTINGS`. With them the weight of term *t* in
article *d*, among *n* articles of which *df(t)* contain *t*, is::

    w(t, d) = (1 + ln tf(t, d)) * (ln((1 + n) / (1 + df(t))) + 1)     # tf(t, d) > 0

and each article's row of weights is then divided by its Euclidean (l2) length.

Stop words and bigrams
    scikit-learn drops stop words after tokenising but *before* building bigrams, so with
    its ``stop_words`` option "الشراكة بين الصين" would yield the bigram "الشراكه الصين", two
    words that never stand side by side. We do not want that: a bigram here is two words
    adjacent in the text. So every token is counted, and :func:`count_terms` then drops the
    unigrams that are stop words and every bigram with a stop word on either side.
    What this loses: phrases held together by a stop word ("قوى الشر" survives, "الحرب ضد
    العنف" only as unigrams). scikit-learn also pairs words across punctuation and sentence
    ends ("الخارجية، مستعدة" gives a bigram); those pairs are rare and rarely reach a top list.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse, special, stats
from sklearn.feature_extraction.text import TfidfTransformer

from helpers import arabic
from helpers.paths import DATA_DIR
from helpers.plotting import bilingual

GLOSSARY_PATH = DATA_DIR / "glossary.csv"
NO_GLOSS = "(no gloss)"
DEFAULT_TOP_K = 8  # terms per article in the small multiples of notebook 03
DEFAULT_KEYNESS_N = 10  # key terms shown for each side of a keyness comparison
DEFAULT_PANELS = 6  # articles drawn in the top-terms small multiples (a sample beyond that)


@dataclass(frozen=True)
class TermSettings:
    """The counting and weighting settings, stated once (notebook 03 writes them out as a formula).

    They mean what scikit-learn's ``CountVectorizer`` and ``TfidfTransformer`` options of the
    same names mean. ``lowercase`` is off because Arabic has no case; Latin acronyms keep
    theirs. There is no ``strip_accents``: scikit-learn's version also strips hamza, and
    :func:`helpers.arabic.normalize` has already removed the diacritics.
    """

    token_pattern: str = arabic.TOKEN_PATTERN
    ngram_range: tuple[int, int] = (1, 2)
    lowercase: bool = False
    min_df: int = 1  # keep every term: with a handful of articles, rare terms are the point
    smooth_idf: bool = True  # idf = ln((1 + n) / (1 + df)) + 1
    sublinear_tf: bool = True  # tf -> 1 + ln(tf): a name repeated 20 times does not drown the rest
    norm: str = "l2"
    drop_stopwords: bool = True  # stop-word unigrams and any bigram touching a stop word
    extra_stopwords: tuple[str, ...] = ()  # added to helpers.arabic.stopwords(), any spelling

    def stop_words(self) -> frozenset[str]:
        """The normalised words whose terms are dropped (none when ``drop_stopwords`` is off)."""
        if not self.drop_stopwords:
            return frozenset()
        return _stopwords() | {arabic.normalize(w).strip() for w in self.extra_stopwords}

    def tfidf_transformer(self) -> TfidfTransformer:
        """Turns the raw counts into the weights of the module formula."""
        return TfidfTransformer(
            norm=self.norm, use_idf=True, smooth_idf=self.smooth_idf, sublinear_tf=self.sublinear_tf
        )


SETTINGS = TermSettings()


@dataclass
class TermMatrix:
    """A document-term matrix: raw counts and TF-IDF weights over one vocabulary.

    Attributes
    ----------
    ids : pandas.Index
        One article id per row.
    vocabulary : numpy.ndarray of str (object dtype)
        One normalised term per column (unigrams and bigrams), sorted by code point, so
        column order is term order: ties broken "alphabetically" are ties broken by column.
    counts : scipy.sparse.csr_matrix of int
        Raw counts (what keyness uses).
    matrix : scipy.sparse.csr_matrix of float
        TF-IDF weights, each row of length 1 (what top terms and similarity use).
    n_tokens : numpy.ndarray of int
        Tokens per article before stop words were dropped (the corpus size for keyness).
    ngram : numpy.ndarray of int
        Words per term (1 or 2), one per column.
    """

    ids: pd.Index
    vocabulary: np.ndarray
    counts: sparse.csr_matrix
    matrix: sparse.csr_matrix
    n_tokens: np.ndarray
    ngram: np.ndarray
    settings: TermSettings = field(default=SETTINGS)

    def __len__(self) -> int:
        return len(self.ids)


def _as_series(data) -> pd.Series:
    """Texts indexed by article id, from a corpus frame, a Series or a list of strings."""
    if isinstance(data, pd.DataFrame):
        missing = {"id", "text"} - set(data.columns)
        if missing:
            raise ValueError(
                f"build_matrix: the articles table lacks column(s) {sorted(missing)}; "
                "pass helpers.corpus.load_corpus(...) or a frame with 'id' and 'text'"
            )
        series = pd.Series(data["text"].to_numpy(), index=pd.Index(data["id"], name="id"))
    elif isinstance(data, pd.Series):
        series = data.copy()
    else:
        series = pd.Series(list(data))
    if not series.index.is_unique:
        dupes = series.index[series.index.duplicated()].unique().tolist()[:5]
        raise ValueError(f"build_matrix: article ids must be unique; repeated: {dupes}")
    bad = [i for i, t in series.items() if not isinstance(t, str)]
    if bad:
        raise ValueError(
            f"build_matrix: articles {bad[:5]} have no text (not a string); "
            "drop them or fill them with '' before building the matrix"
        )
    return series


@cache
def _stopwords() -> frozenset[str]:
    return arabic.stopwords()


def _tokenise(texts: Sequence[str], pattern: str, chunk: int = 2000):
    """Every token of every text: the distinct words, one word code per token, tokens per text.

    The regex runs text by text (in C); the tokens go into Arrow arrays ``chunk`` texts at a
    time instead of Python lists, so memory stays near the size of the text itself.
    """
    regex = re.compile(pattern)
    pieces, n_tokens = [], np.zeros(len(texts), dtype=np.int64)
    for start in range(0, len(texts), chunk):
        found = [regex.findall(text) for text in texts[start : start + chunk]]
        n_tokens[start : start + len(found)] = [len(tokens) for tokens in found]
        pieces.append(pa.array(list(chain.from_iterable(found)), type=pa.large_string()))
    tokens = pa.chunked_array(pieces, type=pa.large_string()).combine_chunks()
    encoded = pc.dictionary_encode(tokens)
    return encoded.dictionary, encoded.indices.to_numpy().astype(np.int64), n_tokens


def _next_ngrams(grams, words, codes, word_stopped, same_text, n: int):
    """The n-grams: each (n-1)-gram followed by the next token of the same text.

    ``grams`` and the result are ``(ids, strings, stopped)``: at each token position the id
    of the gram starting there (-1 where none does), then per distinct gram its string and
    whether it holds a stop word. Ids number the distinct grams in one ``numpy.unique``.
    """
    ids, strings, stopped = grams
    starts = max(len(codes) - n + 1, 0)
    valid = (ids[:starts] >= 0) & same_text[n - 2 : n - 2 + starts]
    pairs, inverse = np.unique(
        ids[:starts][valid] * len(words) + codes[n - 1 :][valid], return_inverse=True
    )
    next_ids = np.full(len(codes), -1, dtype=np.int64)
    next_ids[np.flatnonzero(valid)] = inverse
    head, tail = np.divmod(pairs, len(words))
    space = pa.scalar(" ", type=pa.large_string())
    joined = pc.binary_join_element_wise(strings.take(head), words.take(tail), space)
    return next_ids, joined, stopped[head] | word_stopped[tail]


def count_terms(texts: Sequence[str], settings: TermSettings = SETTINGS):
    """Count the n-grams of normalised texts: ``CountVectorizer``'s counts, less the stop terms.

    Returns ``(vocabulary, counts, n_tokens, ngram)``: the terms sorted by code point (an
    object array of str), a texts × terms CSR matrix of counts, the tokens of each text
    (stop words included) and the words in each term. An n-gram is n tokens adjacent in one
    text, joined by one space. Terms holding a stop word are dropped, and so are terms found
    in fewer than ``settings.min_df`` texts.

    >>> vocab, counts, n_tokens, ngram = count_terms(["في الصين الصين", "الصين"])
    >>> vocab.tolist(), counts.toarray().tolist(), n_tokens.tolist(), ngram.tolist()
    (['الصين', 'الصين الصين'], [[2, 1], [1, 0]], [3, 1], [1, 2])
    """
    if settings.lowercase:
        texts = [text.lower() for text in texts]
    words, codes, n_tokens = _tokenise(texts, settings.token_pattern)
    stop = settings.stop_words()
    word_stopped = np.fromiter((w in stop for w in words.to_pylist()), dtype=bool, count=len(words))
    text_of = np.repeat(np.arange(len(texts), dtype=np.int32), n_tokens)
    same_text = text_of[:-1] == text_of[1:]
    grams = (codes, words, word_stopped)
    low, high = settings.ngram_range
    rows, columns, names, ngram = [], [], [], []
    for n in range(1, high + 1):
        if n > 1:
            grams = _next_ngrams(grams, words, codes, word_stopped, same_text, n)
        if n < low:
            continue
        ids, strings, stopped = grams
        column = np.where(stopped, -1, np.cumsum(~stopped) - 1 + sum(map(len, ngram)))
        at = np.flatnonzero(ids >= 0)
        at = at[column[ids[at]] >= 0]
        rows.append(text_of[at])
        columns.append(column[ids[at]])
        names.append(strings.filter(pa.array(~stopped)))
        ngram.append(np.full(len(names[-1]), n, dtype=np.int64))
    counts = sparse.csr_matrix(
        (
            np.ones(sum(map(len, rows)), dtype=np.int64),
            (np.concatenate(rows), np.concatenate(columns)),
        ),
        shape=(len(texts), sum(map(len, ngram))),
    )
    return _in_term_order(
        counts,
        pa.chunked_array(names, type=pa.large_string()),
        np.concatenate(ngram),
        n_tokens,
        settings.min_df,
    )


def _in_term_order(counts, names, ngram, n_tokens, min_df: int):
    """Columns sorted by term (code point order, as Python sorts str), rare terms dropped.

    Arrow compares strings as UTF-8 bytes, whose order is the code point order.
    """
    if min_df > 1:
        keep = np.flatnonzero(np.bincount(counts.indices, minlength=counts.shape[1]) >= min_df)
        counts, names, ngram = counts[:, keep], names.take(keep), ngram[keep]
    order = pc.sort_indices(names).to_numpy()
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    counts = sparse.csr_matrix(
        (counts.data, rank[counts.indices], counts.indptr), shape=counts.shape
    )
    counts.sort_indices()
    vocabulary = np.empty(len(order), dtype=object)  # object, not fixed-width: one long token
    vocabulary[:] = names.take(order).to_pylist()  # would widen every one of millions of cells
    return vocabulary, counts, n_tokens, ngram[order]


def build_matrix(data, settings: TermSettings = SETTINGS) -> TermMatrix:
    """Count and weight the unigrams and bigrams of every article.

    Parameters
    ----------
    data : DataFrame with ``id`` and ``text``, Series of texts (index = ids), or list of str
        Original text: it is normalised here with :func:`helpers.arabic.normalize_series`.
    settings : TermSettings
        Defaults to :data:`SETTINGS`.

    Returns
    -------
    TermMatrix

    Notes
    -----
    Terms are normalised forms, so spellings that normalisation folds together count as one
    term: "القوى" (the forces) and "القوي" (the strong) both become "القوي". Bigrams keep such
    readings apart far better than unigrams. No clitic is split: "والصين" and "الصين" are
    different terms. An article's token total is the sum of its unigram counts before stop
    words are dropped: every token is a unigram, so no second pass of the regex is needed.

    Examples
    --------
    >>> tm = build_matrix(["الصينُ وروسيا", "الصين"])
    >>> tm.vocabulary.tolist(), tm.counts.toarray().tolist()
    (['الصين', 'الصين وروسيا', 'وروسيا'], [[1, 1, 1], [1, 0, 0]])
    """
    texts = _as_series(data)
    if texts.empty:
        raise ValueError("build_matrix: no articles to count; check the corpus path")
    vocabulary, counts, n_tokens, ngram = count_terms(
        arabic.normalize_series(texts).tolist(), settings
    )
    if not len(vocabulary):
        raise ValueError(
            "build_matrix: no Arabic word or number found in any article (or only stop words); "
            "check that the corpus 'text' column holds the article text"
        )
    empty = texts.index[np.diff(counts.indptr) == 0].tolist()
    if empty:
        warnings.warn(
            f"build_matrix: {len(empty)} article(s) have no countable term and get a zero row: "
            f"{empty[:5]}; check their text",
            stacklevel=2,
        )
    weights = settings.tfidf_transformer().fit_transform(counts).tocsr()
    return TermMatrix(
        ids=pd.Index(texts.index, name="id"),
        vocabulary=vocabulary,
        counts=counts,
        matrix=weights,
        n_tokens=np.asarray(n_tokens, dtype=np.int64),
        ngram=ngram,
        settings=settings,
    )


def _ranked_entries(matrix: sparse.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, column and rank (1 = largest) of the ``k`` largest stored values of every row.

    Ties go to the lower column. Only the values at or above :func:`_row_floor` are sorted
    (row, then value descending, then column): a few per row instead of every stored weight,
    whose full sort dominates the cost on a large corpus.
    """
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    candidates = np.flatnonzero(matrix.data >= _row_floor(matrix, rows, k)[rows])
    order = candidates[
        np.lexsort((matrix.indices[candidates], -matrix.data[candidates], rows[candidates]))
    ]
    rank = np.arange(len(order)) - np.searchsorted(rows[order], rows[order])
    keep = order[rank < k]
    return rows[keep], matrix.indices[keep], rank[rank < k] + 1


def _row_floor(matrix: sparse.csr_matrix, rows: np.ndarray, k: int) -> np.ndarray:
    """Per row, a value no larger than its k-th largest stored value (-inf: keep them all).

    Strips the row maximum (with its ties) k - 1 times, then takes the maximum left: each
    pass is one vectorised sweep over the stored values.
    """
    floor = np.full(matrix.shape[0], -np.inf)
    filled = np.diff(matrix.indptr) > 0
    if not filled.any() or k > np.diff(matrix.indptr).max():
        return floor
    starts, values = matrix.indptr[:-1][filled], matrix.data.astype(float)
    for _ in range(k - 1):
        floor[filled] = np.maximum.reduceat(values, starts)
        values[values >= floor[rows]] = -np.inf
    floor[filled] = np.maximum.reduceat(values, starts)
    return floor


def top_terms(tm: TermMatrix, k: int = DEFAULT_TOP_K) -> pd.DataFrame:
    """The ``k`` highest-weighted terms of every article, as a tidy table.

    Ties are broken by the term's alphabetical order (the vocabulary's column order), so the
    result never depends on hash order or on how the articles were listed.

    Returns
    -------
    DataFrame
        Columns ``id, rank, term, weight, count`` (rank 1 = highest weight).

    Examples
    --------
    >>> tm = build_matrix(pd.Series(["سلام سلام أمن", "أمن"], index=["a", "b"]))
    >>> top_terms(tm, k=1)[["id", "rank", "term"]].to_dict("records")
    [{'id': 'a', 'rank': 1, 'term': 'سلام'}, {'id': 'b', 'rank': 1, 'term': 'امن'}]
    """
    if k < 1:
        raise ValueError("top_terms: k must be at least 1")
    weights = tm.matrix.tocsr()
    rows, cols, rank = _ranked_entries(weights, k)
    return pd.DataFrame(
        {
            "id": tm.ids[rows].to_numpy(),
            "rank": rank.astype(np.int64),
            "term": tm.vocabulary[cols],
            "weight": np.asarray(weights[rows, cols], dtype=float).ravel(),
            "count": np.asarray(tm.counts.tocsr()[rows, cols], dtype=np.int64).ravel(),
        }
    )


MAX_HEATMAP = 25  # articles in the similarity heatmap (a fixed-seed sample beyond that)
SAMPLE_SEED = 0  # the seed of every sample drawn for a plot


def similarity(tm: TermMatrix, max_articles: int = MAX_HEATMAP, seed: int = SAMPLE_SEED):
    """Cosine similarity between every pair of articles, or of a sample for a large corpus.

    With more than ``max_articles`` articles, a fixed random sample of ``max_articles``
    (``seed``) is taken, in corpus order: the table is for a heatmap, never articles x
    articles for a large corpus (30,000 articles would be 7.2 GB of floats).
    ``table.attrs`` records ``n_articles`` (the corpus size) and ``seed`` (None when every
    article is in). For the most similar articles of the whole corpus use
    :func:`most_similar_pairs`.

    Rows are already of length 1, so the cosine is their dot product. An article with no
    countable term has similarity 0 with everything, itself included.

    Examples
    --------
    >>> tm = build_matrix(pd.Series(["سلام أمن", "سلام أمن", "حرب"], index=list("abc")))
    >>> similarity(tm).round(2).to_numpy().tolist()
    [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    ids = sample_ids(tm.ids, max_articles, seed)
    part = tm.matrix[tm.ids.get_indexer(ids)]
    sim = (part @ part.T).toarray()
    np.clip(sim, 0.0, 1.0, out=sim)
    table = pd.DataFrame(sim, index=pd.Index(ids, name="id"), columns=pd.Index(ids, name="id_b"))
    table.attrs.update(n_articles=len(tm), seed=seed if len(ids) < len(tm) else None)
    return table


PAIR_THRESHOLDS = (0.9, 0.7, 0.5, 0.3, 0.1, 0.0)  # tried in turn by most_similar_pairs
ROUNDING = 1e-9  # floating-point slack when a cosine is compared with a threshold


def most_similar_pairs(tm: TermMatrix, k: int = 10) -> pd.DataFrame:
    """The ``k`` most similar pairs of distinct articles: ``id_a, id_b, cosine``.

    ``id_a`` is the earlier article of the pair in the corpus; ties (equal to 12 decimals) go
    to the pair whose articles come earlier. Pairs without a shared term (cosine 0) are left out.

    Exact, without an articles x articles matrix: :func:`pairs_above` finds every pair at or
    above a threshold, trying :data:`PAIR_THRESHOLDS` from the highest until ``k`` pairs are
    in; every pair above the k-th is then among them.
    """
    for threshold in PAIR_THRESHOLDS:
        pairs = pairs_above(tm, threshold)
        if len(pairs) >= k:
            break
    pairs = pairs.assign(tie=pairs["cosine"].round(12))  # equal but for rounding: a tie
    pairs = pairs.sort_values(["tie", "a", "b"], ascending=[False, True, True]).head(k)
    return pd.DataFrame(
        {
            "id_a": tm.ids[pairs["a"].to_numpy()].to_numpy(),
            "id_b": tm.ids[pairs["b"].to_numpy()].to_numpy(),
            "cosine": pairs["cosine"].to_numpy(),
        }
    )


def pairs_above(tm: TermMatrix, threshold: float, block_rows: int = 2000) -> pd.DataFrame:
    """Every pair of articles with cosine >= ``threshold`` and > 0: ``a, b, cosine``.

    ``a < b`` are row positions in ``tm``. A cosine within :data:`ROUNDING` below the
    threshold counts as reaching it (two copies of an article have cosine 1 only to rounding).

    Prefix filtering (Bayardo, Ma and Srikant 2007, "Scaling up all pairs similarity search"):
    rows have length 1 and weights are >= 0, so if the weights an article puts on its most
    common terms have length below ``threshold``, any article at least that similar shares
    one of its other, rarer terms. Candidates come from a sparse product over those rarer
    terms only (row blocks of ``block_rows``), which skips the common words that make a full
    product slow on a large corpus; each candidate's cosine is then computed exactly.
    """
    matrix = tm.matrix.tocsr()
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    by_df = matrix[:, np.argsort(-df, kind="stable")].tocsr()  # most common columns first
    by_df.sort_indices()
    rows = np.repeat(np.arange(by_df.shape[0]), np.diff(by_df.indptr))
    mass = np.cumsum(by_df.data**2)
    before = np.concatenate([[0.0], mass])[by_df.indptr[:-1]]  # mass of earlier rows
    common = (mass - before[rows]) < threshold**2  # this article's most common terms
    common_norm = np.sqrt(np.bincount(rows[common], weights=by_df.data[common] ** 2,
                                      minlength=by_df.shape[0]))  # fmt: skip
    rare = by_df.copy()
    rare.data[common] = 0.0
    rare.eliminate_zeros()
    transposed = by_df.T.tocsr()
    found = []
    for start in range(0, by_df.shape[0], block_rows):
        partial = (rare[start : start + block_rows] @ transposed).tocoo()
        a, b = partial.row + start, partial.col
        keep = (a < b) & (partial.data + common_norm[a] >= threshold - ROUNDING)
        found.append((a[keep], b[keep]))
    a, b = (np.concatenate(parts) for parts in zip(*found, strict=True))
    cosine = _row_dots(matrix, a, b)
    keep = (cosine >= threshold - ROUNDING) & (cosine > 0)
    return pd.DataFrame({"a": a[keep], "b": b[keep], "cosine": np.clip(cosine[keep], 0.0, 1.0)})


def _row_dots(matrix: sparse.csr_matrix, a: np.ndarray, b: np.ndarray, chunk: int = 20000):
    """Dot products of rows ``a[i]`` and ``b[i]`` of a sparse matrix, a chunk of pairs at a time."""
    out = np.zeros(len(a))
    for start in range(0, len(a), chunk):
        part = slice(start, start + chunk)
        out[part] = np.asarray(matrix[a[part]].multiply(matrix[b[part]]).sum(axis=1)).ravel()
    return out


# ---------------------------------------------------------------------------------------------
# Keyness


def log_likelihood(a, b, total_a, total_b, formula: str = "two-term") -> np.ndarray:
    """Log-likelihood G² of a term's frequency in corpus A against corpus B.

    ``formula="two-term"`` (default) is the UCREL log-likelihood calculator's (Rayson &
    Garside 2000): with E_A = total_a (a + b) / (total_a + total_b) and likewise E_B,
    G² = 2 (a ln(a / E_A) + b ln(b / E_B)), a term with a zero count contributing 0.
    ``formula="four-term"`` adds the two cells of all *other* tokens (Dunning 1993; AntConc),
    G² = 2 Σ O ln(O / E) over the whole 2×2 table; it is slightly larger.

    G² is compared with a χ² distribution with one degree of freedom: 3.84 ~ p 0.05,
    6.63 ~ p 0.01, 10.83 ~ p 0.001. G² says how sure, not how big: see :func:`log_ratio`.

    Examples
    --------
    A term 10 times in 1,000 tokens against 2 times in 1,000 tokens (E = 6 on each side):

    >>> round(float(log_likelihood(10, 2, 1000, 1000)), 4)
    5.8221
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if np.any(a < 0) or np.any(b < 0) or total_a <= 0 or total_b <= 0:
        raise ValueError("log_likelihood: counts must be >= 0 and corpus sizes > 0")
    if np.any(a > total_a) or np.any(b > total_b):
        raise ValueError("log_likelihood: a count exceeds its corpus size")
    n = total_a + total_b
    e_a, e_b = total_a * (a + b) / n, total_b * (a + b) / n
    g2 = 2 * (_o_ln_o_e(a, e_a) + _o_ln_o_e(b, e_b))
    if formula == "four-term":
        rest_a, rest_b = total_a - a, total_b - b
        rest = rest_a + rest_b
        g2 = g2 + 2 * (
            _o_ln_o_e(rest_a, total_a * rest / n) + _o_ln_o_e(rest_b, total_b * rest / n)
        )
    elif formula != "two-term":
        raise ValueError(
            f"log_likelihood: formula must be 'two-term' or 'four-term', not {formula!r}"
        )
    return np.maximum(g2, 0.0)


def _o_ln_o_e(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """O ln(O / E), with 0 when O is 0 (its limit)."""
    out = np.zeros_like(observed, dtype=float)
    pos = observed > 0
    out[pos] = observed[pos] * np.log(observed[pos] / expected[pos])
    return out


def p_value(g2) -> np.ndarray:
    """Upper-tail probability of χ² with one degree of freedom: erfc(sqrt(G² / 2)).

    >>> round(float(p_value(3.841459)), 3)
    0.05
    """
    # chi2(1) is a squared standard normal, so its tail is erfc(sqrt(x / 2)); scipy's
    # chi2.sf gives the same numbers but is much slower over a large vocabulary
    return special.erfc(np.sqrt(np.maximum(np.asarray(g2, dtype=float), 0.0) / 2))


def log_ratio(a, b, total_a, total_b, zero: float = 0.5) -> np.ndarray:
    """Hardie's Log Ratio: log2 of the ratio of the two relative frequencies.

    log2((a / total_a) / (b / total_b)). +1 means twice as frequent in A, -1 half as
    frequent. A zero count is replaced by ``zero`` (0.5, as in Hardie 2014, "Log Ratio: an
    informal introduction") so that a term found in one corpus only gets a finite value; that
    value is a floor, not an estimate, and the table flags such terms in ``only_in``.

    Examples
    --------
    >>> float(log_ratio(8, 2, 1000, 1000)), float(log_ratio(4, 0, 1000, 1000))
    (2.0, 3.0)
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    a, b = np.where(a == 0, zero, a), np.where(b == 0, zero, b)
    return np.log2((a / total_a) / (b / total_b))


KEYNESS_COLUMNS = [
    "term", "ngram", "count_a", "count_b", "per_10k_a", "per_10k_b",
    "g2", "p_value", "significant", "log_ratio", "key_for", "only_in",
]  # fmt: skip
#: G² at which one test is significant at 5 % (the chi-square quantile with one degree of
#: freedom, 3.84): the ``significant`` column of :func:`keyness`.
KEYNESS_THRESHOLD = float(stats.chi2.ppf(0.95, df=1))


def keyness(
    tm: TermMatrix,
    group,
    labels: tuple[str, str] = ("A", "B"),
    formula: str = "two-term",
    min_count: int = 1,
) -> pd.DataFrame:
    """Terms whose frequency differs between two groups of articles.

    Parameters
    ----------
    tm : TermMatrix
    group : array-like of bool (or pandas nullable boolean), one per article in ``tm.ids``
        True = group A, False = group B, missing (NA) = left out (e.g. an unknown date).
        Read by position, in the order of ``tm.ids`` (the order of the articles table).
    labels : (str, str)
        Names of groups A and B, used in ``key_for`` and ``only_in``.
    formula : "two-term" or "four-term"
        See :func:`log_likelihood`.
    min_count : int
        Keep terms seen at least this often in the two groups together.

    Returns
    -------
    DataFrame
        One row per term, sorted by G² (largest first): ``term, ngram, count_a, count_b,
        per_10k_a, per_10k_b, g2, p_value, significant, log_ratio, key_for, only_in``.
        ``significant`` is G² >= :data:`KEYNESS_THRESHOLD` (p < 0.05 for that one term: with
        thousands of terms tested some pass by chance, so it rules the weakest out and proves
        nothing about the rest). Corpus sizes are token counts with stop words included,
        counted separately for unigrams and bigrams (bigram slots = tokens - 1 per article).
        ``only_in`` names the group a term was found in when the other group has none of it
        ('' otherwise). When either group is empty the table is empty and a warning says why.

    Notes
    -----
    G² treats every token as an independent draw. Words in news come in bursts (one article
    repeats a name twenty times), so with few articles the p-values are far too small:
    read them as a ranking, not as evidence about a population.

    Examples
    --------
    >>> tm = build_matrix(pd.Series(["غاز غاز غاز سلام", "سلام سلام"], index=["x", "y"]))
    >>> table = keyness(tm, [True, False], labels=("x", "y"))
    >>> unigrams = table[table["ngram"] == 1]
    >>> unigrams[["term", "only_in"]].iloc[0].tolist(), int(unigrams["count_a"].iloc[0])
    (['غاز', 'x'], 3)
    """
    in_a, in_b = _group_rows(group, len(tm.ids))
    if not in_a.any() or not in_b.any():
        empty = labels[0] if not in_a.any() else labels[1]
        warnings.warn(
            f"keyness: group {empty!r} has no article, so there is nothing to compare; "
            "choose a split with articles on both sides",
            stacklevel=2,
        )
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    # one sparse product per group instead of selecting rows: the sums are all that is needed
    counts_a = in_a.astype(np.int64) @ tm.counts
    counts_b = in_b.astype(np.int64) @ tm.counts
    ngram = tm.ngram
    keep = (counts_a + counts_b) >= min_count
    parts = []
    for n in np.unique(ngram[keep]):
        # corpus sizes per n-gram length: an article of T tokens has T - n + 1 slots
        size_a = int(np.maximum(tm.n_tokens[in_a] - n + 1, 0).sum())
        size_b = int(np.maximum(tm.n_tokens[in_b] - n + 1, 0).sum())
        cols = np.flatnonzero(keep & (ngram == n))
        if size_a and size_b:
            parts.append(_keyness_columns(cols, counts_a[cols], counts_b[cols], size_a, size_b,
                                          formula))  # fmt: skip
    return _keyness_table(tm.vocabulary, ngram, parts, labels)


def _keyness_table(vocabulary, ngram, parts: list[dict], labels: tuple[str, str]):
    """:func:`keyness`'s table from its per-n-gram columns, sorted by G² then term."""
    if not parts:
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    found = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    order = np.lexsort((found["col"], -found["g2"]))  # G² descending, then term (column order)
    found = {name: values[order] for name, values in found.items()}
    a, b, lr, cols = found["count_a"], found["count_b"], found["log_ratio"], found.pop("col")
    table = pd.DataFrame(
        {
            "term": vocabulary[cols],
            "ngram": ngram[cols],
            **found,
            "key_for": np.where(lr > 0, labels[0], np.where(lr < 0, labels[1], "")),
            "only_in": np.where(b == 0, labels[0], np.where(a == 0, labels[1], "")),
        }
    )[KEYNESS_COLUMNS]
    table.attrs["labels"] = tuple(labels)
    return table


def _group_rows(group, n_articles: int) -> tuple[np.ndarray, np.ndarray]:
    """Boolean rows of group A and of group B from True / False / NA values, one per article."""
    values = group.to_numpy() if isinstance(group, pd.Series) else list(group)
    mask = pd.array(values, dtype="boolean")
    if len(mask) != n_articles:
        raise ValueError(f"keyness: group has {len(mask)} values for {n_articles} articles")
    return np.asarray(mask.fillna(False), dtype=bool), np.asarray((~mask).fillna(False), dtype=bool)


def _keyness_columns(cols, a, b, size_a: int, size_b: int, formula: str) -> dict:
    """The statistics of :func:`keyness` for terms of one n-gram length (same corpus sizes)."""
    g2 = log_likelihood(a, b, size_a, size_b, formula=formula)
    return {
        "col": cols,
        "count_a": a,
        "count_b": b,
        "per_10k_a": 1e4 * a / size_a,
        "per_10k_b": 1e4 * b / size_b,
        "g2": g2,
        "p_value": p_value(g2),
        "significant": g2 >= KEYNESS_THRESHOLD,
        "log_ratio": log_ratio(a, b, size_a, size_b),
    }


def top_keyness(table: pd.DataFrame, n: int = DEFAULT_KEYNESS_N) -> pd.DataFrame:
    """The ``n`` strongest key terms for each side (by G²), A's first then B's."""
    if table.empty:
        return table
    labels = table.attrs.get("labels") or [x for x in table["key_for"].unique() if x]
    return pd.concat([table[table["key_for"] == lab].head(n) for lab in labels], ignore_index=True)


def significant_summary(table: pd.DataFrame, limit: int = 12) -> str:
    """One line per side: how many key terms pass :data:`KEYNESS_THRESHOLD`, and the first few.

    >>> t = pd.DataFrame({"term": ["a", "b", "c"], "key_for": ["X", "X", "Y"],
    ...                   "significant": [True, False, False]})
    >>> t.attrs["labels"] = ("X", "Y")
    >>> print(significant_summary(t))
    X: 1 term with G² >= 3.84: a
    Y: no term with G² >= 3.84
    """
    lines = []
    for side in table.attrs.get("labels") or [x for x in dict.fromkeys(table["key_for"]) if x]:
        passing = table.loc[(table["key_for"] == side) & table["significant"], "term"]
        head = f"{side}: {len(passing) or 'no'} term{'s' if len(passing) > 1 else ''} with G² >= "
        head += f"{KEYNESS_THRESHOLD:.2f}"
        lines.append(f"{head}: {capped_list(passing, limit=limit)}" if len(passing) else head)
    return "\n".join(lines)


def exclusive_terms(table: pd.DataFrame, label: str, n: int = DEFAULT_KEYNESS_N) -> pd.DataFrame:
    """The ``n`` most frequent terms found in group ``label`` only (none in the other group).

    Sorted by count in that group, then by G², then alphabetically.
    """
    if table.empty:
        return table
    part = table[table["only_in"] == label].copy()
    part["count"] = np.where(part["count_a"] > 0, part["count_a"], part["count_b"])
    part = part.sort_values(["count", "g2", "term"], ascending=[False, False, True])
    return part.drop(columns="count").head(n).reset_index(drop=True)


def reference_keyness(
    articles: pd.DataFrame,
    reference: pd.DataFrame,
    labels: tuple[str, str] = ("this corpus", "reference"),
    settings: TermSettings = SETTINGS,
    formula: str = "two-term",
) -> pd.DataFrame:
    """Keyness of a corpus against a reference corpus (e.g. general news of the same years).

    Both corpora are counted in one :func:`build_matrix` (same tokens, same normalisation,
    same stop words), then compared with :func:`keyness`: group A is ``articles``, group B
    ``reference``. Ids may repeat across the two (they are kept apart). The reference's
    words only count; its idf plays no part, since keyness uses raw counts.

    >>> mine = pd.DataFrame({"id": ["a"], "text": ["غاز غاز غاز سلام"]})
    >>> ref = pd.DataFrame({"id": ["a"], "text": ["سلام سلام سلام غاز"]})
    >>> table = reference_keyness(mine, ref)
    >>> table.loc[table["ngram"] == 1, ["term", "count_a", "count_b", "key_for"]].values.tolist()
    [['سلام', 1, 3, 'reference'], ['غاز', 3, 1, 'this corpus']]
    """
    for name, frame in (("articles", articles), ("reference", reference)):
        if frame.empty:
            raise ValueError(f"reference_keyness: {name} has no article; check its path")
    texts = pd.concat(
        [
            pd.Series(articles["text"].to_numpy(), index=[f"A:{i}" for i in articles["id"]]),
            pd.Series(reference["text"].to_numpy(), index=[f"B:{i}" for i in reference["id"]]),
        ]
    )
    tm = build_matrix(texts, settings)
    group = np.r_[np.ones(len(articles), dtype=bool), np.zeros(len(reference), dtype=bool)]
    return keyness(tm, group, labels=labels, formula=formula)


def date_mask(articles: pd.DataFrame, start: str, end: str) -> pd.Series:
    """True for articles dated from ``start`` to ``end`` (inclusive), NA when the date is unknown.

    >>> df = pd.DataFrame({"date": pd.to_datetime(["2022-01-10", "2019-12-15", None])})
    >>> date_mask(df, "2022-01-01", "2022-01-31").tolist()
    [True, False, <NA>]
    """
    dates = pd.to_datetime(articles["date"])
    inside = (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))
    return pd.Series(pd.array(inside, dtype="boolean"), index=articles.index).mask(dates.isna())


CRISIS_WINDOW = ("2022-01-01", "2022-01-31")  # the unrest and its aftermath in Kazakhstan
WIRE = "Xinhua"


def standard_groups(articles: pd.DataFrame) -> dict[str, tuple[pd.Series, tuple[str, str]]]:
    """The two splits notebook 03 compares: ``{name: (group A mask, (label A, label B))}``.

    ``"crisis"``: dated within :data:`CRISIS_WINDOW` against dated otherwise (undated articles
    are left out). ``"outlet"``: Xinhua against every other outlet (unknown outlet left out).

    >>> df = pd.DataFrame({"date": pd.to_datetime(["2022-01-10", None]),
    ...                    "outlet": ["Xinhua", "Kazinform"]})
    >>> [(mask.tolist(), labels) for mask, labels in standard_groups(df).values()]
    [([True, <NA>], ('January 2022', 'other dates')), ([True, False], ('Xinhua', 'other outlets'))]
    """
    outlet = articles["outlet"] if "outlet" in articles else pd.Series(pd.NA, index=articles.index)
    known = outlet.notna() & (outlet.astype("string").str.strip() != "")
    is_wire = pd.Series(pd.array(outlet.eq(WIRE), dtype="boolean"), index=articles.index)
    return {
        "crisis": (date_mask(articles, *CRISIS_WINDOW), ("January 2022", "other dates")),
        "outlet": (is_wire.mask(~known), (WIRE, "other outlets")),
    }


# ---------------------------------------------------------------------------------------------
# Looking terms up: counts of chosen terms, surface forms, glossary

# A short teaching list for notebook 03; notebook 04's frame lexicon is the full instrument.
FRAMING_BIGRAMS: dict[str, list[str]] = {
    "external forces": ["القوى الخارجية", "قوى خارجية", "القوة الخارجية"],
    "colour revolution": ["الثورة الملونة", "ثورة ملونة", "الثورات الملونة", "ثورات ملونة"],
    "three evil forces": ["قوى الشر", "القوى الشريرة"],
    "terrorist attacks / acts": ["هجمات إرهابية", "عملا ارهابيا", "النشاط الارهابى"],
    "strategic partner(ship)": ["الشراكة الاستراتيجية", "شريكا استراتيجيا",
                                            "شراكة استراتيجية", "شريك استراتيجى"],
    "gas prices": ["أسعار الغاز"],
}  # fmt: skip


def term_table(tm: TermMatrix, terms: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Counts and TF-IDF weights of chosen terms in every article, variants summed.

    ``terms`` maps a label to spellings as written (they are normalised here, so "القوى
    الخارجية" finds the term "القوي الخارجيه"). Spellings not in the vocabulary count 0.

    Returns
    -------
    DataFrame
        ``id, label, count, weight, variants`` (variants = the normalised spellings found).

    Examples
    --------
    >>> tm = build_matrix(pd.Series(["ثورة ملونة", "الثورات الملونة"], index=["a", "b"]))
    >>> term_table(tm, {"colour revolution": ["ثورة ملونة", "الثورات الملونة"]})["count"].tolist()
    [1, 1]
    """
    parts = []
    for label, spellings in terms.items():
        cols = _columns_of(tm.vocabulary, [arabic.normalize(s) for s in spellings])
        found = tm.counts[:, cols].tocsr()
        found.sort_indices()  # variants in vocabulary order
        variants = np.full(len(tm), "", dtype=object)
        for r in np.flatnonzero(np.diff(found.indptr)):  # only the articles with any
            variants[r] = ", ".join(
                tm.vocabulary[cols[found.indices[found.indptr[r] : found.indptr[r + 1]]]]
            )
        parts.append(
            pd.DataFrame(
                {
                    "id": tm.ids.to_numpy(),
                    "label": label,
                    "count": np.asarray(found.sum(axis=1), dtype=np.int64).ravel(),
                    "weight": np.asarray(tm.matrix[:, cols].sum(axis=1), dtype=float).ravel(),
                    "variants": variants,
                }
            )
        )
    columns = ["id", "label", "count", "weight", "variants"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def top_term_table(
    table: pd.DataFrame, value: str = "count", max_articles: int = 30
) -> pd.DataFrame:
    """The rows of :func:`term_table` for the articles a heatmap of it shows.

    Articles in which none of the terms occur are left out; beyond ``max_articles`` articles
    with terms, those with the highest total ``value`` are kept (ties: the earlier article),
    in the table's order. ``attrs`` records ``n_articles`` (articles in ``table``) and
    ``n_with_any`` (those with any of the terms). Draw it with
    :func:`helpers.plots.plot_term_table`.

    >>> t = pd.DataFrame({"id": ["a", "b", "c"], "label": ["x"] * 3, "count": [0, 2, 1]})
    >>> shown = top_term_table(t, max_articles=1)
    >>> shown["id"].tolist(), shown.attrs
    (['b'], {'n_articles': 3, 'n_with_any': 2})
    """
    order = list(dict.fromkeys(table["id"]))
    totals = table.groupby("id", sort=False)[value].sum().reindex(order)
    with_any = totals[totals > 0]
    keep = set(with_any.sort_values(ascending=False, kind="stable").index[:max_articles])
    shown = table[table["id"].isin(keep)].copy()
    shown.attrs = {"n_articles": len(order), "n_with_any": len(with_any)}
    return shown


def _columns_of(vocabulary: np.ndarray, wanted: Sequence[str]) -> np.ndarray:
    """Sorted column indices of the ``wanted`` terms that are in the (sorted) vocabulary."""
    wanted = np.array(sorted(set(wanted)), dtype=object)
    at = np.searchsorted(vocabulary, wanted)
    inside = at < len(vocabulary)
    at = at[inside]
    return at[vocabulary[at] == wanted[inside]].astype(np.intp)


def notebook_terms(articles: pd.DataFrame, tm: TermMatrix | None = None) -> list[str]:
    """Every Arabic term notebook 03 shows for ``articles``, in first-shown order.

    The same choices as the notebook: the top :data:`DEFAULT_TOP_K` terms of the articles
    drawn in the small multiples (at most :data:`DEFAULT_PANELS`), the
    framing bigrams found, and for each of :func:`standard_groups` the
    :data:`DEFAULT_KEYNESS_N` strongest key terms per side and the terms found on one side
    only. The glossary test uses it; a notebook can list the gaps on a user's corpus.
    """
    tm = tm if tm is not None else build_matrix(articles)
    top = top_terms(tm, DEFAULT_TOP_K)
    panels = sample_ids(top["id"].unique(), DEFAULT_PANELS)  # as plots.plot_top_terms draws them
    shown = list(top[top["id"].isin(panels)]["term"])
    framing = term_table(tm, FRAMING_BIGRAMS)
    shown += [v for cell in framing["variants"] if cell for v in cell.split(", ")]
    for mask, labels in standard_groups(articles).values():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # an empty side: nothing shown
            table = keyness(tm, mask, labels=labels)
        shown += list(top_keyness(table)["term"])
        for label in labels:
            shown += list(exclusive_terms(table, label)["term"])
    return list(dict.fromkeys(shown))


def group_term_table(
    tm: TermMatrix, terms: Mapping[str, Sequence[str]], group, labels: tuple[str, str] = ("A", "B")
) -> pd.DataFrame:
    """How often chosen terms occur in each of two groups of articles (variants summed).

    ``group`` is read as in :func:`keyness` (True = A, False = B, NA = left out).

    Returns
    -------
    DataFrame
        One row per label: ``label``, the count in each group (columns named after
        ``labels``), and ``articles_<label>``: how many articles of the group use it.

    Examples
    --------
    >>> tm = build_matrix(pd.Series(["أسعار الغاز", "الغاز", "سلام"], index=list("abc")))
    >>> t = group_term_table(tm, {"gas prices": ["أسعار الغاز"]}, [True, False, False])
    >>> t.to_dict("records")
    [{'label': 'gas prices', 'A': 1, 'B': 0, 'articles_A': 1, 'articles_B': 0}]
    """
    mask = pd.array(list(group), dtype="boolean")
    in_a = np.asarray(mask.fillna(False), dtype=bool)
    in_b = np.asarray((~mask).fillna(False), dtype=bool)
    per_article = term_table(tm, terms)
    rows = []
    for label, part in per_article.groupby("label", sort=False):
        counts = part["count"].to_numpy()
        rows.append(
            {
                "label": label,
                labels[0]: int(counts[in_a].sum()),
                labels[1]: int(counts[in_b].sum()),
                f"articles_{labels[0]}": int((counts[in_a] > 0).sum()),
                f"articles_{labels[1]}": int((counts[in_b] > 0).sum()),
            }
        )
    return pd.DataFrame(rows)


def split_summary(group, labels: tuple[str, str]) -> tuple[bool, str]:
    """Whether a split has articles on both sides, and one sentence saying how many.

    >>> split_summary(pd.array([True, False, None], dtype="boolean"), ("Xinhua", "others"))
    (True, '1 article(s) in Xinhua, 1 in others, 1 left out (unknown).')
    """
    mask = pd.array(list(group), dtype="boolean")
    n_a, n_b = int(mask.fillna(False).sum()), int((~mask).fillna(False).sum())
    n_na = int(mask.isna().sum())
    text = f"{n_a} article(s) in {labels[0]}, {n_b} in {labels[1]}, {n_na} left out (unknown)."
    return (n_a > 0 and n_b > 0), text


def explain_weight(tm: TermMatrix, doc_id, term: str) -> pd.Series:
    """Recompute one TF-IDF weight step by step from the raw counts (for teaching).

    Returns tf, df, n, the tf part, the idf part, the raw weight, the length of the
    article's raw weight vector, the normalised weight, and the weight in ``tm.matrix``;
    the last two agree.

    >>> tm = build_matrix(pd.Series(["سلام سلام أمن", "أمن"], index=["a", "b"]))
    >>> e = explain_weight(tm, "a", "سلام")
    >>> int(e["tf"]), int(e["df"]), bool(abs(e["weight"] - e["weight_in_matrix"]) < 1e-12)
    (2, 1, True)
    """
    s = tm.settings
    row, col = tm.ids.get_loc(doc_id), list(tm.vocabulary).index(arabic.normalize(term))
    counts = tm.counts[row].toarray().ravel().astype(float)
    n = len(tm.ids)
    df = np.asarray((tm.counts > 0).sum(axis=0)).ravel().astype(float)
    idf = np.log((1 + n) / (1 + df)) + 1 if s.smooth_idf else np.log(n / df) + 1
    tf = np.where(counts > 0, 1 + np.log(np.where(counts > 0, counts, 1)), 0)
    tf = tf if s.sublinear_tf else counts
    raw = tf * idf
    length = float(np.sqrt((raw**2).sum()))
    return pd.Series(
        {
            "tf": counts[col],
            "df": df[col],
            "n": n,
            "tf_part": tf[col],
            "idf_part": idf[col],
            "raw_weight": raw[col],
            "row_length": length,
            "weight": raw[col] / length,
            "weight_in_matrix": float(tm.matrix[row, col]),
        },
        name=f"{doc_id}: {term}",
    )


def article_titles(articles: pd.DataFrame, width: int = 24, outlet: bool = True) -> dict:
    """Short plot titles per article id: ``id · date · outlet`` (each part shortened).

    ``width`` caps the id and the outlet; ``outlet=False`` leaves the outlet out (tick labels).

    >>> df = pd.DataFrame({"id": ["000_ab"], "date": pd.to_datetime(["2022-01-10"]),
    ...                    "outlet": ["Xinhua"]})
    >>> article_titles(df), article_titles(df, width=5, outlet=False)
    ({'000_ab': '000_ab · 2022-01-10 · Xinhua'}, {'000_ab': '00…ab · 2022-01-10'})
    """

    def short(value) -> str:  # keep both ends: ids often share a prefix and differ at the end
        text = str(value)
        if len(text) <= width:
            return text
        head = max(1, (width - 1) // 2)
        return (
            f"{text[:head]}…{text[-(width - 1 - head) :]}"
            if width - 1 - head
            else text[:head] + "…"
        )

    no_date = pd.Series(pd.NaT, index=articles.index)
    dates = pd.to_datetime(articles["date"]) if "date" in articles else no_date
    titles = articles["id"].map(short) + " · " + dates.dt.strftime("%Y-%m-%d").fillna("undated")
    if outlet and "outlet" in articles:
        has = articles["outlet"].map(lambda v: isinstance(v, str) and bool(v.strip()))
        named = titles + " · " + articles["outlet"].where(has, "").map(short)
        titles = named.where(has, titles)
    return dict(zip(articles["id"], titles, strict=True))


_MARK_CATEGORIES = {"Mn", "Me"}


def _token_spans(text: str, pattern: re.Pattern) -> tuple[list[str], list[str]]:
    """Normalised tokens of ``text`` (the vectoriser's regex) and their original spellings."""
    norm, offsets = arabic.normalize_with_offsets(text)
    tokens, surfaces = [], []
    for m in pattern.finditer(norm):
        start, end = m.span(1) if pattern.groups else m.span()
        if start == end:
            continue
        lo, hi = offsets[start], offsets[end - 1] + 1
        # take along the marks and tatweel that normalisation deleted at the word's end
        while hi < len(text) and (
            text[hi] == "\u0640" or unicodedata.category(text[hi]) in _MARK_CATEGORIES
        ):
            hi += 1
        tokens.append(norm[start:end])
        surfaces.append(text[lo:hi])
    return tokens, surfaces


def texts_with(tm: TermMatrix, texts: Sequence[str], terms: Iterable[str]) -> list[str]:
    """The texts (in corpus order) of the articles whose counts hold any of ``terms``.

    ``texts`` are the articles' original texts in the order of ``tm.ids``. Give the result to
    :func:`surface_forms` (or :func:`with_glosses`) so that it reads
    only articles where the terms occur, not every article of a large corpus.

    >>> tm = build_matrix(pd.Series(["سلام", "حرب", "سلام أمن"], index=list("abc")))
    >>> texts_with(tm, ["سلام", "حرب", "سلام أمن"], ["سلام"])
    ['سلام', 'سلام أمن']
    """
    texts = list(texts)
    if len(texts) != len(tm):
        raise ValueError(f"texts_with: {len(texts)} texts for {len(tm)} articles")
    cols = _columns_of(tm.vocabulary, list(terms))
    rows = np.flatnonzero(np.diff(tm.counts[:, cols].tocsr().indptr))
    return [texts[r] for r in rows]


SURFACE_SAMPLE = 100  # occurrences of a term read to find its usual spelling


def surface_forms(
    texts: Iterable[str], terms: Iterable[str] | None = None, enough: int = SURFACE_SAMPLE
) -> dict[str, str]:
    """The most frequent original spelling of each normalised term (for showing to readers).

    Tokens are found with the vectoriser's own regex on the normalised text and mapped back
    to the original with :func:`helpers.arabic.normalize_with_offsets`. A bigram's surface is
    its two words' surfaces joined by one space (whatever punctuation stood between them is
    not shown). Ties go to the spelling seen first. Only ``terms`` are looked up when given,
    and then only in their first ``enough`` occurrences (texts in the order given): the
    offset mapping runs in Python, and a common word would otherwise send nearly every
    article of a large corpus through it. What is lost: a spelling that is rare early on
    and frequent later can lose to one that leads in those first occurrences.

    Examples
    --------
    >>> texts = ["القُوى الخارجية", "القوى الخارجية", "القوى الخارجية", "دعم قوي"]
    >>> surface_forms(texts, ["القوي الخارجيه", "قوي"])
    {'القوي الخارجيه': 'القوى الخارجية', 'قوي': 'قوي'}
    """
    pending = None if terms is None else {t: t.split(" ") for t in terms}
    pattern = re.compile(SETTINGS.token_pattern)
    seen: dict[str, Counter] = defaultdict(Counter)
    texts = list(texts)
    normalised = arabic.normalize_series(pd.Series(texts, dtype=object)) if pending else texts
    for text, norm in zip(texts, normalised, strict=True):
        # cheap pre-check before the slower offset mapping
        if pending is not None and not any(all(p in norm for p in v) for v in pending.values()):
            continue
        tokens, surfaces = _token_spans(text, pattern)
        for i, tok in enumerate(tokens):
            if pending is None or tok in pending:
                seen[tok][surfaces[i]] += 1
            if i + 1 < len(tokens):
                bigram = f"{tok} {tokens[i + 1]}"
                if pending is None or bigram in pending:
                    seen[bigram][f"{surfaces[i]} {surfaces[i + 1]}"] += 1
        if pending is not None:
            pending = {t: parts for t, parts in pending.items() if seen[t].total() < enough}
            if not pending:
                break
    return {term: forms.most_common(1)[0][0] for term, forms in seen.items() if forms}


def load_glossary(path: Path = GLOSSARY_PATH) -> pd.DataFrame:
    """The curated glossary with a ``key`` column: the Arabic normalised with DEFAULT steps.

    Raises a one-line error naming the file when a column is missing, an English gloss is
    empty, or two rows normalise to the same key (merge them into one row).
    """
    table = pd.read_csv(path, dtype=str, keep_default_na=False, comment=None)
    expected = ["arabic", "transliteration", "english", "note"]
    if list(table.columns) != expected:
        raise ValueError(f"{path}: columns must be {expected}, found {list(table.columns)}")
    blank = table.index[(table["arabic"].str.strip() == "") | (table["english"].str.strip() == "")]
    if len(blank):
        raise ValueError(f"{path}: rows {[i + 2 for i in blank]} lack an Arabic term or English")
    table["key"] = table["arabic"].map(arabic.normalize).str.strip()
    dupes = table["key"][table["key"].duplicated()].tolist()
    if dupes:
        raise ValueError(
            f"{path}: these entries normalise to the same term, merge them into one row: {dupes}"
        )
    return table


@cache
def _gloss_index(path: Path = GLOSSARY_PATH) -> dict[str, str]:
    table = load_glossary(path)
    return dict(zip(table["key"], table["english"], strict=True))


_HAS_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def gloss(term: str, path: Path = GLOSSARY_PATH) -> str:
    """English gloss of an Arabic term from ``data/glossary.csv``, or ``"(no gloss)"``.

    The term may be written in its original or its normalised spelling. A term without any
    Arabic letter (a number, a Latin acronym) is its own gloss.

    >>> gloss("القوى الخارجية"), gloss("164"), gloss("كلمةغيرموجودة")
    ('external forces', '164', '(no gloss)')
    """
    if not _HAS_ARABIC.search(term):
        return term
    return _gloss_index(path).get(arabic.normalize(term).strip(), NO_GLOSS)


def missing_glosses(terms: Iterable[str], path: Path = GLOSSARY_PATH) -> list[str]:
    """Terms (in first-seen order, without repeats) that the glossary does not cover yet."""
    return [t for t in dict.fromkeys(terms) if gloss(t, path) == NO_GLOSS]


def with_glosses(table: pd.DataFrame, texts: Iterable[str] | None = None) -> pd.DataFrame:
    """``table`` with two columns put first: ``written`` (usual original spelling of its
    ``term``, looked up in ``texts`` when given) and ``english`` (the glossary's gloss).

    >>> with_glosses(pd.DataFrame({"term": ["القوي الخارجيه"]}), ["القوى الخارجية"])
    ... # doctest: +NORMALIZE_WHITESPACE
              written          english            term
    0  القوى الخارجية  external forces  القوي الخارجيه
    """
    surfaces = surface_forms(texts, table["term"]) if texts is not None else {}
    out = table.copy()
    out.insert(0, "english", [gloss(t) for t in table["term"]])
    out.insert(0, "written", [surfaces.get(t, t) for t in table["term"]])
    return out


def display_label(term: str, surfaces: Mapping[str, str] | None = None) -> str:
    """A plot label: the term's usual original spelling over its English gloss.

    A term the glossary does not cover, or that is its own gloss (a number), gets no second
    line (rather than "(no gloss)" on every bar of a user's corpus); :func:`missing_glosses`
    lists the uncovered terms.

    >>> len(display_label("كلمةغيرموجودة").splitlines())  # one line: the word, no gloss
    1
    >>> display_label("القوى الخارجية").splitlines()[-1]
    'external forces'
    """
    shown = (surfaces or {}).get(term, term)
    english = gloss(term)
    missing = english == NO_GLOSS or english in (term, shown)  # "164" is its own gloss
    return bilingual(shown, None if missing else english)


def capped_list(items: Iterable, limit: int = 15, sep: str = ", ") -> str:
    """The first ``limit`` items joined by ``sep``, then "and N more" for the rest.

    For lists printed in a notebook that grow with the corpus (unglossed terms, ids). What
    is lost: the items past ``limit``; keep the full list in a variable or a file.

    >>> capped_list(["الصين", "روسيا", "قازاقستان"], limit=2)
    'الصين, روسيا and 1 more'
    >>> capped_list([])
    'none'
    """
    items = [str(i) for i in items]
    if not items:
        return "none"
    head = sep.join(items[:limit])
    return head if len(items) <= limit else f"{head} and {len(items) - limit} more"


# ---------------------------------------------------------------------------------------------
# Which articles a chart shows, and in what order


def sample_ids(ids: Sequence, n: int, seed: int = SAMPLE_SEED) -> list:
    """At most ``n`` ids: all of them when there are few, else a fixed random sample in order."""
    ids = list(ids)
    if len(ids) <= n:
        return ids
    picked = np.random.default_rng(seed).choice(len(ids), size=n, replace=False)
    return [ids[i] for i in sorted(picked)]


def order_by_similarity(sim: pd.DataFrame) -> list:
    """A reading order that puts similar articles next to each other.

    Greedy nearest-neighbour chain: start from the article with the highest mean similarity,
    then repeatedly take the most similar article not yet placed (ties: the earlier one).
    """
    values = sim.to_numpy().copy()
    np.fill_diagonal(values, -np.inf)
    remaining = list(range(len(values)))
    if not remaining:
        return []
    current = int(np.argmax(np.where(np.isfinite(values), values, 0).mean(axis=1)))
    order = [current]
    remaining.remove(current)
    while remaining:
        current = max(remaining, key=lambda j: (values[current, j], -j))
        order.append(current)
        remaining.remove(current)
    return [sim.index[i] for i in order]


__all__ = [
    "CRISIS_WINDOW",
    "DEFAULT_KEYNESS_N",
    "DEFAULT_PANELS",
    "DEFAULT_TOP_K",
    "FRAMING_BIGRAMS",
    "GLOSSARY_PATH",
    "KEYNESS_COLUMNS",
    "KEYNESS_THRESHOLD",
    "NO_GLOSS",
    "SETTINGS",
    "WIRE",
    "TermMatrix",
    "TermSettings",
    "article_titles",
    "build_matrix",
    "capped_list",
    "count_terms",
    "date_mask",
    "display_label",
    "exclusive_terms",
    "explain_weight",
    "gloss",
    "group_term_table",
    "keyness",
    "load_glossary",
    "log_likelihood",
    "log_ratio",
    "missing_glosses",
    "most_similar_pairs",
    "notebook_terms",
    "order_by_similarity",
    "p_value",
    "pairs_above",
    "reference_keyness",
    "sample_ids",
    "significant_summary",
    "similarity",
    "split_summary",
    "standard_groups",
    "surface_forms",
    "term_table",
    "texts_with",
    "top_keyness",
    "top_term_table",
    "with_glosses",
]
