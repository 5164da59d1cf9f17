"""``python -m bot discord`` when Discord cannot be reached (issue 11): one line saying what
failed and exit 2, within the configured timeout; no voice warnings at start; and once the bot
has been ready, a lost gateway connection is discord.py's to re-establish."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from fakediscord import FakeDiscord
from fakediscord.botprocess import BotProcess, kill_leftovers

from tests.discord_harness import INVENTED

pytestmark = pytest.mark.asyncio


def overrides(tmp_path: Path, *extra: str) -> list[str]:
    return [
        f"corpus.path={INVENTED}",
        f"cache_dir={tmp_path / 'cache'}",
        "collapse.enabled=false",
        "discord.connect_timeout_seconds=2",
        *extra,
    ]


def closed_port() -> int:
    """A local port nothing listens on (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest_asyncio.fixture
async def silent() -> AsyncIterator[int]:
    """A local port that accepts connections and never says a word."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.close()
    server.close()


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server
    kill_leftovers()


def one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("talks-bot: error:")]
    assert len(lines) == 1, output
    assert "Traceback" not in output, output
    return lines[0]


async def fails(tmp_path: Path, env: dict[str, str], fake: FakeDiscord | None = None) -> str:
    token = fake.token if fake else "t0ken"
    bot = BotProcess(fake, tmp_path, overrides=overrides(tmp_path), token=token, env=env)
    await bot.start()
    assert await bot.wait(30) == 2, bot.output
    return one_line_error(bot.output)


async def test_unreachable_api_says_why_and_exits_2(tmp_path: Path, silent: int) -> None:
    refused, dns, mute = await asyncio.gather(
        fails(tmp_path / "r", {"DISCORD_API_BASE": f"http://127.0.0.1:{closed_port()}/api/v10"}),
        fails(tmp_path / "d", {"DISCORD_API_BASE": "http://discord.invalid/api/v10"}),
        fails(tmp_path / "m", {"DISCORD_API_BASE": f"http://127.0.0.1:{silent}/api/v10"}),
    )
    assert "cannot reach the Discord API" in refused and "was refused" in refused
    assert "the DNS lookup of discord.invalid failed" in dns
    assert f"127.0.0.1:{silent} did not answer within 2 s" in mute


async def test_unreachable_gateway_says_why_and_exits_2(
    tmp_path: Path, fake: FakeDiscord, silent: int
) -> None:
    port = closed_port()
    refused, mute = await asyncio.gather(
        fails(tmp_path / "r", {"DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{port}/"}, fake),
        fails(tmp_path / "m", {"DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{silent}/"}, fake),
    )
    assert "cannot reach the Discord gateway" in refused and "was refused" in refused
    assert "cannot reach the Discord gateway" in mute and "did not answer within 2 s" in mute


async def test_a_lost_session_after_start_is_reestablished(tmp_path: Path, fake: FakeDiscord):
    bot = await BotProcess(fake, tmp_path, overrides=overrides(tmp_path)).start_synced()
    try:
        assert "PyNaCl" not in bot.output and "davey" not in bot.output  # no voice warnings
        await fake.wait_until(lambda: "ready as" in bot.output, timeout=10)  # started
        await fake.drop_gateway(4000, invalidate=True)  # the session cannot be resumed
        await fake.wait_until(lambda: len(fake.identifies) >= 2, timeout=30)
        await fake.wait_for_ready()
        n = len(fake.sent)
        await fake.send_message(
            "Who is Bartholomew Quillfeather?", user=fake.add_user("x"), dm=True
        )
        sent = await fake.wait_for_sent(lambda m: m.route == "channel", after=n, timeout=10)
        assert "Quillfeather" in sent.body["embeds"][0]["description"]
    finally:
        assert await bot.stop() == 0, bot.output
    assert "Traceback" not in bot.output
