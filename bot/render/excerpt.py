"""How much of a long text a renderer shows: cut at a word, or a window around the highlight.

One place for "shorten this", so every medium cuts the same way: at a word boundary when there
is one in the second half of the allowance (a single giant word is cut anywhere), closing
punctuation dropped, and ``…`` appended. Results never exceed the limit they are given.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.printable import one_line

ELLIPSIS = "…"

Spans = tuple[tuple[int, int], ...]


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word to at most ``limit`` characters (``…`` included)."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    return text[: _word_end(text, 0, limit - 1)].rstrip(" ,;:") + ELLIPSIS


def snippet(text: str, spans: Sequence[tuple[int, int]] = (), limit: int = 140) -> str:
    """The first highlighted sentence (or the start of the passage), on one line, shortened."""
    if spans:
        start, end = spans[0]
        text = text[start:end]
    return shorten(text, limit)


def window(text: str, spans: Sequence[tuple[int, int]], limit: int) -> tuple[str, Spans]:
    """At most ``limit`` characters of ``text`` around its first highlight, and the spans in it.

    A passage longer than ``limit`` (a scraped page with no paragraph breaks) is shown from the
    start of its first highlighted sentence -- or from its start when that is near -- to a word
    boundary, with ``…`` where text was left out; highlights are clipped to what is shown, so a
    highlight never runs through a whole giant passage.
    """
    if len(text) <= limit:
        return text, tuple(spans)
    first = min((s for s, _ in spans), default=0)
    start = 0 if first < limit // 4 else first
    lead = ELLIPSIS if start else ""
    if len(text) - start <= limit - len(lead):
        end, tail = len(text), ""
    else:
        end, tail = _word_end(text, start, limit - len(lead) - 1), ELLIPSIS
    shift = len(lead) - start
    shown = tuple(
        (max(s, start) + shift, min(e, end) + shift) for s, e in spans if s < end and e > start
    )
    return lead + text[start:end] + tail, shown


def _word_end(text: str, start: int, room: int) -> int:
    """The end of the longest run of whole words from ``start`` fitting in ``room`` characters
    (``start + room`` when no space falls in the second half of it)."""
    end = start + room
    space = text.rfind(" ", start + room // 2, end + 1)
    return space if space > start else end
