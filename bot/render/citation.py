"""Citations: how an answer points a reader back to the article and paragraph it quotes."""

from __future__ import annotations

import datetime as dt

from bot.corpus.model import Article, Passage


def format_date(date: dt.date | None) -> str | None:
    """``11 Sep 2018``: unambiguous for readers on both sides of the Atlantic."""
    return None if date is None else f"{date.day} {date:%b %Y}"


def citation_parts(article: Article, paragraph: int | None = None) -> list[str]:
    """The pieces of a citation in reading order: title, source, date, ¶n (absent ones skipped)."""
    parts = [article.title]
    if article.source:
        parts.append(article.source)
    date = format_date(article.date)
    if date:
        parts.append(date)
    if paragraph is not None:
        parts.append(f"¶{paragraph}")
    return parts


def format_citation(passage: Passage) -> str:
    """``Title — Source · 11 Sep 2018 · ¶5`` (the URL is left to the medium, which may link it)."""
    title, *rest = citation_parts(passage.article, passage.paragraph)
    return " — ".join([title, " · ".join(rest)]) if rest else title
