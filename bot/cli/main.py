"""Command line: ``python -m bot`` / ``talks-bot``.

One module per command, all listed in :data:`COMMAND_MODULES`; each exposes
``register(subparsers)`` and imports its heavy dependencies (the index, discord) only when run.
A command registered with ``set_defaults(handler=run)`` is called as ``run(args, settings)``
with the settings (and terminal logging) built here, once; one registered with
``set_defaults(func=run)`` is called as ``run(args)`` and reads its own settings, or none
(``init``, ``eval``, ``discord``). With no command, ``console`` runs.

Everything that goes wrong becomes one line on stderr and an exit status here
(:mod:`bot.cli.faults`), and nowhere else.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import re
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from bot import __version__
from bot.cli.faults import exit_with, guarded
from bot.cli.options import add_global_options
from bot.cli.runtime import load
from bot.render.printable import one_line

#: Modules that add subcommands, in the order ``--help`` lists them; each has
#: ``register(subparsers: argparse._SubParsersAction)``.
COMMAND_MODULES: tuple[str, ...] = (
    "bot.cli.console",
    "bot.cli.ask",
    "bot.cli.timeline",
    "bot.cli.sources",
    "bot.cli.check",
    "bot.cli.feedback",
    "bot.cli.init",
    "bot.cli.eval",
    "bot.quality.bench",
    "bot.cli.discord",
    "bot.cli.add",
    "bot.cli.feeds",
)

DEFAULT_COMMAND = "console"
#: argparse's message for an unknown command (other options' choices keep argparse's wording).
_INVALID_COMMAND = re.compile(
    r"^argument COMMAND: invalid choice: '(?P<typed>.*?)' \(choose from (?P<valid>.*)\)"
)


class Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line that says where the usage is, and a
    suggestion for a mistyped command (``sourcse``: did you mean 'sources'?)."""

    def error(self, message: str) -> NoReturn:
        choice = _INVALID_COMMAND.search(message)
        if choice:
            valid = re.findall(r"'([^']*)'", choice["valid"])
            close = difflib.get_close_matches(choice["typed"], valid, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            message = f"unknown command {choice['typed']!r}{hint}"
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="talks-bot",
        description="Cited answers from a news corpus: console, CLI and Discord bot.",
        epilog="With no command, the console starts. docs/cli.md describes every command.",
    )
    parser.add_argument("--version", action="version", version=f"talks-bot {__version__}")
    add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for action in sub._choices_actions:  # `talks-bot CMD --help` starts with what CMD does
        command = sub.choices[action.dest]
        command.description = command.description or action.help
    return parser


def main(
    argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    """Run the CLI on ``argv`` (the process's arguments when None); returns the exit status.

    ``stdin`` and ``stdout`` default to the process's streams; tests pass their own.
    """
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(arguments)
    if args.command is None:
        args = parser.parse_args([*arguments, DEFAULT_COMMAND])
    args.stdin = stdin or sys.stdin
    args.stdout = stdout or sys.stdout
    return guarded(lambda: _dispatch(args), args.stdout)


def _dispatch(args: argparse.Namespace) -> int:
    handler = getattr(args, "handler", None)
    if handler is not None:
        return int(handler(args, load(args)))
    return int(args.func(args) or 0)


def entry() -> None:
    """The ``talks-bot`` and ``python -m bot`` entry point: :func:`main`, then leave with its
    status (by the signal itself, when a signal stopped the run)."""
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show "…" gets "?"
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    exit_with(main())
