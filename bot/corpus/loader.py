"""The corpus: load article files, strip page furniture, and cut articles into passages.

An article file is UTF-8 text with optional YAML front matter (``title``, ``source``, ``date`` as
YYYY-MM-DD, ``url``; other keys are kept as metadata). Paragraphs are separated by blank lines;
a file with no blank lines has one paragraph per line, as scraped text usually does.

Loading is forgiving per file and strict for the whole: a bad file produces a
:class:`LoadWarning` naming the file (and line, when known) and is skipped, while the rest load;
a corpus with nothing loadable raises :class:`~bot.errors.CorpusError`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.config import CorpusSettings, FurnitureRule
from bot.corpus.model import Article, Corpus, LoadWarning, Passage, RawArticle, Reader, SkipFile
from bot.corpus.readers import read_text_file
from bot.errors import CorpusError

log = logging.getLogger(__name__)

_KNOWN_KEYS = ("title", "source", "date", "url")
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
_HEADING_QUOTES = "\"'“”‘’«»"


# --------------------------------------------------------------------------- loading


def load_corpus(settings: CorpusSettings, readers: Mapping[str, Reader] | None = None) -> Corpus:
    """Load every article under ``settings.path``.

    Raises
    ------
    CorpusError
        When the folder is missing or not a folder, or no article could be loaded.
    """
    root = settings.path
    if not root.exists():
        raise CorpusError(f"{root}: corpus folder not found (set corpus.path in config.yaml)")
    if not root.is_dir():
        raise CorpusError(f"{root}: corpus.path must be a folder of article files")
    readers = dict(readers or default_readers())
    wanted = {ext.lower() for ext in settings.extensions}
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in wanted)
    articles: list[Article] = []
    passages: list[Passage] = []
    warnings: list[LoadWarning] = []
    seen: set[str] = set()
    for path in files:
        reader = readers.get(path.suffix.lower())
        if reader is None:
            warnings.append(LoadWarning(path, f"no reader for {path.suffix} files; skipped"))
            continue
        for article, article_passages, warning in _load_file(path, reader, settings):
            if warning is not None:
                warnings.append(warning)
                continue
            if article.id in seen:
                warnings.append(LoadWarning(path, f"duplicate article id {article.id!r}; skipped"))
                continue
            seen.add(article.id)
            articles.append(article)
            passages.extend(article_passages)
    for warning in warnings:
        log.warning("%s", warning)
    if not articles:
        detail = f" ({len(warnings)} file(s) skipped, see warnings)" if warnings else ""
        exts = ", ".join(sorted(wanted))
        raise CorpusError(f"{root}: no articles could be loaded{detail}; expected {exts} files")
    return Corpus(tuple(articles), tuple(passages), tuple(warnings))


def default_readers() -> dict[str, Reader]:
    """The readers for the file types the core understands."""
    from bot.corpus.readers import read_html_file, read_jsonl_file

    return {
        ".md": read_text_file,
        ".txt": read_text_file,
        ".html": read_html_file,
        ".htm": read_html_file,
        ".jsonl": read_jsonl_file,
    }


def _load_file(
    path: Path, reader: Reader, settings: CorpusSettings
) -> Iterable[tuple[Article, tuple[Passage, ...], LoadWarning | None]]:
    empty: tuple[Passage, ...] = ()
    placeholder = Article(id="", title="")
    try:
        raws = reader(path, path.read_bytes())
    except OSError as exc:
        yield placeholder, empty, LoadWarning(path, f"cannot read: {exc.strerror or exc}")
        return
    except SkipFile as exc:
        yield placeholder, empty, LoadWarning(path, str(exc), exc.line)
        return
    for raw in raws:
        if isinstance(raw, SkipFile):
            yield placeholder, empty, LoadWarning(path, str(raw), raw.line)
            continue
        try:
            article = make_article(raw, path)
            article, article_passages = split_article(article, raw.body, raw.body_line, settings)
        except SkipFile as exc:
            line = exc.line if exc.line is not None else raw.line
            yield placeholder, empty, LoadWarning(path, str(exc), line)
            continue
        yield article, article_passages, None


# --------------------------------------------------------------------------- articles


def make_article(raw: RawArticle, path: Path) -> Article:
    """Validate front-matter fields and build the :class:`Article`."""
    meta = dict(raw.meta)
    title = _optional_text(meta, "title")
    source = _optional_text(meta, "source")
    url = _optional_text(meta, "url")
    date = parse_date(meta.get("date"))
    extra = {k: v for k, v in meta.items() if k not in _KNOWN_KEYS}
    return Article(
        id=raw.id,
        title=title or _title_from_id(raw.id),
        source=source,
        date=date,
        url=url,
        path=path,
        metadata=extra,
    )


def parse_date(value: object) -> dt.date | None:
    """A front-matter date: YAML's own date, or a ``YYYY-MM-DD`` string."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SkipFile(f"bad date {value!r}: expected YYYY-MM-DD", None)


def _optional_text(meta: Mapping[str, Any], key: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise SkipFile(f"front matter key {key!r} must be text, not a {type(value).__name__}")
    text = str(value).strip()
    return text or None


def _title_from_id(article_id: str) -> str:
    return re.sub(r"[_-]+", " ", article_id).strip() or article_id


# --------------------------------------------------------------------------- passages


def split_article(
    article: Article, body: str, body_line: int, settings: CorpusSettings
) -> tuple[Article, tuple[Passage, ...]]:
    """Cut an article body into numbered passages, removing furniture and headings."""
    rules = [(rule, re.compile(rule.pattern)) for rule in settings.furniture]
    passages: list[Passage] = []
    captions: list[str] = []
    section: str | None = None
    for line, text in split_paragraphs(body, body_line):
        kind = _furniture_kind(text, rules)
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
        passages.append(Passage(article, len(passages) + 1, text, section, line))
    if not passages:
        raise SkipFile("no article text left after removing headings and page furniture")
    if captions:
        article = dataclasses.replace(article, captions=tuple(captions))
        passages = [dataclasses.replace(p, article=article) for p in passages]
    return article, tuple(passages)


def split_paragraphs(body: str, first_line: int = 1) -> list[tuple[int, str]]:
    """Paragraphs with the file line each starts on.

    Blank lines separate paragraphs; when the body has none (scraped text), each line is one.
    """
    lines = body.splitlines()
    blocks: list[tuple[int, list[str]]] = []
    has_blank = any(not ln.strip() for ln in _strip_blank_ends(lines))
    for offset, ln in enumerate(lines):
        number = first_line + offset
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


def _furniture_kind(text: str, rules: list[tuple[FurnitureRule, re.Pattern[str]]]) -> str | None:
    for rule, pattern in rules:
        if pattern.search(text):
            return rule.kind
    return None


def heading_text(text: str, max_words: int) -> str | None:
    """The heading a paragraph is, or None.

    A Markdown heading (``## Talks resume``) or a short line in capitals such as
    ``"STILL WAITING"`` or ``WINDOW OF OPPORTUNITY`` is a section heading; surrounding quotes go.
    """
    if "\n" in text:
        return None
    match = _MARKDOWN_HEADING.match(text)
    if match:
        return match.group("text").strip()
    stripped = text.strip().strip(_HEADING_QUOTES).strip()
    letters = [c for c in stripped if c.isalpha()]
    if len(letters) < 2 or len(stripped.split()) > max_words:
        return None
    if stripped[-1] in ".,;:" or any(c.islower() for c in letters):
        return None
    return stripped
