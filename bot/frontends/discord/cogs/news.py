"""News features on Discord: ``/timeline`` and the *Find sources* message context menu.

Filters (``since``/``until``/``source`` options) are parsed and checked by
:mod:`bot.frontends.discord.options` before any work is done. *Find sources* (right-click a
message → Apps) fact-checks a claim someone posted: it answers, to the presser only, with the
passages that bear on the message's text.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.filters import FilterError
from bot.frontends.discord.asking import answering, refused
from bot.frontends.discord.messaging import defer, send_reply
from bot.frontends.discord.options import (
    FILTER_DESCRIPTIONS,
    check_filters,
    source_autocomplete,
)
from bot.frontends.discord.resources import resources_of
from bot.frontends.discord.views import answer_view
from bot.render.discord.pages import render_timeline
from bot.render.discord.replies import render_answer, render_notice, render_problem

log = logging.getLogger(__name__)

TOPIC_MAX = 300
FIND_SOURCES = "Find sources"
NO_TEXT = "That message has no text I can look up."


class NewsCog(commands.Cog, name="News"):
    """Timelines and fact-checking a message."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.resources = resources_of(bot)
        self.find_sources_menu = app_commands.ContextMenu(
            name=FIND_SOURCES, callback=self.find_sources
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.find_sources_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(FIND_SOURCES, type=discord.AppCommandType.message)

    @app_commands.command(name="timeline")
    @app_commands.describe(
        topic="What to trace through the articles, e.g. the lagoon withdrawal",
        **FILTER_DESCRIPTIONS,
        private="Show the timeline to you only",
    )
    @app_commands.autocomplete(source=source_autocomplete)
    async def timeline(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Range[str, 1, TOPIC_MAX],
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        private: bool = False,
    ) -> None:
        """How a story evolved: the passages about a topic, oldest first, each dated and cited."""
        res = self.resources
        if await refused(res, interaction):
            return
        try:
            filters = await asyncio.to_thread(check_filters, res.service, since, until, source)
        except FilterError as exc:
            await send_reply(interaction, render_problem(str(exc)), ephemeral=True)
            return
        async with answering(res, interaction):
            await defer(interaction, ephemeral=private)
            timeline = await res.in_questions(res.service.timeline, topic, filters)
            reply = render_timeline(timeline, filters.describe())
            await send_reply(interaction, reply, ephemeral=private)

    async def find_sources(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """The passages bearing on a message's text, shown to the presser only."""
        res = self.resources
        text = " ".join(message.content.split())
        if not text:
            await send_reply(interaction, render_notice(NO_TEXT), ephemeral=True)
            return
        if await refused(res, interaction):
            return
        async with answering(res, interaction):
            await defer(interaction, ephemeral=True)
            answer = await res.answer(text)
            reply = render_answer(answer, heading="Sources for: ")
            view = answer_view(res, answer, reply, votes=False)
            await send_reply(interaction, reply, ephemeral=True, view=view)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point: ``bot.load_extension("bot.frontends.discord.cogs.news")``."""
    await bot.add_cog(NewsCog(bot))
