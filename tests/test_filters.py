"""Date and outlet filters (bot.answer.filters): parsing, validation, their effect on answers."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pytest

from bot.answer.filters import (
    FilterError,
    Filters,
    allowed_mask,
    make_filters,
    matching_sources,
    parse_date,
    parse_inline,
    resolve,
)
from bot.cli import main as cli
from bot.frontends.console.console import Console
from bot.service.answer_service import AnswerService
from tests.newsdata import NEWS, OUTLETS, WIRE_QUESTION, news_settings


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> AnswerService:
    return AnswerService(news_settings(tmp_path_factory.mktemp("cache")))


# --------------------------------------------------------------------------- parsing


def test_inline_syntax_splits_filters_from_the_question():
    filters, question = parse_inline(
        'since:2024-03-01 until:2024-06 source:"Vell Courier" source:Lantern Who signed?'
    )
    assert filters == Filters(
        dt.date(2024, 3, 1), dt.date(2024, 6, 30), ("Vell Courier", "Lantern")
    )
    assert question == "Who signed?"


def test_inline_syntax_without_filters_leaves_the_question_alone():
    assert parse_inline("What did the Regent say about source:wire copy?") == (
        Filters(),
        "What did the Regent say about source:wire copy?",
    )


def test_inline_keys_are_case_insensitive_and_accept_from_to():
    filters, question = parse_inline("FROM:2024 To:2024-02 Source:'Quill Evening Lantern' eels")
    assert filters.since == dt.date(2024, 1, 1)
    assert filters.until == dt.date(2024, 2, 29)  # a leap year's February, inclusive
    assert filters.sources == ("Quill Evening Lantern",)
    assert question == "eels"


def test_punctuation_after_a_bare_value_is_not_part_of_it():
    assert parse_inline("source:Lantern, what happened?") == (
        Filters(sources=("Lantern",)),
        "what happened?",
    )


def test_a_quoted_value_glued_to_the_question_is_question_text():
    filters, question = parse_inline('source:"Lantern"what happened?')
    assert not filters
    assert question == 'source:"Lantern"what happened?'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("since:2024-13-01 eels", "YYYY-MM-DD"),
        ("until:yesterday eels", "YYYY-MM-DD"),
        ('source:"" eels', "source: needs a value"),
        ("since:2024-06 until:2024-01 eels", "is after until"),
    ],
)
def test_malformed_filters_say_what_is_valid(text: str, expected: str):
    with pytest.raises(FilterError, match=expected):
        parse_inline(text)


def test_partial_dates_cover_whole_periods():
    assert parse_date("2023") == dt.date(2023, 1, 1)
    assert parse_date("2023", end=True) == dt.date(2023, 12, 31)
    assert parse_date("2023-04", end=True) == dt.date(2023, 4, 30)
    assert make_filters(None, "", [" ", ""]) == Filters()


# --------------------------------------------------------------------------- corpus


def test_sources_resolve_to_the_corpus_spelling(news: AnswerService):
    corpus = news.answerer.corpus
    typed = make_filters(sources=["the vell courier", "Daily Gazette of Nowhere", "lantern"])
    assert resolve(typed, corpus).sources == (
        "The Vell Courier",
        "The Daily Gazette of Nowhere",
        "Quill Evening Lantern",
    )


def test_an_unknown_source_lists_the_known_ones(news: AnswerService):
    with pytest.raises(FilterError) as info:
        allowed_mask(make_filters(sources=["Vell Couriers"]), news.answerer.corpus)
    message = str(info.value)
    assert "unknown source 'Vell Couriers'" in message
    assert "Did you mean 'The Vell Courier'?" in message
    for outlet in OUTLETS:
        assert outlet in message


def test_an_ambiguous_part_of_a_name_is_unknown(news: AnswerService):
    with pytest.raises(FilterError, match="Known sources"):
        resolve(make_filters(sources=["the"]), news.answerer.corpus)


def test_autocomplete_prefers_prefixes(news: AnswerService):
    corpus = news.answerer.corpus
    assert matching_sources(corpus, "") == list(OUTLETS)
    assert matching_sources(corpus, "q") == ["Quill Evening Lantern"]
    assert matching_sources(corpus, "the d") == ["The Daily Gazette of Nowhere"]


def test_mask_selects_passages_of_matching_articles_only(news: AnswerService):
    corpus = news.answerer.corpus
    mask = allowed_mask(make_filters("2024-03-15", "2024-03-16"), corpus)
    assert mask is not None and mask.dtype == bool and mask.shape == (len(corpus.passages),)
    chosen = {p.article.id for p, ok in zip(corpus.passages, mask, strict=True) if ok}
    assert chosen == {"gazette-lamplighters", "courier-lamplighters", "lantern-lamplighters"}
    assert allowed_mask(Filters(), corpus) is None


def test_filters_nothing_passes_gives_the_corpus_date_range(news: AnswerService):
    with pytest.raises(FilterError, match="run from 5 Nov 2023 to 1 Jun 2024"):
        allowed_mask(make_filters(since="2025-01-01"), news.answerer.corpus)


def test_undated_articles_are_left_out_by_date_filters(write_corpus):
    from bot.corpus.loader import load_corpus

    settings = write_corpus(
        {
            "dated.md": "---\ndate: 2024-01-01\nsource: A\n---\nEels.\n",
            "undated.md": "---\nsource: A\n---\nMore eels.\n",
        }
    )
    corpus = load_corpus(settings.corpus)
    mask = allowed_mask(make_filters(since="2000"), corpus)
    assert [p.article.id for p, ok in zip(corpus.passages, mask, strict=True) if ok] == ["dated"]
    assert allowed_mask(make_filters(sources=["a"]), corpus).all()


# --------------------------------------------------------------------------- answers


def test_source_filter_changes_what_comes_back(news: AnswerService):
    unfiltered = news.answer(WIRE_QUESTION)
    assert unfiltered.passages[0].article.source == "The Daily Gazette of Nowhere"
    lantern = news.answer(WIRE_QUESTION, filters=make_filters(sources=["Lantern"]))
    assert lantern.answered
    assert {p.article.source for p in lantern.passages} == {"Quill Evening Lantern"}


def test_date_filter_changes_what_comes_back(news: AnswerService):
    question = "What happened to the patrol rafts in the Grey Lagoon?"
    early = news.answer(question, filters=make_filters(until="2024-02"))
    late = news.answer(question, filters=make_filters(since="2024-04"))
    assert early.answered and late.answered
    assert all(p.article.date <= dt.date(2024, 2, 29) for p in early.passages)
    assert all(p.article.date >= dt.date(2024, 4, 1) for p in late.passages)


def test_filters_keep_scores_and_idf_corpus_wide(news: AnswerService):
    """A passage scores the same with and without a filter: statistics are not recomputed."""
    unfiltered = {p.passage.id: p.score for p in news.answer(WIRE_QUESTION, top_k=10).passages}
    filtered = news.answer(WIRE_QUESTION, top_k=10, filters=make_filters(sources=["Courier"]))
    assert filtered.passages
    for item in filtered.passages:
        if item.passage.id in unfiltered:
            assert item.score == pytest.approx(unfiltered[item.passage.id])


def test_filters_never_make_a_weak_passage_an_answer(news: AnswerService):
    """Narrowing to articles that do not cover the question refuses, rather than quoting the
    best of what is left."""
    only_festival = make_filters(since="2023-11-01", until="2023-11-30")
    answer = news.answer(WIRE_QUESTION, filters=only_festival)
    assert not answer.answered
    assert not news.answer("What is the capital of France?", filters=only_festival).answered


def test_mask_over_the_engine_matches_engine_level_filtering(news: AnswerService):
    corpus = news.answerer.corpus
    mask = allowed_mask(make_filters(sources=["gazette"]), corpus)
    via_service = news.answer(WIRE_QUESTION, filters=make_filters(sources=["gazette"]))
    via_mask = news.answerer.answer(WIRE_QUESTION, allowed=np.asarray(mask))
    assert [p.passage.id for p in via_service.passages] == [p.passage.id for p in via_mask.passages]


# --------------------------------------------------------------------------- front ends


def _run(*argv: str, cache: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(
        ["--set", f"corpus.path={NEWS}", "--set", f"cache_dir={cache}", *argv], stdout=out
    )
    return code, out.getvalue()


def test_ask_flags_filter_the_json_answer(tmp_path: Path):
    code, out = _run("ask", "--json", "--source", "lantern", WIRE_QUESTION, cache=tmp_path)
    assert code == 0
    data = json.loads(out)
    assert {p["article"]["source"] for p in data["passages"]} == {"Quill Evening Lantern"}


def test_ask_with_an_unknown_source_fails_with_the_list(tmp_path: Path, capsys):
    code, _ = _run("ask", "--source", "Murmur Wire", "eels", cache=tmp_path)
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("talks-bot: error: unknown source 'Murmur Wire'")
    assert "The Vell Courier" in err


def test_ask_with_a_bad_date_fails_with_the_format(tmp_path: Path, capsys):
    code, _ = _run("ask", "--since", "March", "eels", cache=tmp_path)
    assert code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_console_inline_filters(news: AnswerService):
    out = io.StringIO()
    lines = f"source:lantern {WIRE_QUESTION}\nsource:Atlantis eels\n"
    Console(news, stdin=io.StringIO(lines), stdout=out, interactive=False).run()
    text = out.getvalue()
    assert f"Q: {WIRE_QUESTION}" in text
    assert "Quill Evening Lantern" in text and "The Daily Gazette of Nowhere ·" not in text
    assert "unknown source 'Atlantis'" in text


def test_eval_takes_the_filter_flags(tmp_path: Path, capsys):
    questions = str(Path(__file__).parent / "questions.yaml")
    out = io.StringIO()
    code = cli.main(
        ["--set", f"cache_dir={tmp_path}", "eval", questions, "--since", "2018"], stdout=out
    )
    assert code == 0
    assert "; only articles since 1 Jan 2018)" in out.getvalue()
    code = cli.main(["--set", f"cache_dir={tmp_path}", "eval", questions, "--until", "2017"])
    assert code == 2
    assert "No article matches the filters (until 31 Dec 2017)" in capsys.readouterr().err
