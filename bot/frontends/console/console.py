"""The console: ask questions from a terminal, no Discord token needed.

On a terminal it is an interactive prompt with readline history and coloured highlights; with
piped input it answers one question per line in plain text and exits 0 at end of input. Streams
are injected (:class:`Console` takes them) so tests drive it exactly like a pipe or a terminal.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.answer.answerer import Answer
from bot.answer.filters import FilterError, parse_inline
from bot.render.text import render_answer, render_sources
from bot.service.answer_service import AnswerService

log = logging.getLogger(__name__)

HELP = """\
Ask a question about the articles, for example:
  Where did Trump and Kim hold their first summit?
  What did Bolton say about a second meeting?
Commands:
  :help      this help
  :sources   the articles I know
  :reload    re-read the corpus (questions keep being answered from the old one meanwhile)
  :quit      leave (or Ctrl-D)
"""

Command = Callable[["Console", str], None]


@dataclass
class Console:
    """A question loop over injected streams."""

    service: AnswerService
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    interactive: bool | None = None
    color: bool | None = None
    history_file: Path | None = None
    commands: dict[str, Command] = field(default_factory=dict)
    #: The answer shown last (for ``:more`` and ``:good``/``:bad``).
    last_answer: Answer | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.interactive is None:
            self.interactive = _isatty(self.stdin) and _isatty(self.stdout)
        if self.color is None:
            self.color = bool(self.interactive)
        self.commands = {**default_commands(), **self.commands}

    def run(self) -> int:
        """Answer until end of input or ``:quit``; returns the exit status."""
        if self.interactive:
            return self._run_interactive()
        for line in self.stdin:
            if not self.handle(line):
                break
        return 0

    def handle(self, line: str) -> bool:
        """Answer one line or run one command; False means stop."""
        text = line.strip()
        if not text:
            return True
        if text.startswith(":"):
            name, _, arg = text[1:].partition(" ")
            if name in ("quit", "q", "exit"):
                return False
            command = self.commands.get(name)
            if command is None:
                self.write(f"Unknown command :{name}. Type :help for the list.\n")
            else:
                command(self, arg.strip())
            return True
        try:
            filters, question = parse_inline(text)  # since:/until:/source: before the question
            answer = self.service.answer(question, filters=filters)
        except FilterError as exc:
            self.write(f"{exc}\n")
            return True
        self.last_answer = answer
        if not self.interactive:
            self.write(f"Q: {answer.question}\n")
        self.write(render_answer(answer, color=bool(self.color), sources_command="console"))
        if not self.interactive:
            self.write("\n")
        return True

    def write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _run_interactive(self) -> int:
        summary = self.service.summary()
        self.write(
            f"talks-bot: {len(summary.articles)} article(s), {summary.passages} passages. "
            "Ask a question, or :help.\n"
        )
        # New article files are picked up while the console runs; the notice waits for the
        # next prompt so it never lands in the middle of what the user is typing.
        notices: queue.SimpleQueue[str] = queue.SimpleQueue()
        watcher = self.service.watch(lambda result: notices.put(result.describe()))
        try:
            with _readline_history(self.history_file):
                while True:
                    while not notices.empty():
                        self.write(f"({notices.get()})\n")
                    try:
                        line = input("ask> ")
                    except EOFError:
                        self.write("\n")
                        return 0
                    except KeyboardInterrupt:
                        self.write("\n")
                        continue
                    if not self.handle(line):
                        return 0
        finally:
            if watcher is not None:
                watcher.stop()


def default_commands() -> dict[str, Command]:
    from bot.frontends.console.commands import HELP as NEWS_HELP
    from bot.frontends.console.commands import news_commands

    return {
        **news_commands(),
        "help": lambda console, _arg: console.write(HELP + NEWS_HELP),
        "sources": lambda console, _arg: console.write(render_sources(console.service.sources())),
        "reload": lambda console, _arg: console.write(console.service.reload().describe() + "\n"),
    }


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def _readline_history(path: Path | None):  # type: ignore[no-untyped-def]
    """Load and save readline history when readline and a history file are available."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        yield
        return
    if path is not None:
        with contextlib.suppress(OSError):
            readline.read_history_file(path)
    try:
        yield
    finally:
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                readline.set_history_length(1000)
                readline.write_history_file(path)
            except OSError as exc:
                log.debug("cannot save console history to %s: %s", path, exc)
