"""The JSON rendering of an answer: a stable contract for scripts.

``{"question", "answered", "message", "took_ms", "passages": [{"rank", "score", "text",
"highlights", "paragraph", "section", "article": {"id", "title", "source", "date", "url"},
"copies": [{"paragraph", "article": {...}}]}]}``, where ``text`` is the passage exactly as in the
article, ``highlights`` are ``[start, end]`` character offsets into it, and ``copies`` are the
other articles that carried the same (or near-identical) text, oldest first (see bot.corpus.copies).
Keys are only ever added, never renamed or removed.
"""

from __future__ import annotations

import json
from typing import Any

from bot.answer.answerer import Answer, AnsweredPassage
from bot.corpus.model import Article
from bot.render.wording import SOURCES_COMMAND, cut_notice, refusal


def article_to_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "date": article.date.isoformat() if article.date else None,
        "url": article.url,
    }


def passage_to_dict(item: AnsweredPassage) -> dict[str, Any]:
    return {
        "rank": item.rank,
        "score": item.score,
        "text": item.passage.text,
        "highlights": [[start, end] for start, end in item.highlights],
        "paragraph": item.passage.paragraph,
        "section": item.passage.section,
        "article": article_to_dict(item.passage.article),
        "copies": [
            {"paragraph": copy.paragraph, "article": article_to_dict(copy.article)}
            for copy in item.copies
        ],
    }


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    notice = cut_notice(answer.asked_chars, len(answer.question))
    said = refusal(answer.reason, SOURCES_COMMAND["cli"], answer.detail)
    message = " ".join(m for m in (notice, said) if m) or None
    return {
        "question": answer.question,
        "answered": answer.answered,
        "reason": answer.reason.value,
        "message": message,
        "took_ms": answer.took_ms,
        "passages": [passage_to_dict(p) for p in answer.passages],
    }


def answer_to_json(answer: Answer) -> str:
    """One line of JSON (non-ASCII kept readable)."""
    return json.dumps(answer_to_dict(answer), ensure_ascii=False)
