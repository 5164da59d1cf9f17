"""Command-line options shared by several commands: ``--since``, ``--until``, ``--source``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.answer.filters import Filters


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
        help="only articles from this outlet (repeatable; see the sources command)",
    )


def filters_from_args(args: argparse.Namespace) -> Filters:
    """The :class:`Filters` the flags ask for (empty when none was given)."""
    from bot.answer.filters import make_filters

    return make_filters(
        getattr(args, "since", None), getattr(args, "until", None), getattr(args, "source", ())
    )
