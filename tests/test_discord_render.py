"""The Discord renderer: Discord's limits hold for any question and any corpus (hypothesis),
Markdown is never cut open, and user text can neither format nor ping."""

from __future__ import annotations

import datetime as dt
import re

from fakediscord import limits
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.analysis.sentences import sentence_spans
from bot.answer.answerer import Answer, AnsweredPassage, Reason
from bot.corpus.model import Article, Passage
from bot.render.discord import pages
from bot.render.discord import replies as render
from bot.render.discord.markdown import ELLIPSIS, Run, fit
from tests.discord_harness import unescaped

# Text with everything Discord could misread: Markdown, mentions, newlines, control characters.
HOSTILE = st.sampled_from(
    ["*", "**", "_", "__", "~~", "`", "```", "|", "||", "[", "]", "(", ")", "<", ">", "#", "-",
     "\\", "@everyone", "@here", "<@123456789012345678>", "<@&1>", "<#2>", "\n", "\t", "\x00",
     "\u202e", "\u200b", ". ", "! ", "? ", " ", "1. ", "https://example.com/a_b*c"]
)  # fmt: skip
TEXT = st.lists(st.one_of(st.text(min_size=1, max_size=40), HOSTILE), max_size=60).map("".join)
LONG_TEXT = st.one_of(
    TEXT,
    st.builds(lambda w, n: (w + " ") * n, st.text(min_size=1, max_size=12), st.integers(1, 900)),
)
URLS = st.one_of(
    st.none(),
    st.just("https://example.com/article?id=1&x=(y)"),
    st.builds(lambda p: "https://example.com/" + p, st.text(max_size=3000)),
    st.text(max_size=50),
)


@st.composite
def articles(draw: st.DrawFn) -> Article:
    return Article(
        id=draw(st.text(min_size=1, max_size=20)),
        title=draw(st.one_of(TEXT, st.text(max_size=600))) or "untitled",
        source=draw(st.one_of(st.none(), TEXT)),
        date=draw(st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))),
        url=draw(URLS),
    )


@st.composite
def answered_passages(draw: st.DrawFn, rank: int, pool: list[Article]) -> AnsweredPassage:
    text = draw(LONG_TEXT) or "x"
    spans = sentence_spans(text[:2000])
    highlights: tuple[tuple[int, int], ...] = ()
    if spans and draw(st.booleans()):
        highlights = (draw(st.sampled_from(spans)),)
    elif draw(st.booleans()):
        a, b = sorted(draw(st.tuples(st.integers(0, len(text)), st.integers(0, len(text)))))
        highlights = ((a, b),) if a < b else ()
    article = draw(st.sampled_from(pool))
    passage = Passage(article, draw(st.integers(1, 500)), text, draw(st.one_of(st.none(), TEXT)))
    copies = tuple(
        Passage(other, 1, text) for other in draw(st.lists(st.sampled_from(pool), max_size=3))
    )
    return AnsweredPassage(rank, 1.0, passage, highlights, copies)


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    question = draw(st.one_of(TEXT, st.text(max_size=400)))
    asked = draw(st.one_of(st.none(), st.integers(0, 10**7)))
    if draw(st.integers(0, 5)) == 0:
        reason = draw(st.sampled_from([r for r in Reason if r is not Reason.ANSWERED]))
        detail = draw(st.one_of(st.none(), TEXT, st.text(max_size=2000)))
        return Answer(question, reason, asked_chars=asked, detail=detail)
    pool = draw(st.lists(articles(), min_size=1, max_size=4))
    count = draw(st.integers(1, 10))
    passages = tuple(draw(answered_passages(rank, pool)) for rank in range(1, count + 1))
    return Answer(question, Reason.ANSWERED, passages=passages, asked_chars=asked)


def message_errors(reply: render.Reply) -> dict:
    payload = {"embeds": [reply.embed.to_dict()], "allowed_mentions": {"parse": []}}
    view = reply.view()
    if view is not None:
        payload["components"] = view.to_components()
    assert not limits.is_empty_message(payload)
    return limits.check_message(payload)


def check_markdown(text: str) -> None:
    """Bold markers balanced; no live mention; no unescaped inline Markdown besides bold."""
    assert len(unescaped(text, "**")) % 2 == 0, text
    assert "@everyone" not in text and "@here" not in text
    assert not unescaped(text, "<@") and not unescaped(text, "<#")
    stars = unescaped(text, "*")
    assert len(stars) == 2 * len(unescaped(text, "**")), text  # every * is part of a ** marker
    for token in ("_", "~", "`", "|"):
        assert not unescaped(text, token), (token, text)


#: A whole ``[text](url)`` link as the renderer writes it (its text escaped, its url safe).
_LINK = re.compile(r"\[((?:\\.|[^\]\\\n])*)\]\(https?://[^()\s]*\)")
#: The Markdown the renderer writes itself: a quote or a footer line's start, the sources
#: command, the copies' italics (``*also*`` once cut_markdown closed a cut inside them).
_OUR_MARKUP = re.compile(r"^> |^-# |`/sources`|\*also(?: in)?\*", re.MULTILINE)
_LINE_START_MARKUP = re.compile(r"[#>+-]|\d+\.\s")


def check_rendered(markdown: str) -> None:
    """A description, field value or plain-text fallback: besides the renderer's own markup
    (quotes, links, bold, ``/sources``, *also in*), nothing from the text formats or pings."""
    assert "@everyone" not in markdown and "@here" not in markdown, markdown
    without_links = ""
    pos = 0
    while pos < len(markdown):  # links and escapes, scanned left to right as Discord does
        if markdown[pos] == "\\":
            without_links += markdown[pos : pos + 2]
            pos += 2
            continue
        found = _LINK.match(markdown, pos)
        if found:
            without_links += found[1]
            pos = found.end()
            continue
        without_links += markdown[pos]
        pos += 1
    text = _OUR_MARKUP.sub("", without_links)
    check_markdown(text)
    assert not unescaped(text, "["), markdown  # no link but ours, none cut open
    for line in text.split("\n"):
        assert not _LINE_START_MARKUP.match(line), (line, markdown)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers())
@example(Answer("q", Reason.NOTHING_SELECTED, detail="from @everyone Daily, since 1 Jan 2030"))
@example(Answer("q", Reason.NOTHING_SELECTED, detail="x " * 600 + "@here [a](https://b.c) *"))
def test_every_answer_fits_discord_limits(answer: Answer) -> None:
    reply = render.render_answer(answer)
    assert message_errors(reply) == {}
    embed = reply.embed.to_dict()
    check_markdown(embed["title"])
    assert embed["title"].strip()
    for field in embed.get("fields", []):
        check_markdown(field["name"])
        check_rendered(field["value"])
    check_rendered(embed.get("description", ""))
    text = reply.text()
    assert len(text) <= 2000
    check_rendered(text)


@settings(max_examples=200, deadline=None)
@given(TEXT | LONG_TEXT, st.integers(0, 5000))
def test_fit_never_exceeds_the_limit_nor_cuts_markup(text: str, limit: int) -> None:
    out = fit(text, limit)
    assert len(out) <= limit
    if limit >= 3:
        check_markdown(out)
        body = out.removesuffix(" " + ELLIPSIS).removesuffix(ELLIPSIS)
        plain = re.sub(r"\\(.)", r"\1", body).replace("@\u200b", "@")
        visible = re.sub(r"[\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]", "", text)
        normal = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", visible).split())
        assert normal.startswith(plain)  # what is shown is the text's beginning, unaltered


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT, TEXT, st.integers(10, 600))
def test_bold_is_closed_wherever_the_cut_falls(before: str, bold: str, after: str, limit: int):
    out = fit([Run(before), Run(bold, bold=True), Run(after)], limit)
    assert len(out) <= limit
    assert len(unescaped(out, "**")) % 2 == 0
    for start in unescaped(out, "**")[::2]:  # an opening marker is followed by text, not space
        assert not out[start + 2 : start + 3].isspace()


@settings(max_examples=60, deadline=None)
@given(st.lists(articles(), max_size=60), st.integers(1, 25), st.integers(1, 5))
def test_sources_and_help_fit_discord_limits(pool: list[Article], per_page: int, page: int):
    assert message_errors(pages.render_sources(pool, page, per_page)) == {}
    assert message_errors(pages.render_help(pool, 300)) == {}


def test_shortening_prefers_a_sentence_end_then_a_word_boundary() -> None:
    text = "The first sentence is here. The second sentence goes on for quite a while longer."
    assert fit(text, 40) == "The first sentence is here. …"
    assert fit("alpha beta gamma delta epsilon", 20) == "alpha beta gamma…"
    assert fit("x" * 50, 10) == "x" * 8 + ELLIPSIS  # one long word: cut inside it, no choice
    assert fit("short", 10) == "short"


def test_escaping_markdown_and_mentions() -> None:
    assert render.escape("**a** _b_ `c` ||d|| [e](f) <@1> @everyone @here") == (
        "\\*\\*a\\*\\* \\_b\\_ \\`c\\` \\|\\|d\\|\\| \\[e\\](f) \\<@1> @\u200beveryone @\u200bhere"
    )
    assert render.escape("# not a heading") == "\\# not a heading"
    assert render.escape("> not a quote") == "\\> not a quote"
    assert render.escape("1. not a list") == "1\\. not a list"
    assert render.escape("a\x00b\nc\u2028d") == "a b c d"


def test_cut_never_splits_an_escape_or_leaves_bold_open() -> None:
    out = fit([Run("see "), Run("*" * 40, bold=True)], 20)
    assert out.startswith("see **\\*") and out.endswith("**…")
    assert "\\**" not in out.replace("\\*", "")


def test_no_answer_points_to_sources() -> None:
    reply = render.render_answer(Answer("capital of France?", Reason.NOT_IN_CORPUS))
    embed = reply.embed.to_dict()
    assert "`/sources`" in embed["description"] and reply.view() is None


def test_link_button_and_citation_link_only_for_web_urls() -> None:
    good = Article("a", "Title", "Wire", dt.date(2018, 9, 11), "https://example.com/x(1)")
    bad = Article("b", "Other", None, None, "javascript:alert(1)")
    passages = (
        AnsweredPassage(1, 2.0, Passage(good, 5, "Kim met Trump. They talked."), ((0, 14),)),
        AnsweredPassage(2, 1.0, Passage(bad, 2, "Nothing else.")),
    )
    reply = render.render_answer(Answer("Who met?", Reason.ANSWERED, passages=passages))
    embed = reply.embed.to_dict()
    assert embed["description"] == (
        "> **Kim met Trump.** They talked.\n"
        "— \\[1\\] [Title — Wire · 11 Sep 2018 · ¶5](https://example.com/x%281%29)"
    )
    assert embed["fields"] == [
        {"name": "\\[2\\] Other — ¶2", "value": "> Nothing else.", "inline": False}
    ]
    assert [b.url for b in reply.buttons] == ["https://example.com/x%281%29"]
    assert embed["footer"]["text"] == "2 passages from 2 articles"
