"""Property-based tests: any Unicode question or article text gives a valid answer, never raises."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.analysis.analyzer import Analyzer
from bot.analysis.sentences import sentence_spans
from bot.answer.answerer import Answer, Answerer, Reason
from bot.config.settings import load_settings
from bot.corpus.loader import load_corpus
from bot.corpus.model import Corpus
from bot.render.json import answer_to_json
from bot.render.text import render_answer
from tests.conftest import REPO

SETTINGS = load_settings(REPO / "config.yaml")
ANSWERER = Answerer.from_settings(SETTINGS)
questions = st.text(alphabet=st.characters(codec="utf-8"), max_size=400)


def assert_valid(answer: Answer, limit: int) -> None:
    assert isinstance(answer.answered, bool)
    assert len(answer.question) <= limit + 1
    if answer.answered:
        assert answer.passages and answer.reason is Reason.ANSWERED
    else:
        assert not answer.passages and answer.reason is not Reason.ANSWERED
    seen = set()
    for item in answer.passages:
        assert item.score > 0
        assert item.passage.id not in seen
        seen.add(item.passage.id)
        for start, end in item.highlights:
            assert 0 <= start < end <= len(item.passage.text)
    json.loads(answer_to_json(answer))
    render_answer(answer)
    render_answer(answer, color=True)


@given(questions)
@hsettings(max_examples=300, deadline=None)
def test_any_question_gives_a_valid_answer(question):
    assert_valid(ANSWERER.answer(question), SETTINGS.answer.max_question_chars)


@given(
    st.lists(
        st.sampled_from(
            [
                "Kim",
                "letter",
                "Trump",
                "Singapore",
                "DPRK",
                "Bolton",
                "?",
                "'s",
                "Jong-un",
                "US",
                "the",
                "zorblax",
                "\u2019",
                "-",
                "\u00a0",
            ]
        ),
        max_size=12,
    )
)
@hsettings(max_examples=200, deadline=None)
def test_near_miss_questions_give_valid_answers(words):
    assert_valid(ANSWERER.answer(" ".join(words)), SETTINGS.answer.max_question_chars)


article_texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\r"), min_size=0, max_size=600
)


@given(article_texts, questions)
@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_article_text_loads_or_warns_and_answers(tmp_path_factory, text, question):
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "weird.md").write_text(text, encoding="utf-8")
    (folder / "plain.md").write_text(
        "The Zorblax Accord was signed on a teapot.\n", encoding="utf-8"
    )
    settings = load_settings(REPO / "config.yaml", [f"corpus.path={folder}"])
    corpus: Corpus = load_corpus(settings.corpus)
    assert "plain" in {a.id for a in corpus.articles}
    assert len(corpus.articles) + len(corpus.warnings) == 2
    answerer = Answerer(settings, corpus)
    assert_valid(answerer.answer(question), settings.answer.max_question_chars)
    for passage in corpus.passages:
        assert_valid(answerer.answer(passage.text[:200]), settings.answer.max_question_chars)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=500))
@hsettings(max_examples=300, deadline=None)
def test_sentence_spans_partition_the_text(text):
    spans = sentence_spans(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        previous_end = end
    covered = {i for s, e in spans for i in range(s, e)}
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)
    assert " ".join(text[s:e] for s, e in spans).split() == text.split()


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
@hsettings(max_examples=300, deadline=None)
def test_analyzer_terms_are_non_empty_strings(text):
    analyzer = Analyzer(SETTINGS.analysis)
    for term in analyzer.terms(text):
        assert isinstance(term, str) and term and not term.isspace()
