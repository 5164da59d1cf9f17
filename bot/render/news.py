"""Text and JSON for the news features: timelines, "more context" and the feedback summary.

The Discord front end renders these objects itself; this module is for terminals and scripts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.answer.context import Context
from bot.answer.timeline import Timeline, TimelineEntry
from bot.corpus.model import Passage
from bot.render.citation import format_citation
from bot.render.json import article_to_dict
from bot.render.wording import SOURCES_COMMAND, cut_notice, refusal
from bot.service.feedback import FeedbackSummary

SNIPPET_CHARS = 140


def snippet(text: str, spans: Sequence[tuple[int, int]] = (), limit: int = SNIPPET_CHARS) -> str:
    """The highlighted sentence (or the start of the passage), on one line, at most ``limit``."""
    if spans:
        start, end = spans[0]
        text = text[start:end]
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def outlets(copies: Sequence[Passage]) -> str:
    """``The Vell Courier, Quill Evening Lantern`` (titles for articles without an outlet)."""
    names = [p.article.source or p.article.title for p in copies]
    return ", ".join(dict.fromkeys(names))


def timeline_line(entry: TimelineEntry) -> str:
    """``2024-03-15  "snippet" — Title — Outlet · 15 Mar 2024 · ¶1 (also in: …)``."""
    date = entry.date.isoformat() if entry.date else "undated   "
    line = f"{date}  “{snippet(entry.passage.text, entry.highlights)}” — "
    line += format_citation(entry.passage)
    if entry.copies:
        line += f" (also in: {outlets(entry.copies)})"
    return line


def render_timeline(timeline: Timeline) -> str:
    """One line per entry, oldest first; the "no answer" message when there is none."""
    notice = cut_notice(timeline.asked_chars, len(timeline.topic))
    lines = [notice] if notice else []
    if not timeline.found:
        lines.append(
            refusal(timeline.reason, SOURCES_COMMAND["cli"], timeline.detail)
            or "Nothing in the articles about that."
        )
    else:
        lines.extend(timeline_line(e) for e in timeline.entries)
    return "\n".join(lines) + "\n"


def timeline_to_dict(timeline: Timeline) -> dict[str, Any]:
    """``{"topic", "found", "message", "entries": [{"date", "text", "paragraph",
    "article", "copies"}]}``."""
    notice = cut_notice(timeline.asked_chars, len(timeline.topic))
    said = refusal(timeline.reason, SOURCES_COMMAND["cli"], timeline.detail)
    return {
        "topic": timeline.topic,
        "found": timeline.found,
        "reason": timeline.reason.value,
        "message": " ".join(m for m in (notice, said) if m) or None,
        "entries": [
            {
                "date": e.date.isoformat() if e.date else None,
                "text": e.passage.text,
                "highlights": [[s, t] for s, t in e.highlights],
                "paragraph": e.passage.paragraph,
                "article": article_to_dict(e.passage.article),
                "copies": [
                    {"paragraph": c.paragraph, "article": article_to_dict(c.article)}
                    for c in e.copies
                ],
            }
            for e in timeline.entries
        ],
    }


def timeline_to_json(timeline: Timeline) -> str:
    return json.dumps(timeline_to_dict(timeline), ensure_ascii=False)


def render_context(context: Context) -> str:
    """The paragraphs around the cited one, the cited one marked with ``»``."""
    head = format_citation(context.passages[0]).rsplit(" · ¶", 1)[0]
    lines = [
        f"{head} (paragraphs {context.passages[0].paragraph}–"
        f"{context.passages[-1].paragraph} of {context.total})"
    ]
    for p in context.passages:
        mark = "»" if p.paragraph == context.focus else " "
        lines.append(f"{mark} ¶{p.paragraph} {' '.join(p.text.split())}")
    return "\n".join(lines) + "\n"


def render_feedback(summary: FeedbackSummary) -> str:
    """Totals, then the worst-rated questions with what was shown for them."""
    lines = [f"{summary.votes} vote(s): {summary.up} 👍, {summary.down} 👎"]
    if not summary.worst:
        lines.append("No question has a 👎 yet.")
    else:
        lines.append("Worst-rated questions (net score, 👎, 👍):")
        for q in summary.worst:
            lines.append(f"  {q.score:+d}  👎{q.down} 👍{q.up}  {q.question}")
            if q.passages:
                lines.append(f"        shown: {', '.join(q.passages)}")
    lines.extend(f"warning: {w}" for w in summary.warnings)
    return "\n".join(lines) + "\n"
