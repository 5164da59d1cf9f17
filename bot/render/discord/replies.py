"""Replies as Discord embeds: an answer, a passage's context, notices; and their text fallback.

Every embed made here respects Discord's limits (title 256, description 4096, field name 256,
field value 1024, footer 2048, at most 25 fields and 6000 characters across an embed) whatever
the question or the corpus; :mod:`bot.render.discord.markdown` does the escaping and the
shortening. :meth:`Reply.text` renders the same reply as a plain message of at most 2000
characters, for a channel where the bot may not embed links.

The module is pure apart from building ``discord.Embed`` and ``discord.ui.View`` objects: no
network, no event loop, no global state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.answer.answerer import Answer, AnsweredPassage, Reason
from bot.answer.context import Context
from bot.corpus.model import Article, Passage
from bot.render.citation import format_citation, format_date
from bot.render.discord.markdown import (
    BUTTON_LABEL_MAX,
    BUTTONS_MAX,
    CONTENT_MAX,
    DESCRIPTION_MAX,
    ELLIPSIS,
    EMBED_TOTAL_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    LINKED_URL_MAX,
    TITLE_MAX,
    Run,
    button_url,
    cut_markdown,
    escape,
    fit,
    link,
    safe_url,
    shorten_plain,
)
from bot.render.wording import SOURCES_COMMAND, cut_notice, refusal

COLOUR = discord.Colour(0x3B82F6)
NO_ANSWER_COLOUR = discord.Colour(0x9CA3AF)

_CITATION_MAX = 300  # a citation line is never longer than this (plus its URL)
_FIELD_NAME_BUDGET = 150  # field names cite passages 2..n: short, to leave room for quotes
_REFUSAL_MAX = 1000  # why there is no answer: a sentence, or the filters quoted


@dataclass(frozen=True)
class LinkButton:
    label: str
    url: str


@dataclass(frozen=True)
class Reply:
    """What to send: an embed and link buttons."""

    embed: discord.Embed
    buttons: tuple[LinkButton, ...] = ()

    def view(self) -> discord.ui.View | None:
        """The buttons as a view (None when there are none); link buttons need no state."""
        if not self.buttons:
            return None
        view = discord.ui.View(timeout=None)
        for button in self.buttons:
            view.add_item(discord.ui.Button(label=button.label, url=button.url))
        return view

    def text(self) -> str:
        """The reply as a plain message (Markdown, at most 2000 characters), for a channel
        where embeds are not allowed: title in bold, then the body, fields, and footer."""
        return embed_text(self.embed)


def embed_text(embed: discord.Embed) -> str:
    """An embed as message content, shortened without cutting markup.

    The body is cut to leave room for the footer line, which is kept whole: cut with the
    rest, it could end as a stray ``-#…`` (the subtext marker without its text)."""
    parts = [f"**{embed.title}**"] if embed.title else []
    if embed.description:
        parts.append(embed.description)
    parts += [f"**{field.name}**\n{field.value}" for field in embed.fields]
    footer = "-# " + escape(embed.footer.text, 500) if embed.footer.text else ""
    body = cut_markdown("\n\n".join(parts), CONTENT_MAX - len(footer) - 2)
    return "\n\n".join(x for x in (body, footer) if x)


# --------------------------------------------------------------------------- answers


def passage_runs(item: AnsweredPassage, limit: int) -> list[Run]:
    """The passage with its answering sentence(s) bold. When the passage is too long for
    ``limit`` and the bold part lies late in it, the excerpt starts at the bold part."""
    text = item.passage.text
    spans = sorted((s, e) for s, e in item.highlights if 0 <= s < e <= len(text))
    runs: list[Run] = []
    if spans and len(text) > limit and spans[0][1] > limit * 0.8:
        start = spans[0][0]
        text, spans = text[start:], [(s - start, e - start) for s, e in spans]
        runs.append(Run(ELLIPSIS + " "))
    pos = 0
    for start, end in spans:
        if start < pos:
            continue
        runs.append(Run(text[pos:start]))
        runs.append(Run(text[start:end], bold=True))
        pos = end
    runs.append(Run(text[pos:]))
    return runs


def citation(item: AnsweredPassage, limit: int = _CITATION_MAX, *, linked: bool = True) -> str:
    """``[n] Title — Source · 11 Sep 2018 · ¶5`` in at most ``limit`` characters plus the URL,
    as a Markdown link when the article has a short enough URL and ``linked`` is true."""
    url = safe_url(item.passage.article.url, LINKED_URL_MAX) if linked else None
    rank = f"\\[{item.rank}\\] "
    text = fit(format_citation(item.passage), limit - len(rank) - (4 if url else 0))
    return rank + (f"[{text}]({url})" if url else text)


def _share(budget: int, wants: Sequence[int]) -> list[int]:
    """Split ``budget`` characters among texts wanting ``wants``: max-min fair shares."""
    shares = [0] * len(wants)
    order = sorted(range(len(wants)), key=lambda i: wants[i])
    left = budget
    for position, i in enumerate(order):
        fair = left // (len(wants) - position)
        shares[i] = max(0, min(wants[i], fair))
        left -= shares[i]
    return shares


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _wanted(item: AnsweredPassage, cap: int) -> int:
    """The length of the passage rendered whole, or ``cap`` if that is longer."""
    return min(cap, len(fit(passage_runs(item, cap), cap + 1)))


def _field_tail(item: AnsweredPassage) -> str:
    read = link("Read the article", item.passage.article.url)
    return (f"\n{read}" if read != "Read the article" else "") + _also_in(item)


def _also_in(item: AnsweredPassage) -> str:
    """Syndicated copies of the passage (the same text in other outlets), cited in one line."""
    copies = getattr(item, "copies", ())
    if not copies:
        return ""
    cited = "; ".join(format_citation(copy) for copy in copies)
    return "\n*also in* " + fit(cited, _CITATION_MAX)


def _buttons(articles: Sequence[Article]) -> tuple[LinkButton, ...]:
    """A "Read" button per article whose URL a button may carry (512 characters at most)."""
    buttons: list[LinkButton] = []
    for article in articles:
        url = button_url(article.url)
        if url and all(b.url != url for b in buttons):
            label = shorten_plain(f"Read: {article.title}", BUTTON_LABEL_MAX)
            buttons.append(LinkButton(label, url))
    return tuple(buttons[:BUTTONS_MAX])


def refusal_embed(
    title: str, reason: Reason, detail: str | None, footer: str = ""
) -> discord.Embed:
    """The embed that says why there is no answer (our words, so Markdown in them is meant;
    a filter's ``detail`` quotes outlets, the user's and the corpus's, so it is escaped).

    The detail is escaped and shortened in one step, and the text is then only cut as
    Markdown: shortening it again as plain text would re-clean it and drop the zero-width
    space that defuses an ``@everyone`` in an outlet's name."""
    escaped = escape(detail, _REFUSAL_MAX) if detail else None
    text = refusal(reason, "`" + SOURCES_COMMAND["discord"] + "`", escaped)
    embed = discord.Embed(
        title=title, description=cut_markdown(text, _REFUSAL_MAX), colour=NO_ANSWER_COLOUR
    )
    if footer:
        embed.set_footer(text=footer)
    return embed


def render_answer(answer: Answer, heading: str = "") -> Reply:
    """The reply to one question: the best passage quoted, the others as fields, all cited.

    ``heading`` goes before the question in the title (e.g. "Sources for: ").
    """
    title = fit([Run(heading), Run(answer.question)], TITLE_MAX) or "Your question"
    notices = shorten_plain(cut_notice(answer.asked_chars, answer.question) or "", 400)
    if not answer.answered:
        return Reply(refusal_embed(title, answer.reason, answer.detail, notices))

    passages = answer.passages[:FIELDS_MAX]
    best, others = passages[0], passages[1:]
    articles = tuple({p.article.id: p.article for p in passages}.values())
    count = f"{plural(len(passages), 'passage')} from {plural(len(articles), 'article')}"
    footer = shorten_plain(f"{notices} · {count}" if notices else count, 500)
    names = [citation(item, _FIELD_NAME_BUDGET, linked=False) for item in others]
    best_cite = "\n— " + citation(best) + _also_in(best)
    tails = [_field_tail(item) for item in others]

    # 6000 across the embed: title, footer, names and citations first; quotes share the rest.
    budget = EMBED_TOTAL_MAX - 50 - len(title) - len(footer) - sum(map(len, names))
    budget -= len(best_cite) + sum(map(len, tails)) + 2 * len(passages)
    wants = [_wanted(best, DESCRIPTION_MAX - len(best_cite) - 2)]
    wants += [
        _wanted(item, FIELD_VALUE_MAX - len(tail) - 2)
        for item, tail in zip(others, tails, strict=True)
    ]
    shares = _share(max(0, budget), wants)

    quote = fit(passage_runs(best, shares[0]), shares[0])
    embed = discord.Embed(title=title, description=f"> {quote}{best_cite}", colour=COLOUR)
    for name, item, tail, share in zip(names, others, tails, shares[1:], strict=True):
        quote = fit(passage_runs(item, share), share)
        embed.add_field(name=name, value=f"> {quote}{tail}", inline=False)
    embed.set_footer(text=footer)
    while len(embed) > EMBED_TOTAL_MAX and embed.fields:  # only absurd metadata gets here
        embed.remove_field(-1)
    return Reply(embed, _buttons(articles))


def render_context(context: Context, focus: Passage | None = None) -> Reply:
    """The passages around a cited one, each labelled as cited (``¶7``, ``¶7.2``), the cited
    one in bold: ``focus`` when given (one part of a paragraph cut in parts), else every
    passage of the focus paragraph."""
    article = context.article
    title = fit(article.title, TITLE_MAX)
    first, last = context.passages[0].paragraph, context.passages[-1].paragraph
    budget = (DESCRIPTION_MAX - 20) // max(1, len(context.passages))
    parts = []
    for p in context.passages:
        bold = p == focus if focus is not None else p.paragraph == context.focus
        body = fit([Run(p.text, bold=bold)], budget - 16)
        parts.append(f"¶{p.label} {body}")
    embed = discord.Embed(
        title=title, description="\n\n".join(parts), colour=COLOUR, url=safe_url(article.url)
    )
    facts = [x for x in (article.source, format_date(article.date)) if x]
    facts.append(f"paragraphs {first}–{last} of {context.total}")
    embed.set_footer(text=shorten_plain(" · ".join(facts), 500))
    return Reply(embed)


# --------------------------------------------------------------------------- notices


def render_notice(text: str) -> Reply:
    """A short embed for errors and cooldowns (``text`` is ours, not a user's)."""
    return Reply(discord.Embed(description=shorten_plain(text, 1000), colour=NO_ANSWER_COLOUR))


def render_problem(message: str) -> Reply:
    """A problem with what the user gave (a filter, a URL): the message may quote what they
    typed, so it is escaped."""
    return Reply(discord.Embed(description=fit(message, 1000), colour=NO_ANSWER_COLOUR))


def cooldown_text(retry_after: float) -> str:
    """The polite reply to someone asking faster than the cooldown allows."""
    seconds = max(1, round(retry_after))
    return f"You're asking quickly. Please wait {plural(seconds, 'second')} and ask again."
