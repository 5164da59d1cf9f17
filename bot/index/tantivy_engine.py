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
``k1 = 1.2`` and ``b = 0.75`` (the defaults). Two small differences remain:

- tantivy stores a passage's length in one byte (exact up to 40 terms, then in steps of a few
  percent), so long passages get a slightly different length normalisation;
- scores are 32-bit floats, so near-ties may order differently.

With other settings (``k1``/``b`` not 1.2/0.75, ``algorithm: bm25l|bm25plus`` or
``idf: rank-bm25``) tantivy still scores with Lucene's BM25; a warning says so at build time.

Matched terms are found by probing: after the ranked search, one more search restricted to the
hits scores each hit with a bit mask of the query terms it contains, in its body and in the
other fields (see :meth:`TantivyEngine._matched`).

The index stores no passage text: a ``pos`` fast field maps each hit to its position in the
corpus, whose passages the answer layer holds anyway (storing them twice would double the disk
and memory for nothing).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import tantivy

from bot.config import RetrievalSettings
from bot.errors import EngineError
from bot.index.engine import FIELDS, FieldedDoc, Hit, WeightedTerm, field_weights
from bot.index.keys import package_version
from bot.index.persisted import persisted_dir

log = logging.getLogger(__name__)

#: The BM25 parameters tantivy uses; they cannot be changed from Python.
TANTIVY_K1 = 1.2
TANTIVY_B = 0.75
#: Bump when the way fields are written changes (invalidates persisted indexes); the field
#: names are part of the index key too.
INDEX_FORMAT = 2

_POS = "pos"
_WRITER_HEAP = 256_000_000
#: Below this many allowed passages, ``allowed`` becomes a term-set filter inside tantivy;
#: above it, hits are over-fetched and filtered in Python.
_FILTER_MAX_TERMS = 20_000
#: Extra hits fetched so that equal scores can be ordered by passage, as rank-bm25 does.
_TIE_SLACK = 8
#: Query terms checked per probe search (two bits each in a 32-bit float score).
_PROBE_TERMS = 12
_SHOULD = tantivy.Occur.Should


def schema() -> tantivy.Schema:
    """The index schema: three pre-analysed text fields and the passage position."""
    builder = tantivy.SchemaBuilder()
    for name in FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_unsigned_field(_POS, stored=True, indexed=True, fast=True)
    return builder.build()


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


def write_index(path: Path | None, docs: Iterable[FieldedDoc], threads: int = 1) -> tantivy.Index:
    """Index ``docs`` (in passage order) into a new index at ``path`` (in memory when None).

    Returns the index, committed and merged.
    """
    # Take the first passage before tantivy starts its threads: a lazy ``docs`` may analyse
    # the whole corpus then, in forked worker processes.
    iterator = iter(docs)
    first = next(iterator, None)
    index = tantivy.Index(schema(), path=None if path is None else str(path), reuse=False)
    writer = index.writer(_WRITER_HEAP, max(1, threads))
    rest = itertools.chain([first], iterator) if first is not None else iterator
    for pos, doc in enumerate(rest):
        document = tantivy.Document()
        document.add_unsigned(_POS, pos)
        for name in FIELDS:
            terms = doc.field(name)
            if terms:
                document.add_text(name, " ".join(terms))
        writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index


class TantivyEngine:
    """BM25 over passages with their context fields (:data:`bot.index.FIELDS`), scored by
    tantivy.

    Parameters
    ----------
    settings
        Retrieval settings (field weights; see the module doc for the BM25 parameters).
    docs
        Analysed passages in corpus order. Not read when a valid persisted index is opened,
        so a lazy iterable lets a warm start skip analysis altogether.
    cache_dir, key
        Persist the index under ``cache_dir/tantivy/<key>`` (see :mod:`bot.index.store`):
        a valid index there is opened instead of rebuilt. Without them the index lives in memory.
    expected
        The number of passages the index must hold; a persisted index that disagrees is rebuilt.
    """

    name = "tantivy"

    def __init__(
        self,
        settings: RetrievalSettings,
        docs: Iterable[FieldedDoc] = (),
        cache_dir: Path | str | None = None,
        key: str | None = None,
        expected: int | None = None,
    ) -> None:
        self.settings = settings
        problems = unsupported_settings(settings)
        if problems:
            log.warning(
                "the tantivy engine always scores Lucene BM25 (k1=%s, b=%s), so it ignores %s; "
                "set those in config.yaml for rankings identical to rank-bm25's",
                TANTIVY_K1,
                TANTIVY_B,
                ", ".join(f"retrieval.{p}" for p in problems),
            )
        self._weights = field_weights(settings)
        #: True when the index was opened from disk rather than built.
        self.opened = False
        #: Where the index lives on disk (None for an in-memory index).
        self.path: Path | None = None
        if cache_dir is not None:
            if not key:
                raise EngineError("a persisted tantivy index needs a key")
            if expected is None and isinstance(docs, Sequence):
                expected = len(docs)
            self.path, self.opened = persisted_dir(
                Path(cache_dir) / "tantivy",
                key,
                build=lambda tmp: _build_into(tmp, docs),
                validate=lambda final: _validate(final, expected),
            )
            self._index = tantivy.Index.open(str(self.path))
        else:
            self._index = write_index(None, docs)
        self._schema = self._index.schema
        self._searcher = self._index.searcher()
        self._n = int(self._searcher.num_docs)
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
        df = self._df[term] = int(self._searcher.doc_freq("body", term))
        return df

    def vocabulary(self) -> Mapping[str, int]:
        """Every body term with its document frequency (for spelling correction)."""
        if self._vocabulary is None:
            self._vocabulary = dict(self._searcher.terms_with_prefix("body", ""))
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

    def _restrict(self, query: tantivy.Query, positions: list[int]) -> tantivy.Query:
        """``query`` limited to ``positions``, the filter adding nothing to the score."""
        only = tantivy.Query.const_score_query(
            tantivy.Query.term_set_query(self._schema, _POS, positions), 0.0
        )
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Must, only)]
        )

    def _run(self, query: tantivy.Query, limit: int) -> list[tuple[int, float]]:
        result = self._searcher.search(query, limit, count=False)
        if not result.hits:
            return []
        addresses = [address for _, address in result.hits]
        positions = self._searcher.fast_field_values(_POS, addresses)
        return [
            (_position(pos), float(score))
            for (score, _), pos in zip(result.hits, positions, strict=True)
            if score > 0
        ]

    def _ranked(self, query: tantivy.Query, k: int) -> list[tuple[int, float]]:
        hits = self._run(query, k + _TIE_SLACK)
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:k]

    def _ranked_filtered(
        self, query: tantivy.Query, k: int, allowed: np.ndarray
    ) -> list[tuple[int, float]]:
        """Over-fetch and filter in Python (for masks too large for a term-set filter)."""
        limit = max(4 * k, 64)
        while True:
            hits = self._run(query, limit)
            kept = [h for h in hits if allowed[h[0]]]
            if len(kept) >= k + _TIE_SLACK or len(hits) < limit:
                kept.sort(key=lambda h: (-h[1], h[0]))
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
            values = self._searcher.fast_field_values(_POS, addresses)
            for (score, _), pos in zip(result.hits, values, strict=True):
                mask = round(score)
                anywhere, in_body = matched.setdefault(_position(pos), (set(), set()))
                for i, term in enumerate(chunk):
                    if mask >> (2 * i) & 1:
                        anywhere.add(term)
                        in_body.add(term)
                    elif mask >> (2 * i + 1) & 1:
                        anywhere.add(term)
        return matched


def _position(value: int | float | None) -> int:
    """A ``pos`` fast-field value as a passage position (every indexed passage has one)."""
    if value is None:
        raise EngineError("an indexed passage has no position")
    return int(value)


def _build_into(path: Path, docs: Iterable[FieldedDoc]) -> dict[str, object]:
    """Write the index into ``path``; return facts for the completion marker."""
    count = 0

    def counted() -> Iterable[FieldedDoc]:
        nonlocal count
        for doc in docs:
            count += 1
            yield doc

    write_index(path, counted(), threads=1)
    return {"passages": count, "format": INDEX_FORMAT, "tantivy": package_version("tantivy")}


def _validate(path: Path, expected: int | None) -> None:
    """Open a persisted index and check it holds what it should; raise if not."""
    index = tantivy.Index.open(str(path))
    searcher = index.searcher()
    for name in FIELDS:
        try:
            tantivy.Query.term_query(index.schema, name, "")
        except ValueError:
            raise EngineError(f"has no {name!r} field (built by an older version)") from None
    n = int(searcher.num_docs)
    if expected is not None and n != expected:
        raise EngineError(f"holds {n} passages, expected {expected}")
    if n:
        hits = searcher.search(tantivy.Query.all_query(), 1, count=False).hits
        if not hits:
            raise EngineError("no document is readable")
        searcher.fast_field_values(_POS, [hits[0][1]])


def index_format() -> str:
    """What decides the layout of a persisted index besides its content: the format version
    and the tantivy release that wrote it (part of the index key)."""
    return f"index-format={INDEX_FORMAT};tantivy={package_version('tantivy')}"
