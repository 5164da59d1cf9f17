"""Article text is data: strip terminal control sequences and control characters at load time.

A scraped page can carry ``ESC[2J`` (clear the screen), ``ESC]0;title BEL`` (retitle the
terminal) or stray C0/C1 controls. Removing them once, when an article is loaded, means no
renderer (text, JSON, Discord) can pass one on, and every layer above sees plain text.

What is removed: ECMA-48 escape sequences in their 7-bit (``ESC``) and 8-bit (C1) forms -- CSI
(``ESC[`` … final byte), the string commands OSC, DCS, SOS, PM and APC up to their terminator
(BEL or ST), nF and two-byte escapes -- then every remaining C0 control except tab and line feed,
DEL, and the C1 range. Line-breaking controls (CR, CR LF, VT, FF, the file/group/record
separators, NEL, U+2028, U+2029) become ``\\n``, so paragraph splitting and line numbers stay what
Python's ``str.splitlines`` made of the file.

The bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) go
too. They are not text but instructions to reorder it: an unclosed U+202E (right-to-left
override) in a title turns the rest of the terminal line, or of a Discord message, backwards,
and makes a quoted passage read differently from the article. Text in right-to-left scripts
is displayed by the Unicode bidi algorithm without them (at worst a mixed-direction phrase
loses a hint). The marks U+200E, U+200F and U+061C (LRM, RLM, ALM) are kept: they act on the
neutral characters next to them and cannot reorder the rest of a line.

Why a regular expression and not a library: the packages that strip "ANSI codes" cover CSI and
sometimes OSC only, in their 7-bit forms; the full ECMA-48 grammar above is seven lines of regex.
Every pattern here is linear in the text: no nested quantifiers, and a control string's payload
stops at the next ESC or C1 control, so a failed attempt never rescans text another one read
(``_PAYLOAD``). A 50 MB article costs a few regex passes.
"""

from __future__ import annotations

import re
from typing import Any

_ST = r"(?:\x07|\x1b\\|\x9c)"  # string terminator: BEL, ESC \ or the C1 ST
#: A control string's payload: never ESC or a C1 control (ECMA-48 allows neither inside one),
#: so an attempt that finds no terminator stops at the next introducer. That bound is what
#: keeps the scan linear: each character is read by at most one failed attempt, where a
#: payload running past introducers made ``"\x9dx" * 60_000`` cost 3.6 billion steps.
_PAYLOAD = r"[^\x07\x1b\x80-\x9f\n]*"
_STRING = rf"{_PAYLOAD}{_ST}"  # a control string's payload and terminator
#: Every sequence starts with ESC or a C1 introducer; leading with that class (and telling the
#: forms apart by look-behind) lets the regex engine skip plain text quickly.
_ESCAPES = re.compile(
    r"[\x1b\x90\x98\x9b\x9d-\x9f](?:"
    r"(?<=\x1b)\[[0-?]*[ -/]*[@-~]|(?<=\x9b)[0-?]*[ -/]*[@-~]"  # CSI: params, final byte
    rf"|(?<=\x1b)[\]PX^_]{_STRING}|(?<=[\x90\x98\x9d-\x9f]){_STRING}"  # OSC DCS SOS PM APC
    r"|(?<=\x1b)[ -/]+[0-~]"  # nF escapes (character-set selection, ...)
    r"|(?<=\x1b)[0-~])"  # two-byte escapes (Fp, Fe, Fs), and an unterminated string's opener
)
_LINE_BREAKS = re.compile(r"[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029](?:(?<=\r)\n)?")
#: Bidirectional embeddings, overrides (LRE RLE PDF LRO RLO) and isolates (LRI RLI FSI PDI).
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
#: C0 (but tab and line feed), DEL, C1 and the bidi controls, deleted by ``str.translate``
#: (faster than a regex).
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), *_BIDI])
_ANY = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """``text`` without escape sequences, control characters or bidi controls (see the module
    docstring for each and why); tabs and line feeds are kept, other line breaks become ``\\n``."""
    if _ANY.search(text) is None:  # the common case: one fast scan, no copies
        return text
    text = _ESCAPES.sub("", text)
    text = _LINE_BREAKS.sub("\n", text)
    return text.translate(_CONTROLS)


def clean_value(value: Any) -> Any:
    """A metadata value with every string in it cleaned (mappings and lists walked)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(clean_value(v) for v in value)
    return value


def escape_controls(text: str) -> str:
    """``text`` with every control character (bidi controls too) shown as an escape
    (``\\x1b``, ``\\u202e``), for messages.

    Warnings quote paths and values a user must recognise, so controls are made visible
    rather than removed.
    """
    if _ANY.search(text) is None and "\n" not in text and "\t" not in text:
        return text
    return re.sub(
        r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]",
        lambda m: repr(m.group())[1:-1],
        text,
    )
