"""Analysed passages kept between runs, per article, in SQLite.

``cache_dir/index/analysed-<analysis key>.sqlite`` maps an article's content fingerprint (its
id, title, section headings and paragraph texts; :mod:`bot.index.keys`) to the analysed terms
of its passages, so a restart or a reload analyses only the articles whose fingerprint is new,
and an update reads only the articles it touches.

Why SQLite: one row per article is read and written without loading the rest (an update of one
article at a million passages touches one row), a transaction is atomic under a crash, and the
file holds only text -- a damaged or tampered cache can fail to read, never run code. Each row
carries a checksum of its text, because SQLite itself does not notice a flipped byte inside a
row. Any damage, an unknown file or another format version means one warning and a fresh,
empty cache.

An article's terms are kept as the one string of :mod:`bot.index.encoded`, as analysis
produces them.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from bot.analysis.analyzer import Analyzer
from bot.corpus.model import Passage
from bot.index.encoded import encode
from bot.index.engine import analyse_passages
from bot.index.parallel import analyse_parallel
from bot.index.persisted import prune_files

log = logging.getLogger(__name__)

#: Bump when the table layout or the encoding of a row changes.
ANALYSED_FORMAT = 2
#: Marks the file as this program's (SQLite's ``application_id``: "tbot").
_APPLICATION_ID = 0x74626F74


class CacheDamaged(Exception):
    """The cache file cannot be trusted (damaged, foreign or of another format)."""


def _checksum(fp: str, data: str) -> str:
    return hashlib.blake2b(f"{fp}\n{data}".encode(), digest_size=8).hexdigest()


class AnalysedCache:
    """Analysed passages per article fingerprint, in an SQLite file (in memory without one).

    The connection is opened on first use and shared under a lock, so the store may be used
    from a reload thread; forked analysis workers never touch it.
    """

    def __init__(self, analyzer: Analyzer, path: Path | None) -> None:
        self.analyzer = analyzer
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    # ----------------------------------------------------------------- reading and writing

    def analysed(
        self,
        passages: Sequence[Passage],
        runs: Sequence[tuple[int, int]],
        prints: Sequence[str],
        stats: dict[str, int],
    ) -> Iterator[str]:
        """Each run's analysed passages (encoded) in order, analysing only unseen articles.

        Analysis of the unseen articles starts with the iteration (in worker processes when
        there are many, see :func:`analyse_parallel`) and overlaps with the consumer; what it
        yields is saved as it arrives. Counts analysed and reused articles into ``stats``.
        """
        with self._lock:
            kept = self._kept(prints)
            missing = [run for run, fp in zip(runs, prints, strict=True) if fp not in kept]
        fresh = analyse_parallel(passages, self.analyzer, missing)
        next_missing = iter(missing)
        pending = next(next_missing, None)
        for run, fp in zip(runs, prints, strict=True):
            if run == pending:
                docs = next(fresh)
                pending = next(next_missing, None)
                self.put(fp, docs)
                stats["analysed"] = stats.get("analysed", 0) + 1
            else:
                found = self.get(fp)
                if found is None:  # the cache broke meanwhile: analyse here
                    found = encode(analyse_passages(passages[run[0] : run[1]], self.analyzer))
                    self.put(fp, found)
                    stats["analysed"] = stats.get("analysed", 0) + 1
                else:
                    stats["reused"] = stats.get("reused", 0) + 1
                docs = found
            yield docs

    def get(self, fp: str) -> str | None:
        """The analysed passages (encoded) of the article with fingerprint ``fp``, if kept."""
        with self._lock:
            row = self._query("SELECT checksum, data FROM articles WHERE fp = ?", (fp,))
            if row is None:
                return None
            if row[0] != _checksum(fp, row[1]):
                self._reset(CacheDamaged(f"the row of article {fp[:12]} fails its checksum"))
                return None
            return row[1]

    def put(self, fp: str, data: str) -> None:
        """Keep ``data`` (encoded passages) for ``fp`` (saved by :meth:`commit`)."""
        with self._lock:
            self._execute(
                "INSERT OR REPLACE INTO articles (fp, checksum, data) VALUES (?, ?, ?)",
                (fp, _checksum(fp, data), data),
            )

    def forget(self, fps: Iterable[str]) -> None:
        """Drop the articles with fingerprints ``fps`` (no longer in the corpus)."""
        with self._database() as db:
            if db is not None:
                db.executemany("DELETE FROM articles WHERE fp = ?", ((fp,) for fp in fps))

    def forget_except(self, keep: Iterable[str]) -> None:
        """Drop every article whose fingerprint is not in ``keep`` (no longer in the corpus)."""
        with self._database() as db:
            if db is not None:
                db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (fp TEXT PRIMARY KEY)")
                db.execute("DELETE FROM keep")
                db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((fp,) for fp in keep))
                db.execute("DELETE FROM articles WHERE fp NOT IN (SELECT fp FROM keep)")
                db.execute("DELETE FROM keep")

    def commit(self) -> None:
        """Make what was put durable; prunes caches of other analysis settings."""
        with self._lock:
            if self._db is None:
                return
            try:
                self._db.commit()
            except sqlite3.DatabaseError as exc:
                self._reset(exc)
                return
            if self.path is not None:
                prune_files(self.path.parent, "analysed-*.sqlite", keep=self.path)

    def close(self) -> None:
        """Commit and close the connection (it reopens on next use)."""
        with self._lock:
            self.commit()
            if self._db is not None:
                self._db.close()
                self._db = None

    # ----------------------------------------------------------------- SQLite

    def _kept(self, prints: Sequence[str]) -> set[str]:
        """Which of ``prints`` the cache holds: one query for many (all of them, for a large
        corpus), not one per article."""
        with self._database() as db:
            if db is not None and len(prints) > 1_000:
                return {row[0] for row in db.execute("SELECT fp FROM articles")}
            if db is not None:
                marks = ",".join("?" * len(prints))
                found = db.execute(f"SELECT fp FROM articles WHERE fp IN ({marks})", list(prints))
                return {row[0] for row in found}
        return set()

    def _query(self, sql: str, args: tuple[str, ...]) -> tuple[str, ...] | None:
        with self._database() as db:
            if db is not None:
                row: tuple[str, ...] | None = db.execute(sql, args).fetchone()
                return row
        return None

    def _execute(self, sql: str, args: tuple[str, ...]) -> None:
        with self._database() as db:
            if db is not None:
                db.execute(sql, args)

    @contextlib.contextmanager
    def _database(self) -> Iterator[sqlite3.Connection | None]:
        """The connection, under the lock; damage found while using it resets the cache
        (and ends the block as if it had found nothing)."""
        with self._lock:
            db = self._connection()
            try:
                yield db
            except sqlite3.DatabaseError as exc:
                self._reset(exc)

    def _connection(self) -> sqlite3.Connection | None:
        if self._db is None:
            try:
                self._db = self._open(self.path)
            except (sqlite3.DatabaseError, CacheDamaged) as exc:
                self._reset(exc)
            except OSError as exc:
                log.warning("cannot keep the analysed passages in %s: %s", self.path, exc)
                self.path = None
                self._db = self._open(None)
        return self._db

    @staticmethod
    def _open(path: Path | None) -> sqlite3.Connection:
        """Open (creating) the cache; raises :class:`CacheDamaged` for a file that is not one."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        target = ":memory:" if path is None else str(path)
        db = sqlite3.connect(target, timeout=60.0, check_same_thread=False)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            application = db.execute("PRAGMA application_id").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables == 0 and version == 0:
                db.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {ANALYSED_FORMAT}")
                db.execute(
                    "CREATE TABLE articles (fp TEXT PRIMARY KEY, checksum TEXT NOT NULL, "
                    "data TEXT NOT NULL)"
                )
                db.commit()
            elif application != _APPLICATION_ID or version != ANALYSED_FORMAT:
                raise CacheDamaged(f"format {version} of {application:#x}, not {ANALYSED_FORMAT}")
        except BaseException:
            db.close()
            raise
        return db

    def _reset(self, problem: BaseException) -> None:
        """Start afresh after damage: one warning, the file removed, an empty cache."""
        log.warning(
            "ignoring the saved analysed passages %s (%s); analysing again", self.path, problem
        )
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        if self.path is not None:
            for suffix in ("", "-journal", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    Path(f"{self.path}{suffix}").unlink()
        try:
            self._db = self._open(self.path)
        except (OSError, sqlite3.DatabaseError, CacheDamaged) as exc:
            log.warning("cannot keep the analysed passages in %s: %s", self.path, exc)
            self.path = None
            self._db = self._open(None)
