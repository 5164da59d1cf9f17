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
    """Consecutive paragraphs of one article around ``focus`` (a paragraph number)."""

    article: Article
    passages: tuple[Passage, ...]
    focus: int
    total: int  # paragraphs in the article


def context_around(corpus: Corpus, article_id: str, paragraph: int, radius: int = 1) -> Context:
    """Paragraph ``paragraph`` of the article and ``radius`` paragraphs either side.

    Raises
    ------
    ContextError
        When the article is not in the corpus or has no such paragraph.
    """
    passages = corpus.passages_of(article_id)
    if not passages:
        raise ContextError(f"The article {article_id!r} is no longer in the corpus.")
    if not 1 <= paragraph <= len(passages):
        raise ContextError(
            f"{passages[0].article.title!r} has paragraphs 1 to {len(passages)}, "
            f"not {paragraph}; the corpus may have changed."
        )
    radius = max(0, radius)
    lo, hi = max(1, paragraph - radius), min(len(passages), paragraph + radius)
    window = tuple(p for p in passages if lo <= p.paragraph <= hi)
    return Context(passages[0].article, window, paragraph, len(passages))
