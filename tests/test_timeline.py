"""Timeline (bot.answer.timeline) and more context (bot.answer.context), through the core, CLI
and console."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from bot.answer.answerer import Reason
from bot.answer.context import ContextError, context_around
from bot.answer.filters import make_filters
from bot.answer.timeline import MAX_ENTRIES, build_timeline
from bot.cli import main as cli
from bot.frontends.console.console import Console
from bot.service.answer_service import AnswerService
from tests.newsdata import NEWS, OUTLETS, WIRE_ARTICLES, WIRE_QUESTION, news_settings

TOPIC = "patrol rafts in the Grey Lagoon"


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> AnswerService:
    return AnswerService(news_settings(tmp_path_factory.mktemp("cache")))


def test_timeline_is_ordered_by_article_date(news: AnswerService):
    timeline = build_timeline(news.answerer, TOPIC)
    dates = [e.date for e in timeline.entries]
    assert len(dates) >= 5
    assert dates == sorted(dates)
    assert dates[0] == dt.date(2024, 1, 10) and dates[-1] == dt.date(2024, 5, 20)


def test_timeline_uses_the_answer_rule(news: AnswerService):
    """Same retrieval and "no answer" rule as answers: every entry is one an answer could quote,
    and an off-topic question gives an empty timeline with the no-answer message."""
    timeline = build_timeline(news.answerer, TOPIC, limit=MAX_ENTRIES)
    answer = news.answerer.answer(TOPIC, top_k=MAX_ENTRIES, limit=MAX_ENTRIES, every=True)
    assert {e.passage.id for e in timeline.entries} <= {
        p.id for item in answer.passages for p in (item.passage, *item.copies)
    }
    empty = build_timeline(news.answerer, "What is the capital of France?")
    assert not empty.found and empty.reason is Reason.NOT_IN_CORPUS


def test_timeline_lists_a_syndicated_story_once_at_its_first_date(news: AnswerService):
    timeline = build_timeline(news.answerer, WIRE_QUESTION, limit=MAX_ENTRIES)
    wire = [e for e in timeline.entries if e.passage.article.id in WIRE_ARTICLES]
    firsts = [e for e in wire if e.passage.paragraph == 1]
    assert len(firsts) == 1
    (entry,) = firsts
    assert entry.date == dt.date(2024, 3, 15)  # the Lantern ran it a day later
    assert {entry.passage.article.source, *(c.article.source for c in entry.copies)} == set(OUTLETS)


def test_timeline_filters(news: AnswerService):
    timeline = build_timeline(news.answerer, TOPIC, make_filters(since="2024-03"))
    assert timeline.entries
    assert all(e.date >= dt.date(2024, 3, 1) for e in timeline.entries)


def test_timeline_lists_every_paragraph_whose_own_text_is_about_the_topic(news: AnswerService):
    """More than an answer quotes, and only paragraphs that say "lagoon" themselves: many
    more carry it in their article's title, which does not make them about it."""
    corpus = news.answerer.corpus
    own = {p.id for p in corpus.passages if "lagoon" in p.text.casefold()}
    titled = {p.id for p in corpus.passages if "lagoon" in p.article.title.casefold()}
    assert len(titled - own) >= 3 and len(own) > news.answerer.settings.answer.top_k
    timeline = build_timeline(news.answerer, "lagoon", limit=MAX_ENTRIES)
    listed = {p.id for e in timeline.entries for p in (e.passage, *e.copies)}
    assert {e.passage.id for e in timeline.entries} <= own
    assert own <= listed


def _run(*argv: str, cache: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(
        ["--set", f"corpus.path={NEWS}", "--set", f"cache_dir={cache}", *argv], stdout=out
    )
    return code, out.getvalue()


def test_timeline_command_prints_one_dated_cited_line_each(tmp_path: Path):
    code, out = _run("timeline", TOPIC, cache=tmp_path)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) >= 5
    for line in lines:
        assert re.match(r"\d{4}-\d{2}-\d{2}  “.+” — .+ · \d{1,2} \w{3} \d{4} · ¶\d+", line), line
    assert [line[:10] for line in lines] == sorted(line[:10] for line in lines)


def test_timeline_command_json(tmp_path: Path):
    code, out = _run("timeline", "--json", "--source", "courier", TOPIC, cache=tmp_path)
    assert code == 0
    data = json.loads(out)
    assert data["found"] is True and data["topic"] == TOPIC
    assert {e["article"]["source"] for e in data["entries"]} == {"The Vell Courier"}
    assert [e["date"] for e in data["entries"]] == sorted(e["date"] for e in data["entries"])


def test_timeline_command_limit_bounds_the_entries(tmp_path: Path):
    """``--limit N`` lists at most N entries; the topic has more than the small limits."""

    def entries(*limit: str) -> list[dict[str, object]]:
        code, out = _run("timeline", "--json", *limit, TOPIC, cache=tmp_path)
        assert code == 0
        return json.loads(out)["entries"]

    every = entries("--limit", str(MAX_ENTRIES))
    assert len(every) >= 5
    assert len(entries()) == min(len(every), 20)  # the documented default
    for limit in (1, 2, 4):
        listed = entries("--limit", str(limit))
        assert len(listed) == limit
        assert [e["date"] for e in listed] == sorted(e["date"] for e in listed)  # oldest first
    code, out = _run("timeline", "--limit", "2", TOPIC, cache=tmp_path)  # the text output too
    assert code == 0 and len(out.splitlines()) == 2


def test_timeline_command_rejects_a_bad_limit(tmp_path: Path, capsys):
    code, _ = _run("timeline", "--limit", "0", TOPIC, cache=tmp_path)
    assert code == 2
    assert "--limit" in capsys.readouterr().err


# --------------------------------------------------------------------------- more context


def test_context_around_a_paragraph(news: AnswerService):
    context = context_around(news.answerer.corpus, "zorblax-gazette", 3)
    assert [p.paragraph for p in context.passages] == [2, 3, 4]
    assert context.focus == 3 and context.total == 4
    edge = context_around(news.answerer.corpus, "zorblax-gazette", 1, radius=2)
    assert [p.paragraph for p in edge.passages] == [1, 2, 3]


@pytest.mark.parametrize(
    ("article", "paragraph", "message"),
    [("gone-article", 1, "no longer in the corpus"), ("zorblax-gazette", 9, "paragraphs 1 to 4")],
)
def test_context_for_a_missing_passage_explains(news, article, paragraph, message):
    with pytest.raises(ContextError, match=message):
        context_around(news.answerer.corpus, article, paragraph)


def test_console_more_and_timeline(news: AnswerService):
    out = io.StringIO()
    lines = ":more 1\nWhat did Chancellor Brimble call the signing?\n:more 1\n:more 7\n"
    lines += f":timeline until:2024-02 {TOPIC}\n"
    Console(news, stdin=io.StringIO(lines), stdout=out, interactive=False).run()
    text = out.getvalue()
    assert "Ask a question first" in text
    assert "(paragraphs 2–4 of 4)" in text
    assert '» ¶3 Chancellor Brimble of Upper Vell called the signing "a morning' in text
    assert "Passage number must be 1 to" in text
    assert "2024-01-10  “" in text and "2024-03-14" not in text.split(":timeline")[-1]


def test_context_around_a_cut_paragraph_counts_passages_not_paragraph_numbers(write_corpus):
    """A huge paragraph cut into many parts (corpus.max_passage_chars) all citing ¶2 still gives
    a window of 2 * radius + 1 passages, not every part."""
    long = " ".join(f"The zebra-striped kettle number {i} whistled at dawn." for i in range(400))
    settings = write_corpus({"kettles.md": f"Opening line.\n\n{long}\n\nClosing line.\n"})
    corpus = AnswerService(settings).answerer.corpus
    parts = [p for p in corpus.passages if p.paragraph == 2]
    assert len(parts) > 10  # the paragraph really was cut
    context = context_around(corpus, "kettles", 2, radius=1)
    # ¶1, then the first part of ¶2 (the focus), then its second part
    assert [(p.paragraph, p.part) for p in context.passages] == [(1, 0), (2, 1), (2, 2)]
    middle = context_around(corpus, "kettles", 2, radius=1, part=5)
    assert [p.part for p in middle.passages] == [4, 5, 6]
    assert context.total == 3


def test_a_timeline_whose_filters_select_nothing_is_an_empty_answer(tmp_path: Path):
    code, out = _run("timeline", "--json", "--since", "2030", TOPIC, cache=tmp_path)
    assert code == 0
    data = json.loads(out)
    assert data["found"] is False and data["entries"] == []
    assert data["reason"] == "nothing_selected" and "2030" in data["message"]
    code, out = _run("timeline", "--since", "2030", TOPIC, cache=tmp_path)
    assert code == 0 and "2030" in out
