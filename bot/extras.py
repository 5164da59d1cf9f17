"""Optional features behind pip extras, and the one line that says how to get one.

The base install stays light; a feature whose library is missing raises :class:`MissingExtra`
(a :class:`~bot.errors.TalksBotError`, so the CLI prints it as one line and exits 2) naming the
``pip install`` to run, instead of an ImportError traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from bot.errors import TalksBotError

#: extra name -> what it adds, for messages and docs.
EXTRAS = {
    "html": "reading saved web pages (.html) and adding articles by URL",
    "eval": "measuring answer quality (python -m bot eval)",
    "semantic": "semantic re-ranking with a sentence-embedding model",
}


class MissingExtra(TalksBotError):
    """A feature was used whose optional dependencies are not installed."""


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtra` naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(
            f"{EXTRAS[extra]} needs the '{extra}' extra: pip install 'talks-bot[{extra}]'"
        ) from exc


def available(module: str) -> bool:
    """True when ``module`` can be imported (used to switch optional features on by default)."""
    return importlib.util.find_spec(module) is not None
