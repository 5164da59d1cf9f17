"""The index store: builds the configured engine for a corpus, reusing persisted work.

What is kept, and under which key
---------------------------------
- **Analysed passages**: see :mod:`bot.index.analysed`; **syndicated-copy groups**: see
  :mod:`bot.index.copy_groups`. Nothing under ``cache_dir`` can run code when read.
- **tantivy indexes**: ``cache_dir/index/tantivy/<index key>/``, keyed by the corpus fingerprint
  (the article fingerprints in corpus order), the analysis key and the index format
  (:mod:`bot.index.keys`). Field weights are applied at query time, so changing them needs no
  rebuild. A restart with an unchanged corpus opens the index and analyses nothing.

A half-written or damaged index is never served: see :mod:`bot.index.persisted`.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.analysis.analyzer import Analyzer
from bot.config import Settings
from bot.corpus.model import Corpus
from bot.index.analysed import AnalysedCache
from bot.index.copy_groups import cached_copies
from bot.index.engine import FIELDS, Engine, FieldedDoc, build_engine, with_context
from bot.index.keys import STORE_FORMAT, analysis_key, copies_key, corpus_fingerprints, digest
from bot.index.progress import PROGRESS_MIN, Progress, progress

if TYPE_CHECKING:
    from bot.corpus.copies import CopyGroups
    from bot.index.tantivy_engine import TantivyEngine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """What :meth:`IndexStore.engine` did: how much it re-analysed and whether it rebuilt."""

    engine: str
    articles: int
    passages: int
    analysed_articles: int
    reused_articles: int
    opened: bool
    took_s: float

    def describe(self) -> str:
        how = "opened the saved index" if self.opened else "built the index"
        return (
            f"{self.engine}: {how} over {self.passages} passages in {self.took_s:.2f} s; "
            f"re-analysed {self.analysed_articles} of {self.articles} articles"
        )


class IndexStore:
    """Builds the configured engine for a corpus, reusing persisted work where it is valid.

    One store lives as long as the process (the answer service keeps it), so the analyser's
    word cache and the analysed passages survive reloads.

    Parameters
    ----------
    settings
        ``retrieval.engine`` picks the engine, ``retrieval.persist`` and ``cache_dir`` where
        (and whether) to keep analysed passages and indexes.
    persist
        Overrides ``retrieval.persist``.
    """

    def __init__(self, settings: Settings, persist: bool | None = None) -> None:
        self.settings = settings
        self.analyzer = Analyzer(settings.analysis)
        self.persist = settings.retrieval.persist if persist is None else persist
        self.root = Path(settings.cache_dir) / "index"
        self.analysis_key = analysis_key(settings.analysis)
        self._analysed = AnalysedCache(
            self.analyzer,
            self.root / f"analysed-{self.analysis_key}.sqlite" if self.persist else None,
        )
        if self.persist:
            _remove_legacy(self.root)
        #: What the last :meth:`engine` call did.
        self.last: BuildReport | None = None
        self._print: tuple[int, str] = (0, "")

    def index_key(self, corpus_print: str) -> str:
        """The key of a persisted tantivy index for a corpus fingerprint."""
        from bot.index.tantivy_engine import index_format

        return digest(
            f"store-format={STORE_FORMAT}",
            index_format(),
            "fields=" + ",".join(FIELDS),
            self.analysis_key,
            corpus_print,
        )

    def engine(self, corpus: Corpus) -> Engine:
        """The configured engine over ``corpus``.

        When ``cache_dir`` cannot be written, the index is built in memory (with a warning):
        the bot still answers, it only loses the fast restart.
        """
        started = time.perf_counter()
        runs, prints, corpus_print = corpus_fingerprints(corpus)
        self._print = (id(corpus), corpus_print)
        stats: dict[str, int] = {}
        article_ids = [p.article.id for p in corpus.passages]

        bar = Progress(len(corpus.passages), f"indexing ({self.settings.retrieval.engine})")

        def passages() -> Iterator[FieldedDoc]:
            bar.begin(len(corpus.passages))  # only once there is work: not for a warm start
            for article in self._analysed.analysed(corpus.passages, runs, prints, stats):
                yield from article
            bar.phase("committing the index")  # the engine takes it from here

        def docs() -> Iterator[FieldedDoc]:
            stats.clear()
            return with_context(progress(passages(), bar), article_ids)

        with bar:
            engine, opened = self._build(corpus, docs, corpus_print)
        if not opened:
            self._analysed.forget_except(prints)
            self._analysed.commit()
        self.last = BuildReport(
            engine=engine.name,
            articles=len(runs),
            passages=len(corpus.passages),
            analysed_articles=stats.get("analysed", 0),
            reused_articles=stats.get("reused", 0),
            opened=opened,
            took_s=time.perf_counter() - started,
        )
        big = self.last.passages >= PROGRESS_MIN or self.last.took_s >= 1.0
        log.log(logging.INFO if big else logging.DEBUG, "%s", self.last.describe())
        return engine

    def _build(
        self, corpus: Corpus, docs: Callable[[], Iterator[FieldedDoc]], corpus_print: str
    ) -> tuple[Engine, bool]:
        """The engine, and whether a saved one was opened."""
        retrieval = self.settings.retrieval
        opened = False
        engine: Engine
        if retrieval.engine == "tantivy" and self.persist:
            try:
                tantivy_engine = self._tantivy(corpus, docs(), corpus_print)
                engine, opened = tantivy_engine, tantivy_engine.opened
            except OSError as exc:
                log.warning(
                    "cannot keep the index under %s (%s); building it in memory for this run",
                    self.root,
                    exc,
                )
                engine = build_engine(retrieval, list(docs()))
        else:
            engine = build_engine(retrieval, list(docs()))
        return engine, opened

    def copies(self, corpus: Corpus) -> CopyGroups:
        """Syndicated-copy groups (:mod:`bot.corpus.copies`), kept under ``cache_dir`` keyed by the
        corpus fingerprint and the collapse settings, so a restart with an unchanged corpus does
        not shingle every passage again."""
        from bot.corpus.copies import find_copies

        collapse = self.settings.collapse
        if not self.persist or not collapse.enabled or len(corpus.passages) < 2:
            return find_copies(corpus.passages, collapse)
        if self._print[0] == id(corpus):
            corpus_print = self._print[1]
        else:
            corpus_print = corpus_fingerprints(corpus)[2]
        return cached_copies(self.root, copies_key(collapse, corpus_print), corpus, collapse)

    def _tantivy(
        self, corpus: Corpus, docs: Iterable[FieldedDoc], corpus_print: str
    ) -> TantivyEngine:
        from bot.index.tantivy_engine import TantivyEngine

        return TantivyEngine(
            self.settings.retrieval,
            docs,
            cache_dir=self.root,
            key=self.index_key(corpus_print),
            expected=len(corpus.passages),
        )


def _remove_legacy(root: Path) -> None:
    """Delete caches written by earlier versions in a format that could run code when read:
    they are never read, only removed."""
    for pattern in ("analysed-*.pkl", "copies-*.pkl"):
        for path in root.glob(pattern):
            with contextlib.suppress(OSError):
                path.unlink()
