"""Evaluation: answer quality as numbers, computed with ir-measures.

Pure functions and loaders only: nothing here builds an index or imports a front end. The
``eval`` command feeds them the rankings the bot produces.

Two kinds of test input are read here.

**Test collections** (``python -m bot eval --corpus ... --queries ... --qrels ...``):

* documents: JSON Lines, one ``{"id": str, "text": str, "title": str (optional)}`` per line;
* queries: JSON Lines, one ``{"id": str, "text": str}`` per line;
* qrels: TREC format, ``qid 0 docid grade`` per line (grade > 0 is relevant, higher is better;
  grades <= 0 are kept as judged non-relevant).

``bench/ir_convert.py`` writes these for the shared Vaswani and Cranfield collections.

**Question sets** (``python -m bot eval tests/questions.yaml``): a YAML mapping with a
``questions`` list and an optional default ``article``::

    article: 000_e64bdc90510bce59      # default article id for answers that omit it
    questions:
      - id: summit-where               # optional; defaults to q1, q2, ... by position
        q: where did trump and kim hold there first summit
        answers:                       # any passage matching one of these answers the question
          - {paragraph: 4}             # article id (default above) + paragraph number, as the
                                       # bot cites it (Passage.paragraph)
          - {article: other_id, paragraph: 2, grade: 2}  # optional grade (default 1) for nDCG
          - {contains: "summit in Singapore"}  # any passage whose text contains this phrase
        sentence: "held a historic summit in Singapore"  # optional: a phrase of the sentence a
                                       # reader would pick as the answer
      - q: who won the 2018 world cup
        unanswerable: true             # the corpus cannot answer it: the bot should refuse

Each question has ``q`` and either a non-empty ``answers`` list or ``unanswerable: true`` (not
both). Phrase matching (``contains``, ``sentence``) ignores case, runs of white space and the
difference between straight and curly quotes.

Metric conventions: every judged query counts; a query the system returned nothing for scores
0 (ir-measures' behaviour). MAP is AP over the top 1000, recall is R@100; for question sets hit@k
is ir-measures' ``Success@k`` and MRR@10 its ``RR@10``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ir_measures
import yaml
from ir_measures import AP, RR, R, Success, nDCG

from bot.errors import TalksBotError

__all__ = [
    "IR_MEASURES",
    "QUESTION_MEASURES",
    "Document",
    "EvaluationError",
    "Gold",
    "Query",
    "Question",
    "RefusalStats",
    "contains_phrase",
    "evaluate",
    "ir_metrics",
    "load_documents",
    "load_qrels",
    "load_queries",
    "load_question_set",
    "normalize_text",
    "passage_id",
    "question_metrics",
    "question_qrels",
    "refusal_stats",
    "run_from_rankings",
    "sentence_accuracy",
]

#: Run: ``{qid: {docid: score}}``, higher score ranks first.
Run = Mapping[str, Mapping[str, float]]
#: Qrels: ``{qid: {docid: grade}}``, grade > 0 relevant.
Qrels = Mapping[str, Mapping[str, int]]

#: Reported name -> ir-measures measure, for test collections.
IR_MEASURES = {"map": AP @ 1000, "ndcg@10": nDCG @ 10, "recall@100": R @ 100}
#: Reported name -> ir-measures measure, for question sets.
QUESTION_MEASURES = {
    "hit@1": Success @ 1,
    "hit@3": Success @ 3,
    "mrr@10": RR @ 10,
    "ndcg@10": nDCG @ 10,
}


class EvaluationError(TalksBotError):
    """A test file (documents, queries, qrels, question set) is missing or malformed."""


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Document:
    """One document of a test collection."""

    id: str
    text: str
    title: str = ""


@dataclass(frozen=True)
class Query:
    """One query of a test collection."""

    id: str
    text: str


@dataclass(frozen=True)
class Gold:
    """One way a passage can answer a question: by position, or by containing a phrase.

    Exactly one of ``paragraph`` (with ``article``) or ``contains`` is set.
    """

    article: str | None = None
    paragraph: int | None = None
    contains: str | None = None
    grade: int = 1


@dataclass(frozen=True)
class Question:
    """One question of a question set."""

    id: str
    q: str
    answers: tuple[Gold, ...] = ()
    sentence: str | None = None
    unanswerable: bool = False


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


# --------------------------------------------------------------------------- text matching

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Lower-case, straighten quotes and collapse white space, for phrase matching."""
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip().casefold()


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether *text* contains *phrase*, ignoring case, spacing and quote style."""
    return normalize_text(phrase) in normalize_text(text)


# --------------------------------------------------------------------------- loaders


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EvaluationError(f"file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"cannot read {path}: {exc}") from None


def _jsonl(path: Path, required: Sequence[str]) -> Iterable[dict[str, Any]]:
    for number, line in enumerate(_read(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise EvaluationError(f"{path}:{number}: expected a JSON object")
        missing = [key for key in required if key not in row]
        if missing:
            raise EvaluationError(f"{path}:{number}: missing {', '.join(missing)}")
        yield row


def load_documents(path: Path) -> list[Document]:
    """Read a JSON Lines file of ``{"id", "text", "title"?}`` documents."""
    docs = [
        Document(str(row["id"]), str(row["text"] or ""), str(row.get("title") or ""))
        for row in _jsonl(path, ("id", "text"))
    ]
    seen: set[str] = set()
    for doc in docs:
        if doc.id in seen:
            raise EvaluationError(f"{path}: duplicate document id {doc.id!r}")
        seen.add(doc.id)
    return docs


def load_queries(path: Path) -> list[Query]:
    """Read a JSON Lines file of ``{"id", "text"}`` queries."""
    return [Query(str(row["id"]), str(row["text"])) for row in _jsonl(path, ("id", "text"))]


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Read TREC qrels (``qid iteration docid grade``) into ``{qid: {docid: grade}}``."""
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(_read(path).splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise EvaluationError(f"{path}:{number}: expected 'qid 0 docid grade', got {line!r}")
        qid, _, docid, grade = parts
        try:
            qrels.setdefault(qid, {})[docid] = int(grade)
        except ValueError:
            raise EvaluationError(f"{path}:{number}: grade {grade!r} is not an integer") from None
    return qrels


def _gold(raw: Any, default_article: str | None, where: str) -> Gold:
    if not isinstance(raw, Mapping):
        raise EvaluationError(f"{where}: an answer must be a mapping, got {raw!r}")
    unknown = set(raw) - {"article", "paragraph", "contains", "grade"}
    if unknown:
        raise EvaluationError(
            f"{where}: unknown answer key(s) {sorted(unknown)}; "
            "valid: article, paragraph, contains, grade"
        )
    grade = raw.get("grade", 1)
    if not isinstance(grade, int) or isinstance(grade, bool) or grade < 1:
        raise EvaluationError(f"{where}: grade must be a positive integer, got {grade!r}")
    if "contains" in raw:
        if "paragraph" in raw or not isinstance(raw["contains"], str) or not raw["contains"]:
            raise EvaluationError(f"{where}: 'contains' takes a non-empty phrase, on its own")
        return Gold(contains=raw["contains"], grade=grade)
    paragraph = raw.get("paragraph")
    if not isinstance(paragraph, int) or isinstance(paragraph, bool):
        raise EvaluationError(f"{where}: an answer needs 'paragraph: <int>' or 'contains: <text>'")
    article = raw.get("article", default_article)
    if article is None:
        raise EvaluationError(f"{where}: no 'article' given and no default article at the top")
    return Gold(article=str(article), paragraph=paragraph, grade=grade)


def load_question_set(path: Path) -> list[Question]:
    """Read a YAML question set (format in the module docstring).

    Raises
    ------
    EvaluationError
        If the file is missing or any question is malformed; the message names the question.
    """
    try:
        data = yaml.safe_load(_read(path))
    except yaml.YAMLError as exc:
        raise EvaluationError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("questions"), list):
        raise EvaluationError(f"{path}: expected a mapping with a 'questions' list")
    default_article = data.get("article")
    default_article = None if default_article is None else str(default_article)
    questions: list[Question] = []
    seen: set[str] = set()
    for position, raw in enumerate(data["questions"], 1):
        where = f"{path}: question {position}"
        if not isinstance(raw, Mapping):
            raise EvaluationError(f"{where}: expected a mapping")
        unknown = set(raw) - {"id", "q", "answers", "sentence", "unanswerable"}
        if unknown:
            raise EvaluationError(
                f"{where}: unknown key(s) {sorted(unknown)}; "
                "valid: id, q, answers, sentence, unanswerable"
            )
        qid = str(raw.get("id", f"q{position}"))
        where = f"{path}: question {qid!r}"
        if qid in seen:
            raise EvaluationError(f"{where}: duplicate id")
        seen.add(qid)
        text = raw.get("q")
        if not isinstance(text, str) or not text.strip():
            raise EvaluationError(f"{where}: 'q' must be a non-empty string")
        unanswerable = bool(raw.get("unanswerable", False))
        answers = raw.get("answers") or []
        if not isinstance(answers, list):
            raise EvaluationError(f"{where}: 'answers' must be a list")
        if unanswerable and (answers or raw.get("sentence")):
            raise EvaluationError(f"{where}: an unanswerable question has no answers or sentence")
        if not unanswerable and not answers:
            raise EvaluationError(f"{where}: give 'answers' or mark it 'unanswerable: true'")
        sentence = raw.get("sentence")
        if sentence is not None and (not isinstance(sentence, str) or not sentence.strip()):
            raise EvaluationError(f"{where}: 'sentence' must be a non-empty string")
        questions.append(
            Question(
                id=qid,
                q=text,
                answers=tuple(_gold(a, default_article, where) for a in answers),
                sentence=sentence,
                unanswerable=unanswerable,
            )
        )
    return questions


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
    measures: Mapping[str, Any], run: Run, qrels: Qrels
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Compute *measures* (reported name -> ir-measures measure) of *run* against *qrels*.

    Returns
    -------
    (aggregate, per_query)
        Means over every query in *qrels* that has a relevant document, and
        ``{qid: {name: value}}`` for those queries. Queries absent from *run* score 0.
    """
    judged = {qid: dict(docs) for qid, docs in qrels.items() if any(g > 0 for g in docs.values())}
    names = {measure: name for name, measure in measures.items()}
    per_query: dict[str, dict[str, float]] = {qid: dict.fromkeys(measures, 0.0) for qid in judged}
    if judged:
        scored = {qid: dict(docs) for qid, docs in run.items() if qid in judged and docs}
        for metric in ir_measures.iter_calc(list(measures.values()), judged, scored):
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
                key = (gold.article or "", gold.paragraph or 0)
                found = [key] if key in by_position else []
            else:
                if normalized is None:  # normalise each passage once, only if phrases are used
                    normalized = [(a, n, normalize_text(t)) for a, n, t in passages]
                phrase = normalize_text(gold.contains)
                found = [(a, n) for a, n, t in normalized if phrase in t]
            for article, paragraph in found:
                key = passage_id(article, paragraph)
                grades[key] = max(grades.get(key, 0), gold.grade)
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
    hits = sum(
        1
        for qid, phrase in gold.items()
        if chosen.get(qid) and contains_phrase(chosen[qid], phrase)
    )
    return hits / len(gold)
