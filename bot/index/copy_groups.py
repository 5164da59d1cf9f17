"""Syndicated-copy groups (:mod:`bot.corpus.copies`), kept between runs and updated with the corpus.

Finding copies shingles every passage (about 11 s per 100k passages), so it is done once and
then kept up to date: when articles are added, only their passages are compared -- with each
other and with the passages the index ranks highest for their rarest words, which is where a
copy of them would be -- and when articles go, only the groups that lose members are looked at
again. A large change (over :data:`FULL_SHARE` of the passages), or a small corpus, is simply
grouped from scratch.

Compared with grouping from scratch, the update can differ only where grouping from scratch is
itself approximate (MinHash LSH proposes near-copy candidates by chance, see
:mod:`bot.corpus.copies`), and for passages with no searchable word, which are matched only
when grouping from scratch.

``cache_dir/index/copies-<key>.json`` (key: the collapse settings) holds the groups as
(article fingerprint, paragraph offset) pairs, so they survive the corpus changing while the bot
is stopped, in JSON with a checksum (:func:`bot.index.persisted.write_checked`): data that can
fail to read, never run code. Anything unreadable, damaged or of another format is grouped
again, with one warning.
"""

from __future__ import annotations

import bisect
import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.config.settings import CollapseSettings
from bot.corpus import copies
from bot.corpus.copies import CopyGroups
from bot.corpus.model import Passage
from bot.index.engine import Engine, FieldedDoc, WeightedTerm
from bot.index.keys import copies_key
from bot.index.persisted import prune_files, read_checked, write_checked
from bot.progress import Progress

log = logging.getLogger(__name__)

#: Bump when the layout of the saved groups changes.
COPIES_FILE_FORMAT = 2
#: Changes touching more than this share of the passages are grouped from scratch.
FULL_SHARE = 0.2
#: Corpora smaller than this are grouped from scratch (it takes milliseconds).
SMALL_CORPUS = 2_000
#: Passages the index proposes as possible copies of each new passage.
CANDIDATES = 10
#: A new passage's rarest words that make the query for its possible copies: a copy shares
#: most of them, and a short query is fast on either engine.
QUERY_TERMS = 8

Member = tuple[str, int]  # article fingerprint, passage offset in the article


@dataclass(frozen=True)
class _Saved:
    """Groups of one corpus version: its articles' sizes, and the groups as members."""

    sizes: dict[str, int]
    groups: tuple[tuple[Member, ...], ...]


class CopyGroupsCache:
    """Copy groups for one collapse setting, in memory and (optionally) on disk."""

    def __init__(self, root: Path | None, settings: CollapseSettings) -> None:
        self.settings = settings
        self.path = None if root is None else root / f"copies-{copies_key(settings)}.json"
        self._saved: _Saved | None = None

    def groups(
        self,
        passages: Sequence[Passage],
        runs: Sequence[tuple[int, int]],
        prints: Sequence[str],
        engine: Engine,
        docs_of: Callable[[str], Sequence[FieldedDoc] | None],
        bar: Progress,
    ) -> CopyGroups:
        """The copy groups of a corpus (``runs`` and ``prints``: its articles), updated from
        the last ones where that is cheaper; ``engine`` indexes this corpus, ``docs_of``
        gives an article's analysed passages, and ``bar`` shows that copies are being found."""
        if not self.settings.enabled or len(passages) < 2:
            return copies.find_copies(passages, self.settings)
        saved = self._saved if self._saved is not None else self._load()
        start = {fp: a for (a, _), fp in zip(runs, prints, strict=True)}
        new = (
            [(fp, a, b) for (a, b), fp in zip(runs, prints, strict=True) if fp not in saved.sizes]
            if saved
            else []
        )
        if saved is not None and not new and len(saved.sizes) == len(prints):
            found = _as_groups(len(passages), _positions(saved.groups, start))
        elif saved is None or not _worth_updating(saved, runs, prints, start, len(passages)):
            bar.phase("finding syndicated copies")
            found = copies.find_copies(passages, self.settings)
        else:
            bar.phase("finding syndicated copies")
            found = self._update(passages, saved, start, new, engine, docs_of)
        self._keep(found, runs, prints)
        return found

    # ----------------------------------------------------------------- updating

    def _update(
        self,
        passages: Sequence[Passage],
        saved: _Saved,
        start: dict[str, int],
        new: Sequence[tuple[str, int, int]],
        engine: Engine,
        docs_of: Callable[[str], Sequence[FieldedDoc] | None],
    ) -> CopyGroups:
        links = _Links()
        for members, complete in _remaining(saved.groups, start):
            if complete:
                links.join(members)
            else:  # a member went: what is left may no longer be one group
                self._link(passages, members, links)
        candidates: set[int] = set()
        # An article's paragraphs share many words: look each up once (each look-up reads the
        # index, which an add has just reopened).
        doc_freq = functools.cache(engine.doc_freq)
        for fp, a, b in new:
            candidates.update(range(a, b))
            for offset, doc in enumerate(docs_of(fp) or ()):
                rarest = sorted(dict.fromkeys(doc.body), key=doc_freq)[:QUERY_TERMS]
                query = [WeightedTerm(t) for t in rarest]
                candidates.update(
                    h.doc for h in engine.search(query, CANDIDATES) if h.doc != a + offset
                )
        self._link(passages, sorted(candidates), links)
        return _as_groups(len(passages), links.groups())

    def _link(self, passages: Sequence[Passage], members: Sequence[int], links: _Links) -> None:
        """Group ``members`` from scratch and record their groups in ``links``."""
        found = copies.find_copies([passages[i] for i in members], self.settings)
        for group in found.groups:
            links.join([members[i] for i in group])

    # ----------------------------------------------------------------- saving

    def _keep(
        self, found: CopyGroups, runs: Sequence[tuple[int, int]], prints: Sequence[str]
    ) -> None:
        starts = [a for a, _ in runs]

        def member(i: int) -> Member:
            k = bisect.bisect_right(starts, i) - 1
            return prints[k], i - starts[k]

        saved = _Saved(
            {fp: b - a for (a, b), fp in zip(runs, prints, strict=True)},
            tuple(tuple(member(i) for i in g) for g in found.groups),
        )
        if self._saved == saved:
            return
        self._saved = saved
        if self.path is None:
            return
        try:
            write_checked(self.path, _to_data(saved))
            prune_files(self.path.parent, "copies-*.json", keep=self.path)
        except OSError as exc:
            log.warning("could not save the copy groups to %s: %s", self.path, exc)

    def _load(self) -> _Saved | None:
        if self.path is None or not self.path.exists():
            return None
        try:
            return _from_data(read_checked(self.path))
        except (OSError, ValueError, RecursionError) as exc:
            log.warning(
                "ignoring the saved copy groups %s (%s); finding them again", self.path, exc
            )
            return None


class _Links:
    """Union-find over passage positions."""

    def __init__(self) -> None:
        self._parent: dict[int, int] = {}

    def _root(self, i: int) -> int:
        parent = self._parent
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving
            i = parent[i]
        return i

    def join(self, members: Iterable[int]) -> None:
        members = list(members)
        for other in members[1:]:
            a, b = self._root(members[0]), self._root(other)
            if a != b:
                self._parent[max(a, b)] = min(a, b)

    def groups(self) -> list[list[int]]:
        by_root: dict[int, list[int]] = {}
        for i in sorted(self._parent):
            by_root.setdefault(self._root(i), []).append(i)
        return [g for g in by_root.values() if len(g) > 1]


def _worth_updating(
    saved: _Saved,
    runs: Sequence[tuple[int, int]],
    prints: Sequence[str],
    start: dict[str, int],
    passages: int,
) -> bool:
    if passages < SMALL_CORPUS:
        return False
    new = sum(b - a for (a, b), fp in zip(runs, prints, strict=True) if fp not in saved.sizes)
    gone = sum(n for fp, n in saved.sizes.items() if fp not in start)
    return new + gone <= FULL_SHARE * passages


def _remaining(
    groups: Iterable[tuple[Member, ...]], start: dict[str, int]
) -> Iterable[tuple[list[int], bool]]:
    """Each saved group's members still in the corpus (as positions), and whether all are."""
    for group in groups:
        members = [start[fp] + offset for fp, offset in group if fp in start]
        if len(members) > 1:
            yield members, len(members) == len(group)


def _positions(groups: Iterable[tuple[Member, ...]], start: dict[str, int]) -> list[list[int]]:
    return [members for members, _ in _remaining(groups, start)]


def _as_groups(passages: int, groups: Iterable[Sequence[int]]) -> CopyGroups:
    """:class:`CopyGroups` numbered as :func:`bot.corpus.copies.find_copies` numbers them:
    members in corpus order, groups in the order of their first member."""
    ordered = sorted(tuple(sorted(g)) for g in groups)
    group_of = np.full(passages, -1, dtype=np.int64)
    for g, members in enumerate(ordered):
        group_of[list(members)] = g
    return CopyGroups(group_of, tuple(ordered))


def _to_data(saved: _Saved) -> dict[str, Any]:
    fps = list(saved.sizes)
    index = {fp: i for i, fp in enumerate(fps)}
    return {
        "format": COPIES_FILE_FORMAT,
        "articles": [[fp, saved.sizes[fp]] for fp in fps],
        "groups": [[[index[fp], offset] for fp, offset in g] for g in saved.groups],
    }


def _from_data(data: Any) -> _Saved:
    """The inverse of :func:`_to_data`; raises ``ValueError`` for anything else."""
    if not isinstance(data, dict) or data.get("format") != COPIES_FILE_FORMAT:
        raise ValueError("another format")
    try:
        articles = [(str(fp), int(n)) for fp, n in data["articles"]]
        sizes = dict(articles)
        groups = []
        for raw in data["groups"]:
            group = tuple((articles[int(a)][0], int(offset)) for a, offset in raw)
            if len(group) < 2 or any(not 0 <= off < sizes[fp] for fp, off in group):
                raise ValueError("a malformed group")
            groups.append(group)
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"malformed copy groups ({exc})") from None
    return _Saved(sizes, tuple(groups))
