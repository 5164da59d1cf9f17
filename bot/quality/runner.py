"""Ask the bot a question set, or rank a test collection, and measure what it does.

Question sets go through the same :class:`~bot.answer.answerer.Answerer` the bot uses:
hit@1, hit@3, MRR@10 and nDCG@10 of the passages it *shows*, the precision of what it quotes,
the precision and recall of its "no answer", and how often the sentence it marks is the one a
reader would pick. Test collections are ranked to depth 1000 through the bot's analysis, query
weighting and engine (the title as the article-title field) and scored by MAP, nDCG@10 and
recall@100.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.answer.answerer import Answer, Answerer
from bot.config.settings import Settings
from bot.corpus.model import Article, Corpus, Passage
from bot.index.engine import Hit
from bot.quality.datasets import Document, Query, Question, contains_phrase
from bot.quality.metrics import (
    RefusalStats,
    ir_metrics,
    passage_id,
    question_metrics,
    question_qrels,
    refusal_stats,
    run_from_rankings,
)

#: Ranking depth for test collections (MAP is over the top 1000).
DEPTH = 1000
#: Passages asked for per question in question-set mode (MRR@10 and nDCG@10 need ten).
QUESTION_DEPTH = 10


# --------------------------------------------------------------------------- question sets


@dataclass(frozen=True)
class QuestionOutcome:
    """What the bot did with one question."""

    question: Question
    answered: bool
    shown: tuple[str, ...]
    """Passage ids shown, in rank order (empty when refused)."""
    first_text: str | None = None
    first_sentence: str | None = None
    retrieved: tuple[str, ...] = ()
    """Passage ids the engine ranked, before the "no answer" rule."""


@dataclass(frozen=True)
class QuestionReport:
    """Figures for one question set under one configuration."""

    metrics: dict[str, float]
    retrieval: dict[str, float]
    refusals: RefusalStats
    sentence: dict[str, float | int]
    outcomes: tuple[QuestionOutcome, ...]
    qrels: dict[str, dict[str, int]] = field(repr=False)
    articles: int = 1
    """Articles in the corpus (misses cite ``¶n`` alone when there is one)."""
    top_k: int = 3
    """Passages an answer quotes (``answer.top_k``): what the quote precision is over."""

    def summary(self) -> dict[str, Any]:
        """The headline figures as one flat mapping (what ``--json`` prints)."""
        answerable = sum(1 for o in self.outcomes if not o.question.unanswerable)
        return {
            "questions": len(self.outcomes),
            "answerable": answerable,
            "unanswerable": len(self.outcomes) - answerable,
            **self.metrics,
            "refusal_precision": self.refusals.precision,
            "refusal_recall": self.refusals.recall,
            "refused": self.refusals.refused,
            "false_refusals": self.refusals.false_refusals,
            **self.quotes(),
            "sentence_accuracy": self.sentence["accuracy"],
            "sentence_given_passage": self.sentence["given_passage"],
            "retrieval": self.retrieval,
            "unresolved": self.unresolved(),
        }

    def quotes(self) -> dict[str, float]:
        """What an answer quotes, over the answerable questions it answered: the share of
        quoted passages that are gold (precision of what is shown) and how many it quotes."""
        shown = [
            o.shown[: self.top_k]
            for o in self.outcomes
            if not o.question.unanswerable and o.answered
        ]
        quoted = sum(len(s) for s in shown)
        gold = sum(
            1
            for o in self.outcomes
            if not o.question.unanswerable and o.answered
            for pid in o.shown[: self.top_k]
            if self.qrels.get(o.question.id, {}).get(pid, 0) > 0
        )
        return {
            "quote_precision": gold / quoted if quoted else 0.0,
            "quoted_per_answer": quoted / len(shown) if shown else 0.0,
        }

    def unresolved(self) -> list[str]:
        """Ids of answerable questions whose gold answers match no passage (scored 0)."""
        return [
            qid for qid, grades in self.qrels.items() if not any(g > 0 for g in grades.values())
        ]

    def misses(self) -> list[dict[str, Any]]:
        """Questions the bot got wrong, each with what it showed first instead."""
        rows = []
        for o in self.outcomes:
            q = o.question
            first = o.shown[0] if o.shown else None
            if q.unanswerable:
                if o.answered:
                    rows.append(self._miss(o, "answered (should refuse)", first))
                continue
            grades = self.qrels.get(q.id, {})
            if not o.answered:
                rows.append(self._miss(o, "refused", None))
            elif first is None or grades.get(first, 0) <= 0:
                rows.append(self._miss(o, "wrong first passage", first))
            elif grades[first] < max(grades.values()):
                rows.append(self._miss(o, "weaker answer first", first))
            elif q.sentence and not (
                o.first_sentence and contains_phrase(o.first_sentence, q.sentence)
            ):
                rows.append(self._miss(o, "wrong sentence", first, o.first_sentence))
        return rows

    def _miss(
        self, o: QuestionOutcome, kind: str, first: str | None, got: str | None = None
    ) -> dict[str, Any]:
        expected = sorted(self.qrels.get(o.question.id, {}), key=_paragraph_order)
        if got is None and first is not None:
            got = o.first_text
        return {
            "id": o.question.id,
            "question": o.question.q,
            "kind": kind,
            "expected": expected,
            "first": first,
            "first_text": got,
        }


def _paragraph_order(pid: str) -> tuple[str, int]:
    article, _, paragraph = pid.rpartition("#")
    return article, int(paragraph) if paragraph.isdigit() else 0


def evaluate_questions(
    answerer: Answerer, questions: Sequence[Question], allowed: Any = None
) -> QuestionReport:
    """Ask every question of a question set and measure the answers.

    Ranking figures (hit@k, MRR@10, nDCG@10) are over what the bot *shows*, so a wrongly refused
    question scores 0: its ``answer.top_k`` passages, continued to depth 10 by the passages a
    deeper answer adds (a deeper answer ranks more candidates, so its first passages may differ
    from those shown, and only ranks past ``top_k`` are taken from it). ``retrieval`` holds the
    same figures for the engine's ranking before the "no answer" rule, to tell ranking problems
    from refusal problems.
    """
    passages = [(p.article.id, p.paragraph, p.text) for p in answerer.corpus.passages]
    qrels = question_qrels(questions, passages)
    outcomes = []
    for question in questions:
        answer = answerer.answer(question.q, allowed=allowed)  # as the bot answers it
        shown = _shown(answer, answerer.answer(question.q, top_k=QUESTION_DEPTH, allowed=allowed))
        first_text = first_sentence = None
        if answer.passages:
            top = answer.passages[0]
            first_text = top.passage.text
            if top.highlights:
                start, end = top.highlights[0]
                first_sentence = first_text[start:end]
        retrieved = tuple(
            passage_id(
                answerer.corpus.passages[h.doc].article.id,
                answerer.corpus.passages[h.doc].paragraph,
            )
            for h in _rank(answerer, question.q, QUESTION_DEPTH, allowed)
        )
        outcomes.append(
            QuestionOutcome(question, answer.answered, shown, first_text, first_sentence, retrieved)
        )
    metrics, _ = question_metrics(
        run_from_rankings({o.question.id: o.shown for o in outcomes}), qrels
    )
    retrieval, _ = question_metrics(
        run_from_rankings({o.question.id: o.retrieved for o in outcomes}), qrels
    )
    refusals = refusal_stats(
        {o.question.id: not o.answered for o in outcomes},
        {q.id for q in questions if q.unanswerable},
    )
    return QuestionReport(
        metrics=metrics,
        retrieval=retrieval,
        refusals=refusals,
        sentence=_sentence_figures(outcomes),
        outcomes=tuple(outcomes),
        qrels=qrels,
        articles=len(answerer.corpus.articles),
        top_k=answerer.settings.answer.top_k,
    )


def _shown(answer: Answer, deeper: Answer) -> tuple[str, ...]:
    """The passage ids of ``answer``, then those ``deeper`` adds (none when it is refused)."""
    shown = [passage_id(p.article.id, p.passage.paragraph) for p in answer.passages]
    if shown:
        for p in deeper.passages:
            pid = passage_id(p.article.id, p.passage.paragraph)
            if pid not in shown:
                shown.append(pid)
    return tuple(shown)


def _sentence_figures(outcomes: Sequence[QuestionOutcome]) -> dict[str, float | int]:
    """Answer-sentence accuracy, end to end and given that the first passage holds the gold."""
    gold = [o for o in outcomes if o.question.sentence]
    right = [
        o
        for o in gold
        if o.first_sentence and contains_phrase(o.first_sentence, o.question.sentence or "")
    ]
    reachable = [
        o for o in gold if o.first_text and contains_phrase(o.first_text, o.question.sentence or "")
    ]
    return {
        "accuracy": len(right) / len(gold) if gold else 0.0,
        "given_passage": len(right) / len(reachable) if reachable else 0.0,
        "gold": len(gold),
        "right": len(right),
        "reachable": len(reachable),
    }


def _rank(answerer: Answerer, text: str, k: int, allowed: Any = None) -> list[Hit]:
    """The engine's top ``k`` for ``text``: the ranking that ``answer`` filters."""
    return answerer.rank(text, k, allowed)


# --------------------------------------------------------------------------- collections


@dataclass(frozen=True)
class CollectionReport:
    """Figures for one test collection under one configuration."""

    metrics: dict[str, float | int]
    took_s: float

    def summary(self) -> dict[str, Any]:
        return {**self.metrics, "took_s": round(self.took_s, 2)}


def collection_answerer(settings: Settings, docs: Sequence[Document]) -> Answerer:
    """An answerer over test-collection documents: one passage per document, its title as the
    article title (the title context field), so analysis and engine are the bot's own."""
    passages = []
    articles = []
    for doc in docs:
        article = Article(id=doc.id, title=doc.title)
        articles.append(article)
        passages.append(Passage(article, 1, doc.text))
    # The collections measure the engine's ranking: no passage embeddings needed.
    settings = settings.model_copy(
        update={"semantic": settings.semantic.model_copy(update={"enabled": False})}
    )
    return Answerer(settings, Corpus(tuple(articles), tuple(passages)))


def evaluate_collection(
    settings: Settings,
    docs: Sequence[Document],
    queries: Sequence[Query],
    qrels: dict[str, dict[str, int]],
    depth: int = DEPTH,
) -> CollectionReport:
    """Index *docs* as the bot would, rank the top *depth* for each query, and measure."""
    started = time.perf_counter()
    answerer = collection_answerer(settings, docs)
    rankings = {
        q.id: [
            answerer.corpus.passages[h.doc].article.id
            for h in answerer.rank(q.text, depth, evidence=False)
        ]
        for q in queries
    }
    metrics = ir_metrics(run_from_rankings(rankings), qrels)
    return CollectionReport(metrics, time.perf_counter() - started)
