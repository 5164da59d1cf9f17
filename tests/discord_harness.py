"""Running the real bot in-process against the fake Discord, with its dependencies injected.

For tests that need to control what the process cannot show from outside: a slow or failing
answer service, corpus hooks (``/add``, feeds), a shutdown at a chosen moment. Everything the
bot sends still goes over real sockets to :class:`fakediscord.FakeDiscord`.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import yarl
from fakediscord import FakeDiscord, SentMessage

from bot.answer.answerer import Answer
from bot.config.settings import Settings, load_settings
from bot.frontends.discord.client import TalksBot, create_bot
from bot.frontends.discord.hooks import CorpusHooks
from bot.service.answer_service import AnswerService
from tests.conftest import REPO

INVENTED = REPO / "tests" / "fixtures" / "invented"


class SlowService(AnswerService):
    """The real service, except that a question containing "slow" takes ``delay`` seconds and
    one containing "boom" raises."""

    delay = 0.5

    def answer(self, question: str, *args: Any, **kwargs: Any) -> Answer:
        if "boom" in question:
            raise RuntimeError("the index exploded")
        if "slow" in question:
            time.sleep(self.delay)
        return super().answer(question.replace("slow", "").strip(), *args, **kwargs)


def corpus_copy(folder: Path, source: Path = INVENTED) -> Path:
    """A private copy of a corpus, for tests that edit or add articles."""
    shutil.copytree(source, folder, dirs_exist_ok=True)
    return folder


def settings_for(tmp: Path, *overrides: str, corpus: Path = INVENTED) -> Settings:
    return load_settings(
        REPO / "config.yaml",
        [
            f"corpus.path={corpus}",
            f"cache_dir={tmp / 'cache'}",
            "collapse.enabled=false",
            *overrides,
        ],
    )


@contextlib.asynccontextmanager
async def fake_discord(**options: Any) -> AsyncIterator[FakeDiscord]:
    """A fake Discord, with discord.py pointed at it for the duration."""
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    async with FakeDiscord(**options) as fake:
        discord.http.Route.BASE = fake.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
        try:
            yield fake
        finally:
            discord.http.Route.BASE = base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeDiscord,
    settings: Settings,
    service: AnswerService,
    *,
    hooks: CorpusHooks | None = None,
    sync: bool = True,
) -> AsyncIterator[TalksBot]:
    """The bot, connected and ready (commands synced), closed afterwards."""
    bot = create_bot(settings, service, hooks=hooks, force_sync=sync, guild_ready_timeout=0.05)
    assert isinstance(bot, TalksBot)
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await fake.wait_for_ready()
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        yield bot
    finally:
        if not bot.is_closed():
            await bot.close()
        bot.resources.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(task, 5)


async def slash(
    fake: FakeDiscord, name: str, user: dict[str, Any] | None = None, **options: Any
) -> tuple[Any, SentMessage]:
    """Run ``/name`` (as a fresh user unless ``user``); the interaction and the bot's reply."""
    user = user or fake.add_user(f"{name}-user{len(fake.interactions)}")
    interaction = await fake.send_slash_command(name, options, user=user)
    sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id, timeout=10)
    return interaction, sent


def custom_ids(body: dict[str, Any], prefix: str) -> list[str]:
    buttons = [b for row in body.get("components") or [] for b in row["components"]]
    return [b["custom_id"] for b in buttons if b.get("custom_id", "").startswith(prefix)]


def description(sent: SentMessage) -> str:
    return str(sent.body["embeds"][0].get("description", ""))


def unescaped(text: str, token: str) -> list[int]:
    """Positions of ``token`` in ``text`` outside backslash escapes, scanning as Markdown does."""
    found, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(token, i):
            found.append(i)
            i += len(token)
        else:
            i += 1
    return found
