"""Analysis of many passages at once, in one forked worker process per core.

The bot's analysis is pure Python (lemmatiser, stemmer, acronym rules), so a large first build
is CPU-bound; forked workers share the loaded corpus and analyser without copying them.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Iterator, Sequence
from typing import Any

from bot.analysis.analyzer import Analyzer
from bot.corpus.model import Passage
from bot.errors import EngineError
from bot.index.encoded import encode
from bot.index.engine import analyse_passages

#: Analysing at least this many passages at once uses one worker process per core.
PARALLEL_MIN = 40_000
#: Passages per batch sent to a worker: small, so the first results (and the progress bar's
#: first step) arrive within a second of the start.
BATCH = 250
#: What forked workers analyse: set just before the pool forks, read by :func:`_analyse_batch`.
_FORKED: tuple[Sequence[Passage], Analyzer] | None = None


def _start_worker() -> None:
    """Worker start-up: signals as :func:`_ignore_interrupts` says, and no cyclic garbage
    collector -- analysis makes no reference cycles, and a worker lives for one build, while
    each collection walks every young object (the growing word cache among them)."""
    _ignore_interrupts()
    gc.disable()


def _ignore_interrupts() -> None:
    """Ctrl-C reaches every process of the terminal's foreground group, and
    only the parent should act on it (it stops the pool) -- without this each worker would
    print a ``KeyboardInterrupt`` traceback of its own. The pool stops its workers with
    SIGTERM, so that goes back to the default too: a handler the parent installed (the CLI
    turns SIGTERM into a clean exit) would make each stopped worker print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _analyse_batch(batch: list[tuple[int, int]]) -> list[str]:
    if _FORKED is None:  # pragma: no cover - only reachable in a misconfigured pool
        raise EngineError("analysis worker started without a corpus")
    passages, analyzer = _FORKED
    return [encode(analyse_passages(passages[a:b], analyzer)) for a, b in batch]


def workers() -> int:
    """How many worker processes to use: one per core this process may run on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, cores)


def analyse_parallel(
    passages: Sequence[Passage], analyzer: Analyzer, runs: Sequence[tuple[int, int]]
) -> Iterator[str]:
    """Analyse each run of passages; returns an iterator of each run's analysed passages
    (encoded, :mod:`bot.index.encoded`: one string is cheap to send between processes), in
    order.

    A large job (:data:`PARALLEL_MIN` passages) on a platform that can fork is split among one
    worker process per core, started before this function returns -- so callers can start the
    workers before anything else starts threads -- while the caller consumes results as they
    arrive (indexing overlaps analysis).
    """
    import multiprocessing

    size = sum(b - a for a, b in runs)
    n_workers = workers()
    if (
        size < PARALLEL_MIN
        or n_workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return _analyse_serial(passages, analyzer, runs)
    batches: list[list[tuple[int, int]]] = [[]]
    count = 0
    for a, b in runs:
        if count >= BATCH:
            batches.append([])
            count = 0
        batches[-1].append((a, b))
        count += b - a
    global _FORKED
    _FORKED = (passages, analyzer)
    # Objects that exist at the fork are frozen for the workers' garbage collector: a full
    # collection would otherwise write to every one of them (a million passages' worth of
    # pages, copied on write in each worker) only to find no garbage.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        pool = context.Pool(n_workers, initializer=_start_worker)  # the workers fork here
    finally:
        gc.unfreeze()
        _FORKED = None
    return _collect(pool, batches)


def _analyse_serial(
    passages: Sequence[Passage], analyzer: Analyzer, runs: Sequence[tuple[int, int]]
) -> Iterator[str]:
    for a, b in runs:
        yield encode(analyse_passages(passages[a:b], analyzer))


def _collect(pool: Any, batches: list[list[tuple[int, int]]]) -> Iterator[str]:
    """Each run's analysed passages as the workers finish them; the pool is stopped however
    the iteration ends (exhausted, abandoned, or interrupted by Ctrl-C)."""
    try:
        for result in pool.imap(_analyse_batch, batches):
            yield from result
        pool.close()
    finally:
        pool.terminate()
        pool.join()
