"""Draw the random sample of SaudiNewsNet sentences behind ``speakers_heldout.csv``.

How the held-out speaker set was drawn, so anyone can draw it again (see
``data/validation/README.md``). The population is every sentence of SaudiNewsNet 2015 with a
reporting cue of ``data/lexicons/reporting_verbs.csv`` (the ``cue`` column of
:func:`helpers.speakers.attribute_speakers`), of at most ``MAX_WORDS`` words, and not in an
earlier set (``speakers_dev.csv``, ``speakers_heldout.csv``). Two strata, each a simple
random sample with the seed: ``any`` (all such sentences) and ``listed`` (those that also name
a spelling of ``speakers.csv``, so that the entity measures have cases). Each sampled sentence
comes with the up to ``CONTEXT`` sentences before it, which the labeller reads and the
attribution gets.

Writes a labelling sheet (the texts, for the labeller only: never commit it) and the pointer
rows for the repository (no text). Usage::

    python scripts/sample_speaker_sentences.py SHEET.csv POINTERS.csv [--corpus PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re

import numpy as np
import pandas as pd

from helpers import arabic, frames, speakers, validation
from helpers.paths import saudinewsnet_path

SEED = 2026_12_08  # earlier: 2026_12_02 (h), 03 (g), 04 (k), 05 (l), 06 (m), 07 (n): all dev
PREFIX = "o"
SIZES = {"any": 75, "listed": 25}  # 65 before the m-sample: intervals were +-0.12
CONTEXT = 3
MAX_WORDS = 70


def _listed_regex() -> re.Pattern:
    words = sorted({frames.normalize_literal(v) for v in speakers.load_speakers()["variant"]})
    return re.compile("|".join(re.escape(w) for w in words if len(w) > 3))


def population(corpus) -> pd.DataFrame:
    """Every sentence with a reporting cue: article_id, sentence_no, context, text, listed."""
    labelled = pd.concat(
        pd.read_csv(validation.VALIDATION_DIR / name, dtype=str).fillna("")
        for name in ("speakers_dev.csv", "speakers_heldout.csv")
    )
    seen = set(zip(labelled["article_id"], labelled["sentence_no"], strict=True))
    listed = _listed_regex()
    rows = []
    with gzip.open(saudinewsnet_path(corpus), "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = record.get("text") or ""
            spans = arabic.sentence_spans(text)
            table = speakers.attribute_speakers(text)
            for k in np.flatnonzero(table["cue"].to_numpy() != ""):
                a, b = spans[k]
                sentence = text[a:b]
                if len(sentence.split()) > MAX_WORDS or (record["id"], str(k)) in seen:
                    continue
                c = min(CONTEXT, int(k))
                rows.append(
                    (
                        record["id"],
                        record.get("source") or "",
                        int(k),
                        c,
                        text[spans[k - c][0] : b],
                        sentence,
                        bool(listed.search(frames.normalize_for_matching(sentence)[0])),
                    )
                )
    return pd.DataFrame(
        rows,
        columns=["article_id", "outlet", "sentence_no", "context", "passage", "sentence", "listed"],
    )


def draw(pool: pd.DataFrame) -> pd.DataFrame:
    """The two strata, without overlap, in a shuffled order."""
    rng = np.random.default_rng(SEED)
    first = pool.iloc[rng.choice(len(pool), SIZES["any"], replace=False)].assign(stratum="any")
    rest = pool[pool["listed"]].drop(first.index, errors="ignore")
    second = rest.iloc[rng.choice(len(rest), SIZES["listed"], replace=False)]
    sample = pd.concat([first, second.assign(stratum="listed")])
    sample = sample.iloc[rng.permutation(len(sample))].reset_index(drop=True)
    return sample.assign(id=[f"{PREFIX}{i + 1:03d}" for i in range(len(sample))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sheet")
    parser.add_argument("pointers")
    parser.add_argument("--corpus")
    args = parser.parse_args()
    pool = population(args.corpus)
    sample = draw(pool)
    print(f"{len(pool):,} sentences with a cue ({int(pool['listed'].sum()):,} name a listed one)")
    sample[["id", "stratum", "context", "passage", "sentence"]].to_csv(args.sheet, index=False)
    pointers = sample.assign(
        fingerprint=sample["sentence"].map(validation.fingerprint),
        source=[
            f"{o} (SaudiNewsNet 2015) {a}"
            for o, a in zip(sample["outlet"], sample["article_id"], strict=True)
        ],
    )
    cols = ["id", "stratum", "article_id", "sentence_no", "context", "fingerprint", "source"]
    pointers[cols].to_csv(args.pointers, index=False)


if __name__ == "__main__":
    main()
