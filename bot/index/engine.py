"""Index: BM25 engines behind one small interface.

An engine is built from :class:`FieldedDoc` (analysed terms per field, one per passage, in passage
order) and answers :meth:`Engine.search` with :class:`Hit` (the passage's position and score, and
which query terms it matched). Everything above this package -- the answer layer, evaluation,
front ends -- talks only to this interface, so engines are interchangeable:

- ``rank-bm25`` (:mod:`bot.index.rankbm25`), the default: the rank-bm25 library, fine for small
  and medium corpora.
- ``tantivy`` (:mod:`bot.index.tantivy_engine`), for large corpora.

Scoring is the same in both: for each weighted query term ``t`` and passage ``d``,
``w_t * (bm25_body(t, d) + sum(weight_f * bm25_f(t, d)))`` over the title, section and context
(previous paragraph) fields, each scored with its own length statistics (a simple BM25F-like sum).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from bot.analysis.analyzer import Analyzer
from bot.config.settings import RetrievalSettings
from bot.corpus.model import Passage
from bot.errors import ConfigError

#: The fields of a passage, in the order engines store them.
FIELDS = ("body", "title", "section", "context")


def field_weights(settings: RetrievalSettings) -> dict[str, float]:
    """Each field's weight in a passage's score (the body counts fully).

    Defined once here so that both engines, and anything that explains their scores, weigh the
    fields alike.
    """
    return {
        "body": 1.0,
        "title": settings.title_weight,
        "section": settings.section_weight,
        "context": settings.context_weight,
    }


@dataclass(frozen=True)
class FieldedDoc:
    """Analysed terms of one passage, per field.

    ``context`` is the previous paragraph of the same article: a paragraph that continues a
    quote ("But we also have a tremendous opportunity...") is found by the name the paragraph
    before it gives ("Biegun told Lee"). See :func:`with_context`.
    """

    body: tuple[str, ...]
    title: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    context: tuple[str, ...] = ()

    def field(self, name: str) -> tuple[str, ...]:
        return getattr(self, name)


def analyse_passages(passages: Sequence[Passage], analyzer: Analyzer) -> list[FieldedDoc]:
    """Analyse passages once each, with their article title and section as fields.

    Titles and sections are analysed once per distinct value; the context field is added later
    by :func:`with_context`, when an engine is built.
    """
    titles: dict[str, tuple[str, ...]] = {}
    sections: dict[str, tuple[str, ...]] = {}
    docs = []
    for p in passages:
        title = titles.get(p.article.id)
        if title is None:
            title = titles[p.article.id] = tuple(analyzer.terms(p.article.title))
        section: tuple[str, ...] = ()
        if p.section:
            section = sections.get(p.section) or tuple(analyzer.terms(p.section))
            sections[p.section] = section
        docs.append(FieldedDoc(tuple(analyzer.terms(p.text)), title, section))
    return docs


def with_context(docs: Iterable[FieldedDoc], article_ids: Sequence[str]) -> Iterator[FieldedDoc]:
    """Give each passage the body terms of the previous passage of its article as context.

    Derived while an engine is built (streaming, so large corpora are never held twice), never
    stored, so cached analyses stay valid; the terms are shared, not copied.
    """
    previous: FieldedDoc | None = None
    count = 0
    for doc in docs:
        if count >= len(article_ids):
            raise ValueError(f"{count + 1} documents but {len(article_ids)} article ids")
        if previous is not None and article_ids[count - 1] == article_ids[count]:
            context = previous.body
        else:
            context = ()
        yield FieldedDoc(doc.body, doc.title, doc.section, context)
        previous = doc
        count += 1
    if count != len(article_ids):
        raise ValueError(f"{count} documents but {len(article_ids)} article ids")


@dataclass(frozen=True)
class WeightedTerm:
    """A query term and its weight (1.0 for a typed word, less for an alias)."""

    term: str
    weight: float = 1.0


@dataclass(frozen=True)
class Hit:
    """One retrieved passage: its position in the corpus, its score and the terms it matched.

    ``matched`` counts every field; ``body_matched`` only the paragraph's own text (None when an
    engine cannot tell, which then counts as all body).
    """

    doc: int
    score: float
    matched: frozenset[str]
    body_matched: frozenset[str] | None = None

    @property
    def context_only(self) -> frozenset[str]:
        """Terms matched only through the title or section, not the paragraph text."""
        return frozenset() if self.body_matched is None else self.matched - self.body_matched


@runtime_checkable
class Engine(Protocol):
    """What every engine offers, and all that callers may use of one.

    Engines are immutable after build and safe to share across threads; a new corpus means a
    new engine (see hot reload), so a question being answered keeps the engine it started with.
    """

    name: str

    def search(
        self, query: Sequence[WeightedTerm], k: int, allowed: np.ndarray | None = None
    ) -> list[Hit]:
        """The ``k`` best passages with a positive score, best first.

        ``allowed`` (a boolean mask over passages) restricts the candidates without changing
        corpus statistics, so filters keep IDF and thresholds sound.
        """
        ...

    def doc_freq(self, term: str) -> int:
        """How many passages contain ``term`` in their body text.

        The body, not the title: on a one-article corpus every passage shares the title, and
        title words would look worthless to the "no answer" rule.
        """
        ...

    def vocabulary(self) -> Mapping[str, int]:
        """Every term of the passages' body text, with its document frequency.

        What spelling correction and ``check`` need: the words a question can match.
        """
        ...

    def __len__(self) -> int:
        """How many passages the engine holds."""
        ...


def idf(doc_freq: int, n_docs: int) -> float:
    """Lucene's BM25 IDF, ``log(1 + (N - df + 0.5) / (df + 0.5))``: always positive.

    Used wherever the core needs a term's weight outside an engine (the "no answer" rule and
    sentence choice), so those decisions do not depend on the engine or on rank-bm25's Okapi IDF,
    which turns negative for terms in more than half the passages.
    """
    return math.log(1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5))


def build_engine(settings: RetrievalSettings, docs: Sequence[FieldedDoc]) -> Engine:
    """Build the engine named by ``retrieval.engine`` in memory.

    Persisted engines are the index store's job (:mod:`bot.index.store`).
    """
    if settings.engine == "rank-bm25":
        from bot.index.rankbm25 import RankBM25Engine

        return RankBM25Engine(settings, docs)
    if settings.engine == "tantivy":
        try:
            from bot.index.tantivy_engine import TantivyEngine
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ConfigError(
                f"retrieval.engine: tantivy is not available ({exc}); pip install tantivy"
            ) from None
        return TantivyEngine(settings, docs)
    raise ConfigError(f"retrieval.engine: unknown engine {settings.engine!r}")
