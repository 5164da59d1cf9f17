"""Discord rendering: an :class:`~bot.answer.Answer` as an embed plus link buttons.

Every string produced here respects Discord's limits (content 2000; embed title 256,
description 4096, field name 256, field value 1024, footer 2048, at most 25 fields and 6000
characters across an embed), whatever the question or the corpus. Text is shortened at a
sentence or word boundary with "…", and never inside Markdown markup: text is first split into
*atoms* (one source character and its escaped form, e.g. ``*`` becomes ``\\*``), cuts happen
between atoms, and bold markers are added after cutting, so a cut can neither split an escape
nor leave a ``**`` open.

Text from users (the question) and from the corpus is escaped: Markdown is shown literally and
mentions (``@everyone``, ``<@id>``) are defused. ``AllowedMentions.none()`` on the client is the
second line of defence.

The module is pure apart from building ``discord.Embed`` and ``discord.ui.View`` objects: no
network, no event loop, no global state.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.analysis.sentences import sentence_spans
from bot.answer.answerer import Answer, AnsweredPassage, Reason
from bot.corpus.model import Article
from bot.render.citation import format_citation, format_date
from bot.render.wording import SOURCES_COMMAND, cut_notice, refusal

CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
BUTTON_LABEL_MAX = 80
BUTTONS_MAX = 5  # one action row of link buttons
URL_MAX = 2048

ELLIPSIS = "…"
COLOUR = discord.Colour(0x3B82F6)
NO_ANSWER_COLOUR = discord.Colour(0x9CA3AF)

#: Characters that are Markdown (or mention syntax) anywhere in a line.
_ESCAPE_ANYWHERE = frozenset("\\*_~`|[]<")
#: Characters that are Markdown only at the start of a line (headings, quotes, lists).
_ESCAPE_LINE_START = frozenset("#>-+")
_MENTION_WORD = re.compile(r"@(everyone|here)")
_ORDERED_LIST = re.compile(r"\d+\.\s")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CITATION_MAX = 300  # a citation line is never longer than this (plus its URL)
_FIELD_NAME_BUDGET = 150  # field names cite passages 2..n: short, to leave room for quotes
_SENTENCE_WINDOW = 600  # how far back a cut looks for a sentence end
_LINKED_URL_MAX = 300  # longer URLs are not linked inside text (the button still links them)


@dataclass(frozen=True)
class Run:
    """A run of plain text, shown bold or not."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class _Atom:
    shown: str  # the escaped form
    source: str  # the character it stands for
    bold: bool


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


# --------------------------------------------------------------------------- text helpers


def _normalise(runs: Sequence[Run]) -> list[Run]:
    """Collapse whitespace (and control characters) across runs; keep bold runs free of edge
    whitespace, since ``** bold**`` is not bold in Markdown."""
    out: list[Run] = []
    previous_space = True  # drops leading whitespace
    for run in runs:
        chars = []
        for ch in _CONTROL.sub(" ", run.text):
            space = ch.isspace()
            if space and previous_space:
                continue
            chars.append(" " if space else ch)
            previous_space = space
        text = "".join(chars)
        if not text:
            continue
        if run.bold:
            core = text.strip()
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            pieces = [Run(lead), Run(core, True), Run(trail)]
        else:
            pieces = [Run(text)]
        for piece in pieces:
            if not piece.text:
                continue
            if out and out[-1].bold == piece.bold:
                out[-1] = Run(out[-1].text + piece.text, piece.bold)
            else:
                out.append(piece)
    while out and out[-1].text.endswith(" "):
        last = out.pop()
        if last.text.rstrip():
            out.append(Run(last.text.rstrip(), last.bold))
    return out


def _head(runs: Sequence[Run], size: int) -> list[Run]:
    """The first ``size`` characters of ``runs``."""
    out: list[Run] = []
    for run in runs:
        if size <= 0:
            break
        out.append(Run(run.text[:size], run.bold))
        size -= len(run.text)
    return out


def _atoms(runs: Sequence[Run], *, escape: bool) -> list[_Atom]:
    atoms: list[_Atom] = []
    plain = "".join(r.text for r in runs)
    pos = 0
    for run in runs:
        for ch in run.text:
            shown = ch
            if escape:
                if ch in _ESCAPE_ANYWHERE or (pos == 0 and ch in _ESCAPE_LINE_START):
                    shown = "\\" + ch
                elif ch == "." and 0 < pos < 10 and _ORDERED_LIST.fullmatch(plain[: pos + 2]):
                    shown = "\\."
                elif ch == "@" and _MENTION_WORD.match(plain, pos):
                    shown = "@\u200b"
            atoms.append(_Atom(shown, ch, run.bold))
            pos += 1
    return atoms


def _render(atoms: Sequence[_Atom], n: int) -> str:
    out: list[str] = []
    bold = False
    for atom in atoms[:n]:
        if atom.bold != bold:
            out.append("**")
            bold = atom.bold
        out.append(atom.shown)
    if bold:
        out.append("**")
    return "".join(out)


def _cut(atoms: Sequence[_Atom], n: int) -> tuple[int, bool]:
    """Where to cut, at or before atom ``n``: the last sentence end, else the last word boundary,
    if either keeps at least half of what fits; else ``n`` itself. Returns the cut and whether
    it ends a sentence."""
    plain = "".join(a.source for a in atoms)
    floor = max(n // 2, n - _SENTENCE_WINDOW)
    start = max(0, floor - 40)  # a little context before, for abbreviations such as "Mr."
    window = plain[start : n + 40]  # and after: a boundary needs the next sentence's start
    ends = [
        start + end
        for _, end in sentence_spans(window)
        if floor <= start + end <= n and start + end < len(plain)
    ]
    if ends:
        return ends[-1], True
    space = plain.rfind(" ", floor, n + 1)
    cut = space if space > 0 else n
    while cut > 0 and plain[cut - 1].isspace():
        cut -= 1
    return (cut if cut > 0 else n), False


def fit(runs: Sequence[Run] | str, limit: int, *, escape: bool = True) -> str:
    """Render ``runs`` as Markdown of at most ``limit`` characters.

    Escapes Markdown and mentions (unless ``escape`` is false, for plain-text places such as
    button labels and footers), and when the text is too long shortens it at a sentence end
    (then ``" …"``) or a word boundary (``"…"``), with any bold run closed properly.
    """
    if isinstance(runs, str):
        runs = [Run(runs)]
    # Every atom shows at least one character, so no more than ``limit`` atoms can be shown;
    # the rest is never looked at (bar a little lookahead for sentence boundaries).
    atoms = _atoms(_head(_normalise(runs), max(0, limit) + 80), escape=escape)
    full = _render(atoms, len(atoms))
    if len(full) <= limit:
        return full
    reserve = len(" " + ELLIPSIS)
    if limit <= reserve:
        return ELLIPSIS[: max(0, limit)]
    lo, hi = 0, len(atoms)  # the largest n whose rendering fits in limit - reserve
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(_render(atoms, mid)) <= limit - reserve:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return ELLIPSIS
    cut, at_sentence = _cut(atoms, lo)
    return _render(atoms, cut) + (" " + ELLIPSIS if at_sentence else ELLIPSIS)


def escape(text: str, limit: int = CONTENT_MAX) -> str:
    """Escape user text for Discord (Markdown shown literally, mentions defused), shortened."""
    return fit(text, limit)


def shorten_plain(text: str, limit: int) -> str:
    """Shorten text shown without Markdown (button labels, footers) at a word boundary."""
    return fit(text, limit, escape=False)


def safe_url(url: str | None) -> str | None:
    """A URL Discord accepts in links and buttons (http/https, no spaces or brackets), or None."""
    if not url or not re.fullmatch(r"https?://[^\s<>\"]+", url) or len(url) > URL_MAX:
        return None
    return url.replace("(", "%28").replace(")", "%29")


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


def citation(item: AnsweredPassage, limit: int = _CITATION_MAX, *, link: bool = True) -> str:
    """``[n] Title — Source · 11 Sep 2018 · ¶5`` in at most ``limit`` characters plus the URL,
    as a Markdown link when the article has a URL and ``link`` is true."""
    url = safe_url(item.passage.article.url) if link else None
    if url and len(url) > _LINKED_URL_MAX:
        url = None
    rank = f"\\[{item.rank}\\] "
    text = fit(format_citation(item.passage), limit - len(rank) - (4 if url else 0))
    return f"{rank}[{text}]({url})" if url else rank + text


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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _wanted(item: AnsweredPassage, cap: int) -> int:
    """The length of the passage rendered whole, or ``cap`` if that is longer."""
    return min(cap, len(fit(passage_runs(item, cap), cap + 1)))


def _field_tail(item: AnsweredPassage) -> str:
    url = safe_url(item.passage.article.url)
    link = f"\n[Read the article]({url})" if url and len(url) <= _LINKED_URL_MAX else ""
    return link + _also_in(item)


def _also_in(item: AnsweredPassage) -> str:
    """Syndicated copies of the passage (the same text in other outlets), cited in one line."""
    copies = getattr(item, "copies", ())
    if not copies:
        return ""
    cited = "; ".join(format_citation(copy) for copy in copies)
    return "\n*also in* " + fit(cited, _CITATION_MAX)


def _buttons(articles: Sequence[Article]) -> tuple[LinkButton, ...]:
    buttons: list[LinkButton] = []
    for article in articles:
        url = safe_url(article.url)
        if url and all(b.url != url for b in buttons):
            label = shorten_plain(f"Read: {article.title}", BUTTON_LABEL_MAX)
            buttons.append(LinkButton(label, url))
    return tuple(buttons[:BUTTONS_MAX])


# --------------------------------------------------------------------------- replies


def refusal_embed(
    title: str, reason: Reason, detail: str | None, footer: str = ""
) -> discord.Embed:
    """The embed that says why there is no answer (our words, so Markdown in them is meant;
    a filter's ``detail`` quotes the user's outlet, so it is escaped)."""
    text = refusal(
        reason, "`" + SOURCES_COMMAND["discord"] + "`", escape(detail) if detail else None
    )
    embed = discord.Embed(
        title=title, description=shorten_plain(text, 1000), colour=NO_ANSWER_COLOUR
    )
    if footer:
        embed.set_footer(text=footer)
    return embed


def render_answer(answer: Answer) -> Reply:
    """The reply to one question: the best passage quoted, the others as fields, all cited."""
    title = fit(answer.question, TITLE_MAX) or "Your question"
    notices = shorten_plain(cut_notice(answer.asked_chars, len(answer.question)) or "", 400)
    if not answer.answered:
        return Reply(refusal_embed(title, answer.reason, answer.detail, notices))

    passages = answer.passages[:FIELDS_MAX]
    best, others = passages[0], passages[1:]
    articles = tuple({p.article.id: p.article for p in passages}.values())
    count = f"{_plural(len(passages), 'passage')} from {_plural(len(articles), 'article')}"
    footer = shorten_plain(f"{notices} · {count}" if notices else count, 500)
    names = [citation(item, _FIELD_NAME_BUDGET, link=False) for item in others]
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


def sort_articles(articles: Sequence[Article]) -> list[Article]:
    """Newest first; undated articles last, by title."""
    dated = sorted((a for a in articles if a.date), key=lambda a: (a.date, a.title), reverse=True)
    return dated + sorted((a for a in articles if not a.date), key=lambda a: a.title)


def page_count(articles: int, per_page: int) -> int:
    return max(1, -(-articles // per_page))


def render_sources(articles: Sequence[Article], page: int = 1, per_page: int = 10) -> Reply:
    """One page of the articles the bot knows: title (linked), date, source."""
    if not articles:
        return Reply(discord.Embed(title="Sources", description="I have no articles loaded."))
    ordered = sort_articles(articles)
    pages = page_count(len(ordered), per_page)
    page = min(max(1, page), pages)
    per_line = (DESCRIPTION_MAX - 100) // min(per_page, len(ordered)) - 2
    lines = []
    for article in ordered[(page - 1) * per_page : page * per_page]:
        title = fit(article.title or article.id, min(200, per_line // 2))
        url = safe_url(article.url)
        facts = " · ".join(x for x in (format_date(article.date), article.source) if x)
        facts = fit(facts, per_line // 3) if facts else ""
        line = f"[{title}]({url})" if url else f"**{title}**"
        if len(line) + len(facts) + 1 > per_line:
            line = f"**{title}**"  # the link does not fit: the title alone
        lines.append(line + (f"\n{facts}" if facts else ""))
    embed = discord.Embed(title="Sources", description="\n\n".join(lines), colour=COLOUR)
    footer = f"Page {page} of {pages} · {_plural(len(ordered), 'article')}"
    if page < pages:
        footer += f" · /sources page:{page + 1} for more"
    embed.set_footer(text=footer)
    return Reply(embed)


def render_help(articles: Sequence[Article], max_question_chars: int) -> Reply:
    """What the bot does, how to ask, and what it covers."""
    dates = sorted(a.date for a in articles if a.date)
    covers = _plural(len(articles), "news article")
    if dates:
        first, last = format_date(dates[0]), format_date(dates[-1])
        covers += f" from {first} to {last}" if first != last else f" from {first}"
    embed = discord.Embed(
        title="talks-bot",
        description=(
            "I answer questions about a collection of news articles by quoting the passages "
            "that answer them, each with its citation, so you can check the source."
        ),
        colour=COLOUR,
    )
    embed.add_field(
        name="How to ask",
        value=(
            "• `/ask` with your question; add `private: True` to see the answer alone\n"
            "• send me a direct message\n"
            "• mention me in a channel: `@talks-bot Where did the summit take place?`\n"
            f"Questions longer than {max_question_chars} characters are answered about "
            "their beginning."
        ),
        inline=False,
    )
    embed.add_field(
        name="Dates, outlets and timelines",
        value=(
            "• `/ask` and `/timeline` take `since` and `until` (YYYY-MM-DD, YYYY-MM or YYYY) "
            "and `source` (an outlet)\n"
            "• in a message, put them first: `since:2018-09 source:Reuters your question`\n"
            "• `/timeline topic:` lists the passages about a topic, oldest first\n"
            "• under an answer, *More context* shows the paragraphs around a quote, and 👍/👎 "
            "tells whoever keeps the articles how it went (your name is not recorded)"
        ),
        inline=False,
    )
    embed.add_field(name="What I cover", value=f"{covers}. `/sources` lists them.", inline=False)
    embed.set_footer(text="Answers are quotes, never guesses: if the articles don't say, I say so.")
    return Reply(embed)


def render_notice(text: str) -> Reply:
    """A short embed for errors and cooldowns (``text`` is ours, not a user's)."""
    return Reply(discord.Embed(description=shorten_plain(text, 1000), colour=NO_ANSWER_COLOUR))


def cooldown_text(retry_after: float) -> str:
    """The polite reply to someone asking faster than the cooldown allows."""
    seconds = max(1, round(retry_after))
    return f"You're asking quickly. Please wait {_plural(seconds, 'second')} and ask again."
