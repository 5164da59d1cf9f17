"""Evaluation: answer quality as numbers (a single import for the pieces).

- :mod:`bot.quality.datasets`: the test data -- collections and question sets -- and their formats;
- :mod:`bot.quality.metrics`: what a run scores (ir-measures, refusals, answer sentences);
- :mod:`bot.quality.runner`: asking the bot and measuring its answers;
- :mod:`bot.quality.suite`: the whole quality table (``python bench/quality.py``).
"""

from __future__ import annotations

from bot.quality.datasets import (
    Document,
    EvaluationError,
    Gold,
    Query,
    Question,
    contains_phrase,
    load_documents,
    load_qrels,
    load_queries,
    load_question_set,
    normalize_text,
)
from bot.quality.metrics import (
    IR_MEASURES,
    QUESTION_MEASURES,
    RefusalStats,
    evaluate,
    ir_metrics,
    passage_id,
    question_metrics,
    question_qrels,
    refusal_stats,
    run_from_rankings,
    sentence_accuracy,
)

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
