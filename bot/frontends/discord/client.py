"""The Discord client: :class:`TalksBot`, a ``commands.Bot`` with its dependencies injected.

The bot holds the :class:`~bot.frontends.discord.resources.Resources` every cog and button
shares, loads its features as the extensions listed once in :data:`EXTENSIONS`, answers errors
in slash commands politely, syncs its commands only when they changed, and on shutdown lets
answers in flight finish (:meth:`shutdown`). Starting and stopping the process is
:mod:`bot.frontends.discord.startup`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.config.settings import Settings
from bot.corpus.files import write_atomic
from bot.frontends.discord.asking import ERROR_TEXT
from bot.frontends.discord.hooks import CorpusHooks
from bot.frontends.discord.messaging import send_private
from bot.frontends.discord.resources import Resources
from bot.frontends.discord.views import DYNAMIC_ITEMS
from bot.render.discord.replies import render_notice
from bot.service.answer_service import AnswerService

log = logging.getLogger(__name__)

#: The bot's features, one extension (module with ``setup``) each, loaded in this order.
EXTENSIONS = (
    "bot.frontends.discord.cogs.ask",
    "bot.frontends.discord.cogs.news",
    "bot.frontends.discord.cogs.admin",
    "bot.frontends.discord.cogs.feeds",
)
#: File in ``settings.cache_dir`` recording the last sync: its hash and where it went.
COMMAND_STATE_FILE = "discord_commands.json"


class _TalksBotMixin:
    """Everything of the bot but the choice between a plain and an auto-sharded client."""

    tree: app_commands.CommandTree[Any]

    def __init__(
        self,
        *,
        settings: Settings,
        service: AnswerService,
        hooks: CorpusHooks | None = None,
        force_sync: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(  # type: ignore[call-arg]
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents.default(),  # no privileged intent is needed
            allowed_mentions=discord.AllowedMentions.none(),  # no reply can ping anyone
            **options,
        )
        self.resources = Resources(settings, service, hooks or CorpusHooks())
        self.settings = settings
        self.force_sync = force_sync

    # -- lifecycle -------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        for extension in EXTENSIONS:
            await self.load_extension(extension)  # type: ignore[attr-defined]
        self.add_dynamic_items(*DYNAMIC_ITEMS)  # type: ignore[attr-defined]
        await self.sync_commands()
        self.resources.watch()

    async def on_ready(self) -> None:
        user = self.user  # type: ignore[attr-defined]
        guilds = len(self.guilds)  # type: ignore[attr-defined]
        log.info("ready as %s (id %s) in %d servers", user, getattr(user, "id", "?"), guilds)

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: questions in DMs and mentions are handled by the Ask cog."""

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """One bad event is logged (with its traceback) and never stops the bot."""
        log.exception("error while handling %s", event_method)

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Log the traceback; tell the user politely, and only them.

        When Discord refused the reply for reasons of its own (an expired interaction, a
        server error), that is one line; a 400 means the bot sent something invalid, a bug
        worth its traceback.
        """
        original = getattr(error, "original", error)
        command = interaction.command.name if interaction.command else "?"
        if isinstance(original, discord.HTTPException) and original.status != 400:
            log.warning("Discord refused the reply to /%s: %s", command, original)
            return
        log.error(
            "error in /%s", command, exc_info=(type(original), original, original.__traceback__)
        )
        try:
            await send_private(interaction, render_notice(ERROR_TEXT))
        except discord.HTTPException as exc:
            log.warning("could not tell the user about the error: %s", exc)

    async def shutdown(self, grace: float | None = None) -> None:
        """Stop taking questions, let those in flight finish for up to ``grace`` seconds
        (``discord.shutdown_grace_seconds``), then close the connection."""
        grace = self.settings.discord.shutdown_grace_seconds if grace is None else grace
        cancelled = await self.resources.inflight.drain(grace)
        if cancelled:
            log.warning(
                "%d answer(s) did not finish within %g s; their users were told", cancelled, grace
            )
        await self.close()  # type: ignore[attr-defined]
        self.resources.close()

    # -- command sync ----------------------------------------------------------------------

    def commands_hash(self) -> str:
        """A hash of what a sync would send: the command definitions and where they go."""
        tree = self.tree
        payload = sorted(
            (c.to_dict(tree) for c in tree.get_commands()), key=lambda c: (c["type"], c["name"])
        )
        target = {
            "application": self.application_id,  # type: ignore[attr-defined]
            "guilds": sorted(self.settings.discord.sync_guilds),
            "commands": payload,
        }
        return hashlib.sha256(json.dumps(target, sort_keys=True).encode()).hexdigest()

    def _runs_first_shard(self) -> bool:
        shard_ids = getattr(self, "shard_ids", None)
        return shard_ids is None or 0 in shard_ids

    async def sync_commands(self) -> bool:
        """Sync the command tree if it changed since the last sync (or ``force_sync``).

        Discord rate-limits syncs, so restarts with unchanged commands skip it. In a sharded
        deployment the process running shard 0 syncs. Commands go either to every server
        (global) or to ``discord.sync_guilds``; the scope not used is cleared, so switching
        between the two never leaves both sets (and duplicate commands) behind. Returns
        whether a sync happened.
        """
        state_file = self.settings.cache_dir / COMMAND_STATE_FILE
        previous = _read_state(state_file)
        digest = self.commands_hash()
        if not self.force_sync:
            if not self._runs_first_shard():
                log.info("slash commands are synced by the process running shard 0")
                return False
            if previous.get("hash") == digest:
                log.info("slash commands unchanged since the last sync; not syncing")
                return False
        guilds = list(self.settings.discord.sync_guilds)
        try:
            await self._sync_to(guilds)
            await self._clear_other_scope(guilds, previous.get("guilds") or [])
        except discord.HTTPException as exc:
            log.error("could not sync slash commands (%s); will retry at next start", exc)
            return False
        _write_atomically(state_file, json.dumps({"hash": digest, "guilds": guilds}) + "\n")
        return True

    async def _sync_to(self, guilds: list[int]) -> None:
        tree = self.tree
        if not guilds:
            synced = await tree.sync()
            log.info("synced %d slash commands globally", len(synced))
        for guild_id in guilds:
            guild = discord.Object(guild_id)
            tree.copy_global_to(guild=guild)
            synced = await tree.sync(guild=guild)
            log.info("synced %d slash commands to server %s", len(synced), guild_id)

    async def _clear_other_scope(self, guilds: list[int], previous: list[int]) -> None:
        """Remove commands from where they no longer go: every server synced before and not
        now, and the global scope when syncing to servers."""
        http = self.http  # type: ignore[attr-defined]
        app_id = self.application_id  # type: ignore[attr-defined]
        if guilds:
            await http.bulk_upsert_global_commands(app_id, payload=[])
            log.info("cleared the global slash commands (syncing to servers instead)")
        for guild_id in sorted(set(previous) - set(guilds)):
            await http.bulk_upsert_guild_commands(app_id, guild_id, payload=[])
            log.info("cleared the slash commands of server %s", guild_id)


class TalksBot(_TalksBotMixin, commands.Bot):
    """The bot on one connection (no sharding)."""


class ShardedTalksBot(_TalksBotMixin, commands.AutoShardedBot):
    """The bot running ``discord.shard_ids`` of ``discord.shard_count`` shards."""


def create_bot(
    settings: Settings,
    service: AnswerService,
    *,
    hooks: CorpusHooks | None = None,
    force_sync: bool = False,
    **options: Any,
) -> TalksBot | ShardedTalksBot:
    """The bot for these settings: auto-sharded when ``discord.shard_count`` is set."""
    d = settings.discord
    if d.shard_count is not None:
        options.update(
            shard_count=d.shard_count,
            shard_ids=list(d.shard_ids) if d.shard_ids is not None else None,
        )
        cls: type[TalksBot | ShardedTalksBot] = ShardedTalksBot
    else:
        cls = TalksBot
    return cls(settings=settings, service=service, hooks=hooks, force_sync=force_sync, **options)


def _read_state(path: Path) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        state = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(state, dict):
            return state
    return {}


def _write_atomically(path: Path, text: str) -> None:
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        log.warning("could not record the command sync in %s: %s", path, exc)
