"""Progress of long index jobs: a bar on a terminal, log lines otherwise, nothing for small jobs."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

log = logging.getLogger(__name__)

#: Builds of at least this many passages report progress.
PROGRESS_MIN = 20_000

_T = TypeVar("_T")


class Progress:
    """Progress of a long job: a tqdm bar on a terminal, log lines (every 10 %) otherwise.

    Silent for jobs under :data:`PROGRESS_MIN` passages.
    """

    def __init__(self, total: int, desc: str) -> None:
        self.total, self.desc, self.done = total, desc, 0
        self._bar: Any = None
        self._step = max(1, total // 10)
        self._next = self._step
        self._started = time.perf_counter()
        self.enabled = total >= PROGRESS_MIN
        if self.enabled and sys.stderr.isatty():
            with contextlib.suppress(ImportError):
                from tqdm import tqdm

                self._bar = tqdm(total=total, desc=desc, unit=" passages", leave=False)

    def update(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
            return
        if self.done >= self._next or self.done == self.total:
            self._next = (self.done // self._step + 1) * self._step
            log.info(
                "%s: %d/%d passages (%.0f%%) in %.1f s",
                self.desc,
                self.done,
                self.total,
                100.0 * self.done / max(self.total, 1),
                time.perf_counter() - self._started,
            )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def progress(items: Iterable[_T], total: int, desc: str) -> Iterator[_T]:
    """Yield ``items`` (passages), reporting progress as :class:`Progress` does."""
    bar = Progress(total, desc)
    try:
        for item in items:
            yield item
            bar.update(1)
    finally:
        bar.close()
