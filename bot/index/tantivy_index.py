"""The tantivy index of a corpus: built once, then updated article by article.

An update deletes the passages of removed or changed articles and adds those of new or
changed ones; the rest of the index is neither re-analysed nor re-indexed. Corpus-wide
statistics stay right because tantivy computes them from its segments at search time (see
:mod:`bot.index.tantivy_engine` for deleted passages).

What is kept, under ``cache_dir/index/tantivy/<key>/`` (the key names the analysis and the
index format, not the corpus, so one index follows the corpus as it changes):

- tantivy's own files (``meta.json`` and the segments it lists);
- ``STATE.json`` (checked JSON): which article -- by content fingerprint -- holds which slots,
  the next free slot, the body terms of deleted passages, and the opstamp of the tantivy
  commit it describes;
- ``COMPLETE.json``, the marker (:mod:`bot.index.persisted`): size and checksum of every
  committed file and of ``STATE.json``;
- ``JOURNAL.json``, only while an update runs: the state the update will commit and the
  opstamp it started from.

Why a killed update never leaves an index that cannot be served: the journal is written before
tantivy is touched, and tantivy's commit is atomic. On the next open, a journal whose starting
opstamp is still tantivy's means the update never committed (the old state and marker still
describe the index; the update is simply done again), and any other opstamp means it committed
(the journal's state becomes the state, the marker is rewritten). Only one process opens,
builds or updates an index at a time (a lock file beside it).
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import tantivy

from bot.config.settings import RetrievalSettings
from bot.index.encoded import passages
from bot.index.persisted import (
    check_dir,
    persisted_dir,
    read_checked,
    read_marker,
    remove_dir,
    write_checked,
    write_marker,
)
from bot.index.tantivy_engine import TantivyEngine
from bot.index.tantivy_writer import (
    INDEX_FORMAT,
    UPDATE_HEAP,
    WRITER_HEAP,
    add_article,
    committed_files,
    committed_opstamp,
    delete_article,
    deleted_passages,
    finish,
    new_index,
    validate,
)
from bot.progress import Progress

log = logging.getLogger(__name__)

STATE = "STATE.json"
JOURNAL = "JOURNAL.json"
#: Indexing threads of a full build. Two use less CPU in all than one (measured in
#: docs/performance.md): each thread's term table is half the size, so more of it stays in the
#: processor's cache -- with a large vocabulary, cache misses are most of tantivy's work.
BUILD_THREADS = 2
#: Crash tests: ``<stage>:<file>`` makes an update stop at ``<stage>`` ("before-commit" or
#: "after-commit"), create ``<file>`` and wait to be killed.
CRASH_TEST_ENV = "TALKS_BOT_INDEX_CRASH_TEST"

Article = tuple[str, str, str]  # fingerprint, article id, analysed passages (encoded)


@dataclass
class Layout:
    """Where each article's passages sit in the index (see the module doc)."""

    #: Fingerprint -> (first slot, number of passages, article id).
    articles: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    next_slot: int = 0
    deleted_terms: frozenset[str] = frozenset()
    opstamp: int = 0

    @property
    def passages(self) -> int:
        return sum(n for _, n, _ in self.articles.values())

    def slots(self, prints: Sequence[str]) -> np.ndarray:
        """The slot of each passage of a corpus whose articles have fingerprints ``prints``."""
        places = [self.articles[fp] for fp in prints]
        firsts = np.fromiter((first for first, _, _ in places), np.int64, len(places))
        counts = np.fromiter((n for _, n, _ in places), np.int64, len(places))
        starts = np.cumsum(counts) - counts  # each article's first corpus position
        return np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(firsts - starts, counts)

    def changed(
        self,
        removed: Iterable[str],
        added: Iterable[tuple[str, int, int, str]],
        terms: Iterable[str],
    ) -> Layout:
        """This layout without the articles ``removed`` and with ``added`` (fingerprint,
        first slot, passages, id), whose passages' body ``terms`` tantivy still counts."""
        gone = set(removed)
        articles = {fp: place for fp, place in self.articles.items() if fp not in gone}
        next_slot = self.next_slot
        for fp, first, count, article_id in added:
            articles[fp] = (first, count, article_id)
            next_slot = max(next_slot, first + count)
        return Layout(articles, next_slot, self.deleted_terms | frozenset(terms), self.opstamp)

    def to_data(self) -> dict[str, Any]:
        return {
            "format": INDEX_FORMAT,
            "articles": [[fp, *place] for fp, place in self.articles.items()],
            "next_slot": self.next_slot,
            "deleted_terms": sorted(self.deleted_terms),
            "opstamp": self.opstamp,
        }

    @classmethod
    def from_data(cls, data: Any) -> Layout:
        """The inverse of :meth:`to_data`; raises ``ValueError`` for anything else."""
        try:
            if data["format"] != INDEX_FORMAT:
                raise ValueError("another format")
            articles = {str(fp): (int(a), int(n), str(i)) for fp, a, n, i in data["articles"]}
            return cls(
                articles,
                int(data["next_slot"]),
                frozenset(str(t) for t in data["deleted_terms"]),
                int(data["opstamp"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed index state ({exc})") from None


class TantivyIndex:
    """One tantivy index and its :class:`Layout`, on disk (``path``) or in memory (None)."""

    def __init__(
        self, settings: RetrievalSettings, index: tantivy.Index, layout: Layout, path: Path | None
    ) -> None:
        self.settings = settings
        self.index = index
        self.layout = layout
        self.path = path

    # ----------------------------------------------------------------- opening and building

    @classmethod
    def open(cls, settings: RetrievalSettings, directory: Path) -> TantivyIndex | None:
        """The complete index in ``directory`` (finishing an interrupted update first), or
        None -- with a warning, the directory removed -- when there is none or it is unusable."""
        if not directory.exists():
            return None
        key = directory.name
        problem = _settle_journal(directory)
        if problem is None:
            problem = check_dir(directory, key)
        if problem is None:
            try:
                layout = Layout.from_data(read_checked(directory / STATE))
                index = validate(directory, layout.passages)
                if committed_opstamp(directory) != layout.opstamp:
                    raise ValueError("the state describes another commit")
                return cls(settings, index, layout, directory)
            except Exception as exc:
                problem = f"cannot be opened ({exc})"
        log.warning("the saved index %s is unusable: %s; rebuilding it", directory, problem)
        remove_dir(directory)
        return None

    @classmethod
    def build(
        cls,
        settings: RetrievalSettings,
        directory: Path | None,
        articles: Iterable[Article],
        bar: Progress,
    ) -> TantivyIndex:
        """Index ``articles`` (in corpus order) into a new index at ``directory`` (replacing
        what is there) or in memory."""
        iterator = iter(articles)
        # The first article before tantivy starts its threads: a lazy ``articles`` may start
        # forked analysis workers then.
        first = list(itertools.islice(iterator, 1))
        stream = itertools.chain(first, iterator)
        layout = Layout()
        if directory is None:
            index = new_index(None)
            layout.opstamp = _commit(index, [], _placed(layout, stream), bar, threads=BUILD_THREADS)
            index.reload()
            return cls(settings, index, layout, None)
        remove_dir(directory)

        def build_into(tmp: Path) -> dict[str, object]:
            layout.opstamp = _commit(
                new_index(tmp), [], _placed(layout, stream), bar, threads=BUILD_THREADS
            )
            write_checked(tmp / STATE, layout.to_data())
            return {"passages": layout.passages, "format": INDEX_FORMAT}

        path, _ = persisted_dir(
            directory.parent,
            directory.name,
            build=build_into,
            validate=lambda final: None,
            listing=lambda tmp: [*committed_files(tmp), STATE],
        )
        return cls(settings, tantivy.Index.open(str(path)), layout, path)

    def is_current(self) -> bool:
        """Whether the index on disk is still the one this object holds (another process
        may have updated it)."""
        if self.path is None:
            return True
        try:
            return committed_opstamp(self.path) == self.layout.opstamp
        except (OSError, ValueError, KeyError):
            return False

    # ----------------------------------------------------------------- updating

    def update(
        self,
        removed: Sequence[str],
        added: Iterable[Article],
        removed_terms: Iterable[str],
        bar: Progress,
    ) -> None:
        """Delete the articles with fingerprints ``removed``, add ``added``, and commit."""
        articles = list(added)
        placed: list[tuple[str, int, int, str]] = []  # fingerprint, first slot, passages, id
        slot = self.layout.next_slot
        for fp, article_id, data in articles:
            placed.append((fp, slot, passages(data), article_id))
            slot += passages(data)
        terms = sorted(set(removed_terms))
        plan = self.layout.changed(removed, placed, terms)
        if self.path is not None:  # before tantivy is touched: see the module doc
            journal = {"base": self.layout.opstamp, "removed": list(removed), "added": placed}
            write_checked(self.path / JOURNAL, {**journal, "deleted_terms": terms})
        deletes = [self.layout.articles[fp][0] for fp in removed]
        adds = [(place[1], article[2]) for place, article in zip(placed, articles, strict=True)]
        heap = UPDATE_HEAP if sum(place[2] for place in placed) < 50_000 else WRITER_HEAP
        plan.opstamp = _commit(self.index, deletes, adds, bar, heap)
        self.layout = plan
        self.index.reload()
        if self.path is not None:
            self._save()
            (self.path / JOURNAL).unlink()

    def engine(self, prints: Sequence[str]) -> TantivyEngine:
        """An engine over the index as committed now, for a corpus whose articles have
        fingerprints ``prints`` (each must be in the index)."""
        return TantivyEngine.over(
            self.settings, self.index, self.layout.slots(prints), self.layout.deleted_terms
        )

    def deleted(self) -> int:
        """Deleted passages tantivy still keeps (until a merge), or 0 in memory."""
        return 0 if self.path is None else deleted_passages(self.path)

    def _save(self) -> None:
        assert self.path is not None
        if not self.deleted():
            self.layout.deleted_terms = frozenset()  # merged away: tantivy counts them no more
        write_checked(self.path / STATE, self.layout.to_data())
        _mark(self.path)


def _commit(
    index: tantivy.Index,
    deletes: Sequence[int],
    placed: Iterable[tuple[int, str]],
    bar: Progress,
    heap: int = WRITER_HEAP,
    threads: int = 1,
) -> int:
    """Delete articles (by first slot), add articles (at their first slot) and commit;
    returns the commit's opstamp."""
    writer = index.writer(heap, threads)
    for first in deletes:
        delete_article(writer, index, first)
    for first, data in placed:
        bar.update(add_article(writer, data, first))
    _crash_test("before-commit")
    bar.phase("committing the index")
    opstamp = finish(writer)
    _crash_test("after-commit")
    return opstamp


def _placed(layout: Layout, articles: Iterable[Article]) -> Iterator[tuple[int, str]]:
    """Give each article the next free slots, recording them in ``layout`` as it goes."""
    for fp, article_id, data in articles:
        count = passages(data)
        layout.articles[fp] = (layout.next_slot, count, article_id)
        yield layout.next_slot, data
        layout.next_slot += count


def _mark(directory: Path) -> None:
    """Rewrite the marker for what is committed now, reading only files it does not know."""
    try:
        known: Mapping[str, list[Any]] | None = read_marker(directory).get("files")
    except (OSError, ValueError):
        known = None
    names = [*committed_files(directory), STATE]
    write_marker(directory, directory.name, {"format": INDEX_FORMAT}, names, known)


def _settle_journal(directory: Path) -> str | None:
    """Finish or forget an update that was interrupted (see the module doc); returns why the
    index cannot be used, or None."""
    path = directory / JOURNAL
    if not path.exists():
        return None
    try:
        journal = read_checked(path)
        opstamp = committed_opstamp(directory)
        if opstamp != int(journal["base"]):  # it committed: the journal says what changed
            before = Layout.from_data(read_checked(directory / STATE))
            added = [(str(fp), int(a), int(n), str(i)) for fp, a, n, i in journal["added"]]
            layout = before.changed(journal["removed"], added, journal["deleted_terms"])
            layout.opstamp = opstamp
            write_checked(directory / STATE, layout.to_data())
            _mark(directory)
            log.info("completed the interrupted update of %s", directory)
        path.unlink()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"an interrupted update cannot be settled ({exc})"
    return None


def _crash_test(stage: str) -> None:
    """Stop here and wait to be killed when :data:`CRASH_TEST_ENV` asks for ``stage``."""
    wanted = os.environ.get(CRASH_TEST_ENV, "")
    if wanted.partition(":")[0] != stage:
        return
    Path(wanted.partition(":")[2]).touch()
    while True:  # pragma: no cover - ended by SIGKILL
        time.sleep(60)
