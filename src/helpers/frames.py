"""Frame lexicon matching, rates with honest intervals, concordances and who voices a frame.

The frame lexicon lives in ``data/lexicons/frames.yaml``: each frame has patterns written in
plain Arabic with a few marks (see :func:`compile_template`). The lexicon matches as one
ordered alternation of all its patterns would (exclusions first, then the longest pattern),
on each article's normalised text (:func:`normalize_for_matching`); offsets and quoted matches
refer to the original text through that function's index map. :class:`Matcher` tries a
pattern only where a literal test on the spellings of its first word, done with numpy over a
few MB of text at a time, says it could start. Speakers come from :mod:`helpers.speakers`.

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
from helpers.stats import bootstrap_rates, poisson_interval

FRAMES_PATH = LEXICON_DIR / "frames.yaml"
# libyaml's safe loader where PyYAML was built with it (much faster), else the Python one
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

HIT_COLUMNS = ["id", "frame", "match", "start", "end", "sentence", "speaker", "speaker_group"]
RATE_COLUMNS = ["id", "frame", "count", "n_words", "per_1000", "ci_low", "ci_high"]

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
# occurrence, a large share of the lexicon's compile time (the empty look-ahead keeps the
# parser from folding the branch back into one class). The same characters either way.
_SEP_CHAR = r"(?:[\s,\"«»\-]|\u060c(?=))"
_SEP = rf"(?:{_SEP_CHAR}*\s{_SEP_CHAR}*|\s*[\u060c,]\s*)"
_GAP_WORD = r"[^\s\u060c,.!?\u061f\u061b]+"
_GAP = rf"(?:{_SEP}{_GAP_WORD}){{0,2}}"
# Word boundaries: \w covers Arabic letters and digits but not ، ؛ ؟ (Arabic punctuation).
WORD_START = r"(?<!\w)"
WORD_END = r"(?!\w)"
# Conjunction و/ف, then a preposition ب/ك/ل; ل + ال is written لل.
PROCLITIC = "[\u0648\u0641]?[\u0628\u0643\u0644]?"
_PROCLITIC_ARTICLE = (
    "[\u0648\u0641]?(?:[\u0628\u0643]?\u0627\u0644|\u0644\u0644|[\u0628\u0643\u0644])?"
)
_SUFFIXES = ("ه", "ها", "هما", "هم", "هن", "كم", "كما", "نا", "ي")
_ARTICLE = "(ال)"
_TOKEN = re.compile(r"\([^()]*\)|\{[^{}]*\}|[^(){}]+")


def _fold(text: str) -> str:
    return text.translate(_MATCH_FOLD)


def normalize_literal(text: str) -> str:
    """Normalise a pattern literal exactly as article text is normalised for matching.

    The text of :func:`normalize_for_matching` without its offsets: the default
    :func:`helpers.arabic.normalize`, then the matcher's folds (hamza on waw or yeh becomes
    bare hamza, so الشئون and الشؤون are one spelling). Speakers' names and reporting verbs
    go through it too, so they meet article text in the same form.

    >>> normalize_literal("الشئون") == normalize_literal("الشؤون") == "الشءون"
    True
    >>> normalize_literal("مُنظّمة")
    'منظمه'
    """
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
        prefix = _PROCLITIC_ARTICLE if has_article else PROCLITIC
    else:  # later words take only the article (و is written out: و(ال)تطرف)
        prefix = "(?:\u0627\u0644)?" if has_article else ""
    return f"{prefix}(?:{body})"


def _alternatives(options: list[str], suffix: bool) -> str:
    """Normalised, escaped alternatives; with ``suffix`` each may carry a pronoun."""
    out = []
    for raw in options:
        raw = raw.strip()
        forms = {re.escape(normalize_literal(raw))} if raw else {""}
        if suffix and raw:
            stem = raw[:-1] if raw[-1] in "ةه" else raw
            tied = normalize_literal(stem + "ت") if raw[-1] in "ةه" else normalize_literal(stem)
            sufs = "|".join(re.escape(normalize_literal(s)) for s in _SUFFIXES)
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
    return WORD_START + "".join(pieces) + WORD_END


@functools.cache
def _compiled(template: str) -> re.Pattern:
    """``compile_template(template)`` compiled, once per process: loading the lexicon
    compiles every pattern to check it, and the matcher then tries the same regex at the
    positions where this pattern can start."""
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


# The strings _PROCLITIC_ARTICLE and PROCLITIC match (a test checks both ways).
_CONJUNCTIONS = ("", "\u0648", "\u0641")
_PARTICLES_ARTICLE = tuple(
    c + p for c in _CONJUNCTIONS for p in ("", "بال", "كال", "ال", "لل", "ب", "ك", "ل")
)
_PARTICLES = tuple(c + p for c in _CONJUNCTIONS for p in ("", "ب", "ك", "ل"))


def first_word_spellings(template: str) -> tuple[tuple[str, ...], set[str]]:
    """What the first word of a pattern can look like in normalised text.

    Returns the particles that may stand before it (:data:`_PARTICLES_ARTICLE` after
    ``(ال)``, else :data:`_PARTICLES`) and every spelling of the word itself, as the template
    compiler reads it (:func:`_compile_word`): options, optional pieces and, with ``+``, the
    pronoun suffixes on the last piece. A first word that can be empty raises ``ValueError``.

    Examples
    --------
    >>> sorted(first_word_spellings("(ال){ثوره|ثورات} (ال)ملونه")[1])
    ['ثورات', 'ثوره']
    """
    word = template.replace("...", "…").split()[0]
    suffix = word.endswith("+")
    word = word.removesuffix("+")
    article = word.startswith(_ARTICLE)
    word = word.removeprefix(_ARTICLE)
    pieces = _TOKEN.findall(word)
    forms = [""]
    for i, piece in enumerate(pieces):
        raws = piece[1:-1].split("|") if piece[0] in "({" else [piece]
        options = [""] if piece[0] == "(" else []
        for raw in map(str.strip, raws):
            options.append(normalize_literal(raw))
            if suffix and raw and i == len(pieces) - 1:
                tied = (
                    normalize_literal(raw[:-1] + "ت") if raw[-1] in "ةه" else normalize_literal(raw)
                )
                options.extend(tied + normalize_literal(s) for s in _SUFFIXES)
        forms = [f + o for f in forms for o in options]
    if "" in forms:
        raise ValueError(f"pattern {template!r}: its first word can be empty; write it out")
    return (_PARTICLES_ARTICLE if article else _PARTICLES), set(forms)


# ----------------------------------------------------------------------------------------
# The matcher: a literal prefilter (numpy) and each pattern's own regex
# ----------------------------------------------------------------------------------------

_DELETED, _SLOW = -1, -2


@functools.cache
def _char_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per BMP code point: its normalised, folded code point (or _DELETED / _SLOW), and \\w.

    :func:`helpers.arabic.code_unit_table` (the default chain, one character for one) with
    the matcher's folds on top. Every step of the chain is a one-character map or a deletion,
    except presentation forms (which may expand), combining hamza (which composes with the
    letter before) and lone surrogates; those are _SLOW, and a text holding one is normalised
    by :func:`normalize_for_matching`. No step touches characters beyond the BMP. A test
    checks the table against :func:`normalize_for_matching` run over every BMP character.
    """
    table = arabic.code_unit_table()
    fold = np.arange(0x10000, dtype=np.int32)
    for src, dst in _MATCH_FOLD.items():
        fold[src] = ord(dst)
    kept = table >= 0  # -1 and -2 there are this module's _DELETED and _SLOW
    table[kept] = fold[table[kept]]
    special = f"[{arabic.PRESENTATION_FORMS}{arabic.COMBINING_HAMZA}\ud800-\udfff]"
    table[arabic.bmp_class(special)] = _SLOW
    return table, arabic.bmp_class(r"\w")


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _is_word(points: np.ndarray) -> np.ndarray:
    """Whether each code point is ``\\w`` for ``re`` (alphanumeric or ``_``)."""
    _, bmp_word = _char_tables()
    out = bmp_word[np.minimum(points, 0xFFFF)]
    beyond = np.flatnonzero(points > 0xFFFF)
    out[beyond] = [chr(p).isalnum() for p in points[beyond].tolist()]
    return out


def _normalise(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normalised, folded code points of ``texts`` end to end, the offset of each in its own
    text, and where each text starts: :func:`normalize_for_matching` for many texts at once,
    by table lookup."""
    table, _ = _char_tables()
    raw = _code_points("".join(texts))
    mapped = table[raw & 0xFFFF]
    beyond = np.flatnonzero(raw > 0xFFFF)
    mapped[beyond] = raw[beyond]  # no step touches characters beyond the BMP
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    slow = np.unique(np.searchsorted(bounds, np.flatnonzero(mapped == _SLOW), side="right") - 1)
    for i in slow.tolist():  # cut out, then put back below
        mapped[bounds[i] : bounds[i + 1]] = _DELETED
    kept = np.flatnonzero(mapped >= 0)
    owner = np.repeat(np.arange(len(texts)), lengths)[kept]
    points, index = mapped[kept].astype(np.uint32), kept - bounds[owner]
    counts = np.bincount(owner, minlength=len(texts))
    if len(slow):
        cuts = np.cumsum(counts)[:-1]
        points, index = np.split(points, cuts), np.split(index, cuts)
        for i in slow.tolist():
            points[i], index[i] = _by_words(texts[i], table)
            counts[i] = len(points[i])
        points, index = np.concatenate(points), np.concatenate(index)
    return points, index, np.concatenate([[0], np.cumsum(counts)])


def _by_words(text: str, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A text holding a _SLOW character: the pieces between spaces that hold one go through
    :func:`normalize_for_matching`, the rest through the table (no step of the chain looks
    across a space, see :func:`helpers.arabic.normalize`)."""
    raw = _code_points(text)
    mapped = table[raw & 0xFFFF]
    mapped[raw > 0xFFFF] = raw[raw > 0xFFFF]
    spaces = np.concatenate([[0], np.flatnonzero(raw == 0x20), [len(text)]])
    at = np.searchsorted(spaces, np.flatnonzero(mapped == _SLOW), side="right")
    points, index, done = [], [], 0
    for a, b in zip(
        np.unique(spaces[at - 1]).tolist(), np.unique(spaces[at]).tolist(), strict=True
    ):
        kept = done + np.flatnonzero(mapped[done:a] >= 0)
        norm, offsets = normalize_for_matching(text[a:b])
        points += [mapped[kept].astype(np.uint32), _code_points(norm)]
        index += [kept, a + np.asarray(offsets, dtype=np.int64)]
        done = b
    kept = done + np.flatnonzero(mapped[done:] >= 0)
    return np.concatenate([*points, mapped[kept].astype(np.uint32)]), np.concatenate([*index, kept])


_HEAD_CELLS = 1 << 24  # at most this many cells in the prefilter's table of first letters


@dataclass(frozen=True)
class _Prefilter:
    """A necessary condition for a pattern to match at a position, testable with numpy.

    Every pattern starts with its first word: particles from a finite set, then one of
    finitely many spellings (:func:`first_word_spellings`). So a match at ``p`` needs: ``p``
    is a word start, ``norm[p:p+k]`` is a particle string of length ``k``, and ``norm[p+k:]``
    starts with the first ``head`` letters of a spelling. Letters are coded 1..n (0 = any
    other character), so those letters index one bool table.
    """

    code: np.ndarray  # int32 per BMP code point: 0 or the letter's number
    size: int  # n + 1
    head: int  # letters of a first word tested (size**head cells at most _HEAD_CELLS)
    heads: np.ndarray  # bool, size**head: a spelling starts with these coded letters
    particles: tuple[np.ndarray, ...]  # per length k >= 1: sorted codes of particle strings
    # per length L <= head: code of a spelling's first L letters -> the patterns it starts
    owners: tuple[dict[int, frozenset[int]], ...]

    def pack(self, word: str) -> int:
        value = 0
        for ch in word:
            value = value * self.size + int(self.code[ord(ch)])
        return value

    def patterns_at(self, heads: tuple[int, ...]) -> tuple[int, ...]:
        """Patterns whose first word may start with one of these coded letters."""
        out: set[int] = set()
        for head in heads:
            for length, table in enumerate(self.owners):
                got = table.get(head // self.size ** (self.head - length))
                if got:
                    out |= got
        return tuple(sorted(out))


def _build_prefilter(templates: list[str]) -> _Prefilter:
    """The prefilter of patterns, from the first-word spellings of their templates."""
    words = [first_word_spellings(t) for t in templates]
    letters = sorted({ch for parts, forms in words for s in (*parts, *forms) for ch in s})
    if any(ord(ch) > 0xFFFF for ch in letters):
        raise ValueError("patterns may only use characters of the Basic Multilingual Plane")
    size = len(letters) + 1
    head = max(1, min(4, int(np.log(_HEAD_CELLS) / np.log(size))))
    code = np.zeros(0x10000, dtype=np.int32)
    code[[ord(ch) for ch in letters]] = np.arange(1, size)
    pre = _Prefilter(code, size, head, np.zeros(size**head, dtype=bool), (), ())
    owners: list[dict[int, set[int]]] = [{} for _ in range(head + 1)]
    particles: set[str] = set()
    for n, (parts, forms) in enumerate(words):
        particles.update(parts)
        for form in forms:
            first = form[:head]
            owners[len(first)].setdefault(pre.pack(first), set()).add(n)
            lo = pre.pack(first) * size ** (head - len(first))
            pre.heads[lo : lo + size ** (head - len(first))] = True
    by_length = [
        np.unique([pre.pack(p) for p in particles if len(p) == k]).astype(np.int64)
        for k in range(1, max(map(len, particles)) + 1)
    ]
    return _Prefilter(code, size, head, pre.heads, tuple(by_length), tuple(map(_frozen, owners)))


def _frozen(table: dict[int, set[int]]) -> dict[int, frozenset[int]]:
    return {k: frozenset(v) for k, v in table.items()}


def _candidates(
    pre: _Prefilter, points: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``points`` (normalised code points of many texts) where a match may start.

    ``starts`` are the offsets where each text begins (a word start whatever precedes it).
    Returns positions in ascending order (a position repeats when several particle lengths
    fit) and, for each, the coded ``head`` letters after the particles.
    """
    n, h = len(points), pre.head
    a = np.zeros(n + h - 1, dtype=np.int32)  # letter numbers, padded at the end
    a[:n] = pre.code[np.minimum(points, 0xFFFF)]
    a[:n][points > 0xFFFF] = 0
    head = a[:n].copy()
    for j in range(1, h):
        head *= pre.size
        head += a[j : j + n]
    q = np.flatnonzero(pre.heads[head])
    positions, heads = [q], [head[q]]
    for k, allowed in enumerate(pre.particles, 1):
        if not len(allowed):
            continue
        p = q[q >= k] - k
        packed = np.zeros(len(p), dtype=np.int64)
        for j in range(k):
            packed = packed * pre.size + a[p + j]
        found = np.minimum(np.searchsorted(allowed, packed), len(allowed) - 1)
        fits = allowed[found] == packed
        positions.append(p[fits])
        heads.append(head[p[fits] + k])
    pos, hd = np.concatenate(positions), np.concatenate(heads)
    text_start = np.zeros(n + 1, dtype=bool)
    text_start[starts] = True
    word_before = np.zeros(len(pos), dtype=bool)
    inner = pos > 0
    word_before[inner] = _is_word(points[pos[inner] - 1])
    keep = ~word_before | text_start[pos]
    order = np.argsort(pos[keep], kind="stable")
    return pos[keep][order], hd[keep][order]


class Matcher:
    """Patterns matched as one ordered alternation of them would match them.

    For a lexicon, exclusions come first, then the patterns from the longest template to the
    shortest, so at any position the most specific phrase wins (``patterns`` gives another
    order, e.g. the reporting verbs of :mod:`helpers.speakers`). :meth:`finditer` scans a
    text left to right and resumes after each match, as ``re.finditer`` does with the
    alternation of all patterns; it tries only the positions the prefilter allows (word
    starts where a pattern's first word can begin) and there only the patterns that can
    start with the letters found, in order, each with its own compiled regex. The first that
    matches wins: that is the branch the whole alternation would pick, since nothing follows
    it.
    """

    def __init__(self, frames: list[Frame], patterns: list[Pattern] | None = None):
        self.frames = frames
        if patterns is None:  # the lexicon's order
            patterns = [p for f in frames for p in f.exclude] + sorted(
                (p for f in frames for p in f.patterns), key=lambda p: -len(p.template)
            )
        self.patterns: list[Pattern] = list(patterns)
        for p in self.patterns:  # a template that does not compile fails here, not mid-corpus
            _compiled(p.template)
        self.prefilter = _build_prefilter([p.template for p in self.patterns])
        self._tries: dict[tuple[int, ...], tuple[tuple[re.Pattern, int], ...]] = {}

    def scan(self, norms: list[str]) -> list[list[tuple[Pattern, int, int]]]:
        """Every ``(pattern, start, end)`` in each of many normalised texts, one prefilter
        pass for all of them (exclusions skipped)."""
        points = _code_points("".join(norms))
        starts = np.cumsum([0, *map(len, norms)])
        found = [[] for _ in norms]
        for i, _, hits in self._texts_with_hits(points, starts):
            found[i] = hits
        return found

    def _texts_with_hits(self, points: np.ndarray, starts: np.ndarray):
        """Yield ``(i, norm, hits)`` for every text with a hit, where the texts are
        ``points[starts[i]:starts[i+1]]`` (normalised code points end to end)."""
        norm_all = points.tobytes().decode("utf-32-le", "surrogatepass")
        cand, heads = _candidates(self.prefilter, points, starts[:-1])
        bounds = np.searchsorted(cand, starts).tolist()
        for i in range(len(starts) - 1):
            lo, hi = bounds[i], bounds[i + 1]
            if lo == hi:
                continue
            ns, ne = int(starts[i]), int(starts[i + 1])
            norm = norm_all[ns:ne]
            hits = list(self.finditer(norm, (cand[lo:hi] - ns).tolist(), heads[lo:hi].tolist()))
            if hits:
                yield i, norm, hits

    def finditer(self, norm: str, positions: list[int], heads: list[int]):
        """Yield ``(pattern, start, end)`` on normalised text; exclusions are skipped.

        ``positions`` (ascending) and ``heads`` come from the prefilter (:func:`_candidates`).
        """
        patterns, resume, i, n = self.patterns, 0, 0, len(positions)
        while i < n:
            p, j = positions[i], i + 1
            while j < n and positions[j] == p:
                j += 1
            if p >= resume:
                key = tuple(heads[i:j])
                tries = self._tries.get(key)
                if tries is None:
                    tries = self._tries[key] = tuple(
                        (_compiled(self.patterns[k].template), k)
                        for k in self.prefilter.patterns_at(key)
                    )
                for regex, k in tries:
                    m = regex.match(norm, p)
                    if m is not None:
                        resume = m.end()
                        if not patterns[k].exclude:
                            yield patterns[k], p, resume
                        break
            i = j


@functools.lru_cache(maxsize=4)
def _matcher_at(key: tuple[str, int, int]) -> Matcher:
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

_CHUNK_CHARS = 2_000_000  # characters normalised per numpy pass (about 100 MB of arrays)


def _chunks(texts: list[str]):
    """``(offset, texts)`` pieces of about _CHUNK_CHARS characters."""
    first, size = 0, 0
    for i, text in enumerate(texts):
        size += len(text)
        if size >= _CHUNK_CHARS:
            yield first, texts[first : i + 1]
            first, size = i + 1, 0
    if first < len(texts):
        yield first, texts[first:]


def _texts_with_hits(texts: list[str], matcher: Matcher):
    """Yield ``(i, norm, index, hits)`` for every text with a hit, in order: its normalised
    text, the offset map into ``texts[i]`` and its ``(pattern, start, end)`` on ``norm``."""
    for first, chunk in _chunks(texts):
        points, index, starts = _normalise(chunk)
        for i, norm, hits in matcher._texts_with_hits(points, starts):
            yield first + i, norm, index[starts[i] : starts[i + 1]], hits


def _placed(text: str, index: np.ndarray, hits) -> tuple[list[tuple[int, int]], list[tuple]]:
    """The sentences of ``text`` and, per hit, ``(pattern, start, end, sentence number)`` in
    original offsets. A hit that spans a sentence break is given the sentence where it starts."""
    spans = arabic.sentence_spans(text) or [(0, len(text))]
    starts = [a for a, _ in spans]
    where = index[[i for _, s, e in hits for i in (s, e - 1)]].tolist()
    placed = []
    for n, (pat, _, _) in enumerate(hits):
        start, end = where[2 * n], where[2 * n + 1] + 1
        placed.append((pat, start, end, max(bisect.bisect_right(starts, start) - 1, 0)))
    return spans, placed


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
        One row per hit: ``frame, match, start, end, sentence, pattern, sentence_no``.
        ``match`` is the original text ``text[start:end]`` (with its diacritics);
        ``sentence`` the original sentence around it (from
        :func:`helpers.arabic.sentence_spans`), ``sentence_no`` its number in the text.

    Examples
    --------
    >>> find_frames("وحذر من التدخّل الخارجي.")[["frame", "match"]].values.tolist()
    [['external_forces', 'التدخّل الخارجي']]
    """
    matcher = build_matcher() if matcher is None else matcher
    cols = ["frame", "match", "start", "end", "sentence", "pattern", "sentence_no"]
    rows = []
    if isinstance(text, str) and text:
        for _, _, index, hits in _texts_with_hits([text], matcher):
            spans, placed = _placed(text, index, hits)
            rows = [
                (p.frame, text[s:e], s, e, text[slice(*spans[k])], p.template, k)
                for p, s, e, k in placed
            ]
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


_HIT_TABLE_COLUMNS = [*HIT_COLUMNS, "pattern", "sentence_no", "same_mention"]

# One count per mention: a hit of a frame is part of the mention before it (same frame, same
# sentence) when the two overlap, or when only a linking word and at most three words of
# the clause it opens stand between them: a relative pronoun (القوى الخارجية التي تتدخل في
# الشؤون الداخلية), a definition (قوى الشر الثلاث بأنها التطرف ... والإرهاب) or apposition
# (وهي, أي, a colon or dash). Written in normalised spelling (ي for ى, ا for أ).
_LINKERS = (
    *("التي", "الذي", "الذين", "اللتين", "اللذين", "اللتان", "اللذان", "اللاتي", "اللواتي"),
    *("بانها", "بانه", "بانهم", "اي", "وهي", "وهو", "وهم", "هي", "هو", "المتمثله", "المتمثل"),
)
_QUOTES = "\\s\"«»'()"
_SAME_MENTION = re.compile(
    f"[{_QUOTES}]*(?:(?:{'|'.join(_LINKERS)})(?:\\s+[^\\s\u060c,.!?\u061f\u061b:]+){{0,3}}"
    f"|[:\\-\u2013])[{_QUOTES}]*"
)


def same_mention(gap: str) -> bool:
    """Whether two hits of one frame with ``gap`` (normalised text) between them are one
    mention: a relative clause, definition or apposition of the first (see _LINKERS).

    Examples
    --------
    >>> same_mention(" التي ")  # القوى الخارجية التي تتدخل في الشؤون الداخلية
    True
    >>> same_mention("، و")  # two items of a list are two mentions
    False
    """
    return _SAME_MENTION.fullmatch(gap) is not None


def _mention_flags(norm: str, hits: list[tuple], sentence_nos: list[int]) -> list[bool]:
    """Per hit (``(pattern, start, end)`` on ``norm``, in order): True when it continues the
    mention of the previous hit of its frame (overlap, or :func:`same_mention`)."""
    last: dict[str, tuple[int, int]] = {}  # frame -> (end, sentence) of its previous hit
    flags = []
    for (pat, s, e), k in zip(hits, sentence_nos, strict=True):
        prev = last.get(pat.frame)
        flags.append(
            prev is not None and prev[1] == k and (s < prev[0] or same_mention(norm[prev[0] : s]))
        )
        last[pat.frame] = (max(e, prev[0]) if prev and prev[1] == k else e, k)
    return flags


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
        ``id, frame, match, start, end, sentence, speaker, speaker_group`` plus ``pattern``,
        ``sentence_no`` (index of the sentence in its article, for co-occurrence) and
        ``same_mention``: True when the hit continues the mention of the previous hit of its
        frame (same sentence; overlapping, or its relative clause, definition or apposition,
        :func:`same_mention`), so it is not counted again by :func:`frame_rates` and
        :func:`speaker_frame_table` (see :func:`mentions`).
        Offsets are into the article's original text. Articles with no text give no rows
        and a warning naming them.

    Notes
    -----
    The hits are those of :func:`find_frames`, found for a few MB of text at a time; the
    speakers those of :func:`helpers.speakers.attribute_speakers`, worked out only for the
    articles with hits.

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["قال لافروف إن قوى خارجية خططت للفوضى."]})
    >>> frame_hits(arts)[["frame", "speaker_group"]].values.tolist()
    [['external_forces', 'Russian official'], ['stability_security', 'Russian official']]
    """
    matcher = build_matcher() if matcher is None else matcher
    present = _texts_to_match(articles)
    ids, texts = present["id"].tolist(), list(map(str, present["text"]))
    outlets = present["outlet"].tolist() if "outlet" in present.columns else [None] * len(ids)
    rows, batch = [], []
    for item in _texts_with_hits(texts, matcher):
        batch.append(item)
        if len(batch) == _SPEAKER_BATCH:
            rows += _rows_with_speakers(batch, ids, texts, outlets)
            batch = []
    rows += _rows_with_speakers(batch, ids, texts, outlets)
    return pd.DataFrame(rows, columns=_HIT_TABLE_COLUMNS)


_SPEAKER_BATCH = 500  # articles whose reporting verbs are found in one pass

#: What :func:`frame_hits_once` keeps, in the folder it is given.
KEPT_HITS, KEPT_HITS_META = "frame_hits.parquet", "frame_hits.json"


def _hits_digest(articles: pd.DataFrame) -> str:
    """A digest of everything :func:`frame_hits` reads: the articles' ids, texts and outlets,
    the lexicons (every file of ``data/lexicons/``) and the code that finds hits and speakers."""
    import hashlib

    from helpers import entities, speakers

    digest = hashlib.sha256()
    columns = [c for c in ("id", "text", "outlet") if c in articles.columns]
    for column in columns:
        digest.update("\x1e".join(map(str, articles[column].tolist())).encode("utf-8", "replace"))
        digest.update(b"\x1d")
    code = [Path(m.__file__) for m in (arabic, entities, speakers)] + [Path(__file__)]
    for path in sorted(LEXICON_DIR.iterdir()) + code:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def frame_hits_once(articles: pd.DataFrame, folder: str | Path) -> pd.DataFrame:
    """:func:`frame_hits`, computed once per corpus and read back by the next notebook.

    The hits are kept in ``folder`` (a notebook's ``processed_dir(CORPUS)``) with a digest of
    the articles, the lexicons and the code (:func:`_hits_digest`): a notebook that asks
    again for the same articles gets the same table without matching the corpus again, and
    any change to the articles (a filter, an edit), a lexicon or the code finds them anew.
    """
    import json

    folder = Path(folder)
    digest = _hits_digest(articles)
    try:
        meta = json.loads((folder / KEPT_HITS_META).read_text("utf-8"))
        if meta.get("digest") == digest:
            return pd.read_parquet(folder / KEPT_HITS)
    except (OSError, ValueError):
        pass
    hits = frame_hits(articles)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        hits.to_parquet(folder / KEPT_HITS, index=False)
        (folder / KEPT_HITS_META).write_text(json.dumps({"digest": digest}), "utf-8")
    except (OSError, ValueError):  # a read-only folder: the hits are still returned
        (folder / KEPT_HITS_META).unlink(missing_ok=True)
    return hits


def _rows_with_speakers(batch: list[tuple], ids: list, texts: list[str], outlets: list) -> list:
    """Hit table rows of ``(i, norm, index, hits)`` items, speakers found for all at once."""
    from helpers.speakers import sentence_speakers  # speakers builds on this module

    places = [_placed(texts[i], index, hits) for i, _, index, hits in batch]
    articles = [
        (texts[i], norm, index, spans, outlets[i] if isinstance(outlets[i], str) else None)
        for (i, norm, index, _), (spans, _) in zip(batch, places, strict=True)
    ]
    rows = []
    for (i, norm, _, hits), (spans, placed), who in zip(
        batch, places, sentence_speakers(articles), strict=True
    ):
        text = texts[i]
        flags = _mention_flags(norm, hits, [k for *_, k in placed])
        for (p, s, e, k), again in zip(placed, flags, strict=True):
            speaker, group = who[k][0]["english"], who[k][0]["group"]
            row = (ids[i], p.frame, text[s:e], s, e, text[slice(*spans[k])], speaker, group)
            rows.append((*row, p.template, k, again))
    return rows


def _n_words(articles: pd.DataFrame) -> pd.Series:
    if "n_words" in articles.columns and articles["n_words"].notna().all():
        return articles["n_words"].astype(int)
    return articles["text"].fillna("").map(lambda t: len(arabic.tokenize(str(t))))


def mentions(hits: pd.DataFrame) -> pd.DataFrame:
    """The hits that count: one per mention (rows with ``same_mention`` dropped).

    A hit continues the mention before it when both are of one frame in one sentence and
    overlap, or when the second is the first's relative clause, definition or apposition
    (:func:`same_mention`): "القوى الخارجية التي تتدخل في الشؤون الداخلية" is one
    external-forces mention, not two. Two separate occurrences still count twice. A hits
    table without the column (an older CSV) counts every row.

    Examples
    --------
    >>> h = pd.DataFrame({"frame": ["x", "x", "x"], "same_mention": [False, True, False]})
    >>> len(mentions(h))
    2
    """
    if "same_mention" not in hits.columns:
        return hits
    return hits[~hits["same_mention"].fillna(False).astype(bool)]


def coding_sample(
    hits: pd.DataFrame, articles: pd.DataFrame, n: int = 5, seed: int = 19
) -> pd.DataFrame:
    """``n`` mentions in ``n`` different sentences, drawn with a fixed seed, for judging by hand.

    Notebook 04's "judge five hits" exercise and the printed coding sheet (``make materials``)
    both call this, so a learner sees the same sentences on paper and in the notebook. Rows are
    in article and text order, with the sentence cut around the hit: ``before``, ``match`` and
    ``after`` (quoted from the original text), plus the hit's ``frame``, ``pattern`` and the
    program's ``speaker`` and ``speaker_group`` (to compare *after* judging).

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["قال لافروف إن قوى خارجية خططت للفوضى."]})
    >>> rows = coding_sample(frame_hits(arts), arts)
    >>> len(rows)  # two hits, one sentence: one row
    1
    >>> (rows["before"] + "[" + rows["match"] + "]" + rows["after"]).isin(
    ...     ["قال لافروف إن [قوى خارجية] خططت للفوضى.", "قال لافروف إن قوى خارجية خططت [للفوضى]."]
    ... ).all()
    np.True_
    """
    texts = dict(zip(articles["id"], articles["text"], strict=False))
    drawn = mentions(hits).sample(frac=1.0, random_state=seed)
    drawn = drawn.drop_duplicates(["id", "sentence_no"]).head(n).sort_values(["id", "start"])
    rows = []
    for hit in drawn.itertuples():
        text, start = str(texts[hit.id]), int(hit.start)
        at = text.find(hit.sentence)
        while at != -1 and not at <= start < at + len(hit.sentence):
            at = text.find(hit.sentence, at + 1)
        if at == -1:  # the sentence was tidied; cut it at the match instead
            at = start - hit.sentence.find(hit.match)
        cut, stop = start - at, int(hit.end) - at
        rows.append(
            {
                "id": hit.id,
                "frame": hit.frame,
                "pattern": hit.pattern,
                "before": hit.sentence[:cut],
                "match": hit.sentence[cut:stop],
                "after": hit.sentence[stop:],
                "speaker": hit.speaker,
                "speaker_group": hit.speaker_group,
            }
        )
    columns = ["id", "frame", "pattern", "before", "match", "after", "speaker", "speaker_group"]
    return pd.DataFrame(rows, columns=columns)


def _count_grid(articles: pd.DataFrame, hits: pd.DataFrame, frame_ids: list[str]) -> np.ndarray:
    """Mentions per article row (a repeated id gets all its hits on every row) and frame."""
    hits = mentions(hits)
    ids = pd.Index(articles["id"].tolist())
    unique_ids = ids.unique()
    counts = np.zeros((len(unique_ids), len(frame_ids)), dtype=np.int64)
    if len(hits) and frame_ids:
        grouped = hits.groupby(["id", "frame"], sort=False).size()
        row = unique_ids.get_indexer(grouped.index.get_level_values(0))
        col = pd.Index(frame_ids).get_indexer(grouped.index.get_level_values(1))
        ok = (row >= 0) & (col >= 0)  # hits of articles or frames not asked about: ignored
        counts[row[ok], col[ok]] = grouped.to_numpy()[ok]
    return counts[unique_ids.get_indexer(ids)]


def frame_rates(
    articles: pd.DataFrame,
    hits: pd.DataFrame,
    confidence: float = 0.95,
    frames: list[Frame] | None = None,
) -> pd.DataFrame:
    """Mentions per 1,000 words for every article × frame, with an exact Poisson interval.

    One count per mention (:func:`mentions`): hits of one frame that overlap, or of which
    one is the other's relative clause, definition or apposition in the same sentence,
    count once; separate occurrences count each.

    The interval is Garwood's exact (Clopper–Pearson-type) interval for a Poisson count $k$
    (:func:`helpers.stats.poisson_interval`), scaled by $1000/n$: it is honest for the tiny
    counts of a single article (0 hits in a 300-word article is "between 0 and 12.3 per
    1,000", not "0").

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
        interval is, if anything, too narrow. A repeated id takes the word count of its last
        row and the hits of all its rows.

    Examples
    --------
    >>> arts = pd.DataFrame({"id": ["a"], "text": ["ثورة ملونة"], "n_words": [1000]})
    >>> r = frame_rates(arts, frame_hits(arts)).query("frame == 'colour_revolution'")
    >>> r["count"].tolist(), r["per_1000"].tolist()
    ([1], [1.0])
    """
    _check_articles(articles)
    frame_ids = [f.id for f in (load_lexicon() if frames is None else frames)]
    ids = articles["id"].tolist()
    words = pd.Series(np.asarray(_n_words(articles), dtype=np.int64), index=ids)
    n = words.groupby(level=0, sort=False).last().reindex(ids).to_numpy(dtype=np.int64)
    k = _count_grid(articles, hits, frame_ids).ravel()
    n_rep = np.repeat(n, len(frame_ids))
    distinct = np.unique(k)  # the interval once per distinct count
    lows, highs = poisson_interval(distinct, confidence)
    where = np.searchsorted(distinct, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_rep != 0, 1000 / np.where(n_rep != 0, n_rep, 1), np.nan)
    return pd.DataFrame(
        {
            "id": np.repeat(np.asarray(ids, dtype=object), len(frame_ids)),
            "frame": np.tile(np.asarray(frame_ids, dtype=object), len(ids)),
            "count": k,
            "n_words": n_rep,
            "per_1000": k * scale,
            "ci_low": lows[where] * scale,
            "ci_high": highs[where] * scale,
        },
        columns=RATE_COLUMNS,
    )


POOLED_COLUMNS = [*RATE_COLUMNS[1:], "interval"]


def corpus_rates(
    rates: pd.DataFrame, confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Pool :func:`frame_rates` over the corpus: one row per frame, with an honest interval.

    ``per_1000`` is all the frame's hits per 1,000 of all the words. The interval resamples
    whole articles (:func:`helpers.stats.bootstrap_rates`, percentile, ``n_resamples``
    resamples, fixed ``seed``): hits bunch in a few stories, so the words of many articles
    are not one long Poisson text, and a Poisson interval on the summed count is far too
    narrow. Where resampling has nothing to vary (fewer than two articles with words, or no
    hit of the frame anywhere) the row has the exact Poisson interval of the summed count
    instead. ``interval`` says which: ``"articles bootstrap"`` or ``"Poisson"``.

    Examples
    --------
    >>> r = pd.DataFrame({"id": ["a", "b"], "frame": ["x", "x"], "count": [1, 2],
    ...                   "n_words": [500, 500]})
    >>> out = corpus_rates(r)
    >>> out[["count", "per_1000", "interval"]].values.tolist()
    [[3, 3.0, 'articles bootstrap']]
    """
    rates = rates.drop_duplicates(["id", "frame"], keep="last")
    counts = rates.pivot_table("count", "id", "frame", aggfunc="sum", sort=False, fill_value=0)
    words = rates.groupby("id", sort=False)["n_words"].last().reindex(counts.index)
    total, n_words = counts.sum(axis=0).astype(np.int64), int(words.sum())
    scale = 1000 / n_words if n_words else float("nan")
    low, high = (np.asarray(v, dtype=float) * scale for v in poisson_interval(total, confidence))
    resampled = (total > 0).to_numpy() & (int((words > 0).sum()) >= 2)
    if resampled.any():
        boot = bootstrap_rates(counts.loc[:, resampled], words, confidence, n_resamples, seed)
        low[resampled], high[resampled] = boot
    out = pd.DataFrame(
        {
            "frame": counts.columns.astype(object),
            "count": total.to_numpy(),
            "n_words": n_words,
            "per_1000": total.to_numpy() * scale,
            "ci_low": low,
            "ci_high": high,
            "interval": np.where(resampled, "articles bootstrap", "Poisson"),
        },
        columns=POOLED_COLUMNS,
    )
    return out.set_index("frame").reindex(rates["frame"].unique()).reset_index()


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
    """Mentions (:func:`mentions`) per speaker group (rows) and frame (columns), with every
    group and frame shown.

    Examples
    --------
    >>> h = pd.DataFrame({"frame": ["x"], "speaker_group": ["outlet"]})
    >>> int(speaker_frame_table(h, frames=[]).loc["outlet", "x"])
    1
    """
    from helpers.speakers import SPEAKER_GROUPS  # speakers builds on this module

    names = [f.id for f in (load_lexicon() if frames is None else frames)]
    names += sorted(set(hits["frame"]) - set(names)) if len(hits) else []
    hits = mentions(hits)
    table = pd.crosstab(hits["speaker_group"], hits["frame"]) if len(hits) else pd.DataFrame()
    return table.reindex(index=list(SPEAKER_GROUPS), columns=names, fill_value=0).astype(int)


def frame_speakers(hits: pd.DataFrame) -> pd.DataFrame:
    """Who voices each frame, speaker by speaker: the detail behind
    :func:`speaker_frame_table`. A listed person or role appears under its English name, an
    unlisted one under its own words as published (وزير الخارجية المصري سامح شكري, مصادر
    دبلوماسية), so no unlisted speaker is folded into a listed one or into another of its
    group.

    Returns
    -------
    pandas.DataFrame
        ``frame, speaker_group, speaker, mentions, articles``: mentions (:func:`mentions`)
        and the articles they are in, per frame and speaker, most mentions first within each
        frame; the outlet's own voice is one row per frame.

    Examples
    --------
    >>> h = pd.DataFrame({"id": ["a", "b", "b"], "frame": ["x", "x", "x"],
    ...                   "speaker": ["مصادر أمنية", "مصادر أمنية", "okaz"],
    ...                   "speaker_group": ["unnamed source", "unnamed source", "outlet"]})
    >>> frame_speakers(h).values.tolist()
    [['x', 'unnamed source', 'مصادر أمنية', 2, 2], ['x', 'outlet', 'outlet', 1, 1]]
    """
    columns = ["frame", "speaker_group", "speaker", "mentions", "articles"]
    hits = mentions(hits)
    if not len(hits):
        return pd.DataFrame(columns=columns)
    speaker = hits["speaker"].where(hits["speaker_group"] != "outlet", "outlet")
    table = (
        hits.assign(speaker=speaker)
        .groupby(["frame", "speaker_group", "speaker"], sort=False)
        .agg(mentions=("id", "size"), articles=("id", "nunique"))
        .reset_index()
    )
    order = table.sort_values(["frame", "mentions", "speaker"], ascending=[True, False, True])
    return order[columns].reset_index(drop=True)


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


def _context(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    """``width`` characters on each side of ``text[start:end]``, cut at a word boundary."""
    left = text[max(0, start - width) : start]
    right = text[end : end + width]
    if start - width > 0 and " " in left:
        left = left.split(" ", 1)[1]
    if end + width < len(text) and " " in right:
        right = right.rsplit(" ", 1)[0]
    return " ".join(left.split()), " ".join(right.split())


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
    ids = articles["id"].tolist()
    texts = [t if isinstance(t, str) else "" for t in articles["text"]]
    rows = []
    for i, _, index, hits in _texts_with_hits(texts, matcher):
        for pat, s, e in hits:
            if frame is None or pat.frame == frame:
                start, end = int(index[s]), int(index[e - 1]) + 1
                left, right = _context(texts[i], start, end, width)
                rows.append((left, texts[i][start:end], right, ids[i], pat.frame, start))
        if limit is not None and len(rows) >= limit:
            break
    columns = ["left", "match", "right", "id", "frame", "start"]
    return pd.DataFrame(rows[:limit], columns=columns)


def concordance_table(lines: pd.DataFrame) -> pd.DataFrame:
    """:func:`kwic` lines as a table to sort and filter (:func:`helpers.display.sortable_table`).

    Columns: ``before``, ``hit``, ``after`` (original spelling), then ``1L`` and ``1R``, the
    word just before and just after the hit (punctuation left out): sorting by ``1R`` groups
    the lines by what follows the phrase, as AntConc's "sort by 1R" does; then ``frame`` and
    ``id`` when the lines have them.

    >>> arts = pd.DataFrame({"id": ["a"], "text": ["ندعو إلى منع الثورات الملونة، فورا"]})
    >>> table = concordance_table(kwic(arts, frame="colour_revolution"))
    >>> table[["1L", "hit", "1R"]].values.tolist()
    [['منع', 'الثورات الملونة', 'فورا']]
    """
    word = re.compile(arabic.TOKEN_PATTERN)

    def edge(text: str, last: bool) -> str:
        found = word.findall(text or "")
        return (found[-1] if last else found[0]) if found else ""

    table = pd.DataFrame(
        {
            "before": lines["left"],
            "hit": lines["match"],
            "after": lines["right"],
            "1L": [edge(t, last=True) for t in lines["left"]],
            "1R": [edge(t, last=False) for t in lines["right"]],
        }
    )
    for column in ("frame", "id"):
        if column in lines:
            table[column] = lines[column].to_numpy()
    return table


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
# Which articles a chart shows
# ----------------------------------------------------------------------------------------


def top_rates(rates: pd.DataFrame, top_k: int = 25) -> pd.DataFrame:
    """The rows of :func:`frame_rates` for the ``top_k`` articles with most frame hits.

    Articles are ranked by their hits per 1,000 words summed over all frames, and come in that
    order (frames in the order of ``rates``); all of them when there are at most ``top_k``.
    The column ``n_articles`` gives the number of articles in ``rates``, so a chart of the
    result can say "top k of n". Draw it with :func:`helpers.plots.plot_rate_heatmap`.

    >>> rates = pd.DataFrame({"id": ["a", "a", "b", "b"], "frame": ["x", "y", "x", "y"],
    ...                       "per_1000": [1.0, 0.0, 2.0, 3.0]})
    >>> top_rates(rates, top_k=1)[["id", "frame", "per_1000", "n_articles"]].values.tolist()
    [['b', 'x', 2.0, 2], ['b', 'y', 3.0, 2]]
    """
    frame_ids = list(dict.fromkeys(rates["frame"]))
    wide = rates.pivot(index="id", columns="frame", values="per_1000")[frame_ids]
    order = list(wide.sum(axis=1).sort_values(ascending=False).index[:top_k])
    rank = {art_id: i for i, art_id in enumerate(order)}
    shown = rates[rates["id"].isin(rank)]
    shown = shown.iloc[np.argsort(shown["id"].map(rank).to_numpy(), kind="stable")]
    return shown.assign(n_articles=rates["id"].nunique()).reset_index(drop=True)


__all__ = [
    "FRAMES_PATH",
    "HIT_COLUMNS",
    "POOLED_COLUMNS",
    "PROCLITIC",
    "RATE_COLUMNS",
    "WORD_END",
    "WORD_START",
    "Frame",
    "Matcher",
    "Pattern",
    "build_matcher",
    "coding_sample",
    "compile_template",
    "concordance_table",
    "cooccurrence",
    "corpus_rates",
    "coverage",
    "find_frames",
    "first_word_spellings",
    "frame_hits",
    "frame_hits_once",
    "frame_rates",
    "frame_speakers",
    "kwic",
    "kwic_html",
    "lexicon_table",
    "load_lexicon",
    "mentions",
    "normalize_for_matching",
    "normalize_literal",
    "same_mention",
    "speaker_frame_table",
    "top_rates",
]
