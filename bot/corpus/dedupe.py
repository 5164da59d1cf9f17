"""What the corpus folder already holds, for refusing duplicates: article ids, URLs and texts.

``talks-bot add`` and the feeds must not add an article twice, whether it comes back under the
same URL (with tracking parameters or another letter case) or under another URL with the same
text. :class:`Catalog` answers both questions without loading and indexing the corpus: it reads
each file with the loader's own readers and passage splitter, and keeps, per file, the ids, URL
keys and text fingerprints in a small JSON cache under ``cache_dir``, so a file is parsed again
only when its size or modification time changes (saved ``.html`` pages are slow to extract).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.config.settings import CorpusSettings
from bot.corpus.fetch import url_key
from bot.corpus.files import list_corpus, looks_binary, read_file, write_atomic
from bot.corpus.loader import default_readers, split_article
from bot.corpus.model import Article, Passage, Reader, SkipFile

log = logging.getLogger(__name__)

_CACHE_VERSION = 1


@dataclass(frozen=True)
class Known:
    """One article already in the corpus: its id, URL key (or None) and text fingerprint."""

    id: str
    url: str | None
    text: str | None


def fingerprint(passages: Iterable[Passage]) -> str:
    """A digest of an article's words, blind to case, punctuation and line breaks, so the same
    text saved twice (as a page and as Markdown, say) has the same fingerprint."""
    words = re.findall(r"\w+", " ".join(p.text for p in passages).casefold())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _FileEntry:
    """What one corpus file held when it had this size and modification time."""

    size: int
    mtime_ns: int
    articles: tuple[Known, ...]


class Catalog:
    """The ids, URL keys and text fingerprints of the articles under ``corpus.path``.

    Not thread-safe by itself: :mod:`bot.corpus.ingest` refreshes and consults it under a lock.
    """

    def __init__(self, corpus: CorpusSettings, cache_file: Path | None = None) -> None:
        self._corpus = corpus
        self._cache_file = cache_file
        self._files: dict[str, _FileEntry] = self._read_cache()
        self._known: list[Known] = []

    @property
    def ids(self) -> set[str]:
        return {k.id for k in self._known}

    def by_url(self, url: str) -> str | None:
        """The id of the article stored under the same URL key as ``url``, if any."""
        key = url_key(url)
        return next((k.id for k in self._known if k.url == key), None)

    def by_text(self, text_fingerprint: str) -> str | None:
        """The id of the article with the same text fingerprint, if any."""
        return next((k.id for k in self._known if k.text == text_fingerprint), None)

    def refresh(self) -> None:
        """Re-read the files that are new or changed since the last refresh (or the cache)."""
        root = self._corpus.path
        readers = default_readers()
        files: dict[str, _FileEntry] = {}
        for path in _corpus_files(root, self._corpus.extensions):
            try:
                stat = path.stat()
            except OSError:
                continue
            name = path.relative_to(root).as_posix()
            entry = self._files.get(name)
            if entry is None or (entry.size, entry.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                entry = _FileEntry(
                    stat.st_size, stat.st_mtime_ns, _scan_file(path, readers, self._corpus)
                )
            files[name] = entry
        changed = files != self._files
        self._files = files
        self._known = [k for entry in files.values() for k in entry.articles]
        if changed:
            self._write_cache()

    def _read_cache(self) -> dict[str, _FileEntry]:
        if self._cache_file is None or not self._cache_file.is_file():
            return {}
        try:
            data = json.loads(self._cache_file.read_text(encoding="utf-8"))
            if data["version"] != _CACHE_VERSION or data["root"] != str(self._corpus.path):
                return {}
            return {
                name: _FileEntry(
                    int(size), int(mtime), tuple(Known(str(a), b, c) for a, b, c in articles)
                )
                for name, (size, mtime, articles) in data["files"].items()
            }
        except (OSError, ValueError, TypeError, KeyError):
            return {}  # a damaged or foreign cache is rebuilt from the files

    def _write_cache(self) -> None:
        if self._cache_file is None:
            return
        files = {
            name: [e.size, e.mtime_ns, [[k.id, k.url, k.text] for k in e.articles]]
            for name, e in self._files.items()
        }
        data = {"version": _CACHE_VERSION, "root": str(self._corpus.path), "files": files}
        try:
            self._cache_file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self._cache_file, json.dumps(data).encode("utf-8"))
        except OSError as exc:
            log.warning("cannot write %s: %s", self._cache_file, exc)


def _corpus_files(root: Path, extensions: Collection[str]) -> list[Path]:
    """The files the loader would read: its own walk (symlinked folders followed once, loops
    and FIFOs left out), not ``Path.rglob``, which on Python 3.11 skips symlinked folders, so
    an article there would be added again as new."""
    if not root.is_dir():
        return []
    try:
        files, _warnings = list_corpus(root, extensions)  # the loader warns; ``add`` need not
    except OSError:
        return []
    return files


def _scan_file(
    path: Path, readers: Mapping[str, Reader], corpus: CorpusSettings
) -> tuple[Known, ...]:
    """The articles of one corpus file, read as the loader reads them; unreadable ones are left
    out (the loader warns about them), and so is a file whose reader fails unexpectedly: one bad
    file must not stop ``add`` or a feed poll (the traceback is logged at DEBUG)."""
    reader = readers.get(path.suffix.lower())
    if reader is None:
        return ()
    try:
        data = read_file(path, corpus.max_file_bytes)  # as the loader: a file it skips is unknown
        if looks_binary(data):
            return ()
        raws = reader(path, data)
    except SkipFile:
        return ()
    except Exception:
        log.debug("internal error cataloguing %s; left out", path, exc_info=True)
        return ()
    known = []
    for raw in raws:
        if isinstance(raw, SkipFile):
            continue
        try:
            url = raw.meta.get("url")
            key = url_key(str(url)) if url else None
        except Exception:
            log.debug("internal error cataloguing %s; left out", path, exc_info=True)
            continue
        try:
            article = Article(id=raw.id, title="")
            _, passages, _cuts = split_article(
                article, raw.body, raw.body_line, corpus, path, one_line=raw.one_line
            )
        except SkipFile:
            known.append(Known(raw.id, key, None))
            continue
        except Exception:
            log.debug("internal error cataloguing %s; left out", path, exc_info=True)
            continue
        known.append(Known(raw.id, key, fingerprint(passages)))
    return tuple(known)
