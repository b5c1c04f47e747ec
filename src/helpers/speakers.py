"""Who speaks each sentence of an article: reporting verbs, their subjects, carry-forward.

The speaker of a sentence with a reporting verb (``data/lexicons/reporting_verbs.csv``) is the
verb's subject: the noun phrase after it, up to a complement (إن/أن), a colon or quote, or a
circumstance (خلال، مع، في، بعد، عقب), so that people named inside the reported speech or the
circumstance are never taken (``data/lexicons/subject_words.csv``). A listed person or role in
it is found through the speakers table (``data/lexicons/speakers.csv``), with spellings unified
through :func:`helpers.entities.entity_table`; an unlisted subject is still a speaker, under
its own words, grouped by its nationality adjective or country name
(``data/lexicons/nationalities.csv``: وزير الخارجية المصري، مفتي مصر; a country or capital
alone is its state: وأكدت موسكو) or as "unnamed source" / "unlisted person"; the office of a
body of no state (رئيس حزب، مدير المرصد، مسؤول من حركة) and a plural of people (خبيرات) are no
state's voice, and an official of a named body takes its state (مسؤول في وزارة المالية
القطرية); the state of an office is the one named after it, not the person's (الألماني توماس
باخ رئيس اللجنة الأولمبية الدولية: no state), and an anonymous official with no state named
(قال مسؤولون) is an unnamed source, not the outlet's home state. A name in quotes is a subject
too (وأشار «الصفيان» إلى، وفقا لـ«بوينغ»), and so is a name in -ا (وصرح أوباما), unlike an
adverb (مجددا، رسميا، موضحا); a participle (مؤكدا، داعيا) never takes the words after it as its
subject. One word with the article is a family name when it looks like one (الجبير، السعود: not
a participle, verbal noun, feminine or plural), and a document of a state body is that body's
(وفقا لبيان الجيش). An office after a comma belongs to the name before it (نجلاء الأهواني،
وزيرة التعاون الدولي المصرية،), a former office holder and the opposition speak for no state
(الأسبق، السابق، المتقاعد، المعارض), unnamed unless a full name follows, and لل after a name is
whom the speaker told (قال الأمير محمد للرئيس بوتين). After بحسب X, a verb with its own subject
gives that subject (بحسب وكالة ... قال كريس ويفر), and «وكان X قد أعلن» has X for subject. A
preposition with a pronoun ends a subject (خلاله، إليه), and a feminine noun with a definite
genitive after the verb is its object, not its subject (وأكد متانة العلاقات: the carried
speaker). Trailing attribution (بحسب، حسبما، وفقا ل، نقلا عن) names the source after it; a
medium quoting someone (نقلت الوكالة عن X قوله) gives X, a document its issuer (بيان صادر عن
الرئاسة), a deputy is not whom they serve (نائب وزير الخارجية). A time phrase may stand between
verb and subject (وقال اليوم الثلاثاء الوزير), and a subject before its verb (فإن الوزير قال).
A verb without a subject carries the last speaker to the article's end, across paragraphs (an
unlisted person keeps, by surname, the state an earlier full mention gave, as speaker or not:
بعد لقائه وزير الخارجية الأمريكي جون كيري ... وقال كيري), and an office without an adjective is
the one last named (وذكرت الوزارة after وزارة الخارجية الروسية); any new subject, and a listed
person or an office opening a sentence with another verb (ووافق تليوبردي، التقى وانغ يي،
واستقبل وزير الخارجية الأردني), ends the carry and is carried on. A sentence without a
reporting verb, or whose verb follows مما / وهو ما ("which shows"), is the outlet's own voice,
or continues the speech of its line. Reporting verbs are written in the frame lexicon's
template language (:func:`helpers.frames.compile_template`) and matched on the same normalised
text (:func:`helpers.frames.normalize_for_matching`).

What this module cannot see: nested speech (Wang said that Xi said ...: Wang), the difference
between quoted and paraphrased speech, a title that refers back to the carried person (وأعرب
وزير الخارجية الصيني after Wang Yi is the unnamed role, not Wang Yi), and which first word of
a sentence is a verb (the word before a listed name at a sentence's start is taken for one),
and the state of a person the article names without a title (وقال إردوغان، وصرح أوباما: an
unlisted person; a reader knows the state, the rules do not).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import arabic, entities, frames
from helpers.paths import LEXICON_DIR

SPEAKERS_PATH = LEXICON_DIR / "speakers.csv"
REPORTING_VERBS_PATH = LEXICON_DIR / "reporting_verbs.csv"
NATIONALITIES_PATH = LEXICON_DIR / "nationalities.csv"
OUTLETS_PATH = LEXICON_DIR / "outlets.csv"
SPEAKER_GROUPS = (
    "Chinese official",
    "Russian official",
    "Kazakh official",
    "other state",
    "unnamed source",
    "unlisted person",
    "outlet",
    "other",
)
SPEAKER_COLUMNS = ["start", "end", "sentence", "speaker", "speaker_group", "entity_id", "cue"]

SUBJECT_WORDS_PATH = LEXICON_DIR / "subject_words.csv"
# data/lexicons/subject_words.csv: the words that shape a subject noun phrase. ``stop`` ends
# it (a complement إن/أن: reported speech follows; a circumstance خلال، مع، في، بعد، عقب:
# people named there are not the speaker; a preposition, pronoun, time word or adverb).
# The kind of its first word says who an unlisted subject is: ``title`` a state office
# holder (وزير الخارجية المصري سامح شكري), ``source`` a state institution or spokesman
# (الرئاسة الفرنسية، المتحدث), both grouped by nationality; ``person`` someone who speaks for
# no state (الدكتور ...), ``nonstate`` media and anonymous sources (مصادر، وكالة، قناة),
# whatever their nationality. ``opener`` may precede a sentence's first verb (كما، وقد).
_OUTLET = {"entity_id": "outlet", "english": "outlet", "group": "outlet", "kind": "outlet"}
_UNNAMED = {
    "entity_id": "unnamed",
    "english": "unnamed source",
    "group": "unnamed source",
    "kind": "unnamed",
}
_NP_WORDS = 8  # words at most in a subject noun phrase
_MEMO_WORDS = 200_000  # word kinds kept before the memo starts again (memory on big corpora)
_NP_CHARS = 160  # characters enough for a noun phrase after an office named in passing
# The state bodies a later one-word subject refers back to (وذكرت الوزارة after وزارة الخارجية
# الروسية), remembered with the titles; other bodies (مجلس، لجنة، هيئة) are mostly the
# outlet's own state's, and scanning every mention of them doubled the time of attribution.
_REFERRED = ("وزارة", "رئاسة", "حكومة", "سفارة", "خارجية", "داخلية")
# A colon counts right after a word too (وتابع محمود: «...»).
_COMPLEMENT = re.compile(r"(?<!\w)(?<!قبل )(?<!بعد )(?<!منذ )(?:ان|انه|انها|بان)(?!\w)|:")
_PUNCT = '\u060c,:"«»“”()\\[\\].!?\u061f\u061b'  # one token each; any ends a subject
_TOKEN = re.compile(f"[^\\s{_PUNCT}]+|[{_PUNCT}]")
_MENTIONED = frozenset(("يذكر", "ويذكر"))
# A verb after these reports nobody: مما يشير إلى، وهو ما يؤكد ("which shows").
_WHICH = re.compile(r"(?<!\w)(?:مما|وهو ما|وهذا ما|وهي ما|الامر الذي)\s*$")
# What follows a participle that reports speech (مؤكدا أن، مشيرا إلى أن، قائلا: «...»), up to
# two words on (مضيفا في الوقت نفسه أن is missed: an adjective is the likelier reading).
_SPEECH_NEXT = re.compile(r'(?:\S+\s+){0,2}?(?:ان|انه|انها|بان|الي|علي|[:«"])(?!\w)|[:«"]')


def _read_lexicon(path, default: Path, what: str) -> tuple[Path, pd.DataFrame]:
    """A lexicon CSV as strings (empty cells ""), or one ValueError naming the file."""
    path = Path(path) if path is not None else default
    try:
        return path, pd.read_csv(path, dtype=str).fillna("")
    except (OSError, pd.errors.ParserError) as err:
        raise ValueError(f"{path}: cannot read the {what} ({err}); fix the CSV") from err


def load_speakers(path: str | Path | None = None) -> pd.DataFrame:
    """The speakers table: who counts as a Chinese, Russian or Kazakh official.

    Parameters
    ----------
    path : str or Path, optional
        CSV with ``entity_id, english, group, kind, arabic, source`` (default
        ``data/lexicons/speakers.csv``). ``arabic`` lists spellings separated by ``|``;
        spellings from :func:`helpers.entities.entity_table` for the same ``entity_id`` are
        added, so a new spelling needs one row in entities.csv only.

    Returns
    -------
    pandas.DataFrame
        One row per (entity, spelling): ``entity_id, english, group, kind, variant``.

    Examples
    --------
    >>> sp = load_speakers()
    >>> sp.loc[sp.variant == "لافروف", "group"].iloc[0]
    'Russian official'
    """
    path, table = _read_lexicon(path, SPEAKERS_PATH, "speakers table")
    need = {"entity_id", "english", "group", "kind", "arabic"}
    if not need <= set(table.columns):
        raise ValueError(f"{path}: needs columns {sorted(need)}; add the missing ones")
    bad = sorted(set(table["group"]) - set(SPEAKER_GROUPS))
    if bad:
        raise ValueError(f"{path}: unknown group(s) {bad}; use one of {list(SPEAKER_GROUPS)}")
    rows = [
        (r.entity_id, r.english, r.group, r.kind, v.strip())
        for r in table.itertuples(index=False)
        for v in r.arabic.split("|")
        if v.strip()
    ]
    try:
        ents = entities.entity_table()
    except Exception as err:  # the entity table is optional for attribution
        warnings.warn(
            f"entity table unavailable ({err}); using speakers.csv spellings only", stacklevel=2
        )
        ents = pd.DataFrame(columns=["variant", "entity_id"])
    info = table.set_index("entity_id")
    for e in ents[ents["entity_id"].isin(info.index)].itertuples(index=False):
        r = info.loc[e.entity_id]
        rows.append((e.entity_id, r["english"], r["group"], r["kind"], str(e.variant)))
    out = pd.DataFrame(rows, columns=["entity_id", "english", "group", "kind", "variant"])
    return out.drop_duplicates(["entity_id", "variant"]).reset_index(drop=True)


def load_nationalities(path: str | Path | None = None) -> dict[str, str]:
    """Nationality adjectives (normalised, masculine, no article) and the group they give.

    ``data/lexicons/nationalities.csv`` has ``adjective, country, group, source``; a subject
    that is not in the speakers table (وزير الخارجية المصري ..., الرئاسة الفرنسية) takes its
    group from the adjective in it: Chinese, Russian, Kazakh official or ``other state``. An
    empty group marks a body of no state (الدولية، الأممية): the first adjective of a subject
    decides, so رئيس اللجنة الأولمبية الدولية الألماني speaks for no state.

    Examples
    --------
    >>> load_nationalities()["مصري"], load_nationalities()["صيني"]
    ('other state', 'Chinese official')
    """
    path, table = _read_lexicon(path, NATIONALITIES_PATH, "nationality table")
    bad = sorted(set(table["group"]) - set(SPEAKER_GROUPS) - {""})
    if bad:
        raise ValueError(
            f"{path}: unknown group(s) {bad}; use one of {list(SPEAKER_GROUPS)} or leave it "
            "empty for an international body"
        )
    return {frames.normalize_literal(r.adjective): r.group for r in table.itertuples(index=False)}


def load_places(path: str | Path | None = None) -> dict[str, str]:
    """Country and capital names (normalised) and the group they give as a subject: وأكدت
    موسكو، وتدعو تركيا speak for a state, and مفتي مصر holds that state's office.

    The ``places`` column of ``data/lexicons/nationalities.csv`` lists them for each
    adjective, separated by ``|``; an international body's names (الأمم المتحدة) take its empty
    group.

    Examples
    --------
    >>> load_places()["موسكو"], load_places()["الولايات المتحده"]
    ('Russian official', 'other state')
    """
    path, table = _read_lexicon(path, NATIONALITIES_PATH, "nationality table")
    if "places" not in table.columns:
        return {}
    return {
        frames.normalize_literal(name.strip()): r.group
        for r in table.itertuples(index=False)
        for name in r.places.split("|")
        if name.strip()
    }


def load_outlets(path: str | Path | None = None) -> dict[str, str]:
    """Each outlet's home state, as the group its officials take when they are named without
    a nationality adjective (وزير الصحة in a Saudi paper is the Saudi minister).

    ``data/lexicons/outlets.csv`` has ``outlet, home, note``: the outlet as the corpus's
    ``outlet`` column names it (case and spaces do not matter) and ``home`` a nationality
    adjective of ``nationalities.csv``. Wire services that file from everywhere (Xinhua,
    Reuters) are better left out: their unadorned officials then stay unlisted or unnamed.

    Examples
    --------
    >>> load_outlets()["okaz"]
    'other state'
    """
    path, table = _read_lexicon(path, OUTLETS_PATH, "outlets table")
    nations = load_nationalities()
    homes = {r.outlet: nations.get(frames.normalize_literal(r.home)) for r in table.itertuples()}
    bad = sorted(o for o, group in homes.items() if not group)
    if bad:
        raise ValueError(
            f"{path}: the home of {bad} is not a state adjective of {NATIONALITIES_PATH.name}; "
            "use one (سعودي, صيني ...) or remove the row"
        )
    return {_outlet_key(o): group for o, group in homes.items()}


def _outlet_key(outlet: str) -> str:
    return " ".join(outlet.split()).casefold()


@dataclass(frozen=True)
class _SpeakerModel:
    names: re.Pattern  # named people and roles; group name = row index
    rows: list[dict]
    cues: frames.Matcher  # reporting verbs in file order; a pattern's frame is its kind
    stops: frozenset[str]  # words that end a subject: the stop and the time words
    times: frozenset[str]  # passed over before a subject, end it after
    heads: dict[str, str]  # head word -> kind (title, source, person, nonstate, document)
    deputies: frozenset[str]  # heads whose listed superior is not the speaker
    media: frozenset[str]  # nonstate heads that are media: ل + one after a subject is whom
    bodies: frozenset[str]  # media and other bodies of no state: their offices are no state's
    former: frozenset[str]  # سابق، متقاعد: a former office holder speaks for no state
    openers: frozenset[str]
    nations: dict[str, str]  # normalised adjective -> group
    places: dict[str, str]  # normalised country or capital name (one or two words) -> group
    offices: re.Pattern  # a title or deputy word, or a ministry (_REFERRED), with its clitics
    homes: dict[str, str]  # outlet key -> the group of its home state
    # word -> its kind and its nationality's group, filled as words are met (speed only)
    head_of: dict[str, str | None] = field(default_factory=dict)
    nation_of: dict[str, str | None] = field(default_factory=dict)
    body_of: dict[str, bool] = field(default_factory=dict)


def _names_regex(rows: list[dict]) -> re.Pattern:
    """Every spelling as one alternation, in the order of ``rows``, named ``n<row>``.

    Speed only: every branch starts at a word start with particles and then the first four
    letters of its first word (or all of a shorter one), so testing the word start once and
    those letters before the alternation changes no match. Four letters, not two: with two,
    every word with the article (ال) passes the test and goes through all the branches.
    """
    branches, heads = [], set()
    for i, r in enumerate(rows):
        words = " ".join(frames.normalize_literal(w) for w in r["variant"].split())
        body = re.escape(words).replace(r"\ ", r"\s+")
        branches.append(f"(?P<n{i}>{frames.PROCLITIC}{body}{frames.WORD_END})")
        heads.add(re.escape(words.split()[0][:4]))
    ahead = f"{frames.WORD_START}(?={frames.PROCLITIC}(?:{'|'.join(sorted(heads))}))"
    return re.compile(f"{ahead}(?:{'|'.join(branches)})")


def _subject_words(path: str | Path | None = None) -> dict[str, frozenset[str]]:
    """The normalised words of ``subject_words.csv`` by kind (stop, opener, time,
    title, deputy, source, person, nonstate, medium, body, document, former)."""
    path, table = _read_lexicon(path, SUBJECT_WORDS_PATH, "subject words")
    kinds = (
        "stop",
        "opener",
        "time",
        "title",
        "deputy",
        "source",
        "person",
        "nonstate",
        "medium",
        "body",
        "document",
        "former",
    )
    bad = sorted(set(table["kind"]) - set(kinds))
    if bad:
        raise ValueError(f"{path}: unknown kind(s) {bad}; use one of {list(kinds)}")
    return {
        k: frozenset(frames.normalize_literal(w) for w in table.loc[table["kind"] == k, "word"])
        for k in kinds
    }


def _words_regex(words: frozenset[str]) -> re.Pattern:
    """Any of the normalised ``words`` as a whole word, with و/ف, ب/ك/ل and the article."""
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(f"(?<!\\w)[وف]?(?:[بك]?ال|لل|[بكل])?(?:{alternation})(?!\\w)")


@functools.cache
def _speaker_model() -> _SpeakerModel:
    sp = load_speakers()
    # Longer spellings first so "وانغ يي" wins over "وانغ"; persons before roles at a tie.
    sp = sp.assign(_n=sp["variant"].map(lambda v: len(frames.normalize_literal(v)))).sort_values(
        ["_n", "kind"], ascending=[False, True]
    )
    rows = sp.drop(columns="_n").to_dict("records")
    verbs = pd.read_csv(REPORTING_VERBS_PATH, dtype=str).fillna("")
    long = [t for t in verbs["template"] if len(t.split()) != 1]
    if long:  # _sentence_cues relies on a verb never running across a sentence break
        raise ValueError(f"{REPORTING_VERBS_PATH}: write one word per template, not {long}")
    cues = [frames.Pattern(v.kind, v.template, v.english) for v in verbs.itertuples(index=False)]
    words = _subject_words()
    return _SpeakerModel(
        names=_names_regex(rows),
        rows=rows,
        cues=frames.Matcher([], patterns=cues),
        stops=words["stop"]
        | words["time"]
        | {w + p for w in words["stop"] if len(w) > 1 for p in _PRONOUNS},
        times=words["time"],
        heads={
            **{w: k for k in ("title", "source", "person", "nonstate") for w in words[k]},
            **dict.fromkeys(words["medium"] | words["body"], "nonstate"),
            **dict.fromkeys(words["deputy"], "title"),
            **dict.fromkeys(words["document"], "document"),
        },
        deputies=words["deputy"],
        media=words["medium"],
        bodies=words["medium"] | words["body"],
        former=words["former"],
        offices=_words_regex(
            words["title"] | words["deputy"] | {frames.normalize_literal(w) for w in _REFERRED}
        ),
        openers=words["opener"],
        nations=load_nationalities(),
        places=load_places(),
        homes=load_outlets(),
    )


def _participle(word: str, frame: str) -> bool:
    """Whether a reporting cue is a participle (قائلا، مؤكدا، مشيرة), whose subject is its
    clause's and never the words after it (داعيا الجميع: whom he called on)."""
    return frame != "according" and word[-1] in "اه" and word.lstrip("وف") != "دعا"


def _sentence_cues(norm: str, bounds: list[int], found: list[tuple]) -> list[list[tuple]]:
    """The reporting cues ``(start, end, kind)`` of each sentence, in order and in offsets of
    its own text ``norm[bounds[2k]:bounds[2k+1]]``; a ``verb_that`` cue (أعلن) and a
    ``verb_from`` cue (نقل: نقلت الوكالة عن X قوله إن) count only with أن or ':' after it,
    within a subject's reach; a verb with ل (ليؤكد) says why, not who spoke. ``found`` are
    the verbs matched over the whole
    article: a verb is one word, so no match runs across a sentence break."""
    los, cues = bounds[0::2], [[] for _ in range(len(bounds) // 2)]
    for pat, s, e in found:
        k = bisect.bisect_right(los, s) - 1
        if k < 0 or e > bounds[2 * k + 1]:
            continue
        lo, hi = bounds[2 * k], bounds[2 * k + 1]
        word, after = norm[s:e], norm[e:hi].lstrip()
        if word in _MENTIONED and _COMPLEMENT.match(after):
            continue  # يذكر أن: "it is worth noting that", the outlet's own voice
        if _WHICH.search(norm, max(lo, s - 12), s):
            continue  # مما يشير إلى أن: the sentence's own reasoning, not speech
        if _participle(word, pat.frame) and not _SPEECH_NEXT.match(after):
            continue  # a participle without speech after it is an adjective (مخاضا لافتا)
        if word.lstrip("وف")[:1] == "ل" and pat.frame != "according" and "لفت" not in word:
            continue  # ليؤكد أنها: in order to, not speech
        near = norm[e : min(hi, e + _NP_CHARS)]  # its complement comes after its subject
        if pat.frame not in ("verb_that", "verb_from") or _COMPLEMENT.search(near):
            cues[k].append((s - lo, e - lo, pat.frame))
    return cues


def _first_name(model: _SpeakerModel, norm: str, lo: int, hi: int, persons_only=False):
    """Earliest named person in norm[lo:hi]; a role only when no person is there."""
    best_role = None
    for m in model.names.finditer(norm, lo, hi):
        row = model.rows[int(m.lastgroup[1:])]
        if row["kind"] == "person":
            return row
        best_role = best_role or row
    return None if persons_only else best_role


def _is_stop(model: _SpeakerModel, word: str, first: bool = False) -> bool:
    """A word that ends a subject: a stop or time word, with or without و/ف; with ``first``
    (its first word after a verb) also ل + ال (قال للصحفيين: to whom), which inside a
    subject is a genitive (الهيئة العامة للجمارك) and after وفقا the source (وفقا للناطق)."""
    stops = model.stops  # with the prepositions' pronoun forms: خلاله، إليه، معهم
    clitic = word[:1] in "وف" and word[1:] in stops and word not in model.heads  # ولي: a title
    return word in stops or clitic or (first and word[:2] == "لل")


def _subject_start(model: _SpeakerModel, tokens: list[re.Match], i: int) -> int:
    """The index of the first token after the time phrase that may open ``tokens[i:]``
    (وقال اليوم الثلاثاء الوزير، وأكد أمس (الاثنين) المتحدث): time words and brackets, and
    whom the speaker told, named in quotes (أوضح لـ"الاقتصادية" مسؤول)."""
    while i < len(tokens):
        word = tokens[i].group()
        told = word == "ل" and i + 1 < len(tokens) and tokens[i + 1].group() in _CLOSING
        if told:
            end = _closing(tokens, i + 1, words=6)
            if end is None:
                return i
            i = end + 1
        elif word == "(":
            close = next((k for k in range(i, len(tokens)) if tokens[k].group() == ")"), None)
            if close is None:
                return i
            i = close + 1
        elif word in model.times or (word[:1] == "و" and word[1:] in model.times):
            i += 1
        elif word in ("في", "وفي") and i + 1 < len(tokens) and tokens[i + 1].group() in model.times:
            i += 2  # في وقت لاحق
        else:
            return i
    return i


def _subject_span(
    model: _SpeakerModel, norm: str, lo: int, hi: int, addressee: bool = True
) -> tuple[int, int] | None:
    """The subject noun phrase in norm[lo:hi]: after a time phrase (:func:`_subject_start`),
    the words up to the first stop word, colon, quote, bracket or comma (at most _NP_WORDS),
    or None when there is none. A listed name is read whole, even when its first word is a
    stop word (لي كه تشيانغ). After a comma a listed person (an apposition: المتحدث باسم
    الخارجية، تشاو لي جيان،) still belongs to it. One word ending in alef is an adverb
    (مجددا، علنا), not a subject; with ``addressee`` a first word ل + a source (لصحيفة،
    لوكالة) is whom the speaker told, not a subject."""
    tokens = list(_TOKEN.finditer(norm, lo, hi))
    first = last = None
    words = 0
    start = _subject_start(model, tokens, 0)
    quoted = _quoted_name(model, tokens, start) if start < len(tokens) else None
    if quoted is not None:
        return quoted
    for j in range(start, len(tokens)):
        m = tokens[j]
        if last is not None and m.start() < last:
            continue  # inside a listed name read whole
        word = m.group()
        if word in _CLOSING and words == 1 and _bare(norm[first:last]) in model.media:
            end = _closing(tokens, j)  # a medium's name in quotes: صحيفة «الحياة» السعودية
            if end is not None:
                last, words = tokens[end].end(), words + end - j
                continue
        named = model.names.match(norm, m.start(), hi)
        if word == "." and words and norm[last - 1 : last] in _ABBREVIATED and last - first <= 2:
            continue  # د. الصالح: an abbreviated title, not a full stop
        if word in "\u060c,":
            nxt = len(norm[:hi]) - len(norm[m.end() : hi].lstrip())
            after = model.names.match(norm, nxt, hi) if first is not None else None
            if after and model.rows[int(after.lastgroup[1:])]["kind"] == "person":
                last = after.end()
            elif (
                first is not None
                and j + 1 < len(tokens)
                and words < _NP_WORDS
                and _a_name(model, tokens[j - 1].group())
                and _head(model, tokens[j + 1].group()) in ("title", "source")
            ):
                continue  # نجلاء الأهواني، وزيرة التعاون الدولي المصرية،: her office
            break
        if named is None and (
            (len(word) == 1 and not word.isalnum())
            or _is_stop(model, word, first is None and addressee)
        ):
            break
        if addressee and word[:1] == "ل" and _told(model, _bare(word), first is None):
            break  # قال لصحيفة ...، قال المتحدث لوكالة ...: whom the speaker told
        told = word[:2] == "لل" or (word[:1] == "ل" and word.endswith(_PRONOUNS))
        if addressee and told and first is not None and _a_name(model, tokens[j - 1].group()):
            break  # قال الأمير محمد للرئيس بوتين، قال بيريز لمستمعيه: whom he told
        first = m.start() if first is None else first
        last, words = (named.end() if named else m.end()), words + 1
        if words == _NP_WORDS:
            break
    if first is None or (words == 1 and _adverb(model, norm[first:last])):
        return None
    return first, last


def _a_name(model: _SpeakerModel, word: str) -> bool:
    """Whether a word of a subject is a name: no article, no subject word, nationality or
    place, and a letter first (جون، كيري)."""
    return (
        word[:1].isalpha()
        and not word.startswith("ال")
        and _head(model, word) is None
        and _nation(model, word) is None
        and word not in model.places
    )


def _family_name(model: _SpeakerModel, word: str) -> bool:
    """Whether a word with the article is a family name: a nisba (القحطاني) or one that
    looks like a name (:func:`_surname`: الجبير), and no nationality or subject word."""
    return (
        word.startswith("ال")
        and (word.endswith("ي") or _surname([word]))
        and _head(model, word) is None
        and _nation(model, word) is None
    )


def _adverb(model: _SpeakerModel, word: str) -> bool:
    """Whether one word after a verb is an adverb or object, not a subject: an accusative in
    -ا that is a participle (موضحا، مبتسما), a nisba (رسميا، حاليا) or listed as a stop word
    (مجددا، سابقا), or a word with a pronoun (حينها، منها، اننا). Other words in -ا are
    names (أوباما، تاناكا، المهنا)."""
    if not word.endswith("ا") or word in model.heads or word in model.places:
        return False
    return (
        word.endswith(("ها", "نا", "يا"))
        or (word[0] == "م" and len(word) >= 5)
        or _is_stop(model, word)
    )


_CLOSING = {"«": "»", '"': '"', "“": "”"}
_ABBREVIATED = frozenset(("د",))  # د. for دكتور
# What follows a subject in quotes (وأشار «الصفيان» إلى أن، وفقا لـ«بوينغ» فإن), normalised.
_AFTER_QUOTED_NAME = frozenset(("ان", "بان", "فان", "انه", "انها", "الي", "\u060c", ","))


def _closing(tokens: list[re.Match], i: int, words: int = 4) -> int | None:
    """The index of the quote that closes the one at ``tokens[i]`` within ``words`` words."""
    close = _CLOSING.get(tokens[i].group())
    last = min(i + words + 2, len(tokens))
    return next((k for k in range(i + 1, last) if tokens[k].group() == close), None)


def _quoted_name(model: _SpeakerModel, tokens: list[re.Match], i: int) -> tuple[int, int] | None:
    """A subject in quotes at ``tokens[i]`` (وأشار «الصفيان» إلى، وفقا لـ«بوينغ» فإن): one to
    three words in quotes, then a complement, إلى or a comma (_AFTER_QUOTED_NAME); a longer
    quote, or one followed by anything else, is speech or an object (وأضاف «لن نسمح بذلك»،
    يؤكد «الدعم القوي» من). Its span without the quotes, or None."""
    end = _closing(tokens, i, words=3)
    if end is None or end + 1 >= len(tokens):
        return None
    inside, after = tokens[i + 1 : end], tokens[end + 1].group()
    if not inside or any(not t.group().isalnum() or _is_stop(model, t.group()) for t in inside):
        return None
    if after not in _AFTER_QUOTED_NAME:
        return None  # يؤكد «الدعم القوي» من حكومته: a quoted object
    return inside[0].start(), inside[-1].end()


def _told(model: _SpeakerModel, bare: str, first: bool) -> bool:
    """Whether ل + ``bare`` names whom a speaker told: any subject word first (قال لصحيفة),
    a medium after the subject (المتحدث لوكالة فرانس برس), but not a body, which is a
    genitive there (المتحدث الرسمي لوزارة الداخلية، الرئيس التنفيذي لشركة ...)."""
    return model.heads.get(bare) is not None and (first or bare in model.media)


def _bare(word: str) -> str:
    """A word without a leading article and preposition: لوكاله -> وكاله, الرئاسه -> رئاسه,
    بالخارجيه -> خارجيه."""
    for prefix in ("بال", "وال", "فال", "كال", "لل", "ال", "ل"):
        if word.startswith(prefix) and len(word) > len(prefix) + 2:
            return word[len(prefix) :]
    return word


_PLURALS = ("ات", "ون", "ين", "ان")  # sound plurals and the dual (مسؤولان)
_PRONOUNS = ("هما", "هم", "ها", "ه", "نا", "كم")  # suffixed to a preposition: خلاله، عليهم


def _head(model: _SpeakerModel, word: str) -> str | None:
    """The kind (``subject_words.csv``) of a word by its bare form (:func:`_bare`), or None.
    A sound plural of a listed noun is its own kind: of a person noun an anonymous group
    (خبيرات، محاميات: ``nonstate``), of a title or source a state source (مسؤولات)."""
    return _memoised(model.head_of, _kind_of, model, word)


def _memoised(memo: dict, compute, model: _SpeakerModel, word: str):
    """``compute(model, word)``, kept in ``memo``, which starts again past _MEMO_WORDS."""
    try:
        return memo[word]
    except KeyError:
        if len(memo) > _MEMO_WORDS:
            memo.clear()
        value = memo[word] = compute(model, word)
        return value


def _kind_of(model: _SpeakerModel, word: str) -> str | None:
    """:func:`_head`, computed: the word as it is first (لجنه، لاعب، ليبي start with ل), and
    a feminine by its masculine (الخبيره -> خبير)."""
    bare = word if word in model.heads else _bare(word)
    if bare not in model.heads and word[:1] == "ب" and word[1:] in model.heads:
        bare = word[1:]  # بمديرية، بشرطة: of the body
    kind = model.heads.get(bare)
    if kind is None and bare.endswith("ه") and model.heads.get(bare[:-1]) == "person":
        kind = "person"  # not a title: أمينة is a name, وزيرة and رئيسة are listed
    if kind is not None or len(bare) < 5 or not bare.endswith(_PLURALS):
        return kind
    single = model.heads.get(bare[:-2]) or model.heads.get(bare[:-2] + "ه")
    if single == "person":
        return "nonstate"
    return "source" if single in ("title", "source") else None


def _state_of(model: _SpeakerModel, words: list[str]) -> str | None:
    """The group of the first nationality adjective or country name in ``words`` (وزير
    الخارجية المصري، مفتي مصر، وزير خارجية الولايات المتحدة), "" for an international body,
    None when there is none."""
    for i, word in enumerate(words):
        pair = model.places.get(" ".join(words[i : i + 2])) if i + 1 < len(words) else None
        group = pair if pair is not None else _nation(model, word)
        if group is None:
            group = model.places.get(word)
        if group is None and word[:1] in "بل":
            group = model.places.get(word[1:])  # بالأردن، لروسيا
        if group is not None:
            return group
    return None


def _place(model: _SpeakerModel, words: list[str]) -> str | None:
    """The group of a country or capital that opens ``words`` (وتدعو تركيا، وأكدت موسكو،
    قالت الولايات المتحدة): the state speaks; None when the words open with none."""
    group = model.places.get(" ".join(words[:2])) if len(words) > 1 else None
    return group if group is not None else model.places.get(words[0])


def _nation(model: _SpeakerModel, word: str) -> str | None:
    """The group of a nationality adjective in any form (المصري، الفرنسية، صينيون), or None."""
    return _memoised(model.nation_of, _nation_of, model, word)


def _nation_of(model: _SpeakerModel, word: str) -> str | None:
    """:func:`_nation`, computed."""
    word = word if word in model.nations else _bare(word)
    for ending in ("ين", "ون", "ان", "ه", ""):
        if ending and word.endswith(ending) and word[: -len(ending)] in model.nations:
            return model.nations[word[: -len(ending)]]
        if not ending and word in model.nations:
            return model.nations[word]
    return None


def _unlisted(model, norm, span, surface, according: bool, home: str | None = None):
    """A subject that is not in the speakers table, by the kind of its first word
    (``subject_words.csv``): a state title (وزير الخارجية المصري سامح شكري) is an unlisted
    person, a state institution or spokesman (الرئاسة الفرنسية، المتحدث، مسؤول صيني) an
    unnamed source, both grouped by the nationality adjective in them; a person noun
    (الدكتور الشمري) is an unlisted person and a media or anonymous source (مصادر، قناة ...
    الكازاخستانية) an unnamed source whatever their nationality. An unknown first word is an
    unlisted person when the phrase holds a name (a word without the article, or a family
    name in -ي: الزهراني), else an unnamed source. After بحسب/وفقا only a known first word
    makes an attribution, or two words without the article (وفقا لجان دوفال: a full name;
    حسب الخطة, وفقا لقانون العمل and ليس ... فحسب بل are none): else None."""
    words = [w for w in norm[span[0] : span[1]].split() if w not in "\u060c,"]
    place = _place(model, words)
    if place is not None:  # the state speaks (وتدعو تركيا، وأكدت موسكو)
        return {**_UNNAMED, "english": surface(*span), "group": place or _UNNAMED["group"]}
    head = _head(model, words[0])
    bare = [
        w
        for w in words
        if not w.startswith("ال") and _nation(model, w) is None and w not in model.places
    ]
    quoted = span[0] > 0 and norm[span[0] - 1] in _CLOSING  # وفقا لـ«بوينغ»: a name
    if head is None and according and len(bare) < 2 and not quoted:
        return None
    later = [_head(model, w) for w in words[1:]]
    at = next((i + 1 for i, k in enumerate(later) if k in ("title", "source")), 0)
    board = _board(words)  # مجلس إدارة الغرفة: the board is the body's, not a state council
    pairs = list(enumerate(zip(words[1:], later, strict=True), start=1))
    body = next(
        ("nonstate" if _is_body(model, w) else k for i, (w, k) in pairs
         if (k == "source" and i not in board) or _is_body(model, w)),
        None,
    )  # fmt: skip
    if head in (None, "person") and at:  # a name or honorific first, then the office: its
        # state is the office's (ميتشيلا لاجرونوفا المتحدثة باسم ...، الدكتور ... وكيل وزارة
        # العمل، الألماني توماس باخ رئيس اللجنة الأولمبية الدولية); a person holds it, but
        # an unknown word with the article opens a body (المركز الإعلامي بمديرية الأمن العام)
        body_first = head is None and words[0].startswith("ال")
        head = later[at - 1] if body_first else "title"
    elif head is None:
        named = words[0].endswith("ي") or bare or _surname(words)
        head = "person" if named and not _abstract(model, words) else "nonstate"
        at = 0
    else:
        at = 0
    if head in ("title", "source") and body == "nonstate":  # the office of a body of no
        head = _no_state(model, head, words)  # state: رئيس كتلة، مدير المرصد
    group = _state_of(model, words[at:]) if head in ("title", "source", "document") else None
    if head == "document" and group not in _STATE_GROUPS:  # البيان الفرنسي: that state's
        group = None
    if head in ("title", "source") and group is None:  # مسؤول في وزارة المالية القطرية
        body = _body_after(model, norm, span[1])
        kind = _head(model, body[0]) if body else None
        if body and _is_body(model, body[0]):  # مسؤول من حركة حماس: of a body of no state
            head = _no_state(model, head, words)
        elif kind in ("title", "source"):
            group = _state_of(model, body)
    former = any(_bare(w).removesuffix("ه") in model.former for w in words[1:])
    if former or _FORMER.match(norm, span[1]):  # وزير الخارجية السابق: speaks for no state
        head, group = (_no_state(model, head, words) if head in ("title", "source") else head), None
    if any(w in _CALLED for w in words):  # أحد السكان ويدعى فلان: a named person
        head = "person"
    anonymous = head == "source" and len(words) == 1 and not words[0].startswith("ال")
    if head in ("title", "source") and group is None and not anonymous:  # مسؤول، متحدث
        group = home  # no adjective: the outlet's home state, if it has one
    named = head == "source" and words[0].startswith("ال") and _named_after(model, words)
    kind = "unlisted" if head in ("title", "person") or named else "unnamed"
    default = "unlisted person" if kind == "unlisted" else "unnamed source"
    lo = span[0] + (according and norm[span[0]] == "ل" and norm[span[0] + 1] != "ل")  # وفقا لـ
    return {
        "entity_id": kind,
        "english": surface(lo, span[1]),
        "group": group or default,
        "kind": kind,
    }


_OF = frozenset(("في", "من"))


def _board(words: list[str]) -> set[int]:
    """The indices of «مجلس إدارة» (a board of directors) in ``words``."""
    return {
        k
        for i in range(len(words) - 1)
        if _bare(words[i]) == "مجلس" and _bare(words[i + 1]) == "اداره"
        for k in (i, i + 1)
    }


def _no_state(model: _SpeakerModel, head: str, words: list[str]) -> str:
    """The kind of an office that speaks for no state (of a party, a company, a former one):
    a titled one is a person (رئيس كتلة، مدير المرصد), a source one only when the words
    name him (المسؤول الانفصالي ألكسندر زاخارتشنكو), else an unnamed source (دبلوماسي
    إسرائيلي سابق، مسؤول من حركة حماس)."""
    if head == "title":
        return "person"
    named = any(  # a full name: two words, the second a name or a family name (محمد الصباغ)
        _a_name(model, a) and (_a_name(model, b) or _family_name(model, b))
        for a, b in itertools.pairwise(words[1:])
    )
    return "person" if named else "nonstate"


_CALLED = frozenset(("يدعي", "ويدعي", "تدعي", "وتدعي", "واسمه", "اسمه"))
_FORMER = re.compile(r"\s*(?:ال)?(?:سابق|اسبق)(?:ه)?(?!\w)")  # after the span: a time word there


def _abstract(model: _SpeakerModel, words: list[str]) -> bool:
    """Whether a subject is a feminine noun with a definite genitive (متانة العلاقات، أهمية
    التعاون، بداية الأزمة): the object of a verb whose subject is its pronoun, not a name,
    unless it is a subject word (وزارة الخارجية، حكومة الإمارات) or a family name follows
    (سارة الحربي)."""
    if len(words) < 2 or words[0].startswith("ال") or not words[0].endswith("ه"):
        return False
    if _head(model, words[0]) is not None or _place(model, words) is not None:
        return False
    second = words[1]
    return second.startswith("ال") and not (second.endswith("ي") or _surname([second]))


def _surname(words: list[str]) -> bool:
    """Whether a subject of one word with the article looks like a family name (الجبير،
    الصفيان، السعود، الغيث), not a noun: three to five letters after the article, not a
    participle or verbal noun (م، ت، ا first) or a feminine or plural (ه، ات، ون، ين، اء)."""
    if len(words) != 1 or not words[0].startswith("ال"):
        return False
    bare = words[0][2:]
    return (
        3 <= len(bare) <= 5
        and bare[0] not in "متا"
        and not bare.endswith(("ه", "ات", "ون", "ين", "اء"))
    )


def _is_body(model: _SpeakerModel, word: str) -> bool:
    """Whether a word names a body of no state: a medium, company, party, movement,
    association (``subject_words.csv``: kinds medium and body)."""
    return _memoised(model.body_of, _body_word, model, word)


def _body_word(model: _SpeakerModel, word: str) -> bool:
    """:func:`_is_body`, computed."""
    bare = _bare(word)
    plural = bare.endswith("ات") and bare[:-2] + "ه" in model.bodies  # الشركات، المنظمات
    return word in model.bodies or bare in model.bodies or plural


def _named_after(model: _SpeakerModel, words: list[str]) -> bool:
    """Whether a definite source word is followed by a name (المسؤول الانفصالي ألكسندر
    زاخارتشنكو): a word without the article that is no subject word, nationality, place or
    باسم. An indefinite one (مسؤول أمني) is anonymous, whatever follows it."""
    return any(w != "باسم" and _a_name(model, w) for w in words[1:])


def _body_after(model: _SpeakerModel, norm: str, end: int) -> list[str]:
    """The words of the body a subject ending at ``end`` belongs to, named after it with
    في / من (مسؤول في وزارة المالية القطرية، مسؤول من حركة حماس); [] when none follows."""
    nxt = _TOKEN.search(norm, end)
    if nxt is None or nxt.group() not in _OF:
        return []
    hi = min(len(norm), nxt.end() + _NP_CHARS)
    span = _subject_span(model, norm, nxt.end(), hi, addressee=False)
    return norm[span[0] : span[1]].split() if span else []


def _spoken_for(model: _SpeakerModel, norm: str, lo: int, hi: int):
    """The listed name after باسم in norm[lo:hi] (on behalf of: المتحدث باسم الرئيس الروسي
    بوتين) or after a deputy's title that opens it (نائب وزير الخارجية الروسي، مستشار
    الرئيس بوتين), reached over titles and nationality adjectives only, as a match; else
    None."""
    behalf = re.search(r"(?<!\w)باسم(?!\w)", norm[lo:hi])
    opening = _TOKEN.match(norm, lo)
    if opening is not None and opening.group() in ("احد", "احدي"):  # أحد مستشاري الرئيس
        opening = _TOKEN.search(norm, opening.end(), hi)
    if behalf is not None:
        lo += behalf.end()
    elif opening is not None and _bare(opening.group()) in model.deputies:
        lo = opening.end()
    else:
        return None
    for m in _TOKEN.finditer(norm, lo, hi):
        named = model.names.match(norm, m.start(), hi)
        if named is not None:
            return named
        head = _head(model, m.group())
        if head != "title" and (head is not None or _nation(model, m.group()) is None):
            return None
    return None


def _subject(model, norm, span, surface, according=False, home=None) -> dict | None:
    """Who a subject noun phrase names: a listed person, else a listed role, else unlisted.

    A listed name after باسم (on behalf of), reached over titles and nationality adjectives
    only (المتحدث باسم الرئيس بوتين ديمتري بيسكوف), is whom the speaker speaks for, not the
    speaker: it is skipped, and when no other listed name is left the speaker is the phrase
    itself (المتحدثة باسم الخارجية الصينية هوا تشون ينغ) in the group of the one it speaks for,
    an unlisted person when words (a name) follow the one spoken for, else an unnamed source.
    So is a deputy's superior (نائب وزير الخارجية الروسي سيرغي ريابكوف: not the minister).
    """
    lo, hi = span
    spoken_for = _spoken_for(model, norm, lo, hi)
    found = [
        m
        for m in model.names.finditer(norm, lo, hi)
        if spoken_for is None or m.start() != spoken_for.start()
    ]
    rows = [model.rows[int(m.lastgroup[1:])] for m in found]
    who = next((r for r in rows if r["kind"] == "person"), rows[0] if rows else None)
    if who is None and spoken_for is not None:
        group = model.rows[int(spoken_for.lastgroup[1:])]["group"]
        kind = "unlisted" if norm[spoken_for.end() : hi].strip() else "unnamed"
        who = {"entity_id": kind, "english": surface(*span), "group": group, "kind": kind}
    return who or _unlisted(model, norm, span, surface, according, home)


def _actor(model: _SpeakerModel, norm: str, hi: int) -> dict | None:
    """The listed person who opens a sentence as subject of its first verb, in norm[:hi]:
    a name first (توكاييف قال) or right after the first word (ووافق تليوبردي، وأطلع
    تليوبردي نظيره، أجرى عضو مجلس الدولة وزير الخارجية الصيني وانغ يي) in its subject noun
    phrase; else the same after an opening phrase up to the first comma (وحول الوضع في
    قازاقستان، أطلع لافروف ...). Which first word is a verb is not checked, only that it is
    no stop word (وإلى جانب الاتصال بوزير الخارجية الروسي لافروف، اتصل الوزير وانغ يي: Wang)."""
    if model.names.search(norm, 0, hi) is None:  # most sentences name no listed one
        return None
    who = _actor_at(model, norm, 0, hi)
    comma = next((m.start() for m in re.finditer("[\u060c,]", norm[:hi])), None)
    if who is None and comma is not None:
        who = _actor_at(model, norm, comma + 1, hi)
    return who


def _first_word(model: _SpeakerModel, norm: str, lo: int, hi: int) -> re.Match | None:
    """The first word of the clause at ``lo`` after its openers (كما، وقد), taken for its
    verb; None when it is a stop word (a preposition, a complement, a time word)."""
    first = next((m for m in _TOKEN.finditer(norm, lo, hi) if m.group() not in model.openers), None)
    if first is None or _is_stop(model, first.group(), first=True):
        return None
    return first


def _actor_at(model: _SpeakerModel, norm: str, lo: int, hi: int) -> dict | None:
    """:func:`_actor` for the clause that starts at ``lo``."""
    first = _first_word(model, norm, lo, hi)
    if first is None:
        return None
    opening = _first_name(model, norm, first.start(), first.end(), persons_only=True)
    if opening is not None:
        return opening
    span = _subject_span(model, norm, first.end(), hi)
    if span is None:
        return None
    return _first_name(model, norm, *span, persons_only=True)


def _opening(model: _SpeakerModel, sent: str, hi: int, surface, home) -> dict | None:
    """The subject of a sentence's first verb, listed or not, for a later verb without one
    (وقدم اللاعب سعود الحقباني شكره ...، وقال:، ونشرت الشركة ... قائلة): taken only when it
    starts with a subject word (title, source, person, nonstate), so that an object or a
    place is not."""
    first = _first_word(model, sent, 0, hi)
    if first is None:
        return None
    span = _subject_span(model, sent, first.end(), hi)
    words = sent[span[0] : span[1]].split() if span else []
    if not words or _head(model, words[0]) not in ("title", "source", "person", "nonstate"):
        return None
    return _subject(model, sent, span, surface, home=home)


_AFTER_ACCORDING = frozenset(("به", "بها", "اليوم", "امس", "ما", "عن", "ل"))  # ل: وفقا لـ«X»


def _according_span(model: _SpeakerModel, norm: str, end: int) -> tuple[int, int] | None:
    """The source after بحسب/حسبما/وفقا ل/نقلا عن: ما and the verb after it are skipped
    (بحسب ما أعلنت الرئاسة), as are عن (نقلا عن), the verb after حسبما, به and a time word
    (حسبما أفادت به وكالة ...، بحسب ما أعلنت أمس (الثلاثاء) المؤسسة)."""
    words = list(_TOKEN.finditer(norm, end, len(norm)))
    i, verb = 0, norm[:end].endswith("حسبما")
    while i < len(words):
        word = words[i].group()
        if word == "(":
            close = next((k for k in range(i, len(words)) if words[k].group() == ")"), i)
            i = close + 1
        elif word in _AFTER_ACCORDING or verb:
            verb = word == "ما"
            i += 1
        else:
            break
    if i >= len(words):
        return None
    return _subject_span(model, norm, words[i].start(), len(norm), addressee=False)


def _cited(model, sent: str, span: tuple[int, int], cues: list[tuple], surface, home=None):
    """The source cited right after a subject (ذكرت قناة ... نقلا عن وزارة الصحة): it is the
    one who speaks. None without نقلا عن there."""
    nxt = [c for c in cues if c[2] == "according" and c[0] >= span[1]]
    if (
        not nxt
        or sent[span[1] : nxt[0][0]].strip(" \u060c,")
        or sent[slice(*nxt[0][:2])][-4:] != "نقلا"
    ):
        return None
    where = _according_span(model, sent, nxt[0][1])
    return where and _subject(model, sent, where, surface, according=True, home=home)


_ISSUED = frozenset(("صادر", "صادره"))
_FROM = frozenset(("عن", "من"))
_COMPLEMENTS = frozenset(("ان", "بان", "فان", "وان", "لان"))


def _issuer(model: _SpeakerModel, sent: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """The issuer of a document that is the subject: بيان صادر عن الرئاسة، بيان من الوزارة
    (after the subject) or بيان لوزارة الخارجية (inside it); None when the subject is no
    document or names no issuer (وذكر بيان أن: an unnamed source)."""
    words = list(_TOKEN.finditer(sent, *span))
    if _head(model, words[0].group()) != "document":
        return None
    if len(words) > 1 and words[1].group()[:1] == "ل":
        return words[1].start(), span[1]
    if (
        len(words) > 1
        and words[1].group().startswith("ال")
        and _head(model, words[1].group()) == "source"
    ):
        return words[1].start(), span[1]  # بيان الجيش، بيانات الشرطة: the body's
    nxt = _TOKEN.search(sent, span[1])
    if (
        nxt is None
        or nxt.group() not in _FROM
        or (len(words) > 1 and words[1].group() not in _ISSUED)
    ):
        return None
    return _subject_span(model, sent, nxt.end(), len(sent), addressee=False)


def _quoted_from(model: _SpeakerModel, sent: str, pos: int) -> tuple[int, int] | None:
    """The one a medium quotes: نقلت الوكالة عن X قوله, with ``pos`` after the medium."""
    nxt = _TOKEN.search(sent, pos)
    if nxt is None or nxt.group() != "عن":
        return None
    return _subject_span(model, sent, nxt.end(), len(sent), addressee=False)


def _before_verb(model: _SpeakerModel, sent: str, verb: int) -> tuple[int, int] | None:
    """A subject put before its verb: right after a complement, up to three words (فإن
    لافروف قال، إلا أن بوجاشيف يقول), or at the sentence's start (after its openers) when it
    starts with a subject word or holds a listed name; None when a stop word or punctuation
    comes between."""
    tokens = list(_TOKEN.finditer(sent, 0, verb))
    marker = 0  # a list item's number or bullet: 4) يوري أوشاكوف ... قال
    while marker < min(2, len(tokens)) and not tokens[marker].group().isalpha():
        marker += 1
    tokens = tokens[marker:]
    i = len(tokens)
    while i > 0 and tokens[i - 1].group() not in _COMPLEMENTS:
        word = tokens[i - 1].group()
        if (len(word) == 1 and not word.isalnum()) or _is_stop(model, word):
            return None
        i -= 1
    after_complement = i > 0
    while i == 0 and i < len(tokens) and tokens[i].group() in model.openers:
        i += 1
    words = tokens[i:]
    if not words or len(words) > _NP_WORDS:
        return None
    span = (words[0].start(), words[-1].end())
    if (
        (after_complement and len(words) <= 3)  # إلا أن بوجاشيف يقول: any name there
        or _head(model, words[0].group()) is not None
        or _place(model, [w.group() for w in words[:2]]) is not None
        or model.names.search(sent, *span)
    ):
        return span
    return None


def _decide(model: _SpeakerModel, sent: str, cues: list[tuple], carried, surface, home=None):
    """``(who, cue, carried)`` for one normalised sentence with its cues; ``who`` is None
    for a sentence without a reporting cue (its caller decides: colon, line, outlet).

    The first cue decides. A subject after it (:func:`_subject_span`) is the speaker and is
    carried on, listed or not. A verb without a subject takes the person who opens the
    sentence (ووافق تليوبردي ...، وأعرب عن), else the carried speaker, else "unnamed
    source". An attribution (بحسب، حسبما، وفقا ل، نقلا عن) counts only with a source after
    it; a subject citing another (ذكرت قناة ... نقلا عن وزارة ...) gives the cited one. A
    sentence without a cue still ends the carry when a listed person opens it."""
    for cue in cues:
        if cue[2] == "according":
            span = _according_span(model, sent, cue[1])
            if span and any(span[0] <= c[0] < span[1] for c in cues if c[2] != "according"):
                continue  # بحسب وكالة الأنباء الألمانية قال كريس ويفر: the one who said
            span = span and (_issuer(model, sent, span) or span)  # وفقا لبيان الجيش
            who = span and _subject(model, sent, span, surface, according=True, home=home)
            if who:
                return who, cue, who
            continue
        participle = _participle(sent[cue[0] : cue[1]], cue[2])
        span = None if participle else _subject_span(model, sent, cue[1], len(sent))
        if span and _abstract(model, sent[span[0] : span[1]].split()):
            span = None  # وأكد متانة العلاقات: the object; the subject is in the verb
        if cue[2] == "verb_from":
            span = _quoted_from(model, sent, span[1] if span else cue[1]) or span
        if span is None and not participle:
            span = _before_verb(model, sent, cue[0]) or _had_said(model, sent, cue[0])
        if span is None:
            actor = _actor(model, sent, cue[0]) or _opening(model, sent, cue[0], surface, home)
            carried = actor or _resolve(carried)
            return carried or _UNNAMED, cue, carried
        span = _issuer(model, sent, span) or span
        who = _subject(model, sent, span, surface, home=home)
        cited = _cited(model, sent, span, cues, surface, home)
        return (cited or who), cue, (cited or who)
    actor = _actor(model, sent, len(sent))
    return None, None, actor or _Opening(model, sent, surface, home, carried)


@dataclass
class _Opening:
    """The speaker carried past a sentence without a reporting verb: the office or person
    that opens it as subject of its first verb (واستقبل وزير الخارجية الأردني الوفد), else
    the one carried before (``before``). Found only when a later verb without a subject
    asks (:func:`_resolve`): most sentences have no reporting verb, and most carries are
    never asked for."""

    model: _SpeakerModel
    sent: str
    surface: object
    home: str | None
    before: object


def _many(model: _SpeakerModel, surface: str) -> bool:
    """Whether a subject is a dual or plural of a subject word (الجانبان، المسؤولون): no
    antecedent for the singular verb a carry serves (وأضاف)."""
    first = frames.normalize_literal(surface.split()[0]) if surface.split() else ""
    bare = _bare(first)
    return bare not in model.heads and bare.endswith(_PLURALS) and _head(model, first) is not None


def _resolve(carried):
    """The carried speaker (a row, or None), with each :class:`_Opening` looked at from the
    latest sentence back."""
    while isinstance(carried, _Opening):
        o = carried
        found = _opening(o.model, o.sent, len(o.sent), o.surface, o.home)
        if found is not None and not _many(o.model, found["english"]):
            return found
        carried = o.before
    return carried


_HAD = frozenset(("كان", "وكان", "كانت", "وكانت"))


def _had_said(model: _SpeakerModel, sent: str, verb: int) -> tuple[int, int] | None:
    """The subject of «وكان X قد VERB» (وكان الدبلوماسي الكبير في الخارجية الأمريكية قد
    أوضح): the words between كان and قد, at most _NP_WORDS + 4; None for any other shape."""
    tokens = list(_TOKEN.finditer(sent, 0, verb))
    if len(tokens) < 3 or tokens[0].group() not in _HAD or tokens[-1].group() != "قد":
        return None
    inside = tokens[1:-1]
    if len(inside) > _NP_WORDS + 4 or any(not t.group()[:1].isalpha() for t in inside):
        return None
    return inside[0].start(), inside[-1].end()


def _colon_speaker(model: _SpeakerModel, norm: str) -> dict | None:
    """``NAME: quote`` (a name within 40 characters before the first colon)."""
    colon = norm.find(":")
    return _first_name(model, norm, max(0, colon - 40), colon) if colon > 0 else None


def _lines(text: str, spans: list[tuple[int, int]]) -> list[int]:
    """The line of each sentence."""
    newlines = [m.start() for m in re.finditer("\n", text)]
    return np.searchsorted(newlines, [s for s, _ in spans], side="right").tolist()


def sentence_speakers(articles: list[tuple]) -> list[list[tuple[dict, str]]]:
    """The speaker row and the cue word of every sentence, for many articles at once.

    Each article is ``(text, norm, index, spans, outlet)``: its text, its normalised text
    and offset map (from :func:`helpers.frames.normalize_for_matching`), its sentence spans
    and the outlet's name or None. :func:`attribute_speakers` is this for one article;
    :func:`helpers.frames.frame_hits`, which has normalised the articles already, calls it
    for the articles with hits. The reporting verbs of all the articles are found in one
    pass of the verb matcher. See :func:`attribute_speakers` for the rules.
    """
    model = _speaker_model()
    found = model.cues.scan([norm for _, norm, *_ in articles])
    return [
        _speakers_of(model, *article, cues) for article, cues in zip(articles, found, strict=True)
    ]


def _surface_of(text: str, index, lo: int):
    """``surface(a, b)``: the original text of norm[lo + a : lo + b] (a speaker's words as
    published), through the offset map ``index`` of the normalised text."""

    def surface(a: int, b: int) -> str:
        return text[index[lo + a] : index[lo + b - 1] + 1].strip(" \u060c,")

    return surface


_STATE_GROUPS = frozenset(SPEAKER_GROUPS[:4])  # Chinese, Russian, Kazakh official, other state


def _name_words(model: _SpeakerModel, words: list[str]) -> list[str]:
    """The normalised ``words`` that may be a name: not a subject word, nationality, place,
    stop or time word, and with the article only a family name (جون كيري، جديع القحطاني،
    محمد الصباغ; not الموارد البشرية)."""
    return [
        w
        for w in words
        if len(w) > 2 and (_a_name(model, w) or _family_name(model, w)) and not _is_stop(model, w)
    ]


@dataclass
class _Memory:
    """What one article has said so far of its people and offices, for
    :func:`_remember_state`: ``known`` maps a name word or an office key to a group. The
    offices each sentence names (:func:`_remember_mentions`) are read only when a speaker
    needs them, in the order of the sentences, with the speakers' own entries between them,
    so an article whose speakers never ask reads none."""

    model: _SpeakerModel
    home: str | None
    known: dict = field(default_factory=dict)
    pending: list = field(default_factory=list)  # sentences to read, entries to add, in order

    def read(self) -> dict:
        """``known``, with every pending sentence and entry taken in."""
        for item in self.pending:
            if isinstance(item, str):
                _remember_mentions(self.model, self.known, item, self.home)
            else:
                self.known.update(item)
        self.pending.clear()
        return self.known

    def add(self, entries: dict) -> None:
        """Entries to take in after what is pending."""
        if self.pending:
            self.pending.append(entries)
        else:
            self.known.update(entries)


def _remember_state(model: _SpeakerModel, memory: _Memory, who: dict) -> dict:
    """Carry the state of an unlisted person through an article by name: once «وزير
    الخارجية الأمريكي جون كيري» has spoken or been named (:func:`_remember_mentions`), a
    later «وقال كيري» is the same state's voice.

    ``memory`` (one per article) maps each name word of an unlisted speaker to its group
    (a state's, else "unlisted person"), and is filled here; an unlisted person without a
    state whose last name word is in it comes back with that group, and so does a one-word
    subject taken for an unnamed source that is such a name (عادل الجبير ... وقال الجبير),
    and an office without an adjective that it holds (الوزارة); any other speaker comes back
    as it is."""
    words = [frames.normalize_literal(w) for w in who["english"].split()]
    key = _office_key(model, words) if who.get("kind") in ("unlisted", "unnamed") else None
    if key is not None and _state_of(model, words) is None and key in memory.read():
        return {**who, "group": memory.known[key]}  # الوزارة after وزارة الخارجية الروسية
    names = _name_words(model, words)
    if who.get("kind") == "unnamed" and len(names) == 1 == len(words):
        if names[0] in memory.read():
            group = memory.known[names[0]]
            return {**who, "entity_id": "unlisted", "kind": "unlisted", "group": group}
        return who
    if who.get("kind") != "unlisted":
        return who
    if who["group"] in _STATE_GROUPS:
        memory.add(dict.fromkeys(names, who["group"]))
        return who
    known = memory.read()
    if names and names[-1] in known:
        return {**who, "group": known[names[-1]]}
    for name in names:
        known.setdefault(name, who["group"])
    return who


def _office_key(model: _SpeakerModel, words: list[str]) -> tuple | None:
    """The key an office is remembered by in :func:`_remember_state`: its subject words and
    the definite words after them, up to a nationality, a place or any other word, without
    the article (وزارة الخارجية الروسية: ("office", "وزاره خارجيه"); وزير الخارجية الأمريكي
    جون كيري: ("office", "وزير خارجيه")); None when ``words`` do not open with a title or
    source word."""
    if not words or _head(model, words[0]) not in ("title", "source"):
        return None
    office = [_bare(words[0])]
    for w in words[1:]:
        state = _nation(model, w) is not None or w in model.places
        if state or not (w.startswith("ال") or _head(model, w) is not None):
            break
        office.append(_bare(w))
    return ("office", " ".join(office))


def _remember_mentions(model: _SpeakerModel, known: dict, sent: str, home) -> None:
    """Fill ``known`` (:func:`_remember_state`) from every office a sentence names, speaker
    or not, with the state its words give (:func:`_state_of`), else the outlet's home:

    * the name words of a titled person (بعد لقائه وزير الخارجية الأمريكي جون كيري), so a
      later «وقال كيري» is that state's voice;
    * the office, and its first word alone (وزارة الخارجية الروسية: "وزارة الخارجية" and
      "وزارة"), so a later «وذكرت الوزارة» or «وقال وزير الخارجية» without an adjective is
      the office last named; an office without a state forgets them.

    A body of no state (رئيس حزب ...) and a one-word office (الوزارة: the reference itself)
    are passed over."""
    for m in model.offices.finditer(sent):
        hi = min(len(sent), m.start() + _NP_CHARS)
        span = _subject_span(model, sent, m.start(), hi, addressee=False)
        words = sent[span[0] : span[1]].split() if span else []
        if len(words) < 2:
            continue
        who = _unlisted(model, sent, span, _NO_SURFACE, False, home)  # as if it spoke
        key = _office_key(model, words)
        keys = [key, ("office", key[1].split()[0])] if key and key[1] else []
        if who["group"] in _STATE_GROUPS:
            if who["kind"] == "unlisted":
                known.update(dict.fromkeys(_name_words(model, words), who["group"]))
            known.update(dict.fromkeys(keys, who["group"]))
        else:
            for k in keys:
                known.pop(k, None)


def _NO_SURFACE(a: int, b: int) -> str:
    """The surface of a mention, which no table shows."""
    return ""


def _speakers_of(model: _SpeakerModel, text, norm, index, spans, outlet, found):
    """Speaker and cue of each sentence of one article, in order (carry, line, colon)."""
    outlet_row = {**_OUTLET, "english": outlet or "outlet"}
    home = model.homes.get(_outlet_key(outlet)) if outlet else None
    lines = _lines(text, spans)
    bounds = np.searchsorted(np.asarray(index), np.asarray(spans).reshape(-1)).tolist()
    cues = _sentence_cues(norm, bounds, found)
    out, carried, prev_line, prev_who, memory = [], None, -1, None, _Memory(model, home)
    for k, sent_cues in enumerate(cues):
        lo = bounds[2 * k]
        sent = norm[lo : bounds[2 * k + 1]]
        surface = _surface_of(text, index, lo)
        who, cue, carried = _decide(model, sent, sent_cues, carried, surface, home)
        if who is not None:
            same, who = carried is who, _remember_state(model, memory, who)
            carried = who if same else carried
        memory.pending.append(sent)  # its offices, read when a later speaker needs them
        if who is None:
            who = _colon_speaker(model, sent)
            if who is None and lines[k] == prev_line and prev_who is not None:
                who = prev_who  # speech goes on to the end of its paragraph line
            who = who or outlet_row
        prev_line, prev_who = lines[k], (who if who["group"] != "outlet" else None)
        out.append((who, sent[cue[0] : cue[1]] if cue else ""))
    return out


def attribute_speakers(text: str, outlet: str | None = None) -> pd.DataFrame:
    """Who speaks in each sentence of one article.

    A sentence with a reporting verb (قال، أكد، أضاف، أشار ... in past, present, feminine and
    participle forms, with و/ف attached) is given the verb's subject: the words after the verb
    (Arabic puts the subject after it) up to إن/أن, a colon or quote, or a circumstance
    (خلال، مع، في، بعد، عقب). In it the earliest listed person wins, else a listed role (وزير
    الخارجية الصيني), else the words themselves: "وزير الخارجية المصري سامح شكري" (group
    ``other state`` from المصري, entity ``unlisted``), "المتحدث" or "مصادر دبلوماسية"
    (``unnamed source``), "محمد العلي" (``unlisted person``). بحسب ما أعلنت / حسبما / وفقا ل /
    نقلا عن + a source attribute the sentence to that source.

    A verb followed directly by إن/أن/عن/على ("وأضاف أن", "وأعرب عن") has no subject of its
    own: it takes the listed person who opens its sentence ("ووافق تليوبردي ...، وأعرب عن"),
    else the carried speaker, else "unnamed source". Every subject is carried on, and a listed
    person opening a sentence without a reporting verb (وأطلع، التقى، استقبل، بحث ...) ends the
    carry too. The carry runs across lines and blank lines (news copy puts each sentence or
    paragraph on its own line, and «وأضاف» often opens a paragraph) to the article's end. A sentence
    without a verb is the outlet's own voice. ``NAME: quote`` (headlines) counts as NAME.

    Parameters
    ----------
    text : str
        Article text as received.
    outlet : str, optional
        The outlet's name for sentences in its own voice (default ``"outlet"``); its home
        state (``data/lexicons/outlets.csv``) groups officials named without an adjective.
        A missing value (None, NaN, "") is no outlet.

    Returns
    -------
    pandas.DataFrame
        One row per sentence: ``start, end, sentence, speaker, speaker_group, entity_id,
        cue``. It loses nested speech (Wang said that Xi said ...: Wang) and cannot tell
        quoted from paraphrased speech.

    Examples
    --------
    >>> df = attribute_speakers("قال وانغ يي إن الصين تدعم. وأضاف أن الوضع مستقر.")
    >>> df[["speaker", "speaker_group"]].values.tolist()
    [['Wang Yi (Chinese foreign minister)', 'Chinese official'], \
['Wang Yi (Chinese foreign minister)', 'Chinese official']]
    """
    if not isinstance(text, str) or not text.strip():
        return pd.DataFrame(columns=SPEAKER_COLUMNS)
    outlet = outlet if isinstance(outlet, str) and outlet.strip() else None
    spans = arabic.sentence_spans(text)
    norm, index = frames.normalize_for_matching(text)
    found = sentence_speakers([(text, norm, index, spans, outlet)])[0]
    rows = [
        (s, e, text[s:e], who["english"], who["group"], who["entity_id"], cue)
        for (s, e), (who, cue) in zip(spans, found, strict=True)
    ]
    return pd.DataFrame(rows, columns=SPEAKER_COLUMNS)


__all__ = [
    "REPORTING_VERBS_PATH",
    "SPEAKERS_PATH",
    "SPEAKER_COLUMNS",
    "SPEAKER_GROUPS",
    "attribute_speakers",
    "load_speakers",
    "sentence_speakers",
]
