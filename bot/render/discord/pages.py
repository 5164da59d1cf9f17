"""Listings as Discord embeds: the sources, a timeline, help, and new-article notices.

Each is one embed of lines within Discord's limits. A line is assembled from parts already
escaped and shortened by :mod:`bot.render.discord.markdown`; a line still too long drops its
link first, then is cut at a word boundary outside any link or escape, never mid-markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

import discord

from bot.answer.timeline import Timeline, TimelineEntry
from bot.corpus.model import Article
from bot.render.citation import format_citation, format_date, outlets
from bot.render.discord.markdown import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    cut_markdown,
    fit,
    link,
    safe_url,
    shorten_plain,
)
from bot.render.discord.replies import COLOUR, Reply, plural, refusal_embed
from bot.render.excerpt import snippet

LINE_MAX = 400  # one timeline line, at most
_SNIPPET_CHARS = 160


class ArticleFacts(Protocol):
    """What a notice about an article shows (an :class:`Article`, or a newly added one)."""

    @property
    def title(self) -> str: ...

    @property
    def source(self) -> str | None: ...

    @property
    def date(self) -> dt.date | None: ...

    @property
    def url(self) -> str | None: ...


def sort_articles(articles: Sequence[Article]) -> list[Article]:
    """Newest first; undated articles last, by title."""
    dated = sorted((a for a in articles if a.date), key=lambda a: (a.date, a.title), reverse=True)
    return dated + sorted((a for a in articles if not a.date), key=lambda a: a.title)


def page_count(articles: int, per_page: int) -> int:
    return max(1, -(-articles // per_page))


def render_sources(articles: Sequence[Article], page: int = 1, per_page: int = 10) -> Reply:
    """One page of the articles the bot knows: title (linked), date, source."""
    if not articles:
        return Reply(discord.Embed(title="Sources", description="I have no articles loaded."))
    ordered = sort_articles(articles)
    pages = page_count(len(ordered), per_page)
    page = min(max(1, page), pages)
    per_line = (DESCRIPTION_MAX - 100) // min(per_page, len(ordered)) - 2
    lines = []
    for article in ordered[(page - 1) * per_page : page * per_page]:
        title = fit(article.title or article.id, min(200, per_line // 2))
        url = safe_url(article.url)
        facts = " · ".join(x for x in (format_date(article.date), article.source) if x)
        facts = fit(facts, per_line // 3) if facts else ""
        line = f"[{title}]({url})" if url else f"**{title}**"
        if len(line) + len(facts) + 1 > per_line:
            line = f"**{title}**"  # the link does not fit: the title alone
        lines.append(line + (f"\n{facts}" if facts else ""))
    embed = discord.Embed(title="Sources", description="\n\n".join(lines), colour=COLOUR)
    footer = f"Page {page} of {pages} · {plural(len(ordered), 'article')}"
    if page < pages:
        footer += f" · /sources page:{page + 1} for more"
    embed.set_footer(text=footer)
    return Reply(embed)


def timeline_line(entry: TimelineEntry, limit: int = LINE_MAX) -> str:
    """``**15 Mar 2024** · “snippet” — [Title — Outlet · ¶1](url) *(also in: …)*``, in at most
    ``limit`` characters: the link goes first when it does not fit, then the tail is cut at a
    word boundary."""
    date = format_date(entry.date) or "undated"
    quote = fit(snippet(entry.passage.text, entry.highlights, _SNIPPET_CHARS), _SNIPPET_CHARS + 40)
    cite = fit(format_citation(entry.passage), 160)
    also = f" *(also in: {fit(outlets(entry.copies), 120)})*" if entry.copies else ""
    line = f"**{date}** · “{quote}” — {link(cite, entry.passage.article.url)}{also}"
    if len(line) > limit:
        line = f"**{date}** · “{quote}” — {cite}{also}"
    return cut_markdown(line, limit)


def render_timeline(timeline: Timeline, filters_note: str = "") -> Reply:
    """The timeline as one embed: a line per passage, oldest first, as many as fit."""
    title = fit(f"Timeline: {timeline.topic}", TITLE_MAX)
    if not timeline.found:
        return Reply(refusal_embed(title, timeline.reason, timeline.detail))
    lines: list[str] = []
    used = 0
    for entry in timeline.entries:
        line = timeline_line(entry)
        if used + len(line) + 1 > DESCRIPTION_MAX - 10:
            break
        lines.append(line)
        used += len(line) + 1
    shown = len(lines)
    footer = f"{plural(shown, 'passage')}, oldest first"
    if shown < len(timeline.entries):
        footer += f" (of {len(timeline.entries)}; narrow the topic or the dates to see the rest)"
    if filters_note:
        footer += f" · {filters_note}"
    embed = discord.Embed(title=title, description="\n".join(lines), colour=COLOUR)
    embed.set_footer(text=shorten_plain(footer, 500))
    return Reply(embed)


def render_new_article(article: ArticleFacts, heading: str = "New article") -> Reply:
    """A notice about one article (a feed's new entry, or one added with ``/add``): title
    linked to the article, outlet and date. Corpus text, so escaped; nobody is pinged."""
    title = fit(f"{heading}: {article.title}", TITLE_MAX)
    facts = " · ".join(x for x in (article.source, format_date(article.date)) if x)
    embed = discord.Embed(title=title, url=safe_url(article.url), colour=COLOUR)
    if facts:
        embed.description = fit(facts, 500)
    url = safe_url(article.url)
    if url:
        embed.description = (embed.description or "") + "\n" + link("Read the article", url)
    return Reply(embed)


def render_help(
    articles: Sequence[Article], max_question_chars: int, *, private_votes: bool = False
) -> Reply:
    """What the bot does, how to ask, what it covers, and what it stores."""
    dates = sorted(a.date for a in articles if a.date)
    covers = plural(len(articles), "news article")
    if dates:
        first, last = format_date(dates[0]), format_date(dates[-1])
        covers += f" from {first} to {last}" if first != last else f" from {first}"
    embed = discord.Embed(
        title="talks-bot",
        description=(
            "I answer questions about a collection of news articles by quoting the passages "
            "that answer them, each with its citation, so you can check the source."
        ),
        colour=COLOUR,
    )
    embed.add_field(
        name="How to ask",
        value=(
            "• `/ask` with your question; add `private: True` to see the answer alone\n"
            "• send me a direct message\n"
            "• mention me in a channel: `@talks-bot Where did the summit take place?`\n"
            "• on any message, *Apps → Find sources* shows the passages bearing on it\n"
            f"Questions longer than {max_question_chars} characters are answered about "
            "their beginning."
        ),
        inline=False,
    )
    embed.add_field(
        name="Dates, outlets and timelines",
        value=(
            "• `/ask` and `/timeline` take `since` and `until` (YYYY-MM-DD, YYYY-MM or YYYY) "
            "and `source` (an outlet)\n"
            "• in a message, put them first: `since:2018-09 source:Reuters your question`\n"
            "• `/timeline topic:` lists the passages about a topic, oldest first\n"
            "• under an answer, *More context* shows the paragraphs around a quote"
        ),
        inline=False,
    )
    embed.add_field(name="What I store", value=stored_text(private_votes), inline=False)
    embed.add_field(name="What I cover", value=f"{covers}. `/sources` lists them.", inline=False)
    embed.set_footer(text="Answers are quotes, never guesses: if the articles don't say, I say so.")
    return Reply(embed)


def stored_text(private_votes: bool) -> str:
    """What the bot keeps about the people who use it, in their words."""
    private = (
        "Votes on private answers and direct messages are logged the same way."
        if private_votes
        else "Private answers and direct messages carry no vote buttons and are never logged."
    )
    return (
        "Nothing, unless you press 👍 or 👎 under an answer: then your vote, the question and "
        "the passages shown go to a feedback log for whoever keeps the articles. Never your "
        f"name or id. Questions nobody votes on are not kept. {private}"
    )
