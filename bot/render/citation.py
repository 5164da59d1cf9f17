"""Citations: how an answer points a reader back to the article and paragraph it quotes.

Shared by every medium, so the date format and the order of title, outlet, date and ¶ are the
same in a terminal, in JSON and on Discord. Fields are made single-line and printable here
(:mod:`bot.render.printable`): a citation is built from article metadata, which is data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.corpus.model import Article, Passage
from bot.render.printable import one_line


def format_date(date: dt.date | None) -> str | None:
    """``11 Sep 2018``: unambiguous for readers on both sides of the Atlantic."""
    return None if date is None else f"{date.day} {date:%b %Y}"


def iso_date(date: dt.date | None) -> str | None:
    """``2018-09-11``: for machines, and for columns that must sort as text."""
    return None if date is None else date.isoformat()


def citation_parts(article: Article, paragraph: int | str | None = None) -> list[str]:
    """The pieces of a citation in reading order: title, source, date, ¶n (absent ones skipped).

    ``paragraph`` is a number or a passage's label (``7.2``: part 2 of a paragraph cut in parts).
    """
    parts = [one_line(article.title)]
    if article.source:
        parts.append(one_line(article.source))
    date = format_date(article.date)
    if date:
        parts.append(date)
    if paragraph is not None:
        parts.append(f"¶{paragraph}")
    return parts


def format_citation(passage: Passage) -> str:
    """``Title — Source · 11 Sep 2018 · ¶5`` (``¶5.2`` for the second part of a paragraph cut in
    parts; the URL is left to the medium, which may link it)."""
    title, *rest = citation_parts(passage.article, passage.label)
    return " — ".join([title, " · ".join(rest)]) if rest else title


def outlets(copies: Sequence[Passage]) -> str:
    """``The Vell Courier, Quill Evening Lantern``: who else carried a passage (titles for
    articles without an outlet), each named once."""
    names = [one_line(p.article.source or p.article.title) for p in copies]
    return ", ".join(dict.fromkeys(names))
