"""``talks-bot console`` (the default command): ask questions interactively, or one per line
through a pipe."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.options import add_width_option

if TYPE_CHECKING:
    from bot.config.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    console = sub.add_parser(
        "console",
        help="ask questions interactively (or one per line through a pipe); the default",
    )
    add_width_option(console)
    console.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.runtime import checked_width, make_service
    from bot.frontends.console.console import Console

    width = checked_width(args)
    color = {"always": True, "never": False}.get(settings.console.color)
    console = Console(
        make_service(settings),
        stdin=args.stdin,
        stdout=args.stdout,
        color=color,
        history_file=settings.console.history_file,
        wrap_width=width,
    )
    return console.run()
