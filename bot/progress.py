"""Progress of long jobs (reading a corpus, indexing it): a bar on a terminal, log lines
otherwise, nothing when small.

A cold start of a large corpus goes through several phases -- analysing and indexing the
passages, committing the index, finding syndicated copies -- and the person waiting should see
one bar from the first to the last, never a blank screen between phases nor a second bar
stuck at 0 %. So one :class:`Progress` lives through the whole job: :meth:`Progress.update`
counts passages, :meth:`Progress.phase` names a step that has no count (while it runs, a
background tick keeps the elapsed time moving so the bar does not look frozen).

The estimate stays sane because the bar only hears of whole batches of passages: the first
passage of a parallel build arrives only after a worker has analysed its first batch, and a
rate computed from that single passage ("1 passage in 2.6 s") would promise days.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

log = logging.getLogger(__name__)

#: Builds of at least this many passages report progress.
PROGRESS_MIN = 20_000
#: The bar hears of passages in steps of at least this share of the total.
_STEP_SHARE = 0.005
#: Seconds between refreshes of the elapsed time during a phase without counts.
_TICK_S = 0.5

_T = TypeVar("_T")


class Progress:
    """Progress of one long job: a tqdm bar on a terminal, log lines (every 10 %) otherwise.

    Silent for jobs under :data:`PROGRESS_MIN` passages unless ``enabled`` says otherwise (a
    small update of a large corpus still has a long commit to show).
    """

    def __init__(self, total: int, desc: str, enabled: bool | None = None) -> None:
        self.desc, self.done = desc, 0
        self.enabled = total >= PROGRESS_MIN if enabled is None else enabled
        self._bar: Any = None
        self._pending = 0
        self._started = time.perf_counter()
        self._count(total)
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self._terminal = self.enabled and sys.stderr.isatty()

    def begin(self, total: int) -> None:
        """Say that the work starts now and how many passages it will count (known only once
        the job knows what to do): the bar appears at once."""
        self._count(total)
        bar = self._show()
        if bar is not None:
            bar.reset(total=total)

    def _count(self, total: int) -> None:
        self.total = total
        self._min_step = max(1, int(total * _STEP_SHARE))
        self._step = max(1, total // 10)
        self._next = self.done + self._step

    def _show(self) -> Any:
        """The bar, created when the work starts (:meth:`begin`) or on first use, so a job
        that turns out to have nothing to do shows nothing."""
        if self._bar is None and self._terminal:
            self._terminal = False
            with contextlib.suppress(ImportError):
                from tqdm import tqdm

                class Bar(tqdm):
                    monitor_interval = 0  # no monitor thread: workers may fork after this

                self._bar = Bar(
                    total=self.total,
                    desc=self.desc,
                    unit=" passages",
                    unit_scale=True,
                    leave=False,
                    dynamic_ncols=True,
                )
        return self._bar

    def update(self, n: int) -> None:
        """Count ``n`` more passages done."""
        self.done += n
        if not self.enabled:
            return
        self._pending += n
        if self._pending >= self._min_step or self.done >= self.total:
            self._flush()

    def phase(self, desc: str) -> None:
        """Name the step now running (one that has no passage count, such as a commit)."""
        if not self.enabled:
            return
        self._flush()
        bar = self._show()
        if bar is not None:
            bar.set_description_str(f"{self.desc}: {desc}")
            self._start_ticking()
        else:
            log.info("%s: %s (%.1f s so far)", self.desc, desc, self._elapsed())

    def close(self) -> None:
        """Finish: the bar disappears (the job's summary is logged by its owner)."""
        self._flush()
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- internals

    def _elapsed(self) -> float:
        return time.perf_counter() - self._started

    def _flush(self) -> None:
        if not self.enabled or not self._pending:
            return
        n, self._pending = self._pending, 0
        bar = self._show()
        if bar is not None:
            bar.update(n)
            return
        if self.done >= self._next or self.done >= self.total:
            self._next = (self.done // self._step + 1) * self._step
            log.info(
                "%s: %d/%d passages (%.0f%%) in %.1f s",
                self.desc,
                self.done,
                self.total,
                100.0 * self.done / max(self.total, 1),
                self._elapsed(),
            )

    def _start_ticking(self) -> None:
        """Refresh the bar while a phase runs; started only by :meth:`phase`, after any
        analysis workers have forked (a thread must not be running when a process forks)."""
        if self._ticker is not None:
            return

        def tick() -> None:
            while not self._stop.wait(_TICK_S):
                bar = self._bar
                if bar is not None:
                    bar.refresh()

        self._ticker = threading.Thread(target=tick, name="progress-tick", daemon=True)
        self._ticker.start()


def progress(items: Iterable[_T], bar: Progress) -> Iterator[_T]:
    """Yield ``items`` (passages), counting each on ``bar``."""
    for item in items:
        yield item
        bar.update(1)


def counted(items: Iterable[_T], total: int, desc: str) -> Iterator[_T]:
    """Yield ``items`` (passages) with a :class:`Progress` of their own."""
    with Progress(total, desc) as bar:
        yield from progress(items, bar)
