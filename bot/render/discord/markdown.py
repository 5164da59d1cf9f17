"""Discord Markdown within Discord's limits: escaping, and shortening that never cuts markup.

This module needs no ``discord`` import: it is string work, testable on its own, and shared by
every Discord renderer (embeds, plain-text fallbacks, pages).

Two ways to shorten, for two kinds of input:

- :func:`fit` takes *source* text (a question, a passage, a title) as :class:`Run` s, escapes it
  and shortens it. The text is first split into *atoms* (one source character and its escaped
  form, e.g. ``*`` becomes ``\\*``); cuts happen between atoms, at a sentence end or a word
  boundary, and bold markers are added after cutting, so a cut can neither split an escape nor
  leave a ``**`` open.
- :func:`cut_markdown` takes Markdown that is already rendered (a timeline line, a whole embed
  turned into a plain message) and shortens it at a word boundary outside escapes and links,
  closing any bold or italic marker it leaves open.

Text from users and from the corpus is escaped: Markdown is shown literally and mentions
(``@everyone``, ``<@id>``) are defused. Control characters become spaces; invisible format
characters (zero-width space, bidirectional overrides, byte-order marks) are dropped, so they
can neither reorder what is shown nor pass for the zero-width space that defuses a mention.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.analysis.sentences import sentence_spans

# Discord's limits (developer docs, "Embed Limits", "Message Components").
CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
BUTTON_LABEL_MAX = 80
BUTTONS_MAX = 5  # one action row of link buttons
CUSTOM_ID_MAX = 100
URL_MAX = 2048  # an embed's url
BUTTON_URL_MAX = 512  # a link button's url: Discord refuses a longer one (400, code 50035)
LINKED_URL_MAX = 300  # longer URLs are not linked inside text (a button may still link them)

ELLIPSIS = "…"

#: Characters that are Markdown (or mention syntax) anywhere in a line.
_ESCAPE_ANYWHERE = frozenset("\\*_~`|[]<")
#: Characters that are Markdown only at the start of a line (headings, quotes, lists).
_ESCAPE_LINE_START = frozenset("#>-+")
_MENTION_WORD = re.compile(r"@(everyone|here)")
_ORDERED_LIST = re.compile(r"\d+\.\s")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Zero-width space, LRM/RLM, bidi embeddings, overrides and isolates, word joiner, BOM.
_INVISIBLE = re.compile(r"[\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_DEFUSED = "@\u200b"
_SENTENCE_WINDOW = 600  # how far back a cut looks for a sentence end


@dataclass(frozen=True)
class Run:
    """A run of plain text, shown bold or not."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class _Atom:
    shown: str  # the escaped form
    source: str  # the character it stands for
    bold: bool


def clean(text: str) -> str:
    """``text`` with invisible format characters dropped and controls made spaces."""
    return _CONTROL.sub(" ", _INVISIBLE.sub("", text))


def _normalise(runs: Sequence[Run]) -> list[Run]:
    """Collapse whitespace (and control characters) across runs; keep bold runs free of edge
    whitespace, since ``** bold**`` is not bold in Markdown."""
    out: list[Run] = []
    previous_space = True  # drops leading whitespace
    for run in runs:
        chars = []
        for ch in clean(run.text):
            space = ch.isspace()
            if space and previous_space:
                continue
            chars.append(" " if space else ch)
            previous_space = space
        text = "".join(chars)
        if not text:
            continue
        if run.bold:
            core = text.strip()
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            pieces = [Run(lead), Run(core, True), Run(trail)]
        else:
            pieces = [Run(text)]
        for piece in pieces:
            if not piece.text:
                continue
            if out and out[-1].bold == piece.bold:
                out[-1] = Run(out[-1].text + piece.text, piece.bold)
            else:
                out.append(piece)
    while out and out[-1].text.endswith(" "):
        last = out.pop()
        if last.text.rstrip():
            out.append(Run(last.text.rstrip(), last.bold))
    return out


def _head(runs: Sequence[Run], size: int) -> list[Run]:
    """The first ``size`` characters of ``runs``."""
    out: list[Run] = []
    for run in runs:
        if size <= 0:
            break
        out.append(Run(run.text[:size], run.bold))
        size -= len(run.text)
    return out


def _atoms(runs: Sequence[Run], *, escape: bool) -> list[_Atom]:
    atoms: list[_Atom] = []
    plain = "".join(r.text for r in runs)
    pos = 0
    for run in runs:
        for ch in run.text:
            shown = ch
            if escape:
                if ch in _ESCAPE_ANYWHERE or (pos == 0 and ch in _ESCAPE_LINE_START):
                    shown = "\\" + ch
                elif ch == "." and 0 < pos < 10 and _ORDERED_LIST.fullmatch(plain[: pos + 2]):
                    shown = "\\."
                elif ch == "@" and _MENTION_WORD.match(plain, pos):
                    shown = _DEFUSED
            atoms.append(_Atom(shown, ch, run.bold))
            pos += 1
    return atoms


def _render(atoms: Sequence[_Atom], n: int) -> str:
    out: list[str] = []
    bold = False
    for atom in atoms[:n]:
        if atom.bold != bold:
            out.append("**")
            bold = atom.bold
        out.append(atom.shown)
    if bold:
        out.append("**")
    return "".join(out)


def _cut(atoms: Sequence[_Atom], n: int) -> tuple[int, bool]:
    """Where to cut, at or before atom ``n``: the last sentence end, else the last word boundary,
    if either keeps at least half of what fits; else ``n`` itself. Returns the cut and whether
    it ends a sentence."""
    plain = "".join(a.source for a in atoms)
    floor = max(n // 2, n - _SENTENCE_WINDOW)
    start = max(0, floor - 40)  # a little context before, for abbreviations such as "Mr."
    window = plain[start : n + 40]  # and after: a boundary needs the next sentence's start
    ends = [
        start + end
        for _, end in sentence_spans(window)
        if floor <= start + end <= n and start + end < len(plain)
    ]
    if ends:
        return ends[-1], True
    space = plain.rfind(" ", floor, n + 1)
    cut = space if space > 0 else n
    while cut > 0 and plain[cut - 1].isspace():
        cut -= 1
    return (cut if cut > 0 else n), False


def fit(runs: Sequence[Run] | str, limit: int, *, escape: bool = True) -> str:
    """Render ``runs`` as Markdown of at most ``limit`` characters.

    Escapes Markdown and mentions (unless ``escape`` is false, for plain-text places such as
    button labels and footers), and when the text is too long shortens it at a sentence end
    (then ``" …"``) or a word boundary (``"…"``), with any bold run closed properly.
    """
    if isinstance(runs, str):
        runs = [Run(runs)]
    # Every atom shows at least one character, so no more than ``limit`` atoms can be shown;
    # the rest is never looked at (bar a little lookahead for sentence boundaries).
    atoms = _atoms(_head(_normalise(runs), max(0, limit) + 80), escape=escape)
    full = _render(atoms, len(atoms))
    if len(full) <= limit:
        return full
    reserve = len(" " + ELLIPSIS)
    if limit <= reserve:
        return ELLIPSIS[: max(0, limit)]
    lo, hi = 0, len(atoms)  # the largest n whose rendering fits in limit - reserve
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(_render(atoms, mid)) <= limit - reserve:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return ELLIPSIS
    cut, at_sentence = _cut(atoms, lo)
    return _render(atoms, cut) + (" " + ELLIPSIS if at_sentence else ELLIPSIS)


def escape(text: str, limit: int = CONTENT_MAX) -> str:
    """Escape user text for Discord (Markdown shown literally, mentions defused), shortened."""
    return fit(text, limit)


def shorten_plain(text: str, limit: int) -> str:
    """Shorten text shown without Markdown (button labels, footers) at a word boundary."""
    return fit(text, limit, escape=False)


def unescape(markdown: str) -> str:
    """The text that escaped Markdown from :func:`fit` shows (escapes and defusing undone)."""
    return re.sub(r"\\(.)", r"\1", markdown.replace(_DEFUSED, "@"))


def safe_url(url: str | None, limit: int = URL_MAX) -> str | None:
    """A URL Discord accepts in links (http/https, no spaces or brackets, at most ``limit``
    characters once parentheses are encoded), or None."""
    if not url or not re.fullmatch(r"https?://[^\s<>\"]+", url):
        return None
    url = url.replace("(", "%28").replace(")", "%29")
    return url if len(url) <= limit else None


def button_url(url: str | None) -> str | None:
    """A URL a link button may carry (at most 512 characters), or None: leave the button out."""
    return safe_url(url, BUTTON_URL_MAX)


def link(text: str, url: str | None) -> str:
    """``[text](url)`` when ``url`` is short enough to link inside text, else ``text``."""
    url = safe_url(url, LINKED_URL_MAX)
    return f"[{text}]({url})" if url else text


# --------------------------------------------------------------------- rendered Markdown

#: Tokens of rendered Markdown: an escape, a bold or italic marker, a whole link, whitespace,
#: or one other character. A cut falls between tokens, so never inside an escape or a link.
_TOKEN = re.compile(
    r"\\.|\*\*|\*|\[(?:\\.|[^\]\\\n])*\]\([^()\s]*\)|\s+|.",
    re.DOTALL,
)
#: A last line holding only a quote or subtext marker: a cut right after ``> `` or ``-# ``
#: would otherwise end the message with a stray ``>…`` or ``-#…``.
_DANGLING_MARKER = re.compile(r"(?:^|\n)(?:>|-#)\Z")


def cut_markdown(text: str, limit: int) -> str:
    """Shorten rendered Markdown to at most ``limit`` characters, ending with ``"…"``.

    The cut falls at the last word boundary that fits (else the last token boundary), never
    inside an escape or a ``[text](url)`` link, and bold or italic markers left open are
    closed, so the result renders as the start of ``text`` did.
    """
    if len(text) <= limit:
        return text
    budget = limit - len(ELLIPSIS)
    if budget <= 0:
        return ELLIPSIS[: max(0, limit)]
    pieces: list[str] = []
    markers: list[str] = []  # open markers, innermost last
    size = 0
    word_cut: tuple[int, tuple[str, ...]] | None = None
    any_cut: tuple[int, tuple[str, ...]] = (0, ())
    just_opened = False  # no cut right after an opening marker: it would show as "****"
    for token in _TOKEN.findall(text):
        if size + sum(map(len, markers)) <= budget and not just_opened:
            any_cut = (len(pieces), tuple(markers))
            if token.isspace() and pieces:
                word_cut = any_cut
        just_opened = False
        if token in ("*", "**"):
            if markers and markers[-1] == token:
                markers.pop()
            else:
                markers.append(token)
                just_opened = True
        pieces.append(token)
        size += len(token)
        if size > budget:
            break
    cut, still_open = word_cut or any_cut
    head = _DANGLING_MARKER.sub("", "".join(pieces[:cut]).rstrip()).rstrip()
    return head + "".join(reversed(still_open)) + ELLIPSIS
