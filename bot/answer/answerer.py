"""Answers: rank passages for a question, pick the answering sentences, cite, or say "no answer".

:class:`Answer` is the one object every front end receives; only rendering differs.

How an answer is chosen
-----------------------
1. The engine ranks passages by BM25 over their text and context fields (title, section,
   previous paragraph), with aliases and spelling corrections as weaker stand-ins.
2. The evidence rule (:mod:`bot.answer.evidence`) weighs what each candidate's *own text* holds
   of the question. A paragraph holding none of the question's content words or their
   stand-ins is dropped; the others are re-scored ``bm25 * sqrt(share)``, so the context fields
   help find a paragraph but its own words decide, and a word as typed outranks its alias.
3. When no candidate reaches ``answer.min_coverage`` the question is off-topic: "no answer".
4. The first passage quoted is the best candidate that reaches it; a later one is quoted only
   if its own text holds at least ``answer.next_passage_ratio`` of the first's share of the
   question -- passages that answer, never padding. Syndicated copies are quoted once.
"""

from __future__ import annotations

import dataclasses
import enum
import heapq
import logging
import math
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.analysis.aliases import corpus_aliases
from bot.analysis.analyzer import Analyzer, QueryTerm
from bot.analysis.sentences import sentence_spans
from bot.analysis.spelling import SpellingCorrector
from bot.answer.evidence import EvidenceRule, QuestionEvidence
from bot.answer.highlight import best_sentence
from bot.answer.questions import QuestionAnalysis
from bot.answer.semantic import SemanticReranker
from bot.config.settings import Settings
from bot.corpus.copies import CopyGroups, find_copies
from bot.corpus.loader import load_corpus
from bot.corpus.model import Article, Corpus, Passage
from bot.corpus.sanitize import clean_text
from bot.index.engine import (
    Engine,
    Hit,
    analyse_passages,
    build_engine,
    idf,
    with_context,
)

if TYPE_CHECKING:
    from bot.index.store import IndexStore

log = logging.getLogger(__name__)

#: Words the question analyser remembers before starting afresh.
QUESTION_CACHE_WORDS = 20_000

#: How many candidates to rank per passage shown, before the coverage rule and de-duplication.
_CANDIDATES_PER_ANSWER = 10
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
#: Lone surrogates: what ``surrogateescape`` makes of bytes that are not UTF-8 (a pasted or
#: piped line). Not text: no tokenizer or file accepts them.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


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
        aliases: Sequence[Sequence[str]] = (),
        previous: Answerer | None = None,
    ) -> None:
        self.settings = settings
        self.corpus = corpus
        self.analyzer = analyzer or Analyzer(settings.analysis)
        #: Analyses questions: the index's settings plus the corpus's own aliases, with a small
        #: cache of its own, so words that only questions use never grow the indexing cache
        #: (a bot answering for months would otherwise keep every word anyone typed).
        self.query_analyzer = Analyzer(
            settings.analysis.model_copy(
                update={"aliases": (*settings.analysis.aliases, *aliases)}
            ),
            cache_limit=QUESTION_CACHE_WORDS,
        )
        self.engine = engine or build_engine(
            settings.retrieval,
            list(
                with_context(
                    analyse_passages(corpus.passages, self.analyzer),
                    [p.article.id for p in corpus.passages],
                )
            ),
        )
        framing = frozenset(
            t for word in settings.answer.framing_words for t in self.analyzer.terms(word)
        )
        engine, size = self.engine, len(self.engine)  # not self: no cycle (see service.settle)
        self.evidence = EvidenceRule(
            settings.answer,
            framing,
            engine.doc_freq,
            lambda term: idf(engine.doc_freq(term), size),
        )
        #: Semantic re-ranking (``semantic.enabled``; None when off or not installed).
        self.semantic = SemanticReranker.for_corpus(settings, corpus)
        # The answerer this one replaces lends its spelling index: an added article then
        # costs the index its new words, not the whole vocabulary again.
        lender = previous.questions.speller if previous is not None else None
        speller = (
            SpellingCorrector(self.engine.vocabulary(), self.analyzer.stop_words, lender)
            if settings.answer.spelling
            else None
        )
        #: Turns a question into weighted query terms (framing, corrections, aliases).
        self.questions: QuestionAnalysis = QuestionAnalysis(
            settings.answer, self.query_analyzer, self.engine, framing, speller
        )
        #: Syndicated copies, found once at index time (bot.corpus.copies).
        self.copies: CopyGroups = (
            copies if copies is not None else find_copies(corpus.passages, settings.collapse)
        )

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        store: IndexStore | None = None,
        previous: Answerer | None = None,
    ) -> Answerer:
        """Load the corpus named by ``settings`` and index it.

        The index comes from ``store`` (a new :class:`~bot.index.store.IndexStore` when None),
        which reuses the index and analysed passages persisted under ``cache_dir``; the
        corpus's own aliases come from ``aliases.yaml`` beside its articles
        (:mod:`bot.analysis.aliases`). ``previous``, the answerer this one replaces, lends
        its spelling index (:class:`~bot.analysis.spelling.SpellingCorrector`).
        """
        from bot.index.store import IndexStore

        corpus = load_corpus(settings.corpus)
        aliases = corpus_aliases(settings.corpus.path)
        store = store or IndexStore(settings)
        indexed = store.sync(corpus)
        return cls(
            settings,
            corpus,
            store.analyzer,
            indexed.engine,
            copies=indexed.copies,
            aliases=aliases,
            previous=previous,
        )

    # ----------------------------------------------------------------- asking

    def answer(
        self,
        question: str,
        top_k: int | None = None,
        allowed: np.ndarray | None = None,
        *,
        limit: int = 10,
        every: bool = False,
    ) -> Answer:
        """Answer one question. Never raises for any string ``question``.

        ``top_k`` is capped at ``limit``: 10 for answers; listings such as the timeline
        (:mod:`bot.answer.timeline`) ask for more, and with ``every`` for every passage that
        reaches the evidence threshold, not only those that answer nearly as well as the first.
        """
        started = time.perf_counter()
        prepared = self._prepare(question)
        k = max(1, min(top_k or self.settings.answer.top_k, limit))
        answer = self._answer(prepared, k, allowed, every)
        took = (time.perf_counter() - started) * 1000.0
        return dataclasses.replace(answer, asked_chars=prepared.asked_chars, took_ms=round(took, 3))

    def _prepare(self, question: str) -> _Prepared:
        # Whole escape sequences first ("[31m" must not be left as a word), then any control.
        text = _SURROGATE.sub("\ufffd", str(question))
        text = _CONTROL.sub(" ", unicodedata.normalize("NFC", clean_text(text)))
        text = " ".join(text.split())
        limit = self.settings.answer.max_question_chars
        if len(text) <= limit:
            return _Prepared(text)
        cut = text[:limit]
        if " " in cut[limit // 2 :]:
            cut = cut[: cut.rindex(" ")]
        return _Prepared(cut.rstrip() + "…", asked_chars=len(text))

    def _answer(
        self, prepared: _Prepared, k: int, allowed: np.ndarray | None, every: bool
    ) -> Answer:
        question = prepared.question
        if not question:
            return Answer(question, Reason.EMPTY_QUESTION)
        query = self.query(question)
        if not query:
            return Answer(question, Reason.NO_SEARCH_TERMS)
        evidence = self.evidence.prepare(query)
        hits = self.engine.search(self.questions.weigh(query), k * _CANDIDATES_PER_ANSWER, allowed)
        ranked = self._rerank(question, self._order(evidence, hits, exact=k))
        chosen = self._choose(ranked, k, every)
        if not chosen:
            return Answer(question, Reason.NOT_IN_CORPUS)
        passages = tuple(
            AnsweredPassage(
                rank=rank,
                score=round(hit.score, 6),
                passage=self.corpus.passages[hit.doc],
                highlights=best_sentence(
                    self.corpus.passages[hit.doc].text, evidence, self.analyzer
                ),
                copies=self._copies(hit.doc, allowed),
            )
            for rank, (hit, _) in enumerate(chosen, start=1)
        )
        return Answer(question, Reason.ANSWERED, passages=passages)

    # ----------------------------------------------------------------- ranking

    def rank(
        self, question: str, k: int, allowed: np.ndarray | None = None, *, evidence: bool = True
    ) -> list[Hit]:
        """The ``k`` best passages for ``question``, ordered as :meth:`answer` orders them but
        before the "no answer" rule (passages without evidence last): the ranking evaluation
        measures. With ``evidence=False``, the engine's BM25 ranking alone (what the test
        collections measure: long queries over whole documents, at depth 1000)."""
        query = self.query(question)
        if not query:
            return []
        hits = self.engine.search(self.questions.weigh(query), k, allowed)
        if not evidence:
            return hits
        ordered = self._order(self.evidence.prepare(query), hits, exact=k, keep_all=True)
        return [hit for hit, _ in self._rerank(question, ordered)]

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the set-up an answerer finishes in the background (the spelling index) is
        done; True when it is. Answers never need this (a correction waits for the index
        itself); a benchmark does, to time one thing at a time: the index is built in Python,
        and while it is, it shares the interpreter with whatever runs next."""
        return self.questions.wait_ready(timeout)

    def query(self, question: str) -> list[QueryTerm]:
        """The analysed question (:meth:`bot.answer.questions.QuestionAnalysis.query`)."""
        return self.questions.query(question)

    def idf(self, term: str) -> float:
        """Lucene IDF of ``term`` over this corpus (highest for unseen terms)."""
        return self.questions.idf(term)

    def _copies(self, doc: int, allowed: np.ndarray | None) -> tuple[Passage, ...]:
        """The copies of passage ``doc`` that the filters allow, oldest first."""
        copies = [
            self.corpus.passages[i]
            for i in self.copies.copies_of(doc)
            if allowed is None or allowed[i]
        ]
        copies.sort(key=lambda p: (p.article.date is None, p.article.date, p.article.source or ""))
        return tuple(copies)

    def _order(
        self,
        evidence: QuestionEvidence,
        hits: Sequence[Hit],
        exact: int,
        keep_all: bool = False,
    ) -> list[tuple[Hit, float]]:
        """Candidates re-scored by the evidence of their own text, best first, each with its
        share: ``bm25 * sqrt(share) * focus ** answer.sentence_focus``
        (:mod:`bot.answer.evidence`). Passages without a content word are dropped (kept last
        when ``keep_all``). The first ``exact`` are in their exact order (:meth:`_focus`)."""
        power = self.settings.answer.sentence_focus
        scored = []
        for hit in hits:
            own = hit.matched if hit.body_matched is None else hit.body_matched
            found = evidence.of(own)
            if found.held < evidence.required and not keep_all:
                continue
            score = hit.score * math.sqrt(found.share) if found.content else 0.0
            # No sentence holds more of the question than the whole passage: a bound on focus.
            bound = score * evidence.focus([own]) ** power if power > 0 else score
            scored.append((dataclasses.replace(hit, score=score), found.share, bound))
        return self._focus(evidence, scored, exact)

    def _focus(
        self,
        evidence: QuestionEvidence,
        scored: list[tuple[Hit, float, float]],
        exact: int,
    ) -> list[tuple[Hit, float]]:
        """Multiply each candidate's score by its focus ** ``answer.sentence_focus``, exactly
        for the best ``exact`` (those shown; with the model, all it re-orders).

        Candidates are taken by their bound (the score with the whole passage's share as
        focus), highest first: once ``exact`` of them score at least the next one's bound, no
        later one can pass them. The later ones follow in the order of their bounds, their
        sentences never analysed -- most of an answer's cost, and most candidates.
        """
        power = self.settings.answer.sentence_focus
        scored.sort(key=lambda item: (-item[2], item[0].doc))
        if power <= 0:
            return [(hit, share) for hit, share, _ in scored]
        if self.semantic is not None:
            exact = max(exact, self.settings.semantic.candidates)
        focused: list[tuple[Hit, float]] = []
        kept: list[float] = []  # the best ``exact`` focused scores, a min-heap
        stop = len(scored)
        for i, (hit, share, bound) in enumerate(scored):
            if bound <= 0 or (len(kept) == exact and bound < kept[0]):
                stop = i
                break
            # A candidate here holds a content word, so one of its sentences does: focus > 0.
            score = hit.score * evidence.focus(self._sentences(hit.doc)) ** power
            focused.append((dataclasses.replace(hit, score=score), share))
            if len(kept) < exact:
                heapq.heappush(kept, score)
            else:
                heapq.heappushpop(kept, score)
        focused.sort(key=_best_first)
        rest = [
            (dataclasses.replace(hit, score=bound), share) for hit, share, bound in scored[stop:]
        ]
        return focused + rest

    def _sentences(self, doc: int) -> list[frozenset[str]]:
        """The terms of each sentence of passage ``doc``."""
        text = self.corpus.passages[doc].text
        return list(map(frozenset, self.analyzer.span_terms(text, sentence_spans(text))))

    def _rerank(self, question: str, ranked: list[tuple[Hit, float]]) -> list[tuple[Hit, float]]:
        """With semantic re-ranking, the best ``semantic.candidates`` re-ordered by the model's
        mix (the hit's score becomes the mix), each with its evidence plus its cosine
        (:mod:`bot.answer.semantic`); the rest cannot be quoted then. Without it, ``ranked``."""
        if self.semantic is None or not ranked:
            return ranked
        head = ranked[: self.settings.semantic.candidates]
        cosines = self.semantic.similarities(question, [hit.doc for hit, _ in head])
        fused = self.semantic.fuse(np.array([hit.score for hit, _ in head]), cosines)
        order = sorted(range(len(head)), key=lambda i: (-fused[i], head[i][0].doc))
        return [
            (
                dataclasses.replace(head[i][0], score=max(float(fused[i]), 1e-9)),
                head[i][1] + float(cosines[i]),
            )
            for i in order
        ]

    def _choose(
        self, ranked: Sequence[tuple[Hit, float]], k: int, every: bool = False
    ) -> list[tuple[Hit, float]]:
        """The passages to quote: each reaches ``answer.min_coverage``; the first is the best,
        and a later one holds at least ``answer.next_passage_ratio`` of the first's share of
        the question (unless ``every``: a listing such as a timeline takes all that reach the
        threshold). Syndicated copies once."""
        threshold = self.settings.answer.min_coverage
        if self.semantic is not None:
            threshold = self.settings.semantic.min_evidence
        ratio = self.settings.answer.next_passage_ratio
        chosen: list[tuple[Hit, float]] = []
        seen_text: set[object] = set()
        for hit, share in ranked:
            if hit.score <= 0 or share < threshold:
                continue
            if every is False and chosen and share < ratio * chosen[0][1]:
                continue
            key = " ".join(self.corpus.passages[hit.doc].text.split()).casefold()
            group = self.copies.key(hit.doc)
            if key in seen_text or group in seen_text:
                continue
            seen_text.update((key, group))
            chosen.append((hit, share))
            if len(chosen) == k:
                break
        return chosen

    def highlight(self, text: str, query: Sequence[QueryTerm]) -> tuple[tuple[int, int], ...]:
        """The span of the sentence of ``text`` that best answers ``query``
        (:func:`bot.answer.highlight.best_sentence`)."""
        return best_sentence(text, self.evidence.prepare(query), self.analyzer)


def _best_first(pair: tuple[Hit, float]) -> tuple[float, int]:
    """Sort key: highest score first, ties by passage order."""
    return (-pair[0].score, pair[0].doc)
