"""What every CLI command needs before it runs: settings, terminal logging and the service."""

from __future__ import annotations

import argparse
import logging

from bot.config import Settings, load_settings

log = logging.getLogger(__name__)


def load(args: argparse.Namespace) -> Settings:
    """Settings for a subcommand, with logging configured from them."""
    settings = load_settings(args.config, args.overrides)
    configure_logging(settings.log_level)
    return settings


def configure_logging(level: str) -> None:
    """Plain stderr logging for the terminal commands (Discord uses discord.utils.setup_logging).

    A person at a terminal wants answers, not index-building chatter: these commands show
    warnings and errors, and everything only when ``log_level`` is DEBUG.
    """
    number = logging.DEBUG if level == "DEBUG" else max(logging.WARNING, getattr(logging, level))
    logging.basicConfig(level=number, format="%(levelname)s %(name)s: %(message)s")


def make_service(settings: Settings):  # type: ignore[no-untyped-def]
    """Load the corpus and index it (imported lazily: ``--help`` stays fast)."""
    from bot.service.answer_service import AnswerService

    return AnswerService(settings)
