"""A minimal real discord.py bot for testing the fake Discord itself, and the fixture that
points discord.py at a fresh fake."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord
import pytest
import pytest_asyncio
import yarl
from discord import app_commands
from discord.ext import commands

from .server import FakeDiscord


@pytest_asyncio.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
        monkeypatch.setattr(
            discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url)
        )
        yield server


class MiniBot(commands.Bot):
    def __init__(self, guild_id: int | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.05,
        )
        self.guild_id = guild_id
        self.seen: list[discord.Message] = []
        self.steps: asyncio.Queue[tuple[str, bool] | None] = asyncio.Queue()
        self.outcomes: list[discord.Message | discord.HTTPException] = []

        @self.tree.command()
        @app_commands.describe(text="What to echo back")
        async def echo(interaction: discord.Interaction, text: str) -> None:
            """Echo the text."""
            await interaction.response.defer(thinking=True)
            await interaction.followup.send(embed=discord.Embed(title=text, description="d" * 10))

        @self.tree.command()
        async def big(interaction: discord.Interaction) -> None:
            """Send an embed over Discord's limit."""
            try:
                await interaction.response.send_message(embed=discord.Embed(description="x" * 5000))
            except discord.HTTPException as exc:
                self.error = exc

        @self.tree.command()
        @app_commands.describe(private="Defer ephemerally")
        async def later(interaction: discord.Interaction, private: bool = False) -> None:
            """Defer, then send a follow-up for each (text, ephemeral) the test puts in steps."""
            await interaction.response.defer(thinking=True, ephemeral=private)
            while (step := await self.steps.get()) is not None:
                text, ephemeral = step
                try:
                    message = await interaction.followup.send(text, ephemeral=ephemeral, wait=True)
                    self.outcomes.append(message)
                except discord.HTTPException as exc:
                    self.outcomes.append(exc)

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id) if self.guild_id else None
        if guild:
            self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message)
        if message.author.bot:
            return
        await message.reply(f"heard: {message.content}")


def guild_channel(bot: commands.Bot, fake: FakeDiscord) -> discord.TextChannel:
    """The fake guild's text channel as the bot's cache has it."""
    channel = bot.get_channel(int(fake.channel_id))
    assert isinstance(channel, discord.TextChannel)
    return channel


@contextlib.asynccontextmanager
async def running(bot: commands.Bot, token: str) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(bot.start(token))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        yield task
    finally:
        await bot.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
