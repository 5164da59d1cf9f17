"""Running the bot as a process: ``python -m bot discord``.

:func:`run_bot` reads the token, sets up logging, builds the index before connecting, then
:func:`serve` connects and answers until SIGINT or SIGTERM, when answers in flight get a grace
period before the connection closes (exit 0).

Start-up is bounded: logging in, and the first gateway connection up to READY, each get
``discord.connect_timeout_seconds``. When Discord cannot be reached the process says in one
line what failed -- the DNS lookup, a refused connection, or a timeout -- and exits 2, instead
of retrying for ever. Once the bot has been ready, a lost gateway connection is discord.py's
to resume or re-establish, as it does.

Logging: discord.py's own loggers are capped at INFO whatever the configured level, because
at DEBUG they print gateway payloads (what users wrote) and interaction tokens; and its
warnings about missing voice libraries are switched off (this bot never uses voice).

Two environment variables point the bot at another Discord, for testing against a local fake
or going through a proxy: ``DISCORD_API_BASE`` (default ``https://discord.com/api/v10``) and
``DISCORD_GATEWAY_URL`` (default ``wss://gateway.discord.gg/``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import ssl
from collections.abc import Iterator, Mapping

import aiohttp
import discord
import yarl

from bot.config.settings import Settings
from bot.errors import TalksBotError
from bot.frontends.discord.client import ShardedTalksBot, TalksBot, create_bot
from bot.frontends.discord.hooks import CorpusHooks, hooks_from_settings
from bot.service.answer_service import AnswerService

log = logging.getLogger(__name__)

API_BASE_ENV = "DISCORD_API_BASE"
GATEWAY_URL_ENV = "DISCORD_GATEWAY_URL"
#: discord.py's loggers that log payloads at DEBUG; all of ``discord`` is capped at INFO.
LIBRARY_LOGGER = "discord"


class DiscordStartError(TalksBotError):
    """The bot cannot start (no token, token rejected, Discord unreachable); says what to do."""


def configure_logging(level_name: str) -> None:
    """Our level for our loggers; never below INFO for discord.py's (no payloads, no tokens)."""
    level = getattr(logging, level_name)
    discord.utils.setup_logging(level=level, root=True)
    logging.getLogger(LIBRARY_LOGGER).setLevel(max(level, logging.INFO))
    # discord.py warns at every start that PyNaCl and davey (voice support) are missing
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


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
        No token in the environment, Discord rejected it or a privileged intent, or Discord
        could not be reached in time.
    """
    environ = os.environ if environ is None else environ
    token_env = settings.discord.token_env
    token = environ.get(token_env, "").strip()
    if not token:
        raise DiscordStartError(
            f"no Discord token: set the {token_env} environment variable to your bot's token "
            "(Discord Developer Portal > your application > Bot > Reset Token)"
        )
    configure_logging(settings.discord.log_level or settings.log_level)
    apply_endpoint_overrides(environ)
    log.info("loading the corpus from %s", settings.corpus.path)
    service = AnswerService(settings)  # built before the event loop starts: it never blocks it
    summary = service.summary()
    log.info("indexed %d articles (%d passages)", len(summary.articles), summary.passages)
    hooks = hooks_from_settings(settings)
    return asyncio.run(serve(settings, service, token, hooks=hooks, force_sync=force_sync))


@contextlib.contextmanager
def _signals(stop: asyncio.Event) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)  # only possible in the main thread
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)


async def serve(
    settings: Settings,
    service: AnswerService,
    token: str,
    *,
    hooks: CorpusHooks | None = None,
    force_sync: bool = False,
) -> int:
    """Connect and answer until a signal arrives; then shut down gracefully and return 0."""
    bot = create_bot(settings, service, hooks=hooks, force_sync=force_sync)
    stop = asyncio.Event()
    token_env = settings.discord.token_env
    try:
        with _signals(stop):
            async with bot:
                runner = await start(bot, token, settings.discord.connect_timeout_seconds)
                stopper = asyncio.create_task(stop.wait(), name="signal-wait")
                done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if stopper in done:
                    log.info("signal received: closing the connection to Discord")
                    await bot.shutdown()
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


class _FirstFailure(logging.Filter):
    """Until the first READY, discord.py's "reconnecting" tracebacks end the start instead."""

    def __init__(self) -> None:
        super().__init__()
        self.error: BaseException | None = None
        self.seen = asyncio.Event()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            self.error = record.exc_info[1]
            self.seen.set()
            return False
        return True


async def start(bot: TalksBot | ShardedTalksBot, token: str, timeout: float) -> asyncio.Task[None]:
    """Log in, then connect until the gateway's READY, each within ``timeout`` seconds;
    return the running connection.

    Raises
    ------
    DiscordStartError
        Discord could not be reached (one line: DNS, refused, timed out, TLS).
    discord.LoginFailure, discord.PrivilegedIntentsRequired
        As discord.py raises them.
    """
    api = yarl.URL(discord.http.Route.BASE)
    try:
        await asyncio.wait_for(bot.login(token), timeout)
    except (TimeoutError, OSError, aiohttp.ClientError) as exc:
        raise DiscordStartError(unreachable("the Discord API", api, exc, timeout)) from None
    gateway = yarl.URL(str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY))
    watch = _FirstFailure()
    loggers = [logging.getLogger(f"{LIBRARY_LOGGER}.{name}") for name in ("client", "shard")]
    for logger in loggers:
        logger.addFilter(watch)
    connected = asyncio.create_task(bot.wait_for("connect"))  # dispatched on READY
    waits = {connected, asyncio.create_task(watch.seen.wait())}
    runner = asyncio.create_task(bot.connect(), name="discord-client")
    try:
        done, _ = await asyncio.wait(
            {runner, *waits}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        for logger in loggers:
            logger.removeFilter(watch)
        for task in waits:
            task.cancel()
    if connected in done and not connected.cancelled():
        return runner
    if runner in done:
        runner.result()  # LoginFailure, PrivilegedIntentsRequired, ...: raised as they are
    runner.cancel()
    await bot.close()
    error = watch.error or TimeoutError()
    raise DiscordStartError(unreachable("the Discord gateway", gateway, error, timeout))


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException | None] = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack += [current.__cause__, current.__context__, getattr(current, "os_error", None)]


def unreachable(what: str, url: yarl.URL, error: BaseException, timeout: float) -> str:
    """One line saying why ``what`` at ``url`` could not be reached."""
    where = f"{url.host}:{url.port}" if url.port else str(url.host)
    causes = list(_causes(error))
    if any(isinstance(c, (socket.gaierror, aiohttp.ClientConnectorDNSError)) for c in causes):
        reason = f"the DNS lookup of {url.host} failed"
    elif any(isinstance(c, ConnectionRefusedError) for c in causes):
        reason = f"the connection to {where} was refused"
    elif any(isinstance(c, (ssl.SSLError, aiohttp.ClientSSLError)) for c in causes):
        reason = f"the secure (TLS) connection to {where} failed"
    elif any(isinstance(c, TimeoutError) for c in causes):
        reason = f"{where} did not answer within {timeout:g} s"
    else:
        reason = f"{type(error).__name__}: {error}".rstrip(": ")
    return (
        f"cannot reach {what} at {url}: {reason}; check the network (and "
        f"{API_BASE_ENV} / {GATEWAY_URL_ENV} if set), or raise discord.connect_timeout_seconds"
    )
