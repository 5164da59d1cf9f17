"""Syndicated-copy collapse (bot.corpus.copies) and how answers show copies (text, JSON, check)."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from bot.answer.filters import make_filters
from bot.cli import main as cli
from bot.config.settings import CollapseSettings
from bot.corpus.copies import EXACT_BELOW, find_copies
from bot.corpus.model import Article, Passage
from bot.render.json import answer_to_dict
from bot.render.text import render_answer
from bot.service.answer_service import AnswerService
from tests.newsdata import NEWS, OUTLETS, WIRE_ARTICLES, WIRE_QUESTION, news_settings


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> AnswerService:
    return AnswerService(news_settings(tmp_path_factory.mktemp("cache")))


def _ids(service: AnswerService, group: tuple[int, ...]) -> set[str]:
    return {service.answerer.corpus.passages[i].id for i in group}


def test_the_wire_story_in_three_outlets_is_one_group_per_paragraph(news: AnswerService):
    copies = news.answerer.copies
    groups = sorted(sorted(_ids(news, g)) for g in copies.groups)
    assert groups == [
        ["courier-lamplighters#1", "gazette-lamplighters#1", "lantern-lamplighters#1"],
        # the Lantern edited two words of this paragraph: a near copy, still grouped
        ["courier-lamplighters#2", "gazette-lamplighters#2", "lantern-lamplighters#2"],
    ]
    assert copies.duplicates == 4


def test_the_answer_shows_the_story_once_citing_all_three_outlets(news: AnswerService):
    answer = news.answer(WIRE_QUESTION, top_k=10)
    wire = [
        p for p in answer.passages if p.article.id in WIRE_ARTICLES and p.passage.paragraph == 1
    ]
    assert len(wire) == 1, "one passage for the three copies"
    (item,) = wire
    outlets = {item.article.source, *(c.article.source for c in item.copies)}
    assert outlets == set(OUTLETS)
    assert [c.article.date for c in item.copies] == sorted(c.article.date for c in item.copies)


def test_outlet_specific_paragraphs_are_not_collapsed(news: AnswerService):
    copies = news.answerer.copies
    corpus = news.answerer.corpus
    for i, passage in enumerate(corpus.passages):
        if passage.article.id in WIRE_ARTICLES and passage.paragraph == 3:
            assert copies.copies_of(i) == ()


def test_copies_are_in_the_json_and_the_old_keys_stay(news: AnswerService):
    data = answer_to_dict(news.answer(WIRE_QUESTION))
    first = data["passages"][0]
    assert {"rank", "score", "text", "highlights", "paragraph", "section", "article"} <= set(first)
    assert sorted(c["article"]["source"] for c in first["copies"]) == [
        "Quill Evening Lantern",
        "The Vell Courier",
    ]
    for passage in data["passages"]:
        assert all(set(c) == {"paragraph", "article"} for c in passage["copies"])
        if passage["article"]["id"] not in WIRE_ARTICLES:
            assert passage["copies"] == []  # only the wire story was syndicated


def test_copies_are_cited_in_the_text_rendering(news: AnswerService):
    text = render_answer(news.answer(WIRE_QUESTION))
    assert "also in Neutral inspectors head for the Grey Lagoon — The Vell Courier" in text
    assert "also in Guild inspectors to watch the lagoon — Quill Evening Lantern" in text


def test_filters_limit_the_copies_cited(news: AnswerService):
    answer = news.answer(WIRE_QUESTION, filters=make_filters(sources=["Courier", "Lantern"]))
    wire = [p for p in answer.passages if p.article.id in WIRE_ARTICLES]
    (item,) = [p for p in wire if p.passage.paragraph == 1]
    cited = {item.article.source, *(c.article.source for c in item.copies)}
    assert cited == {"The Vell Courier", "Quill Evening Lantern"}


def test_collapse_off_keeps_exact_text_deduplication(tmp_path: Path):
    service = AnswerService(news_settings(tmp_path, "collapse.enabled=false"))
    assert service.answerer.copies.groups == ()
    answer = service.answer(WIRE_QUESTION, top_k=10)
    firsts = [
        p for p in answer.passages if p.article.id in WIRE_ARTICLES and p.passage.paragraph == 1
    ]
    assert len(firsts) == 1  # identical text was never shown twice
    assert all(p.copies == () for p in answer.passages)


def test_check_reports_duplicates(tmp_path: Path):
    out = io.StringIO()
    code = cli.main(
        ["--set", f"corpus.path={NEWS}", "--set", f"cache_dir={tmp_path}", "check"], stdout=out
    )
    assert code == 0
    assert (
        "duplicates: 4 passages are syndicated copies, in 2 groups (collapse on)" in out.getvalue()
    )


# --------------------------------------------------------------------------- the method


def _passages(texts: list[str]) -> list[Passage]:
    return [Passage(Article(id=f"a{i}", title=f"T{i}"), 1, t) for i, t in enumerate(texts)]


def test_exact_copies_ignore_case_punctuation_and_spacing():
    texts = ["Reuters contributed.", "REUTERS  contributed", "Reuters did not contribute."]
    groups = find_copies(_passages(texts), CollapseSettings()).groups
    assert groups == ((0, 1),)


def test_short_passages_only_collapse_when_equal():
    texts = ["The envoy left early.", "The envoy left late."]  # 75% of words shared, but short
    assert find_copies(_passages(texts), CollapseSettings()).groups == ()


def _random_paragraph(rng: random.Random, vocabulary: list[str]) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(40)) + "."


def test_minhash_lsh_finds_near_copies_in_a_larger_corpus():
    """Above EXACT_BELOW texts detection switches to MinHash LSH; a lightly edited copy is
    still found and unrelated paragraphs are not grouped."""
    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(3000)]
    texts = [_random_paragraph(rng, vocabulary) for _ in range(EXACT_BELOW + 100)]
    words = texts[10].rstrip(".").split()
    words[20] = "zorblax"  # one word changed in forty
    texts.append(" ".join(words) + ".")
    texts.append(texts[42])  # and one verbatim copy
    copies = find_copies(_passages(texts), CollapseSettings())
    assert set(copies.groups) == {(10, len(texts) - 2), (42, len(texts) - 1)}


def test_threshold_controls_how_different_a_copy_may_be():
    base = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    edited = base.replace("seven", "SEVENTY").replace("twelve", "TWELVES")
    strict = find_copies(_passages([base, edited]), CollapseSettings(threshold=0.9))
    loose = find_copies(_passages([base, edited]), CollapseSettings(threshold=0.3))
    assert strict.groups == ()
    assert loose.groups == ((0, 1),)


@pytest.mark.parametrize("threshold", [0.4, 0.5, 0.6, 0.7, 0.8])
def test_lsh_bands_put_the_s_curve_at_the_threshold(threshold):
    """Pairs well above the threshold are almost always proposed, pairs well below rarely."""
    from bot.corpus.copies import lsh_bands

    bands, rows = lsh_bands(threshold, 128)
    assert bands * rows <= 128

    def proposed(s: float) -> float:
        return 1 - (1 - s**rows) ** bands

    assert proposed(threshold + 0.15) > 0.9
    assert proposed(threshold - 0.2) < 0.25


def test_minhash_signatures_estimate_jaccard_similarity():
    from bot.corpus.copies import minhash_signatures

    words = [f"w{i}".encode() for i in range(200)]
    a, b = words[:150], words[50:]  # Jaccard 100 / 200 = 0.5
    sig = minhash_signatures([a, b, a], 256)
    assert (sig[0] == sig[2]).all()  # deterministic
    assert abs((sig[0] == sig[1]).mean() - 0.5) < 0.1
