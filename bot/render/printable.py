"""The last line of defence for article text: nothing a renderer emits can control a terminal.

The corpus loader strips escape sequences and control characters from every field when an
article is read, so normally there is nothing to do here. But renderers are also handed text
that never went through the loader -- a question, a feedback log line, a file name in a warning,
an object built by a test or a future reader that forgets -- and a single ``ESC[2J`` or
``ESC]0;…BEL`` that slips through clears or retitles a user's terminal. So every renderer for a
terminal or a JSON consumer passes data through :func:`printable` before it writes it.

Every C0 control except tab and line feed, DEL, every C1 control and every bidirectional
control (U+202A-202E, U+2066-2069: a right-to-left override turns "gnp.exe" into what reads as
"exe.png", and the rest of the citation line with it) becomes U+FFFD, one character for one, so
offsets into the text (JSON ``highlights``) stay valid and the reader sees that something was
there. The escape sequence an ``ESC`` started is left as harmless visible
characters (``�[2J``): without its ``ESC`` (or C1 CSI) no terminal acts on it.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
#: C0 (but tab and line feed), DEL and C1: what a terminal may act on; and the bidirectional
#: embeddings, overrides and isolates, which reorder what it shows.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every control character replaced by U+FFFD (same length)."""
    return CONTROL.sub(REPLACEMENT, text)


def one_line(text: str) -> str:
    """``text`` on one line, runs of whitespace as one space, controls replaced."""
    return " ".join(printable(text).split())


def printable_data(value: Any) -> Any:
    """A JSON-ready value with every string in it (keys too) passed through :func:`printable`."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_data(k): printable_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable_data(v) for v in value]
    return value
