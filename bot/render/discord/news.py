"""Discord rendering of the news features: timelines and "more context", within Discord's limits.

Built on :mod:`bot.render.discord` (escaping, shortening at sentence or word boundaries, safe
URLs), so corpus text can never break Markdown or ping anyone.
"""

from __future__ import annotations

import discord

from bot.answer.context import Context
from bot.answer.timeline import Timeline, TimelineEntry
from bot.render.citation import format_citation, format_date, outlets
from bot.render.discord.replies import (
    COLOUR,
    DESCRIPTION_MAX,
    NO_ANSWER_COLOUR,
    TITLE_MAX,
    Reply,
    Run,
    fit,
    refusal_embed,
    safe_url,
    shorten_plain,
)
from bot.render.excerpt import snippet

_LINE_MAX = 400  # one timeline line, at most
_SNIPPET_CHARS = 160


def timeline_line(entry: TimelineEntry) -> str:
    """``**15 Mar 2024** · “snippet” — [Title — Outlet · ¶1](url) *(also in: …)*``."""
    date = format_date(entry.date) or "undated"
    quote = fit(snippet(entry.passage.text, entry.highlights, _SNIPPET_CHARS), _SNIPPET_CHARS + 40)
    cite = fit(format_citation(entry.passage), 160)
    url = safe_url(entry.passage.article.url)
    if url and len(url) <= 300:
        cite = f"[{cite}]({url})"
    also = f" *(also in: {fit(outlets(entry.copies), 120)})*" if entry.copies else ""
    return f"**{date}** · “{quote}” — {cite}{also}"


def render_timeline(timeline: Timeline, filters_note: str = "") -> Reply:
    """The timeline as one embed: a line per passage, oldest first, as many as fit."""
    title = fit(f"Timeline: {timeline.topic}", TITLE_MAX)
    if not timeline.found:
        return Reply(refusal_embed(title, timeline.reason, timeline.detail))
    lines: list[str] = []
    used = 0
    for entry in timeline.entries:
        line = timeline_line(entry)
        if len(line) > _LINE_MAX:
            line = line[: _LINE_MAX - 1] + "…"  # only absurd metadata gets here
        if used + len(line) + 1 > DESCRIPTION_MAX - 10:
            break
        lines.append(line)
        used += len(line) + 1
    shown = len(lines)
    footer = f"{shown} passage{'s' if shown != 1 else ''}, oldest first"
    if shown < len(timeline.entries):
        footer += f" (of {len(timeline.entries)}; narrow the topic or the dates to see the rest)"
    if filters_note:
        footer += f" · {filters_note}"
    embed = discord.Embed(title=title, description="\n".join(lines), colour=COLOUR)
    embed.set_footer(text=shorten_plain(footer, 500))
    return Reply(embed)


def render_context(context: Context) -> Reply:
    """The paragraphs around a cited one; the cited paragraph in bold."""
    article = context.article
    title = fit(article.title, TITLE_MAX)
    first, last = context.passages[0].paragraph, context.passages[-1].paragraph
    budget = (DESCRIPTION_MAX - 20) // max(1, len(context.passages))
    parts = []
    for p in context.passages:
        text = " ".join(p.text.split())
        body = fit([Run(text, bold=p.paragraph == context.focus)], budget - 8)
        parts.append(f"¶{p.paragraph} {body}")
    embed = discord.Embed(
        title=title, description="\n\n".join(parts), colour=COLOUR, url=safe_url(article.url)
    )
    facts = [x for x in (article.source, format_date(article.date)) if x]
    facts.append(f"paragraphs {first}–{last} of {context.total}")
    embed.set_footer(text=shorten_plain(" · ".join(facts), 500))
    return Reply(embed)


def render_filter_error(message: str) -> Reply:
    """A filter problem (it may quote what the user typed, so it is escaped)."""
    return Reply(discord.Embed(description=fit(message, 1000), colour=NO_ANSWER_COLOUR))
