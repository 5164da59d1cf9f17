"""Buttons on answers: "More context" per passage and 👍/👎 feedback, persistent across restarts.

Both are :class:`discord.ui.DynamicItem` s: everything a press needs is in the button's custom
id, so a button on a message sent before a restart (or a hot reload) still works, with no view
kept in memory:

- ``talks:ctx:<article_id>:<paragraph>`` shows, to the presser only, the paragraphs around the
  cited one (:func:`bot.answer.context.context_around`). If the article has left the corpus
  since, the presser is told so politely: the button expires gracefully.
- ``talks:vote:<up|down>:<answer key>`` appends a vote to the feedback log
  (:class:`bot.service.feedback.FeedbackLog`). The key stands for the question and the passages
  shown,
  remembered in the log when the answer was sent; the voter's name or id is never logged.

Custom ids hold at most 100 characters; a passage whose article id is too long for that gets no
"More context" button.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.answer.answerer import Answer
from bot.answer.context import ContextError
from bot.errors import TalksBotError
from bot.render.discord.news import render_context
from bot.render.discord.replies import Reply, render_notice
from bot.service.feedback import FeedbackLog

if TYPE_CHECKING:
    from bot.frontends.discord.client import TalksBot

log = logging.getLogger(__name__)

CUSTOM_ID_MAX = 100
CONTEXT_PREFIX = "talks:ctx:"
VOTE_PREFIX = "talks:vote:"
CONTEXT_ROW, VOTE_ROW = 1, 2  # row 0 holds the answer's link buttons
MAX_CONTEXT_BUTTONS = 5
GONE_TEXT = (
    "That article is no longer in the collection I answer from, so I can't show more of it. "
    "Ask again to get an answer from the current articles."
)
UNKNOWN_ANSWER_TEXT = "I no longer have a record of that answer, so I can't log a vote for it."
THANKS_TEXT = "Thanks for the feedback! It helps whoever keeps the articles see what is missing."
ALREADY_TEXT = "You have already rated this answer. Thanks!"


def context_custom_id(article_id: str, paragraph: int) -> str:
    return f"{CONTEXT_PREFIX}{article_id}:{paragraph}"


def vote_custom_id(vote: str, key: str) -> str:
    return f"{VOTE_PREFIX}{vote}:{key}"


async def _ephemeral(interaction: discord.Interaction, reply: Reply) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(embed=reply.embed, ephemeral=True)
    else:
        await interaction.response.send_message(embed=reply.embed, ephemeral=True)


class ContextButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"talks:ctx:(?P<article>.+):(?P<paragraph>\d{1,6})",
):
    """Shows the paragraphs around passage ``paragraph`` of ``article_id`` (ephemeral)."""

    def __init__(self, article_id: str, paragraph: int, label: str = "More context") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=context_custom_id(article_id, paragraph),
                row=CONTEXT_ROW,
            )
        )
        self.article_id = article_id
        self.paragraph = paragraph

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ContextButton:
        label = getattr(item, "label", None) or "More context"
        return cls(match["article"], int(match["paragraph"]), label)

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        client: Any = interaction.client
        try:
            context = client.service.context(self.article_id, self.paragraph)
        except ContextError:
            await _ephemeral(interaction, render_notice(GONE_TEXT))
            return
        except Exception:
            log.exception("more context failed for %s#%s", self.article_id, self.paragraph)
            await _ephemeral(interaction, render_notice("Sorry, something went wrong."))
            return
        await _ephemeral(interaction, render_context(context))


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button],
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

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        news = interaction.client.get_cog("News")  # type: ignore[attr-defined]
        if news is None:
            await _ephemeral(interaction, render_notice(UNKNOWN_ANSWER_TEXT))
            return
        if not news.first_vote(interaction.user.id, self.key):
            await _ephemeral(interaction, render_notice(ALREADY_TEXT))
            return
        feedback: FeedbackLog = news.feedback
        try:
            found = await asyncio.to_thread(feedback.lookup, self.key)
            if found is None:
                await _ephemeral(interaction, render_notice(UNKNOWN_ANSWER_TEXT))
                return
            question, passages = found
            await asyncio.to_thread(
                feedback.record, question, passages, self.vote, answer=self.key, frontend="discord"
            )
        except TalksBotError:
            log.exception("could not record a vote")
            await _ephemeral(interaction, render_notice("Sorry, I could not record that vote."))
            return
        await _ephemeral(interaction, render_notice(THANKS_TEXT))


DYNAMIC_ITEMS = (ContextButton, VoteButton)


async def answer_view(bot: TalksBot, answer: Answer, reply: Reply) -> discord.ui.View | None:
    """The reply's link buttons plus "More context" per passage and 👍/👎 for the answer."""
    view = reply.view() or discord.ui.View(timeout=None)
    for item in answer.passages[:MAX_CONTEXT_BUTTONS]:
        custom_id = context_custom_id(item.passage.article.id, item.passage.paragraph)
        if len(custom_id) <= CUSTOM_ID_MAX:
            label = f"More context [{item.rank}]"
            view.add_item(ContextButton(item.passage.article.id, item.passage.paragraph, label))
    news = bot.get_cog("News")
    if news is not None and answer.question:
        try:
            key = await asyncio.to_thread(
                news.feedback.remember, answer.question, [p.passage.id for p in answer.passages]
            )
        except TalksBotError as exc:
            log.warning("no feedback buttons: %s", exc)
        else:
            view.add_item(VoteButton("up", key))
            view.add_item(VoteButton("down", key))
    return view if view.children else None
