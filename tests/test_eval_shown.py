"""Evaluation scores what the bot shows: its ``answer.top_k`` passages, not the first ones of a
deeper answer, which ranks more candidates and may put other passages first."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.answer.answerer import Answer, Answerer
from bot.quality.datasets import Gold, Question
from bot.quality.runner import QUESTION_DEPTH, evaluate_questions

FILES = {
    f"{name}.md": f"The {name} eel guild counted {name} eels at the quillsby pond.\n"
    for name in ("amber", "brass", "coral", "dusk")
}


@pytest.fixture
def answerer(write_corpus: Any) -> Answerer:
    return Answerer.from_settings(write_corpus(FILES))


def _reordered(answer: Answer) -> Answer:
    """The same answer with its passages in reverse order (a deeper answer's other choice)."""
    passages = tuple(reversed(answer.passages))
    return dataclasses.replace(
        answer,
        passages=tuple(dataclasses.replace(p, rank=n) for n, p in enumerate(passages, 1)),
    )


def test_hit_at_1_and_quotes_come_from_the_answer_shown(
    answerer: Answerer, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "how many eels did the eel guild count at the quillsby pond"
    shown = answerer.answer(question)
    assert len(shown.passages) >= 2
    first = shown.passages[0].passage.article.id
    real = Answerer.answer

    def deeper_differs(self: Answerer, q: str, top_k: int | None = None, **kw: Any) -> Answer:
        answer = real(self, q, top_k, **kw)
        return _reordered(answer) if top_k == QUESTION_DEPTH else answer

    monkeypatch.setattr(Answerer, "answer", deeper_differs)
    gold = Question("q1", question, (Gold(article=first, paragraph=1, grade=2),))
    report = evaluate_questions(answerer, [gold])
    assert report.metrics["hit@1"] == 1.0
    assert report.outcomes[0].shown[0] == f"{first}#1"
    assert len(report.outcomes[0].shown) == len(set(report.outcomes[0].shown))
