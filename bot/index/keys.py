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
from itertools import chain, compress, count, islice
from operator import attrgetter, is_not

from bot.config.settings import AnalysisSettings, CollapseSettings
from bot.corpus.model import Passage

#: Bump when the layout of files under ``cache_dir/index`` changes.
STORE_FORMAT = 1
#: Bump when :mod:`bot.analysis.analyzer` or :func:`bot.index.engine.analyse_passages` changes
#: the terms they produce for a text (a new rule, a changed word list in code).
ANALYSIS_VERSION = 3
#: Bump when :mod:`bot.corpus.copies` changes which passages it groups.
COPIES_VERSION = 1
#: Analysis settings that only questions use (aliases are added to queries, never to passages):
#: changing them must not re-analyse a corpus (a minute at a million passages).
QUERY_ONLY_ANALYSIS = frozenset({"aliases", "alias_weight"})


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
    """Everything that decides how text becomes terms: the analysis settings passages use, the
    analysis code's version, the stop-word list, and the versions of the stemmer and
    lemmatiser."""
    stopwords = resources.files("bot").joinpath("data/stopwords.txt").read_bytes()
    return digest(
        f"store-format={STORE_FORMAT}",
        f"analysis-version={ANALYSIS_VERSION}",
        settings.model_dump_json(exclude=set(QUERY_ONLY_ANALYSIS)),
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
    """``(start, end)`` of each run of consecutive passages from one article (by id).

    Runs on every corpus version, so on each article added to a large corpus: written with
    C-level iterators (no Python code per passage). A new article object marks a candidate
    boundary -- one comparison of references per passage, cheaper than comparing ids -- and ids
    are compared only there, so two article objects with one id still make one run.
    """
    if not passages:
        return []
    # Iterators, not lists or slices: no memory in proportion to the corpus is allocated (fresh
    # pages cost more than the comparisons on a virtual machine).
    article = attrgetter("article")
    changed = map(is_not, map(article, islice(passages, 1, None)), map(article, passages))
    starts = [0]
    for start in compress(count(1), changed):
        if passages[start].article.id != passages[start - 1].article.id:
            starts.append(start)
    return list(zip(starts, [*starts[1:], len(passages)], strict=True))


def chunk_fingerprint(passages: Sequence[Passage]) -> str:
    """What analysis reads of a run of one article's passages: id, title, sections, texts."""
    article = passages[0].article
    sections = [s or "" for s in map(attrgetter("section"), passages)]
    texts = map(attrgetter("text"), passages)
    return _text_digest(
        [article.id, article.title, *chain.from_iterable(zip(sections, texts, strict=True))]
    )


def _text_digest(parts: list[str]) -> str:
    """:func:`digest` of many strings at the cost of two hash updates: their lengths (which make
    the concatenation unambiguous), then the concatenation."""
    h = hashlib.blake2b(digest_size=16)
    h.update(",".join(map(str, map(len, parts))).encode("ascii"))
    h.update("".join(parts).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class Fingerprints:
    """Article fingerprints of successive versions of a corpus, each article's computed once.

    Hashing every paragraph costs about a second per million passages, which would be most of
    the time it takes to add one article to a large corpus. A new corpus version made of the
    previous one's passage objects plus some new ones (as a running bot builds it) reuses the
    fingerprints of the unchanged articles: passages are immutable, so the same first and last
    passage objects of an article's run mean the same article.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[int, int, int], tuple[Passage, Passage, str]] = {}

    def of(self, passages: Sequence[Passage]) -> tuple[list[tuple[int, int]], list[str], list[str]]:
        """The article runs of ``passages``, their fingerprints and their article ids (in the
        same pass: at a million passages each pass over the runs is felt in an add)."""
        runs = chunks(passages)
        known: dict[tuple[int, int, int], tuple[Passage, Passage, str]] = {}
        prints = []
        ids = []
        for a, b in runs:
            first, last = passages[a], passages[b - 1]
            key = (id(first), id(last), b - a)
            seen = self._known.get(key)
            if seen is None or seen[0] is not first or seen[1] is not last:
                seen = (first, last, chunk_fingerprint(passages[a:b]))
            known[key] = seen  # holds only passages of the current version
            prints.append(seen[2])
            ids.append(first.article.id)
        self._known = known
        return runs, prints, ids
