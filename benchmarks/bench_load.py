"""Loading a real 30k-article corpus with ``helpers.corpus``, and how well its datelines parse.

Two figures, both on SaudiNewsNet 2015 (30,676 articles, ~96 MB of text) read in place from
``--real`` (its text is never copied):

1. **Load time as a ratio.** ``load_corpus(path)`` (decode, repairs, report, a dateline parse
   per article, word and paragraph counts) against a plain reference in the same process:
   ``gzip`` + ``json.loads`` per line into a ``pandas.DataFrame``, which is the least any
   loader must do. Runs alternate, and the median of ``--repeats`` is reported, so the load of
   this shared machine hits both alike. Target: within 6x the plain read (a few seconds).
2. **Dateline accuracy on Saudi Press Agency stories** (``source == "was"``, Hijri-plus-
   Gregorian datelines such as ``الرياض 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس``): the
   share of stories whose parsed Gregorian date lies within two days of the record's crawl
   date, the share with no date, and the share dated wrongly (more than two days off).

Run: ``.venv/bin/python benchmarks/bench_load.py`` (about a minute); results go to
``benchmarks/results/load.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
import warnings
from pathlib import Path

import pandas as pd

from helpers import corpus, datelines
from helpers.paths import PROJECT_ROOT

REAL = PROJECT_ROOT.parent / "shared" / "corpora" / "saudinewsnet-2015.jsonl.gz"
TARGET_RATIO = 6.0


def plain_read(path: Path) -> pd.DataFrame:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return pd.DataFrame([json.loads(line) for line in handle if line.strip()])


def helpers_read(path: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", corpus.CorpusWarning)
        return corpus.load_corpus(path)


def timed(func, *args):
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


def dateline_accuracy(articles: pd.DataFrame) -> dict:
    was = articles[articles["outlet"] == "was"]
    within = none = wrong = 0
    for text, crawl in zip(was["text"], was["date"], strict=True):
        d = datelines.parse_dateline(text)
        if d is None or d.date is None:
            none += 1
        elif abs((pd.Timestamp(d.date) - crawl.normalize()).days) <= 2:
            within += 1
        else:
            wrong += 1
    opens = was["text"].str[:120].str.contains("الموافق", regex=False)
    return {
        "was_stories": len(was),
        "dated_within_2_days": within,
        "share_dated_within_2_days": round(within / len(was), 4),
        "no_date": none,
        "dated_wrong": wrong,
        "with_a_hijri_gregorian_opening": int(opens.sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not args.real.exists():
        print(f"{args.real}: not found; nothing to measure")
        return
    plain_times, helper_times = [], []
    for _ in range(args.repeats):
        t_plain, _ = timed(plain_read, args.real)
        t_help, articles = timed(helpers_read, args.real)
        plain_times.append(t_plain)
        helper_times.append(t_help)
    result = {
        "articles": len(articles),
        "plain_read_s": round(statistics.median(plain_times), 2),
        "load_corpus_s": round(statistics.median(helper_times), 2),
        "ratio": round(
            statistics.median(h / p for h, p in zip(helper_times, plain_times, strict=True)), 2
        ),
        "target_ratio": TARGET_RATIO,
        "datelines": dateline_accuracy(articles),
    }
    result["meets_target"] = result["ratio"] <= TARGET_RATIO
    out = PROJECT_ROOT / "benchmarks" / "results" / "load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
