"""The Markdown fitter (bot.render.discord.markdown): found bugs stay fixed, rendered Markdown
is cut only between words and outside links and escapes, and the module needs no discord."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

from fakediscord import limits
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer.answerer import Answer, AnsweredPassage, Reason
from bot.answer.timeline import TimelineEntry
from bot.corpus.model import Article, Passage
from bot.render.discord import pages, replies
from bot.render.discord.markdown import (
    BUTTON_URL_MAX,
    ELLIPSIS,
    Run,
    cut_markdown,
    fit,
    link,
    unescape,
)
from tests.conftest import REPO
from tests.discord_harness import unescaped

LINK = re.compile(r"\[(?:\\.|[^\]\\\n])*\]\([^()\s]*\)")
#: Escapes or links, scanned left to right as Discord does (an escaped "[" opens no link).
ESCAPE_OR_LINK = re.compile(r"\\.|" + LINK.pattern)


def without_links(markdown: str) -> str:
    return ESCAPE_OR_LINK.sub(lambda m: m[0] if m[0].startswith("\\") else "L", markdown)


def well_formed(markdown: str) -> bool:
    """Bold and italic markers balanced, and every unescaped ``[`` starts a whole link."""
    no_links = without_links(markdown)
    bold = unescaped(no_links, "**")
    single = [i for i in unescaped(no_links, "*") if i not in bold and i - 1 not in bold]
    return len(bold) % 2 == 0 and len(single) % 2 == 0 and not unescaped(no_links, "[")


def test_invisible_characters_cannot_pass_for_defusing_or_reorder_text() -> None:
    # Found by hypothesis: a zero-width space typed by a user looked like our own defusing,
    # and a right-to-left override reached Discord.
    assert fit("@\u200b0", 3) == "@0"
    assert fit("\u202e0", 3) == "0"
    assert fit("@\u200beveryone hi", 40) == "@\u200beveryone hi"  # defused once, by us
    assert unescape(fit("@\u200beveryone \\*x\\*", 40)) == "@everyone \\*x\\*"


WORDS = st.lists(
    st.one_of(
        st.from_regex(r"[A-Za-z0-9—·“”'.,]{1,12}", fullmatch=True),
        st.builds(lambda t: fit(t, 60), st.text(min_size=1, max_size=60)),  # escaped text
        st.builds(lambda t, u: link(fit(t, 40), "https://example.com/" + u),
                  st.text(min_size=1, max_size=20), st.from_regex(r"\A[a-z0-9_%]{0,250}\Z")),
        st.builds(lambda t: "**" + fit(t, 30) + "**", st.text(min_size=1, max_size=30)),
        st.builds(lambda t: "*" + fit(t, 30) + "*", st.from_regex(r"[a-z ]{1,30}", fullmatch=True)),
    ),
    min_size=1,
    max_size=40,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(WORDS, st.sampled_from([" ", "\n", " · "]), st.integers(0, 600))
def test_cut_markdown_keeps_links_escapes_and_markers_whole(
    words: list[str], glue: str, limit: int
) -> None:
    text = glue.join(w for w in words if w.strip("*"))
    assert well_formed(text)
    out = cut_markdown(text, limit)
    assert len(out) <= max(0, limit)
    if out == text:
        return
    assert out.endswith(ELLIPSIS) or limit < len(ELLIPSIS)
    body = out.removesuffix(ELLIPSIS)
    assert well_formed(body), (text, out)
    stripped = body.rstrip("*")  # markers closed by the cut
    assert text.startswith(stripped), (text, out)


def test_cut_markdown_prefers_word_boundaries_and_closes_bold() -> None:
    text = "**15 Mar 2024** · “the rafts withdrew” — [Rafts — Courier](https://example.com/x)"
    assert cut_markdown(text, 40) == "**15 Mar 2024** · “the rafts withdrew”…"
    assert cut_markdown("**bold words here** tail", 12) == "**bold**…"
    assert cut_markdown(text, len(text)) == text


def test_a_cut_leaves_no_stray_quote_or_subtext_marker() -> None:
    # Found by hypothesis: a plain-text fallback cut right after a field's "> " (or the
    # footer's "-# ") ended with a stray ">…" ("-#…").
    assert cut_markdown("**name**\n> " + "x" * 40, 14) == "**name**…"
    assert cut_markdown("body\n\n-# " + "y" * 40, 10) == "body…"


def _entry(url: str, copies: int) -> TimelineEntry:
    article = Article("raft-talks", "Rafts " * 40, "The Courier " * 10, dt.date(2024, 3, 15), url)
    passage = Passage(article, 1, "The patrol rafts withdrew from the lagoon at dawn. " * 5)
    others = tuple(
        Passage(Article(f"c{i}", f"Copy {i}", f"Outlet {i} " * 6, None, None), 1, passage.text)
        for i in range(copies)
    )
    return TimelineEntry(dt.date(2024, 3, 15), passage, 1.0, others, ((0, len(passage.text)),))


def test_timeline_lines_are_cut_at_word_and_link_boundaries() -> None:
    # The old hard cut at 399 characters fell inside the link target and showed raw Markdown.
    for url in ("https://example.com/" + "a" * 250, "https://example.com/short"):
        for copies in (0, 3, 12):
            line = pages.timeline_line(_entry(url, copies))
            assert len(line) <= pages.LINE_MAX
            assert well_formed(line), line
            assert "](" not in without_links(line)  # no half link left behind


def test_link_buttons_leave_out_urls_longer_than_512() -> None:
    long_url = "https://example.com/" + "a" * 600
    ok_url = "https://example.com/" + "b" * (BUTTON_URL_MAX - 20)
    articles = [
        Article("long", "Long link", "Wire", None, long_url),
        Article("ok", "Short enough", "Wire", None, ok_url),
    ]
    passages = tuple(
        AnsweredPassage(i + 1, 1.0, Passage(a, 1, "Kim met Trump in Singapore."))
        for i, a in enumerate(articles)
    )
    reply = replies.render_answer(Answer("Who met?", Reason.ANSWERED, passages=passages))
    assert [b.url for b in reply.buttons] == [ok_url]
    view = reply.view()
    assert view is not None
    payload = {"embeds": [reply.embed.to_dict()], "components": view.to_components()}
    assert limits.check_message(payload) == {}


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=3000), st.text(max_size=500), st.integers(1, 10))
def test_the_text_fallback_of_any_reply_fits_a_message(text: str, title: str, n: int) -> None:
    article = Article("a", title or "t", "Wire", None, "https://example.com/(x)")
    passages = tuple(
        AnsweredPassage(i, 1.0, Passage(article, i, text or "x"), ((0, len(text) // 2),))
        for i in range(1, n + 1)
    )
    content = replies.render_answer(Answer(title, Reason.ANSWERED, passages=passages)).text()
    assert 0 < len(content) <= 2000
    assert limits.check_message({"content": content}) == {}
    assert well_formed(content.replace("-# ", ""))


def test_the_fitter_needs_no_discord() -> None:
    code = "import sys, bot.render.discord.markdown; sys.exit(1 if 'discord' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0


def test_runs_in_bold_survive_a_cut() -> None:
    out = fit([Run("see "), Run("the quick brown fox jumps", bold=True)], 16)
    assert out.startswith("see **") and out.endswith("**…") and len(out) <= 16
