"""Offline end-to-end: ``/reload`` (owner only) and SIGHUP re-read the corpus of a running bot
(``python -m bot discord`` against the fake Discord in ``tests/fakediscord``)."""

from __future__ import annotations

import asyncio
import logging
import shutil
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fakediscord import FakeDiscord
from fakediscord.botprocess import REPO, BotProcess
from fakediscord.permissions import ADMINISTRATOR

from bot.frontends.discord.cogs.admin import NOT_OWNER_TEXT
from bot.service.answer_service import AnswerService, ReloadResult
from tests.discord_harness import fake_discord, running_bot, settings_for

pytestmark = pytest.mark.asyncio(loop_scope="module")

ZORBLAX = REPO / "tests" / "fixtures" / "zorblax"
FERRY = "how long was the Wembleton ferry crossing closed by fog"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    fake: FakeDiscord, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    work = tmp_path_factory.mktemp("discord-reload")
    shutil.copytree(ZORBLAX, work / "corpus")
    process = BotProcess(
        fake,
        work,
        overrides=[
            f"corpus.path={work / 'corpus'}",
            f"cache_dir={work / 'cache'}",
            "collapse.enabled=false",
            "corpus.watch=false",  # these tests reload by command; the watcher has its own
        ],
        sync=True,
    )
    yield await process.start_synced()
    assert await process.stop() == 0, process.output
    assert "Traceback" not in process.output


def _edit_ferry(bot: BotProcess, old: str, new: str) -> None:
    path = bot.workdir / "corpus" / "07_weather.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


async def _ferry_answer(fake: FakeDiscord) -> str:
    user = fake.add_user(f"ferry{len(fake.interactions)}")
    interaction = await fake.send_slash_command("ask", {"question": FERRY}, user=user)
    sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id, timeout=5)
    return sent.body["embeds"][0]["description"]


async def test_reload_is_synced_for_administrators_only(fake: FakeDiscord, bot: BotProcess) -> None:
    (command,) = [c for c in fake.commands[None] if c["name"] == "reload"]
    assert command["description"]
    assert str(command["default_member_permissions"]) == "8"  # Administrator
    assert command.get("dm_permission") is False or command.get("contexts") == [0]


async def test_reload_is_hidden_from_members_and_refuses_a_non_owner_admin(
    fake: FakeDiscord, bot: BotProcess
) -> None:
    with pytest.raises(PermissionError, match="hides 'reload'"):  # Discord does not offer it
        await fake.send_slash_command("reload", user=fake.add_user("member"))
    admins = await fake.add_role("admins", ADMINISTRATOR)
    mallory = fake.add_user("mallory", roles=[admins["id"]])
    interaction = await fake.send_slash_command("reload", user=mallory)
    sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id, timeout=5)
    assert sent.route == "callback"
    assert sent.body["flags"] == 64  # only they see it
    assert sent.body["embeds"][0]["description"] == NOT_OWNER_TEXT
    assert "three days" in await _ferry_answer(fake)


async def test_owner_reload_answers_from_the_new_text(fake: FakeDiscord, bot: BotProcess) -> None:
    _edit_ferry(bot, "three days", "nine days")
    interaction = await fake.send_slash_command("reload", user=fake.owner)
    sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id, timeout=20)
    assert interaction.responses[0] == {"type": 5, "data": {"flags": 64}}  # deferred, private
    assert sent.body["embeds"][0]["description"].startswith("Reloaded 7 articles")
    assert "1 new or changed" in sent.body["embeds"][0]["description"]
    assert "nine days" in await _ferry_answer(fake)


async def test_sighup_reloads(fake: FakeDiscord, bot: BotProcess) -> None:
    _edit_ferry(bot, "nine days", "eleven days")
    before = bot.output.count("Reloaded 7 articles")
    assert bot.process is not None
    bot.process.send_signal(signal.SIGHUP)
    for _ in range(200):
        if bot.output.count("Reloaded 7 articles") > before:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail(f"no reload after SIGHUP:\n{bot.output}")
    assert "eleven days" in await _ferry_answer(fake)


NEW_ARTICLE = """---
title: Wembleton lamplighters return to the pier
source: The Invented Tribune
date: 2024-08-01
---
The lamplighters of Wembleton returned to the pier on Monday with forty copper kettles.
"""


class BrokenReload(AnswerService):
    """A service whose reload fails unexpectedly (not a failed ReloadResult: an exception)."""

    def reload(self) -> ReloadResult:
        raise RuntimeError("the disk vanished")


async def test_a_failing_sighup_reload_is_kept_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The reload task a SIGHUP starts is held until it ends (the event loop keeps only weak
    references to tasks) and its exception is logged with the traceback, not left to
    "Task exception was never retrieved" whenever the task is collected."""
    settings = settings_for(tmp_path, "corpus.watch=false")
    caplog.set_level(logging.INFO)
    async with fake_discord() as fake, running_bot(fake, settings, BrokenReload(settings)) as bot:
        admin: Any = bot.get_cog("Admin")  # loaded as an extension: its own module object
        admin._on_sighup()  # what the signal handler calls, without signalling the test run
        (task,) = admin.reload_tasks
        await asyncio.wait([task], timeout=5)
        await asyncio.sleep(0)  # the done callback runs next
        assert not admin.reload_tasks
    failed = [r for r in caplog.records if "reload on SIGHUP failed" in r.getMessage()]
    assert len(failed) == 1 and failed[0].exc_info is not None
    assert "the disk vanished" in str(failed[0].exc_info[1])


async def test_a_file_added_while_the_bot_runs_is_answered_without_a_command(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """With ``corpus.watch`` on (the default), a new article file is answered from within
    seconds: no /reload, no SIGHUP."""
    work = tmp_path_factory.mktemp("discord-watch")
    shutil.copytree(ZORBLAX, work / "corpus")
    async with FakeDiscord() as server:
        process = BotProcess(
            server,
            work,
            overrides=[f"corpus.path={work / 'corpus'}", f"cache_dir={work / 'cache'}"],
            sync=True,
        )
        await process.start_synced()
        try:
            (work / "corpus" / "lamplighters.md").write_text(NEW_ARTICLE, encoding="utf-8")
            question = "what did the Wembleton lamplighters bring to the pier"
            description = ""
            for attempt in range(40):  # bounded: about 20 s for a failing test
                user = server.add_user(f"watcher{attempt}")
                interaction = await server.send_slash_command(
                    "ask", {"question": question}, user=user
                )
                sent = await server.wait_for_sent(
                    lambda m, i=interaction: m.interaction_id == i.id, timeout=5
                )
                description = sent.body["embeds"][0].get("description", "")
                if "copper kettles" in description:
                    break
                await asyncio.sleep(0.5)
            assert "copper kettles" in description
        finally:
            assert await process.stop() == 0, process.output
        assert "Traceback" not in process.output
