"""The answer service: the one object front ends hold, owning the current :class:`Answerer`.

Front ends never keep an ``Answerer`` themselves; they ask the service, which lets hot reload
build a new answerer in the background and swap it in with one assignment. A question asked
during a rebuild is answered by the old answerer; a failed rebuild keeps it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np

from bot.answer.answerer import Answer, Answerer
from bot.answer.filters import Filters, allowed_mask
from bot.config import Settings
from bot.errors import TalksBotError
from bot.index.store import IndexStore

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


class AnswerService:
    """Thread-safe holder of the current answerer."""

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
        self._answerer = answerer or Answerer.from_settings(settings, store=self.store)
        self._reload_lock = threading.Lock()

    @property
    def answerer(self) -> Answerer:
        """The answerer in service now (a reload replaces it atomically)."""
        return self._answerer

    def answer(
        self,
        question: str,
        top_k: int | None = None,
        allowed: np.ndarray | None = None,
        filters: Filters | None = None,
    ) -> Answer:
        """Answer with whichever answerer is current when the question arrives.

        ``filters`` (dates, outlets; :mod:`bot.answer.filters`) become the ``allowed`` mask over
        that
        answerer's corpus; an unknown outlet or an empty selection raises
        :class:`~bot.answer.filters.FilterError`, whose message lists what is valid.
        """
        answerer = self._answerer
        if filters:
            allowed = allowed_mask(filters, answerer.corpus)
        return answerer.answer(question, top_k=top_k, allowed=allowed)

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
        return Answerer.from_settings(self.settings, store=self.store)

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
