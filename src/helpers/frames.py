"""Frame lexicon matching, rates with honest intervals, concordances and who voices a frame.

The frame lexicon lives in ``data/lexicons/frames.yaml``: each frame has patterns written in
plain Arabic with a few marks (see :func:`compile_template`). The whole lexicon compiles into
**one** regular expression (one named group per pattern), run once over each article's
normalised text. Offsets and quoted matches refer to the original text through the index map
of :func:`helpers.arabic.normalize_with_offsets`.

Speakers (who voices a frame) come from reporting verbs (``data/lexicons/reporting_verbs.csv``)
and the speakers table (``data/lexicons/speakers.csv``: entity id, English name, group), with
name spellings unified through :func:`helpers.arabic.entity_table`.

Speed (issue 8: tens of thousands of articles): :func:`frame_hits` normalises a few MB of
text at a time through one lookup table, runs the lexicon regex only where a literal test on
the first letters of a pattern says it could match (and then only the branches that could),
and works out sentences and speakers only for articles with hits, lazily. It gives exactly
the table of the straightforward path, :func:`find_frames` plus :func:`attribute_speakers`
per article (kept as ``_frame_hits_reference``; the tests compare the two), at about 10 MB/s
on SaudiNewsNet against about 0.4 MB/s before (``benchmarks/bench_frames.py``).

What this module cannot see: irony, negation ("there were no external forces" is still an
external-forces hit), and who speaks inside nested reported speech. Hits never overlap: a span
of text belongs to at most one frame (exclusions first, then the longest pattern).
"""

from __future__ import annotations

import bisect
import functools
import html
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from helpers import arabic
from helpers.paths import LEXICON_DIR
from helpers.stats import poisson_interval

FRAMES_PATH = LEXICON_DIR / "frames.yaml"
# libyaml's safe loader where PyYAML was built with it (ten times faster), else the Python one
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SPEAKERS_PATH = LEXICON_DIR / "speakers.csv"
REPORTING_VERBS_PATH = LEXICON_DIR / "reporting_verbs.csv"

HIT_COLUMNS = ["id", "frame", "match", "start", "end", "sentence", "speaker", "speaker_group"]
RATE_COLUMNS = ["id", "frame", "count", "n_words", "per_1000", "ci_low", "ci_high"]
SPEAKER_GROUPS = ("Chinese official", "Russian official", "Kazakh official", "outlet", "other")

# Letters the matcher folds on top of helpers.arabic.normalize, one character for one, so the
# offset map stays valid: alef forms, alef maksura and teh marbuta (in case the caller's
# normalisation steps leave them), and the hamza seats waw/yeh -> bare hamza, because news
# copy writes الشؤون and الشئون, مسؤول and مسئول interchangeably.
_MATCH_FOLD = str.maketrans(
    {
        "\u0623": "\u0627",  # أ alef with hamza above -> ا
        "\u0625": "\u0627",  # إ alef with hamza below -> ا
        "\u0622": "\u0627",  # آ alef with madda -> ا
        "\u0671": "\u0627",  # ٱ alef wasla -> ا
        "\u0649": "\u064a",  # ى alef maksura -> ي
        "\u0629": "\u0647",  # ة teh marbuta -> ه
        "\u0624": "\u0621",  # ؤ waw with hamza -> ء
        "\u0626": "\u0621",  # ئ yeh with hamza -> ء
    }
)

# Separators between the words of a pattern: spaces, an Arabic or Latin comma, a hyphen or a
# quote mark next to a space (الصينية -الروسية، "الثورة الملونة").
# The Arabic comma is a branch of its own, not a member of the Latin-1 class: a class mixing
# it with several Latin-1 characters makes ``re`` build a 64K-entry bitmap for every
# occurrence, half the compile time of the whole lexicon (the empty look-ahead keeps the
# parser from folding the branch back into one class). The same characters either way.
_SEP_CHAR = r"(?:[\s,\"«»\-]|\u060c(?=))"
_SEP = rf"(?:{_SEP_CHAR}*\s{_SEP_CHAR}*|\s*[\u060c,]\s*)"
_GAP_WORD = r"[^\s\u060c,.!?\u061f\u061b]+"
_GAP = rf"(?:{_SEP}{_GAP_WORD}){{0,2}}"
# Word boundaries: \w covers Arabic letters and digits but not ، ؛ ؟ (Arabic punctuation).
_WORD_START = r"(?<!\w)"
_WORD_END = r"(?!\w)"
# Conjunction و/ف, then a preposition ب/ك/ل; ل + ال is written لل.
_PROCLITIC = "[\u0648\u0641]?[\u0628\u0643\u0644]?"
_PROCLITIC_ARTICLE = (
    "[\u0648\u0641]?(?:[\u0628\u0643]?\u0627\u0644|\u0644\u0644|[\u0628\u0643\u0644])?"
)
_SUFFIXES = ("ه", "ها", "هما", "هم", "هن", "كم", "كما", "نا", "ي")
_ARTICLE = "(ال)"
_TOKEN = re.compile(r"\([^()]*\)|\{[^{}]*\}|[^(){}]+")


def _fold(text: str) -> str:
    return text.translate(_MATCH_FOLD)


def _norm(text: str) -> str:
    """Normalise a pattern literal exactly as article text is normalised for matching."""
    return _fold(arabic.normalize(text)) if text else ""


def normalize_for_matching(text: str) -> tuple[str, list[int]]:
    """Normalised, folded text and the original offset of each of its characters.

    Parameters
    ----------
    text : str
        Article text as received.

    Returns
    -------
    tuple of (str, list of int)
        The text after :func:`helpers.arabic.normalize_with_offsets` and the matcher's own
        one-for-one folds (hamza seats ؤ ئ -> ء), and the index map into ``text``. The folds
        lose the difference between مسؤول and مسئول, which is the point.

    Examples
    --------
    >>> normalize_for_matching("الشئون")[0] == normalize_for_matching("الشُّؤون")[0]
    True
    """
    norm, index = arabic.normalize_with_offsets(text)
    return _fold(norm), list(index)


# ----------------------------------------------------------------------------------------
# Pattern language
# ----------------------------------------------------------------------------------------


def _compile_word(word: str, first: bool) -> str:
    """One template word -> regex on normalised text (no boundaries)."""
    suffix = word.endswith("+")
    if suffix:
        word = word[:-1]
    has_article = word.startswith(_ARTICLE)
    if has_article:
        word = word[len(_ARTICLE) :]
    parts: list[str] = []
    pieces = _TOKEN.findall(word)
    if "".join(pieces) != word or not word:
        raise ValueError(f"cannot parse pattern word {word!r}: check its brackets")
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        if piece.startswith("("):
            parts.append(f"(?:{_alternatives(piece[1:-1].split('|'), suffix and last)})?")
        elif piece.startswith("{"):
            parts.append(f"(?:{_alternatives(piece[1:-1].split('|'), suffix and last)})")
        else:
            parts.append(_alternatives([piece], suffix and last))
    body = "".join(parts)
    if first:
        prefix = _PROCLITIC_ARTICLE if has_article else _PROCLITIC
    else:  # later words take only the article (و is written out: و(ال)تطرف)
        prefix = "(?:\u0627\u0644)?" if has_article else ""
    return f"{prefix}(?:{body})"


def _alternatives(options: list[str], suffix: bool) -> str:
    """Normalised, escaped alternatives; with ``suffix`` each may carry a pronoun."""
    out = []
    for raw in options:
        raw = raw.strip()
        forms = {re.escape(_norm(raw))} if raw else {""}
        if suffix and raw:
            stem = raw[:-1] if raw[-1] in "ةه" else raw
            tied = _norm(stem + "ت") if raw[-1] in "ةه" else _norm(stem)
            sufs = "|".join(re.escape(_norm(s)) for s in _SUFFIXES)
            forms.add(f"{re.escape(tied)}(?:{sufs})")
        out.extend(sorted(forms, key=len, reverse=True))
    return "|".join(out)


def compile_template(template: str) -> str:
    """Compile one lexicon pattern into a regex for normalised, folded text.

    Parameters
    ----------
    template : str
        Words separated by spaces. ``(ال)`` is an optional article (``لل`` after ``ل``),
        ``(x)`` an optional piece, ``{a|b}`` alternatives, a trailing ``+`` an optional
        pronoun suffix (ة -> ت before it), ``…`` or ``...`` 0 to 2 words in between. The first
        word also accepts the attached particles و/ف and ب/ك/ل.

    Returns
    -------
    str
        A regex (no capturing groups) anchored on word boundaries. It cannot express
        agreement between words: ``(ال)قوى (ال)خارجيه`` also accepts the rare mixed
        ``القوى خارجيه``.

    Examples
    --------
    >>> rx = re.compile(compile_template("(ال){ثوره|ثورات} (ال)ملونه"))
    >>> [bool(rx.search(normalize_for_matching(t)[0])) for t in ("للثورات الملونة", "ثورة ملونة")]
    [True, True]
    """
    words = template.replace("...", "…").split()
    if not words or words[0] == "…" or words[-1] == "…":
        raise ValueError(f"pattern {template!r} is empty or starts/ends with a gap")
    pieces: list[str] = []
    for i, word in enumerate(words):
        if word == "…":
            pieces.append(_GAP)
            continue
        lead = ""
        if i > 0 and word.startswith("و(ال)"):
            lead, word = "\u0648", word[1:]
        regex = _compile_word(word, first=not pieces)
        if pieces:
            pieces.append(_SEP)
        pieces.append(lead + regex)
    return _WORD_START + "".join(pieces) + _WORD_END


@functools.cache
def _compiled(template: str) -> re.Pattern:
    """``compile_template(template)`` compiled, once per process (and before a fork, for the
    pool): loading the lexicon compiles every pattern to check it, and the matcher then
    tries the same regex at positions where only this pattern can start."""
    return re.compile(compile_template(template))


# ----------------------------------------------------------------------------------------
# Lexicon
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """One lexicon pattern: its frame, template, English gloss, and whether it excludes."""

    frame: str
    template: str
    gloss: str
    exclude: bool = False


@dataclass(frozen=True)
class Frame:
    """A frame of the lexicon with its patterns and documentation."""

    id: str
    english: str
    arabic: str
    definition: str
    rationale: str
    patterns: tuple[Pattern, ...]
    exclude: tuple[Pattern, ...] = ()
    negative_example: dict = field(default_factory=dict)


_REQUIRED = ("id", "english", "arabic", "definition", "rationale", "patterns", "negative_example")


def load_lexicon(path: str | Path | None = None) -> list[Frame]:
    """Read and check the frame lexicon.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file shaped like ``data/lexicons/frames.yaml`` (default).

    Returns
    -------
    list of Frame
        In file order. A frame missing a field, or a pattern that does not compile, raises
        ``ValueError`` naming the file, the frame and what to fix.

    Examples
    --------
    >>> [f.id for f in load_lexicon()][:2]
    ['external_forces', 'colour_revolution']
    """
    path = Path(path) if path is not None else FRAMES_PATH
    return list(_lexicon_at(_file_key(path, "frame lexicon")))


def _file_key(path: Path, what: str) -> tuple[str, int, int]:
    """The file's path, modification time and size: a cache key that changes with the file."""
    try:
        st = path.stat()
    except OSError as err:
        raise ValueError(f"{path}: cannot read the {what} ({err}); check the path") from err
    return str(path), st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=8)
def _lexicon_at(key: tuple[str, int, int]) -> tuple[Frame, ...]:
    """The checked lexicon of one version of a file (read again once the file changes)."""
    path = Path(key[0])
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError) as err:
        raise ValueError(f"{path}: cannot read the frame lexicon ({err}); fix the YAML") from err
    if not isinstance(doc, dict) or not isinstance(doc.get("frames"), list):
        raise ValueError(f"{path}: expected a top-level 'frames:' list; see frames.yaml")
    frames, seen = [], set()
    for n, item in enumerate(doc["frames"], 1):
        missing = [k for k in _REQUIRED if not item.get(k)] if isinstance(item, dict) else _REQUIRED
        if missing:
            raise ValueError(f"{path}: frame #{n} lacks {', '.join(missing)}; add them")
        if item["id"] in seen:
            raise ValueError(f"{path}: frame id {item['id']!r} appears twice; rename one")
        seen.add(item["id"])

        def pats(key: str, item=item, exclude: bool = False) -> tuple[Pattern, ...]:
            out = []
            for p in item.get(key) or []:
                if not isinstance(p, dict) or not p.get("pattern") or not p.get("gloss"):
                    raise ValueError(
                        f"{path}: frame {item['id']!r} has a {key} entry without pattern "
                        "and gloss; write both"
                    )
                try:
                    _compiled(str(p["pattern"]))
                except (ValueError, re.error) as err:
                    raise ValueError(
                        f"{path}: frame {item['id']!r} pattern {p['pattern']!r}: {err}"
                    ) from err
                out.append(Pattern(item["id"], str(p["pattern"]), str(p["gloss"]), exclude))
            return tuple(out)

        frames.append(
            Frame(
                id=item["id"],
                english=item["english"],
                arabic=item["arabic"],
                definition=" ".join(str(item["definition"]).split()),
                rationale=" ".join(str(item["rationale"]).split()),
                patterns=pats("patterns"),
                exclude=pats("exclude", exclude=True),
                negative_example=dict(item["negative_example"]),
            )
        )
    return tuple(frames)


def lexicon_table(frames: list[Frame] | None = None) -> pd.DataFrame:
    """The lexicon as a bilingual table, one row per pattern.

    Returns
    -------
    pandas.DataFrame
        Columns ``frame, frame_en, frame_ar, pattern, gloss, kind`` (``kind`` is
        ``"match"`` or ``"exclude"``).

    Examples
    --------
    >>> lexicon_table().query("frame == 'colour_revolution'")["pattern"].iloc[0]
    '(ال){ثوره|ثورات} (ال)ملونه'
    """
    frames = load_lexicon() if frames is None else frames
    rows = [
        {
            "frame": f.id,
            "frame_en": f.english,
            "frame_ar": f.arabic,
            "pattern": p.template,
            "gloss": p.gloss,
            "kind": "exclude" if p.exclude else "match",
        }
        for f in frames
        for p in (*f.patterns, *f.exclude)
    ]
    return pd.DataFrame(rows, columns=["frame", "frame_en", "frame_ar", "pattern", "gloss", "kind"])


def _expand(word: str) -> list[str]:
    """Every literal spelling of one template word (without its article and suffix mark)."""
    forms = [""]
    for piece in _TOKEN.findall(word):
        if piece.startswith("("):
            options = ["", *piece[1:-1].split("|")]
        elif piece.startswith("{"):
            options = piece[1:-1].split("|")
        else:
            options = [piece]
        forms = [f + o for f in forms for o in options]
    return forms


def _first_letters(template: str) -> set[str]:
    """The first two normalised letters of every spelling of a template's first word."""
    word = template.split()[0].removesuffix("+").removeprefix(_ARTICLE)
    return {_norm(form)[:2] for form in _expand(word) if form}


def _one_regex(templates: list[str], group: str) -> re.Pattern:
    """Templates as one alternation, named ``<group><i>``, tried in the order given.

    Speed: the word start is tested once, then a cheap look-ahead on the first two letters
    any template can start with (after the particles), before any branch is tried.
    """
    branches = [
        f"(?P<{group}{i}>{compile_template(t).removeprefix(_WORD_START)})"
        for i, t in enumerate(templates)
    ]
    heads = sorted({h for t in templates for h in _first_letters(t)})
    ahead = f"(?={_PROCLITIC_ARTICLE}(?:{'|'.join(map(re.escape, heads))}))" if heads else ""
    return re.compile(f"{_WORD_START}{ahead}(?:{'|'.join(branches)})")


class Matcher:
    """The whole lexicon as one ordered alternation.

    Every pattern is one named group ``p<i>`` of a single alternation; exclusions come first,
    then the patterns from the longest template to the shortest, so at any position the most
    specific phrase wins. :meth:`finditer` runs that regex once per text; the corpus path
    (:meth:`finditer_at`) tries, at each position the prefilter allows, only the patterns
    that can start there, in the same order, with each pattern's own compiled regex.
    """

    def __init__(self, frames: list[Frame]):
        self.frames = frames
        pats = [p for f in frames for p in f.exclude] + sorted(
            (p for f in frames for p in f.patterns), key=lambda p: -len(p.template)
        )
        self.patterns: list[Pattern] = pats
        self.prefilter = _build_prefilter([p.template for p in pats])
        self._tries: dict[tuple[int, ...], tuple[tuple[re.Pattern, int], ...]] = {}

    @functools.cached_property
    def regex(self) -> re.Pattern:
        """The whole alternation, compiled on first use: the corpus path (:meth:`finditer_at`)
        tries each pattern's own regex instead, and compiling this one costs ~40 ms."""
        return _one_regex([p.template for p in self.patterns], "p")

    def finditer(self, norm: str) -> Iterable[tuple[Pattern, int, int]]:
        """Yield ``(pattern, start, end)`` on normalised text; exclusions are skipped."""
        for m in self.regex.finditer(norm):
            pat = self.patterns[int(m.lastgroup[1:])]
            if not pat.exclude:
                yield pat, m.start(), m.end()

    def finditer_at(self, norm: str, positions: list[int], heads: list[int]):
        """As :meth:`finditer`, trying the regex only at ``positions`` (ascending).

        Gives exactly what :meth:`finditer` gives when every position where the regex can
        match is among ``positions`` (the prefilter guarantees it): ``finditer`` tries the
        positions left to right and resumes after each match, and so does this loop. At each
        position only the patterns whose first word can start with the letters found there
        (``heads``, see :class:`_Prefilter`) are tried, one by one in the lexicon's order,
        and the first that matches wins: that is the branch the whole alternation would pick,
        since nothing follows the alternation. Each pattern's own regex was compiled when the
        lexicon was loaded.
        """
        patterns, resume, i, n = self.patterns, 0, 0, len(positions)
        tries = self._tries
        while i < n:
            p, j = positions[i], i + 1
            while j < n and positions[j] == p:
                j += 1
            if p >= resume:
                key = tuple(heads[i:j])
                found = tries.get(key)
                if found is None:
                    found = tries[key] = self._tries_at(key)
                for regex, k in found:
                    m = regex.match(norm, p)
                    if m is not None:
                        resume = m.end()
                        if not patterns[k].exclude:
                            yield patterns[k], p, resume
                        break
            i = j

    def _tries_at(self, heads: tuple[int, ...]) -> tuple[tuple[re.Pattern, int], ...]:
        """``(regex, pattern number)`` of the patterns that may start with ``heads``, in order."""
        return tuple(
            (_compiled(self.patterns[k].template), k) for k in self.prefilter.branches_at(heads)
        )


# ----------------------------------------------------------------------------------------
# Fast corpus path: table normalisation and a literal prefilter (exact, see the tests)
# ----------------------------------------------------------------------------------------

_DELETED, _SLOW = -1, -2


@functools.cache
def _char_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per UTF-16 code unit: its normalised, folded code unit (or _DELETED / _SLOW), and \\w.

    :func:`helpers.arabic.code_unit_table` (the default chain, one code unit for one) with
    the matcher's folds on top. Every step of the chain is a one-character map or a deletion,
    except presentation forms (which may expand), combining hamza (which composes with the
    letter before) and surrogates; those are _SLOW, and a text holding one takes the
    per-text path. A test checks the table against :func:`normalize_for_matching` run over
    every BMP character.
    """
    table = arabic.code_unit_table()
    table[[0xFFFE, 0xFFFF]] = [0xFFFE, 0xFFFF]  # the chain leaves them as they are
    fold = np.arange(0x10000, dtype=np.int32)
    for src, dst in _MATCH_FOLD.items():
        fold[src] = ord(dst)
    kept = table >= 0  # -1 and -2 there are this module's _DELETED and _SLOW
    table[kept] = fold[table[kept]]
    special = f"[{arabic.PRESENTATION_FORMS}{arabic.COMBINING_HAMZA}\ud800-\udfff]"
    table[arabic.bmp_class(special)] = _SLOW
    return table, arabic.bmp_class(r"\w")


def _language(regex: str, limit: int = 4000) -> set[str] | None:
    """Every string a finite regex (literals, classes, groups, alternatives, ``?``) matches.

    None when the regex is not such a finite language or has more than ``limit`` strings.
    """
    from re import _constants as c
    from re import _parser

    def seq(items) -> set[str] | None:
        out = {""}
        for op, av in items:
            opts = node(op, av)
            if opts is None:
                return None
            out = {a + b for a in out for b in opts}
            if len(out) > limit:
                return None
        return out

    def node(op, av) -> set[str] | None:
        if op is c.LITERAL:
            return {chr(av)}
        if op is c.SUBPATTERN:
            return seq(av[-1])
        if op is c.BRANCH:
            out: set[str] = set()
            for branch in av[1]:
                got = seq(branch)
                if got is None:
                    return None
                out |= got
            return out
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[1] <= 3:
            one = seq(av[2])
            if one is None:
                return None
            out, power = set(), {""}
            for n in range(av[1] + 1):
                if n >= av[0]:
                    out |= power
                power = {a + b for a in power for b in one}
            return out
        if op is c.IN:
            chars: set[str] = set()
            for kind, value in av:
                if kind is c.LITERAL:
                    chars.add(chr(value))
                elif kind is c.RANGE and value[1] - value[0] < 64:
                    chars |= {chr(v) for v in range(value[0], value[1] + 1)}
                else:
                    return None
            return chars
        return None

    try:
        return seq(_parser.parse(regex))
    except (re.error, RecursionError):
        return None


_HEAD = 4  # letters of a first word tested by the prefilter (size**4 bools, under 1 MB)


@dataclass(frozen=True)
class _Prefilter:
    """A necessary condition for the matcher to match at a position, testable with numpy.

    Every branch of the matcher starts with its first word: particles from a finite set
    (:data:`_PROCLITIC_ARTICLE` or :data:`_PROCLITIC`), then one of finitely many spellings.
    So a match at ``p`` needs: ``p`` is a word start, ``norm[p:p+k]`` is a particle string of
    length ``k``, and ``norm[p+k:]`` starts with the first :data:`_HEAD` letters of a
    spelling. Letters are coded 1..n (0 = any other character), so those letters index one
    bool table.
    """

    code: np.ndarray  # uint8 per code unit: 0 or the letter's number
    size: int  # n + 1
    heads: np.ndarray  # bool, size**_HEAD: a spelling starts with these coded letters
    particles: tuple[np.ndarray, ...]  # per length k >= 1: sorted codes of particle strings
    # per length L <= _HEAD: code of a spelling's first L letters -> the branches it starts
    branches: tuple[dict[int, frozenset[int]], ...] = ()

    def branches_at(self, heads: tuple[int, ...]) -> tuple[int, ...]:
        """Branches whose first word may start with one of these coded _HEAD letters."""
        out: set[int] = set()
        for head in heads:
            for length, table in enumerate(self.branches):
                got = table.get(head // self.size ** (_HEAD - length))
                if got:
                    out |= got
        return tuple(sorted(out))


def _build_prefilter(templates: list[str]) -> _Prefilter | None:
    """The prefilter of a list of templates, or None when one cannot be derived."""
    bodies: set[str] = set()
    particles: set[str] = set()
    owners: dict[str, set[int]] = {}  # a spelling's first _HEAD letters -> branch numbers
    for n, template in enumerate(templates):
        first = template.replace("...", "…").split()[0]
        regex = _compile_word(first, first=True)
        lead = _PROCLITIC_ARTICLE if regex.startswith(_PROCLITIC_ARTICLE) else _PROCLITIC
        if not regex.startswith(lead):
            return None
        body, lead_strings = _language(regex[len(lead) :]), _language(lead)
        if not body or not lead_strings or "" in body:
            return None
        bodies |= body
        particles |= lead_strings
        for b in body:
            owners.setdefault(b[:_HEAD], set()).add(n)
    letters = sorted(set("".join(bodies)) | set("".join(particles)))
    if len(letters) > 60 or any(ord(ch) > 0xFFFF for ch in letters):
        return None
    size = len(letters) + 1
    code = np.zeros(0x10000, dtype=np.uint8)
    for i, ch in enumerate(letters, 1):
        code[ord(ch)] = i
    heads = np.zeros((size,) * _HEAD, dtype=bool)
    for body in bodies:
        idx = [code[ord(ch)] for ch in body[:_HEAD]]
        heads[tuple(idx) + (slice(None),) * (_HEAD - len(idx))] = True
    by_length: list[list[int]] = [[] for _ in range(max(map(len, particles)) + 1)]
    for s in particles:
        by_length[len(s)].append(_pack([code[ord(ch)] for ch in s], size))
    branches: list[dict[int, frozenset[int]]] = [{} for _ in range(_HEAD + 1)]
    for head, numbers in owners.items():
        branches[len(head)][_pack([code[ord(ch)] for ch in head], size)] = frozenset(numbers)
    return _Prefilter(
        code=code,
        size=size,
        heads=heads.reshape(-1),
        particles=tuple(np.unique(np.asarray(v, dtype=np.int64)) for v in by_length[1:]),
        branches=tuple(branches),
    )


def _pack(codes, size: int) -> int:
    value = 0
    for x in codes:
        value = value * size + int(x)
    return value


def _candidates(
    pre: _Prefilter, units: np.ndarray, is_word: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``units`` (normalised code units of many texts) where a match may start.

    ``starts`` are the offsets where each text begins (a word start whatever precedes it).
    Returns positions in ascending order (a position repeats when several particle lengths
    fit) and, for each, the coded _HEAD letters after the particles.
    """
    n = len(units)
    a = np.zeros(n + _HEAD - 1, dtype=np.int32)  # letter numbers, padded at the end
    a[:n] = pre.code[units]
    head = a[:n] * pre.size
    for j in range(1, _HEAD - 1):
        head += a[j : j + n]
        head *= pre.size
    head += a[_HEAD - 1 : _HEAD - 1 + n]
    q = np.flatnonzero(pre.heads[head])
    positions, heads = [q], [head[q]]
    for k, allowed in enumerate(pre.particles, 1):
        if not len(allowed):
            continue
        p = q[q >= k] - k
        packed = np.zeros(len(p), dtype=np.int64)
        for j in range(k):
            packed = packed * pre.size + a[p + j].astype(np.int64)
        fits = np.isin(packed, allowed)
        positions.append(p[fits])
        heads.append(head[p[fits] + k])
    pos, hd = np.concatenate(positions), np.concatenate(heads)
    after_word = np.zeros(len(pos), dtype=bool)
    inner = pos > 0
    after_word[inner] = is_word[units[pos[inner] - 1]]
    keep = ~after_word | np.isin(pos, starts)
    pos, hd = pos[keep], hd[keep]
    order = np.argsort(pos, kind="stable")
    return pos[order], hd[order]


@functools.lru_cache(maxsize=4)
def _matcher_at(key: tuple[str, int, int]) -> Matcher:
    _char_tables()  # built here too, so a process that warms the matcher before forking has it
    return Matcher(list(_lexicon_at(key)))


def build_matcher(frames: list[Frame] | None = None) -> Matcher:
    """One compiled matcher for ``frames`` (default: the project lexicon, built once per
    version of ``frames.yaml``: an edited file is read again, no kernel restart needed)."""
    return (
        _matcher_at(_file_key(FRAMES_PATH, "frame lexicon")) if frames is None else Matcher(frames)
    )


# ----------------------------------------------------------------------------------------
# Finding frames
# ----------------------------------------------------------------------------------------


def _sentence_of(starts: np.ndarray, pos: int) -> int:
    i = int(np.searchsorted(starts, pos, side="right")) - 1
    return max(i, 0)


def find_frames(text: str, matcher: Matcher | None = None) -> pd.DataFrame:
    """Frame hits in one text.

    Parameters
    ----------
    text : str
        Article text as received (diacritics, tatweel and spelling variants are fine).
    matcher : Matcher, optional
        Default: the project lexicon.

    Returns
    -------
    pandas.DataFrame
        One row per hit: ``frame, match, start, end, sentence, pattern``. ``match`` is the
        original text ``text[start:end]`` (with its diacritics); ``sentence`` the original
        sentence around it (from :func:`helpers.arabic.sentence_spans`). A hit that spans a
        sentence break is kept and given the sentence where it starts.

    Examples
    --------
    >>> find_frames("وحذر من التدخّل الخارجي.")[["frame", "match"]].values.tolist()
    [['external_forces', 'التدخّل الخارجي']]
    """
    matcher = build_matcher() if matcher is None else matcher
    cols = ["frame", "match", "start", "end", "sentence", "pattern"]
    if not isinstance(text, str) or not text:
        return pd.DataFrame(columns=cols)
    norm, index = normalize_for_matching(text)
    spans = list(arabic.sentence_spans(text)) or [(0, len(text))]
    starts = np.array([s for s, _ in spans])
    rows = []
    for pat, s, e in matcher.finditer(norm):
        start, end = index[s], index[e - 1] + 1
        k = _sentence_of(starts, start)
        rows.append(
            {
                "frame": pat.frame,
                "match": text[start:end],
                "start": start,
                "end": end,
                "sentence": text[spans[k][0] : spans[k][1]],
                "pattern": pat.template,
                "_sentence_no": k,
            }
        )
    return pd.DataFrame(rows, columns=[*cols, "_sentence_no"])


# ----------------------------------------------------------------------------------------
# Speakers
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SpeakerModel:
    names: re.Pattern  # named people and roles; group name = row index
    rows: list[dict]
    cues: re.Pattern
    cue_kinds: list[str]


# Words that may follow a reporting verb with no subject of its own ("وأضاف أن", "وأعرب عن").
_NAMELESS_NEXT = frozenset(
    _fold(arabic.normalize(w))
    for w in [
        "إن",
        "أن",
        "انه",
        "أنه",
        "إنه",
        "أنها",
        "إنها",
        "عن",
        "على",
        "إلى",
        "فيها",
        "فيه",
        "أيضا",
        "بذلك",
        "كذلك",
    ]
)


def load_speakers(path: str | Path | None = None) -> pd.DataFrame:
    """The speakers table: who counts as a Chinese, Russian or Kazakh official.

    Parameters
    ----------
    path : str or Path, optional
        CSV with ``entity_id, english, group, kind, arabic, source`` (default
        ``data/lexicons/speakers.csv``). ``arabic`` lists spellings separated by ``|``;
        spellings from :func:`helpers.arabic.entity_table` for the same ``entity_id`` are
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
    path = Path(path) if path is not None else SPEAKERS_PATH
    try:
        table = pd.read_csv(path, dtype=str).fillna("")
    except (OSError, pd.errors.ParserError) as err:
        raise ValueError(f"{path}: cannot read the speakers table ({err}); fix the CSV") from err
    need = {"entity_id", "english", "group", "kind", "arabic"}
    if not need <= set(table.columns):
        raise ValueError(f"{path}: needs columns {sorted(need)}; add the missing ones")
    bad = sorted(set(table["group"]) - set(SPEAKER_GROUPS))
    if bad:
        raise ValueError(f"{path}: unknown group(s) {bad}; use one of {list(SPEAKER_GROUPS)}")
    rows = []
    for r in table.itertuples(index=False):
        for v in r.arabic.split("|"):
            if v.strip():
                rows.append((r.entity_id, r.english, r.group, r.kind, v.strip()))
    try:
        ents = arabic.entity_table()
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


def _load_cues(path: Path) -> tuple[re.Pattern, list[str]]:
    table = pd.read_csv(path, dtype=str).fillna("")
    return _one_regex(table["template"].tolist(), "c"), table["kind"].tolist()


@functools.cache
def _speaker_model() -> _SpeakerModel:
    sp = load_speakers()
    # Longer spellings first so "وانغ يي" wins over "وانغ"; persons before roles at a tie.
    sp = sp.assign(_n=sp["variant"].map(lambda v: len(_norm(v)))).sort_values(
        ["_n", "kind"], ascending=[False, True]
    )
    rows = sp.drop(columns="_n").to_dict("records")
    branches, heads = [], set()
    for i, r in enumerate(rows):
        words = " ".join(_norm(w) for w in r["variant"].split())
        body = re.escape(words).replace(r"\ ", r"\s+")
        branches.append(f"(?P<n{i}>{_PROCLITIC}{body}{_WORD_END})")
        heads.add(re.escape(words.split()[0][:4]))
    # Speed only: every branch starts at a word start with particles and then the first four
    # letters of its first word (or all of a shorter one), so testing the word start once and
    # those letters before the alternation changes no match. Four letters, not two: with two,
    # every word with the article (ال) passed the test and went through all the branches;
    # four make the search about 5x faster on news text.
    ahead = f"{_WORD_START}(?={_PROCLITIC}(?:{'|'.join(sorted(heads))}))"
    cues, kinds = _load_cues(REPORTING_VERBS_PATH)
    return _SpeakerModel(re.compile(f"{ahead}(?:{'|'.join(branches)})"), rows, cues, kinds)


_OUTLET = {"entity_id": "outlet", "english": "outlet", "group": "outlet", "kind": "outlet"}
_UNNAMED = {"entity_id": "unnamed", "english": "unnamed source", "group": "other", "kind": "other"}
_WINDOW = 90  # characters after a reporting verb searched for its subject (about 12 words)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")


_COMPLEMENT = re.compile(r"(?<!\w)(?:ان|انه|انها|بان|:)(?!\w)")


def _find_cue(model: _SpeakerModel, norm: str) -> re.Match | None:
    """First reporting cue; a ``verb_that`` cue (أعلن) counts only with أن or ':' after it."""
    for m in model.cues.finditer(norm):
        kind = model.cue_kinds[int(m.lastgroup[1:])]
        if kind != "verb_that" or _COMPLEMENT.search(norm, m.end()):
            return m
    return None


def _first_name(model: _SpeakerModel, norm: str, lo: int, hi: int) -> dict | None:
    """Earliest named person in norm[lo:hi]; a role only when no person is there."""
    best_role = None
    for m in model.names.finditer(norm, lo, hi):
        row = model.rows[int(m.lastgroup[1:])]
        if row["kind"] == "person":
            return row
        best_role = best_role or row
    return best_role


def _is_nameless(model: _SpeakerModel, norm: str, cue: re.Match) -> bool:
    """A cue followed by أن/عن/... or a colon has no subject of its own (it carries one)."""
    if model.cue_kinds[int(cue.lastgroup[1:])] == "according":
        return False
    after = norm[cue.end() :].lstrip(' \t"«»:،,')
    words = after.split(maxsplit=1)
    nxt = words[0] if words else ""
    return not after or norm[cue.end() :].lstrip().startswith(":") or (nxt in _NAMELESS_NEXT)


def _cue_subject(model: _SpeakerModel, norm: str, cue: re.Match) -> dict:
    """The named subject of a cue: within _WINDOW after it, else before it, else unnamed."""
    who = _first_name(model, norm, cue.end(), cue.end() + _WINDOW)
    who = who or _first_name(model, norm, max(0, cue.start() - _WINDOW), cue.start())
    return who or _UNNAMED


def _colon_speaker(model: _SpeakerModel, norm: str) -> dict | None:
    """``NAME: quote`` (a name within 40 characters before the first colon)."""
    colon = norm.find(":")
    return _first_name(model, norm, max(0, colon - 40), colon) if colon > 0 else None


def attribute_speakers(text: str, outlet: str | None = None) -> pd.DataFrame:
    """Who speaks in each sentence of one article.

    A sentence with a reporting verb (قال، أكد، أضاف، أشار ... in past, present, feminine and
    participle forms, with و/ف attached) is given the first named official within about 12
    words after the verb (Arabic puts the subject after the verb), or before it, or a title
    (وزير الخارجية الصيني) when no name is there. A verb followed directly by إن/أن/عن/على
    ("وأضاف أن", "وأعرب عن") has no subject of its own: it carries the last named speaker
    forward. The carry runs across lines of the same block, because wire copy puts every
    sentence on its own line, and stops at a blank line (a new paragraph block). A verb with
    an unlisted subject (ذكرت قناة ...) is "unnamed source" (group ``other``); a sentence
    without a verb is the outlet's own voice. ``NAME: quote`` (headlines) counts as NAME.

    Parameters
    ----------
    text : str
        Article text as received.
    outlet : str, optional
        The outlet's name for sentences in its own voice (default ``"outlet"``).

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
    model = _speaker_model()
    cols = ["start", "end", "sentence", "speaker", "speaker_group", "entity_id", "cue"]
    if not isinstance(text, str) or not text.strip():
        return pd.DataFrame(columns=cols)
    outlet_row = {**_OUTLET, "english": outlet or "outlet"}
    breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    rows, carried, block = [], None, 0
    prev_line, prev_who = -1, None
    full_norm, full_index = normalize_for_matching(text)  # once per article, sliced below
    full_index = np.asarray(full_index)
    for s, e in arabic.sentence_spans(text):
        this_block = int(np.searchsorted(breaks, s, side="right"))
        if this_block != block:
            carried, block = None, this_block
        line = int(np.searchsorted(newlines, s, side="right"))
        sent = text[s:e]
        lo, hi = np.searchsorted(full_index, [s, e])
        norm = full_norm[lo:hi]
        cue = _find_cue(model, norm)
        who, cue_word = None, ""
        if cue:
            cue_word = cue.group()
            if _is_nameless(model, norm, cue):
                who = carried or _UNNAMED
            else:
                who = _cue_subject(model, norm, cue)
                if who["kind"] == "person":
                    carried = who
        else:
            named = _colon_speaker(model, norm)
            if named is None and line == prev_line and prev_who is not None:
                named = prev_who  # speech goes on to the end of its paragraph line
            who = named or outlet_row
        prev_line, prev_who = line, (who if who["group"] != "outlet" else None)
        rows.append(
            {
                "start": s,
                "end": e,
                "sentence": sent,
                "speaker": who["english"],
                "speaker_group": who["group"],
                "entity_id": who["entity_id"],
                "cue": cue_word,
            }
        )
    return pd.DataFrame(rows, columns=cols)


# ----------------------------------------------------------------------------------------
# Corpus-level tables
# ----------------------------------------------------------------------------------------


def _check_articles(articles: pd.DataFrame, need: Iterable[str] = ("id", "text")) -> None:
    missing = [c for c in need if c not in articles.columns]
    if missing:
        raise ValueError(
            f"articles table lacks column(s) {missing}; load it with helpers.corpus.load_corpus"
        )


def _texts_to_match(articles: pd.DataFrame) -> pd.DataFrame:
    """Rows with text; a warning names the articles without any."""
    _check_articles(articles)
    empty = articles["text"].isna() | (articles["text"].astype(str).str.strip() == "")
    if empty.any():
        warnings.warn(
            f"{int(empty.sum())} article(s) without text give no frame hits: "
            f"{list(articles.loc[empty, 'id'])[:5]}; check the corpus loader report",
            stacklevel=3,
        )
    return articles.loc[~empty]


_HIT_TABLE_COLUMNS = [*HIT_COLUMNS, "pattern", "sentence_no"]


def frame_hits(articles: pd.DataFrame, matcher: Matcher | None = None) -> pd.DataFrame:
    """All frame hits of a corpus, each with its sentence and speaker.

    Parameters
    ----------
    articles : pandas.DataFrame
        At least ``id`` and ``text`` (``outlet`` is used for the outlet's own voice).
    matcher : Matcher, optional
        Default: the project lexicon.

    Returns
    -------
    pandas.DataFrame
        ``id, frame, match, start, end, sentence, speaker, speaker_group`` plus ``pattern``
        and ``sentence_no`` (index of the sentence in its article, for co-occurrence).
        Offsets are into the article's original text. Articles with no text give no rows
        and a warning naming them.

    Notes
    -----
    Built for corpora of tens of thousands of articles: texts are normalised a few MB at a
    time by table lookup, the lexicon's regex runs only where a cheap literal test says a
    pattern could start, and sentences and speakers are worked out only for articles with
    hits (a speaker carried from earlier sentences is found by looking back in the
    paragraph). The table is exactly that of :func:`find_frames` plus
    :func:`attribute_speakers` article by article (a test checks it).

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["قال لافروف إن قوى خارجية خططت للفوضى."]})
    >>> frame_hits(arts)[["frame", "speaker_group"]].values.tolist()
    [['external_forces', 'Russian official'], ['stability_security', 'Russian official']]
    """
    matcher = build_matcher() if matcher is None else matcher
    present = _texts_to_match(articles)
    outlets = present["outlet"].tolist() if "outlet" in present.columns else [None] * len(present)
    items = list(zip(present["id"].tolist(), map(str, present["text"]), outlets, strict=True))
    rows: list[tuple] = []
    chunk: list[tuple] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += len(item[1])
        if size >= _CHUNK_CHARS:
            rows.extend(_chunk_rows(chunk, matcher))
            chunk, size = [], 0
    if chunk:
        rows.extend(_chunk_rows(chunk, matcher))
    return _hit_table(rows)


def _hit_table(rows: list[tuple]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=_HIT_TABLE_COLUMNS)
    return pd.DataFrame(rows, columns=_HIT_TABLE_COLUMNS)


_CHUNK_CHARS = 2_000_000  # characters normalised per numpy pass (a few tens of MB of arrays)


def _chunk_rows(items: list[tuple], matcher: Matcher) -> list[tuple]:
    """Hit rows for ``(id, text, outlet)`` items, in order."""
    table, is_word = _char_tables()
    encoded = [t.encode("utf-16-le", "surrogatepass") for _, t, _ in items]
    # Texts outside the BMP, or holding a character the table cannot map one-for-one, take
    # the per-text path (helpers.arabic.normalize_with_offsets).
    slow = np.array([len(e) != 2 * len(it[1]) for e, it in zip(encoded, items, strict=True)])
    units = np.frombuffer(
        b"".join(e for e, bad in zip(encoded, slow, strict=True) if not bad), dtype=np.uint16
    )
    fast = [it for it, bad in zip(items, slow, strict=True) if not bad]
    lengths = np.array([len(t) for _, t, _ in fast], dtype=np.int64)
    orig_starts = np.concatenate([[0], np.cumsum(lengths)])
    mapped = table[units]
    odd = np.flatnonzero(mapped == _SLOW)
    odd_articles = set(np.searchsorted(orig_starts, odd, side="right") - 1)
    kept = mapped >= 0
    index = np.flatnonzero(kept)
    norm_units = mapped[kept].astype(np.uint16)
    norm_all = norm_units.tobytes().decode("utf-16-le", "surrogatepass")
    norm_starts = np.searchsorted(index, orig_starts)
    pre = matcher.prefilter
    if pre is not None:
        cand, heads = _candidates(pre, norm_units, is_word, norm_starts[:-1])
        bounds = np.searchsorted(cand, norm_starts)
    by_index: dict[int, list[tuple]] = {}
    for i, (ident, text, outlet) in enumerate(fast):
        if i in odd_articles:
            continue
        ns, ne = int(norm_starts[i]), int(norm_starts[i + 1])
        if pre is not None:
            lo, hi = bounds[i], bounds[i + 1]
            if lo == hi:
                continue
            norm = norm_all[ns:ne]
            local = (cand[lo:hi] - ns).tolist()
            hits = list(matcher.finditer_at(norm, local, heads[lo:hi].tolist()))
        else:
            norm = norm_all[ns:ne]
            hits = list(matcher.finditer(norm))
        if hits:
            idx = index[ns:ne] - orig_starts[i]
            by_index[i] = _article_rows(ident, text, outlet, norm, idx, hits)
    rows: list[tuple] = []
    fast_i = 0
    for item, bad in zip(items, slow, strict=True):
        if not bad and fast_i not in odd_articles:
            rows.extend(by_index.get(fast_i, ()))
        else:
            norm, index_list = normalize_for_matching(item[1])
            hits = _hits_in(matcher, norm, is_word)
            if hits:
                rows.extend(
                    _article_rows(item[0], item[1], item[2], norm, np.asarray(index_list), hits)
                )
        fast_i += not bad
    return rows


def _hits_in(matcher: Matcher, norm: str, is_word: np.ndarray) -> list[tuple]:
    """Matches in one normalised text, through the prefilter when its text allows."""
    units = np.frombuffer(norm.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    if matcher.prefilter is None or len(units) != len(norm):  # no prefilter, or beyond BMP
        return list(matcher.finditer(norm))
    cand, heads = _candidates(matcher.prefilter, units, is_word, np.array([0]))
    return list(matcher.finditer_at(norm, cand.tolist(), heads.tolist()))


def _article_rows(ident, text: str, outlet, norm: str, idx: np.ndarray, hits) -> list[tuple]:
    """Rows of one article's hits (matcher positions on ``norm``; ``idx`` maps to ``text``)."""
    spans = list(arabic.sentence_spans(text)) or [(0, len(text))]
    starts = [a for a, _ in spans]
    speakers = _LazySpeakers(text, norm, idx, spans, outlet if isinstance(outlet, str) else None)
    where = idx[[i for _, s, e in hits for i in (s, e - 1)]].tolist()
    rows = []
    for n, (pat, _s, _e) in enumerate(hits):
        start, end = where[2 * n], where[2 * n + 1] + 1
        k = max(bisect.bisect_right(starts, start) - 1, 0)  # as _sentence_of
        who = speakers.who(k)
        a, b = spans[k]
        rows.append(
            (
                ident,
                pat.frame,
                text[start:end],
                start,
                end,
                text[a:b],
                who["english"],
                who["group"],
                pat.template,
                k,
            )
        )
    return rows


class _LazySpeakers:
    """The speaker of sentence ``j`` exactly as :func:`attribute_speakers` gives it, on demand.

    That function walks every sentence, carrying the last named speaker through the
    paragraph block and the last voice through the line. Here a sentence's speaker is worked
    out only when a hit needs it: its own cue first, then, if it has to, a look back through
    the earlier sentences of its block (for the carried speaker) or of its line.
    """

    def __init__(self, text: str, norm: str, idx: np.ndarray, spans, outlet: str | None):
        self.model = _speaker_model()
        self.text, self.norm, self.spans = text, norm, spans
        start_end = np.searchsorted(idx, np.array(spans).reshape(-1)).tolist()
        self.lo, self.hi = start_end[0::2], start_end[1::2]
        breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
        self.block = (
            np.searchsorted(breaks, [a for a, _ in spans], side="right").tolist()
            if breaks
            else [0] * len(spans)
        )
        self.outlet_row = {**_OUTLET, "english": outlet or "outlet"}
        self._cues: dict[int, tuple] = {}
        self._subjects: dict[int, dict] = {}
        self._who: dict[int, dict] = {}
        self._carry: dict[int, dict | None] = {}

    def cue(self, j: int) -> tuple[re.Match | None, str, bool]:
        """Sentence ``j``'s first reporting cue, its normalised text, and whether the cue is
        nameless (see :func:`_is_nameless`)."""
        found = self._cues.get(j)
        if found is None:
            norm = self.norm[self.lo[j] : self.hi[j]]
            cue = _find_cue(self.model, norm)
            nameless = cue is not None and _is_nameless(self.model, norm, cue)
            found = self._cues[j] = (cue, norm, nameless)
        return found

    def _sets_carry(self, j: int) -> dict | None:
        """The person sentence ``j`` names after a cue with a subject (it is then carried)."""
        cue, norm, nameless = self.cue(j)
        if cue is None or nameless:
            return None
        if j not in self._subjects:
            self._subjects[j] = _cue_subject(self.model, norm, cue)
        who = self._subjects[j]
        return who if who["kind"] == "person" else None

    def carried(self, j: int) -> dict | None:
        """The last person named in the block before sentence ``j``."""
        if j in self._carry:
            return self._carry[j]
        found, i = None, j - 1
        while i >= 0 and self.block[i] == self.block[j]:
            found = self._sets_carry(i)
            if found is not None:
                break
            if i in self._carry:
                found = self._carry[i]
                break
            i -= 1
        self._carry[j] = found
        return found

    def _same_line(self, i: int, j: int) -> bool:
        return self.text.find("\n", self.spans[i][0], self.spans[j][0]) == -1

    def who(self, j: int) -> dict:
        chain, i = [], j
        while i not in self._who:
            cue, norm, nameless = self.cue(i)
            if cue is not None:
                if nameless:
                    self._who[i] = self.carried(i) or _UNNAMED
                else:
                    self._sets_carry(i)
                    self._who[i] = self._subjects[i]
                break
            named = _colon_speaker(self.model, norm)
            if named is not None:
                self._who[i] = named
                break
            if i > 0 and self._same_line(i - 1, i):
                chain.append(i)  # speech goes on to the end of its line: ask the sentence before
                i -= 1
                continue
            self._who[i] = self.outlet_row
            break
        for c in reversed(chain):
            before = self._who[c - 1]
            self._who[c] = before if before["group"] != "outlet" else self.outlet_row
        return self._who[j]


def _frame_hits_reference(articles: pd.DataFrame, matcher: Matcher | None = None) -> pd.DataFrame:
    """:func:`frame_hits` the straightforward way: find_frames + attribute_speakers per text.

    Kept as the reference the fast path is tested against; slow on large corpora.
    """
    matcher = build_matcher() if matcher is None else matcher
    present = _texts_to_match(articles)
    frames_out = []
    for row in present.itertuples(index=False):
        text = str(row.text)
        hits = find_frames(text, matcher)
        if hits.empty:
            continue
        outlet = getattr(row, "outlet", None)
        speakers = attribute_speakers(text, outlet if isinstance(outlet, str) else None)
        k = hits["_sentence_no"].to_numpy()
        hits = hits.assign(
            id=row.id,
            speaker=speakers["speaker"].to_numpy()[k],
            speaker_group=speakers["speaker_group"].to_numpy()[k],
            sentence_no=k,
        )
        frames_out.append(hits)
    if not frames_out:
        return pd.DataFrame(columns=_HIT_TABLE_COLUMNS)
    return pd.concat(frames_out, ignore_index=True)[_HIT_TABLE_COLUMNS]


def _n_words(articles: pd.DataFrame) -> pd.Series:
    if "n_words" in articles.columns and articles["n_words"].notna().all():
        return articles["n_words"].astype(int)
    return articles["text"].fillna("").map(lambda t: len(arabic.tokenize(str(t))))


def frame_rates(
    articles: pd.DataFrame,
    hits: pd.DataFrame,
    confidence: float = 0.95,
    frames: list[Frame] | None = None,
) -> pd.DataFrame:
    """Hits per 1,000 words for every article × frame, with an exact Poisson interval.

    The interval is Garwood's exact (Clopper–Pearson-type) interval for a Poisson count $k$,
    scaled by $1000/n$: it is honest for the tiny counts of a single article (0 hits in a
    300-word article is "between 0 and 12.3 per 1,000", not "0").

    Parameters
    ----------
    articles : pandas.DataFrame
        ``id, text`` and ideally ``n_words`` (else words are counted with
        :func:`helpers.arabic.tokenize`).
    hits : pandas.DataFrame
        From :func:`frame_hits`.
    confidence : float
        Two-sided level, default 0.95.

    Returns
    -------
    pandas.DataFrame
        ``id, frame, count, n_words, per_1000, ci_low, ci_high``, zeros included. It treats
        hits as independent events; repeated formulae in one article are not, so the
        interval is, if anything, too narrow.

    Notes
    -----
    Vectorised: the counts come from one group-by of the hits, and the interval is worked
    out once per distinct count (per-article counts are small integers) and mapped, so the
    cost grows with the number of articles × frames only through array operations.

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["ثورة ملونة"], "n_words": [1000]})
    >>> r = frame_rates(arts, frame_hits(arts)).query("frame == 'colour_revolution'")
    >>> r["count"].tolist(), r["per_1000"].tolist()
    ([1], [1.0])
    """
    _check_articles(articles)
    frames = load_lexicon() if frames is None else frames
    frame_ids = [f.id for f in frames]
    ids = articles["id"].tolist()
    # a repeated id takes the word count of its last row and the hits of all its rows
    unique_ids = pd.Index(ids).unique()
    words = pd.Series(np.asarray(_n_words(articles), dtype=np.int64), index=ids)
    n = words.groupby(level=0, sort=False).last().reindex(ids).to_numpy(dtype=np.int64)
    n_f = len(frame_ids)
    counts = np.zeros((len(unique_ids), n_f), dtype=np.int64)
    if len(hits) and n_f:
        grouped = hits.groupby(["id", "frame"], sort=False).size()
        row = unique_ids.get_indexer(grouped.index.get_level_values(0))
        col = pd.Index(frame_ids).get_indexer(grouped.index.get_level_values(1))
        ok = (row >= 0) & (col >= 0)  # hits of articles or frames not asked about: ignored
        counts[row[ok], col[ok]] = grouped.to_numpy()[ok]
    counts = counts[unique_ids.get_indexer(ids)]
    k = counts.ravel()
    n_rep = np.repeat(n, n_f)
    distinct = np.unique(k)
    lows, highs = poisson_interval(distinct, confidence)
    where = np.searchsorted(distinct, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_rep != 0, 1000 / np.where(n_rep != 0, n_rep, 1), np.nan)
    return pd.DataFrame(
        {
            "id": np.repeat(np.asarray(ids, dtype=object), n_f),
            "frame": np.tile(np.asarray(frame_ids, dtype=object), len(ids)),
            "count": k,
            "n_words": n_rep,
            "per_1000": k * scale,
            "ci_low": lows[where] * scale,
            "ci_high": highs[where] * scale,
        },
        columns=RATE_COLUMNS,
    )


def _frame_rates_reference(
    articles: pd.DataFrame,
    hits: pd.DataFrame,
    confidence: float = 0.95,
    frames: list[Frame] | None = None,
) -> pd.DataFrame:
    """The article-by-article loop :func:`frame_rates` replaced (kept to test equality)."""
    _check_articles(articles)
    frames = load_lexicon() if frames is None else frames
    ids = articles["id"].tolist()
    n_words = dict(zip(ids, _n_words(articles), strict=True))
    counts = hits.groupby(["id", "frame"]).size() if len(hits) else pd.Series(dtype=int)
    rows = []
    for i in ids:
        n = int(n_words[i])
        for f in frames:
            k = int(counts.get((i, f.id), 0))
            lo, hi = poisson_interval(k, confidence)
            scale = 1000 / n if n else float("nan")
            rows.append((i, f.id, k, n, k * scale, lo * scale, hi * scale))
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


def corpus_rates(rates: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Pool :func:`frame_rates` over the corpus: one row per frame, same columns minus ``id``.

    Examples
    --------
    >>> r = pd.DataFrame({"id": ["a", "b"], "frame": ["x", "x"], "count": [1, 2],
    ...                   "n_words": [500, 500]})
    >>> out = corpus_rates(r)
    >>> out["count"].tolist(), out["per_1000"].tolist()
    ([3], [3.0])
    """
    total = rates.groupby("frame", sort=False)[["count", "n_words"]].sum().reset_index()
    out = []
    for r in total.itertuples(index=False):
        lo, hi = poisson_interval(int(r.count), confidence)
        scale = 1000 / r.n_words if r.n_words else float("nan")
        out.append((r.frame, int(r.count), int(r.n_words), r.count * scale, lo * scale, hi * scale))
    return pd.DataFrame(out, columns=RATE_COLUMNS[1:])


# ----------------------------------------------------------------------------------------
# Co-occurrence, speakers × frames, coverage
# ----------------------------------------------------------------------------------------


def cooccurrence(hits: pd.DataFrame, frames: list[Frame] | None = None) -> pd.DataFrame:
    """Sentences in which two frames occur together (frame × frame, symmetric).

    The diagonal is the number of sentences with that frame at all; a sentence with two hits
    of one frame counts once.

    Examples
    --------
    >>> h = pd.DataFrame({"id": ["a", "a", "a"], "sentence_no": [0, 0, 1],
    ...                   "frame": ["x", "y", "x"]})
    >>> cooccurrence(h, frames=[]).loc["x", ["x", "y"]].tolist()
    [2, 1]
    """
    names = [f.id for f in (load_lexicon() if frames is None else frames)]
    present = sorted(set(hits["frame"]) - set(names)) if len(hits) else []
    names = names + present
    if not len(hits):
        return pd.DataFrame(0, index=names, columns=names)
    one = pd.crosstab([hits["id"], hits["sentence_no"]], hits["frame"]).clip(upper=1)
    one = one.reindex(columns=names, fill_value=0)
    return one.T.dot(one).astype(int)


def speaker_frame_table(hits: pd.DataFrame, frames: list[Frame] | None = None) -> pd.DataFrame:
    """Hits per speaker group (rows) and frame (columns), with every group and frame shown.

    Examples
    --------
    >>> h = pd.DataFrame({"frame": ["x"], "speaker_group": ["outlet"]})
    >>> int(speaker_frame_table(h, frames=[]).loc["outlet", "x"])
    1
    """
    names = [f.id for f in (load_lexicon() if frames is None else frames)]
    names += sorted(set(hits["frame"]) - set(names)) if len(hits) else []
    table = pd.crosstab(hits["speaker_group"], hits["frame"]) if len(hits) else pd.DataFrame()
    return table.reindex(index=list(SPEAKER_GROUPS), columns=names, fill_value=0).astype(int)


def coverage(hits: pd.DataFrame, frames: list[Frame] | None = None) -> pd.DataFrame:
    """Lexicon audit: how often each pattern matched, so dead patterns can be reviewed.

    Returns
    -------
    pandas.DataFrame
        ``frame, pattern, gloss, hits, articles`` for every (non-exclusion) pattern, zeros
        first. A pattern with 0 hits is not wrong: it may simply not occur in this corpus.

    Examples
    --------
    >>> h = pd.DataFrame({"id": ["a"], "frame": ["colour_revolution"],
    ...                   "pattern": ["(ال){ثوره|ثورات} (ال)ملونه"]})
    >>> cov = coverage(h)
    >>> int(cov.loc[cov.pattern == "(ال){ثوره|ثورات} (ال)ملونه", "hits"].iloc[0])
    1
    """
    frames = load_lexicon() if frames is None else frames
    rows = []
    for f in frames:
        for p in f.patterns:
            sel = (
                hits[(hits["frame"] == f.id) & (hits["pattern"] == p.template)]
                if len(hits)
                else hits
            )
            rows.append(
                (f.id, p.template, p.gloss, len(sel), sel["id"].nunique() if len(sel) else 0)
            )
    out = pd.DataFrame(rows, columns=["frame", "pattern", "gloss", "hits", "articles"])
    return out.sort_values(["hits", "frame"], kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------------------
# Concordance
# ----------------------------------------------------------------------------------------


def kwic(
    articles: pd.DataFrame,
    frame: str | None = None,
    pattern: str | None = None,
    width: int = 60,
    limit: int | None = None,
) -> pd.DataFrame:
    """Keyword in context for a frame, or for any pattern written in the lexicon's language.

    Parameters
    ----------
    articles : pandas.DataFrame
        ``id, text``.
    frame : str, optional
        A frame id; with neither ``frame`` nor ``pattern`` every frame hit is listed.
    pattern : str, optional
        A template such as ``"(ال)قوى (ال)خارجيه"`` (see :func:`compile_template`).
    width : int
        Characters of original text kept on each side (cut at a word boundary).
    limit : int, optional
        Keep the first ``limit`` lines (for large corpora).

    Returns
    -------
    pandas.DataFrame
        ``left, match, right, id`` (plus ``frame``, ``start``), all in original spelling.
        Newlines in the context become spaces.

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["ومنع الثورات الملونة في المنطقة"]})
    >>> kwic(arts, frame="colour_revolution")[["left", "match", "right"]].values.tolist()
    [['ومنع', 'الثورات الملونة', 'في المنطقة']]
    """
    _check_articles(articles)
    if frame is not None and pattern is not None:
        raise ValueError("give either frame= or pattern=, not both")
    if pattern is not None:
        matcher = Matcher(
            [Frame("pattern", "pattern", "", "", "", (Pattern("pattern", pattern, pattern),))]
        )
    else:
        matcher = build_matcher()
        if frame is not None and frame not in {f.id for f in matcher.frames}:
            raise ValueError(f"unknown frame {frame!r}; see data/lexicons/frames.yaml")
    rows = []
    for row in articles.itertuples(index=False):
        text = row.text if isinstance(row.text, str) else ""
        for h in find_frames(text, matcher).itertuples(index=False):
            if frame is not None and h.frame != frame:
                continue
            left = text[max(0, h.start - width) : h.start]
            right = text[h.end : h.end + width]
            if h.start - width > 0 and " " in left:
                left = left.split(" ", 1)[1]
            if h.end + width < len(text) and " " in right:
                right = right.rsplit(" ", 1)[0]
            rows.append(
                {
                    "left": " ".join(left.split()),
                    "match": h.match,
                    "right": " ".join(right.split()),
                    "id": row.id,
                    "frame": h.frame,
                    "start": h.start,
                }
            )
            if limit is not None and len(rows) >= limit:
                return pd.DataFrame(rows)
    return pd.DataFrame(rows, columns=["left", "match", "right", "id", "frame", "start"])


def kwic_html(
    articles: pd.DataFrame,
    frame: str | None = None,
    pattern: str | None = None,
    width: int = 60,
    limit: int | None = 50,
) -> str:
    """The concordance as a right-to-left HTML table; article text is escaped, never markup.

    The right-hand context of an Arabic line is visually on the left, so in the table the
    columns read, right to left: left context, match (bold), right context; ``id`` last.

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["<b>ثورة ملونة</b>"]})
    >>> page = kwic_html(arts, frame="colour_revolution")
    >>> "&lt;b&gt;" in page, "<b><b>" in page
    (True, False)
    """
    table = kwic(articles, frame=frame, pattern=pattern, width=width, limit=limit)
    esc = html.escape
    lines = [
        '<table class="kwic" dir="rtl" lang="ar"'
        ' style="direction: rtl; border-collapse: collapse">',
        "<thead><tr><th>السياق السابق</th><th>المطابقة</th><th>السياق اللاحق</th>"
        '<th dir="ltr">id</th></tr></thead><tbody>',
    ]
    for r in table.itertuples(index=False):
        lines.append(
            f'<tr><td style="text-align: left">{esc(r.left)}</td>'
            f'<td style="text-align: center; white-space: nowrap"><b>{esc(r.match)}</b></td>'
            f'<td style="text-align: right">{esc(r.right)}</td>'
            f'<td dir="ltr">{esc(str(r.id))}</td></tr>'
        )
    if table.empty:
        lines.append('<tr><td colspan="4">(no match)</td></tr>')
    lines.append("</tbody></table>")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------
# Plot
# ----------------------------------------------------------------------------------------


def plot_rate_heatmap(rates: pd.DataFrame, top_k: int = 25, ax=None, labels=None):
    """Heatmap of frames (columns) × articles (rows), per 1,000 words, intervals annotated.

    Shows the ``top_k`` articles with the most frame hits per 1,000 words (all of them when
    fewer). Each cell reads ``rate`` over ``[low–high]`` while the grid is small enough to
    read (at most 12 rows); beyond that only the colour is shown.

    Parameters
    ----------
    rates : pandas.DataFrame
        From :func:`frame_rates`.
    labels : mapping, optional
        Article id -> row label (e.g. date and outlet).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from helpers.plotting import plt

    frame_ids = list(dict.fromkeys(rates["frame"]))
    wide = rates.pivot(index="id", columns="frame", values="per_1000")[frame_ids]
    order = wide.sum(axis=1).sort_values(ascending=False).index[:top_k]
    wide = wide.loc[order]
    low = rates.pivot(index="id", columns="frame", values="ci_low").loc[order, frame_ids]
    high = rates.pivot(index="id", columns="frame", values="ci_high").loc[order, frame_ids]
    n_rows = len(wide)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.05 * len(frame_ids) + 2.5, 0.55 * n_rows + 2.2))
    im = ax.imshow(wide.to_numpy(dtype=float), aspect="auto", cmap="Blues", vmin=0)
    ax.set_xticks(range(len(frame_ids)), [f.replace("_", "\n") for f in frame_ids], fontsize=8)
    row_labels = [str(labels.get(i, i)) if labels is not None else str(i) for i in wide.index]
    ax.set_yticks(range(n_rows), row_labels, fontsize=8)
    if n_rows <= 12:
        vmax = np.nanmax(wide.to_numpy(dtype=float)) if n_rows else 0
        for r in range(n_rows):
            for c in range(len(frame_ids)):
                v = wide.iat[r, c]
                colour = "white" if vmax and v > 0.6 * vmax else "black"
                ax.text(
                    c,
                    r,
                    f"{v:.1f}\n[{low.iat[r, c]:.1f}–{high.iat[r, c]:.1f}]",
                    ha="center",
                    va="center",
                    fontsize=6.5,
                    color=colour,
                )
    ax.figure.colorbar(im, ax=ax, label="hits per 1,000 words")
    title = "Frames per 1,000 words (95% exact Poisson interval)"
    if rates["id"].nunique() > n_rows:
        title += f": top {n_rows} of {rates['id'].nunique()} articles"
    ax.set_title(title, fontsize=10)
    return ax.figure


__all__ = [
    "FRAMES_PATH",
    "HIT_COLUMNS",
    "RATE_COLUMNS",
    "SPEAKERS_PATH",
    "SPEAKER_GROUPS",
    "Frame",
    "Matcher",
    "Pattern",
    "attribute_speakers",
    "build_matcher",
    "compile_template",
    "cooccurrence",
    "corpus_rates",
    "coverage",
    "find_frames",
    "frame_hits",
    "frame_rates",
    "kwic",
    "kwic_html",
    "lexicon_table",
    "load_lexicon",
    "load_speakers",
    "normalize_for_matching",
    "plot_rate_heatmap",
    "poisson_interval",
    "speaker_frame_table",
]
