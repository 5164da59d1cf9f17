"""Command line: ``python -m bot`` / ``talks-bot``.

Subcommands: ``console`` (the default way to try the bot), ``ask`` (one-shot, scriptable),
``check`` (validate config and corpus), plus those registered by other modules in
:data:`COMMAND_MODULES` (each exposes ``register(subparsers)`` and imports its heavy
dependencies, such as discord, only when run). Core exceptions become one line on stderr and a
non-zero exit status here, and nowhere else.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from bot import __version__
from bot.cli.options import add_filter_arguments, filters_from_args
from bot.cli.runtime import load, make_service
from bot.errors import TalksBotError

log = logging.getLogger(__name__)

#: Modules that add subcommands; each has ``register(subparsers: argparse._SubParsersAction)``.
COMMAND_MODULES: tuple[str, ...] = (
    "bot.quality.eval_runner",
    "bot.quality.bench",
    "bot.cli.news",
    "bot.cli.discord",
)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="talks-bot",
        description="Cited answers from a news corpus: console, CLI and Discord bot.",
    )
    parser.add_argument("--version", action="version", version=f"talks-bot {__version__}")
    parser.add_argument(
        "--config", metavar="PATH", help="config file (default: config.yaml at the repo root)"
    )
    parser.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        dest="overrides",
        help="override a config setting, e.g. --set answer.top_k=5 (repeatable)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    console = sub.add_parser("console", help="ask questions interactively (or one per line)")
    console.set_defaults(func=run_console)

    ask = sub.add_parser("ask", help="answer one question and exit")
    ask.add_argument("question", nargs="+", help='the question, or "-" to read one per line')
    ask.add_argument("--top", type=int, metavar="K", help="passages to quote (default: config)")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    add_filter_arguments(ask)
    ask.set_defaults(func=run_ask)

    check = sub.add_parser("check", help="validate the config and corpus and print statistics")
    check.add_argument("--strict", action="store_true", help="treat corpus warnings as errors")
    check.set_defaults(func=run_check)

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(
    argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    """Run the CLI; returns the exit status (``sys.exit(main())``)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "console"])
    args.stdin, args.stdout = stdin, stdout
    try:
        return int(args.func(args) or 0)
    except TalksBotError as exc:
        print(f"talks-bot: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `talks-bot ask ... | head -1`
        return EXIT_OK


# --------------------------------------------------------------------------- commands


def run_console(args: argparse.Namespace) -> int:
    from bot.frontends.console.console import Console

    settings = load(args)
    service = make_service(settings)
    color = {"always": True, "never": False}.get(settings.console.color)
    console = Console(
        service,
        stdin=args.stdin,
        stdout=args.stdout,
        color=color,
        history_file=settings.console.history_file,
    )
    return console.run()


def run_ask(args: argparse.Namespace) -> int:
    from bot.render.json import answer_to_json
    from bot.render.text import render_answer

    settings = load(args)
    if args.top is not None and not 1 <= args.top <= 10:
        raise TalksBotError("--top must be between 1 and 10")
    filters = filters_from_args(args)
    service = make_service(settings)
    if args.question == ["-"]:
        questions = (line.rstrip("\n") for line in args.stdin if line.strip())
    else:
        questions = iter([" ".join(args.question)])
    for question in questions:
        answer = service.answer(question, top_k=args.top, filters=filters)
        if args.json:
            args.stdout.write(answer_to_json(answer) + "\n")
        else:
            args.stdout.write(render_answer(answer))
        args.stdout.flush()
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    from bot.index.advice import engine_advice

    settings = load(args)
    logging.getLogger("bot.corpus.loader").setLevel(logging.ERROR)  # printed below instead
    answerer = make_service(settings).answerer
    corpus = answerer.corpus
    vocabulary = answerer.engine.vocabulary()  # terms of the paragraph text
    dates = sorted(a.date for a in corpus.articles if a.date)
    out = args.stdout
    out.write(f"config:     {settings.source}\n")
    out.write(f"corpus:     {settings.corpus.path}\n")
    out.write(f"articles:   {len(corpus.articles)}\n")
    out.write(f"passages:   {len(corpus.passages)}\n")
    out.write(f"vocabulary: {len(vocabulary)} terms\n")
    if dates:
        out.write(f"dates:      {dates[0].isoformat()} to {dates[-1].isoformat()}\n")
    out.write(f"engine:     {answerer.engine.name} ({settings.retrieval.algorithm})\n")
    for advice in engine_advice(settings.retrieval, len(corpus.passages)):
        out.write(f"advice:     {advice}\n")
    copies = answerer.copies
    out.write(
        f"duplicates: {copies.duplicates} passages are syndicated copies, in "
        f"{len(copies.groups)} groups (collapse {'on' if settings.collapse.enabled else 'off'})\n"
    )
    for warning in corpus.warnings:
        out.write(f"warning: {warning}\n")
    if corpus.warnings and args.strict:
        return EXIT_FAILURE
    return EXIT_OK
