"""CLI for the news features: ``timeline`` and ``feedback`` subcommands, and the
``--since/--until/--source`` flags shared by ``ask``, ``timeline`` and ``eval``.

Registered through :data:`bot.cli.COMMAND_MODULES`. Core errors (a bad date, an unknown
outlet) are :class:`~bot.errors.TalksBotError` and become one line on stderr in
:func:`bot.cli.main`.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING

from bot.cli.options import add_filter_arguments, filters_from_args

if TYPE_CHECKING:
    pass


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    timeline = sub.add_parser(
        "timeline", help="the passages about a topic, ordered by article date"
    )
    timeline.add_argument("topic", nargs="+", help="what to trace, e.g. the lagoon withdrawal")
    timeline.add_argument(
        "--limit", type=int, default=20, metavar="N", help="passages to list (1-50, default 20)"
    )
    timeline.add_argument("--json", action="store_true", help="print one JSON object")
    add_filter_arguments(timeline)
    timeline.set_defaults(func=run_timeline)

    feedback = sub.add_parser("feedback", help="summarise 👍/👎 votes: the worst-rated questions")
    feedback.add_argument(
        "--top", type=int, default=10, metavar="N", help="questions to list (default 10)"
    )
    feedback.set_defaults(func=run_feedback)


def run_timeline(args: argparse.Namespace) -> int:
    from bot.answer.timeline import MAX_ENTRIES
    from bot.cli.runtime import load, make_service
    from bot.errors import TalksBotError
    from bot.render.json import timeline_to_json
    from bot.render.text import render_timeline

    if not 1 <= args.limit <= MAX_ENTRIES:
        raise TalksBotError(f"--limit must be between 1 and {MAX_ENTRIES}")
    filters = filters_from_args(args)
    settings = load(args)
    service = make_service(settings)
    timeline = service.timeline(" ".join(args.topic), filters, args.limit)
    if args.json:
        args.stdout.write(timeline_to_json(timeline) + "\n")
    else:
        args.stdout.write(render_timeline(timeline))
    return 0


def run_feedback(args: argparse.Namespace) -> int:
    from bot.cli.runtime import load
    from bot.render.text import render_feedback
    from bot.service.feedback import FeedbackLog, summarise

    settings = load(args)
    log = FeedbackLog.from_settings(settings)
    records, warnings = log.read()
    summary = dataclasses.replace(summarise(records, args.top), warnings=tuple(warnings))
    args.stdout.write(f"log: {log.path}\n")
    args.stdout.write(render_feedback(summary))
    return 0
