"""Add one article to the corpus from a URL or a local file: ``talks-bot add``, the feeds and the
Discord ``/add`` all come through here.

A source becomes exactly one ``corpus/<slug>.md`` with YAML front matter (title, source, date,
url) or nothing at all:

- a URL is fetched (:mod:`bot.corpus.fetch`) and its main text extracted by trafilatura
  (:func:`bot.corpus.readers.extract_html`); a local ``.html`` file is extracted the same way,
  and a ``.md``/``.txt`` file keeps its own front matter;
- the new file's text is read back with the loader's own functions before it is written, so the
  passage count printed is the one the bot will index, and a file the loader would reject is
  never written;
- the same URL (after :func:`~bot.corpus.fetch.url_key` normalisation) or the same text already
  in the corpus is a :class:`Duplicate`, and nothing is written;
- the file is written to a dot-named temporary file and renamed into place, so a running bot
  watching the folder sees the whole article or none of it.

Everything here is synchronous and guarded by one lock, so the Discord bot may call
:func:`add_source` from worker threads while a feed poll runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from bot.config.settings import Settings
from bot.corpus.dedupe import Catalog, fingerprint
from bot.corpus.fetch import (
    IngestError,
    Page,
    clean_url,
    fetch,
    http_client,
    is_http_url,
)
from bot.corpus.files import looks_binary, read_file, write_atomic
from bot.corpus.loader import make_article, parse_date, split_article
from bot.corpus.model import SkipFile
from bot.corpus.readers import extract_html, read_sidecar, read_text_file
from bot.corpus.sanitize import clean_text, clean_value
from bot.errors import CorpusError
from bot.extras import require

if TYPE_CHECKING:
    import httpx

#: The local file types ``add`` accepts, and how each is read.
_HTML_SUFFIXES = (".html", ".htm")
_TEXT_SUFFIXES = (".md", ".txt")
_SLUG_WORDS = 10

#: One lock for every add in this process: the duplicate check and the write must not interleave.
_LOCK = threading.RLock()

__all__ = ["Added", "Duplicate", "Hints", "IngestError", "Ingester", "add_source"]


@dataclass(frozen=True)
class Added:
    """An article written to the corpus: what to tell the person (or channel) who added it."""

    id: str
    title: str
    source: str | None
    date: dt.date | None
    url: str | None
    passages: int
    path: Path


@dataclass(frozen=True)
class Duplicate:
    """A source that is already in the corpus, as ``article_id``; ``by`` says how it matched."""

    source: str
    article_id: str
    by: Literal["url", "text"]


@dataclass(frozen=True)
class Hints:
    """Fallback metadata from elsewhere (a feed entry) for what the page itself does not say."""

    title: str | None = None
    source: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class _Draft:
    """An article ready to be written: front matter and body."""

    meta: dict[str, Any]
    body: str
    origin: str  # the URL or file named in messages


def add_source(settings: Settings, source: str) -> Added | Duplicate:
    """Add one URL or local file to the corpus: the call behind Discord's ``/add``.

    Safe to call from a worker thread (``await asyncio.to_thread(add_source, settings, url)``);
    it blocks on the network for at most a few times ``ingest.timeout_seconds``.

    Raises
    ------
    IngestError
        One line naming the source: fetch failure, not an article, unsupported file.
    CorpusError
        The corpus folder is missing or does not load ``.md`` files.
    MissingExtra
        The ``html`` extra (trafilatura, httpx) is not installed.
    """
    with http_client(settings.ingest) as client:
        return Ingester(settings, client).add(source)


class Ingester:
    """Adds sources one after another, sharing one HTTP client and one view of the corpus.

    Parameters
    ----------
    settings
        ``corpus.path`` is where articles go; ``ingest`` sets the fetch limits and the
        minimum article length; the duplicate cache lives under ``cache_dir``.
    client
        From :func:`bot.corpus.fetch.http_client`.
    """

    def __init__(self, settings: Settings, client: httpx.Client) -> None:
        folder = settings.corpus.path
        if not folder.is_dir():
            raise CorpusError(f"{folder}: corpus folder not found (set corpus.path in config.yaml)")
        if ".md" not in {e.lower() for e in settings.corpus.extensions}:
            raise CorpusError("corpus.extensions must include .md for added articles to load")
        require("trafilatura", "html")  # fail before fetching anything, with the pip command
        self.settings = settings
        self.client = client
        self.catalog = Catalog(settings.corpus, settings.cache_dir / "ingest_catalog.json")

    def add(self, source: str, hints: Hints | None = None) -> Added | Duplicate:
        """Add an http(s) URL or a local .html/.md/.txt file (see :func:`add_source`)."""
        source = source.strip()
        if is_http_url(source):
            return self._add_url(source, hints or Hints())
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source):
            raise IngestError(source, "not an http:// or https:// URL")
        draft = _read_local(Path(source).expanduser(), self.settings)
        return self._add_draft(draft, hints or Hints())

    def _add_url(self, url: str, hints: Hints) -> Added | Duplicate:
        with _LOCK:
            self.catalog.refresh()
            known = self.catalog.by_url(url)
        if known is not None:
            return Duplicate(url, known, "url")
        page = fetch(self.client, url, self.settings.ingest)
        return self._add_draft(_page_draft(url, page, self.settings.ingest.min_words), hints)

    def _add_draft(self, draft: _Draft, hints: Hints) -> Added | Duplicate:
        meta = _complete_meta(draft, hints)
        body = clean_text(draft.body).strip()
        text = _markdown(meta, body)
        try:  # read it back exactly as the loader will
            raw = read_text_file(Path("new.md"), text.encode("utf-8"))[0]
            article = make_article(raw, Path("new.md"))
            article, passages, _cuts = split_article(
                article, raw.body, raw.body_line, self.settings.corpus, Path("new.md")
            )
        except SkipFile as exc:
            raise IngestError(draft.origin, f"not an article: {exc}") from None
        digest = fingerprint(passages)
        with _LOCK:
            self.catalog.refresh()
            url = meta.get("url")
            known = self.catalog.by_url(str(url)) if url else None
            if known is not None:
                return Duplicate(draft.origin, known, "url")
            known = self.catalog.by_text(digest)
            if known is not None:
                return Duplicate(draft.origin, known, "text")
            slug = _free_slug(self.settings.corpus.path, article.title, article.date, self.catalog)
            path = self.settings.corpus.path / f"{slug}.md"
            write_atomic(path, text.encode("utf-8"))
            self.catalog.refresh()
        return Added(
            slug, article.title, article.source, article.date, article.url, len(passages), path
        )


# --------------------------------------------------------------------------- sources


def _page_draft(url: str, page: Page, min_words: int) -> _Draft:
    """The article in a fetched page."""
    if not page.is_html():
        kind = page.content_type.split(";")[0].strip() or "no content type"
        raise IngestError(url, f"not an HTML page ({kind})")
    data = page.body
    if page.charset:  # trafilatura guesses encodings; the server's word is better
        with contextlib.suppress(LookupError):  # an unknown charset name: let trafilatura guess
            data = data.decode(page.charset, errors="replace").encode("utf-8")
    meta, body = _extract(url, data, min_words)
    meta["url"] = clean_url(page.url)
    return _Draft(meta, body, url)


def _read_local(path: Path, settings: Settings) -> _Draft:
    """The article in a local file, read as the loader reads corpus files.

    The file is read by :func:`~bot.corpus.files.read_file`, so a FIFO cannot block ``add``
    and a link to ``/dev/zero`` is never read; a ``.md``/``.txt`` file is read by the loader's
    own reader (controls removed before YAML is parsed) and its fields checked by the loader's
    rules, so a file ``add`` accepts is one the loader loads, and a refusal names the line
    exactly as the loader's warning would.
    """
    origin = str(path)
    suffix = path.suffix.lower()
    if suffix not in _HTML_SUFFIXES + _TEXT_SUFFIXES:
        raise IngestError(
            origin, f"unsupported file type {suffix or '(none)'}: use .html, .md or .txt"
        )
    is_page = suffix in _HTML_SUFFIXES
    # a saved page is held to the limit of a fetched one; an article file to the corpus's
    limit, setting = (
        (settings.ingest.max_bytes, "ingest.max_bytes")
        if is_page
        else (settings.corpus.max_file_bytes, "corpus.max_file_bytes")
    )
    try:
        data = read_file(path, limit, setting)
        if is_page:
            meta, body = _extract(origin, data, settings.ingest.min_words)
            meta.update(read_sidecar(path))
            parse_date(meta.get("date"))  # a sidecar's date is the user's: refused when bad
        else:
            if looks_binary(data):
                raise SkipFile("binary data (NUL or control bytes), not text")
            raw = read_text_file(path, data)[0]
            make_article(raw, path)  # a bad date or a title that is a list, with its line
            meta, body = dict(raw.meta), raw.body
    except SkipFile as exc:
        where = f"{origin}:{exc.line}" if exc.line is not None else origin
        raise IngestError(where, str(exc)) from None
    meta.setdefault("title", re.sub(r"[_-]+", " ", path.stem).strip())
    return _Draft(dict(meta), body, origin)


def _extract(origin: str, data: bytes, min_words: int) -> tuple[dict[str, Any], str]:
    """trafilatura's metadata and main text; too little text is not an article."""
    if not data.strip():
        raise IngestError(origin, "not an article: the page is empty")
    try:
        meta, body = extract_html(data)
    except SkipFile as exc:
        raise IngestError(origin, f"not an article: {exc}") from None
    words = len(re.findall(r"\w+", body))
    if words < min_words:
        raise IngestError(
            origin, f"not an article: {words} words of main text (ingest.min_words is {min_words})"
        )
    return meta, body


# --------------------------------------------------------------------------- writing


def _complete_meta(draft: _Draft, hints: Hints) -> dict[str, Any]:
    """Front matter: title, source, date, url first (hints fill gaps), then any other keys."""
    meta = {k: v for k, v in draft.meta.items() if k not in ("hostname", "author")}
    url = meta.get("url")
    host = _host(str(url)) if url else None
    try:
        date = parse_date(meta.get("date"))
    except SkipFile:
        # only a fetched page's date can be bad here (a local file's was refused when read):
        # it is the extractor's guess, so the feed's date, or none, is used instead
        date = None
    ordered = {
        "title": meta.pop("title", None) or hints.title or draft.origin,
        "source": meta.pop("source", None) or hints.source or host,
        "date": date or hints.date,
        "url": meta.pop("url", None),
    }
    meta.pop("date", None)
    merged = {k: _clean_value(v) for k, v in {**ordered, **meta}.items()}
    return {k: v for k, v in merged.items() if v not in (None, "")}


def _clean_value(value: Any) -> Any:
    """A front-matter value cleaned by the loader's one sanitizer; a string on one line."""
    if isinstance(value, str):
        return " ".join(clean_text(value).split())
    return clean_value(value)


def _host(url: str) -> str | None:
    host = re.sub(r"^www\.", "", re.sub(r"^[a-z]+://([^/:]+).*$", r"\1", url.lower()))
    return host or None


def _markdown(meta: Mapping[str, Any], body: str) -> str:
    front = yaml.safe_dump(dict(meta), sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{front}---\n\n{body}\n"


def _free_slug(folder: Path, title: str, date: dt.date | None, catalog: Catalog) -> str:
    """``YYYY-MM-DD-first-words-of-the-title``, made unique among ids and files in ``folder``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())[:_SLUG_WORDS] or ["article"]
    base = "-".join(([date.isoformat()] if date else []) + words)
    taken = catalog.ids | {p.stem for p in folder.iterdir()}
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
