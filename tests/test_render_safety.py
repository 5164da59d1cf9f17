"""Renderers for terminals and JSON never emit a control character, whatever an article holds.

The loader strips controls when it reads a file; these tests build articles *around* it, with
escape sequences and C0/C1 characters in every field, and check each renderer on its own
(defence in depth). They also check the excerpt and wrapping helpers the text renderer uses.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.answer.answerer import Answer, AnsweredPassage, Reason
from bot.answer.context import Context
from bot.answer.timeline import Timeline, TimelineEntry
from bot.corpus.model import Article, Passage
from bot.render.excerpt import shorten, window
from bot.render.json import answer_to_json, sources_to_json_lines, timeline_to_json
from bot.render.printable import one_line
from bot.render.text import (
    BOLD_YELLOW,
    DIM,
    RESET,
    render_answer,
    render_context,
    render_feedback,
    render_sources,
    render_timeline,
    wrap,
)
from bot.service.feedback import FeedbackSummary, QuestionSummary

#: What a terminal may act on: C0 but tab and line feed, DEL, C1; and the bidirectional
#: controls, which reorder what it shows.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ESCAPES = [
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x1b]8;;http://evil.example\x1b\\",
    "\x9b31m",
    "\x9d0;title\x9c",
    "\x1bP+q\x1b\\",
    "\r",
    "\x00",
    "\x08",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\u2067",
]
any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
hostile = st.lists(
    st.one_of(any_text, st.sampled_from(ESCAPES)),
    min_size=1,
    max_size=8,
).map("".join)
dates = st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))


@st.composite
def articles(draw: st.DrawFn) -> Article:
    return Article(
        id=draw(hostile),
        title=draw(hostile),
        source=draw(st.one_of(st.none(), hostile)),
        date=draw(dates),
        url=draw(st.one_of(st.none(), hostile)),
    )


@st.composite
def passages(draw: st.DrawFn) -> tuple[Passage, tuple[tuple[int, int], ...]]:
    text = draw(hostile)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=4, unique=True)))
    spans = tuple((a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b)
    passage = Passage(draw(articles()), draw(st.integers(1, 99)), text, draw(hostile))
    return passage, spans


def assert_clean_text(out: str) -> None:
    plain = out.replace(BOLD_YELLOW, "").replace(DIM, "").replace(RESET, "")
    assert CONTROL.search(plain) is None, repr(plain)


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def assert_clean_json(line: str) -> None:
    assert line.splitlines() == [line]  # one JSON Lines record, whoever splits the lines
    assert CONTROL.search(line) is None  # nothing raw in the JSON text
    for text in strings(json.loads(line)):
        assert CONTROL.search(text) is None, repr(text)  # nor in what a consumer decodes


@given(hostile, st.lists(passages(), max_size=3), st.lists(passages(), max_size=2))
@hsettings(max_examples=200, deadline=None)
def test_an_answer_never_carries_a_control_character(question, chosen, copies):
    items = tuple(
        AnsweredPassage(n, 1.0, p, spans, copies=tuple(c for c, _ in copies))
        for n, (p, spans) in enumerate(chosen, 1)
    )
    answer = Answer(question, Reason.ANSWERED if items else Reason.NOTHING_SELECTED, items)
    for color in (False, True):
        for width in (None, 30):
            assert_clean_text(render_answer(answer, color=color, width=width))
    line = answer_to_json(answer)
    assert_clean_json(line)
    for item, passage in zip(json.loads(line)["passages"], items, strict=True):
        assert len(item["text"]) == len(passage.passage.text)  # highlights still point right


@given(hostile, st.lists(passages(), max_size=3), st.lists(articles(), max_size=3))
@hsettings(max_examples=100, deadline=None)
def test_timelines_sources_and_context_never_carry_a_control_character(topic, found, listed):
    entries = tuple(TimelineEntry(p.article.date, p, 1.0, (p,), spans) for p, spans in found)
    timeline = Timeline(topic, entries, Reason.ANSWERED if entries else Reason.NOT_IN_CORPUS)
    assert_clean_text(render_timeline(timeline))
    assert_clean_json(timeline_to_json(timeline))
    assert_clean_text(render_sources(listed))
    for line in sources_to_json_lines(listed).splitlines():
        assert_clean_json(line)
    if found:
        shown = tuple(p for p, _ in found)
        context = Context(shown[0].article, shown, shown[0].paragraph, len(shown))
        assert_clean_text(render_context(context))
        assert_clean_text(render_context(context, width=25))


@given(hostile, st.lists(hostile, max_size=3))
@hsettings(max_examples=100, deadline=None)
def test_the_feedback_summary_never_carries_a_control_character(question, warnings):
    worst = (QuestionSummary(question, up=1, down=3, passages=(question,)),)
    assert_clean_text(render_feedback(FeedbackSummary(4, 1, 3, worst, tuple(warnings))))


def test_a_giant_passage_is_shown_as_a_window_around_its_highlight():
    """A 2 MB paragraph whose one "sentence" is all of it: the answer shows a bounded window,
    and the highlight stops where the window does."""
    text = ("word " * 400_000) + "Zorblax signed the teapot accord."
    passage = Passage(Article("giant", "Giant"), 1, text)
    answer = Answer("q", Reason.ANSWERED, (AnsweredPassage(1, 1.0, passage, ((0, len(text)),)),))
    out = render_answer(answer, color=True)
    assert len(out) < 2_500
    assert out.count(BOLD_YELLOW) == 1 and out.count("…") >= 1
    late = Answer(
        "q", Reason.ANSWERED, (AnsweredPassage(1, 1.0, passage, ((2_000_000, len(text)),)),)
    )
    shown = render_answer(late)
    assert "Zorblax signed the teapot accord." in shown and len(shown) < 2_500


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=600)


@given(texts, st.lists(st.integers(0, 600), max_size=6), st.integers(10, 300))
@hsettings(max_examples=300, deadline=None)
def test_window_is_bounded_and_keeps_the_highlighted_text(text, cuts, limit):
    cuts = sorted({min(c, len(text)) for c in cuts})
    spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b]
    shown, shown_spans = window(text, spans, limit)
    assert len(shown) <= limit
    for start, end in shown_spans:
        assert 0 <= start < end <= len(shown)
        assert any(shown[start:end] in text[s:e] for s, e in spans)
    if len(text) <= limit:
        assert shown == text


@given(texts, st.integers(1, 200))
@hsettings(max_examples=300, deadline=None)
def test_shorten_is_bounded_and_a_prefix(text, limit):
    short = shorten(text, limit)
    flat = one_line(text)
    assert len(short) <= limit
    assert short == flat or (short.endswith("…") and flat.startswith(short[:-1].rstrip(" ,;:")))


@given(texts, st.integers(1, 80), st.lists(st.integers(0, 600), max_size=4))
@hsettings(max_examples=300, deadline=None)
def test_wrap_keeps_every_character_and_the_width(text, width, cuts):
    cuts = sorted({min(c, len(text)) for c in cuts})
    spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b]
    plain = wrap(text, width, spans)
    assert all(len(line) <= width for line in plain)
    assert "".join("".join(plain).split()) == "".join(text.split())
    coloured = wrap(text, width, spans, color=True)
    assert [line.replace(BOLD_YELLOW, "").replace(RESET, "") for line in coloured] == plain
