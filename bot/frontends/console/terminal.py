"""What the console and the CLI need to know about the terminal they write to.

Only whether a stream is a terminal and how wide it is: output to a terminal is wrapped at its
width (measured each time, so a resized window is followed), output to a pipe or a file is not
wrapped at all, so scripts and ``grep`` see one line per passage.
"""

from __future__ import annotations

import os
import shutil
from typing import TextIO

#: Never wrap narrower than this, however small the window claims to be.
MIN_WIDTH = 20


def isatty(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal (False for anything that cannot tell)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def terminal_width(stream: TextIO) -> int | None:
    """The columns to wrap at on ``stream``: the terminal's width, or None when it is not one.

    ``$COLUMNS`` wins when set (as :func:`shutil.get_terminal_size` lets it), then the size of
    the terminal ``stream`` writes to, then the size of the process's terminal.
    """
    if not isatty(stream):
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    try:
        width = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        width = shutil.get_terminal_size().columns
    return max(MIN_WIDTH, width)
