"""The console's ``:`` commands: ``:help``, ``:sources``, ``:reload``, ``:more N``,
``:timeline`` and ``:good`` / ``:bad``.

Each is a ``(session, argument)`` handler. A handler sees the console only through the
:class:`Session` protocol (write, the service, the answer shown last, the width to wrap at), so
this module does not import the console and the console imports it: one direction, no cycle.
Handlers never raise for user input; they write what went wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from bot.answer.answerer import Answer
from bot.answer.context import ContextError
from bot.answer.filters import parse_inline
from bot.errors import TalksBotError
from bot.render.text import render_context, render_sources, render_timeline
from bot.service.answer_service import AnswerService
from bot.service.feedback import FeedbackLog

log = logging.getLogger(__name__)

HELP = """\
Ask a question about the articles, for example:
  Where did Trump and Kim hold their first summit?
  What did Bolton say about a second meeting?
  since:2024-03-01 until:2024-06 source:"The Vell Courier" <question>
             filters typed before a question (dates YYYY-MM-DD, YYYY-MM or YYYY)
Commands:
  :help      this help
  :sources   the articles I know
  :more N    the paragraphs around passage N of the last answer
  :timeline <topic>   passages about a topic in date order (filters allowed)
  :good / :bad        rate the last answer (logged without your name)
  :reload    re-read the corpus (questions keep being answered from the old one meanwhile)
  :quit      leave (or Ctrl-D)
"""


class Session(Protocol):
    """What a command may use of the console it runs in."""

    service: AnswerService
    last_answer: Answer | None

    def write(self, text: str) -> None: ...

    def width(self) -> int | None: ...

    def quote_chars(self) -> int: ...


Command = Callable[[Session, str], None]


def default_commands() -> dict[str, Command]:
    """Every ``:`` command by name (``:quit`` is the console's own)."""
    return {
        "help": lambda session, _arg: session.write(HELP),
        "sources": lambda session, _arg: session.write(render_sources(session.service.sources())),
        "reload": lambda session, _arg: session.write(session.service.reload().describe() + "\n"),
        "more": more,
        "timeline": timeline,
        "good": lambda session, _arg: vote(session, "up"),
        "bad": lambda session, _arg: vote(session, "down"),
    }


def more(session: Session, arg: str) -> None:
    """``:more N``: paragraphs around passage N (default 1) of the last answer."""
    answer = session.last_answer
    if answer is None or not answer.passages:
        session.write("Ask a question first; :more N shows more of passage N of the answer.\n")
        return
    try:
        n = int(arg or "1")
    except ValueError:
        n = 0
    if not 1 <= n <= len(answer.passages):
        session.write(f"Passage number must be 1 to {len(answer.passages)}.\n")
        return
    passage = answer.passages[n - 1].passage
    try:
        context = session.service.context(passage.article.id, passage.paragraph, part=passage.part)
    except ContextError as exc:
        session.write(f"{exc}\n")
        return
    session.write(render_context(context, session.width(), session.quote_chars()))


def timeline(session: Session, arg: str) -> None:
    """``:timeline [filters] topic``."""
    try:
        filters, topic = parse_inline(arg)
        session.write(render_timeline(session.service.timeline(topic, filters)))
    except TalksBotError as exc:
        session.write(f"{exc}\n")


def vote(session: Session, value: str) -> None:
    """Log 👍/👎 for the last answer: the question and the passage ids, never a name."""
    answer = session.last_answer
    if answer is None:
        session.write("Ask a question first, then rate the answer with :good or :bad.\n")
        return
    log_file = FeedbackLog.from_settings(session.service.settings)
    try:
        log_file.record(
            answer.question,
            [p.passage.id for p in answer.passages],
            value,
            frontend="console",
        )
    except TalksBotError as exc:
        session.write(f"{exc}\n")
        return
    session.write("Thanks, noted.\n")
