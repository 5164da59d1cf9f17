"""Domain exceptions of the core.

Front ends translate them at the edge: the CLI prints one line and exits non-zero,
Discord replies politely and logs. The core never prints.
"""

from __future__ import annotations


class TalksBotError(Exception):
    """Base class of every error the core raises on purpose."""


class ConfigError(TalksBotError):
    """The configuration file is missing, unreadable or invalid; the message names the key."""


class CorpusError(TalksBotError):
    """The corpus as a whole cannot be used (missing, empty, nothing loadable)."""


class EngineError(TalksBotError):
    """An index could not be built or opened."""
