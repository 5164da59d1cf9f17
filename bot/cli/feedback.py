"""``talks-bot feedback``: the 👍/👎 totals and the worst-rated questions, from the vote log."""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING

from bot.cli.options import check_range

if TYPE_CHECKING:
    from bot.config.settings import Settings

MAX_TOP = 1000


def register(sub: argparse._SubParsersAction) -> None:
    feedback = sub.add_parser("feedback", help="summarise 👍/👎 votes: the worst-rated questions")
    feedback.add_argument(
        "--top", type=int, default=10, metavar="N", help="questions to list (default 10)"
    )
    feedback.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.render.printable import one_line
    from bot.render.text import render_feedback
    from bot.service.feedback import FeedbackLog, summarise

    check_range("--top", args.top, 1, MAX_TOP)
    log = FeedbackLog.from_settings(settings)
    records, warnings = log.read()
    summary = dataclasses.replace(summarise(records, args.top), warnings=tuple(warnings))
    args.stdout.write(f"log: {one_line(str(log.path))}\n")
    args.stdout.write(render_feedback(summary))
    return 0
