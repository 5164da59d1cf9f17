"""The ``eval`` command: measure answer quality on a question set or an IR test collection.

The measuring itself is :mod:`bot.quality.runner` (printed by :mod:`bot.quality.report`); this
module parses the options and chooses the settings variants to compare
(:mod:`bot.quality.variants`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.answer.answerer import Answerer
from bot.answer.filters import allowed_mask
from bot.cli.options import add_filter_arguments, filters_from_args
from bot.config.settings import load_settings
from bot.quality.datasets import (
    load_documents,
    load_qrels,
    load_queries,
    load_question_set,
)
from bot.quality.report import print_collection, print_questions
from bot.quality.runner import evaluate_collection, evaluate_questions
from bot.quality.variants import ABLATION, UsageError, Variant, parse_compare


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``eval`` subcommand (called by :mod:`bot.cli` for each of its command modules)."""
    parser = subparsers.add_parser(
        "eval",
        help="measure answer quality on a question set or an IR test collection",
        description="Measure answer quality on a question set or an IR test collection.",
        epilog=(
            "examples:\n"
            "  python -m bot eval tests/questions.yaml --ablation\n"
            "  python -m bot eval tests/questions.yaml --compare 'k1=0.9: retrieval.k1=0.9'\n"
            "  python -m bot eval --corpus docs.jsonl --queries queries.jsonl "
            "--qrels qrels.txt --json"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(func=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``eval`` options to *parser*."""
    parser.add_argument(
        "questions", nargs="?", type=Path, help="a YAML question set, e.g. tests/questions.yaml"
    )
    parser.add_argument("--corpus", type=Path, help="test-collection documents (JSON Lines)")
    parser.add_argument("--queries", type=Path, help="test-collection queries (JSON Lines)")
    parser.add_argument("--qrels", type=Path, help="test-collection judgements (TREC qrels)")
    parser.add_argument(
        "--config",
        dest="eval_config",
        metavar="PATH",
        type=Path,
        default=None,
        help="config file (default: $TALKS_BOT_CONFIG, ./config.yaml, or the checkout's)",
    )
    parser.add_argument(
        "--set",
        dest="eval_overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting for this run, e.g. --set retrieval.k1=0.9 (repeatable)",
    )
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        type=parse_compare,
        metavar='"NAME: K=V,K=V"',
        help="also evaluate with these overrides on top, one table row each (repeatable)",
    )
    parser.add_argument(
        "--ablation",
        action="store_true",
        help="compare against the standard ablation rows (stemming off, aliases off, ...)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")

    add_filter_arguments(parser)
    parser.add_argument(
        "--misses", type=int, default=30, metavar="N", help="show at most N misses (default 30)"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``eval`` from parsed arguments; returns the exit status.

    ``--config`` and ``--set`` may come before ``eval`` (the CLI's global options) or after it;
    overrides given after it apply last.

    Raises
    ------
    TalksBotError
        For bad input files or settings; :mod:`bot.cli` turns it into one line on stderr.
    """
    out = getattr(args, "stdout", None) or sys.stdout
    args.overrides = [*getattr(args, "overrides", []), *args.eval_overrides]
    args.config = args.eval_config or getattr(args, "config", None)
    collection = (args.corpus, args.queries, args.qrels)
    if any(collection):
        if not all(collection) or args.questions is not None:
            raise UsageError("give either a question set, or all of --corpus, --queries, --qrels")
        if filters_from_args(args):
            raise UsageError("--since/--until/--source apply to question sets, not collections")
    elif args.questions is None:
        raise UsageError(
            "give a question set (e.g. tests/questions.yaml) or --corpus/--queries/--qrels"
        )
    variants = [Variant("baseline", ())]
    variants += list(args.compare)
    if args.ablation:
        variants += [Variant(name, overrides) for name, overrides in ABLATION]
    base = tuple(args.overrides)
    settings = [load_settings(args.config, (*base, *v.overrides)) for v in variants]

    args.settings_note = _settings_note(args)
    if args.questions is not None:
        questions = load_question_set(args.questions)
        filters = filters_from_args(args)
        answered = [
            evaluate_questions(a, questions, allowed_mask(filters, a.corpus) if filters else None)
            for a in map(Answerer.from_settings, settings)
        ]
        print_questions(args, variants, answered, out)
    else:
        docs = load_documents(args.corpus)
        queries = load_queries(args.queries)
        qrels = load_qrels(args.qrels)
        ranked = [evaluate_collection(s, docs, queries, qrels) for s in settings]
        print_collection(args, variants, ranked, out)
    return 0


def _settings_note(args: argparse.Namespace) -> str:
    parts = []
    if args.config:
        parts.append(f"config {args.config}")
    if args.overrides:
        parts.append("--set " + " ".join(args.overrides))
    filters = filters_from_args(args)
    if filters:
        parts.append(f"only articles {filters.describe()}")
    return f" ({'; '.join(parts)})" if parts else ""
