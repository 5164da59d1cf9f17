"""Syndicated-copy groups kept between runs (:mod:`bot.corpus.copies` finds them).

``cache_dir/index/copies-<key>.json``, keyed by the corpus fingerprint and the collapse
settings (:func:`bot.index.keys.copies_key`), holds the groups as lists of passage positions,
in JSON with a checksum (:func:`bot.index.persisted.write_checked`): data that can fail to
read, never run code. Anything unreadable, damaged or of another format is found again, with
one warning.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from bot.config import CollapseSettings
from bot.corpus.copies import CopyGroups
from bot.corpus.model import Corpus
from bot.index.persisted import prune_files, read_checked, write_checked

log = logging.getLogger(__name__)

#: Bump when the layout of the saved groups changes.
COPIES_FILE_FORMAT = 1


def to_data(groups: CopyGroups) -> dict[str, Any]:
    """The groups as plain JSON data."""
    return {
        "format": COPIES_FILE_FORMAT,
        "passages": len(groups.group_of),
        "groups": [list(g) for g in groups.groups],
    }


def from_data(data: Any, passages: int) -> CopyGroups:
    """The inverse of :func:`to_data`; raises ``ValueError`` unless ``data`` is exactly that
    for a corpus of ``passages`` passages."""
    if not isinstance(data, dict) or data.get("format") != COPIES_FILE_FORMAT:
        raise ValueError("another format")
    if data.get("passages") != passages:
        raise ValueError("passage count differs")
    raw = data.get("groups")
    if not isinstance(raw, list):
        raise ValueError("no groups")
    group_of = np.full(passages, -1, dtype=np.int64)
    groups = []
    for g, members in enumerate(raw):
        if (
            not isinstance(members, list)
            or len(members) < 2
            or not all(type(i) is int and 0 <= i < passages for i in members)
            or bool(np.any(group_of[members] >= 0))
        ):
            raise ValueError(f"group {g} is malformed")
        group_of[members] = g
        groups.append(tuple(members))
    return CopyGroups(group_of, tuple(groups))


def cached_copies(root: Path, key: str, corpus: Corpus, settings: CollapseSettings) -> CopyGroups:
    """The copy groups saved under ``root`` for ``key``, or found and saved."""
    from bot.corpus import copies

    path = root / f"copies-{key}.json"
    if path.exists():
        try:
            return from_data(read_checked(path), len(corpus.passages))
        except (OSError, ValueError, RecursionError) as exc:
            log.warning("ignoring the saved copy groups %s (%s); finding them again", path, exc)
    groups = copies.find_copies(corpus.passages, settings)
    try:
        write_checked(path, to_data(groups))
        prune_files(root, "copies-*.json", keep=path)
    except OSError as exc:
        log.warning("could not save the copy groups to %s: %s", path, exc)
    return groups
