"""News features on Discord: ``/timeline``, outlet autocompletion, and the persistent buttons
("More context", 👍/👎) that :mod:`bot.frontends.discord.views` puts on answers.

Filters (``since``/``until``/``source`` options, or ``since:… source:… question`` typed in a DM
or mention) are parsed by :mod:`bot.answer.filters`; :func:`check_filters` turns a bad one into a
polite message listing what is valid, before any work is done.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.filters import (
    FilterError,
    Filters,
    make_filters,
)
from bot.frontends.discord.views import DYNAMIC_ITEMS
from bot.render.discord.news import render_filter_error, render_timeline
from bot.render.discord.replies import render_notice
from bot.service.feedback import FeedbackLog

if TYPE_CHECKING:
    from bot.frontends.discord.client import TalksBot

log = logging.getLogger(__name__)

TOPIC_MAX = 300
#: Distinct (user, answer) votes remembered in memory to refuse double votes (never logged).
_VOTES_REMEMBERED = 50_000


def check_filters(
    bot: TalksBot, since: str | None, until: str | None, source: str | None
) -> Filters:
    """Parse and validate option values against the current corpus.

    Raises
    ------
    FilterError
        With the message to show (valid date formats, known outlets, the corpus's dates).
    """
    # outlets spelt as the corpus spells them; unknown outlets and empty selections raise
    return bot.service.validate(make_filters(since, until, [source] if source else []))


async def source_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Outlets from the corpus containing what has been typed (prefix matches first)."""
    client = interaction.client
    service = client.service  # type: ignore[attr-defined]
    return [
        app_commands.Choice(name=name[:100], value=name[:100])
        for name in service.outlets(current)[:25]
    ]


class NewsCog(commands.Cog, name="News"):
    """Timelines and the answer buttons."""

    def __init__(self, bot: TalksBot) -> None:
        self.bot = bot
        self.feedback = FeedbackLog.from_settings(bot.settings)
        self._voted: set[tuple[int, str]] = set()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    def first_vote(self, user_id: int, key: str) -> bool:
        """Whether this user has not voted on this answer yet (since the bot started)."""
        if (user_id, key) in self._voted:
            return False
        if len(self._voted) >= _VOTES_REMEMBERED:
            self._voted.clear()
        self._voted.add((user_id, key))
        return True

    @app_commands.command(name="timeline")
    @app_commands.describe(
        topic="What to trace through the articles, e.g. the lagoon withdrawal",
        since="Only articles from this date on: YYYY-MM-DD, YYYY-MM or YYYY",
        until="Only articles up to this date (inclusive): YYYY-MM-DD, YYYY-MM or YYYY",
        source="Only articles from this outlet",
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
        retry_after = self.bot.cooldowns.retry_after(interaction.user.id)
        if retry_after is not None:
            from bot.render.discord.replies import cooldown_text

            await interaction.response.send_message(
                embed=render_notice(cooldown_text(retry_after)).embed, ephemeral=True
            )
            return
        try:
            filters = check_filters(self.bot, since, until, source)
        except FilterError as exc:
            await interaction.response.send_message(
                embed=render_filter_error(str(exc)).embed, ephemeral=True
            )
            return
        await interaction.response.defer(thinking=True, ephemeral=private)
        timeline = await asyncio.to_thread(self.bot.service.timeline, topic, filters)
        reply = render_timeline(timeline, filters.describe())
        await interaction.followup.send(embed=reply.embed, ephemeral=private)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point: ``bot.load_extension("bot.frontends.discord.cogs.news")``."""
    await bot.add_cog(NewsCog(bot))  # type: ignore[arg-type]
