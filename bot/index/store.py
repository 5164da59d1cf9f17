"""The index store: brings the configured engine up to date with a corpus, reusing what it can.

:meth:`IndexStore.sync` is the one call the answer layer needs, at start-up and on every
reload: it compares the corpus with what is indexed, article by article (content
fingerprints, :mod:`bot.index.changes`), and

- **tantivy** (:mod:`bot.index.tantivy_index`): opens the saved index, then deletes and adds
  only the articles that changed -- or builds it when there is none, when it is damaged, or
  when deleted passages have piled up past :data:`COMPACT_SHARE`;
- **rank-bm25**: rebuilds its in-memory model from the analysed passages (cheap at the sizes
  it is meant for);

and in both cases analyses only articles it has never seen (:mod:`bot.index.analysed`) and
keeps the syndicated-copy groups up to date (:mod:`bot.index.copy_groups`). The engine's
:meth:`~bot.index.engine.Engine.vocabulary` is the corpus's vocabulary, for spelling correction.

Nothing under ``cache_dir`` can run code when read, and a half-written or damaged index is
never served (:mod:`bot.index.persisted`).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.analysis.analyzer import Analyzer
from bot.config.settings import Settings
from bot.corpus.copies import CopyGroups
from bot.corpus.model import Corpus
from bot.index.analysed import AnalysedCache
from bot.index.changes import Changes, diff
from bot.index.copy_groups import CopyGroupsCache
from bot.index.encoded import decode
from bot.index.engine import FIELDS, Engine, FieldedDoc, build_engine, with_context
from bot.index.keys import STORE_FORMAT, Fingerprints, analysis_key, digest
from bot.index.persisted import locked
from bot.progress import PROGRESS_MIN, Progress, progress

if TYPE_CHECKING:
    from bot.index.tantivy_index import TantivyIndex

log = logging.getLogger(__name__)

#: A saved tantivy index is rebuilt (from the analysed passages, not re-analysed) once the
#: deleted passages it still keeps pass this share of the live ones: tantivy counts them in
#: its statistics until a merge.
COMPACT_SHARE = 0.25


@dataclass(frozen=True)
class BuildReport:
    """What :meth:`IndexStore.sync` did."""

    engine: str
    articles: int
    passages: int
    analysed_articles: int
    reused_articles: int
    #: True when a saved index was opened (and then brought up to date) rather than built.
    opened: bool
    took_s: float
    #: "built", "opened" (nothing to change) or "updated".
    how: str = "built"
    #: What changed since the index was last brought up to date (None: nothing to compare).
    changes: Changes | None = None

    def describe(self) -> str:
        what = {"built": "built the index", "opened": "opened the saved index"}.get(
            self.how, f"updated the index ({self.changes.describe() if self.changes else ''})"
        )
        return (
            f"{self.engine}: {what} over {self.passages} passages in {self.took_s:.2f} s; "
            f"re-analysed {self.analysed_articles} of {self.articles} articles"
        )


@dataclass(frozen=True)
class Indexed:
    """A corpus made answerable: its engine, its copy groups, and what it took."""

    corpus: Corpus
    engine: Engine
    copies: CopyGroups
    report: BuildReport


@dataclass(frozen=True)
class _Corpus:
    """A corpus's articles as the store sees them."""

    corpus: Corpus
    runs: list[tuple[int, int]]
    prints: list[str]
    ids: list[str]

    @classmethod
    def of(cls, corpus: Corpus, fingerprints: Fingerprints) -> _Corpus:
        return cls(corpus, *fingerprints.of(corpus.passages))

    def known(self) -> dict[str, str]:
        return dict(zip(self.prints, self.ids, strict=True))


class IndexStore:
    """Keeps the configured engine up to date with a corpus, reusing persisted work.

    One store lives as long as the process (the answer service keeps it), so the analyser's
    word cache, the open index and the copy groups survive reloads. Calls are serialised.

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
        self._copies = CopyGroupsCache(self.root if self.persist else None, settings.collapse)
        self._tantivy: TantivyIndex | None = None
        self._indexed: dict[str, str] | None = None  # what rank-bm25 last indexed
        self._fingerprints = Fingerprints()
        #: What the last :meth:`sync` did.
        self.last: BuildReport | None = None
        if self.persist:
            _remove_legacy(self.root)

    def index_key(self) -> str:
        """The key of the persisted tantivy index: what decides its terms and its format."""
        from bot.index.tantivy_writer import index_format

        return digest(
            f"store-format={STORE_FORMAT}",
            index_format(),
            "fields=" + ",".join(FIELDS),
            self.analysis_key,
        )

    def sync(self, corpus: Corpus) -> Indexed:
        """Bring the engine and the copy groups up to date with ``corpus``.

        When ``cache_dir`` cannot be written, the index is built in memory (with a warning):
        the bot still answers, it only loses the fast restart.
        """
        started = time.perf_counter()
        seen = _Corpus.of(corpus, self._fingerprints)
        stats: dict[str, int] = {}
        label = f"indexing ({self.settings.retrieval.engine})"
        with Progress(0, label, len(corpus.passages) >= PROGRESS_MIN) as bar:
            if self.settings.retrieval.engine == "tantivy":
                engine, how, changes = self._sync_tantivy(seen, stats, bar)
            else:
                engine, how, changes = self._sync_rank_bm25(seen, stats, bar)
            copies = self._copies.groups(
                corpus.passages, seen.runs, seen.prints, engine, self._analysed_docs, bar
            )
        self._analysed.commit()
        report = BuildReport(
            engine=engine.name,
            articles=len(seen.runs),
            passages=len(corpus.passages),
            analysed_articles=stats.get("analysed", 0),
            reused_articles=stats.get("reused", 0),
            opened=how != "built",
            took_s=time.perf_counter() - started,
            how=how,
            changes=changes,
        )
        self.last = report
        big = report.passages >= PROGRESS_MIN or report.took_s >= 1.0 or bool(changes)
        log.log(logging.INFO if big else logging.DEBUG, "%s", report.describe())
        return Indexed(corpus, engine, copies, report)

    def engine(self, corpus: Corpus) -> Engine:
        """The engine over ``corpus`` (:meth:`sync` without the rest)."""
        return self.sync(corpus).engine

    # ----------------------------------------------------------------- rank-bm25

    def _sync_rank_bm25(
        self, seen: _Corpus, stats: dict[str, int], bar: Progress
    ) -> tuple[Engine, str, Changes | None]:
        changes = None if self._indexed is None else diff(self._indexed, seen.prints, seen.ids)
        bar.begin(len(seen.corpus.passages))
        analysed = self._analysed.analysed(seen.corpus.passages, seen.runs, seen.prints, stats)
        docs = with_context(
            progress((doc for data in analysed for doc in decode(data)), bar),
            [p.article.id for p in seen.corpus.passages],
        )
        engine = build_engine(self.settings.retrieval, list(docs))
        self._analysed.forget_except(seen.prints)
        self._indexed = seen.known()
        return engine, "built" if changes is None else "updated", changes

    # ----------------------------------------------------------------- tantivy

    def _sync_tantivy(
        self, seen: _Corpus, stats: dict[str, int], bar: Progress
    ) -> tuple[Engine, str, Changes | None]:
        from bot.index.tantivy_engine import warn_unsupported

        warn_unsupported(self.settings.retrieval)  # before any bar
        if not self.persist:
            return self._bring_up_to_date(None, seen, stats, bar)
        directory = self.root / "tantivy" / self.index_key()
        try:
            with locked(directory.with_name(directory.name + ".lock")):
                return self._bring_up_to_date(directory, seen, stats, bar)
        except OSError as exc:
            log.warning(
                "cannot keep the index under %s (%s); building it in memory for this run",
                self.root,
                exc,
            )
            self._tantivy = None
            stats.clear()
            return self._bring_up_to_date(None, seen, stats, bar)

    def _bring_up_to_date(
        self, directory: Path | None, seen: _Corpus, stats: dict[str, int], bar: Progress
    ) -> tuple[Engine, str, Changes | None]:
        from bot.index.tantivy_index import TantivyIndex

        index = self._tantivy
        if directory is not None and (index is None or not index.is_current()):
            index = TantivyIndex.open(self.settings.retrieval, directory)
        how, changes = "built", None
        if index is not None:
            known = {fp: place[2] for fp, place in index.layout.articles.items()}
            changes = diff(known, seen.prints, seen.ids)
            how = "updated" if changes else "opened"
            if changes and not self._update(index, seen, changes, stats, bar):
                index, how = None, "built"
        if index is None:
            bar.begin(len(seen.corpus.passages))
            articles = self._articles(seen, range(len(seen.runs)), stats)
            index = TantivyIndex.build(self.settings.retrieval, directory, articles, bar)
            self._analysed.forget_except(seen.prints)
        self._tantivy = index
        return index.engine(seen.prints), how, changes

    def _update(
        self,
        index: TantivyIndex,
        seen: _Corpus,
        changes: Changes,
        stats: dict[str, int],
        bar: Progress,
    ) -> bool:
        """Apply ``changes`` to ``index``; False when a rebuild is the better way."""
        live = index.layout.passages
        removed = sum(index.layout.articles[fp][1] for fp in changes.gone)
        if (index.deleted() + removed) > COMPACT_SHARE * max(live - removed, 1):
            return False
        removed_terms: set[str] = set()
        for fp in changes.gone:
            docs = self._analysed_docs(fp)
            if docs is None:  # its terms are unknown, so exact statistics need a rebuild
                return False
            removed_terms.update(t for doc in docs for t in doc.body)
        bar.begin(sum(seen.runs[i][1] - seen.runs[i][0] for i in changes.new))
        index.update(changes.gone, self._articles(seen, changes.new, stats), removed_terms, bar)
        self._analysed.forget(changes.gone)
        return True

    def _articles(
        self, seen: _Corpus, which: Sequence[int], stats: dict[str, int]
    ) -> Iterator[tuple[str, str, str]]:
        """The articles at positions ``which`` of ``seen`` with their analysed passages."""
        runs = [seen.runs[i] for i in which]
        prints = [seen.prints[i] for i in which]
        analysed = self._analysed.analysed(seen.corpus.passages, runs, prints, stats)
        for i, data in zip(which, analysed, strict=True):
            yield seen.prints[i], seen.ids[i], data

    def _analysed_docs(self, fp: str) -> tuple[FieldedDoc, ...] | None:
        data = self._analysed.get(fp)
        return None if data is None else decode(data)


def _remove_legacy(root: Path) -> None:
    """Delete caches written by earlier versions in a format that could run code when read:
    they are never read, only removed."""
    for pattern in ("analysed-*.pkl", "copies-*.pkl"):
        for path in root.glob(pattern):
            with contextlib.suppress(OSError):
                path.unlink()
