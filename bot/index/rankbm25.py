"""The rank-bm25 engine: the library's BM25 variants, one model per field.

Two things the library does are not what a question-answering bot wants, and are fixed here by
using the library differently rather than by rewriting its formulas:

- Okapi's IDF ``log((N - df + 0.5) / (df + 0.5))`` is zero or negative for a term in half or
  more of the passages (rank_bm25 issues #39, #43); on a one-article corpus that is most useful
  terms. ``retrieval.idf: lucene`` (the default) swaps in Lucene's always-positive
  ``log(1 + (N - df + 0.5) / (df + 0.5))`` by overriding ``_calc_idf``.
- ``get_scores`` walks every passage in Python for every term, and BM25Plus adds its delta even
  to passages without the term. We score each term with ``get_batch_scores`` over that term's
  postings only: the same formula, only on passages that contain the term, and much faster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from rank_bm25 import BM25, BM25L, BM25Okapi, BM25Plus

from bot.config.settings import RetrievalSettings
from bot.index.engine import FIELDS, FieldedDoc, Hit, WeightedTerm, field_weights, idf


class LuceneIdfOkapi(BM25Okapi):
    """rank-bm25's Okapi scoring with Lucene's IDF, which never drops to zero or below."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = idf(freq, self.corpus_size)
        self.average_idf = sum(self.idf.values()) / max(len(self.idf), 1)


class _Field:
    """One field's model and postings (term -> passages that contain it)."""

    def __init__(self, model: BM25, docs: Sequence[Sequence[str]]) -> None:
        self.model = model
        postings: dict[str, list[int]] = {}
        for i, terms in enumerate(docs):
            for term in set(terms):
                postings.setdefault(term, []).append(i)
        self.postings = {t: np.asarray(ids, dtype=np.int64) for t, ids in postings.items()}

    def score(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The passages containing ``term`` and their BM25 contribution for it."""
        ids = self.postings.get(term)
        if ids is None:
            return np.empty(0, dtype=np.int64), np.empty(0)
        return ids, np.asarray(self.model.get_batch_scores([term], ids.tolist()))


class RankBM25Engine:
    """BM25 over passages with title and section fields, using rank-bm25 for scoring."""

    name = "rank-bm25"

    def __init__(self, settings: RetrievalSettings, docs: Sequence[FieldedDoc]) -> None:
        self.settings = settings
        self._n = len(docs)
        self._weights = field_weights(settings)
        self._fields: dict[str, _Field] = {}
        for name in FIELDS:
            field_docs = [d.field(name) for d in docs]
            if self._weights[name] > 0 and any(field_docs):
                self._fields[name] = _Field(self._model(field_docs), field_docs)
        body = self._fields.get("body")
        self._df = {t: int(ids.size) for t, ids in body.postings.items()} if body else {}

    def _model(self, field_docs: list[tuple[str, ...]]) -> BM25:
        s = self.settings
        corpus = [list(terms) for terms in field_docs]
        if s.algorithm == "bm25l":
            return BM25L(corpus, k1=s.k1, b=s.b, delta=s.delta)
        if s.algorithm == "bm25plus":
            return BM25Plus(corpus, k1=s.k1, b=s.b, delta=s.delta)
        if s.idf == "lucene":
            return LuceneIdfOkapi(corpus, k1=s.k1, b=s.b, epsilon=s.epsilon)
        return BM25Okapi(corpus, k1=s.k1, b=s.b, epsilon=s.epsilon)

    def __len__(self) -> int:
        return self._n

    def doc_freq(self, term: str) -> int:
        return self._df.get(term, 0)

    def vocabulary(self) -> Mapping[str, int]:
        """Every body term with its document frequency (for spelling correction)."""
        return self._df

    def search(
        self, query: Sequence[WeightedTerm], k: int, allowed: np.ndarray | None = None
    ) -> list[Hit]:
        if k <= 0 or self._n == 0:
            return []
        scores = np.zeros(self._n)
        matched: dict[int, set[str]] = {}
        in_body: dict[int, set[str]] = {}
        for qt in query:
            for name, field in self._fields.items():
                ids, contrib = field.score(qt.term)
                if ids.size == 0:
                    continue
                np.add.at(scores, ids, qt.weight * self._weights[name] * contrib)
                for i in ids.tolist():
                    matched.setdefault(i, set()).add(qt.term)
                    if name == "body":
                        in_body.setdefault(i, set()).add(qt.term)
        candidates = np.fromiter(matched.keys(), dtype=np.int64, count=len(matched))
        if allowed is not None and candidates.size:
            candidates = candidates[allowed[candidates]]
        candidates = candidates[scores[candidates] > 0]
        if candidates.size == 0:
            return []
        order = np.lexsort((candidates, -scores[candidates]))[:k]
        return [
            Hit(
                int(i),
                float(scores[i]),
                frozenset(matched[int(i)]),
                frozenset(in_body.get(int(i), ())),
            )
            for i in candidates[order]
        ]
