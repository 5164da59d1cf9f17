"""What changed between two versions of a corpus, article by article.

Articles are compared by content fingerprint (:func:`bot.index.keys.chunk_fingerprint`: id,
title, sections, paragraph texts), so an edited article is one that keeps its id under a new
fingerprint. That is all an index update needs: remove the old fingerprints, add the new.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    """Articles (by id) added, changed and removed since the index was last brought up to date,
    and the fingerprints an index update removes and adds."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    #: Fingerprints no longer in the corpus (removed or changed articles' old versions).
    gone: tuple[str, ...] = ()
    #: Positions, in the new corpus's article order, of articles to index (added or changed).
    new: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.gone or self.new)

    @property
    def articles(self) -> int:
        """How many articles the change touches."""
        return len(self.added) + len(self.changed) + len(self.removed)

    def describe(self) -> str:
        parts = [
            f"{len(ids)} {what}"
            for ids, what in (
                (self.added, "added"),
                (self.changed, "changed"),
                (self.removed, "removed"),
            )
            if ids
        ]
        return ", ".join(parts) or "no change"


def diff(old: Mapping[str, str], prints: Sequence[str], ids: Sequence[str]) -> Changes:
    """Compare ``old`` (fingerprint -> article id) with a corpus whose articles have
    fingerprints ``prints`` and ids ``ids`` (in corpus order)."""
    current = set(prints)
    gone = tuple(fp for fp in old if fp not in current)
    new = tuple(i for i, fp in enumerate(prints) if fp not in old)
    old_ids = {old[fp] for fp in gone}
    new_ids = [ids[i] for i in new]
    kept = set(new_ids) & old_ids
    return Changes(
        added=tuple(i for i in new_ids if i not in kept),
        changed=tuple(i for i in new_ids if i in kept),
        removed=tuple(sorted(old_ids - kept)),
        gone=gone,
        new=new,
    )
