"""Administration: ``/reload`` and reload on SIGHUP (owner only), and ``/add url``.

Reloads re-read the corpus through :meth:`bot.service.AnswerService.reload` in the chores pool,
so the event loop (and the gateway heartbeat) never waits for indexing, and questions asked
meanwhile are answered from the old index. Only changed articles are re-analysed; a failed
reload keeps the old index and says why. Concurrent reloads are serialised by the service.

``/reload`` is hidden from members without the Administrator permission, ``/add`` from members
without Manage Server (defaults a server can change per role under Server Settings →
Integrations). Both check again when run: ``/reload`` is for the bot's owner (the application
owner or a member of its team), ``/add`` for the owner and members holding one of
``discord.add_roles``. ``/add`` fetches the page through the injected
:attr:`CorpusHooks.add <bot.frontends.discord.hooks.CorpusHooks.add>`, then reloads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import TalksBotError
from bot.frontends.discord.messaging import defer, send_reply
from bot.frontends.discord.resources import resources_of
from bot.render.discord.markdown import shorten_plain
from bot.render.discord.pages import render_new_article
from bot.render.discord.replies import render_notice, render_problem

if TYPE_CHECKING:
    from bot.frontends.discord.hooks import NewArticle
    from bot.service.answer_service import ReloadResult

log = logging.getLogger(__name__)

NOT_OWNER_TEXT = "Only the bot's owner can reload the articles."
NOT_ALLOWED_TEXT = "Only the bot's owner and members with an adding role can add articles."
NO_ADDING_TEXT = "Adding articles is not available on this bot."


class AdminCog(commands.Cog, name="Admin"):
    """Maintenance: reloading and adding articles."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.resources = resources_of(bot)
        self._sighup = False
        #: Reloads started by SIGHUP, held until they end: the event loop keeps only weak
        #: references to tasks, so an unreferenced one may be collected before it finishes.
        self.reload_tasks: set[asyncio.Task[ReloadResult]] = set()

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
        """Reload off the event loop (in the chores pool) and log the outcome."""
        log.info("reloading the articles (%s)", reason)
        result = await self.resources.in_chores(self.resources.service.reload)
        if result.ok:
            log.info("%s", result.describe())
        else:
            log.error("%s", result.describe())
        return result

    def _on_sighup(self) -> None:
        """Start a reload (a signal handler cannot await it), keeping the task until it ends."""
        task = asyncio.get_running_loop().create_task(self.reload("SIGHUP"), name="reload-sighup")
        self.reload_tasks.add(task)
        task.add_done_callback(self._sighup_done)

    def _sighup_done(self, task: asyncio.Task[ReloadResult]) -> None:
        """Forget the task, and log its exception: nobody awaits it, so unlogged it would only
        surface as "Task exception was never retrieved" whenever the task is collected."""
        self.reload_tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("reload on SIGHUP failed", exc_info=exc)

    @app_commands.command(name="reload")
    @app_commands.default_permissions(administrator=True)
    @app_commands.guild_only()
    async def reload_command(self, interaction: discord.Interaction) -> None:
        """Re-read the articles and swap in the new index (bot owner only)."""
        if not await self.bot.is_owner(interaction.user):
            await send_reply(interaction, render_notice(NOT_OWNER_TEXT), ephemeral=True)
            return
        await defer(interaction, ephemeral=True)
        result = await self.reload(f"/reload by user {interaction.user.id}")
        await send_reply(interaction, render_notice(result.describe()), ephemeral=True)

    async def may_add(self, user: discord.User | discord.Member) -> bool:
        """The owner, or a member holding one of ``discord.add_roles``."""
        if await self.bot.is_owner(user):
            return True
        allowed = set(self.resources.settings.discord.add_roles)
        return any(role.id in allowed for role in getattr(user, "roles", ()))

    @app_commands.command(name="add")
    @app_commands.describe(url="The web address (http or https) of a news article to add")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def add(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000]
    ) -> None:
        """Add a news article to the collection by its web address (moderators only)."""
        add_article = self.resources.hooks.add
        if not await self.may_add(interaction.user):
            await send_reply(interaction, render_notice(NOT_ALLOWED_TEXT), ephemeral=True)
            return
        if add_article is None:
            await send_reply(interaction, render_notice(NO_ADDING_TEXT), ephemeral=True)
            return
        await defer(interaction, ephemeral=True)
        try:
            outcome = await self.resources.in_chores(add_article, url.strip())
        except TalksBotError as exc:
            log.warning("/add %s failed: %s", url, exc)
            await send_reply(interaction, render_problem(str(exc)), ephemeral=True)
            return
        known = getattr(outcome, "article_id", None)
        if known is not None:
            text = f"That article is already in the collection, as {known}."
            await send_reply(interaction, render_problem(text), ephemeral=True)
            return
        added = cast("NewArticle", outcome)
        log.info("/add by user %s added %s", interaction.user.id, added.id)
        result = await self.reload(f"/add by user {interaction.user.id}")
        reply = render_new_article(added, heading="Added")
        status = "I answer from it now." if result.ok else result.describe()
        reply.embed.set_footer(text=shorten_plain(f"{added.passages} passages. {status}", 1000))
        await send_reply(interaction, reply, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point: ``bot.load_extension("bot.frontends.discord.cogs.admin")``."""
    await bot.add_cog(AdminCog(bot))
