"""Administration: the owner-only ``/reload`` command and reload on SIGHUP.

Both re-read the corpus through :meth:`bot.service.AnswerService.reload` in a worker thread,
so the event loop (and the gateway heartbeat) never waits for indexing, and questions asked
meanwhile are answered from the old index. Only changed articles are re-analysed; a failed
reload keeps the old index and says why. Concurrent reloads are serialised by the service.

``/reload`` is hidden from members without the Administrator permission (a default the server
can change), and whoever runs it must also be the bot's owner -- the application owner or a
member of its team, as Discord reports them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.render.discord.replies import render_notice

if TYPE_CHECKING:
    from bot.frontends.discord.client import TalksBot
    from bot.service.answer_service import ReloadResult

log = logging.getLogger(__name__)

NOT_OWNER_TEXT = "Only the bot's owner can reload the articles."


class AdminCog(commands.Cog, name="Admin"):
    """Owner-only maintenance."""

    def __init__(self, bot: TalksBot) -> None:
        self.bot = bot
        self._sighup = False

    async def cog_load(self) -> None:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            loop.add_signal_handler(signal.SIGHUP, self._on_sighup)  # main thread, POSIX only
            self._sighup = True
            log.info("send SIGHUP to this process to reload the articles")

    async def cog_unload(self) -> None:
        if self._sighup:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    async def reload(self, reason: str) -> ReloadResult:
        """Reload off the event loop and log the outcome."""
        log.info("reloading the articles (%s)", reason)
        result = await asyncio.to_thread(self.bot.service.reload)
        if result.ok:
            log.info("%s", result.describe())
        else:
            log.error("%s", result.describe())
        return result

    def _on_sighup(self) -> None:
        asyncio.get_running_loop().create_task(self.reload("SIGHUP"), name="reload-sighup")

    @app_commands.command(name="reload")
    @app_commands.default_permissions(administrator=True)
    @app_commands.guild_only()
    async def reload_command(self, interaction: discord.Interaction) -> None:
        """Re-read the articles and swap in the new index (bot owner only)."""
        if not await self.bot.is_owner(interaction.user):
            reply = render_notice(NOT_OWNER_TEXT)
            await interaction.response.send_message(embed=reply.embed, ephemeral=True)
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        result = await self.reload(f"/reload by {interaction.user} ({interaction.user.id})")
        await interaction.followup.send(embed=render_notice(result.describe()).embed)


async def setup(bot: TalksBot) -> None:
    await bot.add_cog(AdminCog(bot))
