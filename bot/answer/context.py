"""More context: the paragraphs around a cited one, for "show me more of that article".

Front ends refer to a passage by article id and paragraph number (both stable across restarts
and reloads, unlike positions in the corpus), so a "More context" button made yesterday still
works today -- or says politely that the article has gone.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.corpus.model import Article, Corpus, Passage
from bot.errors import TalksBotError


class ContextError(TalksBotError):
    """The passage asked about is not in the corpus (any more)."""


@dataclass(frozen=True)
class Context:
    """Consecutive passages of one article around ``focus`` (a paragraph number)."""

    article: Article
    passages: tuple[Passage, ...]
    focus: int
    total: int  # paragraphs in the article


def context_around(
    corpus: Corpus, article_id: str, paragraph: int, radius: int = 1, part: int = 0
) -> Context:
    """The passage citing ``paragraph`` (its ``part``, for a long paragraph cut in parts) and
    ``radius`` passages either side.

    The window counts passages, not paragraph numbers: a paragraph cut into thousands of parts
    (a huge scraped line) still gives a window of ``2 * radius + 1`` passages.

    Raises
    ------
    ContextError
        When the article is not in the corpus or has no such paragraph.
    """
    passages = corpus.passages_of(article_id)
    if not passages:
        raise ContextError(f"The article {article_id!r} is no longer in the corpus.")
    total = passages[-1].paragraph
    at = _position(passages, paragraph, part)
    if at is None:
        raise ContextError(
            f"{passages[0].article.title!r} has paragraphs 1 to {total}, "
            f"not {paragraph}; the corpus may have changed."
        )
    radius = max(0, radius)
    window = passages[max(0, at - radius) : at + radius + 1]
    return Context(passages[0].article, window, paragraph, total)


def _position(passages: tuple[Passage, ...], paragraph: int, part: int) -> int | None:
    """Index of the passage citing ``paragraph`` (and ``part``, else its first part)."""
    first = None
    for i, p in enumerate(passages):
        if p.paragraph == paragraph:
            if p.part == part:
                return i
            if first is None:
                first = i
    return first
