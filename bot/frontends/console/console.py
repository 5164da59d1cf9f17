"""The console: ask questions from a terminal, no Discord token needed.

On a terminal it is an interactive prompt with readline history, coloured highlights and text
wrapped at the window's width; with piped input it answers one question per line in plain,
unwrapped text and exits 0 at end of input. Streams are injected (:class:`Console` takes them)
so tests drive it exactly like a pipe or a terminal.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.answer.answerer import Answer
from bot.answer.filters import FilterError, parse_inline
from bot.frontends.console.commands import Command, default_commands
from bot.frontends.console.terminal import isatty, terminal_width
from bot.render.printable import one_line
from bot.render.text import render_answer
from bot.service.answer_service import AnswerService

log = logging.getLogger(__name__)


@dataclass
class Console:
    """A question loop over injected streams (a :class:`~.commands.Session` for commands)."""

    service: AnswerService
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    interactive: bool | None = None
    color: bool | None = None
    history_file: Path | None = None
    commands: dict[str, Command] = field(default_factory=dict)
    #: Columns to wrap at; None: the terminal's width when interactive, else no wrapping.
    wrap_width: int | None = None
    #: The answer shown last (for ``:more`` and ``:good``/``:bad``).
    last_answer: Answer | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.interactive is None:
            self.interactive = isatty(self.stdin) and isatty(self.stdout)
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
                self.write(f"Unknown command :{one_line(name)}. Type :help for the list.\n")
            else:
                command(self, arg.strip())
            return True
        try:
            filters, question = parse_inline(text)  # since:/until:/source: before the question
            answer = self.service.answer(question, filters=filters)
        except FilterError as exc:
            self.write(f"{one_line(str(exc))}\n")
            return True
        self.last_answer = answer
        if not self.interactive:
            self.write(f"Q: {one_line(answer.question)}\n")
        self.write(
            render_answer(
                answer,
                color=bool(self.color),
                width=self.width(),
                sources_command="console",
                quote_chars=self.quote_chars(),
            )
        )
        if not self.interactive:
            self.write("\n")
        return True

    def write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def width(self) -> int | None:
        """The columns to wrap at now (a terminal is measured each time: it may be resized)."""
        if self.wrap_width is not None:
            return self.wrap_width or None
        return terminal_width(self.stdout) if self.interactive else None

    def quote_chars(self) -> int:
        """The most of one passage to show: the length the loader cuts paragraphs to."""
        return self.service.settings.corpus.max_passage_chars

    def _run_interactive(self) -> int:
        summary = self.service.summary()
        self.write(
            f"talks-bot: {len(summary.articles)} article(s), {summary.passages} passages. "
            "Ask a question, or :help.\n"
        )
        with self._watching() as notices, _readline_history(self.history_file):
            while True:
                while not notices.empty():
                    self.write(f"({one_line(notices.get())})\n")
                try:
                    line = input("ask> ")
                except EOFError:
                    self.write("\n")
                    return 0
                except KeyboardInterrupt:  # Ctrl-C at the prompt: a fresh prompt, as in a shell
                    self.write("\n")
                    continue
                try:
                    if not self.handle(line):
                        return 0
                except KeyboardInterrupt:  # Ctrl-C while answering: drop that question only
                    self.write("\n(interrupted)\n")

    @contextlib.contextmanager
    def _watching(self) -> Iterator[queue.SimpleQueue[str]]:
        """Reload when article files change while the console runs; the notices wait in the
        queue for the next prompt, so they never land in the middle of what the user types."""
        notices: queue.SimpleQueue[str] = queue.SimpleQueue()
        watcher = self.service.watch(lambda result: notices.put(result.describe()))
        try:
            yield notices
        finally:
            if watcher is not None:
                watcher.stop()


@contextlib.contextmanager
def _readline_history(path: Path | None) -> Iterator[None]:
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
