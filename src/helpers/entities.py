"""Spelling variants of names: the entity lexicon, finding names in text, unifying them.

``data/lexicons/entities.csv`` maps each spelling of a person, country, city, people or
adjective to one canonical spelling and ``entity_id``. Matching runs on text normalised with
:func:`helpers.arabic.normalize`, so one row covers spellings that differ only in
diacritics, hamza on alef, ى/ي or ة/ه; attached prefixes (و ف ب ل ك ال لل) are allowed and
adjectives may take the endings ة ين ون ان تان تين.

Who uses what: notebook 02 studies the spellings (:func:`spelling_report`,
:func:`spelling_pivot`); TF-IDF counts one word per entity after :func:`unify_entities`;
:func:`helpers.arabic.split_clitics` never splits the first letters of a name
(:func:`name_words`); frames adds the lexicon's spellings to its speakers.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from functools import cache

import pandas as pd

from helpers import arabic
from helpers.paths import LEXICON_DIR

__all__ = [
    "ENTITIES_FILE",
    "ENTITY_COLUMNS",
    "entity_table",
    "find_entities",
    "name_words",
    "spelling_pivot",
    "spelling_report",
    "unify_entities",
]

ENTITIES_FILE = LEXICON_DIR / "entities.csv"
ENTITY_COLUMNS = ("variant", "canonical", "entity_id", "english", "type", "note")
# Entity types whose words are names (organisations' words are ordinary words: للتعاون).
_NAME_TYPES = ("person", "country", "city", "region", "adjective", "people")
# Attached prefixes allowed before a variant: conjunction, preposition, article (لل = ل + ال).
_ENTITY_PREFIX = "(?:[وف]?(?:[بك]?ال|لل|[بلك]))?|[وف]"
# Endings allowed after adjective variants (normalised): fem. ه, plurals/duals ين ون ان تان تين.
_ADJ_SUFFIX = "(?:ه|ين|ون|ان|تان|تين)?"
_HIT_COLUMNS = ["start", "end", "surface", "prefix", "variant", "entity_id", "english"]
_REPORT_COLUMNS = ["id", "outlet", "date", "entity_id", "english", "variant", "surface", "count"]


def _strip_article(raw: str, normalised: str) -> str:
    """Drop a leading article from a normalised variant, if the raw spelling has one.

    Only a bare ال (alef + lam) is an article: ألماتي (alef with hamza) is not, although both
    normalise to ال... .
    """
    if raw.strip().startswith("ال") and len(normalised) > 4:
        return normalised[2:]
    return normalised


def _read_lexicon(path) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path}: entity lexicon missing; restore it from git")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if not (r.get("variant") or "").startswith("#")]
    df = pd.DataFrame(rows)
    missing = [c for c in ENTITY_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}; the header must be {ENTITY_COLUMNS}")
    empty = df[(df["variant"].str.strip() == "") | (df["entity_id"].str.strip() == "")]
    if len(empty):
        raise ValueError(
            f"{path}: rows {list(empty.index + 2)} have an empty variant or entity_id; fill them"
        )
    return df


@cache
def entity_table() -> pd.DataFrame:
    """The name-variant lexicon ``data/lexicons/entities.csv`` with normalised columns added.

    Columns: ``variant, canonical, entity_id, english, type, note`` as in the file, plus
    ``variant_norm`` and ``canonical_norm`` (default normalisation, leading article ال
    removed since prefixes are matched separately).

    >>> t = entity_table()
    >>> sorted(t.loc[t.variant_norm == "قازاقستان", "english"])
    ['Kazakhstan']
    """
    path = ENTITIES_FILE
    df = _read_lexicon(path)
    for column in ("variant", "canonical"):
        df[f"{column}_norm"] = [_strip_article(v, arabic.normalize(v.strip())) for v in df[column]]
    clash = df.groupby("variant_norm")["entity_id"].nunique()
    clash = clash[clash > 1]
    if len(clash):
        raise ValueError(
            f"{path}: variants {list(clash.index)} normalise to the same string for different "
            "entities; make them distinct or drop one"
        )
    return df[[*ENTITY_COLUMNS, "variant_norm", "canonical_norm"]].reset_index(drop=True)


@cache
def name_words() -> frozenset[str]:
    """Every normalised word of a name variant (people, places, peoples, adjectives).

    :func:`helpers.arabic.split_clitics` never splits these: their first letters belong
    to the name (بوتين, كازاخستان).

    >>> {"بوتين", "كازاخستان"} <= name_words()
    True
    """
    table = entity_table()
    names = table[table["type"].isin(_NAME_TYPES)]
    return frozenset(w for variant in names["variant_norm"] for w in variant.split())


def _trie(words: list[str]) -> str:
    """A regex alternation of ``words`` written as a trie (ك(?:ازاخستان|...)): ``re`` tries
    alternatives one by one, so sharing first letters makes the scan several times faster.
    Longer words are still tried before their prefixes, as in a longest-first alternation.
    """
    groups: dict[str, list[str]] = {}
    for word in words:
        if word:
            groups.setdefault(word[0], []).append(word[1:])
    alts = [re.escape(first) + _trie(rest) for first, rest in groups.items()]
    body = alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"
    if "" in words:
        return f"(?:{body})?" if alts else ""
    return body


@cache
def _entity_regex() -> tuple[re.Pattern, re.Pattern, dict[str, dict]]:
    """The name regex, a quick test that some variant occurs at all, each variant's row."""
    by_variant: dict[str, dict] = {}
    for row in entity_table().to_dict("records"):
        by_variant.setdefault(row["variant_norm"], row)
    plain = [v for v, r in by_variant.items() if r["type"] != "adjective"]
    adjectives = [v for v, r in by_variant.items() if r["type"] == "adjective"]
    alts = []
    if plain:
        alts.append(f"(?P<core>{_trie(plain)})")
    if adjectives:
        alts.append(f"(?P<adj>{_trie(adjectives)})(?P<suffix>{_ADJ_SUFFIX})")
    pattern = re.compile(f"(?<!\\w)(?P<prefix>{_ENTITY_PREFIX})(?:{'|'.join(alts)})(?!\\w)")
    return pattern, re.compile(_trie(list(by_variant))), by_variant


def _hits(text: str):
    """``(start, end, prefix, lexicon row)`` per name in ``text``, offsets into ``text``."""
    pattern, any_variant, by_variant = _entity_regex()
    if any_variant.search(arabic.normalize(text)) is None:  # cheap test before the offsets
        return
    norm, offsets = arabic.normalize_with_offsets(text)
    for m in pattern.finditer(norm):
        row = by_variant[m.group("core") or m.group("adj")]
        yield offsets[m.start()], offsets[m.end() - 1] + 1, m.group("prefix"), row


def find_entities(text: str) -> pd.DataFrame:
    """Find lexicon names in ``text`` (raw or normalised), with offsets into ``text``.

    Returns columns ``start, end, surface`` (the original spelling, prefix included),
    ``prefix`` (normalised), ``variant`` (lexicon row's spelling), ``entity_id``,
    ``english``.

    >>> hits = find_entities("وزير الخارجية القازاقى مختار تليوبردى")
    >>> hits[["surface", "entity_id"]].values.tolist()
    [['القازاقى', 'kazakh'], ['مختار تليوبردى', 'tileuberdi']]
    """
    rows = [
        (start, end, text[start:end], prefix, row["variant"], row["entity_id"], row["english"])
        for start, end, prefix, row in _hits(text)
    ]
    return pd.DataFrame(rows, columns=_HIT_COLUMNS)


def unify_entities(text: str) -> str:
    """Normalise ``text`` and replace every lexicon variant by its canonical spelling.

    Attached prefixes and adjective endings are kept (ولقازاقستان -> ولكازاخستان). The
    output is normalised text, ready for counting.

    Loses: the original spelling of the name (keep the raw text, or use
    :func:`spelling_report`, to study it) and, for people, the first names in full-name
    variants (قاسم جومارت توكاييف -> توكاييف).

    >>> unify_entities("دعم قازاقستان وللشعب القازاقي")
    'دعم كازاخستان وللشعب الكازاخي'
    """
    norm = arabic.normalize(text)
    pattern, _, by_variant = _entity_regex()

    def repl(m: re.Match) -> str:
        key = m.group("core") or m.group("adj")
        suffix = m.group("suffix") or "" if m.group("adj") else ""
        return m.group("prefix") + by_variant[key]["canonical_norm"] + suffix

    return pattern.sub(repl, norm)


def _surface_prefix_len(surface: str, prefix: str) -> int:
    """Length in ``surface`` (raw) of a normalised ``prefix``: skip marks and tatweel."""
    if not prefix:
        return 0
    seen = 0
    for i, ch in enumerate(surface):
        if arabic.normalize(ch):
            seen += 1
        if seen == len(prefix):
            j = i + 1
            while j < len(surface) and not arabic.normalize(surface[j]):
                j += 1
            return j
    return 0


def spelling_report(articles: pd.DataFrame, text_column: str = "text") -> pd.DataFrame:
    """Which article (outlet, date) spelled which lexicon name how, with counts.

    One row per article × entity × original spelling: ``id, outlet, date, entity_id,
    english, variant, surface, count``; ``surface`` is the spelling as written (prefix
    removed), ``variant`` the lexicon row it matched. Columns ``id``, ``outlet``, ``date``
    are taken from ``articles`` when present (``id`` defaults to the row's position).

    >>> df = pd.DataFrame({"id": ["a"], "text": ["كازاخستان وقازاقستان"]})
    >>> spelling_report(df)[["surface", "count"]].values.tolist()
    [['كازاخستان', 1], ['قازاقستان', 1]]
    """
    if text_column not in articles.columns:
        raise KeyError(f"spelling_report(): articles have no {text_column!r} column")
    has = set(articles.columns)
    ids = articles["id"] if "id" in has else range(len(articles))
    outlets = articles["outlet"] if "outlet" in has else [None] * len(articles)
    dates = articles["date"] if "date" in has else [None] * len(articles)
    counts: Counter = Counter()
    meta = {}
    for art_id, outlet, date, text in zip(ids, outlets, dates, articles[text_column], strict=True):
        if not isinstance(text, str):
            continue
        meta[art_id] = (outlet, date)
        for start, end, prefix, row in _hits(text):
            surface = text[start:end]
            surface = surface[_surface_prefix_len(surface, prefix) :]
            counts[(art_id, row["entity_id"], row["english"], row["variant"], surface)] += 1
    rows = [(key[0], *meta[key[0]], *key[1:], n) for key, n in counts.items()]
    return pd.DataFrame(rows, columns=_REPORT_COLUMNS)


def spelling_pivot(report: pd.DataFrame, entity_id: str | None = None) -> pd.DataFrame:
    """Counts of each spelling by outlet and year, from :func:`spelling_report`.

    Rows ``entity_id, surface`` (spelling as written), columns ``outlet · year`` ("?" when
    unknown), values summed counts; only ``entity_id`` when given.

    >>> rep = pd.DataFrame({"id": ["a", "b"], "outlet": ["Xinhua", "Xinhua"],
    ...     "date": pd.to_datetime(["2019-12-15", "2022-01-10"]), "entity_id": ["kz", "kz"],
    ...     "english": ["K", "K"], "variant": ["v", "w"], "surface": ["كازاخستان", "قازاقستان"],
    ...     "count": [3, 5]})
    >>> spelling_pivot(rep).to_dict("index")
    {('kz', 'قازاقستان'): {'Xinhua · 2019': 0, 'Xinhua · 2022': 5}, \
('kz', 'كازاخستان'): {'Xinhua · 2019': 3, 'Xinhua · 2022': 0}}
    """
    if entity_id is not None:
        report = report[report["entity_id"] == entity_id]
    if report.empty:
        return pd.DataFrame()
    dates = pd.to_datetime(report["date"], errors="coerce")
    year = dates.dt.year.map(lambda y: "?" if pd.isna(y) else str(int(y)))
    outlet = report["outlet"].fillna("?").astype(str)
    table = report.assign(column=outlet + " · " + year).pivot_table(
        index=["entity_id", "surface"], columns="column", values="count", aggfunc="sum"
    )
    table.columns.name = None
    return table.fillna(0).astype(int)
