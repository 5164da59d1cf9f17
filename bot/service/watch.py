"""Keep the service current: reload when article files under the corpus folder change.

Users grow the corpus by saving files, by ``talks-bot add`` and by feeds, and expect a running
console or Discord bot to answer from the new articles without a restart. A
:class:`CorpusWatcher` runs ``watchfiles`` (inotify on Linux, a well-kept Rust watcher) in a
daemon thread, waits for a burst of changes to settle, and calls
:meth:`AnswerService.reload <bot.service.answer_service.AnswerService.reload>`, which builds the
new answerer beside the old one and swaps it in with one assignment: a question asked meanwhile
is answered from the old corpus or the new one, never from a half-built one.

Temporary files are ignored (names starting with a dot, which is how ``add`` and editors write
before an atomic rename), and so is every file whose extension the corpus does not read. A
folder moved in or out counts (the loader reads subfolders; the event names the folder, with no
extension), and so does anything else without one. The
folder is listed with the loader's own walk (:func:`bot.corpus.files.list_corpus`), so the
watcher sees the files the loader reads, in symlinked folders too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.corpus.files import list_corpus

if TYPE_CHECKING:
    from bot.service.answer_service import AnswerService, ReloadResult

log = logging.getLogger(__name__)

#: Besides the article extensions, files whose change means the corpus changed: sidecar
#: metadata for saved pages and the corpus's own alias file.
_ALSO_WATCHED = (".yaml", ".yml")
#: How often the watch wakes with no change (its first wake checks for changes it missed).
_TICK_MS = 1000
#: Longest a stream of changes is gathered before a reload, however busy the folder.
_MAX_WAIT_MS = 10_000


class CorpusWatcher:
    """Reload ``service`` after files under its corpus folder are added, changed or removed.

    Parameters
    ----------
    service
        The service to reload.
    on_reload
        Called (in the watcher's thread) with each reload's result, e.g. to tell a user.
    debounce_ms
        How long the folder must be quiet before a reload (watchfiles' ``step``): a feed that
        adds ten articles a moment apart causes one reload, not ten. Changes that never stop
        still reload every :data:`_MAX_WAIT_MS` (watchfiles' ``debounce``).
    """

    def __init__(
        self,
        service: AnswerService,
        on_reload: Callable[[ReloadResult], None] | None = None,
        debounce_ms: int = 800,
    ) -> None:
        self.service = service
        self.on_reload = on_reload
        self.debounce_ms = debounce_ms
        self.folder = service.settings.corpus.path
        self._suffixes = tuple(s.lower() for s in service.settings.corpus.extensions)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._baseline: frozenset[tuple[str, int, int]] = frozenset()

    def relevant(self, path: str) -> bool:
        """True for a file whose change changes the corpus (not temp files, not other files),
        and for a folder (or anything else without an extension): a folder of articles moved
        in or out is one event, named for the folder."""
        name = Path(path).name
        if name.startswith("."):
            return False
        return not Path(name).suffix or name.lower().endswith(self._suffixes + _ALSO_WATCHED)

    def snapshot(self) -> frozenset[tuple[str, int, int]]:
        """Each relevant file's path, modification time and size: what a change changes."""
        found = set()
        try:  # the loader's walk: Path.rglob skips symlinked folders on Python 3.11
            paths, _warnings = list_corpus(self.folder, self._suffixes + _ALSO_WATCHED)
        except OSError:  # the folder is gone: nothing to compare, the reload will say why
            return frozenset()
        for path in paths:
            if self.relevant(str(path)):
                try:
                    stat = path.stat()
                except OSError:
                    continue
                found.add((str(path), stat.st_mtime_ns, stat.st_size))
        return frozenset(found)

    def start(self) -> CorpusWatcher:
        """Start watching in a daemon thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            # Files can change before the watch is registered (it starts in its own thread);
            # the first tick compares the folder with this snapshot so no change is lost.
            self._baseline = self.snapshot()
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="corpus-watcher", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching and wait for the thread (a reload in progress finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        import watchfiles

        try:
            caught_up = False
            for changes in watchfiles.watch(
                self.folder,
                watch_filter=lambda _change, path: self.relevant(path),
                step=self.debounce_ms,
                debounce=max(_MAX_WAIT_MS, self.debounce_ms),
                stop_event=self._stop,
                raise_interrupt=False,
                ignore_permission_denied=True,
                rust_timeout=_TICK_MS,
                yield_on_timeout=True,
            ):
                if changes:
                    self._reload()
                elif not caught_up and self.snapshot() != self._baseline:
                    self._reload()  # changed between the snapshot and the watch
                caught_up = True
        except Exception:  # a watcher must never take the bot down; answering goes on
            log.exception("corpus watcher stopped; new files need :reload or /reload")

    def _reload(self) -> None:
        result = self.service.reload()
        log.info("corpus changed: %s", result.describe())
        if self.on_reload is not None:
            try:
                self.on_reload(result)
            except Exception:
                log.exception("on_reload callback failed")
