"""The fake Discord itself: a minimal real discord.py bot runs against it end to end (login,
sync, limits, resume, rate limits, deadlines, token lifetime)."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest
from discord.ext import commands
from fakediscord import FakeDiscord, limits
from fakediscord.minibot import MiniBot, fake, guild_channel, running

__all__ = ["fake"]  # the fixture, imported for pytest


@pytest.mark.asyncio
async def test_login_identify_ready_and_sync(fake: FakeDiscord) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        identify = fake.identifies[0]
        assert identify["token"] == fake.token
        assert identify["intents"] == discord.Intents.default().value
        assert bot.user is not None and str(bot.user.id) == fake.bot_user["id"]
        assert bot.get_guild(int(fake.guild_id)) is not None
        commands_ = await fake.wait_for_commands()
        assert {c["name"] for c in commands_} == {"echo", "big", "later"}
        paths = [r.path for r in fake.requests]
        assert paths[:2] == ["/users/@me", "/oauth2/applications/@me"]


@pytest.mark.asyncio
async def test_guild_sync_and_slash_command_round_trip(fake: FakeDiscord) -> None:
    bot = MiniBot(guild_id=int(fake.guild_id))
    async with running(bot, fake.token):
        await fake.wait_for_commands(fake.guild_id)
        interaction = await fake.send_slash_command("echo", {"text": "hello"})
        sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id)
        assert interaction.responses == [{"type": 5}]
        assert sent.route == "followup"
        assert sent.body["embeds"][0]["title"] == "hello"
        assert sent.body["allowed_mentions"] == {"parse": []}
        callback = next(r for r in fake.requests if r.path.endswith("/callback"))
        assert callback.query["with_response"] == "1" and callback.status == 200


@pytest.mark.asyncio
async def test_limits_are_enforced_with_nested_errors(fake: FakeDiscord) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        await fake.wait_for_commands()
        interaction = await fake.send_slash_command("big")
        request = await fake.wait_for_request(lambda r: r.path.endswith("/callback"))
        assert request.status == 400
        assert request.response["code"] == 50035
        assert "_errors" in request.response["errors"]["data"]["embeds"]["0"]["description"]
        await fake.wait_until(lambda: getattr(bot, "error", None))
        assert bot.error.code == 50035
        assert not interaction.acknowledged


@pytest.mark.asyncio
async def test_messages_dm_mentions_and_hidden_content(fake: FakeDiscord) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        await fake.send_message("hi there", dm=True)
        reply = await fake.wait_for_sent(lambda m: m.route == "channel")
        assert reply.body["content"] == "heard: hi there"
        assert reply.body["allowed_mentions"] == {"parse": []}
        n = len(fake.sent)
        await fake.send_message("chatter")  # no MESSAGE_CONTENT intent: content arrives empty
        await fake.send_message("question", mention_bot=True)
        reply = await fake.wait_for_sent(lambda m: "question" in m.body["content"], after=n)
        assert str(reply.body["message_reference"]["channel_id"]) == fake.channel_id
        assert [m.content for m in bot.seen[-2:]] == ["", f"<@{fake.bot_user['id']}> question"]


@pytest.mark.asyncio
async def test_resume_replays_missed_events(fake: FakeDiscord) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        resumed = asyncio.Event()

        async def on_resumed() -> None:
            resumed.set()

        bot.add_listener(on_resumed)
        await fake.drop_gateway(4000)
        await fake.send_message("while away", dm=True)  # queued in the session, replayed on RESUME
        await asyncio.wait_for(resumed.wait(), 5)
        assert len(fake.identifies) == 1 and len(fake.resumes) == 1
        assert fake.gateway_connections[-1].startswith("/resume")
        reply = await fake.wait_for_sent(lambda m: m.route == "channel")
        assert reply.body["content"] == "heard: while away"


@pytest.mark.asyncio
async def test_rate_limit_with_via_is_retried(fake: FakeDiscord) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        fake.rate_limit_next("POST", r"^/channels/\d+/messages$", retry_after=0.05)
        await fake.send_message("again", dm=True)
        await fake.wait_for_sent(lambda m: m.route == "channel")
        statuses = [r.status for r in fake.requests if r.path.endswith("/messages")]
        assert statuses == [429, 200]


@pytest.mark.asyncio
async def test_first_response_deadline_and_single_ack(fake: FakeDiscord) -> None:
    fake.response_deadline = 0.2
    bot = MiniBot()
    async with running(bot, fake.token):
        await fake.wait_for_commands()
        # Respond by hand through the REST API as a late client would.
        interaction = await fake.send_slash_command("echo", {"text": "x"})
        await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id)
        url = f"{fake.api_base}/interactions/{interaction.id}/{interaction.token}/callback"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json={"type": 5}) as response:
                assert response.status == 400
                assert response.headers["Content-Type"] == "application/json"
                assert (await response.json())["code"] == 40060
            late = await fake.send_slash_command("echo", {"text": "y"})
            await asyncio.sleep(0.01)
            late.responses.clear()  # as if the bot had not answered yet
            fake.age_interaction(late, 1)
            async with http.post(
                url.replace(interaction.id, late.id).replace(interaction.token, late.token),
                json={"type": 5},
            ) as response:
                assert response.status == 404
                assert (await response.json())["code"] == 10062


@pytest.mark.asyncio
async def test_wrong_token_is_rejected(fake: FakeDiscord) -> None:
    bot = MiniBot()
    with pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()
    assert fake.requests[0].status == 401


@pytest.mark.asyncio
async def test_privileged_intent_not_enabled_closes_4014(fake: FakeDiscord) -> None:
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.all(), guild_ready_timeout=0.05)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await asyncio.wait_for(bot.start(fake.token), 5)
    await bot.close()


@pytest.mark.asyncio
async def test_autosharded_bot_runs_one_shard_range(fake: FakeDiscord) -> None:
    # discord.py waits 5 s between IDENTIFYs of one process, so each test process runs one shard.
    owner = (int(fake.guild_id) >> 22) % 2
    bot = commands.AutoShardedBot(
        command_prefix="!",
        intents=discord.Intents.default(),
        guild_ready_timeout=0.05,
        shard_count=2,
        shard_ids=[owner],
    )
    async with running(bot, fake.token):
        assert [i["shard"] for i in fake.identifies] == [[owner, 2]]
        assert bot.get_guild(int(fake.guild_id)) is not None
        await fake.send_message("to the right shard", mention_bot=True)
        assert (await fake.wait_until(lambda: bot.cached_messages))[-1].content.endswith("shard")


def test_limits_module_counts_the_6000_total() -> None:
    embeds = [{"description": "x" * 4000}, {"description": "y" * 2001}]
    errors = limits.check_message({"embeds": embeds})
    assert errors["embeds"]["_errors"][0]["code"] == "MAX_EMBED_SIZE_EXCEEDED"
    assert limits.check_message({"content": "ok", "embeds": [{"title": "t" * 256}]}) == {}
    assert (
        "fields"
        in limits.check_message({"embeds": [{"fields": [{"name": "", "value": "v"}]}]})["embeds"][
            "0"
        ]
    )


def link_view(url: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Read", url=url))
    return view


@pytest.mark.asyncio
async def test_link_button_url_is_at_most_512_characters(fake: FakeDiscord) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        channel = guild_channel(bot, fake)
        base = "https://example.invalid/"
        await channel.send("fits", view=link_view(base + "a" * (512 - len(base))))
        with pytest.raises(discord.HTTPException) as refused:
            await channel.send("too long", view=link_view(base + "a" * (513 - len(base))))
        assert (refused.value.status, refused.value.code) == (400, 50035)
        errors = fake.requests[-1].response["errors"]
        url_errors = errors["components"]["0"]["components"]["0"]["url"]["_errors"]
        assert url_errors[0]["code"] == "BASE_TYPE_MAX_LENGTH"
        assert [m.body["content"] for m in fake.sent] == ["fits"]


def buttons_view(*custom_ids: str) -> discord.ui.View:
    """A view of one button per id, one row each; the last one disabled (Discord checks a
    disabled button's id for duplicates too)."""
    view = discord.ui.View(timeout=None)
    for row, custom_id in enumerate(custom_ids):
        disabled = row == len(custom_ids) - 1
        view.add_item(discord.ui.Button(label="b", custom_id=custom_id, row=row, disabled=disabled))
    return view


@pytest.mark.asyncio
async def test_a_custom_id_may_appear_once_per_message(fake: FakeDiscord) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        channel = guild_channel(bot, fake)
        await channel.send("distinct", view=buttons_view("a:1", "a:2", "b:1"))
        with pytest.raises(discord.HTTPException) as refused:
            await channel.send("duplicated", view=buttons_view("a:1", "b:1", "a:1"))
        assert (refused.value.status, refused.value.code) == (400, 50035)
        errors = fake.requests[-1].response["errors"]["components"]
        assert list(errors) == ["2"]  # the second use is the one refused
        (error,) = errors["2"]["components"]["0"]["custom_id"]["_errors"]
        assert error["code"] == "COMPONENT_CUSTOM_ID_DUPLICATED"
        assert [m.body["content"] for m in fake.sent] == ["distinct"]
    assert limits.check_components([]) == {}


@pytest.mark.asyncio
async def test_interaction_token_expires_after_15_minutes(fake: FakeDiscord) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        await fake.wait_for_commands()
        interaction = await fake.send_slash_command("later")
        await fake.wait_until(lambda: interaction.responses)
        fake.age_interaction(interaction, 14 * 60)
        await bot.steps.put(("still in time", False))
        await fake.wait_until(lambda: bot.outcomes)
        fake.age_interaction(interaction, 2 * 60)
        await bot.steps.put(("too late", False))
        await fake.wait_until(lambda: len(bot.outcomes) == 2)
        await bot.steps.put(None)
        in_time, late = bot.outcomes
        assert isinstance(in_time, discord.Message) and in_time.content == "still in time"
        assert isinstance(late, discord.HTTPException)
        assert (late.status, late.code) == (401, 50027)
        assert [m.body["content"] for m in fake.sent] == ["still in time"]


@pytest.mark.asyncio
async def test_injected_clock_expires_edits_of_the_original(fake: FakeDiscord) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        await fake.wait_for_commands()
        interaction = await fake.send_slash_command("echo", {"text": "hi"})
        await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id)
        url = f"{fake.api_base}/webhooks/{fake.application_id}/{interaction.token}"
        original = f"{url}/messages/@original"
        async with aiohttp.ClientSession() as http:
            async with http.patch(original, json={"content": "edited"}) as response:
                assert response.status == 200
            now = fake.clock()
            fake.clock = lambda: now + 15 * 60 + 1
            for method in ("GET", "PATCH", "DELETE"):
                async with http.request(method, original, json={"content": "late"}) as response:
                    assert response.status == 401
                    assert (await response.json())["code"] == 50027
            async with http.post(url, json={"content": "late"}) as response:
                assert response.status == 401
