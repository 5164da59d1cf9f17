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
    """One article paragraph: the unit that is retrieved, quoted and cited.

    ``paragraph`` counts article paragraphs from 1 in reading order, skipping headings, captions
    and furniture, so "¶5" points a reader to the fifth paragraph of the article's text.
    ``text`` is exactly as in the file; ``section`` is the heading the paragraph sits under.
    """

    article: Article
    paragraph: int
    text: str
    section: str | None = None
    line: int = 0

    @property
    def id(self) -> str:
        return f"{self.article.id}#{self.paragraph}"


@dataclass(frozen=True)
class LoadWarning:
    """A problem with one file; the file was skipped (or, for minor ones, loaded anyway)."""

    path: Path
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"


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


class SkipFile(Exception):
    """Raised by a reader for a file that cannot be used; carries the line when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


#: A reader returns the file's articles; a :class:`SkipFile` in the list is a warning for one
#: record of a multi-article file (e.g. a bad JSON Lines line) while the other records load.
Reader = Callable[[Path, bytes], Sequence[RawArticle | SkipFile]]
