"""What the bot stores about the people who use it (issue 13, items 12 and 13): nothing until
someone votes; private answers and DMs never, unless the config opts in; /help says so; and
debug logging never prints what users wrote or interaction tokens."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fakediscord import FakeDiscord
from fakediscord.botprocess import BotProcess, kill_leftovers

from bot.render.discord.pages import stored_text
from tests.discord_harness import (
    INVENTED,
    SlowService,
    custom_ids,
    fake_discord,
    running_bot,
    settings_for,
    slash,
)

pytestmark = pytest.mark.asyncio
QUILL = "Who is Bartholomew Quillfeather?"


def votes_in(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def dm_answer(fake: FakeDiscord, text: str) -> dict:
    n = len(fake.sent)
    await fake.send_message(text, user=fake.add_user("dm-user"), dm=True)
    sent = await fake.wait_for_sent(lambda m: m.route == "channel", after=n, timeout=10)
    return sent.body


async def test_nothing_is_stored_until_a_vote_and_private_answers_never(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    log = tmp_path / "cache" / "feedback.jsonl"
    service = SlowService(settings)
    async with fake_discord() as fake, running_bot(fake, settings, service):
        user = fake.add_user("asker")
        _, public = await slash(fake, "ask", user=user, question=QUILL)
        _, private = await slash(fake, "ask", question=QUILL, private=True)
        dm = await dm_answer(fake, "What did the letter propose?")
        assert not log.exists()  # three answers, no vote: nothing written
        assert custom_ids(public.body, "talks:vote:")
        assert not custom_ids(private.body, "talks:vote:") and not custom_ids(dm, "talks:vote:")
        up = custom_ids(public.body, "talks:vote:up:")[0]
        press = await fake.send_component(public.message, up, user=user)
        await fake.wait_for_sent(lambda m: m.interaction_id == press.id)
        (vote,) = votes_in(log)
        assert vote["question"] == QUILL and vote["vote"] == "up"
        assert user["id"] not in log.read_text() and "asker" not in log.read_text()
        _, helped = await slash(fake, "help")
        fields = {f["name"]: f["value"] for f in helped.body["embeds"][0]["fields"]}
        assert fields["What I store"] == stored_text(private_votes=False)
        assert "never logged" in fields["What I store"]


async def test_private_votes_are_logged_only_when_the_config_opts_in(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "discord.log_private_votes=true")
    log = tmp_path / "cache" / "feedback.jsonl"
    async with fake_discord() as fake, running_bot(fake, settings, SlowService(settings)):
        user = fake.add_user("private-asker")
        _, private = await slash(fake, "ask", user=user, question=QUILL, private=True)
        dm = await dm_answer(fake, "What did the letter propose?")
        assert custom_ids(dm, "talks:vote:")
        down = custom_ids(private.body, "talks:vote:down:")[0]
        press = await fake.send_component(private.message, down, user=user)
        await fake.wait_for_sent(lambda m: m.interaction_id == press.id)
        assert [v["vote"] for v in votes_in(log)] == ["down"]
        _, helped = await slash(fake, "help")
        stored = {f["name"]: f["value"] for f in helped.body["embeds"][0]["fields"]}
        assert stored["What I store"] == stored_text(private_votes=True)


async def test_debug_logging_shows_no_user_content_nor_tokens(tmp_path: Path) -> None:
    secret = "Who hid the marmalade under the lighthouse stairs?"
    async with FakeDiscord() as fake:
        bot = BotProcess(
            fake,
            tmp_path,
            overrides=[
                f"corpus.path={INVENTED}",
                f"cache_dir={tmp_path / 'cache'}",
                "collapse.enabled=false",
                "log_level=DEBUG",
            ],
        )
        try:
            await bot.start_synced()
            n = len(fake.sent)
            await fake.send_message(secret, user=fake.add_user("dm"), dm=True)
            await fake.wait_for_sent(lambda m: m.route == "channel", after=n, timeout=10)
            interaction = await fake.send_slash_command("ask", {"question": secret})
            await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id, timeout=10)
            assert await bot.stop() == 0
        finally:
            kill_leftovers()
    output = re.sub(r"\x1b\[[0-9;]*m", "", bot.output)  # discord.py may colour its lines
    assert " DEBUG " in output  # our own debug lines are there ...
    assert "discord.gateway" in output and "WebSocket Event" not in output  # ... not payloads
    assert secret not in output and "marmalade" not in output
    assert interaction.token not in output and fake.token not in output
