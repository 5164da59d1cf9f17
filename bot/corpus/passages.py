"""Cutting an article body into passages: paragraphs, headings, furniture and long paragraphs.

Paragraphs are separated by blank lines; a body with no blank lines has one paragraph per line,
as scraped text usually does. Furniture rules (``corpus.furniture``) drop rating legends and
stray rating lines and keep photo captions as metadata. Short all-caps lines and Markdown
headings become the section of the paragraphs under them.

A paragraph longer than ``corpus.max_passage_chars`` is cut into parts at sentence boundaries
(or, inside one overlong sentence, at a space; inside one overlong word, anywhere), so no quote
exceeds that length. Every part keeps the paragraph's number and line and gets a part number
(:attr:`~bot.corpus.model.Passage.part`), so ¶7 still points at the seventh paragraph; a
:class:`~bot.corpus.model.LoadWarning` with ``loaded=True`` records each cut for ``check``.
Cutting scans each window of text a bounded number of times, so it is linear in the paragraph:
a 50 MB article with no line break loads in seconds and never becomes one giant passage.

Why not :func:`bot.analysis.sentences.sentence_spans`: the corpus layer sits below analysis and
must not import it. Cutting needs less than highlighting does -- one acceptable boundary near the
end of a window, not every sentence -- so a small rule is enough here.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from bot.config.settings import CorpusSettings, FurnitureRule
from bot.corpus.model import Article, LoadWarning, Passage, SkipFile

_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
_HEADING_QUOTES = "\"'“”‘’«»"
#: Sentence-final punctuation, closing quotes or brackets, whitespace, then a sentence start.
#: A match only starts where a run of punctuation starts (the look-behind), and no quantifier
#: gives back what it took (possessive ``++``/``*+``): an attempt from inside a run of dots
#: would read the rest of the run again, and a megabyte of ``.`` made that quadratic. Neither
#: changes what matches: a boundary found from inside a run is found from its start, and
#: giving back punctuation, closers or spaces can never satisfy what follows them.
#: A sentence starts as in :mod:`bot.analysis.sentences`: a capital or digit, or any letter
#: outside ASCII.
_SENTENCE_END = re.compile(
    r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+\s++(?=[\"'“‘(\[]?(?:[A-Z0-9]|[^\W\d_a-z]))"
)
#: Words whose full stop does not end a sentence ("Mr. Kim", "U.S. officials").
_NOT_AN_END = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Jr|Sr|U\.S|U\.N)|\b[A-Z])\.$")
#: A part shorter than this share of the limit is avoided when a later cut is possible.
_MIN_PART_SHARE = 0.25


def split_article(
    article: Article,
    body: str,
    body_line: int,
    settings: CorpusSettings,
    path: Path,
    *,
    one_line: bool = False,
) -> tuple[Article, tuple[Passage, ...], list[LoadWarning]]:
    """Cut an article body into numbered passages, removing furniture and headings.

    Returns the article (with its captions), its passages and a notice for every paragraph
    that was cut because it exceeded ``corpus.max_passage_chars``. ``body_line`` is the file
    line the body starts on; with ``one_line`` the whole body is on that line (a JSON Lines
    record), so every passage cites it.

    Raises
    ------
    SkipFile
        When no text is left once furniture and headings are removed.
    """
    rules = [(rule, re.compile(rule.pattern)) for rule in settings.furniture]
    limit = settings.max_passage_chars
    passages: list[Passage] = []
    notices: list[LoadWarning] = []
    captions: list[str] = []
    section: str | None = None
    paragraph = 0
    for line, text in split_paragraphs(body, body_line, one_line=one_line):
        kind = furniture_kind(text, rules)
        if kind == "end":
            break
        if kind == "caption":
            captions.append(text)
            continue
        if kind == "drop":
            continue
        heading = heading_text(text, settings.heading_max_words)
        if heading is not None:
            section = heading
            continue
        paragraph += 1
        parts = cut_paragraph(text, limit)
        if len(parts) == 1:
            passages.append(Passage(article, paragraph, text, section, line))
            continue
        passages.extend(
            Passage(article, paragraph, part, section, line, number)
            for number, part in enumerate(parts, start=1)
        )
        notices.append(
            LoadWarning(
                path,
                f"paragraph {paragraph} is {len(text):,} characters, over "
                f"corpus.max_passage_chars = {limit:,}; cut into {len(parts)} passages",
                line,
                loaded=True,
            )
        )
    if not passages:
        raise SkipFile("no article text left after removing headings and page furniture")
    if captions:
        article = dataclasses.replace(article, captions=tuple(captions))
        passages = [dataclasses.replace(p, article=article) for p in passages]
    return article, tuple(passages), notices


def split_paragraphs(
    body: str, first_line: int = 1, *, one_line: bool = False
) -> list[tuple[int, str]]:
    """Paragraphs with the file line each starts on (``first_line`` for all with ``one_line``:
    the body's line breaks are not the file's).

    Blank lines separate paragraphs; when the body has none (scraped text), each line is one.
    """
    lines = body.splitlines()
    blocks: list[tuple[int, list[str]]] = []
    has_blank = any(not ln.strip() for ln in _strip_blank_ends(lines))
    for offset, ln in enumerate(lines):
        number = first_line if one_line else first_line + offset
        if not ln.strip():
            blocks.append((number, []))
            continue
        if has_blank and blocks and blocks[-1][1]:
            blocks[-1][1].append(ln.rstrip())
        else:
            blocks.append((number, [ln.rstrip()]))
    return [(number, "\n".join(block)) for number, block in blocks if block]


def _strip_blank_ends(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def cut_paragraph(text: str, limit: int) -> list[str]:
    """``text`` as parts of at most ``limit`` characters, cut where a reader would cut.

    Each cut is the last sentence boundary in the next ``limit`` characters; failing that (one
    sentence longer than the limit) the last space; failing that (no space at all) the limit
    itself. A boundary that would leave a part under a quarter of the limit is passed over
    for a later space, so parts are not crumbs.
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    start = _skip_space(text, 0)
    while len(text) - start > limit:
        end = _cut_point(text, start, start + limit, limit)
        part = text[start:end].rstrip()
        if part:
            parts.append(part)
        start = _skip_space(text, end)
    rest = text[start:].rstrip()
    if rest:
        parts.append(rest)
    return parts


def _cut_point(text: str, start: int, stop: int, limit: int) -> int:
    """Where to end the part that starts at ``start`` and may run to ``stop``.

    The last quarter of the window is searched first (prose has a sentence end there), then
    the rest down to the floor; only the chosen candidates are checked for abbreviations.
    """
    floor = start + int(limit * _MIN_PART_SHARE)
    for low in (max(floor, stop - limit // 4), floor):
        # the boundary pattern peeks at the next word, so let it see a little past ``stop``;
        # a slice (not ``pos``) so that a run of punctuation straddling ``low`` may start a
        # match at ``low``, as it could before the look-behind
        window = text[low : min(len(text), stop + 8)]
        ends = [low + m.start() + len(m.group().rstrip()) for m in _SENTENCE_END.finditer(window)]
        for end in reversed(ends):
            if end <= stop and _NOT_AN_END.search(text, max(start, end - 5), end) is None:
                return end
    space = text.rfind(" ", floor, stop)
    return space if space > start else stop


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def furniture_kind(text: str, rules: list[tuple[FurnitureRule, re.Pattern[str]]]) -> str | None:
    """The kind of the first furniture rule that matches the paragraph, or None."""
    for rule, pattern in rules:
        if pattern.search(text):
            return rule.kind
    return None


def heading_text(text: str, max_words: int) -> str | None:
    """The heading a paragraph is, or None.

    A Markdown heading (``## Talks resume``) or a short line in capitals such as
    ``"STILL WAITING"`` or ``WINDOW OF OPPORTUNITY`` is a section heading; surrounding quotes go.
    Word count is checked first, so a long paragraph costs nothing here.
    """
    if "\n" in text:
        return None
    match = _MARKDOWN_HEADING.match(text)
    if match:
        return match.group("text").strip()
    stripped = text.strip().strip(_HEADING_QUOTES).strip()
    if len(stripped.split(maxsplit=max_words)) > max_words:
        return None
    letters = [c for c in stripped if c.isalpha()]
    if len(letters) < 2 or stripped[-1] in ".,;:" or any(c.islower() for c in letters):
        return None
    return stripped
