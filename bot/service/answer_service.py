"""The answer service: the one object front ends hold, owning the current :class:`Answerer`.

Front ends never keep an ``Answerer`` themselves; they ask the service, which lets hot reload
build a new answerer in the background and swap it in with one assignment. A question asked
during a rebuild is answered by the old answerer; a failed rebuild keeps it.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.answer.answerer import Answer, Answerer, Reason
from bot.answer.context import Context, context_around
from bot.answer.filters import Filters, NothingSelected, allowed_mask, matching_sources, resolve
from bot.answer.timeline import Timeline, build_timeline
from bot.config.settings import Settings
from bot.corpus.model import Article, LoadWarning
from bot.errors import TalksBotError
from bot.index.store import IndexStore

if TYPE_CHECKING:
    from bot.service.watch import CorpusWatcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadResult:
    """What a reload did: whether it swapped, how long it took, and why it failed if it did."""

    ok: bool
    articles: int
    passages: int
    took_s: float
    error: str | None = None
    #: How many articles were new or changed and had to be analysed (None when unknown).
    reanalysed: int | None = None

    def describe(self) -> str:
        if self.ok:
            changed = "" if self.reanalysed is None else f"; {self.reanalysed} new or changed"
            return (
                f"Reloaded {self.articles} articles ({self.passages} passages{changed}) "
                f"in {self.took_s:.2f} s."
            )
        return f"Reload failed, still answering from the previous corpus: {self.error}"


@dataclass(frozen=True)
class CorpusSummary:
    """Facts about the corpus in service, for start-up lines, ``check`` and help texts."""

    articles: tuple[Article, ...]
    passages: int
    vocabulary: int
    engine: str
    first_date: dt.date | None
    last_date: dt.date | None
    copy_groups: int
    duplicates: int
    warnings: tuple[LoadWarning, ...]
    #: The sentence-embedding model re-ranking answers (``semantic``), None when off.
    semantic_model: str | None = None


class AnswerService:
    """Thread-safe holder of the current answerer: the one object every front end holds.

    Front ends call its verbs (:meth:`answer`, :meth:`sources`, :meth:`outlets`,
    :meth:`validate`, :meth:`timeline`, :meth:`context`, :meth:`summary`, :meth:`reload`,
    :meth:`watch`) and never reach into the answerer or the corpus, so a reload can swap both
    under them. Each verb reads the current answerer once, so one call never mixes two corpora.
    """

    def __init__(
        self,
        settings: Settings,
        answerer: Answerer | None = None,
        store: IndexStore | None = None,
    ) -> None:
        self.settings = settings
        #: Keeps analysed passages (and the analyser's word cache) between reloads, so a
        #: reload re-analyses only the articles that changed.
        self.store = store or IndexStore(settings)
        self._answerer = settle(answerer or Answerer.from_settings(settings, store=self.store))
        self._reload_lock = threading.Lock()

    @property
    def answerer(self) -> Answerer:
        """The answerer in service now, for measurement tools (front ends use the verbs)."""
        return self._answerer

    def answer(
        self, question: str, top_k: int | None = None, filters: Filters | None = None
    ) -> Answer:
        """Answer with whichever answerer is current when the question arrives.

        ``filters`` (dates, outlets; :mod:`bot.answer.filters`) apply inside retrieval. Filters
        that no article passes give an unanswered :class:`Answer` with
        :attr:`Reason.NOTHING_SELECTED`; an unknown outlet raises
        :class:`~bot.answer.filters.FilterError`, whose message lists what is valid.
        """
        answerer = self._answerer
        try:
            allowed = allowed_mask(filters, answerer.corpus) if filters else None
        except NothingSelected as exc:
            return Answer(question, Reason.NOTHING_SELECTED, detail=str(exc))
        return answerer.answer(question, top_k=top_k, allowed=allowed)

    def timeline(self, topic: str, filters: Filters | None = None, limit: int = 20) -> Timeline:
        """The passages about ``topic`` in date order (:mod:`bot.answer.timeline`)."""
        try:
            return build_timeline(self._answerer, topic, filters, limit)
        except NothingSelected as exc:
            return Timeline(topic, reason=Reason.NOTHING_SELECTED, detail=str(exc))

    def context(self, article_id: str, paragraph: int, radius: int = 1, part: int = 0) -> Context:
        """The passages around a cited one (``part`` of a paragraph cut in parts); raises
        :class:`ContextError` when it is gone."""
        return context_around(self._answerer.corpus, article_id, paragraph, radius, part)

    def sources(self) -> tuple[Article, ...]:
        """Every article in service, newest first (undated last)."""
        return tuple(
            sorted(
                self._answerer.corpus.articles,
                key=lambda a: (a.date is None, -(a.date.toordinal() if a.date else 0), a.title),
            )
        )

    def outlets(self, typed: str = "", limit: int = 25) -> list[str]:
        """Outlet names containing ``typed`` (prefix matches first), for autocompletion."""
        return matching_sources(self._answerer.corpus, typed, limit)

    def validate(self, filters: Filters) -> Filters:
        """``filters`` with outlets spelt as the corpus spells them.

        Front ends that can tell the user privately and at once (a slash command) validate
        first; :meth:`answer` itself turns filters that select nothing into an unanswered
        :class:`Answer`, which is what a script reading JSON wants.

        Raises
        ------
        FilterError
            For an unknown outlet (the message lists the known ones), or
            :class:`~bot.answer.filters.NothingSelected` when no article passes (the message
            gives the corpus's date range).
        """
        if not filters:
            return filters
        corpus = self._answerer.corpus
        allowed_mask(filters, corpus)
        return resolve(filters, corpus)

    def summary(self) -> CorpusSummary:
        """Counts, dates, engine and load warnings of the corpus in service."""
        answerer = self._answerer
        corpus = answerer.corpus
        dates = sorted(a.date for a in corpus.articles if a.date)
        return CorpusSummary(
            articles=corpus.articles,
            passages=len(corpus.passages),
            vocabulary=len(answerer.engine.vocabulary()),
            engine=answerer.engine.name,
            first_date=dates[0] if dates else None,
            last_date=dates[-1] if dates else None,
            copy_groups=len(answerer.copies.groups),
            duplicates=answerer.copies.duplicates,
            warnings=corpus.warnings,
            semantic_model=answerer.settings.semantic.model if answerer.semantic else None,
        )

    def watch(
        self, on_reload: Callable[[ReloadResult], None] | None = None
    ) -> CorpusWatcher | None:
        """Start reloading by itself when article files change (``corpus.watch``).

        Returns the running watcher (stop it with ``.stop()``), or None when watching is off.
        """
        if not self.settings.corpus.watch:
            return None
        from bot.service.watch import CorpusWatcher

        return CorpusWatcher(self, on_reload).start()

    def reload(self) -> ReloadResult:
        """Re-read the corpus, rebuild, and swap; blocking, so call it off the event loop.

        Concurrent calls are serialised; each one rebuilds from the files as they are then.
        """
        with self._reload_lock:
            started = time.perf_counter()
            try:
                fresh = self._build()
            except TalksBotError as exc:
                log.warning("reload failed: %s", exc)
                return self._result(False, started, str(exc))
            except Exception as exc:  # a reload must never take the service down
                log.exception("reload failed unexpectedly")
                return self._result(False, started, f"{type(exc).__name__}: {exc}")
            self._answerer = fresh
            log.info("reloaded: %d passages", len(fresh.corpus.passages))
            return self._result(True, started)

    def _build(self) -> Answerer:
        return settle(
            Answerer.from_settings(self.settings, store=self.store, previous=self._answerer)
        )

    def _result(self, ok: bool, started: float, error: str | None = None) -> ReloadResult:
        corpus = self._answerer.corpus
        return ReloadResult(
            ok=ok,
            articles=len(corpus.articles),
            passages=len(corpus.passages),
            took_s=time.perf_counter() - started,
            error=error,
            reanalysed=self.store.last.analysed_articles if ok and self.store.last else None,
        )


#: From this many passages, :func:`settle` freezes the heap for the garbage collector.
FREEZE_MIN = 100_000


def settle(answerer: Answerer) -> Answerer:
    """Ready a new answerer for a long life in this process; returns it.

    Over :data:`FREEZE_MIN` passages it freezes the heap: what was just built lives until the
    next reload, and out of the collector's sight a full collection no longer walks millions of
    passages and index entries (a 0.3-0.5 s pause per million passages, which fell inside adds
    and answers). The spelling index is built after, in the background: it is frozen once it is
    done, from a thread that waits for it. Answerers hold no reference cycles, so a replaced one
    is still freed, by reference counting. A process-wide policy, so the service (the process's
    owner) applies it, not the answerer.
    """
    if len(answerer.corpus.passages) >= FREEZE_MIN:
        gc.freeze()
        threading.Thread(
            target=_freeze_when_ready, args=(answerer.wait_ready,), name="settle", daemon=True
        ).start()
    return answerer


def _freeze_when_ready(wait_ready: Callable[[], bool]) -> None:
    """Freeze the heap again once an answerer's background set-up is done."""
    if wait_ready():
        gc.freeze()
