"""The JSON renderings: a stable contract for scripts (documented in docs/cli.md).

An answer is ``{"question", "answered", "reason", "message", "took_ms", "passages": [{"rank",
"score", "text", "highlights", "paragraph", "part", "section", "article": {"id", "title",
"source", "date", "url"}, "copies": [{"paragraph", "article": {...}}]}]}``, where
``text`` is the passage as in the article, ``highlights`` are ``[start, end]`` character offsets
into it, ``part`` is 0, or the part number of a paragraph cut into parts at
``corpus.max_passage_chars``, and ``copies`` are the other articles that carried the same (or
near-identical) text, oldest first (see bot.corpus.copies). A timeline is ``{"topic", "found",
"reason", "message", "entries": [{"date", "text", "highlights", "paragraph", "part", "article",
"copies"}]}``; ``sources --json`` prints one article object per line. Keys are only ever
added, never renamed or removed.

Every string goes through :func:`~bot.render.printable.printable_data` on the way out: a JSON
consumer that prints a field must never receive a terminal control (``json.dumps`` escapes C0
characters, but the decoded string would carry them again, and it leaves C1 characters raw).
The replacement keeps lengths, so ``highlights`` stay valid.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.answer.answerer import Answer, AnsweredPassage
from bot.answer.timeline import Timeline, TimelineEntry
from bot.corpus.model import Article, Passage
from bot.render.citation import iso_date
from bot.render.printable import printable_data
from bot.render.wording import SOURCES_COMMAND, cut_notice, refusal


def dumps(value: Any) -> str:
    """One line of JSON, non-ASCII kept readable, no control character in any string.

    U+2028 and U+2029 are written as escapes: raw, they are valid JSON but line breaks to
    ``str.splitlines`` and older JavaScript, and would split a JSON Lines record in two.
    """
    text = json.dumps(printable_data(value), ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def article_to_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "date": iso_date(article.date),
        "url": article.url,
    }


def _copies(copies: Sequence[Passage]) -> list[dict[str, Any]]:
    return [{"paragraph": c.paragraph, "article": article_to_dict(c.article)} for c in copies]


def passage_to_dict(item: AnsweredPassage) -> dict[str, Any]:
    return {
        "rank": item.rank,
        "score": item.score,
        "text": item.passage.text,
        "highlights": [[start, end] for start, end in item.highlights],
        "paragraph": item.passage.paragraph,
        "part": item.passage.part,
        "section": item.passage.section,
        "article": article_to_dict(item.passage.article),
        "copies": _copies(item.copies),
    }


def _message(answer: Answer | Timeline, asked: str) -> str | None:
    """The notice (question cut) and the refusal, as one message, or None when answered."""
    notice = cut_notice(answer.asked_chars, asked)
    said = refusal(answer.reason, SOURCES_COMMAND["cli"], answer.detail)
    return " ".join(m for m in (notice, said) if m) or None


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "answered": answer.answered,
        "reason": answer.reason.value,
        "message": _message(answer, answer.question),
        "took_ms": answer.took_ms,
        "passages": [passage_to_dict(p) for p in answer.passages],
    }


def answer_to_json(answer: Answer) -> str:
    """The answer as one line of JSON."""
    return dumps(answer_to_dict(answer))


def entry_to_dict(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "date": iso_date(entry.date),
        "text": entry.passage.text,
        "highlights": [[s, t] for s, t in entry.highlights],
        "paragraph": entry.passage.paragraph,
        "part": entry.passage.part,
        "article": article_to_dict(entry.passage.article),
        "copies": _copies(entry.copies),
    }


def timeline_to_dict(timeline: Timeline) -> dict[str, Any]:
    return {
        "topic": timeline.topic,
        "found": timeline.found,
        "reason": timeline.reason.value,
        "message": _message(timeline, timeline.topic),
        "entries": [entry_to_dict(e) for e in timeline.entries],
    }


def timeline_to_json(timeline: Timeline) -> str:
    """The timeline as one line of JSON."""
    return dumps(timeline_to_dict(timeline))


def sources_to_json_lines(articles: Sequence[Article]) -> str:
    """One JSON object per article and line (JSON Lines), in the order given."""
    return "".join(dumps(article_to_dict(a)) + "\n" for a in articles)
