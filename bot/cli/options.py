"""Command-line options, each declared once: the global ``--config``/``--set``, the filters
``--since``/``--until``/``--source``, ``--json``, ``--width``, and the range check for numbers.

Commands add the ones they take with these functions, so a flag is spelt, explained and
validated the same way everywhere.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.errors import TalksBotError

if TYPE_CHECKING:
    from bot.answer.filters import Filters


class UsageError(TalksBotError):
    """A command-line value the command cannot use (exit status 2, one line)."""


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """``--config`` and (repeatable) ``--set``, given before the command."""
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $TALKS_BOT_CONFIG, ./config.yaml, or the checkout's)",
    )
    parser.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        dest="overrides",
        help="override a config setting, e.g. --set answer.top_k=5 (repeatable)",
    )


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """``--since``, ``--until`` and (repeatable) ``--source``."""
    group = parser.add_argument_group("filters (applied inside retrieval)")
    group.add_argument(
        "--since",
        metavar="DATE",
        help="only articles from this date on (YYYY-MM-DD, YYYY-MM, YYYY)",
    )
    group.add_argument("--until", metavar="DATE", help="only articles up to this date (inclusive)")
    group.add_argument(
        "--source",
        metavar="OUTLET",
        action="append",
        default=[],
        help="only articles from this outlet (repeatable; `talks-bot sources` lists them)",
    )


def filters_from_args(args: argparse.Namespace) -> Filters:
    """The :class:`Filters` the flags ask for (empty when none was given)."""
    from bot.answer.filters import make_filters

    return make_filters(
        getattr(args, "since", None), getattr(args, "until", None), getattr(args, "source", ())
    )


def add_json_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--json``: machine-readable output (the contract is in docs/cli.md)."""
    parser.add_argument("--json", action="store_true", help=f"print {what} (see docs/cli.md)")


def add_width_option(parser: argparse.ArgumentParser) -> None:
    """``--width N``: wrap at N columns (0: never); by default a terminal's width, through a
    pipe no wrapping."""
    parser.add_argument(
        "--width",
        type=int,
        metavar="N",
        help="wrap text at N columns, 0 for never (default: the terminal's width; "
        "no wrapping through a pipe)",
    )


def check_range(flag: str, value: int, low: int, high: int) -> int:
    """``value`` if ``low <= value <= high``; else a :class:`UsageError` naming ``flag``."""
    if not low <= value <= high:
        raise UsageError(f"{flag} must be between {low} and {high} (got {value})")
    return value
