"""Metrics: what a run of rankings and refusals scores, computed with ir-measures.

Pure functions: nothing here builds an index or reads a file (that is
:mod:`bot.quality.datasets`).

ir-measures is the ``eval`` extra: it is imported when a measure is computed, never at import
time, so the commands that import this module still run on a base install.

Metric conventions: every judged query counts; a query the system returned nothing for scores
0 (ir-measures' behaviour). MAP is AP over the top 1000, recall is R@100; for question sets hit@k
is ir-measures' ``Success@k`` and MRR@10 its ``RR@10``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.extras import require
from bot.quality.datasets import Question, contains_phrase, normalize_text

#: Run: ``{qid: {docid: score}}``, higher score ranks first.
Run = Mapping[str, Mapping[str, float]]
#: Qrels: ``{qid: {docid: grade}}``, grade > 0 relevant.
Qrels = Mapping[str, Mapping[str, int]]

#: Reported name -> ir-measures measure (by its name), for test collections.
IR_MEASURES = {"map": "AP@1000", "ndcg@10": "nDCG@10", "recall@100": "R@100"}
#: Reported name -> ir-measures measure (by its name), for question sets.
QUESTION_MEASURES = {
    "hit@1": "Success@1",
    "hit@3": "Success@3",
    "mrr@10": "RR@10",
    "ndcg@10": "nDCG@10",
}


@dataclass(frozen=True)
class RefusalStats:
    """How well "no answer" was used.

    Attributes
    ----------
    precision : float
        Of the questions refused, the share that were unanswerable (1.0 if none was refused).
    recall : float
        Of the unanswerable questions, the share refused (1.0 if there were none).
    refused : int
        Questions refused.
    correct : int
        Unanswerable questions refused.
    unanswerable : int
        Unanswerable questions asked.
    false_refusals : int
        Answerable questions refused.
    """

    precision: float
    recall: float
    refused: int
    correct: int
    unanswerable: int
    false_refusals: int


# --------------------------------------------------------------------------- metrics


def run_from_rankings(rankings: Mapping[str, Sequence[str]]) -> dict[str, dict[str, float]]:
    """Turn ranked lists of doc ids into a run whose scores keep exactly that order.

    trec_eval breaks score ties by doc id, not by the order a system returned; scores that
    fall strictly with rank make the evaluated order the system's own.
    """
    run: dict[str, dict[str, float]] = {}
    for qid, docids in rankings.items():
        ranked: dict[str, float] = {}
        for rank, docid in enumerate(docids):
            ranked.setdefault(docid, float(len(docids) - rank))
        run[qid] = ranked
    return run


def evaluate(
    measures: Mapping[str, str], run: Run, qrels: Qrels
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Compute *measures* (reported name -> ir-measures measure name) of *run* against *qrels*.

    Returns
    -------
    (aggregate, per_query)
        Means over every query in *qrels* that has a relevant document, and
        ``{qid: {name: value}}`` for those queries. Queries absent from *run* score 0.
    """
    ir_measures = require("ir_measures", "eval")
    parsed = {name: ir_measures.parse_measure(measure) for name, measure in measures.items()}
    judged = {qid: dict(docs) for qid, docs in qrels.items() if any(g > 0 for g in docs.values())}
    names = {measure: name for name, measure in parsed.items()}
    per_query: dict[str, dict[str, float]] = {qid: dict.fromkeys(measures, 0.0) for qid in judged}
    if judged:
        scored = {qid: dict(docs) for qid, docs in run.items() if qid in judged and docs}
        for metric in ir_measures.iter_calc(list(parsed.values()), judged, scored):
            per_query[metric.query_id][names[metric.measure]] = float(metric.value)
    aggregate = {
        name: (sum(row[name] for row in per_query.values()) / len(per_query) if per_query else 0.0)
        for name in measures
    }
    return aggregate, per_query


def ir_metrics(run: Run, qrels: Qrels) -> dict[str, float | int]:
    """MAP (AP@1000), nDCG@10 and recall@100 of a test-collection run.

    Returns
    -------
    dict
        ``{"map", "ndcg@10", "recall@100", "queries"}``; ``queries`` counts the judged queries
        the means are over.
    """
    aggregate, per_query = evaluate(IR_MEASURES, run, qrels)
    return {**aggregate, "queries": len(per_query)}


def question_qrels(
    questions: Iterable[Question], passages: Iterable[tuple[str, int, str]]
) -> dict[str, dict[str, int]]:
    """Qrels for the answerable questions, over every passage of the corpus.

    Parameters
    ----------
    questions
        The question set.
    passages
        ``(article id, paragraph, text)`` of every passage the bot can return; doc ids in the
        qrels are ``"<article>#<paragraph>"``.

    Returns
    -------
    dict
        ``{question id: {passage id: grade}}`` with the best matching grade per passage.
            A question none of whose answers matches any passage is kept with no relevant
        passage: :func:`question_metrics` scores it 0 (a gold that no longer resolves, e.g.
        after the corpus was renumbered, must not quietly drop a question from the means).
    """
    passages = list(passages)
    by_position = {(article, paragraph): text for article, paragraph, text in passages}
    normalized: list[tuple[str, int, str]] | None = None
    qrels: dict[str, dict[str, int]] = {}
    for question in questions:
        if question.unanswerable:
            continue
        grades: dict[str, int] = {}
        for gold in question.answers:
            if gold.contains is None:
                at = (gold.article or "", gold.paragraph or 0)
                found = [at] if at in by_position else []
            else:
                if normalized is None:  # normalise each passage once, only if phrases are used
                    normalized = [(a, n, normalize_text(t)) for a, n, t in passages]
                phrase = normalize_text(gold.contains)
                found = [(a, n) for a, n, t in normalized if phrase in t]
            for article, paragraph in found:
                pid = passage_id(article, paragraph)
                grades[pid] = max(grades.get(pid, 0), gold.grade)
        qrels[question.id] = grades
    return qrels


def passage_id(article: str, paragraph: int) -> str:
    """The doc id of a passage in question-set runs and qrels: ``"<article>#<paragraph>"``."""
    return f"{article}#{paragraph}"


def question_metrics(run: Run, qrels: Qrels) -> tuple[dict[str, float], dict[str, dict]]:
    """hit@1, hit@3, MRR@10 and nDCG@10 of a question-set run.

    Like :func:`evaluate`, except that a question whose qrels hold no relevant passage (its
    gold answers did not resolve) is counted, with 0 for every measure.
    """
    _, per_query = evaluate(QUESTION_MEASURES, run, qrels)
    for qid in qrels:
        per_query.setdefault(qid, dict.fromkeys(QUESTION_MEASURES, 0.0))
    aggregate = {
        name: sum(row[name] for row in per_query.values()) / len(per_query) if per_query else 0.0
        for name in QUESTION_MEASURES
    }
    return aggregate, per_query


def refusal_stats(refused: Mapping[str, bool], unanswerable: Iterable[str]) -> RefusalStats:
    """Precision and recall of "no answer".

    Parameters
    ----------
    refused
        ``{question id: whether the bot refused}`` for every question asked.
    unanswerable
        Ids of the questions the corpus cannot answer.
    """
    unanswerable = set(unanswerable)
    refused_ids = {qid for qid, no in refused.items() if no}
    asked_unanswerable = unanswerable & set(refused)
    correct = len(refused_ids & unanswerable)
    return RefusalStats(
        precision=correct / len(refused_ids) if refused_ids else 1.0,
        recall=correct / len(asked_unanswerable) if asked_unanswerable else 1.0,
        refused=len(refused_ids),
        correct=correct,
        unanswerable=len(asked_unanswerable),
        false_refusals=len(refused_ids - unanswerable),
    )


def sentence_accuracy(chosen: Mapping[str, str | None], gold: Mapping[str, str]) -> float:
    """Share of questions with a gold sentence whose chosen answer sentence contains it.

    Parameters
    ----------
    chosen
        ``{question id: the sentence the bot marked as the answer}`` (None or missing if it
        gave none).
    gold
        ``{question id: a phrase of the sentence a reader would pick}``.
    """
    if not gold:
        return 0.0
    hits = 0
    for qid, phrase in gold.items():
        sentence = chosen.get(qid)
        if sentence and contains_phrase(sentence, phrase):
            hits += 1
    return hits / len(gold)
