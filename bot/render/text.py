"""Terminal rendering: quoted passages with citations, the answering sentence highlighted.

Colour (ANSI) only when asked for, which the console does on a terminal; piped output is plain
text a script or a person can read.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from bot.answer.answerer import Answer, AnsweredPassage
from bot.corpus.model import Article
from bot.render.citation import format_citation, format_date
from bot.render.wording import SOURCES_COMMAND, cut_notice, refusal

BOLD_YELLOW = "\x1b[1;33m"
DIM = "\x1b[2m"
RESET = "\x1b[0m"


def render_answer(
    answer: Answer, color: bool = False, width: int = 88, sources_command: str = "cli"
) -> str:
    """The whole answer as lines of text, ending with a newline.

    ``sources_command`` is the medium (a key of :data:`~bot.render.wording.SOURCES_COMMAND`)
    whose way of listing sources a refusal names.
    """
    notice = cut_notice(answer.asked_chars, len(answer.question))
    lines = [f"{'! ' if color else ''}{notice}"] if notice else []
    if not answer.answered:
        lines.append(refusal(answer.reason, SOURCES_COMMAND[sources_command], answer.detail))
        return "\n".join(lines) + "\n"
    for item in answer.passages:
        lines.extend(_render_passage(item, color, width))
        lines.append("")
    return "\n".join(lines)


def _render_passage(item: AnsweredPassage, color: bool, width: int) -> list[str]:
    body = _highlight(item.passage.text, item.highlights, color)
    # ANSI codes would throw textwrap's widths off; a terminal wraps coloured lines itself.
    wrapped = [body] if color else textwrap.wrap(body, width=width - 4)
    head = f"[{item.rank}] "
    lines = [head + wrapped[0], *("    " + w for w in wrapped[1:])]
    citation = f"    — {format_citation(item.passage)}"
    if item.passage.article.url:
        citation += f" <{item.passage.article.url}>"
    lines.append(f"{DIM}{citation}{RESET}" if color else citation)
    for copy in item.copies:  # syndicated copies: the same text in other outlets
        also = f"      also in {format_citation(copy)}"
        lines.append(f"{DIM}{also}{RESET}" if color else also)
    return lines


def _highlight(text: str, spans: Sequence[tuple[int, int]], color: bool) -> str:
    out, pos = [], 0
    for start, end in sorted(spans):
        out.append(text[pos:start])
        out.append(f"{BOLD_YELLOW}{text[start:end]}{RESET}" if color else text[start:end])
        pos = end
    out.append(text[pos:])
    return " ".join("".join(out).split())


def render_sources(articles: Sequence[Article]) -> str:
    """One line per article, in the order given: date, title, source, link."""
    lines = []
    for article in articles:
        parts = [format_date(article.date) or "undated", article.title]
        if article.source:
            parts.append(article.source)
        if article.url:
            parts.append(article.url)
        lines.append(" · ".join(parts))
    return "\n".join(lines) + "\n"
