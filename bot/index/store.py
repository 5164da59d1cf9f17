"""The index store: analysed passages and indexes kept under ``cache_dir`` between runs.

What is kept, and under which key
---------------------------------
- **Analysed passages**, per article: ``cache_dir/index/analysed-<analysis key>.pkl`` maps an
  article's content fingerprint (its id, title, section headings and paragraph texts) to the
  analysed terms of its passages. The analysis key hashes the analysis settings, the analyser's
  code and its word lists, so any change to how text becomes terms starts afresh. A restart or
  a reload re-analyses only the articles whose fingerprint is new.
- **Syndicated-copy groups** (:mod:`bot.corpus.copies`): ``copies-<key>.pkl``, keyed by the corpus
  fingerprint and the collapse settings and code.
- **tantivy indexes**: ``cache_dir/index/tantivy/<index key>/``, keyed by the corpus fingerprint
  (the article fingerprints in corpus order), the analysis key and the index format. Field
  weights are applied at query time, so changing them needs no rebuild. A restart with an
  unchanged corpus opens the index and analyses nothing.

How a half-written or damaged index is never served
---------------------------------------------------
An index is written into a fresh temporary directory next to its final place; when it is
complete, a marker file recording every file's size and BLAKE2 checksum is written, and the
directory is renamed into place in one step. Opening checks the marker, every checksum and a
trial open of the index; if anything is off the directory is deleted and rebuilt (with a
warning in the log). The pickle of analysed passages carries a checksum the same way and is
ignored when it does not match.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import logging
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.analysis.analyzer import Analyzer
from bot.config import AnalysisSettings, RetrievalSettings, Settings
from bot.corpus.model import Corpus, Passage
from bot.errors import EngineError
from bot.index.engine import (
    FIELDS,
    Engine,
    FieldedDoc,
    analyse_passages,
    build_engine,
    with_context,
)

if TYPE_CHECKING:
    from bot.corpus.copies import CopyGroups
    from bot.index.tantivy_engine import TantivyEngine

log = logging.getLogger(__name__)

#: The marker that makes a persisted directory complete.
MARKER = "COMPLETE.json"
#: Bump when the layout of persisted files changes.
STORE_FORMAT = 1
#: Builds of at least this many passages report progress.
PROGRESS_MIN = 20_000
#: Persisted indexes kept besides the one in use (other processes may still use them).
KEEP_OLD = 2
#: Unfinished build directories older than this are leftovers of a crash and are removed.
STALE_TMP_S = 6 * 3600

_T = TypeVar("_T")


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


# --------------------------------------------------------------------------- advice

#: Past this many passages rank-bm25 gets slow (README, "Performance"; 2-core machine): at 30k
#: it answers in 7 ms p50 against tantivy's 1.3 ms and, under 50 questions a second, delays the
#: event loop by 42 ms p99; by 100k, 22 ms and 160 ms, while tantivy stays at a few ms.
TANTIVY_ADVISED_PASSAGES = 30_000


def engine_advice(settings: RetrievalSettings, passages: int) -> list[str]:
    """What ``python -m bot check`` should say about the engine choice for this corpus size."""
    advice = []
    if settings.engine == "rank-bm25" and passages >= TANTIVY_ADVISED_PASSAGES:
        advice.append(
            f"{passages:,} passages: rank-bm25 gets slow past about "
            f"{TANTIVY_ADVISED_PASSAGES:,}; set retrieval.engine: tantivy "
            "(README, Performance)"
        )
    if settings.engine == "tantivy":
        from bot.index.tantivy_engine import unsupported_settings

        ignored = unsupported_settings(settings)
        if ignored:
            advice.append(
                "tantivy always scores BM25 with k1=1.2, b=0.75 and Lucene IDF; it ignores "
                + ", ".join(f"retrieval.{item}" for item in ignored)
            )
    return advice


# --------------------------------------------------------------------------- keys


def _digest(*parts: str | bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def analysis_key(settings: AnalysisSettings) -> str:
    """Everything that decides how text becomes terms: settings, analyser code (and the code that
    applies it to passages), word lists, and the versions of the stemmer and lemmatiser."""
    from importlib.metadata import PackageNotFoundError, version

    import bot.analysis.analyzer as analysis_module

    versions = []
    for package in ("PyStemmer", "simplemma"):
        try:
            versions.append(f"{package}={version(package)}")
        except PackageNotFoundError:  # pragma: no cover - depends on the environment
            versions.append(f"{package}=?")
    stopwords = resources.files("bot").joinpath("data/stopwords.txt").read_bytes()
    return _digest(
        f"store-format={STORE_FORMAT}",
        settings.model_dump_json(),
        Path(analysis_module.__file__).read_bytes(),
        inspect.getsource(analyse_passages),
        stopwords,
        ";".join(versions),
    )


def chunks(passages: Sequence[Passage]) -> list[tuple[int, int]]:
    """``(start, end)`` of each run of consecutive passages from one article."""
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(passages) + 1):
        if i == len(passages) or passages[i].article.id != passages[start].article.id:
            runs.append((start, i))
            start = i
    return runs


def chunk_fingerprint(passages: Sequence[Passage]) -> str:
    """What analysis reads of a run of one article's passages: id, title, sections, texts."""
    article = passages[0].article
    parts: list[str] = [article.id, article.title]
    for p in passages:
        parts.append(p.section or "")
        parts.append(p.text)
    return _digest(*parts)


def corpus_fingerprints(corpus: Corpus) -> tuple[list[tuple[int, int]], list[str], str]:
    """The article runs, their fingerprints and the fingerprint of the whole corpus."""
    runs = chunks(corpus.passages)
    prints = [chunk_fingerprint(corpus.passages[a:b]) for a, b in runs]
    return runs, prints, _digest(*prints)


# --------------------------------------------------------------------------- analysis


# --------------------------------------------------------------------------- progress


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


# --------------------------------------------------------------------------- parallel analysis

#: Analysing at least this many passages at once uses one worker process per core.
PARALLEL_MIN = 40_000
#: Passages per batch sent to a worker.
_BATCH = 2_000
#: What forked workers analyse: set just before the pool forks, read by :func:`_analyse_batch`.
_FORKED: tuple[Sequence[Passage], Analyzer] | None = None

_Fields = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _analyse_batch(batch: list[tuple[int, int]]) -> list[tuple[_Fields, ...]]:
    if _FORKED is None:  # pragma: no cover - only reachable in a misconfigured pool
        raise EngineError("analysis worker started without a corpus")
    passages, analyzer = _FORKED
    return [
        tuple((d.body, d.title, d.section) for d in analyse_passages(passages[a:b], analyzer))
        for a, b in batch
    ]


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, cores)


def analyse_parallel(
    passages: Sequence[Passage], analyzer: Analyzer, runs: Sequence[tuple[int, int]]
) -> Iterator[tuple[FieldedDoc, ...]]:
    """Analyse each run of passages; returns an iterator of each run's analysed passages, in
    order.

    A large job (:data:`PARALLEL_MIN` passages) on a platform that can fork is split among one
    worker process per core, started before this function returns -- so callers can start the
    workers before anything else starts threads -- while the caller consumes results as they
    arrive (indexing overlaps analysis).
    """
    import multiprocessing

    size = sum(b - a for a, b in runs)
    workers = _workers()
    if size < PARALLEL_MIN or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _analyse_serial(passages, analyzer, runs, Progress(size, "analysing"))
    batches: list[list[tuple[int, int]]] = [[]]
    count = 0
    for a, b in runs:
        if count >= _BATCH:
            batches.append([])
            count = 0
        batches[-1].append((a, b))
        count += b - a
    global _FORKED
    _FORKED = (passages, analyzer)
    try:
        pool = multiprocessing.get_context("fork").Pool(workers)  # the workers fork here
    finally:
        _FORKED = None
    return _collect(pool, batches, Progress(size, "analysing"))


def _analyse_serial(
    passages: Sequence[Passage],
    analyzer: Analyzer,
    runs: Sequence[tuple[int, int]],
    bar: Progress,
) -> Iterator[tuple[FieldedDoc, ...]]:
    try:
        for a, b in runs:
            yield tuple(analyse_passages(passages[a:b], analyzer))
            bar.update(b - a)
    finally:
        bar.close()


def _collect(
    pool: Any, batches: list[list[tuple[int, int]]], bar: Progress
) -> Iterator[tuple[FieldedDoc, ...]]:
    try:
        for batch, result in zip(batches, pool.imap(_analyse_batch, batches), strict=True):
            for fields in result:
                yield tuple(FieldedDoc(*f) for f in fields)
            bar.update(sum(b - a for a, b in batch))
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        bar.close()


# --------------------------------------------------------------------------- persisted dirs


def _checksum(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _manifest(directory: Path) -> dict[str, list[Any]]:
    return {
        str(p.relative_to(directory)): [p.stat().st_size, _checksum(p)]
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != MARKER and not p.name.endswith(".lock")
    }


def check_dir(directory: Path, key: str) -> str | None:
    """Why the persisted ``directory`` cannot be used (None when it can)."""
    try:
        marker = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "no completion marker (an interrupted build)"
    except (OSError, ValueError) as exc:
        return f"unreadable completion marker ({exc})"
    if not isinstance(marker, dict) or marker.get("key") != key:
        return "completion marker for another key"
    files = marker.get("files")
    if not isinstance(files, dict) or not files:
        return "completion marker lists no files"
    for name, expected in files.items():
        path = directory / name
        try:
            size = path.stat().st_size
        except OSError:
            return f"{name} is missing"
        if size != expected[0]:
            return f"{name} has {size} bytes, expected {expected[0]}"
    for name, expected in files.items():
        if _checksum(directory / name) != expected[1]:
            return f"{name} does not match its checksum"
    return None


def _remove(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def persisted_dir(
    root: Path,
    key: str,
    build: Callable[[Path], Mapping[str, Any]],
    validate: Callable[[Path], None],
) -> tuple[Path, bool]:
    """Open the complete directory ``root/key``, or build it atomically.

    Parameters
    ----------
    build
        Writes the content into the empty directory it is given; returns facts for the marker.
    validate
        Raises if a directory that passed the checksum check still cannot be used.

    Returns
    -------
    The directory, and True when it was opened rather than built.
    """
    final = root / key
    if final.exists():
        problem = check_dir(final, key)
        if problem is None:
            try:
                validate(final)
            except Exception as exc:
                problem = f"cannot be opened ({exc})"
        if problem is None:
            return final, True
        log.warning("the saved index %s is unusable: %s; rebuilding it", final, problem)
        _remove(final)
    root.mkdir(parents=True, exist_ok=True)
    _prune(root, keep=final)
    tmp = Path(tempfile.mkdtemp(prefix=f".building-{key[:12]}-", dir=root))
    try:
        facts = dict(build(tmp))
        marker = {"key": key, "created": time.time(), **facts, "files": _manifest(tmp)}
        marker_path = tmp / MARKER
        with marker_path.open("w", encoding="utf-8") as f:
            json.dump(marker, f)
            f.flush()
            os.fsync(f.fileno())
        try:
            tmp.rename(final)
        except OSError:
            # Another process published the same key first; use theirs if it is sound.
            if final.exists() and check_dir(final, key) is None:
                _remove(tmp)
                return final, True
            raise
    except BaseException:
        _remove(tmp)
        raise
    return final, False


def _prune(root: Path, keep: Path) -> None:
    """Remove stale unfinished builds and all but the newest :data:`KEEP_OLD` old indexes."""
    now = time.time()
    finished = []
    for entry in root.iterdir():
        if not entry.is_dir() or entry == keep:
            continue
        try:
            mtime = entry.stat().st_mtime
        except OSError:
            continue
        if entry.name.startswith(".building-"):
            if now - mtime > STALE_TMP_S:
                _remove(entry)
        else:
            finished.append((mtime, entry))
    finished.sort(reverse=True)
    for _, entry in finished[KEEP_OLD:]:
        _remove(entry)


def _prune_files(directory: Path, pattern: str, keep: Path) -> None:
    """Remove all but the newest :data:`KEEP_OLD` files matching ``pattern`` besides ``keep``."""
    others = []
    for path in directory.glob(pattern):
        if path != keep:
            with contextlib.suppress(OSError):
                others.append((path.stat().st_mtime, path))
    others.sort(reverse=True)
    for _, path in others[KEEP_OLD:]:
        with contextlib.suppress(OSError):
            path.unlink()


def save_pickle(path: Path, obj: object) -> None:
    """Pickle ``obj`` to ``path`` atomically, prefixed with a checksum of the payload."""
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.blake2b(payload, digest_size=16).hexdigest().encode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(digest)
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load_pickle(path: Path) -> Any:
    """What :func:`save_pickle` wrote; raises ``ValueError`` when the checksum does not match
    (and ``OSError`` when the file cannot be read)."""
    data = path.read_bytes()
    digest, payload = data[:32], data[32:]
    if digest.decode("ascii", "replace") != hashlib.blake2b(payload, digest_size=16).hexdigest():
        raise ValueError("checksum mismatch")
    return pickle.loads(payload)


# --------------------------------------------------------------------------- analysed cache


class AnalysedCache:
    """Analysed passages per article fingerprint, in memory and (optionally) on disk."""

    def __init__(self, analyzer: Analyzer, path: Path | None) -> None:
        self.analyzer = analyzer
        self.path = path
        self._articles: dict[str, tuple[FieldedDoc, ...]] | None = None
        self._dirty = False

    def _load(self) -> dict[str, tuple[FieldedDoc, ...]]:
        if self._articles is not None:
            return self._articles
        self._articles = {}
        if self.path is None or not self.path.exists():
            return self._articles
        try:
            raw = load_pickle(self.path)
            self._articles = {
                fp: tuple(FieldedDoc(*fields) for fields in docs) for fp, docs in raw.items()
            }
        except Exception as exc:
            log.warning("ignoring the saved analysed passages %s: %s", self.path, exc)
            self._articles = {}
        return self._articles

    def docs(
        self,
        corpus: Corpus,
        runs: Sequence[tuple[int, int]],
        prints: Sequence[str],
        stats: dict[str, int],
    ) -> Iterator[FieldedDoc]:
        """The corpus's analysed passages in order, analysing only unseen articles.

        Analysis of the unseen articles starts with the iteration (in worker processes when
        there are many, see :func:`analyse_parallel`) and overlaps with the consumer. Counts
        analysed and reused articles into ``stats``; articles no longer in the corpus are
        forgotten when the iteration completes.
        """
        articles = self._load()
        missing = {fp: run for run, fp in zip(runs, prints, strict=True) if fp not in articles}
        fresh = analyse_parallel(corpus.passages, self.analyzer, list(missing.values()))
        self._dirty = self._dirty or bool(missing)
        seen: set[str] = set()
        for fp in prints:
            seen.add(fp)
            docs = articles.get(fp)
            if docs is None:  # the next missing article: ``fresh`` yields them in this order
                docs = articles[fp] = next(fresh)
            key = "analysed" if fp in missing else "reused"
            stats[key] = stats.get(key, 0) + 1
            yield from docs
        for _ in fresh:  # pragma: no cover - every missing run was consumed above
            pass
        stale = [fp for fp in articles if fp not in seen]
        for fp in stale:
            del articles[fp]
        self._dirty = self._dirty or bool(stale)

    def save(self, release: bool = False) -> None:
        """Write the cache atomically if it changed; ``release`` drops it from memory after."""
        if self.path is not None and self._dirty and self._articles is not None:
            raw = {
                fp: tuple((d.body, d.title, d.section) for d in docs)
                for fp, docs in self._articles.items()
            }
            save_pickle(self.path, raw)
            self._dirty = False
            _prune_files(self.path.parent, "analysed-*.pkl", keep=self.path)
        if release and self.path is not None:
            self._articles = None


# --------------------------------------------------------------------------- the store


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
            self.root / f"analysed-{self.analysis_key}.pkl" if self.persist else None,
        )
        #: What the last :meth:`engine` call did.
        self.last: BuildReport | None = None
        self._print: tuple[int, str] = (0, "")

    def index_key(self, corpus_print: str) -> str:
        """The key of a persisted tantivy index for a corpus fingerprint."""
        from bot.index.tantivy_engine import INDEX_FORMAT, _tantivy_version

        return _digest(
            f"store-format={STORE_FORMAT}",
            f"index-format={INDEX_FORMAT}",
            "fields=" + ",".join(FIELDS),
            f"tantivy={_tantivy_version()}",
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

        def docs() -> Iterator[FieldedDoc]:
            stats.clear()
            return with_context(
                progress(
                    self._analysed.docs(corpus, runs, prints, stats),
                    total=len(corpus.passages),
                    desc=f"indexing ({self.settings.retrieval.engine})",
                ),
                article_ids,
            )

        retrieval = self.settings.retrieval
        opened = False
        if retrieval.engine == "tantivy" and self.persist:
            try:
                engine: Engine = self._tantivy(corpus, docs(), corpus_print)
                opened = bool(getattr(engine, "opened", False))
            except OSError as exc:
                log.warning(
                    "cannot keep the index under %s (%s); building it in memory for this run",
                    self.root,
                    exc,
                )
                engine = build_engine(retrieval, list(docs()))
        else:
            engine = build_engine(retrieval, list(docs()))
        if not opened:
            try:
                self._analysed.save(release=True)
            except OSError as exc:
                log.warning("cannot save the analysed passages under %s: %s", self.root, exc)
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

    def copies(self, corpus: Corpus) -> CopyGroups:
        """Syndicated-copy groups (:mod:`bot.corpus.copies`), kept under ``cache_dir`` keyed by the
        corpus fingerprint, the collapse settings and the collapse code, so a restart with an
        unchanged corpus does not shingle every passage again."""
        import bot.corpus.copies as collapse_module
        from bot.corpus.copies import find_copies

        collapse = self.settings.collapse
        if not self.persist or not collapse.enabled or len(corpus.passages) < 2:
            return find_copies(corpus.passages, collapse)
        if self._print[0] == id(corpus):
            corpus_print = self._print[1]
        else:
            corpus_print = corpus_fingerprints(corpus)[2]
        key = _digest(
            f"store-format={STORE_FORMAT}",
            collapse.model_dump_json(),
            Path(collapse_module.__file__).read_bytes(),
            corpus_print,
        )
        path = self.root / f"copies-{key}.pkl"
        if path.exists():
            try:
                groups = load_pickle(path)
                if len(groups.group_of) == len(corpus.passages):
                    return groups
                raise ValueError("passage count differs")
            except Exception as exc:
                log.warning("ignoring the saved copy groups %s: %s", path, exc)
        groups = find_copies(corpus.passages, collapse)
        try:
            save_pickle(path, groups)
            _prune_files(self.root, "copies-*.pkl", keep=path)
        except OSError as exc:
            log.warning("could not save the copy groups to %s: %s", path, exc)
        return groups

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
