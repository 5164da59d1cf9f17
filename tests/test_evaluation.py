"""Tests for bot/evaluation.py: loaders, metrics (checked against ir-measures) and refusals."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import ir_measures
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ir_measures import RR, Success

from bot.quality.evaluation import (
    Document,
    EvaluationError,
    Gold,
    Query,
    Question,
    contains_phrase,
    ir_metrics,
    load_documents,
    load_qrels,
    load_queries,
    load_question_set,
    passage_id,
    question_metrics,
    question_qrels,
    refusal_stats,
    run_from_rankings,
    sentence_accuracy,
)

# --------------------------------------------------------------------------- loaders


def test_load_documents_and_queries(tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        '{"id": "d1", "text": "gloopy wibbles", "title": "On wibbles"}\n'
        "\n"
        '{"id": 7, "text": "moon cheese"}\n'
    )
    queries = tmp_path / "queries.jsonl"
    queries.write_text('{"id": "1", "text": "wibbles?"}\n')
    assert load_documents(docs) == [
        Document("d1", "gloopy wibbles", "On wibbles"),
        Document("7", "moon cheese", ""),
    ]
    assert load_queries(queries) == [Query("1", "wibbles?")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json\n", "not JSON"),
        ('{"id": "1"}\n', "missing text"),
        ('["a"]\n', "JSON object"),
        ('{"id": "1", "text": "a"}\n{"id": "1", "text": "b"}\n', "duplicate"),
    ],
)
def test_load_documents_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text(content)
    with pytest.raises(EvaluationError, match=message):
        load_documents(path)


def test_missing_file_is_an_evaluation_error(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="not found"):
        load_qrels(tmp_path / "nope.txt")


def test_load_qrels(tmp_path: Path) -> None:
    path = tmp_path / "qrels.txt"
    path.write_text("1 0 d1 1\n1 0 d2 0\r\n\n2 0 d9 3\n")
    assert load_qrels(path) == {"1": {"d1": 1, "d2": 0}, "2": {"d9": 3}}
    path.write_text("1 d1 1\n")
    with pytest.raises(EvaluationError, match=":1: expected"):
        load_qrels(path)
    path.write_text("1 0 d1 high\n")
    with pytest.raises(EvaluationError, match="not an integer"):
        load_qrels(path)


QUESTION_SET = """
article: art1
questions:
  - id: wibble-colour
    q: what colour are wibbles
    answers:
      - {paragraph: 2}
      - {article: art2, paragraph: 0, grade: 2}
      - {contains: "wibbles are  Mauve"}
    sentence: wibbles are mauve
  - q: who ate the moon
    unanswerable: true
  - q: where is the cheese
    answers: [{paragraph: 3}]
"""


def test_load_question_set(tmp_path: Path) -> None:
    path = tmp_path / "qs.yaml"
    path.write_text(QUESTION_SET)
    first, second, third = load_question_set(path)
    assert first == Question(
        id="wibble-colour",
        q="what colour are wibbles",
        answers=(
            Gold(article="art1", paragraph=2),
            Gold(article="art2", paragraph=0, grade=2),
            Gold(contains="wibbles are  Mauve"),
        ),
        sentence="wibbles are mauve",
    )
    assert second == Question(id="q2", q="who ate the moon", unanswerable=True)
    assert third.id == "q3" and third.answers == (Gold(article="art1", paragraph=3),)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("- q: a\n", "'questions' list"),
        ("questions:\n  - q: a\n", "unanswerable: true"),
        (
            "questions:\n  - q: a\n    unanswerable: true\n    answers: [{contains: x}]\n",
            "no answers",
        ),
        ("questions:\n  - q: ''\n    unanswerable: true\n", "non-empty"),
        ("questions:\n  - q: a\n    answers: [{paragraph: 1}]\n", "no default article"),
        ("questions:\n  - q: a\n    answers: [{article: x}]\n", "paragraph: <int>"),
        ("questions:\n  - q: a\n    answer: [{contains: x}]\n", "unknown key"),
        ("questions:\n  - q: a\n    answers: [{contains: x, para: 1}]\n", "unknown answer key"),
        ("questions:\n  - q: a\n    answers: [{contains: x, grade: 0}]\n", "positive integer"),
        (
            "questions:\n  - {id: a, q: x, unanswerable: true}\n"
            "  - {id: a, q: y, unanswerable: true}\n",
            "duplicate id",
        ),
        ("questions: [\n", "not valid YAML"),
    ],
)
def test_question_set_errors_name_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "qs.yaml"
    path.write_text(body)
    with pytest.raises(EvaluationError, match=message):
        load_question_set(path)


# --------------------------------------------------------------------------- phrase matching


def test_contains_phrase_ignores_case_space_and_quotes() -> None:
    text = "Sanders said the letter was \u201cfurther evidence of progress\u201d\nin Washington."
    assert contains_phrase(text, 'letter was "further  evidence')
    assert contains_phrase(text, 'progress" IN washington')
    assert not contains_phrase(text, "evidence of regress")


# --------------------------------------------------------------------------- metrics


def test_run_from_rankings_keeps_the_system_order() -> None:
    # With equal scores trec_eval would order by doc id; rank-derived scores prevent that.
    run = run_from_rankings({"1": ["b", "a", "c", "a"]})
    assert sorted(run["1"], key=run["1"].get, reverse=True) == ["b", "a", "c"]
    metrics, _ = question_metrics(run, {"1": {"a": 1}})
    assert metrics["hit@1"] == 0.0
    assert metrics["mrr@10"] == 0.5


def test_ir_metrics_by_hand() -> None:
    qrels = {"1": {"a": 1, "b": 1, "z": 0}, "2": {"c": 2}, "3": {"d": 1}, "4": {"x": 0}}
    run = run_from_rankings({"1": ["a", "x", "b"], "2": ["y", "c"]})
    metrics = ir_metrics(run, qrels)
    # Query 4 has nothing relevant and is not counted; query 3 was not answered and scores 0.
    assert metrics["queries"] == 3
    assert metrics["map"] == pytest.approx(((1 + 2 / 3) / 2 + 1 / 2 + 0) / 3)
    assert metrics["recall@100"] == pytest.approx((1 + 1 + 0) / 3)
    ndcg_1 = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    ndcg_2 = 1 / math.log2(3)
    assert metrics["ndcg@10"] == pytest.approx((ndcg_1 + ndcg_2) / 3)


def test_ir_metrics_of_nothing() -> None:
    assert ir_metrics({}, {}) == {"map": 0.0, "ndcg@10": 0.0, "recall@100": 0.0, "queries": 0}


def _hit_at(ranking: list[str], relevant: set[str], k: int) -> float:
    return float(any(doc in relevant for doc in ranking[:k]))


def _rr_at(ranking: list[str], relevant: set[str], k: int) -> float:
    for rank, doc in enumerate(ranking[:k], 1):
        if doc in relevant:
            return 1 / rank
    return 0.0


DOC_IDS = st.sampled_from([f"p{i}" for i in range(15)])


@settings(max_examples=60, deadline=None)
@given(
    rankings=st.dictionaries(
        st.sampled_from(["q1", "q2", "q3", "q4"]),
        st.lists(DOC_IDS, max_size=14, unique=True),
    ),
    relevant=st.dictionaries(
        st.sampled_from(["q1", "q2", "q3", "q4"]),
        st.sets(DOC_IDS, min_size=1, max_size=4),
        min_size=1,
    ),
)
def test_question_metrics_match_ir_measures_and_definitions(rankings, relevant) -> None:
    run = run_from_rankings(rankings)
    qrels = {qid: dict.fromkeys(docs, 1) for qid, docs in relevant.items()}
    metrics, per_query = question_metrics(run, qrels)
    assert set(per_query) == set(qrels)
    # Our own definitions of hit@k and MRR@10, averaged over every judged question ...
    for name, fn, k in (("hit@1", _hit_at, 1), ("hit@3", _hit_at, 3), ("mrr@10", _rr_at, 10)):
        expected = sum(fn(rankings.get(q, []), relevant[q], k) for q in qrels) / len(qrels)
        assert metrics[name] == pytest.approx(expected), name
    # ... and with ir-measures' Success@k / RR@10 (which also score unanswered questions 0).
    scored = {q: docs for q, docs in run.items() if q in qrels and docs}
    theirs = ir_measures.calc_aggregate([Success @ 1, Success @ 3, RR @ 10], qrels, scored)
    assert metrics["hit@1"] == pytest.approx(theirs.get(Success @ 1, 0.0))
    assert metrics["hit@3"] == pytest.approx(theirs.get(Success @ 3, 0.0))
    assert metrics["mrr@10"] == pytest.approx(theirs.get(RR @ 10, 0.0))
    assert 0.0 <= metrics["ndcg@10"] <= 1.0


def test_question_qrels_resolve_positions_and_phrases() -> None:
    questions = [
        Question(
            "a",
            "what colour",
            answers=(Gold("art1", 2), Gold(contains="are mauve"), Gold("art2", 0, grade=3)),
        ),
        Question("b", "nothing here", unanswerable=True),
        Question("c", "lost", answers=(Gold("art9", 9),)),
    ]
    passages = [
        ("art1", 1, "Wibbles are MAUVE."),
        ("art1", 2, "They glow."),
        ("art2", 0, "Wibbles are mauve, they say."),
        ("art2", 1, "Cheese."),
    ]
    assert question_qrels(questions, passages) == {
        "a": {"art1#1": 1, "art1#2": 1, "art2#0": 3},
        "c": {},
    }
    assert passage_id("art1", 2) == "art1#2"


def test_unresolved_questions_count_as_misses() -> None:
    # "c" has a gold answer that matches no passage: it still counts, with 0.
    qrels = {"a": {"art1#1": 1}, "c": {}}
    metrics, per_query = question_metrics(run_from_rankings({"a": ["art1#1"], "c": ["x#1"]}), qrels)
    assert per_query["c"] == {"hit@1": 0.0, "hit@3": 0.0, "mrr@10": 0.0, "ndcg@10": 0.0}
    assert metrics["hit@1"] == 0.5


def test_refusal_stats() -> None:
    refused = {"u1": True, "u2": False, "u3": True, "a1": True, "a2": False}
    stats = refusal_stats(refused, unanswerable={"u1", "u2", "u3"})
    assert stats.precision == pytest.approx(2 / 3)
    assert stats.recall == pytest.approx(2 / 3)
    assert (stats.refused, stats.correct, stats.unanswerable, stats.false_refusals) == (3, 2, 3, 1)
    never = refusal_stats({"a1": False}, unanswerable=set())
    assert (never.precision, never.recall) == (1.0, 1.0)


def test_sentence_accuracy() -> None:
    gold = {"a": "held a historic summit", "b": "release of US hostages", "c": "x"}
    chosen = {"a": "Trump and Kim held a  historic summit in Singapore.", "b": None}
    assert sentence_accuracy(chosen, gold) == pytest.approx(1 / 3)
    assert sentence_accuracy({}, {}) == 0.0


def test_evaluation_does_not_import_discord() -> None:
    code = "import sys, bot.quality.evaluation; print('discord' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_documents_round_trip_through_json(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"id": "1", "text": "caf\u00e9 \u2605", "title": None}) + "\n")
    assert load_documents(path) == [Document("1", "caf\u00e9 \u2605", "")]
