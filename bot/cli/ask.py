"""``talks-bot ask``: answer one question (or one per line of stdin) and exit; ``--json`` for
scripts."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot.cli.options import (
    add_filter_arguments,
    add_json_option,
    add_width_option,
    check_range,
    filters_from_args,
)

if TYPE_CHECKING:
    from bot.config.settings import Settings

#: ``--top`` bounds (answer.top_k has the same).
MIN_TOP, MAX_TOP = 1, 10


def register(sub: argparse._SubParsersAction) -> None:
    ask = sub.add_parser("ask", help="answer one question and exit")
    ask.add_argument("question", nargs="+", help='the question, or "-" to read one per line')
    ask.add_argument(
        "--top", type=int, metavar="K", help="passages to quote, 1-10 (default: answer.top_k)"
    )
    add_json_option(ask, "one JSON object per question")
    add_width_option(ask)
    add_filter_arguments(ask)
    ask.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.runtime import make_service, output_width
    from bot.render.json import answer_to_json
    from bot.render.text import render_answer

    if args.top is not None:
        check_range("--top", args.top, MIN_TOP, MAX_TOP)
    width = output_width(args)
    filters = filters_from_args(args)
    service = make_service(settings)
    quote_chars = settings.corpus.max_passage_chars
    for question in _questions(args):
        answer = service.answer(question, top_k=args.top, filters=filters)
        if args.json:
            args.stdout.write(answer_to_json(answer) + "\n")
        else:
            args.stdout.write(render_answer(answer, width=width, quote_chars=quote_chars))
        args.stdout.flush()
    return 0


def _questions(args: argparse.Namespace) -> Iterator[str]:
    """The question on the command line, or each line of stdin for ``-``: blank lines too
    (answered ``empty_question``), so a script can pair each answer with the line it asked."""
    if args.question == ["-"]:
        yield from (line.rstrip("\r\n") for line in args.stdin)
    else:
        yield " ".join(args.question)
