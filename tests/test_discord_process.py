"""``python -m bot discord`` as a process: token errors, signals, sync only when commands change,
and shard ranges. Each test starts its own bot against its own fake Discord."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
import pytest_asyncio
from fakediscord import FakeDiscord
from fakediscord.botprocess import REPO, BotProcess, kill_leftovers

INVENTED = REPO / "tests" / "fixtures" / "invented"
COMMANDS = {"ask", "sources", "help", "reload", "timeline", "add", "Find sources"}
NEW_DESCRIPTION = "Only articles from this outlet (as a newer release words it)"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server
    kill_leftovers()  # a test that failed before stopping its bot must not leave it running


def overrides(tmp_path: Path, *extra: str) -> list[str]:
    return [
        f"corpus.path={INVENTED}",
        f"cache_dir={tmp_path / 'cache'}",
        "collapse.enabled=false",
        *extra,
    ]


def one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("talks-bot: error:")]
    assert len(lines) == 1, output
    assert "Traceback" not in output, output
    return lines[0]


@pytest.mark.asyncio
async def test_missing_or_rejected_token_exits_2_with_one_line(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    secret = "Zm9vYmFy.rejected.token-value"
    missing = BotProcess(None, tmp_path / "m", overrides=overrides(tmp_path / "m"), token="")
    renamed = BotProcess(
        None,
        tmp_path / "n",
        overrides=overrides(tmp_path / "n", "discord.token_env=TALKS_TOKEN"),
        token="",
    )
    rejected = BotProcess(fake, tmp_path / "r", overrides=overrides(tmp_path / "r"), token=secret)
    bots = (missing, renamed, rejected)
    await asyncio.gather(*(bot.start() for bot in bots))
    assert await asyncio.gather(*(bot.wait(20) for bot in bots)) == [2, 2, 2]

    line = one_line_error(missing.output)
    assert "set the DISCORD_TOKEN environment variable" in line and "Developer Portal" in line
    assert "set the TALKS_TOKEN environment variable" in one_line_error(renamed.output)
    line = one_line_error(rejected.output)
    assert "Discord rejected the token in DISCORD_TOKEN" in line
    assert secret not in rejected.output
    assert fake.requests[0].status == 401 and not fake.identifies


@pytest.mark.asyncio
async def test_signals_exit_0_and_restarts_sync_only_when_asked_or_changed(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    def puts() -> int:
        return sum(r.method == "PUT" for r in fake.requests)

    # First start: no hash recorded yet, so the commands are synced; SIGTERM exits 0.
    first = BotProcess(fake, tmp_path, overrides=overrides(tmp_path))
    await first.start()
    await fake.wait_for_identify(1, timeout=20)
    assert puts() == 1
    assert (tmp_path / "cache" / "discord_commands.json").is_file()
    assert await first.stop(signal.SIGTERM) == 0, first.output
    assert "closing the connection" in first.output

    # Restart with the same commands: no sync (Discord rate-limits them); SIGINT exits 0.
    second = BotProcess(fake, tmp_path, overrides=overrides(tmp_path))
    await second.start()
    await fake.wait_for_identify(2, timeout=20)
    assert puts() == 1
    assert "unchanged since the last sync" in second.output
    assert await second.stop(signal.SIGINT) == 0, second.output

    # --sync forces it.
    third = BotProcess(fake, tmp_path, overrides=overrides(tmp_path), sync=True)
    await third.start()
    await fake.wait_for_identify(3, timeout=20)
    assert puts() == 2
    assert await third.stop() == 0

    # A new release that words an option differently (the `source` filter of /ask and /timeline):
    # its commands changed since the last sync, so it syncs unasked, and Discord gets the change.
    # A sitecustomize on PYTHONPATH changes the wording before the bot loads its cogs.
    newer = tmp_path / "newer-release"
    newer.mkdir()
    (newer / "sitecustomize.py").write_text(
        f"import sys\nsys.path.insert(0, {str(REPO)!r})\n"  # this checkout's bot, as -m uses
        "from bot.frontends.discord.options import FILTER_DESCRIPTIONS\n"
        f"FILTER_DESCRIPTIONS['source'] = {NEW_DESCRIPTION!r}\n",
        encoding="utf-8",
    )
    path = os.pathsep.join(p for p in (str(newer), os.environ.get("PYTHONPATH")) if p)
    fourth = BotProcess(fake, tmp_path, overrides=overrides(tmp_path), env={"PYTHONPATH": path})
    await fourth.start()
    await fake.wait_for_identify(4, timeout=20)
    assert puts() == 3, fourth.output
    assert "unchanged since the last sync" not in fourth.output
    (ask,) = (c for c in fake.commands[None] if c["name"] == "ask")
    assert {o["name"]: o["description"] for o in ask["options"]}["source"] == NEW_DESCRIPTION
    assert await fourth.stop() == 0
    outputs = first.output + second.output + third.output + fourth.output
    assert "Traceback" not in outputs


@pytest.mark.asyncio
async def test_sync_guilds_syncs_to_those_servers(fake: FakeDiscord, tmp_path: Path) -> None:
    bot = BotProcess(
        fake, tmp_path, overrides=overrides(tmp_path, f"discord.sync_guilds=[{fake.guild_id}]")
    )
    await bot.start()
    commands = await fake.wait_for_commands(fake.guild_id, timeout=20)
    assert {c["name"] for c in commands} == COMMANDS
    assert not fake.commands.get(None)  # nothing global (cleared, in case it was before)
    await fake.wait_for_ready()
    interaction = await fake.send_slash_command("ask", {"question": "Who is Quillfeather?"})
    assert interaction.payload["data"]["guild_id"] == fake.guild_id
    sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id)
    assert "Quillfeather" in sent.body["embeds"][0]["description"]
    assert await bot.stop() == 0


@pytest.mark.asyncio
async def test_a_process_runs_its_shard_range(fake: FakeDiscord, tmp_path: Path) -> None:
    owner = (int(fake.guild_id) >> 22) % 2  # the shard that holds the fake's server
    other = 1 - owner
    # Two processes side by side, one shard each, as the README describes.
    idle = BotProcess(
        fake,
        tmp_path / "a",
        overrides=overrides(
            tmp_path / "a", "discord.shard_count=2", f"discord.shard_ids=[{other}]"
        ),
    )
    busy = BotProcess(
        fake,
        tmp_path / "b",
        overrides=overrides(
            tmp_path / "b", "discord.shard_count=2", f"discord.shard_ids=[{owner}]"
        ),
    )
    await asyncio.gather(idle.start(), busy.start())
    await fake.wait_for_identify(2, timeout=20)
    assert sorted(i["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]
    assert all(i["intents"] == discord.Intents.default().value for i in fake.identifies)
    await fake.wait_for_ready(2)
    await fake.wait_for_commands()  # synced by the process running shard 0, and only by it
    shard0 = idle if other == 0 else busy
    assert f"synced {len(COMMANDS)} slash commands" in shard0.output
    assert "synced by the process running shard 0" in (busy if shard0 is idle else idle).output
    assert sum(r.method == "PUT" for r in fake.requests) == 1
    user = fake.add_user("sharded")
    n = len(fake.sent)
    await fake.send_message("Who is Bartholomew Quillfeather?", user=user, mention_bot=True)
    sent = await fake.wait_for_sent(lambda m: m.route == "channel", after=n)
    assert "Quillfeather" in sent.body["embeds"][0]["description"]
    assert await idle.stop() == 0 and await busy.stop() == 0
