"""Terminal rendering: answers, sources, timelines, "more context", feedback and tables.

Colour (ANSI) only when asked for, which the console does on a terminal; piped output is plain
text a script or a person can read. ``width`` wraps quoted text to a terminal's columns (the
caller measures the terminal; ``None`` leaves lines whole, for pipes and files). Wrapping knows
where the highlight codes go, so coloured text wraps as well as plain text.

Everything taken from an article passes through :mod:`bot.render.printable` (no control
character reaches the terminal) and a passage is shown as a window of at most ``quote_chars``
characters around its highlight (:func:`bot.render.excerpt.window`), whatever the loader let
through.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from bot.answer.answerer import Answer, AnsweredPassage
from bot.answer.context import Context
from bot.answer.timeline import Timeline, TimelineEntry
from bot.corpus.model import Article
from bot.render.citation import format_citation, format_date, iso_date, outlets
from bot.render.excerpt import snippet, window
from bot.render.printable import one_line, printable
from bot.render.wording import SOURCES_COMMAND, cut_notice, refusal
from bot.service.feedback import FeedbackSummary

BOLD_YELLOW = "\x1b[1;33m"
DIM = "\x1b[2m"
RESET = "\x1b[0m"
#: The most of one passage a terminal is shown when the caller does not say; front ends pass
#: ``corpus.max_passage_chars``, the length the loader cuts paragraphs to.
QUOTE_CHARS = 1200
INDENT = "    "
_WORD = re.compile(r"\S+")


def render_answer(
    answer: Answer,
    color: bool = False,
    width: int | None = None,
    sources_command: str = "cli",
    quote_chars: int = QUOTE_CHARS,
) -> str:
    """The whole answer as lines of text, ending with a newline.

    ``sources_command`` is the medium (a key of :data:`~bot.render.wording.SOURCES_COMMAND`)
    whose way of listing sources a refusal names.
    """
    notice = cut_notice(answer.asked_chars, answer.question)
    lines = [f"{'! ' if color else ''}{notice}"] if notice else []
    if not answer.answered:
        said = refusal(answer.reason, SOURCES_COMMAND[sources_command], answer.detail)
        lines.append(one_line(said))
        return "\n".join(lines) + "\n"
    for item in answer.passages:
        lines.extend(_render_passage(item, color, width, quote_chars))
        lines.append("")
    return "\n".join(lines)


def _render_passage(
    item: AnsweredPassage, color: bool, width: int | None, quote_chars: int
) -> list[str]:
    text, spans = window(printable(item.passage.text), item.highlights, quote_chars)
    head = f"[{item.rank}] "
    body = wrap(text, None if width is None else width - len(INDENT), spans, color)
    lines = [head + body[0], *(INDENT + line for line in body[1:])]
    citation = f"{INDENT}— {format_citation(item.passage)}"
    if item.passage.article.url:
        citation += f" <{one_line(item.passage.article.url)}>"
    lines.append(_dim(citation, color))
    for copy in item.copies:  # syndicated copies: the same text in other outlets
        lines.append(_dim(f"      also in {format_citation(copy)}", color))
    return lines


def wrap(
    text: str,
    width: int | None,
    spans: Sequence[tuple[int, int]] = (),
    color: bool = False,
) -> list[str]:
    """``text``'s words in lines of at most ``width`` characters (one line when ``None``);
    with ``color``, the characters inside ``spans`` are highlighted (codes do not count)."""
    lines: list[list[tuple[int, int]]] = [[]]
    used = 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        while width and end - start > width:  # a word longer than a line: cut it
            lines.append([(start, start + width)])
            lines.append([])
            start, used = start + width, 0
        if width and lines[-1] and used + 1 + end - start > width:
            lines.append([])
            used = 0
        used += (1 if lines[-1] else 0) + end - start
        lines[-1].append((start, end))
    lines = [line for line in lines if line] or [[]]
    return [_paint(text, line, spans, color) for line in lines]


def _paint(
    text: str, words: list[tuple[int, int]], spans: Sequence[tuple[int, int]], color: bool
) -> str:
    """One line: its words joined by single spaces, highlighted runs between colour codes."""
    pieces: list[tuple[str, bool]] = []
    for n, (start, end) in enumerate(words):
        if n:  # the space between two words is highlighted when the text there is
            pieces.append((" ", _inside(words[n - 1][1], spans)))
        cuts = sorted({start, end, *(p for s, e in spans for p in (s, e) if start < p < end)})
        pieces.extend((text[a:b], _inside(a, spans)) for a, b in pairwise(cuts))
    out: list[str] = []
    for piece, lit in pieces:
        out.append(f"{BOLD_YELLOW}{piece}{RESET}" if lit and color else piece)
    return "".join(out).replace(f"{RESET}{BOLD_YELLOW}", "")


def _inside(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _dim(line: str, color: bool) -> str:
    return f"{DIM}{line}{RESET}" if color else line


def render_sources(articles: Sequence[Article]) -> str:
    """One line per article, in the order given: date, title, source, link."""
    lines = []
    for article in articles:
        parts = [format_date(article.date) or "undated", article.title]
        if article.source:
            parts.append(article.source)
        if article.url:
            parts.append(article.url)
        lines.append(" · ".join(one_line(p) for p in parts))
    return "\n".join(lines) + "\n"


def timeline_line(entry: TimelineEntry) -> str:
    """``2024-03-15  "snippet" — Title — Outlet · 15 Mar 2024 · ¶1 (also in: …)``."""
    date = iso_date(entry.date) or "undated   "
    line = f"{date}  “{snippet(entry.passage.text, entry.highlights)}” — "
    line += format_citation(entry.passage)
    if entry.copies:
        line += f" (also in: {outlets(entry.copies)})"
    return line


def render_timeline(timeline: Timeline) -> str:
    """One line per entry, oldest first; the "no answer" message when there is none."""
    notice = cut_notice(timeline.asked_chars, timeline.topic)
    lines = [notice] if notice else []
    if not timeline.found:
        said = refusal(timeline.reason, SOURCES_COMMAND["cli"], timeline.detail)
        lines.append(one_line(said) or "Nothing in the articles about that.")
    else:
        lines.extend(timeline_line(e) for e in timeline.entries)
    return "\n".join(lines) + "\n"


def render_context(
    context: Context, width: int | None = None, quote_chars: int = QUOTE_CHARS
) -> str:
    """The paragraphs around the cited one, the cited one marked with ``»``."""
    head = format_citation(context.passages[0]).rsplit(" · ¶", 1)[0]
    lines = [
        f"{head} (paragraphs {context.passages[0].paragraph}–"
        f"{context.passages[-1].paragraph} of {context.total})"
    ]
    for p in context.passages:
        mark = "»" if p.paragraph == context.focus else " "
        first = f"{mark} ¶{p.label} "
        text, _ = window(printable(p.text), (), quote_chars)
        body = wrap(text, None if width is None else width - len(first))
        lines.append(first + body[0])
        lines.extend(" " * len(first) + line for line in body[1:])
    return "\n".join(lines) + "\n"


def render_feedback(summary: FeedbackSummary) -> str:
    """Totals, then the worst-rated questions with what was shown for them."""
    lines = [f"{summary.votes} vote(s): {summary.up} 👍, {summary.down} 👎"]
    if not summary.worst:
        lines.append("No question has a 👎 yet.")
    else:
        lines.append("Worst-rated questions (net score, 👎, 👍):")
        for q in summary.worst:
            lines.append(f"  {q.score:+d}  👎{q.down} 👍{q.up}  {one_line(q.question)}")
            if q.passages:
                lines.append(f"        shown: {one_line(', '.join(q.passages))}")
    lines.extend(f"warning: {one_line(str(w))}" for w in summary.warnings)
    return "\n".join(lines) + "\n"


def render_table(rows: Sequence[Sequence[str]], markdown: bool = False) -> str:
    """Rows as aligned columns, the first row a header: plain (two-space gaps, a dashed rule,
    indented two spaces) for a terminal, or a Markdown table to paste into docs."""
    cells = [[one_line(str(c)) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]

    def line(row: Sequence[str]) -> str:
        padded = [c.ljust(w) for c, w in zip(row, widths, strict=True)]
        return "| " + " | ".join(padded) + " |" if markdown else ("  " + "  ".join(padded)).rstrip()

    rule = (
        "|" + "|".join("-" * (w + 2) for w in widths) + "|"
        if markdown
        else "  " + "  ".join("-" * w for w in widths)
    )
    out = [line(cells[0]), rule, *(line(row) for row in cells[1:])]
    return "\n".join(out) + "\n"
