"""Follow RSS and Atom feeds: each new entry's article is added through the same path as
``talks-bot add`` (:class:`bot.corpus.ingest.Ingester`).

What has been seen is kept in a small JSON state file under ``cache_dir`` (``feeds.state_file``),
written atomically after each feed: per feed, the entry ids already handled and the ``ETag`` and
``Last-Modified`` of the last answer, sent back as ``If-None-Match`` and ``If-Modified-Since`` so
an unchanged feed costs one 304 and adds nothing. A second poll therefore adds nothing new.

A broken feed (unreachable, an HTTP error, not RSS/Atom) is a warning naming it, and the other
feeds go on. An entry whose page fails for a reason that may pass (a timeout, a 5xx answer) is
not marked seen, and the feed's validators are not stored, so the next poll tries it again; an
entry that is not an article, or answers 404, is marked seen and not fetched again.

:func:`poll_feeds` is what the Discord bot calls on its interval, from a worker thread.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from bot.config.settings import Settings
from bot.corpus.fetch import IngestError, Page, fetch, http_client
from bot.corpus.files import write_atomic
from bot.corpus.ingest import Added, Duplicate, Hints, Ingester
from bot.extras import require

log = logging.getLogger(__name__)

_STATE_VERSION = 1
#: Entry ids remembered per feed beyond those the feed still lists (older ones have dropped off
#: the feed, and the URL check would catch a returning one anyway).
_SEEN_KEEP = 1000

#: One poll at a time per process: the state file is read, updated and written as a whole.
_POLL_LOCK = threading.Lock()


@dataclass(frozen=True)
class FeedPoll:
    """The outcome of one poll of every feed.

    ``added`` are the new articles, for notices (each has ``title``, ``source`` -- the outlet --,
    ``date`` and ``url``); ``duplicates`` counts new entries already in the corpus; ``failed``
    has one line per entry whose page could not be added; ``warnings`` one line per broken feed.
    """

    added: tuple[Added, ...] = ()
    duplicates: int = 0
    failed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass
class _FeedState:
    etag: str | None = None
    last_modified: str | None = None
    seen: list[str] = field(default_factory=list)


@dataclass
class _Tally:
    added: list[Added] = field(default_factory=list)
    duplicates: int = 0
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def state_path(settings: Settings) -> Path:
    """Where the feed state lives: ``feeds.state_file``, relative to ``cache_dir``."""
    return settings.cache_dir / settings.feeds.state_file


def poll_feeds(settings: Settings, urls: Sequence[str] | None = None) -> FeedPoll:
    """Poll each feed once and add the articles of entries not seen before.

    Blocking (network and disk) and thread-safe: the Discord bot runs it with
    ``await asyncio.to_thread(poll_feeds, settings)``; concurrent polls take turns.

    Parameters
    ----------
    urls
        The feeds to poll; ``feeds.urls`` when None.

    Raises
    ------
    CorpusError
        The corpus folder is missing or does not load ``.md`` files (nothing can be added).
    MissingExtra
        The ``html`` extra (feedparser, httpx, trafilatura) is not installed.
    """
    require("feedparser", "html")
    feeds = list(settings.feeds.urls if urls is None else urls)
    tally = _Tally()
    with _POLL_LOCK, http_client(settings.ingest) as client:
        ingester = Ingester(settings, client)
        path = state_path(settings)
        states = _read_state(path)
        for url in feeds:
            state = states.setdefault(url, _FeedState())
            _poll_one(ingester, url, state, tally)
            _write_state(path, states)
    for warning in tally.warnings:
        log.warning("%s", warning)
    return FeedPoll(
        tuple(tally.added), tally.duplicates, tuple(tally.failed), tuple(tally.warnings)
    )


def _poll_one(ingester: Ingester, url: str, state: _FeedState, tally: _Tally) -> None:
    """Fetch one feed and add its unseen entries, updating ``state`` in place."""
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        page = fetch(ingester.client, url, ingester.settings.ingest, headers)
    except IngestError as exc:
        tally.warnings.append(f"feed {exc}")
        return
    if page.status == 304:
        log.debug("feed %s: not modified", url)
        return
    parsed, problem = _parse(page)
    if problem:
        tally.warnings.append(f"feed {url}: {problem}")
    if parsed is None:
        return
    outlet = _text(parsed.feed.get("title"))
    retry = False
    seen = set(state.seen)
    for entry in reversed(parsed.entries):  # feeds list the newest first; add in date order
        link = _text(entry.get("link"))
        if not link:
            continue
        link = urljoin(page.url, link)
        entry_id = _text(entry.get("id")) or link
        if entry_id in seen:
            continue
        hints = Hints(title=_text(entry.get("title")), source=outlet, date=_entry_date(entry))
        try:
            outcome = ingester.add(link, hints)
        except IngestError as exc:
            tally.failed.append(str(exc))
            if exc.transient:
                retry = True
                continue
        else:
            if isinstance(outcome, Duplicate):
                tally.duplicates += 1
            else:
                tally.added.append(outcome)
        seen.add(entry_id)
        state.seen.append(entry_id)
    state.seen = state.seen[-max(_SEEN_KEEP, 2 * len(parsed.entries)) :]
    if not retry:  # keep the old validators so the entries that failed come back next time
        state.etag = page.headers.get("etag") or None
        state.last_modified = page.headers.get("last-modified") or None


def _parse(page: Page) -> tuple[Any, str | None]:
    """The parsed feed (None when it is not one) and a one-line problem, if any.

    feedparser reads malformed XML leniently; what it recovers is used, with a warning.
    """
    import feedparser  # required by poll_feeds

    headers = {"content-type": page.content_type, "content-location": page.url}
    parsed = feedparser.parse(page.body, response_headers=headers)
    error = parsed.get("bozo_exception")
    detail = str(error).splitlines()[0] if error else ""
    if not parsed.entries and not parsed.get("version"):
        return None, f"not an RSS or Atom feed{': ' if detail else ''}{detail}"
    if error is not None and not isinstance(error, feedparser.ThingsNobodyCaresAboutButMe):
        return parsed, f"malformed feed ({detail}); {len(parsed.entries)} entries read anyway"
    return parsed, None


def _entry_date(entry: Mapping[str, Any]) -> dt.date | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not isinstance(stamp, time.struct_time):
        return None
    try:
        return dt.date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
    except ValueError:
        return None


def _text(value: object) -> str | None:
    """A feed field as stripped text, or None when it is missing or blank."""
    if value is None:
        return None
    return str(value).strip() or None


# --------------------------------------------------------------------------- state


def _read_state(path: Path) -> dict[str, _FeedState]:
    """The saved state; a missing file is a first run, a damaged one is reported and reset."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        feeds = data["feeds"] if data.get("version") == _STATE_VERSION else {}
        return {
            str(url): _FeedState(
                etag=item.get("etag"),
                last_modified=item.get("last_modified"),
                seen=[str(s) for s in item.get("seen", [])],
            )
            for url, item in feeds.items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("%s: unreadable feed state (%s); starting afresh", path, exc)
        return {}


def _write_state(path: Path, states: Mapping[str, _FeedState]) -> None:
    feeds = {
        url: {"etag": s.etag, "last_modified": s.last_modified, "seen": s.seen}
        for url, s in states.items()
    }
    data = json.dumps({"version": _STATE_VERSION, "feeds": feeds}, indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data.encode("utf-8"))
