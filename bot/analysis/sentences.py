"""Sentence boundaries inside a passage, as character spans.

A news paragraph is one to four sentences of edited prose, so a small rule set is enough and
keeps highlighting well under a millisecond (a general-purpose segmenter costs more than the
whole BM25 search on a small corpus). A boundary is sentence-final punctuation, optionally closed
by quotes or brackets, then whitespace, then something that can start a sentence: a capital or
digit, or any letter outside ASCII ("Émile", Cyrillic, Greek; lower-case letters elsewhere than
English are rare after a full stop, and a missed boundary only widens a highlight); known
abbreviations (``Mr.``, ``U.S.``, ``Sept.``) and initials (``J. Smith``) are not boundaries.
Chinese and Japanese full stops (``。！？``) end a sentence with no space after them.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sen",
        "rep",
        "gov",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "adm",
        "rev",
        "st",
        "jr",
        "sr",
        "co",
        "corp",
        "inc",
        "ltd",
        "no",
        "vs",
        "etc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "approx",
        "est",
    ]
)
#: The word before a full stop, matched in the reversed text: anchored at its start, the
#: match costs the word's length, where a search anchored at the end tries every position.
_WORD_REVERSED = re.compile(r"[\w.]+")
_BOUNDARY = re.compile(
    r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?(?:[A-Z0-9]|[^\W\d_a-z]))"  # [^\W\d_a-z]: letters but a-z
    r"|[。！？]+[」』）]*(?=\S)"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` spans of the sentences of ``text``, whitespace trimmed, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if _is_abbreviation(text, match.start()):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    return [_trim(text, s, e) for s, e in spans if text[s:e].strip()]


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    # Only the word before the full stop matters: look at a short window, not the whole text,
    # or splitting a long passage turns quadratic.
    word = _WORD_REVERSED.match(text[max(0, dot - 64) : dot][::-1])
    if word is None:
        return False
    token = word.group()[::-1].lower()
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
