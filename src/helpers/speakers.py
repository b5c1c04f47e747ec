"""Who speaks each sentence of an article: reporting verbs, the speakers table, carry-forward.

A sentence with a reporting verb (``data/lexicons/reporting_verbs.csv``) is given the named
official after the verb (or before it, or a title), found through the speakers table
(``data/lexicons/speakers.csv``: entity id, English name, group), with name spellings unified
through :func:`helpers.entities.entity_table`. A verb without a subject of its own carries the
last named speaker through its paragraph block; a sentence without a verb is the outlet's own
voice, or continues the speech of its line. Reporting verbs are written in the frame lexicon's
template language (:func:`helpers.frames.compile_template`) and matched on the same normalised
text (:func:`helpers.frames.normalize_for_matching`).

What this module cannot see: nested speech (Wang said that Xi said ...: Wang), the difference
between quoted and paraphrased speech, and subjects missing from the speakers table (they are
"unnamed source").
"""

from __future__ import annotations

import bisect
import functools
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import arabic, entities, frames
from helpers.paths import LEXICON_DIR

SPEAKERS_PATH = LEXICON_DIR / "speakers.csv"
REPORTING_VERBS_PATH = LEXICON_DIR / "reporting_verbs.csv"
SPEAKER_GROUPS = ("Chinese official", "Russian official", "Kazakh official", "outlet", "other")
SPEAKER_COLUMNS = ["start", "end", "sentence", "speaker", "speaker_group", "entity_id", "cue"]

# Words that may follow a reporting verb with no subject of its own ("وأضاف أن", "وأعرب عن").
_NAMELESS_WORDS = ("إن", "أن", "انه", "أنه", "إنه", "أنها", "إنها", "عن", "على", "إلى")
_NAMELESS_WORDS += ("فيها", "فيه", "أيضا", "بذلك", "كذلك")
_OUTLET = {"entity_id": "outlet", "english": "outlet", "group": "outlet", "kind": "outlet"}
_UNNAMED = {"entity_id": "unnamed", "english": "unnamed source", "group": "other", "kind": "other"}
_WINDOW = 90  # characters after a reporting verb searched for its subject (about 12 words)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
_COMPLEMENT = re.compile(r"(?<!\w)(?:ان|انه|انها|بان|:)(?!\w)")


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


@dataclass(frozen=True)
class _SpeakerModel:
    names: re.Pattern  # named people and roles; group name = row index
    rows: list[dict]
    cues: frames.Matcher  # reporting verbs in file order; a pattern's frame is its kind
    nameless: frozenset[str]  # normalised _NAMELESS_WORDS


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
    return _SpeakerModel(
        names=_names_regex(rows),
        rows=rows,
        cues=frames.Matcher([], patterns=cues),
        nameless=frozenset(frames.normalize_literal(w) for w in _NAMELESS_WORDS),
    )


def _sentence_cues(norm: str, bounds: list[int], found: list[tuple]) -> list[tuple | None]:
    """The first reporting cue ``(start, end, kind)`` of each sentence, in offsets of its own
    text ``norm[bounds[2k]:bounds[2k+1]]``; a ``verb_that`` cue (أعلن) counts only with أن or
    ':' after it in its sentence. ``found`` are the verbs matched over the whole article: a
    verb is one word, so no match runs across a sentence break."""
    los, first = bounds[0::2], [None] * (len(bounds) // 2)
    for pat, s, e in found:
        k = bisect.bisect_right(los, s) - 1
        if k < 0 or first[k] is not None or e > bounds[2 * k + 1]:
            continue
        lo, hi = bounds[2 * k], bounds[2 * k + 1]
        if pat.frame != "verb_that" or _COMPLEMENT.search(norm[lo:hi], e - lo):
            first[k] = (s - lo, e - lo, pat.frame)
    return first


def _first_name(model: _SpeakerModel, norm: str, lo: int, hi: int) -> dict | None:
    """Earliest named person in norm[lo:hi]; a role only when no person is there."""
    best_role = None
    for m in model.names.finditer(norm, lo, hi):
        row = model.rows[int(m.lastgroup[1:])]
        if row["kind"] == "person":
            return row
        best_role = best_role or row
    return best_role


def _is_nameless(model: _SpeakerModel, norm: str, cue: tuple[int, int, str]) -> bool:
    """A cue followed by أن/عن/... or a colon has no subject of its own (it carries one)."""
    if cue[2] == "according":
        return False
    after = norm[cue[1] :].lstrip(' \t"«»:،,')
    words = after.split(maxsplit=1)
    nxt = words[0] if words else ""
    return not after or norm[cue[1] :].lstrip().startswith(":") or (nxt in model.nameless)


def _cue_subject(model: _SpeakerModel, norm: str, cue: tuple[int, int, str]) -> dict:
    """The named subject of a cue: within _WINDOW after it, else before it, else unnamed."""
    who = _first_name(model, norm, cue[1], cue[1] + _WINDOW)
    who = who or _first_name(model, norm, max(0, cue[0] - _WINDOW), cue[0])
    return who or _UNNAMED


def _colon_speaker(model: _SpeakerModel, norm: str) -> dict | None:
    """``NAME: quote`` (a name within 40 characters before the first colon)."""
    colon = norm.find(":")
    return _first_name(model, norm, max(0, colon - 40), colon) if colon > 0 else None


def _layout(text: str, spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Per sentence: its paragraph block (blank lines between) and its line."""
    starts = [s for s, _ in spans]
    breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
    newlines = [m.start() for m in re.finditer("\n", text)]
    blocks = np.searchsorted(breaks, starts, side="right").tolist() if breaks else [0] * len(spans)
    lines = np.searchsorted(newlines, starts, side="right").tolist()
    return blocks, lines


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


def _speakers_of(model: _SpeakerModel, text, norm, index, spans, outlet, found):
    """Speaker and cue of each sentence of one article, in order (carry, line, colon)."""
    outlet_row = {**_OUTLET, "english": outlet or "outlet"}
    blocks, lines = _layout(text, spans)
    bounds = np.searchsorted(np.asarray(index), np.asarray(spans).reshape(-1)).tolist()
    cues = _sentence_cues(norm, bounds, found)
    out, carried, block, prev_line, prev_who = [], None, 0, -1, None
    for k, cue in enumerate(cues):
        if blocks[k] != block:
            carried, block = None, blocks[k]
        sent = norm[bounds[2 * k] : bounds[2 * k + 1]]
        if cue is None:
            who = _colon_speaker(model, sent)
            if who is None and lines[k] == prev_line and prev_who is not None:
                who = prev_who  # speech goes on to the end of its paragraph line
            who = who or outlet_row
        elif _is_nameless(model, sent, cue):
            who = carried or _UNNAMED
        else:
            who = _cue_subject(model, sent, cue)
            carried = who if who["kind"] == "person" else carried
        prev_line, prev_who = lines[k], (who if who["group"] != "outlet" else None)
        out.append((who, sent[cue[0] : cue[1]] if cue else ""))
    return out


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
    if not isinstance(text, str) or not text.strip():
        return pd.DataFrame(columns=SPEAKER_COLUMNS)
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
