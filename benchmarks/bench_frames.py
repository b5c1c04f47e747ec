"""Time of ``helpers.frames.frame_hits`` (hits, sentences, speakers) on a real 30k-article corpus.

``frame_hits`` runs on the whole corpus in notebooks 04 and 05, so it must stay well under the
cost of the corpus's plainest text statistic, scikit-learn's
``TfidfVectorizer(ngram_range=(1, 2))`` on the raw texts: the target is **at most 0.5x that
reference**, both timed in this process on SaudiNewsNet 2015 (30,676 articles, ~96 MB of
UTF-8 text) read in place from ``--real`` (its text is never copied). The machine is shared,
so the ratio travels better than seconds; with ``--repeats`` > 1 the two runs alternate and
the medians are reported, with the peak resident memory of the process.

Run: ``.venv/bin/python benchmarks/bench_frames.py --repeats 3`` (a few minutes, ~2.5 GB
peak for the TF-IDF reference); results go to ``benchmarks/results/frames.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import time
import warnings
from pathlib import Path

import pandas as pd
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

from helpers import corpus, frames, speakers
from helpers.paths import PROJECT_ROOT

REAL = PROJECT_ROOT.parent / "shared" / "corpora" / "saudinewsnet-2015.jsonl.gz"
RESULTS = PROJECT_ROOT / "benchmarks" / "results" / "frames.json"
TARGET_RATIO = 0.5  # frame_hits / plain TF-IDF


def megabytes(texts: pd.Series) -> float:
    """UTF-8 size of the texts in MB (10**6 bytes)."""
    return float(texts.map(lambda t: len(t.encode("utf-8"))).sum()) / 1e6


def timed(func, *args):
    start = time.perf_counter()
    out = func(*args)
    return time.perf_counter() - start, out


def plain_tfidf(texts: list[str]) -> int:
    """The reference: scikit-learn defaults plus bigrams, on the raw text."""
    matrix = TfidfVectorizer(ngram_range=(1, 2)).fit_transform(texts)
    return matrix.shape[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    if not args.real.exists():
        print(f"{args.real}: not found; nothing to measure")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the loader's repair notes are not under test here
        articles = corpus.load_corpus(args.real)
    texts = articles["text"].fillna("").astype(str)
    size_mb = megabytes(texts)
    frames.build_matcher()  # compile once, outside the timings (a notebook does it once too)
    speakers._speaker_model()

    tfidf_times, frame_times = [], []
    for _ in range(args.repeats):
        t_tfidf, n_features = timed(plain_tfidf, texts.tolist())
        t_frames, hits = timed(frames.frame_hits, articles)
        tfidf_times.append(t_tfidf)
        frame_times.append(t_frames)
    t_tfidf, t_frames = statistics.median(tfidf_times), statistics.median(frame_times)
    ratio = statistics.median(f / t for f, t in zip(frame_times, tfidf_times, strict=True))
    result = {
        "corpus": args.real.name,
        "articles": len(articles),
        "text_mb": round(size_mb, 1),
        "plain_tfidf_s": round(t_tfidf, 1),
        "tfidf_features": n_features,
        "frame_hits_s": round(t_frames, 1),
        "frame_hits_runs_s": [round(t, 1) for t in frame_times],
        "plain_tfidf_runs_s": [round(t, 1) for t in tfidf_times],
        "frame_hits_mb_per_s": round(size_mb / t_frames, 2),
        "ratio_frames_to_tfidf": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
        "hits": len(hits),
        "articles_with_hits": int(hits["id"].nunique()) if len(hits) else 0,
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2),
        "repeats": args.repeats,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "scikit_learn": sklearn.__version__,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
