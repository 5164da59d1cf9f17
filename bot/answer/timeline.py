"""Timeline: the passages relevant to a topic, in the order their articles were published.

For "how did this evolve" questions. Retrieval and the evidence rule are exactly those of an
answer (:meth:`bot.answer.Answerer.answer`, :mod:`bot.answer.evidence`): a passage is listed
when its own text is about the topic -- its title, section or neighbours do not count -- and
syndicated copies appear once, dated by the earliest outlet that carried the text, with the
others cited next to it. Undated articles come last.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.answer.answerer import Answer, AnsweredPassage, Answerer, Reason
from bot.answer.filters import Filters, allowed_mask
from bot.corpus.model import Passage

#: How many passages a timeline lists at most.
MAX_ENTRIES = 50


@dataclass(frozen=True)
class TimelineEntry:
    """One dated line of a timeline: the passage, and its copies in other outlets."""

    date: dt.date | None
    passage: Passage
    score: float
    copies: tuple[Passage, ...] = ()
    highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Timeline:
    """The entries for a topic, oldest first; ``reason`` says why it is empty (as for answers)."""

    topic: str
    entries: tuple[TimelineEntry, ...] = ()
    reason: Reason = Reason.ANSWERED
    asked_chars: int | None = None
    detail: str | None = None

    @property
    def found(self) -> bool:
        return bool(self.entries)


def build_timeline(
    answerer: Answerer,
    topic: str,
    filters: Filters | None = None,
    limit: int = 20,
) -> Timeline:
    """The passages about ``topic``, ordered by article date.

    Parameters
    ----------
    answerer
        The answerer to search with (take it once from the service, so a reload cannot swap
        the corpus between the filter mask and the search).
    filters
        Dates and outlets, applied inside retrieval as for answers.
    limit
        How many passages to list (1 to :data:`MAX_ENTRIES`).

    Raises
    ------
    FilterError
        For an unknown outlet or filters no article passes.
    """
    limit = max(1, min(limit, MAX_ENTRIES))
    allowed = allowed_mask(filters, answerer.corpus) if filters else None
    answer = answerer.answer(topic, top_k=limit, allowed=allowed, limit=MAX_ENTRIES, every=True)
    return timeline_from_answer(answer)


def timeline_from_answer(answer: Answer) -> Timeline:
    """Reorder an answer's passages by date (earliest copy first)."""
    entries = sorted((_entry(item) for item in answer.passages), key=_order)
    return Timeline(
        answer.question, tuple(entries), answer.reason, answer.asked_chars, answer.detail
    )


def _entry(item: AnsweredPassage) -> TimelineEntry:
    carriers = sorted((item.passage, *item.copies), key=_passage_order)
    first, *others = carriers
    # Highlights belong to the ranked passage's text; keep them only if it is the one shown.
    highlights = item.highlights if first is item.passage else ()
    return TimelineEntry(first.article.date, first, item.score, tuple(others), highlights)


def _passage_order(p: Passage) -> tuple[bool, dt.date, str, int]:
    return (p.article.date is None, p.article.date or dt.date.min, p.article.source or "", 0)


def _order(entry: TimelineEntry) -> tuple[bool, dt.date, str, int]:
    return (
        entry.date is None,
        entry.date or dt.date.min,
        entry.passage.article.id,
        entry.passage.paragraph,
    )
