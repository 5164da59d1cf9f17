"""What the CLI builds once per run: the settings, terminal logging, the service, the width.

:func:`load` reads the settings and configures logging the first time it is called for a
parsed command line and returns the same object after that, so ``main`` builds them once and a
command module that asks again (``add``, ``feeds``) gets the same settings.
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from bot.config.settings import Settings, load_settings
from bot.render.printable import printable

if TYPE_CHECKING:
    from bot.service.answer_service import AnswerService

log = logging.getLogger(__name__)

_SETTINGS = "_settings"  # where load() keeps the settings on the parsed arguments


def load(args: argparse.Namespace) -> Settings:
    """The settings for this command line (read once), with logging configured from them."""
    settings: Settings | None = getattr(args, _SETTINGS, None)
    if settings is None:
        settings = load_settings(args.config, args.overrides)
        configure_logging(settings.log_level)
        setattr(args, _SETTINGS, settings)
    return settings


class PrintableFormatter(logging.Formatter):
    """Log lines with no control character: they name files and quote text from the corpus."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def configure_logging(level: str) -> None:
    """Plain stderr logging for the terminal commands (Discord uses discord.utils.setup_logging).

    A person at a terminal wants answers, not index-building chatter: these commands show
    warnings and errors, and everything only when ``log_level`` is DEBUG.
    """
    number = logging.DEBUG if level == "DEBUG" else max(logging.WARNING, getattr(logging, level))
    handler = logging.StreamHandler()
    handler.setFormatter(PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=number, handlers=[handler])


def make_service(settings: Settings) -> AnswerService:
    """Load the corpus and index it (imported lazily: ``--help`` stays fast)."""
    from bot.service.answer_service import AnswerService

    return AnswerService(settings)


def output_width(args: argparse.Namespace) -> int | None:
    """The columns to wrap at: ``--width`` (0: never), else the terminal's width, else none."""
    from bot.frontends.console.terminal import terminal_width

    width = checked_width(args)
    if width is None:
        return terminal_width(args.stdout)
    return width or None


def checked_width(args: argparse.Namespace) -> int | None:
    """``--width`` as given (None when not), or a usage error: 0 (never wrap) or at least the
    narrowest the console wraps at. Every command that takes it checks it: a negative width
    once made the console's wrapper loop until memory ran out."""
    from bot.cli.options import UsageError
    from bot.frontends.console.terminal import MIN_WIDTH

    width: int | None = getattr(args, "width", None)
    if width is not None and (0 < width < MIN_WIDTH or width < 0):
        raise UsageError(f"--width must be 0 (never wrap) or at least {MIN_WIDTH} (got {width})")
    return width
