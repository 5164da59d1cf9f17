"""Domain exceptions of the core.

Front ends translate them at the edge: the CLI prints one line and exits non-zero,
Discord replies politely and logs. The core never prints.
"""

from __future__ import annotations

import errno
import os


class TalksBotError(Exception):
    """Base class of every error the core raises on purpose."""


class ConfigError(TalksBotError):
    """The configuration file is missing, unreadable or invalid; the message names the key."""


class CorpusError(TalksBotError):
    """The corpus as a whole cannot be used (missing, empty, nothing loadable)."""


class EngineError(TalksBotError):
    """An index could not be built or opened."""


def os_reason(exc: OSError, path: str | os.PathLike[str]) -> str:
    """The reason an ``OSError`` on ``path`` happened, in words a user can act on.

    Shared by the config checks and the corpus walk, so a symlink loop or a permission problem
    reads the same wherever it is found.
    """
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return f"dangling symlink (its target {os.readlink(path)} does not exist)"
    if exc.errno == errno.ENOENT:
        return "not found"
    if exc.errno == errno.ENOTDIR:
        return "a file stands where a folder is needed on this path"
    return exc.strerror or str(exc)
