"""Throughput of ``helpers.arabic.normalize`` (default chain) against CAMeL Tools' chain.

Both run in this one process on the same inputs, alternating run by run, so the machine's
load (shared by several people) hits both alike; the figure that counts is the ratio of
their throughputs, reported as the median over ``--repeats`` runs.

Corpora
- ``scaled``: the seed articles' sentences shuffled (fixed seed) into ~4 KB articles until
  at least ``--size-mb`` MB of UTF-8 text; built in memory, never written to disk.
- ``real``: SaudiNewsNet 2015 (30,676 Saudi news articles, ~96 MB), read in place from
  ``--real`` (skipped with a message when the file is missing). Its text is not copied.

Each corpus is timed three ways: ``per_article`` (a Python loop calling the function on
each article), ``series`` (a pandas column: ``normalize_series`` vs ``Series.map`` of
CAMeL's chain) and ``buffer`` (the whole corpus joined into one string).

CAMeL Tools' chain: ``normalize_unicode`` (NFKC) -> ``dediac_ar`` -> ``normalize_alef_ar``
-> ``normalize_alef_maksura_ar`` -> ``normalize_teh_marbuta_ar``. Ours also removes
tatweel, bidi/zero-width characters and folds digits, so it does more work, not less.

Run: ``.venv/bin/python benchmarks/bench_normalize.py`` (about 5 minutes); results go to
``benchmarks/results/normalize.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import pandas as pd
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

from helpers import arabic
from helpers.paths import PROJECT_ROOT, SEEDS_DIR

RESULTS = PROJECT_ROOT / "benchmarks" / "results" / "normalize.json"
REAL_CORPUS = PROJECT_ROOT.parent / "shared" / "corpora" / "saudinewsnet-2015.jsonl.gz"


def camel_chain(text: str) -> str:
    """CAMeL Tools' normalisation chain, the reference."""
    text = normalize_unicode(text)
    text = dediac_ar(text)
    text = normalize_alef_ar(text)
    text = normalize_alef_maksura_ar(text)
    return normalize_teh_marbuta_ar(text)


def ours(text: str) -> str:
    return arabic.normalize(text)


def scaled_corpus(size_mb: float, seed: int = 2022, article_bytes: int = 4000) -> list[str]:
    """Seed sentences shuffled into ~4 KB articles, at least ``size_mb`` MB in total."""
    sentences = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        sentences += arabic.split_sentences(path.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    articles, total = [], 0
    while total < size_mb * 1e6:
        parts, size = [], 0
        while size < article_bytes:
            sentence = rng.choice(sentences)
            parts.append(sentence)
            size += len(sentence.encode("utf-8")) + 1
        article = "\n".join(parts)
        articles.append(article)
        total += len(article.encode("utf-8"))
    return articles


def real_corpus(path: Path) -> list[str] | None:
    if not path.exists():
        print(f"{path}: not found, skipping the real-corpus benchmark (pass --real PATH)")
        return None
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


def _time(func, data) -> float:
    start = time.perf_counter()
    func(data)
    return time.perf_counter() - start


def compare(articles: list[str], repeats: int) -> dict:
    """Alternate ours / CAMeL ``repeats`` times per mode; medians of MB/s and of the ratio."""
    megabytes = sum(len(a.encode("utf-8")) for a in articles) / 1e6
    buffer = "\n\n".join(articles)
    column = pd.Series(articles, dtype=object)

    def as_series(func):
        if func is ours:
            return arabic.normalize_series
        return lambda data: data.map(func)

    modes = {
        "per_article": (lambda f: lambda data: [f(a) for a in data], articles),
        "series": (as_series, column),
        "buffer": (lambda f: f, buffer),
    }
    result = {"megabytes": round(megabytes, 2), "articles": len(articles)}
    for mode, (wrap, data) in modes.items():
        ours_s, camel_s = [], []
        for _ in range(repeats):
            ours_s.append(_time(wrap(ours), data))
            camel_s.append(_time(wrap(camel_chain), data))
        ratios = [c / o for o, c in zip(ours_s, camel_s, strict=True)]
        result[mode] = {
            "ours_mb_s": round(megabytes / statistics.median(ours_s), 1),
            "camel_mb_s": round(megabytes / statistics.median(camel_s), 1),
            "ratio_median": round(statistics.median(ratios), 1),
            "ratio_min": round(min(ratios), 1),
            "ours_seconds": [round(s, 3) for s in ours_s],
            "camel_seconds": [round(s, 3) for s in camel_s],
        }
        print(
            f"  {mode:11s} ours {result[mode]['ours_mb_s']:7.1f} MB/s  "
            f"CAMeL {result[mode]['camel_mb_s']:6.1f} MB/s  "
            f"ratio {result[mode]['ratio_median']:5.1f}x (min {result[mode]['ratio_min']}x)"
        )
    return result


def agreement(articles: list[str]) -> dict:
    """How often ours equals CAMeL's output once CAMeL gets our three extra steps.

    Our default = CAMeL's chain + tatweel, bidi/zero-width removal and digit folding, except
    where the two really differ (NFKC on all of Unicode vs presentation forms only, Quranic
    marks, combining hamza, ٲ ٳ). Counts the characters behind the disagreements.
    """
    extra = (arabic.remove_invisibles, arabic.remove_tatweel, arabic.normalize_digits)
    same = 0
    culprits: Counter = Counter()
    for text in articles:
        mine = arabic.normalize(text)
        theirs = arabic.normalize(camel_chain(text), steps=extra)
        if mine == theirs:
            same += 1
            continue
        for ch in set(text):
            if arabic.normalize(ch) != arabic.normalize(camel_chain(ch), steps=extra):
                culprits[f"U+{ord(ch):04X}"] += 1
    return {
        "articles_identical": same,
        "articles": len(articles),
        "share_identical": round(same / len(articles), 4),
        "differing_characters_by_articles": dict(culprits.most_common(15)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=32.0, help="scaled corpus size")
    parser.add_argument("--repeats", type=int, default=5, help="runs per function and mode")
    parser.add_argument("--real", type=Path, default=REAL_CORPUS, help="SaudiNewsNet .jsonl.gz")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)

    results = {
        "what": "helpers.arabic.normalize (DEFAULT_STEPS) vs CAMeL Tools chain, same process",
        "python": sys.version.split()[0],
        "numpy": version("numpy"),
        "camel_tools": version("camel-tools"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs (shared)",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "repeats": args.repeats,
        "corpora": {},
    }
    print(f"scaled corpus (seed sentences, >= {args.size_mb} MB):")
    scaled = scaled_corpus(args.size_mb)
    results["corpora"]["scaled_seeds"] = compare(scaled, args.repeats)
    real = real_corpus(args.real)
    if real is not None:
        print(f"real corpus ({args.real.name}):")
        results["corpora"]["saudinewsnet_2015"] = compare(real, args.repeats)
        results["corpora"]["saudinewsnet_2015"]["agreement"] = agreement(real)
        share = results["corpora"]["saudinewsnet_2015"]["agreement"]["share_identical"]
        print(f"  agreement with CAMeL + our extra steps: {share:.1%} of articles identical")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
