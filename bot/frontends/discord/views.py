"""Buttons on answers: "More context" per passage and 👍/👎 feedback, persistent across restarts.

Both are :class:`discord.ui.DynamicItem` s: everything a press needs is in the button's custom
id or in the message it sits on, so a button on a message sent before a restart (or a hot
reload) still works, with nothing kept on disk:

- ``talks:ctx:<article_id>:<paragraph>[.<part>]:<digest>`` shows, to the presser only, the
  paragraphs around the cited passage. ``.<part>`` is there for a paragraph cut into parts
  (cited ``¶2.2``), as in the citation: without it the press would show part 1, whose digest
  is not the cited part's. ``digest`` is a hash of the cited passage's text, so a button whose
  article has been edited since says so instead of showing another paragraph; one whose
  article has left the corpus says that. Ids made before parts were carried have no
  ``.<part>`` and mean the paragraph's first part (or the whole paragraph).
- ``talks:vote:<up|down>:<answer key>`` appends a vote to the feedback log. The key stands for
  the question and the passages shown, kept in memory (:class:`AnswerMemory`) when the answer
  was sent; after a restart they are read back from the message itself (its title is the
  question, its "More context" buttons name the passages, as the same :attr:`Passage.id`
  ``article#2.2`` the memory holds). The voter is never logged.

Every press is acknowledged at once (deferred, privately) and its work runs in the chores pool,
so a press is answered within Discord's 3 seconds however many questions are queued.
Custom ids hold at most 100 characters; a passage whose article id is too long for that gets no
"More context" button.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from typing import Any

import discord

from bot.answer.answerer import Answer
from bot.answer.context import ContextError
from bot.corpus.model import Passage, passage_id, passage_label
from bot.errors import TalksBotError
from bot.frontends.discord.messaging import send_reply
from bot.frontends.discord.resources import Resources, resources_of
from bot.render.discord.markdown import CUSTOM_ID_MAX, ELLIPSIS, unescape
from bot.render.discord.replies import Reply, render_context, render_notice

log = logging.getLogger(__name__)

CONTEXT_PREFIX = "talks:ctx:"
VOTE_PREFIX = "talks:vote:"
CONTEXT_ROW, VOTE_ROW = 1, 2  # row 0 holds the answer's link buttons
MAX_CONTEXT_BUTTONS = 5
_CONTEXT_TEMPLATE = (
    r"talks:ctx:(?P<article>.+?):(?P<paragraph>\d{1,6})(?:\.(?P<part>\d{1,6}))?"
    r"(?::(?P<digest>[0-9a-f]{8}))?"
)
GONE_TEXT = (
    "That article is no longer in the collection I answer from, so I can't show more of it. "
    "Ask again to get an answer from the current articles."
)
CHANGED_TEXT = (
    "That article has been edited since this answer, so the quoted paragraph may have moved. "
    "Ask again to get an answer from the current text."
)
UNKNOWN_ANSWER_TEXT = "I no longer have a record of that answer, so I can't log a vote for it."
THANKS_TEXT = "Thanks for the feedback! It helps whoever keeps the articles see what is missing."
ALREADY_TEXT = "You have already rated this answer. Thanks!"
NOT_RECORDED_TEXT = "Sorry, I could not record that vote. Please try again later."
SORRY_TEXT = "Sorry, something went wrong."


def text_digest(text: str) -> str:
    """8 hex digits standing for a paragraph's text: an edit changes them."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def context_custom_id(article_id: str, paragraph: int, part: int, digest: str | None) -> str:
    """The id of a "More context" button: the passage as cited (``2`` or ``2.2``) and, when
    known, its digest. ``part`` 0 (a paragraph that was not cut) adds nothing, so ids of
    whole paragraphs are as they always were."""
    cited = f"{CONTEXT_PREFIX}{article_id}:{passage_label(paragraph, part)}"
    return f"{cited}:{digest}" if digest else cited


def vote_custom_id(vote: str, key: str) -> str:
    return f"{VOTE_PREFIX}{vote}:{key}"


async def _private(interaction: discord.Interaction, reply: Reply) -> None:
    await send_reply(interaction, reply, ephemeral=True)


class ContextButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_CONTEXT_TEMPLATE):
    """Shows the passages around part ``part`` of paragraph ``paragraph`` of ``article_id``
    (ephemeral); ``part`` 0 is a paragraph that was not cut, or the first part of one."""

    def __init__(
        self,
        article_id: str,
        paragraph: int,
        part: int,
        digest: str | None,
        label: str = "More context",
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=context_custom_id(article_id, paragraph, part, digest),
                row=CONTEXT_ROW,
            )
        )
        self.article_id, self.paragraph, self.part = article_id, paragraph, part
        self.digest = digest

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ContextButton:
        label = getattr(item, "label", None) or "More context"
        part = int(match["part"]) if match["part"] else 0
        return cls(match["article"], int(match["paragraph"]), part, match["digest"], label)

    async def callback(self, interaction: discord.Interaction) -> None:
        resources = resources_of(interaction.client)
        await interaction.response.defer(ephemeral=True, thinking=True)
        cited = passage_id(self.article_id, self.paragraph, self.part)
        try:
            context = await resources.in_chores(
                resources.service.context, self.article_id, self.paragraph, part=self.part
            )
        except ContextError:
            await _private(interaction, render_notice(GONE_TEXT))
            return
        except Exception:
            log.exception("more context failed for %s", cited)
            await _private(interaction, render_notice(SORRY_TEXT))
            return
        focus = _focus(context.passages, self.paragraph, self.part)
        if self.digest is not None and text_digest(focus.text) != self.digest:
            await _private(interaction, render_notice(CHANGED_TEXT))
            return
        await _private(interaction, render_context(context, focus))


def _focus(passages: Sequence[Passage], paragraph: int, part: int) -> Passage:
    """The cited passage in a context window: that part of the paragraph, else (an id without
    a part, or a part the edited article no longer has) the paragraph's first passage, which
    is the one :meth:`AnswerService.context` centres the window on then."""
    same = [p for p in passages if p.paragraph == paragraph]
    return next((p for p in same if p.part == part), same[0] if same else passages[0])


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"talks:vote:(?P<vote>up|down):(?P<key>[0-9a-f]{12})",
):
    """👍 or 👎 for one answer; the vote goes to the feedback log, the thanks only to the voter."""

    def __init__(self, vote: str, key: str) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=vote_custom_id(vote, key),
                row=VOTE_ROW,
            )
        )
        self.vote = vote
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(match["vote"], match["key"])

    async def callback(self, interaction: discord.Interaction) -> None:
        resources = resources_of(interaction.client)
        await interaction.response.defer(ephemeral=True, thinking=True)
        user = interaction.user.id
        if not resources.votes.begin(user, self.key):
            await _private(interaction, render_notice(ALREADY_TEXT))
            return
        shown = resources.answers.lookup(self.key) or answer_on(interaction.message)
        if shown is None:
            resources.votes.abort(user, self.key)
            await _private(interaction, render_notice(UNKNOWN_ANSWER_TEXT))
            return
        question, passages = shown
        try:
            await resources.in_chores(
                resources.feedback.record,
                question,
                passages,
                self.vote,
                answer=self.key,
                frontend="discord",
            )
        except TalksBotError as exc:
            resources.votes.abort(user, self.key)
            log.error("could not record a vote: %s", exc)
            await _private(interaction, render_notice(NOT_RECORDED_TEXT))
            return
        resources.votes.commit(user, self.key)
        await _private(interaction, render_notice(THANKS_TEXT))


DYNAMIC_ITEMS = (ContextButton, VoteButton)


def answer_on(message: discord.Message | None) -> tuple[str, tuple[str, ...]] | None:
    """The question and passage ids an answer message shows: its title, and the passages its
    "More context" buttons point at. None for a message that is not an answer."""
    if message is None or not message.embeds or not message.embeds[0].title:
        return None
    question = unescape(message.embeds[0].title).removesuffix(ELLIPSIS).strip()
    passages = []
    for row in message.components:
        for child in getattr(row, "children", ()):
            match = re.fullmatch(_CONTEXT_TEMPLATE, getattr(child, "custom_id", None) or "")
            if match:
                part = int(match["part"]) if match["part"] else 0
                passages.append(passage_id(match["article"], int(match["paragraph"]), part))
    return question, tuple(passages)


def answer_view(
    resources: Resources, answer: Answer, reply: Reply, *, votes: bool
) -> discord.ui.View | None:
    """The reply's link buttons, "More context" per passage, and 👍/👎 when ``votes``."""
    view = reply.view() or discord.ui.View(timeout=None)
    for item in answer.passages[:MAX_CONTEXT_BUTTONS]:
        passage = item.passage
        article, paragraph, part = passage.article.id, passage.paragraph, passage.part
        digest = text_digest(passage.text)
        if len(context_custom_id(article, paragraph, part, digest)) <= CUSTOM_ID_MAX:
            label = f"More context [{item.rank}]"
            view.add_item(ContextButton(article, paragraph, part, digest, label))
    if votes and answer.question:
        key = resources.answers.remember(answer.question, [p.passage.id for p in answer.passages])
        view.add_item(VoteButton("up", key))
        view.add_item(VoteButton("down", key))
    return view if view.children else None
