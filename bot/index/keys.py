"""What identifies persisted work: format versions, content fingerprints and cache keys.

A cache key names everything that decides the content it keys, and nothing else. The code that
produces a cache's content is versioned by an explicit constant below, bumped by hand when the
output changes -- never by hashing source files, so a comment or a refactoring does not throw
away every index.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import resources
from importlib.metadata import PackageNotFoundError, version

from bot.config import AnalysisSettings, CollapseSettings
from bot.corpus.model import Corpus, Passage

#: Bump when the layout of files under ``cache_dir/index`` changes.
STORE_FORMAT = 1
#: Bump when :mod:`bot.analysis.analyzer` or :func:`bot.index.engine.analyse_passages` changes
#: the terms they produce for a text (a new rule, a changed word list in code).
ANALYSIS_VERSION = 1
#: Bump when :mod:`bot.corpus.copies` changes which passages it groups.
COPIES_VERSION = 1


def digest(*parts: str | bytes) -> str:
    """A 128-bit BLAKE2 hex digest of ``parts`` (length-prefixed, so parts never run together)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def package_version(package: str) -> str:
    """The installed version of ``package`` ("?" when unknown): libraries change output too."""
    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover - depends on the environment
        return "?"


def analysis_key(settings: AnalysisSettings) -> str:
    """Everything that decides how text becomes terms: the analysis settings, the analysis code's
    version, the stop-word list, and the versions of the stemmer and lemmatiser."""
    stopwords = resources.files("bot").joinpath("data/stopwords.txt").read_bytes()
    return digest(
        f"store-format={STORE_FORMAT}",
        f"analysis-version={ANALYSIS_VERSION}",
        settings.model_dump_json(),
        stopwords,
        f"PyStemmer={package_version('PyStemmer')};simplemma={package_version('simplemma')}",
    )


def copies_key(settings: CollapseSettings) -> str:
    """The key of the syndicated-copy groups kept for ``settings`` (they follow the corpus)."""
    return digest(
        f"store-format={STORE_FORMAT}",
        f"copies-version={COPIES_VERSION}",
        settings.model_dump_json(),
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
    return digest(*parts)


def corpus_fingerprints(corpus: Corpus) -> tuple[list[tuple[int, int]], list[str], str]:
    """The article runs, their fingerprints and the fingerprint of the whole corpus."""
    runs = chunks(corpus.passages)
    prints = [chunk_fingerprint(corpus.passages[a:b]) for a, b in runs]
    return runs, prints, digest(*prints)
