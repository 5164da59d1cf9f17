"""``talks-bot check``: load the config and corpus as the bot would and print what it found.

Load problems (a file skipped, a paragraph cut) are printed here as ``warning:`` lines, each
naming the file, instead of being logged; ``--strict`` makes any warning exit 1, for CI.
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from bot.cli.faults import EXIT_FAILURE, EXIT_OK

if TYPE_CHECKING:
    from bot.config.settings import Settings

LABEL_WIDTH = 12


def register(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser("check", help="validate the config and corpus and print statistics")
    check.add_argument("--strict", action="store_true", help="exit 1 if there is any warning")
    check.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.runtime import make_service
    from bot.index.advice import engine_advice
    from bot.render.citation import iso_date
    from bot.render.printable import one_line

    logging.getLogger("bot.corpus.loader").setLevel(logging.ERROR)  # printed below instead
    summary = make_service(settings).summary()
    collapse = "on" if settings.collapse.enabled else "off"
    fields = [
        ("config", str(settings.source)),
        ("corpus", str(settings.corpus.path)),
        ("articles", str(len(summary.articles))),
        ("passages", str(summary.passages)),
        ("vocabulary", f"{summary.vocabulary} terms"),
    ]
    if summary.first_date and summary.last_date:
        fields.append(("dates", f"{iso_date(summary.first_date)} to {iso_date(summary.last_date)}"))
    fields.append(("engine", f"{summary.engine} ({settings.retrieval.algorithm})"))
    advice = engine_advice(settings.retrieval, summary.passages)
    fields.extend(("advice", line) for line in advice)
    fields.append(("semantic", _semantic_state(summary.semantic_model)))
    fields.append(
        (
            "duplicates",
            f"{summary.duplicates} passages are syndicated copies, in {summary.copy_groups} "
            f"groups (collapse {collapse})",
        )
    )
    for label, value in fields:
        args.stdout.write(f"{label + ':':<{LABEL_WIDTH}}{one_line(value)}\n")
    for warning in summary.warnings:
        args.stdout.write(f"warning: {one_line(str(warning))}\n")
    return EXIT_FAILURE if summary.warnings and args.strict else EXIT_OK


def _semantic_state(model: str | None) -> str:
    """Whether answers are re-ranked by a model, and if not, how to have them."""
    from bot.answer.semantic import available

    if model is not None:
        return f"on ({model})"
    if not available():
        return "off (not installed: pip install 'talks-bot[semantic]')"
    return "off (semantic.enabled, or TALKS_BOT_SEMANTIC=off)"
