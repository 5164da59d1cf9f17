"""The corpus: load article files, strip page furniture, and cut articles into passages.

An article file is UTF-8 text with optional YAML front matter (``title``, ``source``, ``date`` as
YYYY-MM-DD, ``url``; other keys are kept as metadata). How bodies become passages is
:mod:`bot.corpus.passages`; how files are found and read safely is :mod:`bot.corpus.files`.

Loading is forgiving per file and strict for the whole: a bad file (or folder entry) produces a
:class:`LoadWarning` naming the path (and line, when known) and the reason, and is skipped, while
the rest load; a corpus with nothing loadable raises :class:`~bot.errors.CorpusError`. Every
article field is cleaned of control sequences here (:mod:`bot.corpus.sanitize`), so no layer
above ever sees one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.config.settings import CorpusSettings
from bot.corpus.files import check_root, list_corpus, looks_binary, read_file
from bot.corpus.model import Article, Corpus, LoadWarning, Passage, RawArticle, Reader, SkipFile
from bot.corpus.passages import split_article
from bot.corpus.readers import read_text_file
from bot.corpus.sanitize import clean_text, clean_value, escape_controls
from bot.errors import CorpusError
from bot.progress import Progress, progress

log = logging.getLogger(__name__)

#: A corpus of at least this many files shows a progress bar while it is read.
PROGRESS_FILES = 1_000

_KNOWN_KEYS = ("title", "source", "date", "url")


# --------------------------------------------------------------------------- loading


def load_corpus(settings: CorpusSettings, readers: Mapping[str, Reader] | None = None) -> Corpus:
    """Load every article under ``settings.path``.

    Raises
    ------
    CorpusError
        When the folder is missing, unreadable or not a folder, or no article could be loaded.
    """
    root = settings.path
    check_root(root)
    readers = dict(readers or default_readers())
    files, warnings = list_corpus(root, settings.extensions)
    articles: list[Article] = []
    passages: list[Passage] = []
    seen: set[str] = set()
    # A large corpus takes seconds to read: a bar then, so a cold start never shows a blank
    # screen before the index's own bar appears.
    with Progress(len(files), "reading articles", enabled=len(files) >= PROGRESS_FILES) as bar:
        for path in progress(files, bar):
            reader = readers.get(path.suffix.lower())
            if reader is None:
                warnings.append(LoadWarning(path, f"no reader for {path.suffix} files; skipped"))
                continue
            for article, article_passages, notes in _load_file(path, reader, settings):
                warnings.extend(notes)
                if not article_passages:
                    continue
                if article.id in seen:
                    warnings.append(
                        LoadWarning(path, f"duplicate article id {article.id!r}; skipped")
                    )
                    continue
                seen.add(article.id)
                articles.append(article)
                passages.extend(article_passages)
    _log_warnings(warnings)
    if not articles:
        skipped = sum(1 for w in warnings if not w.loaded)
        detail = f" ({skipped} file(s) skipped, see warnings)" if skipped else ""
        exts = ", ".join(sorted({ext.lower() for ext in settings.extensions}))
        raise CorpusError(f"{root}: no articles could be loaded{detail}; expected {exts} files")
    return Corpus(tuple(articles), tuple(passages), tuple(warnings))


def _log_warnings(warnings: list[LoadWarning]) -> None:
    """Log each skipped file; paragraphs cut to size are one summary line (``check`` lists them)."""
    for warning in warnings:
        if not warning.loaded:
            log.warning("%s", warning)
    cuts = sum(1 for w in warnings if w.loaded)
    if cuts:
        log.warning(
            "%d paragraph(s) longer than corpus.max_passage_chars were cut into several "
            "passages (python -m bot check lists them)",
            cuts,
        )


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
) -> Iterable[tuple[Article, tuple[Passage, ...], list[LoadWarning]]]:
    """Each article of one file with its passages and notices; a skip has no passages.

    Readers report a bad file by raising :class:`SkipFile`. Anything else they (or the
    libraries under them) raise is a bug, not a reason to lose the corpus: the file is skipped
    with a warning naming it and the exception, and the traceback is logged at DEBUG, as the
    CLI does for internal errors.
    """
    empty: tuple[Passage, ...] = ()
    placeholder = Article(id="", title="")
    try:
        data = read_file(path, settings.max_file_bytes)
        if looks_binary(data):
            raise SkipFile("binary data (NUL or control bytes), not text")
        raws = reader(path, data)
    except SkipFile as exc:
        yield placeholder, empty, [LoadWarning(path, str(exc), exc.line)]
        return
    except Exception as exc:
        yield placeholder, empty, [unexpected(path, exc)]
        return
    for raw in raws:
        if isinstance(raw, SkipFile):
            yield placeholder, empty, [LoadWarning(path, str(raw), raw.line)]
            continue
        try:
            raw = clean_raw(raw)
            article = make_article(raw, path)
            article, passages, notes = split_article(
                article, raw.body, raw.body_line, settings, path, one_line=raw.one_line
            )
        except SkipFile as exc:
            line = exc.line if exc.line is not None else raw.line
            yield placeholder, empty, [LoadWarning(path, str(exc), line)]
            continue
        except Exception as exc:
            yield placeholder, empty, [unexpected(path, exc, raw.line)]
            continue
        yield article, passages, notes


def unexpected(path: Path, exc: Exception, line: int | None = None) -> LoadWarning:
    """The warning for a file whose reading raised something other than :class:`SkipFile`;
    the traceback goes to the DEBUG log, so the bug is never silent."""
    log.debug("internal error reading %s", path, exc_info=exc)
    reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    return LoadWarning(
        path,
        f"skipped: internal error: {reason} "
        "(a bug in talks-bot; --set log_level=DEBUG logs the traceback)",
        line,
    )


def clean_raw(raw: RawArticle) -> RawArticle:
    """The record with control sequences removed from its id, metadata and body."""
    article_id = clean_text(raw.id).strip() or escape_controls(raw.id)
    return dataclasses.replace(
        raw, id=article_id, meta=clean_value(dict(raw.meta)), body=clean_text(raw.body)
    )


# --------------------------------------------------------------------------- articles


def make_article(raw: RawArticle, path: Path) -> Article:
    """Validate front-matter fields and build the :class:`Article`.

    Raises
    ------
    SkipFile
        For a bad field, carrying the line of its key when the reader knows it.
    """
    meta = dict(raw.meta)
    values: dict[str, Any] = {}
    for key in _KNOWN_KEYS:
        try:
            values[key] = parse_date(meta.get(key)) if key == "date" else _optional_text(meta, key)
        except SkipFile as exc:
            raise SkipFile(str(exc), raw.meta_lines.get(key, raw.line)) from None
    title, source, date, url = (values[key] for key in _KNOWN_KEYS)
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


#: The forms YAML reads as a date or timestamp (``2018-09-11``, ``2018-09-11T10:00:00Z``, ...),
#: from PyYAML's own resolver, so a string is held to exactly the rule a front-matter value is.
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_YAML_TIMESTAMP = next(
    regexp for tag, regexp in yaml.SafeLoader.yaml_implicit_resolvers["2"] if tag == _TIMESTAMP_TAG
)
_TIMESTAMPS = yaml.constructor.SafeConstructor()


def parse_date(value: object) -> dt.date | None:
    """A front-matter date: YAML's own date or timestamp, or a string in one of YAML's forms.

    An unquoted ``date: 2018-09-11T10:00:00Z`` in front matter is a YAML timestamp; the same text
    quoted, or in a JSON Lines field, is a string. Both are read by PyYAML's timestamp rule, so
    an article's date does not depend on its file format. A timestamp's date is the day in its
    own time zone.

    Raises
    ------
    SkipFile
        For anything else, or an impossible date (``2018-13-45``), saying which.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _YAML_TIMESTAMP.match(value.strip()):
        node = yaml.ScalarNode(_TIMESTAMP_TAG, value.strip())
        try:
            parsed = _TIMESTAMPS.construct_yaml_timestamp(node)
        except ValueError as exc:
            raise SkipFile(f"bad date {value!r} ({exc})", None) from None
        return parsed.date() if isinstance(parsed, dt.datetime) else parsed
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
