"""Answers: rank passages for a question, pick the answering sentences, cite, or say "no answer".

:class:`Answer` is the one object every front end receives; only rendering differs.

The "no answer" rule
--------------------
A passage counts as an answer only if it *covers* the question: the weighted share of the
question's typed terms that it contains must reach ``answer.min_coverage``::

    coverage(d) = sum(w_t * e_t * share_t(d) for typed t) / sum(w_t * e_t for typed t)

- ``e_t`` is the term's Lucene IDF, ``log(1 + (N - df + 0.5) / (df + 0.5))`` over the passages'
  text, so a word the corpus never uses carries the most weight; a capitalised name the corpus
  never uses ("Putin", "France") weighs ``answer.unknown_name_weight`` times more.
- ``w_t`` is 1, or ``answer.framing_weight`` for words that only frame a question ("happen",
  "describe", "say").
- ``share_t(d)`` is 1 when the paragraph's text has the term; ``answer.context_credit`` when only
  its article title, section or previous paragraph does; for a term the paragraph lacks, the
  credit of a stand-in that it has -- 1 for an alias whose whole phrase matches ("North Korea" for
  "DPRK"), ``answer.spelling_weight`` for a spelling correction -- and 0 otherwise.

So "What is the capital of France?" is refused on any news corpus without France in it, while
"What did Bolton say?" is answered. The rule is a ratio, not a raw BM25 score cut-off, so it means
the same on a 23-paragraph article and on a million passages, and it does not move when BM25
parameters change. A passage must also score above zero; passages that fail the rule are never
shown, even to fill ``top_k``. The threshold's trade-off between false refusals and wrong answers
is measured in README "Quality".
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.analysis.analyzer import Analyzer, QueryTerm
from bot.analysis.sentences import sentence_spans
from bot.analysis.spelling import SpellingCorrector
from bot.config import Settings
from bot.corpus.copies import CopyGroups, find_copies
from bot.corpus.loader import load_corpus
from bot.corpus.model import Article, Corpus, Passage
from bot.index.engine import (
    Engine,
    Hit,
    WeightedTerm,
    analyse_passages,
    build_engine,
    idf,
    with_context,
)

if TYPE_CHECKING:
    from bot.index.store import IndexStore

log = logging.getLogger(__name__)

#: How many candidates to rank per passage shown, before the coverage rule and de-duplication.
_CANDIDATES_PER_ANSWER = 10
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


class Reason(enum.Enum):
    """Why an :class:`Answer` is what it is. The core states the fact; each renderer words it
    for its medium (a console names ``:sources``, Discord ``/sources``)."""

    #: Passages that answer the question were found.
    ANSWERED = "answered"
    #: The question was empty (or only control characters and spaces).
    EMPTY_QUESTION = "empty_question"
    #: The question had no searchable words (only stop words or punctuation).
    NO_SEARCH_TERMS = "no_search_terms"
    #: The corpus does not answer it: no passage passed the "no answer" rule.
    NOT_IN_CORPUS = "not_in_corpus"
    #: The date or outlet filters select no article, so nothing was searched.
    NOTHING_SELECTED = "nothing_selected"


@dataclass(frozen=True)
class AnsweredPassage:
    """A passage chosen for an answer, with the spans of ``passage.text`` to highlight."""

    rank: int
    score: float
    passage: Passage
    highlights: tuple[tuple[int, int], ...] = ()
    #: The same text in other articles (syndicated copies), oldest first; see bot.corpus.copies.
    copies: tuple[Passage, ...] = ()

    @property
    def article(self) -> Article:
        return self.passage.article


@dataclass(frozen=True)
class Answer:
    """What the bot says to one question, independent of where it is shown.

    It carries facts, never user-facing sentences: ``reason`` says why it is (or is not) an
    answer, ``asked_chars`` that the question was cut to ``answer.max_question_chars`` from
    that many characters, and ``detail`` the filter problem behind
    :attr:`Reason.NOTHING_SELECTED`. Renderers word them.
    """

    question: str
    reason: Reason
    passages: tuple[AnsweredPassage, ...] = ()
    asked_chars: int | None = None
    detail: str | None = None
    took_ms: float = 0.0

    @property
    def answered(self) -> bool:
        """True when passages that answer the question are shown."""
        return self.reason is Reason.ANSWERED

    @property
    def articles(self) -> tuple[Article, ...]:
        """The distinct articles cited, in order of first citation."""
        return tuple({p.article.id: p.article for p in self.passages}.values())


@dataclass(frozen=True)
class _Prepared:
    question: str
    asked_chars: int | None = None


class Answerer:
    """Answers questions over one loaded corpus. Immutable and safe to share across threads.

    Build it with :meth:`from_settings`; hot reload builds a new one and swaps it in.
    """

    def __init__(
        self,
        settings: Settings,
        corpus: Corpus,
        analyzer: Analyzer | None = None,
        engine: Engine | None = None,
        copies: CopyGroups | None = None,
    ) -> None:
        self.settings = settings
        self.corpus = corpus
        self.analyzer = analyzer or Analyzer(settings.analysis)
        self.engine = engine or build_engine(
            settings.retrieval,
            list(
                with_context(
                    analyse_passages(corpus.passages, self.analyzer),
                    [p.article.id for p in corpus.passages],
                )
            ),
        )
        self._framing = frozenset(
            t for word in settings.answer.framing_words for t in self.analyzer.terms(word)
        )
        vocabulary = getattr(self.engine, "vocabulary", None)
        self._speller = (
            SpellingCorrector(vocabulary())
            if settings.answer.spelling and vocabulary is not None
            else None
        )
        #: Syndicated copies, found once at index time (bot.corpus.copies).
        self.copies: CopyGroups = (
            copies if copies is not None else find_copies(corpus.passages, settings.collapse)
        )

    @classmethod
    def from_settings(cls, settings: Settings, store: IndexStore | None = None) -> Answerer:
        """Load the corpus named by ``settings`` and index it.

        The index comes from ``store`` (a new :class:`~bot.index.store.IndexStore` when None),
        which reuses the index and analysed passages persisted under ``cache_dir``.
        """
        from bot.index.store import IndexStore

        corpus = load_corpus(settings.corpus)
        store = store or IndexStore(settings)
        engine = store.engine(corpus)
        return cls(settings, corpus, store.analyzer, engine, copies=store.copies(corpus))

    # ----------------------------------------------------------------- asking

    def answer(
        self,
        question: str,
        top_k: int | None = None,
        allowed: np.ndarray | None = None,
        *,
        limit: int = 10,
    ) -> Answer:
        """Answer one question. Never raises for any string ``question``.

        ``top_k`` is capped at ``limit``: 10 for answers; listings such as the timeline
        (:mod:`bot.answer.timeline`) ask for more.
        """
        started = time.perf_counter()
        prepared = self._prepare(question)
        k = max(1, min(top_k or self.settings.answer.top_k, limit))
        answer = self._answer(prepared, k, allowed)
        took = (time.perf_counter() - started) * 1000.0
        return dataclasses.replace(answer, asked_chars=prepared.asked_chars, took_ms=round(took, 3))

    def _prepare(self, question: str) -> _Prepared:
        text = _CONTROL.sub(" ", unicodedata.normalize("NFC", str(question)))
        text = " ".join(text.split())
        limit = self.settings.answer.max_question_chars
        if len(text) <= limit:
            return _Prepared(text)
        cut = text[:limit]
        if " " in cut[limit // 2 :]:
            cut = cut[: cut.rindex(" ")]
        return _Prepared(cut.rstrip() + "…", asked_chars=len(text))

    def _answer(self, prepared: _Prepared, k: int, allowed: np.ndarray | None) -> Answer:
        question = prepared.question
        if not question:
            return Answer(question, Reason.EMPTY_QUESTION)
        query = self.query(question)
        if not query:
            return Answer(question, Reason.NO_SEARCH_TERMS)
        hits = self.engine.search(self._weigh(query), k * _CANDIDATES_PER_ANSWER, allowed)
        chosen = self._choose(query, hits, k)
        if not chosen:
            return Answer(question, Reason.NOT_IN_CORPUS)
        passages = tuple(
            AnsweredPassage(
                rank=rank,
                score=round(hit.score, 6),
                passage=self.corpus.passages[hit.doc],
                highlights=self.highlight(self.corpus.passages[hit.doc].text, query),
                copies=self._copies(hit.doc, allowed),
            )
            for rank, hit in enumerate(chosen, start=1)
        )
        return Answer(question, Reason.ANSWERED, passages=passages)

    # ----------------------------------------------------------------- ranking

    def rank(self, question: str, k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        """The engine's ``k`` best passages for ``question``, weighted as :meth:`answer` weighs
        it but before the "no answer" rule: the ranking evaluation measures."""
        query = self.query(question)
        return self.engine.search(self._weigh(query), k, allowed) if query else []

    def query(self, question: str) -> list[QueryTerm]:
        """Analysed query terms, with words that only frame the question ("what happened",
        "how was it described") weighed down by ``answer.framing_weight``: they should
        neither decide the ranking nor make a question look unanswerable."""
        weight = self.settings.answer.framing_weight
        query = [
            dataclasses.replace(qt, weight=qt.weight * weight) if qt.term in self._framing else qt
            for qt in self.analyzer.query(question)
        ]
        return query + self._corrections(query)

    def _corrections(self, query: Sequence[QueryTerm]) -> list[QueryTerm]:
        """Stand-ins for typed words the corpus never uses ("sumit" -> "summit"), marked as
        aliases of the typed word so the no-answer rule credits the word when they match."""
        if self._speller is None:
            return []
        present = {qt.term for qt in query}
        out = []
        for qt in query:
            if qt.alias_for or self.engine.doc_freq(qt.term):
                continue
            fixed = self._speller.correct(qt.term)
            if fixed and fixed not in present:
                present.add(fixed)
                share = self.settings.answer.spelling_weight
                out.append(QueryTerm(fixed, qt.weight * share, (qt.term,), (fixed,), share))
        return out

    def idf(self, term: str) -> float:
        """Lucene IDF of ``term`` over this corpus (highest for unseen terms)."""
        return idf(self.engine.doc_freq(term), len(self.engine))

    def _weigh(self, query: Sequence[QueryTerm]) -> list[WeightedTerm]:
        """Engine weights: typed terms 1.0 per occurrence (BM25's query-term frequency); an
        alias at most ``alias_weight`` times the IDF mass of the typed words it stands for, so a
        passage matching only the alias ranks below one that matches the typed word equally
        often."""
        out = []
        for qt in query:
            if not qt.alias_for:
                out.append(WeightedTerm(qt.term, qt.weight * qt.tf))
                continue
            typed_mass = sum(self.idf(t) for t in qt.alias_for)
            ratio = min(1.0, typed_mass / max(self.idf(qt.term), 1e-9))
            out.append(WeightedTerm(qt.term, qt.weight * ratio))
        return out

    def coverage(
        self,
        query: Sequence[QueryTerm],
        matched: frozenset[str],
        context_only: frozenset[str] = frozenset(),
    ) -> float:
        """The IDF-weighted share of the typed terms that ``matched`` covers (see module doc).

        A term found only in ``context_only`` (the title or section, not the paragraph) earns
        ``answer.context_credit`` of its weight: on a one-article corpus every paragraph shares
        the title, and a title word alone does not make a paragraph an answer.
        """
        typed = [qt for qt in query if not qt.alias_for]
        stand_in: dict[str, float] = {}  # typed term -> best credit from a matching stand-in
        for qt in query:
            if qt.alias_for and matched.issuperset(qt.member or (qt.term,)):
                for t in qt.alias_for:
                    stand_in[t] = max(stand_in.get(t, 0.0), qt.credit)
        total = sum(qt.weight * self._evidence(qt, matched) for qt in typed)
        if total <= 0:
            return 0.0
        context = self.settings.answer.context_credit
        got = 0.0
        for qt in typed:
            if qt.term in matched:
                share = context if qt.term in context_only else 1.0
            else:
                share = stand_in.get(qt.term, 0.0)
            got += qt.weight * self._evidence(qt, matched) * share
        return got / total

    def _evidence(self, qt: QueryTerm, matched: frozenset[str]) -> float:
        """A typed term's weight in the no-answer rule: its IDF, times
        ``answer.unknown_name_weight`` for a name the corpus never uses ("Putin", "France") --
        the surest sign that the articles cannot answer; a missing common word is more often a
        paraphrase."""
        weight = self.idf(qt.term)
        if qt.name and qt.term not in matched and self.engine.doc_freq(qt.term) == 0:
            weight *= self.settings.answer.unknown_name_weight
        return weight

    def _copies(self, doc: int, allowed: np.ndarray | None) -> tuple[Passage, ...]:
        """The copies of passage ``doc`` that the filters allow, oldest first."""
        copies = [
            self.corpus.passages[i]
            for i in self.copies.copies_of(doc)
            if allowed is None or allowed[i]
        ]
        copies.sort(key=lambda p: (p.article.date is None, p.article.date, p.article.source or ""))
        return tuple(copies)

    def _choose(self, query: Sequence[QueryTerm], hits: Sequence[Hit], k: int) -> list[Hit]:
        threshold = self.settings.answer.min_coverage
        chosen: list[Hit] = []
        seen_text: set[object] = set()
        for hit in hits:
            if hit.score <= 0 or self.coverage(query, hit.matched, hit.context_only) < threshold:
                continue
            key = " ".join(self.corpus.passages[hit.doc].text.split()).casefold()
            group = self.copies.key(hit.doc)
            if key in seen_text or group in seen_text:
                continue
            seen_text.update((key, group))
            chosen.append(hit)
            if len(chosen) == k:
                break
        return chosen

    # ----------------------------------------------------------------- highlighting

    def highlight(self, text: str, query: Sequence[QueryTerm]) -> tuple[tuple[int, int], ...]:
        """The span(s) of the sentence that best answers the query: the one whose distinct
        matched terms carry the most IDF-weighted query mass (aliases at their weight); ties go
        to the earlier sentence. Empty when no sentence matches a query term."""
        weights: dict[str, float] = {}
        for qt in query:
            weights[qt.term] = max(weights.get(qt.term, 0.0), qt.weight * self.idf(qt.term))
        best: tuple[int, int] | None = None
        best_score = 0.0
        for start, end in sentence_spans(text):
            terms = set(self.analyzer.terms(text[start:end]))
            score = sum(w for t, w in weights.items() if t in terms)
            if score > best_score + 1e-12:
                best, best_score = (start, end), score
        return (best,) if best else ()
