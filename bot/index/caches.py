"""Work kept between runs that is not an index: analysed passages and syndicated-copy groups.

- **Analysed passages**, per article: ``cache_dir/index/analysed-<analysis key>.pkl`` maps an
  article's content fingerprint (its id, title, section headings and paragraph texts) to the
  analysed terms of its passages, so a restart or a reload re-analyses only the articles whose
  fingerprint is new.
- **Syndicated-copy groups** (:mod:`bot.corpus.copies`): ``copies-<key>.pkl``, keyed by the
  corpus fingerprint and the collapse settings.

Each file carries a checksum of its payload and is ignored, with a warning, when it does not
match.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.analysis.analyzer import Analyzer
from bot.corpus.model import Corpus
from bot.index.engine import FieldedDoc
from bot.index.parallel import analyse_parallel
from bot.index.persisted import prune_files, write_atomic

if TYPE_CHECKING:
    from bot.config import CollapseSettings
    from bot.corpus.copies import CopyGroups

log = logging.getLogger(__name__)


def save_pickle(path: Path, obj: object) -> None:
    """Pickle ``obj`` to ``path`` atomically, prefixed with a checksum of the payload."""
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.blake2b(payload, digest_size=16).hexdigest().encode("ascii")
    write_atomic(path, digest + payload)


def load_pickle(path: Path) -> Any:
    """What :func:`save_pickle` wrote; raises ``ValueError`` when the checksum does not match
    (and ``OSError`` when the file cannot be read)."""
    data = path.read_bytes()
    digest, payload = data[:32], data[32:]
    if digest.decode("ascii", "replace") != hashlib.blake2b(payload, digest_size=16).hexdigest():
        raise ValueError("checksum mismatch")
    return pickle.loads(payload)


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
            prune_files(self.path.parent, "analysed-*.pkl", keep=self.path)
        if release and self.path is not None:
            self._articles = None


def cached_copies(root: Path, key: str, corpus: Corpus, settings: CollapseSettings) -> CopyGroups:
    """The copy groups saved under ``root`` for ``key``, or found and saved."""
    from bot.corpus.copies import find_copies

    path = root / f"copies-{key}.pkl"
    if path.exists():
        try:
            groups = load_pickle(path)
            if len(groups.group_of) == len(corpus.passages):
                return groups
            raise ValueError("passage count differs")
        except Exception as exc:
            log.warning("ignoring the saved copy groups %s: %s", path, exc)
    groups = find_copies(corpus.passages, settings)
    try:
        save_pickle(path, groups)
        prune_files(root, "copies-*.pkl", keep=path)
    except OSError as exc:
        log.warning("could not save the copy groups to %s: %s", path, exc)
    return groups
