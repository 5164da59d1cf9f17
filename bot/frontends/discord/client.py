"""The Discord client and its start-up.

:class:`TalksBot` is a ``commands.Bot`` with its dependencies (settings, the answer service)
injected; :func:`run_bot` is what ``python -m bot discord`` runs: read the token, set up
logging, build the index before connecting, connect, and close cleanly on SIGINT or SIGTERM.

Two environment variables point the bot at another Discord, for testing against a local fake
or going through a proxy: ``DISCORD_API_BASE`` (default ``https://discord.com/api/v10``) and
``DISCORD_GATEWAY_URL`` (default ``wss://gateway.discord.gg/``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import signal
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.answer.answerer import Answer
from bot.answer.filters import Filters
from bot.config import Settings
from bot.errors import TalksBotError
from bot.service.answer_service import AnswerService

log = logging.getLogger(__name__)

#: File in ``settings.cache_dir`` holding the hash of the command tree last synced.
COMMAND_HASH_FILE = "discord_commands.sha256"
API_BASE_ENV = "DISCORD_API_BASE"
GATEWAY_URL_ENV = "DISCORD_GATEWAY_URL"


class DiscordStartError(TalksBotError):
    """The bot cannot start (no token, token rejected, intents refused); says what to do."""


class UserCooldowns:
    """At most ``rate`` questions per ``per`` seconds per user, across /ask, DMs and mentions."""

    def __init__(self, rate: int, per: float) -> None:
        self.rate, self.per = rate, per
        self._buckets: dict[int, app_commands.Cooldown] = {}

    def retry_after(self, user_id: int) -> float | None:
        """Count one question; None if allowed, else the seconds to wait."""
        if len(self._buckets) > 10_000:  # forget users whose window has passed
            self._buckets = {u: b for u, b in self._buckets.items() if b.get_tokens() < b.rate}
        bucket = self._buckets.setdefault(user_id, app_commands.Cooldown(self.rate, self.per))
        return bucket.update_rate_limit()


class _TalksBotMixin:
    """Everything of the bot but the choice between a plain and an auto-sharded client."""

    def __init__(
        self,
        *,
        settings: Settings,
        service: AnswerService,
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
        self.settings = settings
        self.service = service
        self.force_sync = force_sync
        discord_settings = settings.discord
        self.cooldowns = UserCooldowns(
            discord_settings.cooldown_rate, discord_settings.cooldown_per
        )

    # -- lifecycle -------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        from bot.frontends.discord.cogs.ask import AskCog

        await self.add_cog(AskCog(self))  # type: ignore[attr-defined]
        await self.load_extension("bot.frontends.discord.cogs.admin")  # type: ignore[attr-defined]
        await self.load_extension("bot.frontends.discord.cogs.news")  # type: ignore[attr-defined]
        await self.sync_commands()

    async def on_ready(self) -> None:
        user = self.user  # type: ignore[attr-defined]
        guilds = len(self.guilds)  # type: ignore[attr-defined]
        log.info("ready as %s (id %s) in %d servers", user, getattr(user, "id", "?"), guilds)

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: questions in DMs and mentions are handled by the Ask cog."""

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """One bad event is logged (with its traceback) and never stops the bot; a user whose
        question failed is told so politely."""
        log.exception("error while handling %s", event_method)
        message = args[0] if args and isinstance(args[0], discord.Message) else None
        cog = self.get_cog("Ask")  # type: ignore[attr-defined]
        if event_method == "on_message" and message is not None and cog is not None:
            await cog.apologise(message)

    # -- answering -------------------------------------------------------------------------

    async def answer(self, question: str, filters: Filters | None = None) -> Answer:
        """Answer off the event loop, so the gateway heartbeat never waits for retrieval.

        ``filters`` (dates, outlets) apply inside retrieval; a bad one raises FilterError.
        """
        return await asyncio.to_thread(self.service.answer, question, filters=filters)

    # -- command sync ----------------------------------------------------------------------

    def commands_hash(self) -> str:
        """A hash of what a sync would send: the command definitions and where they go."""
        tree: app_commands.CommandTree = self.tree  # type: ignore[attr-defined]
        payload = sorted((c.to_dict(tree) for c in tree.get_commands()), key=lambda c: c["name"])
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
        deployment the process running shard 0 syncs. Returns whether a sync happened.
        """
        hash_file = self.settings.cache_dir / COMMAND_HASH_FILE
        digest = self.commands_hash()
        if not self.force_sync:
            if not self._runs_first_shard():
                log.info("slash commands are synced by the process running shard 0")
                return False
            with contextlib.suppress(OSError):
                if hash_file.read_text(encoding="utf-8").strip() == digest:
                    log.info("slash commands unchanged since the last sync; not syncing")
                    return False
        tree: app_commands.CommandTree = self.tree  # type: ignore[attr-defined]
        try:
            guilds = self.settings.discord.sync_guilds
            if guilds:
                for guild_id in guilds:
                    guild = discord.Object(guild_id)
                    tree.copy_global_to(guild=guild)
                    synced = await tree.sync(guild=guild)
                    log.info("synced %d slash commands to server %s", len(synced), guild_id)
            else:
                synced = await tree.sync()
                log.info("synced %d slash commands globally", len(synced))
        except discord.HTTPException as exc:
            log.error("could not sync slash commands (%s); will retry at next start", exc)
            return False
        _write_atomically(hash_file, digest + "\n")
        return True


class TalksBot(_TalksBotMixin, commands.Bot):
    """The bot on one connection (no sharding)."""


class ShardedTalksBot(_TalksBotMixin, commands.AutoShardedBot):
    """The bot running ``discord.shard_ids`` of ``discord.shard_count`` shards."""


def create_bot(
    settings: Settings, service: AnswerService, *, force_sync: bool = False, **options: Any
) -> TalksBot | ShardedTalksBot:
    """The bot for these settings: auto-sharded when ``discord.shard_count`` is set."""
    d = settings.discord
    if d.shard_count is not None:
        shard_ids = list(d.shard_ids) if d.shard_ids is not None else None
        return ShardedTalksBot(
            settings=settings,
            service=service,
            force_sync=force_sync,
            shard_count=d.shard_count,
            shard_ids=shard_ids,
            **options,
        )
    return TalksBot(settings=settings, service=service, force_sync=force_sync, **options)


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not record the command hash in %s: %s", path, exc)


def apply_endpoint_overrides(environ: Mapping[str, str]) -> None:
    """Honour ``DISCORD_API_BASE`` and ``DISCORD_GATEWAY_URL`` (a local fake, or a proxy)."""
    base = environ.get(API_BASE_ENV, "").strip()
    if base:
        discord.http.Route.BASE = base.rstrip("/")
        log.warning("using the Discord API at %s (from %s)", base, API_BASE_ENV)
    gateway = environ.get(GATEWAY_URL_ENV, "").strip()
    if gateway:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
        log.warning("using the Discord gateway at %s (from %s)", gateway, GATEWAY_URL_ENV)


def run_bot(
    settings: Settings,
    *,
    force_sync: bool = False,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run the bot until SIGINT or SIGTERM (exit status 0).

    Raises
    ------
    DiscordStartError
        No token in the environment, Discord rejected it, or it refused the intents.
    """
    environ = os.environ if environ is None else environ
    token_env = settings.discord.token_env
    token = environ.get(token_env, "").strip()
    if not token:
        raise DiscordStartError(
            f"no Discord token: set the {token_env} environment variable to your bot's token "
            "(Discord Developer Portal > your application > Bot > Reset Token)"
        )
    level = settings.discord.log_level or settings.log_level
    discord.utils.setup_logging(level=getattr(logging, level), root=True)
    apply_endpoint_overrides(environ)
    log.info("loading the corpus from %s", settings.corpus.path)
    service = AnswerService(settings)  # built before the event loop starts: it never blocks it
    summary = service.summary()
    log.info("indexed %d articles (%d passages)", len(summary.articles), summary.passages)
    return asyncio.run(serve(settings, service, token, force_sync=force_sync))


async def serve(
    settings: Settings, service: AnswerService, token: str, *, force_sync: bool = False
) -> int:
    """Connect and answer until a signal arrives; then close the connection and return 0."""
    bot = create_bot(settings, service, force_sync=force_sync)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)  # only possible in the main thread
    token_env = settings.discord.token_env
    try:
        async with bot:
            runner = asyncio.create_task(bot.start(token), name="discord-client")
            stopper = asyncio.create_task(stop.wait(), name="signal-wait")
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                log.info("signal received: closing the connection to Discord")
                await bot.close()
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await runner
                return 0
            stopper.cancel()
            runner.result()
            return 0
    except discord.LoginFailure:
        raise DiscordStartError(
            f"Discord rejected the token in {token_env}: copy a fresh token from the Discord "
            "Developer Portal (your application > Bot > Reset Token) into it"
        ) from None
    except discord.PrivilegedIntentsRequired:
        raise DiscordStartError(
            "Discord refused a privileged intent; this bot needs none, so check for a modified "
            "intents setting"
        ) from None
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
