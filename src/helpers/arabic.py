"""Arabic text cleaning: normalisation steps, tokens, sentences, stop words, name variants.

Every later count in the project (TF-IDF terms, frame matches, timelines) runs on text that
went through :func:`normalize` with :data:`DEFAULT_STEPS`, so this module decides what
counts as "the same word".

Each normalisation step is a pure ``str -> str`` function that does one thing and says
what it loses. :func:`normalize` composes a chosen list of steps; for the default chain it
takes a fast path that gives exactly the same output as applying the steps one by one (tests
check this, for every BMP character and on random text): a lookup in a ``uint16`` table over
the text's UTF-16 code units (built from the steps), or for short strings one regex deletion
plus ``str.replace``. ``benchmarks/bench_normalize.py`` measures it at 12-49x the throughput
of CAMeL Tools' chain.

Character classes (explicit code points; what happens to each in the default chain)
----------------------------------------------------------------------------------
========================  ====================================  ==========================
class                     code points                           default chain
========================  ====================================  ==========================
:data:`HARAKAT`           U+064B-U+0652 tanween, short vowels,   deleted
                          shadda, sukun
:data:`DAGGER_ALEF`       U+0670 superscript (dagger) alef       deleted (هٰذا -> هذا)
:data:`COMBINING_HAMZA`   U+0653 maddah, U+0654/U+0655 hamza     composed with a preceding
                          above/below                           alef/waw/yeh (NFC), else
                                                                deleted
:data:`OTHER_MARKS`       U+0656-U+065F subscript alef and       deleted
                          other rare marks
:data:`QURANIC_MARKS`     U+0610-U+061A, U+06D6-U+06ED           deleted
:data:`TATWEEL`           U+0640 kashida (elongation)            deleted
:data:`ALEF_FORMS`        أ U+0623, إ U+0625, آ U+0622,          folded to bare alef ا
                          ٱ U+0671, ٲ U+0672, ٳ U+0673           U+0627
:data:`HAMZA_FORMS`       ء U+0621, ؤ U+0624, ئ U+0626           kept as they are
:data:`ALEF_MAKSURA`      ى U+0649                               folded to yeh ي U+064A
:data:`TEH_MARBUTA`       ة U+0629                               folded to heh ه U+0647
:data:`ARABIC_INDIC_...`  U+0660-U+0669 and Persian U+06F0-06F9  ASCII 0-9; U+066B -> ".",
                          digits; U+066B/U+066C separators,      U+066C -> ",", U+066A -> %
                          U+066A percent
:data:`PRESENTATION_...`  U+FB50-U+FDFF, U+FE70-U+FEFE           NFKC (base letters),
                          (contextual glyph forms, ligatures     restricted to these blocks
                          from PDFs)
:data:`BIDI_CONTROLS`     U+061C, U+200E, U+200F, U+202A-U+202E,  deleted
                          U+2066-U+2069
:data:`ZERO_WIDTH`        U+200B-U+200D, U+FEFF                  deleted
========================  ====================================  ==========================

Everything else (other scripts, Latin letters and their case, punctuation, whitespace,
Persian letters such as گ پ چ ک ی) is left untouched.

Why the default folds alef, alef maksura and teh marbuta: colleagues use the default for
TF-IDF and for frame/name matching, where إن/ان, في/فى and قوة/قوه written by different
outlets (or by the same wire service in different years) must count as one word. The cost
is stated per step (e.g. على "on" and علي "Ali" become one string).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.paths import LEXICON_DIR

__all__ = [
    "DEFAULT_STEPS",
    "STEPS",
    "TOKEN_PATTERN",
    "bmp_class",
    "code_unit_table",
    "compose_hamza",
    "entity_table",
    "find_entities",
    "fold_presentation_forms",
    "normalize",
    "normalize_alef",
    "normalize_alef_maksura",
    "normalize_digits",
    "normalize_series",
    "normalize_teh_marbuta",
    "normalize_with_offsets",
    "remove_invisibles",
    "remove_tatweel",
    "sentence_spans",
    "spelling_report",
    "split_clitics",
    "split_sentences",
    "step_changes",
    "stopwords",
    "strip_diacritics",
    "tokenize",
    "unify_entities",
]

# ---------------------------------------------------------------------------------------
# Character classes. Ranges are written as regex character-class bodies ("\u064b-\u0652").
# ---------------------------------------------------------------------------------------

#: Harakat: U+064B fathatan, U+064C dammatan, U+064D kasratan (tanween), U+064E fatha,
#: U+064F damma, U+0650 kasra, U+0651 shadda, U+0652 sukun.
HARAKAT = "\u064b-\u0652"
#: U+0653 maddah above, U+0654 hamza above, U+0655 hamza below (combining marks; in NFC text
#: they only survive where no precomposed letter exists).
COMBINING_HAMZA = "\u0653-\u0655"
#: U+0656-U+065F: subscript alef, inverted damma, mark noon ghunna, zwarakay, vowel signs
#: used for other languages written in Arabic script, wavy hamza below.
OTHER_MARKS = "\u0656-\u065f"
#: U+0670 superscript ("dagger") alef, a vowel mark in classical spellings (هٰذا، الرحمٰن).
DAGGER_ALEF = "\u0670"
#: Quranic annotation: U+0610-U+061A (honorific signs, small high letters) and U+06D6-U+06ED
#: (small high ligatures, end-of-ayah sign, rub el hizb, sajdah, small waw/yeh, etc.).
QURANIC_MARKS = "\u0610-\u061a\u06d6-\u06ed"
#: U+0640 tatweel (kashida): stretches a word for layout, carries no meaning.
TATWEEL = "\u0640"
#: Alef with hamza above أ U+0623, with hamza below إ U+0625, with madda آ U+0622, alef wasla
#: ٱ U+0671, and the rare wavy-hamza alefs ٲ U+0672 / ٳ U+0673.
ALEF_FORMS = "\u0622\u0623\u0625\u0671\u0672\u0673"
ALEF = "\u0627"
#: Hamza on the line ء U+0621, on waw ؤ U+0624, on yeh ئ U+0626: kept (they distinguish words
#: and CAMeL Tools does not fold them either).
HAMZA_FORMS = "\u0621\u0624\u0626"
ALEF_MAKSURA = "\u0649"  # ى
YEH = "\u064a"  # ي
TEH_MARBUTA = "\u0629"  # ة
HEH = "\u0647"  # ه
#: Arabic-Indic digits ٠-٩ (U+0660-U+0669).
ARABIC_INDIC_DIGITS = "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
#: Extended Arabic-Indic (Persian/Urdu) digits ۰-۹ (U+06F0-U+06F9).
PERSIAN_DIGITS = "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9"
#: U+066A Arabic percent sign, U+066B decimal separator, U+066C thousands separator.
NUMBER_SIGNS = {"\u066a": "%", "\u066b": ".", "\u066c": ","}
#: Arabic Presentation Forms-A U+FB50-U+FDFF and -B U+FE70-U+FEFE: glyph shapes (initial,
#: medial, final, isolated) and ligatures that PDF extraction produces instead of letters.
#: U+FEFF (byte order mark) sits in the same block but is treated as zero-width.
PRESENTATION_FORMS = "\ufb50-\ufdff\ufe70-\ufefe"
#: U+061C Arabic letter mark, U+200E LRM, U+200F RLM, U+202A-U+202E embeddings/overrides,
#: U+2066-U+2069 isolates.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: U+200B zero-width space, U+200C ZWNJ, U+200D ZWJ, U+FEFF zero-width no-break space / BOM.
ZERO_WIDTH = "\u200b-\u200d\ufeff"

#: Arabic letters proper (U+0621-U+064A without tatweel U+0640), for tests and tokens.
ARABIC_LETTERS = "".join(chr(c) for c in range(0x0621, 0x064B) if c != 0x0640)

#: The folds the default chain makes to letters and digits: source character -> result.
FOLDS: dict[str, str] = {
    **dict.fromkeys(ALEF_FORMS, ALEF),
    ALEF_MAKSURA: YEH,
    TEH_MARBUTA: HEH,
    **{d: str(i) for i, d in enumerate(ARABIC_INDIC_DIGITS)},
    **{d: str(i) for i, d in enumerate(PERSIAN_DIGITS)},
    **NUMBER_SIGNS,
}

_INVISIBLES_RE = re.compile(f"[{BIDI_CONTROLS}{ZERO_WIDTH}]")
_PRESENTATION_RE = re.compile(f"[{PRESENTATION_FORMS}]")
# A letter that has a precomposed hamza/madda form, optional harakat, then the combining mark.
_COMPOSABLE_RE = re.compile(
    f"[\u0627\u0648\u064a\u06c1\u06d2\u06d5][{HARAKAT}{DAGGER_ALEF}]*[{COMBINING_HAMZA}]"
    f"[{HARAKAT}{DAGGER_ALEF}{COMBINING_HAMZA}]*"
)
_COMBINING_HAMZA_RE = re.compile(f"[{COMBINING_HAMZA}]")
_DIACRITICS_RE = re.compile(
    f"[{HARAKAT}{COMBINING_HAMZA}{OTHER_MARKS}{DAGGER_ALEF}{QURANIC_MARKS}]+"
)
_TATWEEL_RE = re.compile(TATWEEL + "+")
_ALEF_RE = re.compile(f"[{ALEF_FORMS}]")
_DIGITS_RE = re.compile(f"[{ARABIC_INDIC_DIGITS}{PERSIAN_DIGITS}{''.join(NUMBER_SIGNS)}]")
_ALEF_MAKSURA_RE = re.compile(ALEF_MAKSURA)
_TEH_MARBUTA_RE = re.compile(TEH_MARBUTA)

# Fast path (short strings) for the default chain: everything it deletes, in one class. No
# "+" quantifier: on this machine sre scans a bare class about twice as fast.
_DEFAULT_DELETE_RE = re.compile(
    f"[{BIDI_CONTROLS}{ZERO_WIDTH}{HARAKAT}{COMBINING_HAMZA}{OTHER_MARKS}{DAGGER_ALEF}"
    f"{QURANIC_MARKS}{TATWEEL}]"
)
# Characters that need the step-by-step chain: presentation forms (may expand into several
# letters) and combining hamza/madda (composition depends on the previous letter).
_NEEDS_SLOW_RE = re.compile(f"[{PRESENTATION_FORMS}{COMBINING_HAMZA}]")


def _presentation_map() -> dict[str, str]:
    table = {}
    for code in range(0xFB50, 0xFEFF):
        if 0xFE00 <= code < 0xFE70:  # variation selectors, vertical forms, small forms
            continue
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        if folded != ch:
            table[ch] = folded
    # NFKC spells the rial sign with a Persian yeh (U+06CC); bismillah has no decomposition.
    table["\ufdfc"] = "ريال"
    table["\ufdfd"] = "بسم الله الرحمن الرحيم"
    return table


_PRESENTATION_MAP = _presentation_map()


# ---------------------------------------------------------------------------------------
# Steps: one pure str -> str function each. ``_RULES`` records, for each step, the regex and
# replacement it applies, so normalize_with_offsets can track where each character came from.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern
    replace: Callable[[re.Match], str]


def _delete(_m: re.Match) -> str:
    return ""


def remove_invisibles(text: str) -> str:
    """Delete bidi controls and zero-width characters (:data:`BIDI_CONTROLS`, :data:`ZERO_WIDTH`).

    They are invisible but split words for a tokenizer and defeat string matching (RLM marks
    are common in text copied from the web).

    Loses: ZWNJ (U+200C) is meaningful in Persian/Urdu spelling (it stops a letter joining),
    and a zero-width space used as the only separator between two words joins them.

    >>> remove_invisibles("قازاقستان\u200f") == "قازاقستان"
    True
    """
    return _INVISIBLES_RE.sub("", text)


def fold_presentation_forms(text: str) -> str:
    """Replace Arabic presentation forms (U+FB50-U+FDFF, U+FE70-U+FEFE) by base letters.

    Applies Unicode NFKC to those two blocks only, so other compatibility characters
    (ﬁ ligatures, full-width Latin, superscripts) stay as they are. Ligatures expand into
    several letters (ﻻ -> لا, ﷲ -> الله); isolated harakat forms (U+FE70...) become a space plus
    the mark. The rial sign ﷼ becomes ريال with an Arabic yeh (NFKC would give a Persian one)
    and ﷽ the words of the basmala.

    Loses: the glyph shape (initial/medial/final), which carries no meaning in logical text.

    >>> fold_presentation_forms("ﻗﺎﺯﺍﻗﺴﺘﺎﻥ ﻻ")
    'قازاقستان لا'
    """
    return _PRESENTATION_RE.sub(lambda m: _PRESENTATION_MAP.get(m.group(), m.group()), text)


def compose_hamza(text: str) -> str:
    """Compose a letter followed by a combining maddah/hamza (U+0653-U+0655) into one letter.

    Text typed or converted in decomposed form writes أ as ا + U+0654; this step applies
    canonical composition (NFC) to exactly those sequences, so they meet the alef fold and
    the hamza forms like the precomposed letters do. Nothing is lost (NFC is canonically
    equivalent).

    >>> compose_hamza("\u0627\u0654\u0645\u0646") == "أمن"
    True
    """
    if _COMBINING_HAMZA_RE.search(text) is None:  # the usual case; scanning is cheap
        return text
    return _COMPOSABLE_RE.sub(lambda m: unicodedata.normalize("NFC", m.group()), text)


def strip_diacritics(text: str) -> str:
    """Delete harakat, dagger alef, leftover combining hamza/madda and Quranic marks.

    Covers :data:`HARAKAT` (U+064B-U+0652), :data:`COMBINING_HAMZA` (U+0653-U+0655, run
    :func:`compose_hamza` first to keep the hamza of أ ؤ ئ written in decomposed form),
    :data:`OTHER_MARKS` (U+0656-U+065F), :data:`DAGGER_ALEF` (U+0670) and
    :data:`QURANIC_MARKS`. Tatweel is *not* removed here (see :func:`remove_tatweel`).

    Loses: vocalisation, so words that differ only in their vowels or shadda merge (عَلِمَ
    "he knew" and عَلَّمَ "he taught" both become علم); the dagger alef is a long vowel
    and disappears instead of becoming ا (هٰذا -> هذا, the usual modern spelling).

    >>> strip_diacritics("يُظهِرانِ عالٍ")
    'يظهران عال'
    """
    return _DIACRITICS_RE.sub("", text)


def remove_tatweel(text: str) -> str:
    """Delete tatweel/kashida (U+0640), the elongation stroke used for layout.

    Loses: nothing in the words; the abbreviation mark in هـ (Hijri year) becomes a bare ه.

    >>> remove_tatweel("الصيـــن 1436 هـ")
    'الصين 1436 ه'
    """
    return _TATWEEL_RE.sub("", text)


def normalize_alef(text: str) -> str:
    """Fold alef with hamza or madda and alef wasla (أ إ آ ٱ ٲ ٳ) into bare alef ا.

    News text writes the hamza on alef inconsistently (إن/ان, أعرب/اعرب), even within one
    article; folding makes them count as one word. Hamza on waw/yeh (ؤ ئ) and on the line
    (ء) is kept.

    Loses: the distinction marked only by the hamza (أن "that" vs إن "indeed/that",
    آمن "believed/safe" vs أمن "security") and the long vowel of madda.

    >>> normalize_alef("أعرب إن آسيا ٱلوسطى")
    'اعرب ان اسيا الوسطى'
    """
    return _ALEF_RE.sub(ALEF, text)


def normalize_alef_maksura(text: str) -> str:
    """Fold alef maksura ى (U+0649) into yeh ي (U+064A).

    Egyptian-style typing writes final ي as ى (فى، التى، الارهابى), so the same word gets
    two spellings across outlets.

    Loses: words that differ only in this letter merge: على "on" / علي "Ali",
    إلى "to" / إلي "to me", مصطفى / مصطفي.

    >>> normalize_alef_maksura("فى الوقت الذى")
    'في الوقت الذي'
    """
    return _ALEF_MAKSURA_RE.sub(YEH, text)


def normalize_teh_marbuta(text: str) -> str:
    """Fold teh marbuta ة (U+0629) into heh ه (U+0647).

    Final ة and ه are often confused in typing (القوة/القوه); folding joins the two.

    Loses: feminine nouns in ة merge with words ending in the pronoun suffix ه "his":
    ربة "lady" and ربه "his lord" become ربه; the ة -> ت change before suffixes is not
    modelled (قوة and قوته remain different words).

    >>> normalize_teh_marbuta("منظمة معاهدة الأمن")
    'منظمه معاهده الأمن'
    """
    return _TEH_MARBUTA_RE.sub(HEH, text)


def normalize_digits(text: str) -> str:
    """Map Arabic-Indic (٠-٩) and Persian (۰-۹) digits to ASCII 0-9.

    Also the Arabic decimal separator ٫ -> ".", thousands separator ٬ -> "," and percent
    sign ٪ -> "%", so ١٬٥٠٠ and 1,500 are one number.

    Loses: which digit script an outlet used (a house-style signal; count it on raw text).

    >>> normalize_digits("١٠ يناير ٢٠٢٢، ٣٫٥٪ و۱۴۰۰")
    '10 يناير 2022، 3.5% و1400'
    """
    return _DIGITS_RE.sub(lambda m: FOLDS[m.group()], text)


_RULES: dict[Callable[[str], str], _Rule] = {
    remove_invisibles: _Rule(_INVISIBLES_RE, _delete),
    fold_presentation_forms: _Rule(
        _PRESENTATION_RE, lambda m: _PRESENTATION_MAP.get(m.group(), m.group())
    ),
    compose_hamza: _Rule(_COMPOSABLE_RE, lambda m: unicodedata.normalize("NFC", m.group())),
    strip_diacritics: _Rule(_DIACRITICS_RE, _delete),
    remove_tatweel: _Rule(_TATWEEL_RE, _delete),
    normalize_alef: _Rule(_ALEF_RE, lambda m: ALEF),
    normalize_alef_maksura: _Rule(_ALEF_MAKSURA_RE, lambda m: YEH),
    normalize_teh_marbuta: _Rule(_TEH_MARBUTA_RE, lambda m: HEH),
    normalize_digits: _Rule(_DIGITS_RE, lambda m: FOLDS[m.group()]),
}

#: The default chain, in order. Order matters: presentation forms first (ligatures expand into
#: letters and marks), composition before diacritics are stripped, then the folds.
DEFAULT_STEPS: tuple[Callable[[str], str], ...] = (
    remove_invisibles,
    fold_presentation_forms,
    compose_hamza,
    strip_diacritics,
    remove_tatweel,
    normalize_alef,
    normalize_alef_maksura,
    normalize_teh_marbuta,
    normalize_digits,
)

#: Every step by name, so ``steps`` can be given as strings (``("strip_diacritics",)``).
STEPS: dict[str, Callable[[str], str]] = {f.__name__: f for f in DEFAULT_STEPS}

# Letter folds of the short-string fast path (digits are handled by one regex, only if present).
_FAST_REPLACEMENTS: tuple[tuple[str, str], ...] = tuple(
    (src, dst) for src, dst in FOLDS.items() if not dst.isascii()
)
# Big buffers go through a lookup table over UTF-16 code units, in chunks that stay in cache.
_TABLE_MIN_CHARS = 256
_TABLE_CHUNK = 32_768
_DELETED = 0xFFFF  # table value: delete this code unit
_SLOW = 0xFFFE  # table value: this text needs the step-by-step chain


def _expand(char_class: str) -> list[str]:
    """The characters of a regex class body such as ``"\u064b-\u0652\u0670"``."""
    chars = []
    i = 0
    while i < len(char_class):
        if i + 2 < len(char_class) and char_class[i + 1] == "-":
            chars.extend(chr(c) for c in range(ord(char_class[i]), ord(char_class[i + 2]) + 1))
            i += 3
        else:
            chars.append(char_class[i])
            i += 1
    return chars


@cache
def _default_table(prepared: bool = False) -> np.ndarray:
    """uint16 lookup table: code unit -> normalised code unit, _DELETED or _SLOW.

    Built from the steps themselves. With ``prepared=True`` the table is for text that has
    already been through the three context-dependent steps (:func:`remove_invisibles`,
    :func:`fold_presentation_forms`, :func:`compose_hamza`): leftover combining hamza marks
    are then simply deleted, as :func:`strip_diacritics` does.
    """
    table = np.arange(0x10000, dtype=np.uint32)
    deleted = (
        BIDI_CONTROLS + ZERO_WIDTH + HARAKAT + OTHER_MARKS + DAGGER_ALEF + QURANIC_MARKS + TATWEEL
    )
    for ch in _expand(deleted):
        table[ord(ch)] = _DELETED
    for src, dst in FOLDS.items():
        table[ord(src)] = ord(dst)
    for ch in _expand(PRESENTATION_FORMS):
        folded = _stepwise(ch, DEFAULT_STEPS)
        composable = any(c in _PRESENTATION_MAP.get(ch, "") for c in _expand(COMBINING_HAMZA))
        if len(folded) > 1 or composable:
            table[ord(ch)] = _SLOW
        else:
            table[ord(ch)] = ord(folded) if folded else _DELETED
    for ch in _expand(COMBINING_HAMZA):
        table[ord(ch)] = _DELETED if prepared else _SLOW
    table[0xFFFE] = table[0xFFFF] = _SLOW  # the sentinels themselves: use the steps
    return table.astype(np.uint16)


def code_unit_table() -> np.ndarray:
    """The default chain as a lookup table over UTF-16 code units (int32, length 0x10000).

    ``table[c]`` is the normalised code unit of ``c``, -1 where the chain deletes it, and -2
    where it is not one character for one (presentation forms that expand or compose,
    combining hamza, the sentinels U+FFFE/U+FFFF): text holding such a unit needs
    :func:`normalize` itself. For numpy code that must agree with :func:`normalize`.

    >>> t = code_unit_table()
    >>> chr(t[ord("أ")]), int(t[0x064E]), int(t[0x0654])
    ('ا', -1, -2)
    """
    table = _default_table().astype(np.int32)
    table[table == _DELETED] = -1
    table[table == _SLOW] = -2
    return table


def _chunks(text: str):
    """Pieces of about _TABLE_CHUNK characters, cut just before a space.

    A space is never part of a context the steps look at (a letter followed by its marks),
    so normalising the pieces one by one gives the same result as the whole text.
    """
    start = 0
    while start < len(text):
        end = text.find(" ", start + _TABLE_CHUNK)
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end


def _table_lookup(chunk: str, table: np.ndarray) -> np.ndarray:
    return table[np.frombuffer(chunk.encode("utf-16-le"), dtype=np.uint16)]


def _table_pass(text: str) -> str | None:
    pieces = []
    for chunk in _chunks(text):
        out = _table_lookup(chunk, _default_table())
        special = out >= _SLOW
        if special.any():
            if (out == _SLOW).any():  # presentation forms or combining hamza in this piece
                out = _table_lookup(_prepare(chunk), _default_table(prepared=True))
                special = out >= _SLOW
                if (out == _SLOW).any():
                    return None  # U+FFFE/U+FFFF in the text: use the steps
            out = out[~special]
        pieces.append(out.tobytes().decode("utf-16-le"))
    return "".join(pieces)


def _prepare(text: str) -> str:
    """The three context-dependent steps of the default chain (rarely have work to do)."""
    return compose_hamza(fold_presentation_forms(remove_invisibles(text)))


def _table_default(text: str) -> str | None:
    """Default chain by table lookup; None only for text holding U+FFFE/U+FFFF."""
    return _table_pass(text)


def _regex_default(text: str) -> str:
    """Default chain by one regex deletion and str.replace (short strings)."""
    if _NEEDS_SLOW_RE.search(text):
        text = _prepare(text)
    text = _DEFAULT_DELETE_RE.sub("", text)
    for src, dst in _FAST_REPLACEMENTS:
        text = text.replace(src, dst)
    if _DIGITS_RE.search(text):
        text = normalize_digits(text)
    return text


def _stepwise(text: str, steps) -> str:
    for step in steps:
        text = step(text)
    return text


def _fast_default(text: str) -> str:
    """The default chain, fast; same output as applying DEFAULT_STEPS one by one."""
    fast = _table_default(text) if len(text) >= _TABLE_MIN_CHARS else _regex_default(text)
    return _stepwise(text, DEFAULT_STEPS) if fast is None else fast


def _resolve_steps(steps) -> tuple[Callable[[str], str], ...]:
    if isinstance(steps, str) or callable(steps):
        steps = (steps,)
    resolved = []
    for step in steps:
        if isinstance(step, str):
            if step not in STEPS:
                raise ValueError(
                    f"unknown normalisation step {step!r}; choose from {', '.join(STEPS)}"
                )
            step = STEPS[step]
        if not callable(step):
            raise TypeError(f"a step must be a function str -> str or a step name, got {step!r}")
        resolved.append(step)
    return tuple(resolved)


def _check_text(text, where: str) -> None:
    if not isinstance(text, str):
        raise TypeError(
            f"{where}() expects a str, got {type(text).__name__}; "
            "for a pandas column with missing values use normalize_series()"
        )


def normalize(text: str, steps=DEFAULT_STEPS) -> str:
    """Apply normalisation ``steps`` in order (default: :data:`DEFAULT_STEPS`).

    Parameters
    ----------
    text : str
        Arabic text, raw or already normalised (the default chain is idempotent).
    steps : sequence of callables or step names
        Functions ``str -> str`` (e.g. :func:`strip_diacritics`) or their names from
        :data:`STEPS`, applied left to right.

    Returns
    -------
    str
        The normalised text. Loses whatever each step loses (see the step docstrings): by
        default vowels, hamza on alef, ى/ي and ة/ه distinctions and the digit script.

    >>> normalize("أعربَ الرئيسُ القازاقى عن دعمِهِ لمُنظّمة")
    'اعرب الرئيس القازاقي عن دعمه لمنظمه'
    >>> normalize("إنَّ", steps=["strip_diacritics"])
    'إن'
    """
    _check_text(text, "normalize")
    resolved = steps if steps is DEFAULT_STEPS else _resolve_steps(steps)
    if resolved == DEFAULT_STEPS:
        return _fast_default(text)
    return _stepwise(text, resolved)


_BATCH_SEP = "\x00"  # joins a column's texts for one fast-path call; untouched by every step


def normalize_series(series: pd.Series, steps=DEFAULT_STEPS) -> pd.Series:
    """:func:`normalize` every string of a pandas Series; missing values stay missing.

    >>> out = normalize_series(pd.Series(["قازاقستانُ", None]))
    >>> out[0], out.isna().tolist()
    ('قازاقستان', [False, True])
    """
    resolved = steps if steps is DEFAULT_STEPS else _resolve_steps(steps)
    bad = series.map(lambda v: not (isinstance(v, str) or v is None or v != v))
    if bad.any():
        first = series[bad].index[0]
        raise TypeError(
            f"normalize_series(): value at index {first!r} is "
            f"{type(series[first]).__name__}, not text; convert the column with .astype(str)"
        )
    is_text = [isinstance(v, str) for v in series]
    texts = [v for v, ok in zip(series, is_text, strict=True) if ok]
    if resolved is DEFAULT_STEPS and texts and not any(_BATCH_SEP in t for t in texts):
        # One call on the joined column: the default chain never touches or joins across the
        # separator, so splitting the result gives each text's normalisation (a test checks).
        done = iter(_fast_default(_BATCH_SEP.join(texts)).split(_BATCH_SEP))
    else:
        done = iter(normalize(t, resolved) for t in texts)
    values = [next(done) if ok else v for v, ok in zip(series, is_text, strict=True)]
    return pd.Series(values, index=series.index, name=series.name, dtype=series.dtype)


def _apply_rule_with_map(text: str, rule: _Rule) -> tuple[str, list[int]]:
    """Apply one rule and return the new text and, per new character, its index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for m in rule.pattern.finditer(text):
        start, end = m.span()
        out.append(text[pos:start])
        index.extend(range(pos, start))
        repl = rule.replace(m)
        out.append(repl)
        if len(repl) == end - start:
            index.extend(range(start, end))
        else:
            index.extend([start] * len(repl))
        pos = end
    out.append(text[pos:])
    index.extend(range(pos, len(text)))
    return "".join(out), index


def normalize_with_offsets(text: str, steps=DEFAULT_STEPS) -> tuple[str, list[int]]:
    """Normalise ``text`` and map every normalised character back to the original.

    Returns ``(normalised, offsets)`` with ``len(offsets) == len(normalised)`` and
    ``offsets[i]`` the index in ``text`` of the character that produced ``normalised[i]``.
    A ligature that expands into several letters maps each of them to the ligature; a
    composed letter maps to its base letter. To quote a match ``normalised[a:b]`` from
    the original, use ``text[offsets[a]:offsets[b - 1] + 1]`` (which keeps the
    diacritics and tatweel inside the span, but not those after its last letter).

    Only the built-in steps (:data:`STEPS`) can be tracked; a custom step raises
    ``ValueError``.

    >>> norm, offsets = normalize_with_offsets("وَأعربَ ﻻ")
    >>> norm, offsets
    ('واعرب لا', [0, 2, 3, 4, 5, 7, 8, 8])
    """
    _check_text(text, "normalize_with_offsets")
    offsets = list(range(len(text)))
    for step in _resolve_steps(steps):
        rule = _RULES.get(step)
        if rule is None:
            raise ValueError(
                f"normalize_with_offsets() cannot track custom step {step!r}; "
                f"use steps from helpers.arabic.STEPS ({', '.join(STEPS)})"
            )
        if rule.pattern.search(text) is None:
            continue  # nothing to do: the map is unchanged
        text, local = _apply_rule_with_map(text, rule)
        offsets = [offsets[i] for i in local]
    return text, offsets


def step_changes(text: str, steps=DEFAULT_STEPS) -> pd.DataFrame:
    """Count what each step changes when the steps are applied in turn to ``text``.

    One row per step: ``step``, ``chars_changed`` (characters of the step's input that it
    deleted or replaced), ``tokens_changed`` (tokens of its input, by :func:`tokenize`,
    that the step alters) and ``tokens`` (number of tokens in its input).

    >>> step_changes("أعربَ فى", steps=["strip_diacritics", "normalize_alef"]).to_dict("list")
    {'step': ['strip_diacritics', 'normalize_alef'], 'chars_changed': [1, 1], \
'tokens_changed': [1, 1], 'tokens': [2, 2]}
    """
    _check_text(text, "step_changes")
    return pd.DataFrame(_step_change_rows(text, _resolve_steps(steps)))


def _step_change_rows(text: str, steps) -> list[dict]:
    rows = []
    tokens = None
    for step in steps:
        rule = _RULES.get(step)
        if rule is None:
            raise ValueError(f"step_changes() cannot count custom step {step!r}")
        n_chars = sum(m.end() - m.start() for m in rule.pattern.finditer(text))
        if tokens is None:
            tokens = Counter(_TOKEN_RE.findall(text))
        n_tokens = 0
        if n_chars:
            n_tokens = sum(tokens[t] for t, after in _map_tokens(step, tokens) if after != t)
            text = step(text)
        rows.append(
            {
                "step": step.__name__,
                "chars_changed": n_chars,
                "tokens_changed": n_tokens,
                "tokens": tokens.total(),
            }
        )
        if n_chars:
            tokens = None  # the text changed: tokenise again for the next step
    return rows


def _map_tokens(step, tokens) -> list[tuple[str, str]]:
    """``(token, step(token))`` for distinct tokens, with one call of the step.

    Tokens never contain a newline and no step touches one, so joining on newlines and
    splitting the result gives each token's own output.
    """
    distinct = list(tokens)
    return list(zip(distinct, step("\n".join(distinct)).split("\n"), strict=True))


# ---------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------

# Marks and joiners that may sit inside a raw word without splitting it.
_IN_WORD = (
    f"{HARAKAT}{COMBINING_HAMZA}{OTHER_MARKS}{DAGGER_ALEF}{QURANIC_MARKS}{TATWEEL}\u200c\u200d"
)
_WORD_CHAR = f"(?:[^\\W_]|[{_IN_WORD}])"
# A run of word characters; after a digit, separators followed by digits continue it
# (3.5, ١٬٥٠٠, و2,000), elsewhere "." and "," end the token.
_TOKEN_RE = re.compile(f"{_WORD_CHAR}+(?:(?<=\\d)[.,\u066b\u066c]\\d+)*")

#: ``token_pattern`` for scikit-learn vectorizers on text normalised with the default steps:
#: runs of letters and digits (one letter is enough; Arabic has one-letter words and the
#: stop list handles them), and decimal numbers kept whole (3.5, 1,500).
TOKEN_PATTERN = r"(?u)[^\W_]+(?:(?<=\d)[.,]\d+)*"


@cache
def _every_bmp_char() -> str:
    """U+0000 to U+FFFF in order, lone surrogates included (decoded from their code points:
    about 6x faster than joining 65,536 ``chr`` calls)."""
    return np.arange(0x10000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")


@cache
def _bmp_alnum() -> np.ndarray:
    every = _every_bmp_char()
    return np.fromiter(map(str.isalnum, every), dtype=bool, count=len(every))


@cache
def bmp_class(regex: str) -> np.ndarray:
    """Which code points of the Basic Multilingual Plane a one-character ``regex`` matches.

    A lookup table (bool, length 0x10000) for numpy code that must agree with ``re`` on
    classes such as ``\\w`` or ``[^\\W_]``, built by one ``re.sub`` over every BMP character
    (a few milliseconds, then cached). ``regex`` must match exactly one character.
    ``[^\\W_]`` and ``\\w``, which match most characters, come from ``str.isalnum``, which is
    how ``re`` defines them for ``str`` patterns (a test compares every character).

    >>> table = bmp_class(r"[^\\W_]")
    >>> bool(table[ord("ق")]), bool(table[ord("٣")]), bool(table[ord("_")]), bool(table[0x064E])
    (True, True, False, False)
    """
    every = _every_bmp_char()
    if regex in (r"[^\W_]", r"\w"):
        table = _bmp_alnum().copy()
        table[ord("_")] = regex == r"\w"
        return table
    # each match is one character, so replacing it with U+0000 keeps every position
    marked = re.sub(regex, "\0", every).encode("utf-32-le", "surrogatepass")
    table = np.frombuffer(marked, dtype=np.uint32) == 0
    table[0] = re.match(regex, "\0") is not None  # U+0000 itself
    return table


def tokenize(text: str) -> list[str]:
    """Split text into word and number tokens, as written (no normalisation).

    A token is a run of letters and digits in any script; diacritics, tatweel, Quranic marks
    and ZWNJ/ZWJ inside a word do not split it (unlike ``\\w+`` and scikit-learn's default).
    Decimal and grouped numbers stay whole. Punctuation and Latin hyphens separate tokens.
    Clitics stay attached (وقازاقستان is one token; see :func:`split_clitics`).

    On normalised text this gives the same tokens as :data:`TOKEN_PATTERN`.

    Loses: hyphenated compounds split (الصينية-القازاقية -> two tokens), and so do
    abbreviations written with dots (أ.ف.ب -> three one-letter tokens).

    >>> tokenize("قالَ وانغ يي: إنّ الصيـــن 3.5٪")
    ['قالَ', 'وانغ', 'يي', 'إنّ', 'الصيـــن', '3.5']
    """
    _check_text(text, "tokenize")
    return _TOKEN_RE.findall(text)


# ---------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------

_AR_LETTER = "\u0621-\u063a\u0641-\u064a"
_CLOSERS = "\"'»”’)\\]"
_END_CHAR = "[.!?\u061f\u061b\u2026\u06d4]"
# Candidate ends: newlines, or runs of . ! ? ؟ ؛ … ۔ with trailing closing quotes/brackets.
# That is "\n+|END+[CLOSERS]*", written to open with one character class so that the regex
# engine skips ahead to the next candidate character in C (about 3x faster on news text).
_SENT_END_RE = re.compile(
    f"[\\n{_END_CHAR[1:-1]}](?:(?<=\\n)\\n*|(?<={_END_CHAR}){_END_CHAR}*[{_CLOSERS}]*)"
)
# Abbreviation chains of single letters with dots: أ.ف.ب  د.ب.أ  و.م.ع  (spaces allowed).
_ABBREV_RE = re.compile(f"(?<![{_AR_LETTER}\\w])(?:[{_AR_LETTER}]\\.\\s?)+[{_AR_LETTER}]\\.?")
# Titles written as one letter and a dot before a name: د. (doctor), م. (engineer), أ. (prof).
# (\Z, not $: "$" also matches before a final newline, so "د\n." would count as a title.)
_TITLE_RE = re.compile('(?:^|[\\s(«"])[دمأ]\\Z')
# Full stops that _is_boundary may reject (a necessary condition, found in one pass so that
# the common full stop needs no Python test): after a single Arabic letter, i.e. one with no
# letter or digit before it (a title such as د., or inside أ.ف.ب), or before a letter or
# digit, closing marks aside (3.5, xinhua.net). Every other full stop ends its sentence.
# That is "(?<!\w)LETTER\.|\.(?=[CLOSERS]*[^\W_])", written to open with the full stop
# so that the regex engine skips ahead to the next one in C; each match is one full stop.
_MAYBE_NOT_END = re.compile(f"\\.(?:(?<=[{_AR_LETTER}]\\.)(?<!\\w..)|(?=[{_CLOSERS}]*[^\\W_]))")


def _is_boundary(text: str, m: re.Match, protected: list[tuple[int, int]]) -> bool:
    punct = m.group()
    if punct.startswith("\n"):
        return True
    start, end = m.span()
    if punct.rstrip(_CLOSERS) != ".":
        return True  # ! ? ؟ ؛ … or "..." always end a sentence
    if any(a <= start < b for a, b in protected):
        return False  # inside أ.ف.ب
    before = text[max(0, start - 3) : start]
    after = text[end : end + 1]
    if before[-1:].isdigit() and after.isdigit():
        return False  # decimal point 3.5
    if after and not after.isspace() and after.isascii() and after.isalnum():
        return False  # xinhua.net, U.S
    return not _TITLE_RE.search(text[max(0, start - 2) : start])


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence boundaries as ``(start, end)`` offsets into ``text`` (end exclusive).

    A sentence ends at a newline or at . ! ? ؟ ؛ … ۔ (with any closing quote or bracket
    that follows). The Arabic comma ، never ends a sentence. A full stop does not end a
    sentence inside a decimal number (3.5), in dotted abbreviations of single letters
    (أ.ف.ب، د.ب.أ), before a Latin letter or digit without a space (xinhua.net), or after
    the one-letter titles د. م. أ. Leading and trailing whitespace is trimmed from each
    span; empty sentences are dropped.

    Known failures: a sentence that really ends with a dotted abbreviation or a one-letter
    title merges with the next (…نقلته أ.ف.ب. وقال); the Hijri marker "1436 هـ." does
    end a sentence; a sentence-final "." glued to a following Latin word is missed; "…"
    used mid-sentence splits it; quotations with their own full stop split the quote.

    >>> text = "قال وانغ: نعم. وكالة أ.ف.ب نقلت 3.5 مليون، هل هذا صحيح؟"
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['قال وانغ: نعم.', 'وكالة أ.ف.ب نقلت 3.5 مليون، هل هذا صحيح؟']
    """
    _check_text(text, "sentence_spans")
    suspects = {m.end() - 1 for m in _MAYBE_NOT_END.finditer(text)}
    if not suspects:
        cuts = [m.end() for m in _SENT_END_RE.finditer(text)]
    else:
        protected = [m.span() for m in _ABBREV_RE.finditer(text)]
        cuts = [
            m.end()
            for m in _SENT_END_RE.finditer(text)
            if m.start() not in suspects or _is_boundary(text, m, protected)
        ]
    cuts.append(len(text))
    spans = []
    start = 0
    for cut in cuts:
        piece = text[start:cut]
        core = piece.strip()
        if core:
            a = start + len(piece) - len(piece.lstrip())
            spans.append((a, a + len(core)))
        start = cut
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, as written (see :func:`sentence_spans` for the rules).

    >>> split_sentences("بكين ١٠ يناير (شينخوا) قال وانغ يي، إن الصين مستعدة.\\nوأضاف أن…")
    ['بكين ١٠ يناير (شينخوا) قال وانغ يي، إن الصين مستعدة.', 'وأضاف أن…']
    """
    return [text[a:b] for a, b in sentence_spans(text)]


# ---------------------------------------------------------------------------------------
# Stop words and clitics
# ---------------------------------------------------------------------------------------

STOPWORDS_FILE = LEXICON_DIR / "stopwords-ar.txt"
CLITIC_PROTECTED_FILE = LEXICON_DIR / "clitic-protected-ar.txt"
ENTITIES_FILE = LEXICON_DIR / "entities.csv"


def _read_word_list(path: Path) -> list[str]:
    if not path.exists():
        raise FileNotFoundError(f"{path}: word list missing; restore it from git")
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line)
    return words


@cache
def stopwords() -> frozenset[str]:
    """The Arabic stop list from ``data/lexicons/stopwords-ar.txt``, normalised by default.

    Function words (prepositions, conjunctions, pronouns, demonstratives, relatives,
    particles, auxiliaries) curated for this project; the file header says where they
    come from. Because the words pass through :func:`normalize` at load time, the list
    matches normalised tokens (أن and إن both appear as ان).

    Loses: after the alef fold, ان "that" also removes the rare noun آن "time".

    >>> sorted(w for w in stopwords() if w in {"في", "فى", "الي", "إلى", "قازاقستان"})
    ['الي', 'في']
    """
    return frozenset(normalize(w) for w in _read_word_list(STOPWORDS_FILE))


# Entity types whose words are names (organisations' words are ordinary words: للتعاون).
_NAME_TYPES = ("person", "country", "city", "region", "adjective", "people")


@cache
def _protected_words() -> frozenset[str]:
    words = {normalize(w) for w in _read_word_list(CLITIC_PROTECTED_FILE)}
    table = entity_table()
    names = table[table["type"].isin(_NAME_TYPES)]
    for variant in names["variant_norm"]:
        words.update(variant.split())
    return frozenset(words)


def split_clitics(token: str, min_stem: int = 3) -> list[str]:
    """Split the proclitics و ف ب ل ك ال لل off the front of one normalised token.

    A light, rule-based splitter (no dictionary): an optional conjunction و/ف, then an
    optional preposition ب/ل/ك, then an optional article ال (after ل written لل). A prefix
    is only split when the remaining stem keeps at least ``min_stem`` letters, and never
    from words in ``data/lexicons/clitic-protected-ar.txt`` or in the entity lexicon, whose
    first letters belong to the word (وزير، بكين، لافروف، كازاخستان). Returns the clitics
    and then the stem; a token that is not split comes back as a one-item list.

    Known failures (the protected list only covers common news words): any unlisted word
    starting with one of these letters loses it when the rest is long enough (وصول
    "arrival" -> و + صول, فريق "team" -> ف + ريق, بلدان -> ب + لدان); and a word that
    starts with ال as root letters (الم "pain", الماتي) loses ال. Use it for counting,
    never to rewrite text.

    >>> split_clitics("وبالصين"), split_clitics("للتعاون"), split_clitics("وزير")
    (['و', 'ب', 'ال', 'صين'], ['ل', 'ال', 'تعاون'], ['وزير'])
    """
    _check_text(token, "split_clitics")
    protected = _protected_words()
    clitics: list[str] = []
    rest = token
    for prefixes, length in (("وف", 1), ("لل", 2), ("بلك", 1), ("ال", 2)):
        if rest in protected:
            break
        if length == 2 and not rest.startswith(prefixes):
            continue
        if length == 1 and rest[:1] not in prefixes:
            continue
        if len(rest) - length < min_stem:
            continue
        if prefixes == "لل":
            clitics += ["ل", "ال"]
            rest = rest[2:]
            break
        clitics.append(rest[:length])
        rest = rest[length:]
    return [*clitics, rest]


# ---------------------------------------------------------------------------------------
# Entities: spelling variants of names
# ---------------------------------------------------------------------------------------

ENTITY_COLUMNS = ("variant", "canonical", "entity_id", "english", "type", "note")
# Attached prefixes allowed before a variant: conjunction, preposition, article (لل = ل + ال).
_ENTITY_PREFIX = "(?:[وف]?(?:[بك]?ال|لل|[بلك]))?|[وف]"
# Endings allowed after adjective variants (normalised): fem. ه, plurals/duals ين ون ان تان تين.
_ADJ_SUFFIX = "(?:ه|ين|ون|ان|تان|تين)?"


def _strip_article(raw: str, normalised: str) -> str:
    """Drop a leading article from a normalised variant, if the raw spelling has one.

    Only a bare ال (alef + lam) is an article: ألماتي (alef with hamza) is not, although both
    normalise to ال... .
    """
    if raw.strip().startswith("ال") and len(normalised) > 4:
        return normalised[2:]
    return normalised


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
    df["variant_norm"] = [_strip_article(v, normalize(v.strip())) for v in df["variant"]]
    df["canonical_norm"] = [_strip_article(v, normalize(v.strip())) for v in df["canonical"]]
    clash = df.groupby("variant_norm")["entity_id"].nunique()
    clash = clash[clash > 1]
    if len(clash):
        raise ValueError(
            f"{path}: variants {list(clash.index)} normalise to the same string for different "
            "entities; make them distinct or drop one"
        )
    return df[[*ENTITY_COLUMNS, "variant_norm", "canonical_norm"]].reset_index(drop=True)


@cache
def _entity_regex() -> tuple[re.Pattern, dict[str, pd.Series]]:
    table = entity_table()
    by_variant = {}
    for _, row in table.iterrows():
        by_variant.setdefault(row["variant_norm"], row)
    plain = sorted(
        {v for v, r in by_variant.items() if r["type"] != "adjective"}, key=len, reverse=True
    )
    adjectives = sorted(
        {v for v, r in by_variant.items() if r["type"] == "adjective"}, key=len, reverse=True
    )
    alts = []
    if plain:
        alts.append(f"(?P<core>{'|'.join(map(re.escape, plain))})")
    if adjectives:
        alts.append(f"(?P<adj>{'|'.join(map(re.escape, adjectives))})(?P<suffix>{_ADJ_SUFFIX})")
    pattern = re.compile(f"(?<!\\w)(?P<prefix>{_ENTITY_PREFIX})(?:{'|'.join(alts)})(?!\\w)")
    return pattern, by_variant


def find_entities(text: str) -> pd.DataFrame:
    """Find lexicon names in ``text`` (raw or normalised), with offsets into ``text``.

    Matching runs on the default normalisation, so one row of the lexicon covers spellings
    that differ only in diacritics, hamza, ى/ي or ة/ه; attached prefixes (و ف ب ل ك ال لل)
    are allowed, and adjectives may take the endings ة ين ون ان. Returns columns ``start,
    end, surface`` (the original spelling, prefix included), ``prefix``, ``variant``
    (lexicon row's spelling), ``entity_id``, ``english``.

    >>> hits = find_entities("وزير الخارجية القازاقى مختار تليوبردى")
    >>> hits[["surface", "entity_id"]].values.tolist()
    [['القازاقى', 'kazakh'], ['مختار تليوبردى', 'tileuberdi']]
    """
    pattern, by_variant = _entity_regex()
    rows = []
    columns = ["start", "end", "surface", "prefix", "variant", "entity_id", "english"]
    if pattern.search(normalize(text)) is None:  # cheap test before tracking offsets
        return pd.DataFrame(rows, columns=columns)
    norm, offsets = normalize_with_offsets(text)
    for m in pattern.finditer(norm):
        key = m.group("core") or m.group("adj")
        row = by_variant[key]
        start, end = offsets[m.start()], offsets[m.end() - 1] + 1
        rows.append(
            {
                "start": start,
                "end": end,
                "surface": text[start:end],
                "prefix": m.group("prefix"),
                "variant": row["variant"],
                "entity_id": row["entity_id"],
                "english": row["english"],
            }
        )
    return pd.DataFrame(rows, columns=columns)


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
    _check_text(text, "unify_entities")
    norm = normalize(text)
    pattern, by_variant = _entity_regex()

    def repl(m: re.Match) -> str:
        key = m.group("core") or m.group("adj")
        suffix = m.group("suffix") or "" if m.group("adj") else ""
        return m.group("prefix") + by_variant[key]["canonical_norm"] + suffix

    return pattern.sub(repl, norm)


def spelling_report(articles: pd.DataFrame, text_column: str = "text") -> pd.DataFrame:
    """Which article (outlet, date) spelled which lexicon name how, with counts.

    One row per article × entity × original spelling: ``id, outlet, date, entity_id,
    english, variant, surface, count``; ``surface`` is the spelling as written (prefix
    removed), ``variant`` the lexicon row it matched. Columns ``id``, ``outlet``, ``date``
    are taken from ``articles`` when present.

    >>> df = pd.DataFrame({"id": ["a"], "text": ["كازاخستان وقازاقستان"]})
    >>> spelling_report(df)[["surface", "count"]].values.tolist()
    [['كازاخستان', 1], ['قازاقستان', 1]]
    """
    if text_column not in articles.columns:
        raise KeyError(f"spelling_report(): articles have no {text_column!r} column")
    counts: Counter = Counter()
    meta = {}
    for pos, (_, art) in enumerate(articles.iterrows()):
        text = art[text_column]
        if not isinstance(text, str):
            continue
        key_id = art["id"] if "id" in articles.columns else pos
        meta[key_id] = (art.get("outlet"), art.get("date"))
        for _, hit in find_entities(text).iterrows():
            surface = hit["surface"]
            prefix_len = _surface_prefix_len(surface, hit["prefix"])
            counts[
                (key_id, hit["entity_id"], hit["english"], hit["variant"], surface[prefix_len:])
            ] += 1
    rows = [
        {
            "id": k[0],
            "outlet": meta[k[0]][0],
            "date": meta[k[0]][1],
            "entity_id": k[1],
            "english": k[2],
            "variant": k[3],
            "surface": k[4],
            "count": n,
        }
        for k, n in counts.items()
    ]
    columns = ["id", "outlet", "date", "entity_id", "english", "variant", "surface", "count"]
    return pd.DataFrame(rows, columns=columns)


def _surface_prefix_len(surface: str, prefix: str) -> int:
    """Length in ``surface`` (raw) of a normalised ``prefix``: skip marks and tatweel."""
    if not prefix:
        return 0
    seen = 0
    for i, ch in enumerate(surface):
        if normalize(ch):
            seen += 1
        if seen == len(prefix):
            j = i + 1
            while j < len(surface) and not normalize(surface[j]):
                j += 1
            return j
    return 0


def vocabulary(
    texts: Iterable[str], steps: Sequence | None = None, drop_stopwords=False
) -> Counter:
    """Token counts over ``texts`` after ``steps`` (None = raw tokens, as written).

    >>> vocabulary(["إنّ الصين", "ان الصين"], steps=DEFAULT_STEPS)
    Counter({'ان': 2, 'الصين': 2})
    """
    counts: Counter = Counter()
    stop = stopwords() if drop_stopwords else frozenset()
    for text in texts:
        if steps is not None:
            text = normalize(text, steps)
        counts.update(t for t in tokenize(text) if t not in stop)
    return counts


# ---------------------------------------------------------------------------------------
# Corpus-level views used by notebook 02 (each a plain table; the notebook only shows them)
# ---------------------------------------------------------------------------------------

#: Character classes counted by :func:`character_classes`, in the order of the chain.
CHARACTER_CLASSES: dict[str, str] = {
    "bidi/zero-width": BIDI_CONTROLS + ZERO_WIDTH,
    "presentation forms": PRESENTATION_FORMS,
    "combining hamza/madda": COMBINING_HAMZA,
    "harakat": HARAKAT,
    "dagger alef": DAGGER_ALEF,
    "Quranic/other marks": QURANIC_MARKS + OTHER_MARKS,
    "tatweel": TATWEEL,
    "alef with hamza/madda/wasla": ALEF_FORMS,
    "alef maksura": ALEF_MAKSURA,
    "teh marbuta": TEH_MARBUTA,
    "hamza on waw/yeh/line (kept)": HAMZA_FORMS,
    "Arabic-Indic/Persian digits": ARABIC_INDIC_DIGITS + PERSIAN_DIGITS + "".join(NUMBER_SIGNS),
}
_CLASS_RES = {name: re.compile(f"[{body}]") for name, body in CHARACTER_CLASSES.items()}


def character_classes(text: str) -> dict[str, int]:
    """How many characters of each :data:`CHARACTER_CLASSES` class ``text`` contains.

    >>> counts = character_classes("أعربَ فى الصيــن")
    >>> counts["harakat"], counts["tatweel"], counts["alef maksura"]
    (1, 2, 1)
    """
    _check_text(text, "character_classes")
    return {name: len(rx.findall(text)) for name, rx in _CLASS_RES.items()}


def step_change_table(articles: pd.DataFrame, steps=DEFAULT_STEPS) -> pd.DataFrame:
    """:func:`step_changes` for every article: one row per article × step.

    Columns ``id, step, chars_changed, tokens_changed, tokens, share_tokens_changed``
    (tokens changed over tokens in the step's input). Steps run in turn, so a step's
    counts are what is left for it after the earlier steps.

    >>> df = pd.DataFrame({"id": ["a"], "text": ["أعربَ فى"]})
    >>> step_change_table(df, ["strip_diacritics", "normalize_alef"])["chars_changed"].tolist()
    [1, 1]
    """
    resolved = _resolve_steps(steps)
    rows = []
    for art_id, text in zip(articles["id"], articles["text"], strict=True):
        if isinstance(text, str):
            rows += [{"id": art_id, **row} for row in _step_change_rows(text, resolved)]
    columns = ["id", "step", "chars_changed", "tokens_changed", "tokens"]
    out = pd.DataFrame(rows, columns=columns)
    out["share_tokens_changed"] = out["tokens_changed"] / out["tokens"].where(out["tokens"] > 0)
    return out


def step_examples(texts: Iterable[str], step, steps=DEFAULT_STEPS, top: int = 5) -> pd.DataFrame:
    """The tokens ``step`` changes most often, as ``before -> after`` pairs with counts.

    ``step`` is a step function or name from ``steps``; the text first goes through the
    steps before it, so the examples show what this step itself does in the chain.

    >>> step_examples(["فى الذى فى"], "normalize_alef_maksura").values.tolist()
    [['فى', 'في', 2], ['الذى', 'الذي', 1]]
    """
    chain = _resolve_steps(steps)
    (target,) = _resolve_steps([step])
    if target not in chain:
        raise ValueError(f"step_examples(): {target.__name__} is not one of the chosen steps")
    before = chain[: chain.index(target)]
    pairs: Counter = Counter()
    for text in texts:
        if not isinstance(text, str):
            continue
        if before:
            text = _stepwise(text, before)
        rule = _RULES.get(target)
        if rule is not None and rule.pattern.search(text) is None:
            continue  # the step has nothing to do in this text
        counts = Counter(_TOKEN_RE.findall(text))
        for token, changed in _map_tokens(target, counts):
            if changed != token:
                pairs[(token, changed)] += counts[token]
    rows = [(b, a, n) for (b, a), n in pairs.most_common(top)]
    return pd.DataFrame(rows, columns=["before", "after", "count"])


def vocabulary_by_step(texts: Sequence[str], steps=DEFAULT_STEPS) -> pd.DataFrame:
    """Vocabulary size (distinct tokens) and token count as the steps are added one by one.

    Rows: ``raw`` (tokens as written), one row per step (cumulative), then ``- stop words``
    (normalised tokens not in :func:`stopwords`) and ``+ names unified``
    (:func:`unify_entities`, stop words removed). Columns ``stage, vocabulary, tokens``.

    >>> vocabulary_by_step(["إنّ الصين", "ان الصين"], ["strip_diacritics", "normalize_alef"])
    ... # doctest: +NORMALIZE_WHITESPACE
                  stage  vocabulary  tokens
    0               raw           3       4
    1  strip_diacritics           3       4
    2    normalize_alef           2       4
    3      - stop words           1       2
    4   + names unified           1       2
    """
    texts = [t for t in texts if isinstance(t, str)]
    rows = []

    def add(stage: str, counts: Counter) -> None:
        rows.append({"stage": stage, "vocabulary": len(counts), "tokens": sum(counts.values())})

    # One joined text: every step and the tokenizer leave newlines alone and never look
    # across them, so this counts the same tokens as going text by text, much faster.
    joined = "\n".join(texts)
    add("raw", Counter(_TOKEN_RE.findall(joined)))
    for step in _resolve_steps(steps):
        joined = step(joined)
        add(step.__name__, Counter(_TOKEN_RE.findall(joined)))
    stop = stopwords()
    tokens = _TOKEN_RE.findall(joined)
    add("- stop words", Counter(t for t in tokens if t not in stop))
    unified = _TOKEN_RE.findall(unify_entities(joined))
    add("+ names unified", Counter(t for t in unified if t not in stop))
    return pd.DataFrame(rows)


def compare_tokenizers(texts: Iterable[str]) -> pd.DataFrame:
    """scikit-learn's default tokens next to this module's, for a few short texts.

    Columns: ``text``; ``sklearn_default`` (``CountVectorizer()``'s analyzer: lowercase,
    ``token_pattern=r"(?u)\\b\\w\\w+\\b"``); ``sklearn_strip_accents`` (the same with
    ``strip_accents="unicode"``); ``ours`` (:func:`normalize` then :data:`TOKEN_PATTERN`).

    >>> compare_tokenizers(["مُنظّمة"]).iloc[0, 1:].tolist()
    ['نظ | مة', 'منظمة', 'منظمه']
    """
    from sklearn.feature_extraction.text import CountVectorizer

    default = CountVectorizer().build_analyzer()
    accents = CountVectorizer(strip_accents="unicode").build_analyzer()
    ours = CountVectorizer(token_pattern=TOKEN_PATTERN, lowercase=False).build_analyzer()
    rows = [
        {
            "text": text,
            "sklearn_default": " | ".join(default(text)),
            "sklearn_strip_accents": " | ".join(accents(text)),
            "ours": " | ".join(ours(normalize(text))),
        }
        for text in texts
    ]
    return pd.DataFrame(rows, columns=["text", "sklearn_default", "sklearn_strip_accents", "ours"])


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
    column = outlet + " · " + year
    table = report.assign(column=column).pivot_table(
        index=["entity_id", "surface"], columns="column", values="count", aggfunc="sum"
    )
    table.columns.name = None
    return table.fillna(0).astype(int)


def plot_step_changes(table: pd.DataFrame, ax=None):
    """Bar chart: share of all tokens each step changed, from :func:`step_change_table`.

    One bar per step (pooled over articles: tokens changed / tokens), labelled with the
    number of articles the step touched. Returns the matplotlib Axes.
    """
    from helpers.plotting import plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6))
    if table.empty:
        ax.set_title("No articles to count")
        return ax
    order = list(dict.fromkeys(table["step"]))
    grouped = table.groupby("step", sort=False)
    share = (grouped["tokens_changed"].sum() / grouped["tokens"].sum().clip(lower=1)).reindex(order)
    touched = grouped["chars_changed"].apply(lambda s: int((s > 0).sum())).reindex(order)
    n_articles = table["id"].nunique()
    ax.barh(order[::-1], (share * 100)[::-1], color="#4C72B0")
    for y, step in enumerate(order[::-1]):
        ax.text(
            share[step] * 100,
            y,
            f"  {touched[step]}/{n_articles} articles",
            va="center",
            fontsize=8,
        )
    ax.set_xlabel("tokens changed by the step (% of all tokens, steps applied in turn)")
    ax.set_xlim(0, max(5.0, float(share.max() * 100) * 1.35))
    return ax
