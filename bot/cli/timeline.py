"""``talks-bot timeline``: the passages about a topic, one dated, cited line each, oldest first."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.options import add_filter_arguments, add_json_option, check_range, filters_from_args

if TYPE_CHECKING:
    from bot.config.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    timeline = sub.add_parser(
        "timeline", help="the passages about a topic, ordered by article date"
    )
    timeline.add_argument("topic", nargs="+", help="what to trace, e.g. the lagoon withdrawal")
    timeline.add_argument(
        "--limit", type=int, default=20, metavar="N", help="passages to list (1-50, default 20)"
    )
    add_json_option(timeline, "one JSON object")
    add_filter_arguments(timeline)
    timeline.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.answer.timeline import MAX_ENTRIES
    from bot.cli.runtime import make_service
    from bot.render.json import timeline_to_json
    from bot.render.text import render_timeline

    check_range("--limit", args.limit, 1, MAX_ENTRIES)
    filters = filters_from_args(args)
    timeline = make_service(settings).timeline(" ".join(args.topic), filters, args.limit)
    if args.json:
        args.stdout.write(timeline_to_json(timeline) + "\n")
    else:
        args.stdout.write(render_timeline(timeline))
    return 0
