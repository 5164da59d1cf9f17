"""Syndicated copies: find passages that are the same text in several articles.

Wire stories are reprinted by many outlets, verbatim or with small edits (a changed word, a
dropped clause). Shown as they are, they fill an answer with the same paragraph three times.
:func:`find_copies` runs once, when the corpus is indexed, and groups such passages so an
answer quotes each text once and cites every outlet that carried it.

Method
------
1. *Exact copies*: passages whose normalised text (case-folded words, punctuation and spacing
   ignored) is identical share a group. This is a dictionary lookup, O(N).
2. *Near copies*: each distinct text of at least ``collapse.shingle_words + 2`` words becomes a
   set of word shingles (runs of ``shingle_words`` words) summarised by a MinHash of
   ``num_perm`` permutations (:func:`minhash_signatures`, a few lines of numpy). LSH banding,
   with the bands and rows that minimise false positives plus false negatives for
   ``collapse.threshold`` (:func:`lsh_bands`), proposes candidate pairs;
   each candidate is then confirmed by the exact Jaccard similarity of the two shingle sets
   (at least ``threshold``), so estimation error can only miss a pair, never invent one.
   Confirmed pairs are merged with union-find, so a group is a connected set of near copies
   (A~B and B~C put A, B and C together). Below :data:`EXACT_BELOW`
   distinct texts the Jaccard similarity of the shingle sets is computed exactly instead.

Shorter passages ("Reuters contributed.") only collapse when exactly equal: with a handful of
shingles, similarity estimates mean little. Query time pays nothing for detection; an answer
only looks up the group of each chosen passage.
"""

from __future__ import annotations

import logging
import re
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.config.settings import CollapseSettings
from bot.corpus.model import Passage

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
#: Below this many distinct texts, near copies are found by exact pairwise Jaccard similarity
#: (fast at that size, and no MinHash estimation error).
EXACT_BELOW = 200


@dataclass(frozen=True)
class CopyGroups:
    """Which passages are copies of which: positions in ``corpus.passages``.

    ``group_of[i]`` is the group of passage ``i``, or -1 when it has no copy; ``groups[g]``
    lists the passages of group ``g`` in corpus order.
    """

    group_of: np.ndarray
    groups: tuple[tuple[int, ...], ...]

    @classmethod
    def none(cls, n_passages: int) -> CopyGroups:
        """No copies at all (collapse disabled)."""
        return cls(np.full(n_passages, -1, dtype=np.int64), ())

    @property
    def duplicates(self) -> int:
        """Passages an answer never needs to show: every copy beyond the first of its group."""
        return sum(len(g) - 1 for g in self.groups)

    def copies_of(self, doc: int) -> tuple[int, ...]:
        """The other passages carrying the same text as passage ``doc`` (empty when unique)."""
        group = int(self.group_of[doc]) if doc < len(self.group_of) else -1
        if group < 0:
            return ()
        return tuple(i for i in self.groups[group] if i != doc)

    def key(self, doc: int) -> tuple[str, int]:
        """A key equal for copies of one text and distinct otherwise (for de-duplication)."""
        group = int(self.group_of[doc]) if doc < len(self.group_of) else -1
        return ("group", group) if group >= 0 else ("passage", doc)


def normalise(text: str) -> list[str]:
    """The case-folded words of a passage: what "the same text" compares."""
    return _WORD.findall(text.casefold())


def find_copies(passages: Sequence[Passage], settings: CollapseSettings) -> CopyGroups:
    """Group exact and near-identical passages (see the module docstring)."""
    n = len(passages)
    if not settings.enabled or n < 2:
        return CopyGroups.none(n)
    started = time.perf_counter()
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    # 1. exact copies of the normalised text
    first_with: dict[str, int] = {}
    distinct: list[tuple[int, list[str]]] = []
    for i, passage in enumerate(passages):
        words = normalise(passage.text)
        key = " ".join(words)
        if not key:
            continue
        if key in first_with:
            union(first_with[key], i)
        else:
            first_with[key] = i
            distinct.append((i, words))

    # 2. near copies among the distinct texts long enough to shingle meaningfully
    w = settings.shingle_words
    long_enough = [(i, words) for i, words in distinct if len(words) >= w + 2]
    if len(long_enough) >= 2:
        for i, j in _near_pairs(long_enough, settings):
            union(i, j)

    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(find(i), []).append(i)
    groups = tuple(tuple(g) for g in members.values() if len(g) > 1)
    group_of = np.full(n, -1, dtype=np.int64)
    for g, group in enumerate(groups):
        group_of[list(group)] = g
    result = CopyGroups(group_of, groups)
    log.info(
        "collapse: %d duplicate passages in %d groups (%.2f s)",
        result.duplicates,
        len(groups),
        time.perf_counter() - started,
    )
    return result


def _near_pairs(
    docs: Sequence[tuple[int, list[str]]], settings: CollapseSettings
) -> list[tuple[int, int]]:
    """Pairs of passage positions whose shingle sets' Jaccard similarity reaches the threshold:
    all pairs compared for small corpora; above :data:`EXACT_BELOW` texts, only the candidate
    pairs MinHash LSH proposes."""
    w = settings.shingle_words
    shingles = [
        [" ".join(words[k : k + w]).encode("utf-8") for k in range(len(words) - w + 1)]
        for _, words in docs
    ]
    if len(docs) < EXACT_BELOW:
        every = [set(s) for s in shingles]
        return [
            (docs[a][0], docs[b][0])
            for a in range(len(every))
            for b in range(a + 1, len(every))
            if len(every[a] & every[b]) >= settings.threshold * len(every[a] | every[b])
        ]
    signatures = minhash_signatures(shingles, settings.num_perm)
    bands, rows = lsh_bands(settings.threshold, settings.num_perm)
    candidates: set[tuple[int, int]] = set()
    for band in range(bands):
        block = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
        _, bucket, counts = np.unique(keys, return_inverse=True, return_counts=True)
        shared = np.nonzero(counts[bucket] > 1)[0]
        members: dict[int, list[int]] = {}
        for slot in shared.tolist():
            members.setdefault(int(bucket[slot]), []).append(slot)
        for slots in members.values():
            candidates.update((a, b) for x, a in enumerate(slots) for b in slots[x + 1 :])
    # Confirm each candidate with the exact Jaccard similarity of its shingle sets.
    sets: dict[int, set[bytes]] = {}

    def shingle_set(slot: int) -> set[bytes]:
        found = sets.get(slot)
        if found is None:
            found = sets[slot] = set(shingles[slot])
        return found

    pairs = []
    for a, b in sorted(candidates):
        sa, sb = shingle_set(a), shingle_set(b)
        if len(sa & sb) >= settings.threshold * len(sa | sb):
            pairs.append((docs[a][0], docs[b][0]))
    return pairs


#: A Mersenne prime above 2**32: the modulus of the universal hash family below.
_PRIME = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)


def minhash_signatures(shingles: Sequence[Sequence[bytes]], num_perm: int) -> np.ndarray:
    """One MinHash signature (``num_perm`` uint64 values) per shingle list.

    Each shingle is hashed with crc32; permutation ``k`` maps a hash ``h`` to
    ``(a_k * h + b_k) mod p`` truncated to 32 bits, and the signature keeps the minimum over the
    shingles. Two sets agree in one position with probability equal to their Jaccard
    similarity. The seed is fixed, so signatures (and the copy groups) are the same each run.
    """
    rng = np.random.RandomState(1)
    a = rng.randint(1, int(_PRIME), size=num_perm, dtype=np.uint64)
    b = rng.randint(0, int(_PRIME), size=num_perm, dtype=np.uint64)
    out = np.empty((len(shingles), num_perm), dtype=np.uint64)
    for row, items in enumerate(shingles):
        hashes = np.fromiter((zlib.crc32(s) for s in items), dtype=np.uint64, count=len(items))
        permuted = ((hashes[:, None] * a + b) % _PRIME) & _MAX_HASH
        out[row] = permuted.min(axis=0)
    return out


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """The (bands, rows per band) that minimise the area of false positives below
    ``threshold`` plus false negatives above it, with ``bands * rows <= num_perm``.

    A pair of similarity ``s`` shares a band with probability ``1 - (1 - s**r)**b``; the areas
    are integrated numerically (the same choice datasketch's ``MinHashLSH`` makes).
    """
    below = np.linspace(0.0, threshold, 201)
    above = np.linspace(threshold, 1.0, 201)
    best, choice = float("inf"), (1, 1)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_pos = np.trapezoid(1 - (1 - below**rows) ** bands, below)
            false_neg = np.trapezoid((1 - above**rows) ** bands, above)
            if false_pos + false_neg < best:
                best, choice = float(false_pos + false_neg), (bands, rows)
    return choice
