"""The tantivy engine: the bot's own analysed terms in a tantivy (Rust, Lucene-like) index.

Tantivy never re-analyses anything here. Each field holds the bot's analysed terms joined by
spaces and indexed with tantivy's ``whitespace`` tokenizer (which neither lower-cases nor drops
anything, so ``US`` stays apart from ``us``), and queries are explicit term queries -- one per
query term and field, boosted by ``term weight * field weight`` and summed by a boolean
``Should`` query -- never tantivy's query parser, which would re-tokenise and merge repeated
terms. The score is therefore the formula of :mod:`bot.index` with tantivy's BM25 per field.

How close that is to the rank-bm25 engine
-----------------------------------------
Tantivy's BM25 is Lucene's: IDF ``log(1 + (N - df + 0.5) / (df + 0.5))`` (what
``retrieval.idf: lucene`` gives rank-bm25) and the Okapi term-frequency part with fixed
``k1 = 1.2`` and ``b = 0.75`` (the defaults). Three differences remain:

- tantivy stores each field's length in one byte (exact up to 40 terms, then in steps of a few
  percent), so a long field gets a slightly different length normalisation -- a short passage
  too, through its context field (the previous paragraph), so rankings of near-equal
  passages may differ;
- scores are 32-bit floats, so near-ties may order differently;
- exact ties are broken by passage position, as rank-bm25 breaks them, among the hits
  collected; tantivy collects by its own document order (two indexing threads interleave
  articles), so while a tie runs past the hits collected, more are fetched -- up to
  ``_TIE_FETCH_MAX``, past which the engines may quote different ones of thousands of equals.

With other settings (``k1``/``b`` not 1.2/0.75, ``algorithm: bm25l|bm25plus`` or
``idf: rank-bm25``) tantivy still scores with Lucene's BM25; a warning says so at build time.

Matched terms are found by probing: after the ranked search, one more search restricted to the
hits scores each hit with a bit mask of the query terms it contains, in its body and in the
other fields (see :meth:`TantivyEngine._matched`).

The index stores no passage text: a ``slot`` fast field maps each hit to its position in the
corpus (:mod:`bot.index.tantivy_writer` says why slots), whose passages the answer layer holds
anyway (storing them twice would double the disk and memory for nothing).

Deleted passages and corpus statistics
--------------------------------------
When an article is deleted or changed in place (:mod:`bot.index.tantivy_index`), tantivy marks
its passages deleted, and -- like Lucene -- keeps counting them in its term statistics until a
merge rewrites their segment. Hits never include them. What the answer layer reads directly is
kept exact: for the body terms of deleted passages (``deleted_terms``), :meth:`doc_freq` and
:meth:`vocabulary` count the live passages; BM25's own IDF inside tantivy may lag by those few
passages until the index is compacted.
"""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, cast

import numpy as np
import tantivy

from bot.config.settings import RetrievalSettings
from bot.errors import EngineError
from bot.index.engine import FIELDS, FieldedDoc, Hit, WeightedTerm, field_weights
from bot.index.tantivy_writer import SLOT, WRITER_HEAP, add_passages, finish, new_index

log = logging.getLogger(__name__)

#: The BM25 parameters tantivy uses; they cannot be changed from Python.
TANTIVY_K1 = 1.2
TANTIVY_B = 0.75
#: Below this many allowed passages, ``allowed`` becomes a term-set filter inside tantivy;
#: above it, hits are over-fetched and filtered in Python.
_FILTER_MAX_TERMS = 20_000
#: Extra hits fetched so that equal scores can be ordered by passage, as rank-bm25 does.
_TIE_SLACK = 8
#: While the last hit fetched still ties the k-th, more are fetched (x4 a round), up to this
#: many: tantivy's collector breaks ties by its own document order, not by passage.
_TIE_FETCH_MAX = 4096
#: Query terms checked per probe search (two bits each in a 32-bit float score).
_PROBE_TERMS = 12
_SHOULD = tantivy.Occur.Should


def unsupported_settings(settings: RetrievalSettings) -> list[str]:
    """The retrieval settings tantivy cannot honour (it always scores Lucene BM25)."""
    problems = []
    if settings.algorithm != "okapi":
        problems.append(f"algorithm={settings.algorithm}")
    if settings.idf != "lucene":
        problems.append(f"idf={settings.idf}")
    if abs(settings.k1 - TANTIVY_K1) > 1e-9:
        problems.append(f"k1={settings.k1}")
    if abs(settings.b - TANTIVY_B) > 1e-9:
        problems.append(f"b={settings.b}")
    return problems


class _Counted(Protocol):
    """A search result with its count (tantivy has it; its type stub omits it)."""

    count: int | None


def warn_unsupported(settings: RetrievalSettings) -> None:
    """Say once per process (not on every reload) which settings tantivy ignores."""
    problems = unsupported_settings(settings)
    if problems:
        _warn_unsupported(tuple(problems))


@functools.cache
def _warn_unsupported(problems: tuple[str, ...]) -> None:
    log.warning(
        "the tantivy engine always scores Lucene BM25 (k1=%s, b=%s), so it ignores %s; "
        "set those in config.yaml for rankings identical to rank-bm25's",
        TANTIVY_K1,
        TANTIVY_B,
        ", ".join(f"retrieval.{p}" for p in problems),
    )


class TantivyEngine:
    """BM25 over passages with their context fields (:data:`bot.index.FIELDS`), scored by
    tantivy.

    Engines are immutable: an update of the index (:mod:`bot.index.tantivy_index`) gives a new
    engine, while questions in flight finish on the searcher they started with.

    Parameters
    ----------
    settings
        Retrieval settings (field weights; see the module doc for the BM25 parameters).
    docs
        Analysed passages in corpus order, with their context fields, indexed in memory.
        (:meth:`over` makes an engine of an index that already exists instead.)
    """

    name = "tantivy"

    def __init__(self, settings: RetrievalSettings, docs: Iterable[FieldedDoc] = ()) -> None:
        # Take the first passage before tantivy starts its threads: a lazy ``docs`` may analyse
        # the whole corpus then, in forked worker processes.
        iterator = iter(docs)
        first = list(itertools.islice(iterator, 1))
        index = new_index(None)
        writer = index.writer(WRITER_HEAP, 1)
        count = add_passages(writer, itertools.chain(first, iterator), 0, 0)
        finish(writer)
        index.reload()
        self._setup(settings, index, np.arange(count, dtype=np.int64), frozenset())

    @classmethod
    def over(
        cls,
        settings: RetrievalSettings,
        index: tantivy.Index,
        slots: np.ndarray,
        deleted_terms: frozenset[str] = frozenset(),
    ) -> TantivyEngine:
        """An engine over ``index`` as committed now, where ``slots[i]`` is the slot of the
        corpus's passage ``i`` and ``deleted_terms`` the body terms of deleted passages that
        tantivy may still count (see the module doc)."""
        engine = cls.__new__(cls)
        engine._setup(settings, index, slots, deleted_terms)
        return engine

    def _setup(
        self,
        settings: RetrievalSettings,
        index: tantivy.Index,
        slots: np.ndarray,
        deleted_terms: frozenset[str],
    ) -> None:
        self.settings = settings
        warn_unsupported(settings)
        self._weights = field_weights(settings)
        self._index = index
        self._schema = index.schema
        self._searcher = index.searcher()
        self._n = len(slots)
        if int(self._searcher.num_docs) != self._n:
            raise EngineError(f"the index holds {self._searcher.num_docs} passages, not {self._n}")
        self._slot_of = np.asarray(slots, dtype=np.int64)
        self._pos_of = np.full(int(self._slot_of.max(initial=-1)) + 1, -1, dtype=np.int64)
        self._pos_of[self._slot_of] = np.arange(self._n, dtype=np.int64)
        self._deleted_terms = deleted_terms
        self._df: dict[str, int] = {}
        self._vocabulary: dict[str, int] | None = None

    # ----------------------------------------------------------------- Engine

    def __len__(self) -> int:
        return self._n

    def doc_freq(self, term: str) -> int:
        try:
            return self._df[term]
        except KeyError:
            pass
        if len(self._df) > 100_000:
            self._df.clear()
        if term in self._deleted_terms:
            df = self._live_count(term)
        else:
            df = int(self._searcher.doc_freq("body", term))
        self._df[term] = df
        return df

    def vocabulary(self) -> Mapping[str, int]:
        """Every body term with its document frequency (for spelling correction)."""
        if self._vocabulary is None:
            vocabulary = dict(self._searcher.terms_with_prefix("body", ""))
            for term in self._deleted_terms & vocabulary.keys():
                live = self._live_count(term)
                if live:
                    vocabulary[term] = live
                else:
                    del vocabulary[term]
            self._vocabulary = vocabulary
        return self._vocabulary

    def search(
        self, query: Sequence[WeightedTerm], k: int, allowed: np.ndarray | None = None
    ) -> list[Hit]:
        if k <= 0 or self._n == 0:
            return []
        weights: dict[str, float] = {}
        for qt in query:  # a repeated term counts once per occurrence, as in rank-bm25
            weights[qt.term] = weights.get(qt.term, 0.0) + qt.weight
        scoring = self._scoring_query(weights)
        if scoring is None:
            return []
        if allowed is not None and not bool(np.all(allowed[: self._n])):
            allowed_ids = np.flatnonzero(allowed[: self._n])
            if allowed_ids.size == 0:
                return []
            if allowed_ids.size <= _FILTER_MAX_TERMS:
                scoring = self._restrict(scoring, allowed_ids.tolist())
                ranked = self._ranked(scoring, k)
            else:
                ranked = self._ranked_filtered(scoring, k, allowed)
        else:
            ranked = self._ranked(scoring, k)
        if not ranked:
            return []
        matched = self._matched(weights, [pos for pos, _ in ranked])
        none: tuple[set[str], set[str]] = (set(), set())
        return [
            Hit(
                pos,
                score,
                frozenset(matched.get(pos, none)[0]),
                frozenset(matched.get(pos, none)[1]),
            )
            for pos, score in ranked
        ]

    # ----------------------------------------------------------------- internals

    def _live_count(self, term: str) -> int:
        """Live passages with ``term`` in their body (tantivy's term statistics count deleted
        ones until a merge)."""
        query = tantivy.Query.term_query(self._schema, "body", term)
        result = cast(_Counted, self._searcher.search(query, 1, count=True))
        return int(result.count or 0)

    def _positions(self, slots: Sequence[int | float | None]) -> list[int]:
        """Corpus positions of slots read from the index (-1 for none)."""
        return [-1 if s is None else int(self._pos_of[int(s)]) for s in slots]

    def _term_query(self, term: str, weight: float) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """Should-clauses for ``term`` in every weighted field, boosted by ``weight`` times the
        field's weight."""
        clauses = []
        for name in FIELDS:
            boost = weight * self._weights[name]
            if boost <= 0:
                continue
            tq = tantivy.Query.term_query(self._schema, name, term)
            if boost != 1.0:
                tq = tantivy.Query.boost_query(tq, boost)
            clauses.append((_SHOULD, tq))
        return clauses

    def _scoring_query(self, weights: dict[str, float]) -> tantivy.Query | None:
        clauses = []
        for term, weight in weights.items():
            clauses.extend(self._term_query(term, weight))
        if not clauses:
            return None
        return tantivy.Query.boolean_query(clauses)

    def _restrict(self, query: tantivy.Query, positions: Sequence[int]) -> tantivy.Query:
        """``query`` limited to the passages at ``positions``, the filter adding nothing to the
        score."""
        slots = self._slot_of[np.asarray(positions, dtype=np.int64)].tolist()
        only = tantivy.Query.const_score_query(
            tantivy.Query.term_set_query(self._schema, SLOT, slots), 0.0
        )
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Must, only)]
        )

    def _run(self, query: tantivy.Query, limit: int) -> list[tuple[int, float]]:
        result = self._searcher.search(query, limit, count=False)
        if not result.hits:
            return []
        addresses = [address for _, address in result.hits]
        positions = self._positions(self._searcher.fast_field_values(SLOT, addresses))
        return [
            (pos, float(score))
            for (score, _), pos in zip(result.hits, positions, strict=True)
            if score > 0 and pos >= 0
        ]

    def _ranked(self, query: tantivy.Query, k: int) -> list[tuple[int, float]]:
        """The best ``k``, equal scores in passage order (as rank-bm25 orders them): when the
        tie at the k-th score runs past the hits fetched, more are fetched."""
        limit = k + _TIE_SLACK
        while True:
            hits = self._run(query, limit)
            hits.sort(key=lambda h: (-h[1], h[0]))
            if len(hits) <= k or len(hits) < limit or limit >= _TIE_FETCH_MAX:
                return hits[:k]
            if hits[-1][1] < hits[k - 1][1]:
                return hits[:k]
            limit *= 4

    def _ranked_filtered(
        self, query: tantivy.Query, k: int, allowed: np.ndarray
    ) -> list[tuple[int, float]]:
        """Over-fetch and filter in Python (for masks too large for a term-set filter); ties at
        the k-th score fetched past, as in :meth:`_ranked`."""
        limit = max(4 * k, 64)
        while True:
            hits = self._run(query, limit)
            kept = [h for h in hits if allowed[h[0]]]
            kept.sort(key=lambda h: (-h[1], h[0]))
            if len(hits) < limit:  # every match fetched
                return kept[:k]
            enough = len(kept) >= k + _TIE_SLACK
            if enough and (kept[-1][1] < kept[k - 1][1] or limit >= _TIE_FETCH_MAX):
                return kept[:k]
            limit *= 4

    def _matched(
        self, weights: dict[str, float], positions: list[int]
    ) -> dict[int, tuple[set[str], set[str]]]:
        """For each hit, the query terms it contains in any field and in its body.

        One probe search, restricted to the hits, answers for up to :data:`_PROBE_TERMS` terms
        at once: term ``i`` adds the constant ``2**(2i)`` when the body has it and ``2**(2i+1)``
        when another field does, so each hit's probe score is a bit mask (exact in 32-bit
        floats up to 24 bits).
        """
        matched: dict[int, tuple[set[str], set[str]]] = {}
        terms = list(weights)
        others = [name for name in FIELDS if name != "body" and self._weights[name] > 0]
        for start in range(0, len(terms), _PROBE_TERMS):
            chunk = terms[start : start + _PROBE_TERMS]
            clauses = []
            for i, term in enumerate(chunk):
                body = tantivy.Query.term_query(self._schema, "body", term)
                clauses.append((_SHOULD, tantivy.Query.const_score_query(body, float(1 << 2 * i))))
                if others:
                    context = tantivy.Query.boolean_query(
                        [
                            (_SHOULD, tantivy.Query.term_query(self._schema, name, term))
                            for name in others
                        ]
                    )
                    bit = float(1 << (2 * i + 1))
                    clauses.append((_SHOULD, tantivy.Query.const_score_query(context, bit)))
            probe = self._restrict(tantivy.Query.boolean_query(clauses), positions)
            result = self._searcher.search(probe, len(positions), count=False)
            if not result.hits:
                continue
            addresses = [address for _, address in result.hits]
            values = self._positions(self._searcher.fast_field_values(SLOT, addresses))
            for (score, _), pos in zip(result.hits, values, strict=True):
                mask = round(score)
                anywhere, in_body = matched.setdefault(pos, (set(), set()))
                for i, term in enumerate(chunk):
                    if mask >> (2 * i) & 1:
                        anywhere.add(term)
                        in_body.add(term)
                    elif mask >> (2 * i + 1) & 1:
                        anywhere.add(term)
        return matched
