"""The corpus's data types: articles, passages, load warnings and the loaded corpus.

They are plain frozen dataclasses, so every layer above can hold and compare them without
knowing how they were read.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.corpus.sanitize import escape_controls

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Article:
    """One news article: its identity and bibliographic facts, used for citations."""

    id: str
    title: str
    source: str | None = None
    date: dt.date | None = None
    url: str | None = None
    path: Path | None = None
    captions: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Passage:
    """One quotable unit of an article: a paragraph, or one part of a long one.

    ``paragraph`` counts article paragraphs from 1 in reading order, skipping headings, captions
    and furniture, so "¶5" points a reader to the fifth paragraph of the article's text.
    A paragraph longer than ``corpus.max_passage_chars`` is cut at sentence boundaries into
    parts that all keep its number, so a citation still points at the right paragraph;
    ``part`` numbers them from 1 (0 for a paragraph that was not cut) and :attr:`label`
    cites one (``7.2``: the second part of paragraph 7).
    ``text`` is the file's text with control characters removed (see
    :mod:`bot.corpus.sanitize`); ``section`` is the heading the paragraph sits under;
    ``line`` is the file line on which the paragraph starts.
    """

    article: Article
    paragraph: int
    text: str
    section: str | None = None
    line: int = 0
    part: int = 0

    @property
    def label(self) -> str:
        """The paragraph number as cited: ``7``, or ``7.2`` for the second part of ¶7."""
        return passage_label(self.paragraph, self.part)

    @property
    def id(self) -> str:
        return passage_id(self.article.id, self.paragraph, self.part)


def passage_label(paragraph: int, part: int = 0) -> str:
    """A passage's paragraph number as cited (:attr:`Passage.label`), from its parts: what a
    front end that keeps only numbers (a button id) rebuilds."""
    return f"{paragraph}.{part}" if part else str(paragraph)


def passage_id(article_id: str, paragraph: int, part: int = 0) -> str:
    """:attr:`Passage.id` from its parts (``article#7`` or ``article#7.2``)."""
    return f"{article_id}#{passage_label(paragraph, part)}"


@dataclass(frozen=True)
class LoadWarning:
    """A problem with one file or folder.

    Most warnings mean the file was skipped; ``loaded`` is True for the ones whose file loaded
    anyway (a paragraph cut into several passages), so a summary can tell them apart.
    The text (see ``__str__``) shows control characters in the path or message as escapes:
    a hostile file name cannot drive the terminal that prints the warning.
    """

    path: Path
    message: str
    line: int | None = None
    loaded: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return escape_controls(f"{where}: {self.message}")


@dataclass(frozen=True)
class Corpus:
    """Every article and passage that loaded, plus the warnings for what did not."""

    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    warnings: tuple[LoadWarning, ...] = ()

    def passages_of(self, article_id: str) -> tuple[Passage, ...]:
        """The passages of one article, in reading order."""
        return tuple(p for p in self.passages if p.article.id == article_id)


@dataclass(frozen=True)
class RawArticle:
    """What a file reader produces before furniture removal and splitting."""

    id: str
    meta: Mapping[str, Any]
    body: str
    body_line: int = 1  # line of the file on which the body starts
    line: int | None = None  # line the record starts on, for files holding several articles
    meta_lines: Mapping[str, int] = field(default_factory=dict)  # file line of each meta key
    #: True when the whole body is on file line ``body_line`` (a JSON Lines record, whose
    #: paragraph breaks are ``\n`` escapes in one string): every paragraph cites that line.
    one_line: bool = False


class SkipFile(Exception):
    """Raised by a reader for a file that cannot be used; carries the line when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


#: A reader returns the file's articles; a :class:`SkipFile` in the list is a warning for one
#: record of a multi-article file (e.g. a bad JSON Lines line) while the other records load.
Reader = Callable[[Path, bytes], Sequence[RawArticle | SkipFile]]
