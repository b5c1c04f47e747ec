"""The batch run: the notebooks' helpers, block by block, on a Dask scheduler.

Every number comes from the helpers the notebooks call, applied to one block
(:mod:`batch.partitions`) at a time; only small tables cross blocks:

1. **index pass** (one task per table file): lines or row groups, to cut the blocks;
2. **id pass** (one task per block): which record keeps an id that several records claim
   (``file, record, id`` of every record goes to the client: ids, never text);
3. **first pass** (one task per block): :func:`helpers.corpus.load_records`,
   :func:`helpers.frames.frame_hits`, :func:`helpers.frames.frame_rates` and
   :func:`helpers.terms.count_terms`; the block's tables go to Parquet, and it returns its
   document frequencies and its load-report counts;
4. **reductions**: document frequencies summed over blocks, in a tree of merges; the
   per-article frame rates pooled by :func:`helpers.frames.corpus_rates`;
5. **second pass** (one task per block): the block's terms counted again, weighted with the
   *global* idf (n = every loaded article) by the ``TfidfTransformer`` of
   :data:`helpers.terms.SETTINGS`, and ranked by :func:`helpers.terms.top_terms`.

TF-IDF therefore uses an exact vocabulary and two passes: every second-pass task holds the
whole table of document frequencies (terms and counts) besides its block. Token totals
are sums of per-block sums; so are the pooled frame counts, but their interval resamples
whole articles, so one task pools every article's counts (numbers, no text,
:func:`pooled_rates`). The load report has one row per
record of every block, as :func:`helpers.corpus.load_with_report` gives.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from batch import partitions
from batch.partitions import Part
from helpers import arabic, corpus, frames, terms

#: Tables written one Parquet file per block, in a folder of the same name.
PART_TABLES = ("articles", "load_report", "frame_hits", "frame_rates", "top_terms")
#: Tables of the whole corpus, one Parquet file each.
CORPUS_RATES, DOC_FREQS = "corpus_frame_rates.parquet", "document_frequencies.parquet"
MANIFEST = corpus.BATCH_MANIFEST
DEFAULT_PARTITION_SIZE = 5000  # records (lines, .txt files) per block
MERGE_FAN_IN = 8  # document-frequency tables merged by one reduction task


# ---------------------------------------------------------------------------------------------
# Per block
# ---------------------------------------------------------------------------------------------


def _part_file(out: Path, table: str, index: int) -> Path:
    return out / table / f"part-{index:05d}.parquet"


def load_part(part: Part, first_claims: dict | None) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """``(articles, report, loader warnings' messages)`` of one block."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records, curated = partitions.read_records(part, first_claims)
        articles, report = corpus.load_records(records, curated)
    messages = [str(w.message) for w in caught if issubclass(w.category, corpus.CorpusWarning)]
    return articles, report, messages


def count_part(texts: pd.Series, settings: terms.TermSettings):
    """:func:`helpers.terms.count_terms` of a block's texts, normalised as by
    :func:`helpers.terms.build_matrix`."""
    return terms.count_terms(arabic.normalize_series(texts).tolist(), settings)


def _texts(articles: pd.DataFrame) -> pd.Series:
    return pd.Series(articles["text"].to_numpy(), index=pd.Index(articles["id"], name="id"))


_DF_SCHEMA = pa.schema(
    [("term", pa.large_string()), ("ngram", pa.int64()), ("df", pa.int64()), ("count", pa.int64())]
)


def _doc_freqs(vocabulary, counts, ngram) -> pa.Table:
    """``term, ngram, df, count`` of one block: articles with the term, and its occurrences."""
    n_terms = counts.shape[1]
    return pa.table(
        {
            "term": pa.array(vocabulary.tolist(), type=pa.large_string()),
            "ngram": np.asarray(ngram, dtype=np.int64),
            "df": np.bincount(counts.indices, minlength=n_terms).astype(np.int64),
            "count": np.asarray(counts.sum(axis=0), dtype=np.int64).ravel(),
        },
        schema=_DF_SCHEMA,
    )


def first_pass(index: int, part: Part, first_claims: dict, out: str, settings) -> dict:
    """Load, frame and count one block; write its tables; return what the reductions need."""
    out = Path(out)
    articles, report, messages = load_part(part, first_claims)
    hits = frames.frame_hits(articles)
    rates = frames.frame_rates(articles, hits)
    if len(articles):
        vocabulary, counts, n_tokens, ngram = count_part(_texts(articles), settings)
        doc_freqs = _doc_freqs(vocabulary, counts, ngram)
    else:
        n_tokens, doc_freqs = np.zeros(0, dtype=np.int64), _DF_SCHEMA.empty_table()
    for table, frame in zip(PART_TABLES[:4], (articles, report, hits, rates), strict=True):
        frame.to_parquet(_part_file(out, table, index), index=False)
    return {
        "index": index,
        "part": part.describe(),
        "records": len(report),
        "articles": len(articles),
        "statuses": report["status"].value_counts().to_dict(),
        "warnings": messages,
        "frame_hits": len(hits),
        "tokens": int(np.sum(n_tokens)),
        "object_columns": {
            "articles": [c for c in articles if articles[c].dtype == object],
            "load_report": [c for c in report if report[c].dtype == object],
        },
        "doc_freqs": doc_freqs,
    }


def merge_doc_freqs(*tables: pa.Table) -> pa.Table:
    """Document frequencies and counts of several blocks, summed per term.

    Terms are numbered with Arrow's hash kernel (``dictionary_encode``) and summed with
    ``numpy.bincount``: no Python object per term, and none of Acero's warnings about the
    buffers of tables that crossed a process boundary (``group_by`` gives them).
    """
    table = pa.concat_tables(tables)
    encoded = pc.dictionary_encode(table["term"].combine_chunks())
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    n_terms = len(encoded.dictionary)
    ngram = np.zeros(n_terms, dtype=np.int64)
    ngram[codes] = table["ngram"].to_numpy()
    sums = {
        column: np.bincount(codes, weights=table[column].to_numpy(), minlength=n_terms)
        for column in ("df", "count")
    }  # float64 sums of integers: exact below 2**53
    return pa.table(
        {
            "term": encoded.dictionary,
            "ngram": ngram,
            "df": sums["df"].astype(np.int64),
            "count": sums["count"].astype(np.int64),
        },
        schema=_DF_SCHEMA,
    )


def sorted_doc_freqs(table: pa.Table, out: str) -> pa.Table:
    """The corpus's table in term order (code point order, as the vocabulary of
    :func:`helpers.terms.count_terms`), written to :data:`DOC_FREQS`."""
    table = table.take(pc.sort_indices(table["term"]))
    import pyarrow.parquet as pq

    pq.write_table(table, Path(out) / DOC_FREQS)
    return table


def pooled_rates(out: str, n_blocks: int, *_after) -> int:
    """:func:`helpers.frames.corpus_rates` of every block's per-article rates, written to
    :data:`CORPUS_RATES`; returns its rows.

    Pooled counts are sums, but the interval resamples whole articles (a bootstrap over
    every article's count and words, in corpus order): one task reads the ``id, frame,
    count, n_words`` columns of all blocks, numbers without text, about 40 bytes per article
    and frame.
    """
    out = Path(out)
    columns = ["id", "frame", "count", "n_words"]
    parts = [pd.read_parquet(_part_file(out, "frame_rates", i), columns=columns)
             for i in range(n_blocks)]  # fmt: skip
    pooled = frames.corpus_rates(pd.concat(parts, ignore_index=True))
    pooled.to_parquet(out / CORPUS_RATES, index=False)
    return len(pooled)


def global_idf(df: np.ndarray, n_articles: int, settings: terms.TermSettings) -> np.ndarray:
    """The idf of the module formula of :mod:`helpers.terms` for document frequencies ``df``
    among ``n_articles``: ``TfidfTransformer.fit``'s arithmetic, step for step, so that the
    weights are the very floats :func:`helpers.terms.build_matrix` gives on the whole corpus
    (``tests/test_batch.py`` checks they are equal)."""
    df = df.astype(np.float64) + float(settings.smooth_idf)
    idf = np.full_like(df, fill_value=n_articles + int(settings.smooth_idf), dtype=np.float64)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    return idf


def second_pass(
    index: int, summary: dict, doc_freqs: pa.Table, n_articles: int, out: str, settings, k: int
) -> int:
    """Weight one block's counts with the global idf and write its top ``k`` terms per article.

    Returns the number of its articles without any countable term (they get no top terms,
    as in :func:`helpers.terms.top_terms`).
    """
    out = Path(out)
    articles = pd.read_parquet(_part_file(out, "articles", index), columns=["id", "text"])
    if not len(articles):
        terms_table = pd.DataFrame(columns=["id", "rank", "term", "weight", "count"])
        terms_table.to_parquet(_part_file(out, "top_terms", index), index=False)
        return 0
    texts = _texts(articles)
    vocabulary, counts, n_tokens, ngram = count_part(texts, settings)
    where = pc.index_in(pa.array(vocabulary.tolist(), type=pa.large_string()), doc_freqs["term"])
    df = doc_freqs["df"].to_numpy()[where.to_numpy(zero_copy_only=False)]
    transformer = settings.tfidf_transformer()
    transformer.idf_ = global_idf(df, n_articles, settings)
    transformer.n_features_in_ = len(df)
    matrix = terms.TermMatrix(
        ids=texts.index,
        vocabulary=vocabulary,
        counts=counts,
        matrix=transformer.transform(counts).tocsr(),
        n_tokens=np.asarray(n_tokens, dtype=np.int64),
        ngram=ngram,
        settings=settings,
    )
    terms.top_terms(matrix, k).to_parquet(_part_file(out, "top_terms", index), index=False)
    return int((np.diff(counts.indptr) == 0).sum())


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------


@contextmanager
def scheduler(spec=None, workers: int | None = None):
    """What ``dask.compute`` runs on: ``spec`` None = this process (Dask's synchronous
    scheduler, the same task graph); ``"local"`` = a ``distributed.LocalCluster`` of
    ``workers`` single-threaded worker processes, closed on exit; an address
    (``tcp://host:8786``) = that running cluster; a ``distributed.Client`` = its cluster."""
    if spec in (None, "", "none", "synchronous"):
        yield "synchronous"
        return
    from distributed import Client, LocalCluster

    if isinstance(spec, Client):
        yield spec.get
    elif spec == "local":
        n = workers or max(1, min(4, len(os.sched_getaffinity(0))))
        with (
            LocalCluster(n_workers=n, threads_per_worker=1, processes=True) as cluster,
            Client(cluster) as client,
        ):
            yield client.get
    else:
        with Client(spec) as client:
            yield client.get


def _without_doc_freqs(summary: dict) -> dict:
    return {**summary, "doc_freqs": len(summary["doc_freqs"])}


def _doc_freqs_of(summary: dict) -> pa.Table:
    return summary["doc_freqs"]


def _count_articles(*summaries: dict) -> int:
    return sum(s["articles"] for s in summaries)


def _tree(items: list, merge):
    """Merge delayed items ``MERGE_FAN_IN`` at a time until one is left."""
    level = list(items)
    while len(level) > 1:
        level = [
            dask.delayed(merge)(*level[i : i + MERGE_FAN_IN])
            for i in range(0, len(level), MERGE_FAN_IN)
        ]
    return level[0]


def _prepare(out: Path) -> None:
    """Empty the run's own tables in ``out`` (nothing else), so no stale block is read."""
    out.mkdir(parents=True, exist_ok=True)
    for table in PART_TABLES:
        shutil.rmtree(out / table, ignore_errors=True)
        (out / table).mkdir()
    for name in (CORPUS_RATES, DOC_FREQS, MANIFEST):
        (out / name).unlink(missing_ok=True)


def run(
    source,
    out: str | Path,
    *,
    scheduler_spec=None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    workers: int | None = None,
    k: int = terms.DEFAULT_TOP_K,
    settings: terms.TermSettings = terms.SETTINGS,
) -> dict:
    """Run the helpers on ``source`` block by block and write every table to ``out``.

    ``source`` is what :func:`helpers.corpus.load_with_report` takes (None = the seeds),
    or a folder of table files. Returns the manifest (also written to ``out/batch.json``).
    """
    if settings.min_df != 1:
        raise ValueError("batch: min_df > 1 needs a global filter that is not built yet")
    if partition_size < 1:
        raise ValueError("batch: --partition-size must be at least 1")
    out = Path(out).expanduser().resolve()
    started = time.perf_counter()
    _prepare(out)
    with scheduler(scheduler_spec, workers) as get:

        def index(files: Sequence) -> list:
            tasks = [dask.delayed(partitions.index_file)(str(p), name) for p, name in files]
            return list(dask.compute(*tasks, scheduler=get))

        parts = partitions.plan(source, partition_size, index)
        claimed = dask.compute(
            *[dask.delayed(partitions.claimed_ids)(p) for p in parts], scheduler=get
        )
        firsts = corpus.first_claims(pd.concat(claimed, ignore_index=True)) if claimed else {}
        summaries = [
            dask.delayed(first_pass)(i, p, firsts, str(out), settings) for i, p in enumerate(parts)
        ]
        slim = [dask.delayed(_without_doc_freqs)(s) for s in summaries]
        n_articles = dask.delayed(_count_articles)(*slim)
        doc_freqs = dask.delayed(sorted_doc_freqs)(
            _tree([dask.delayed(_doc_freqs_of)(s) for s in summaries], merge_doc_freqs), str(out)
        )
        tops = [
            dask.delayed(second_pass)(i, s, doc_freqs, n_articles, str(out), settings, k)
            for i, s in enumerate(slim)
        ]
        pooled = dask.delayed(pooled_rates)(str(out), len(parts), *slim)
        results = dask.compute(slim, tops, dask.delayed(len)(doc_freqs), pooled, scheduler=get)
    blocks, no_terms, n_terms, _ = results
    return _finish(source, out, scheduler_spec, partition_size, blocks, no_terms, n_terms, started)


def _finish(source, out, spec, size, blocks, no_terms, n_terms, started) -> dict:
    """Write the corpus-level frame rates and the manifest; check something was loaded."""
    n_articles = sum(b["articles"] for b in blocks)
    label = "the seed corpus" if source is None else str(source)
    if n_articles == 0:
        raise corpus.CorpusError(
            f"{label}: no article could be loaded; see {out / 'load_report'} for every record."
        )
    statuses: dict[str, int] = {}
    for b in blocks:
        for status, n in b["statuses"].items():
            statuses[status] = statuses.get(status, 0) + int(n)
    object_columns = {
        key: sorted({c for b in blocks for c in b["object_columns"][key]})
        for key in ("articles", "load_report")
    }
    manifest = {
        "corpus": "seeds" if source is None else str(Path(source).expanduser().resolve()),
        "scheduler": "in process" if spec in (None, "", "none", "synchronous") else str(spec),
        "partition_size": size,
        "partitions": [b["part"] for b in blocks],
        "counts": {
            "records": sum(b["records"] for b in blocks),
            "articles": n_articles,
            "statuses": statuses,
            "frame_hits": sum(b["frame_hits"] for b in blocks),
            "tokens": sum(b["tokens"] for b in blocks),
            "terms": int(n_terms),
            "articles_without_terms": int(sum(no_terms)),
        },
        "tables": {
            **{t: f"{t}/" for t in PART_TABLES},
            "corpus_frame_rates": CORPUS_RATES,
            "document_frequencies": DOC_FREQS,
        },
        "object_columns": object_columns,
        "warnings": [m for b in blocks for m in b["warnings"]],
        "seconds": round(time.perf_counter() - started, 2),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    return manifest
