"""Console commands for the news features: ``:more N``, ``:timeline``, ``:good`` / ``:bad``.

Each is a ``(console, argument)`` handler merged into the console's ``commands``; they read
``console.last_answer`` (the answer shown last) and never raise for user input.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.answer.context import ContextError
from bot.answer.filters import parse_inline
from bot.errors import TalksBotError
from bot.render.text import render_context, render_timeline
from bot.service.feedback import FeedbackLog

if TYPE_CHECKING:
    from bot.frontends.console.console import Command, Console

log = logging.getLogger(__name__)

HELP = """\
News commands:
  since:2024-03-01 until:2024-06 source:"The Vell Courier" <question>
             filters typed before a question (dates YYYY-MM-DD, YYYY-MM or YYYY)
  :more N    the paragraphs around passage N of the last answer
  :timeline <topic>   passages about a topic in date order (filters allowed)
  :good / :bad        rate the last answer (logged without your name)
"""


def news_commands() -> dict[str, Command]:
    return {
        "more": more,
        "timeline": timeline,
        "good": lambda console, _arg: vote(console, "up"),
        "bad": lambda console, _arg: vote(console, "down"),
    }


def more(console: Console, arg: str) -> None:
    """``:more N``: paragraphs around passage N (default 1) of the last answer."""
    answer = console.last_answer
    if answer is None or not answer.passages:
        console.write("Ask a question first; :more N shows more of passage N of the answer.\n")
        return
    try:
        n = int(arg or "1")
    except ValueError:
        n = 0
    if not 1 <= n <= len(answer.passages):
        console.write(f"Passage number must be 1 to {len(answer.passages)}.\n")
        return
    passage = answer.passages[n - 1].passage
    try:
        context = console.service.context(passage.article.id, passage.paragraph)
    except ContextError as exc:
        console.write(f"{exc}\n")
        return
    console.write(render_context(context))


def timeline(console: Console, arg: str) -> None:
    """``:timeline [filters] topic``."""
    try:
        filters, topic = parse_inline(arg)
        console.write(render_timeline(console.service.timeline(topic, filters)))
    except TalksBotError as exc:
        console.write(f"{exc}\n")


def vote(console: Console, value: str) -> None:
    """Log 👍/👎 for the last answer: the question and the passage ids, never a name."""
    answer = console.last_answer
    if answer is None:
        console.write("Ask a question first, then rate the answer with :good or :bad.\n")
        return
    log_file = FeedbackLog.from_settings(console.service.settings)
    try:
        log_file.record(
            answer.question,
            [p.passage.id for p in answer.passages],
            value,
            frontend="console",
        )
    except TalksBotError as exc:
        console.write(f"{exc}\n")
        return
    console.write("Thanks, noted.\n")
