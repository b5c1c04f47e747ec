"""Arabic text cleaning: normalisation steps, tokens, sentences, stop words, clitics.

Every later count in the project (TF-IDF terms, frame matches, timelines) runs on text that
went through :func:`normalize` with :data:`DEFAULT_STEPS`, so this module decides what
counts as "the same word". Spellings of names are :mod:`helpers.entities`.

Each normalisation step is a pure ``str -> str`` function that does one thing and says
what it loses. :func:`normalize` composes a chosen list of steps. The default chain runs as
one lookup in a table over the text's UTF-16 code units, built from the steps themselves
(:func:`code_unit_table`); the tests check that it gives exactly what applying the steps
one by one gives, for every BMP character and on random text. ``benchmarks/README.md``
gives its throughput against CAMeL Tools' chain.

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
:data:`ZERO_WIDTH`        U+200B-U+200D, U+2060, U+FEFF          deleted
========================  ====================================  ==========================

Everything else (other scripts, Latin letters and their case, punctuation, whitespace,
Persian letters such as گ پ چ ک ی) is left untouched.

Why the default folds alef, alef maksura and teh marbuta: colleagues use the default for
TF-IDF and for frame/name matching, where إن/ان, في/فى and قوة/قوه written by different
outlets (or by the same wire service in different years) must count as one word. The cost
is stated per step (e.g. على "on" and علي "Ali" become one string).
"""

from __future__ import annotations

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
    "character_class_table",
    "code_unit_table",
    "compare_tokenizers",
    "compose_hamza",
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
    "split_clitics",
    "split_sentences",
    "step_change_summary",
    "step_change_table",
    "step_changes",
    "step_examples",
    "stopwords",
    "strip_diacritics",
    "tokenize",
    "vocabulary",
    "vocabulary_by_step",
]

# ---------------------------------------------------------------------------------------
# Character classes, written as regex character-class bodies ("\u064b-\u0652"); the
# invisible ones list each character, so that they are also plain strings of characters.
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
#: Bidi controls, written out one by one (no ranges) so that the string is both a regex
#: class body and the set of characters itself. They steer layout and carry no meaning.
BIDI_CONTROLS = (
    "\u061c"  # ARABIC LETTER MARK
    "\u200e\u200f"  # LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK
    "\u202a\u202b\u202c\u202d\u202e"  # LRE, RLE, PDF, LRO, RLO (embeddings and overrides)
    "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI (isolates)
)
#: Zero-width characters, one by one as above; the project's one definition (the corpus
#: loader deletes these too). ZWNJ carries meaning in Persian and Urdu spelling.
ZERO_WIDTH = (
    "\u200b"  # ZERO WIDTH SPACE
    "\u200c\u200d"  # ZERO WIDTH NON-JOINER, ZERO WIDTH JOINER
    "\u2060"  # WORD JOINER
    "\ufeff"  # ZERO WIDTH NO-BREAK SPACE (a byte-order mark when it opens a file)
)

#: Arabic letters proper (U+0621-U+064A without tatweel U+0640): the one-letter
#: abbreviations and titles of the sentence splitter, and the tests.
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
    replace: str | Callable[[re.Match], str]  # as for re.sub
    one_for_one: bool = False  # every match is replaced by as many characters


def _fold_presentation(m: re.Match) -> str:
    return _PRESENTATION_MAP.get(m.group(), m.group())


def _compose(m: re.Match) -> str:
    return unicodedata.normalize("NFC", m.group())


def _ascii_digit(m: re.Match) -> str:
    return FOLDS[m.group()]


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
    return _PRESENTATION_RE.sub(_fold_presentation, text)


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
    return _COMPOSABLE_RE.sub(_compose, text)


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
    return _DIGITS_RE.sub(_ascii_digit, text)


_RULES: dict[Callable[[str], str], _Rule] = {
    remove_invisibles: _Rule(_INVISIBLES_RE, ""),
    fold_presentation_forms: _Rule(_PRESENTATION_RE, _fold_presentation),
    compose_hamza: _Rule(_COMPOSABLE_RE, _compose),
    strip_diacritics: _Rule(_DIACRITICS_RE, ""),
    remove_tatweel: _Rule(_TATWEEL_RE, ""),
    normalize_alef: _Rule(_ALEF_RE, ALEF, one_for_one=True),
    normalize_alef_maksura: _Rule(_ALEF_MAKSURA_RE, YEH, one_for_one=True),
    normalize_teh_marbuta: _Rule(_TEH_MARBUTA_RE, HEH, one_for_one=True),
    normalize_digits: _Rule(_DIGITS_RE, _ascii_digit, one_for_one=True),
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

# The default chain runs as one lookup in an int32 table over UTF-16 code units (built from
# the steps themselves), in chunks that stay in the CPU cache.
_TABLE_CHUNK = 32_768
_DELETED = -1  # table value: the chain deletes this code unit
_CONTEXT = -2  # table value: what the chain does here depends on the neighbours


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


def _apply_steps(text: str, steps) -> str:
    for step in steps:
        text = step(text)
    return text


@cache
def _table() -> np.ndarray:
    table = np.arange(0x10000, dtype=np.int32)
    deleted = (
        BIDI_CONTROLS + ZERO_WIDTH + HARAKAT + OTHER_MARKS + DAGGER_ALEF + QURANIC_MARKS + TATWEEL
    )
    table[[ord(ch) for ch in _expand(deleted)]] = _DELETED
    for src, dst in FOLDS.items():
        table[ord(src)] = ord(dst)
    marks = _expand(COMBINING_HAMZA)
    for ch in _expand(PRESENTATION_FORMS):
        folded = _apply_steps(ch, DEFAULT_STEPS)
        if len(folded) > 1 or any(c in _PRESENTATION_MAP.get(ch, "") for c in marks):
            table[ord(ch)] = _CONTEXT  # a ligature that expands, or one carrying a hamza mark
        else:
            table[ord(ch)] = ord(folded) if folded else _DELETED
    table[[ord(ch) for ch in marks]] = _CONTEXT
    table.flags.writeable = False
    return table


def code_unit_table() -> np.ndarray:
    """The default chain as a lookup table over UTF-16 code units (int32, length 0x10000).

    ``table[c]`` is the normalised code unit of ``c``, -1 where the chain deletes it, and -2
    where it is not one character for one (presentation forms that expand or carry a hamza
    mark, combining hamza/madda): text holding such a unit needs :func:`normalize` itself.
    For numpy code that must agree with :func:`normalize`; :func:`normalize` uses it too.

    >>> t = code_unit_table()
    >>> chr(t[ord("أ")]), int(t[0x064E]), int(t[0x0654])
    ('ا', -1, -2)
    """
    return _table().copy()


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


def _lookup(text: str) -> np.ndarray:
    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    return _table()[units]


def _normalize_piece(text: str) -> str:
    out = _lookup(text)
    lowest = out.min()
    if lowest == _CONTEXT:
        # The three context-dependent steps first; a combining mark left after them had
        # nothing to compose with, and strip_diacritics deletes it.
        out = _lookup(compose_hamza(fold_presentation_forms(remove_invisibles(text))))
    if lowest < 0:
        out = out[out >= 0]
    return out.astype(np.uint16).tobytes().decode("utf-16-le", "surrogatepass")


def _normalize_default(text: str) -> str:
    """The default chain: same output as applying :data:`DEFAULT_STEPS` one by one (tests
    check every BMP character and random text)."""
    if len(text) <= _TABLE_CHUNK:
        return _normalize_piece(text) if text else text
    return "".join(map(_normalize_piece, _chunks(text)))


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
        return _normalize_default(text)
    return _apply_steps(text, resolved)


def normalize_series(series: pd.Series, steps=DEFAULT_STEPS) -> pd.Series:
    """:func:`normalize` every string of a pandas Series; missing values stay missing.

    >>> out = normalize_series(pd.Series(["قازاقستانُ", None]))
    >>> out[0], out.isna().tolist()
    ('قازاقستان', [False, True])
    """
    resolved = steps if steps is DEFAULT_STEPS else _resolve_steps(steps)
    values = []
    for label, value in series.items():
        if isinstance(value, str):
            value = normalize(value, resolved)
        elif not (value is None or value != value):
            raise TypeError(
                f"normalize_series(): value at index {label!r} is {type(value).__name__}, "
                "not text; convert the column with .astype(str)"
            )
        values.append(value)
    return pd.Series(values, index=series.index, name=series.name, dtype=series.dtype)


def _source_index(text: str, rule: _Rule) -> np.ndarray:
    """For each character ``rule`` makes of ``text``, the index of its source in ``text``.

    A match replaced by as many characters maps one to one; any other match maps all of
    its output (none, for a deletion) to its first character.
    """
    produced = np.ones(len(text), dtype=np.intp)
    for m in rule.pattern.finditer(text):
        start, end = m.span()
        n = len(rule.replace) if isinstance(rule.replace, str) else len(rule.replace(m))
        if n != end - start:
            produced[start:end] = 0
            produced[start] = n
    return np.repeat(np.arange(len(text)), produced)


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
    offsets = np.arange(len(text))
    for step in _resolve_steps(steps):
        rule = _RULES.get(step)
        if rule is None:
            raise ValueError(
                f"normalize_with_offsets() cannot track custom step {step!r}; "
                f"use steps from helpers.arabic.STEPS ({', '.join(STEPS)})"
            )
        if rule.pattern.search(text) is None:
            continue  # nothing to do: the map is unchanged
        if not rule.one_for_one:
            offsets = offsets[_source_index(text, rule)]
        text = rule.pattern.sub(rule.replace, text)
    return text, offsets.tolist()


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

#: The project's one token pattern: :func:`tokenize` uses it, and so does scikit-learn as
#: ``token_pattern`` (on normalised text). A token is a run of letters and digits in any
#: script (one letter is enough: Arabic has one-letter words and the stop list handles
#: them); marks, tatweel and ZWNJ/ZWJ after a letter stay inside the word (raw text); after
#: a digit, "." "," ٫ ٬ followed by digits continue the number (3.5, ١٬٥٠٠, 1,500), elsewhere
#: they end the token. Written as runs of letters each followed by optional marks, because
#: ``re`` scans a run of one character class far faster than an alternation per character.
_IN_WORD_ESCAPED = "".join(c if c == "-" else f"\\u{ord(c):04x}" for c in _IN_WORD)
TOKEN_PATTERN = f"(?u)(?:[^\\W_]+[{_IN_WORD_ESCAPED}]*)+(?:(?<=\\d)[.,\\u066b\\u066c]\\d+)*"
_TOKEN_RE = re.compile(TOKEN_PATTERN)


@cache
def _every_bmp_char() -> str:
    """U+0000 to U+FFFF in order, lone surrogates included (decoded from their code points,
    not joined from 65,536 ``chr`` calls)."""
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

    It is :data:`TOKEN_PATTERN`, the pattern scikit-learn uses on normalised text.

    Loses: hyphenated compounds split (الصينية-القازاقية -> two tokens), and so do
    abbreviations written with dots (أ.ف.ب -> three one-letter tokens); a mark before the
    first letter of a word (a stray vowel after a space) is not part of any token.

    >>> tokenize("قالَ وانغ يي: إنّ الصيـــن 3.5٪")
    ['قالَ', 'وانغ', 'يي', 'إنّ', 'الصيـــن', '3.5']
    """
    _check_text(text, "tokenize")
    return _TOKEN_RE.findall(text)


# ---------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------

_CLOSERS = "\"'»”’)\\]"
_END_CHAR = "[.!?\u061f\u061b\u2026\u06d4]"
# Candidate ends: newlines, or runs of . ! ? ؟ ؛ … ۔ with trailing closing quotes/brackets.
# That is "\n+|END+[CLOSERS]*", written to open with one character class so that the regex
# engine skips ahead to the next candidate character in C.
_SENT_END_RE = re.compile(
    f"[\\n{_END_CHAR[1:-1]}](?:(?<=\\n)\\n*|(?<={_END_CHAR}){_END_CHAR}*[{_CLOSERS}]*)"
)
# Abbreviation chains of single letters with dots: أ.ف.ب  د.ب.أ  و.م.ع  (spaces allowed).
_ABBREV_RE = re.compile(
    f"(?<![{ARABIC_LETTERS}\\w])(?:[{ARABIC_LETTERS}]\\.\\s?)+[{ARABIC_LETTERS}]\\.?"
)
# Titles written as one letter and a dot before a name: د. (doctor), م. (engineer), أ. (prof).
# (\Z, not $: "$" also matches before a final newline, so "د\n." would count as a title.)
_TITLE_RE = re.compile('(?:^|[\\s(«"])[دمأ]\\Z')
# Full stops that _is_boundary may reject (a necessary condition, found in one pass so that
# the common full stop needs no Python test): after a single Arabic letter, i.e. one with no
# letter or digit before it (a title such as د., or inside أ.ف.ب), or before a letter or
# digit, closing marks aside (3.5, xinhua.net). Every other full stop ends its sentence.
# That is "(?<!\w)LETTER\.|\.(?=[CLOSERS]*[^\W_])", written to open with the full stop
# so that the regex engine skips ahead to the next one in C; each match is one full stop.
_MAYBE_NOT_END = re.compile(f"\\.(?:(?<=[{ARABIC_LETTERS}]\\.)(?<!\\w..)|(?=[{_CLOSERS}]*[^\\W_]))")


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


@cache
def _protected_words() -> frozenset[str]:
    from helpers.entities import name_words  # entities imports this module

    return frozenset(normalize(w) for w in _read_word_list(CLITIC_PROTECTED_FILE)) | name_words()


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


_TEXTS_PER_BATCH = 1_000  # joined and tokenised at once: fast, and the token list stays small


def vocabulary(
    texts: Iterable[str], steps: Sequence | None = None, drop_stopwords=False
) -> Counter:
    """Token counts over ``texts`` after ``steps`` (None = raw tokens, as written).

    Texts are joined by newlines in batches and each batch is normalised and tokenised at
    once: no step of :data:`STEPS` and no token crosses a newline, so the counts are those of
    going text by text (a custom step must leave newlines alone too). Missing texts are
    skipped.

    >>> vocabulary(["إنّ الصين", "ان الصين"], steps=DEFAULT_STEPS)
    Counter({'ان': 2, 'الصين': 2})
    """
    texts = [t for t in texts if isinstance(t, str)]
    counts: Counter = Counter()
    for i in range(0, len(texts), _TEXTS_PER_BATCH):
        joined = "\n".join(texts[i : i + _TEXTS_PER_BATCH])
        counts.update(_TOKEN_RE.findall(joined if steps is None else normalize(joined, steps)))
    if drop_stopwords:
        for word in stopwords() & counts.keys():
            del counts[word]
    return counts


# ---------------------------------------------------------------------------------------
# Corpus-level views used by notebook 02 (each a plain table; the notebook only shows them)
# ---------------------------------------------------------------------------------------

#: Character classes counted by :func:`character_class_table`, in the order of the chain.
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


@cache
def _class_codes() -> np.ndarray:
    """Code unit -> 1 + its position in CHARACTER_CLASSES, 0 outside every class."""
    codes = np.zeros(0x10000, dtype=np.intp)
    for i, body in enumerate(CHARACTER_CLASSES.values(), start=1):
        codes[[ord(c) for c in _expand(body)]] = i
    return codes


def character_class_table(texts: Iterable[str], index=None) -> pd.DataFrame:
    """How many characters of each :data:`CHARACTER_CLASSES` class each text contains.

    One row per text (labelled by ``index`` when given), one column per class. The classes
    are disjoint and all in the Basic Multilingual Plane, so counting UTF-16 code units
    counts the characters.

    >>> table = character_class_table(["أعربَ فى الصيــن", "قال"])
    >>> table[["harakat", "tatweel", "alef maksura"]].values.tolist()
    [[1, 2, 1], [0, 0, 0]]
    """
    codes = _class_codes()
    rows = []
    for text in texts:
        _check_text(text, "character_class_table")
        units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
        rows.append(np.bincount(codes[units], minlength=len(CHARACTER_CLASSES) + 1)[1:])
    values = np.array(rows, dtype=np.int64).reshape(len(rows), len(CHARACTER_CLASSES))
    return pd.DataFrame(values, columns=list(CHARACTER_CLASSES), index=index)


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
            text = _apply_steps(text, before)
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
    from helpers.entities import unify_entities  # entities imports this module

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


def step_change_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Pool :func:`step_change_table` over articles: one row per step, in chain order.

    Columns ``step, tokens, tokens_changed, share_tokens_changed, articles_changed,
    n_articles``: tokens changed over tokens of all articles (pooled, so long articles weigh
    more), the number of articles in which the step changed any character, and the number of
    articles counted.

    >>> df = pd.DataFrame({"id": ["a", "b"], "text": ["أعربَ فى", "في"]})
    >>> summary = step_change_summary(step_change_table(df, ["strip_diacritics"]))
    >>> summary.drop(columns="share_tokens_changed").values.tolist()
    [['strip_diacritics', 3, 1, 1, 2]]
    """
    columns = ["step", "tokens", "tokens_changed", "share_tokens_changed", "articles_changed",
               "n_articles"]  # fmt: skip
    if table.empty:
        return pd.DataFrame(columns=columns)
    order = list(dict.fromkeys(table["step"]))
    grouped = table.groupby("step", sort=False)
    tokens = grouped["tokens"].sum().reindex(order)
    changed = grouped["tokens_changed"].sum().reindex(order)
    out = pd.DataFrame(
        {"step": order, "tokens": tokens.to_numpy(), "tokens_changed": changed.to_numpy()}
    )
    out["share_tokens_changed"] = (changed / tokens.clip(lower=1)).to_numpy()
    touched = grouped["chars_changed"].apply(lambda s: int((s > 0).sum())).reindex(order)
    out["articles_changed"] = touched.to_numpy()
    out["n_articles"] = table["id"].nunique()
    return out[columns]
