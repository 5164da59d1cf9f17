"""The fake Discord itself: a minimal real discord.py bot runs against it end to end."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import aiohttp
import discord
import pytest
import pytest_asyncio
import yarl
from discord import app_commands
from discord.ext import commands
from fakediscord import FakeDiscord, limits
from fakediscord.permissions import (
    EMBED_LINKS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)


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


@pytest.mark.asyncio
async def test_first_followup_keeps_the_deferrals_visibility(fake: FakeDiscord) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        await fake.wait_for_commands()
        public = await fake.send_slash_command("later")
        for step in (("meant to be private", True), ("really private", True), None):
            await bot.steps.put(step)
        await fake.wait_until(lambda: len(public.followups) == 2)
        first, second = (m for m in fake.sent if m.interaction_id == public.id)
        # The first follow-up replaces the public "thinking" message: its flag 64 is ignored.
        assert first.body["flags"] == 64 and first.message["id"] == public.original["id"]
        assert not first.ephemeral and first.visible_to is None
        assert not bot.outcomes[0].flags.ephemeral
        # Later follow-ups are new messages with their own visibility.
        assert second.ephemeral and second.visible_to == fake.user["id"]

        bob = fake.add_user("bob")
        private = await fake.send_slash_command("later", {"private": True}, user=bob)
        await bot.steps.put(("for bob", False))
        await bot.steps.put(None)
        sent = await fake.wait_for_sent(lambda m: m.interaction_id == private.id)
        assert not sent.body.get("flags", 0) & 64
        assert sent.ephemeral and sent.visible_to == bob["id"]


@pytest.mark.asyncio
async def test_fail_next_answers_discords_errors_then_lets_requests_through(
    fake: FakeDiscord,
) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        channel = guild_channel(bot, fake)
        messages = r"^/channels/\d+/messages$"
        fake.fail_next("POST", messages, code=50013)
        fake.fail_next("*", messages, code=10008)
        fake.fail_next("POST", messages, status=503)
        fake.fail_next("POST", r"^/elsewhere$", code=50013)  # never matches
        expected = [
            (discord.Forbidden, 403, 50013, "Missing Permissions"),
            (discord.NotFound, 404, 10008, "Unknown Message"),
            (discord.DiscordServerError, 503, 0, "503: Service Unavailable"),
        ]
        for kind, status, code, text in expected:
            with pytest.raises(kind) as failed:
                await channel.send("blocked")
            assert (failed.value.status, failed.value.code) == (status, code)
            assert failed.value.text == text
        await channel.send("through")
        statuses = [r.status for r in fake.requests if r.path.endswith("/messages")]
        assert statuses == [403, 404, 503, 200]
        assert [m.body["content"] for m in fake.sent] == ["through"]


@pytest.mark.asyncio
async def test_deleted_messages_cannot_be_replied_to_or_fetched(fake: FakeDiscord) -> None:
    bot = MiniBot()
    deleted: list[int] = []

    async def on_raw_message_delete(event: discord.RawMessageDeleteEvent) -> None:
        deleted.append(event.message_id)

    bot.add_listener(on_raw_message_delete)
    async with running(bot, fake.token):
        channel = guild_channel(bot, fake)
        question = await fake.send_message("question", mention_bot=True)
        reply = await fake.wait_for_sent(lambda m: m.route == "channel")
        assert reply.message["message_reference"]["message_id"] == question["id"]
        await fake.delete_message(question["id"])
        await fake.wait_until(lambda: deleted == [int(question["id"])])
        gone = channel.get_partial_message(int(question["id"]))
        with pytest.raises(discord.HTTPException) as refused:
            await gone.reply("too late")  # fail_if_not_exists defaults to true
        assert (refused.value.status, refused.value.code) == (400, 50035)
        errors = fake.requests[-1].response["errors"]["message_reference"]["_errors"]
        assert errors == [{"code": "REPLIES_UNKNOWN_MESSAGE", "message": "Unknown message"}]
        plain = await channel.send(
            "sent anyway", reference=gone.to_reference(fail_if_not_exists=False)
        )
        assert plain.reference is None and plain.type is discord.MessageType.default
        with pytest.raises(discord.NotFound) as missing:
            await gone.fetch()
        assert (missing.value.status, missing.value.code) == (404, 10008)
        # The bot may delete its own message, once; not a human's.
        own = channel.get_partial_message(int(reply.message["id"]))
        await own.delete()
        await fake.wait_until(lambda: len(deleted) == 2)
        with pytest.raises(discord.NotFound):
            await own.delete()
        other = await fake.send_message("keep me")
        with pytest.raises(discord.Forbidden) as forbidden:
            await channel.get_partial_message(int(other["id"])).delete()
        assert (forbidden.value.status, forbidden.value.code) == (403, 50013)
        with pytest.raises(LookupError):
            await fake.delete_message(question["id"])


@pytest.mark.asyncio
async def test_overwrites_reach_discord_py_in_guild_create_and_updates(fake: FakeDiscord) -> None:
    await fake.set_overwrites(deny=EMBED_LINKS)  # before the bot connects: in GUILD_CREATE
    bot = MiniBot()
    async with running(bot, fake.token):
        channel = guild_channel(bot, fake)
        me = channel.guild.me
        assert [r.id for r in me.roles] == [int(fake.guild_id), int(fake.bot_role["id"])]
        mine = channel.permissions_for(me)
        assert not mine.embed_links and mine.send_messages and mine.read_message_history
        assert mine.value == fake.permissions_in()
        # While it runs: CHANNEL_UPDATE and GUILD_ROLE_UPDATE keep discord.py in step.
        await fake.set_overwrites(target="everyone", deny=READ_MESSAGE_HISTORY)
        await fake.wait_until(lambda: not channel.permissions_for(me).read_message_history)
        await fake.set_bot_permissions(VIEW_CHANNEL | EMBED_LINKS)
        await fake.wait_until(lambda: not channel.permissions_for(me).send_messages)
        assert channel.permissions_for(me).value == fake.permissions_in()
        await fake.set_overwrites(allow=SEND_MESSAGES)  # the bot's own overwrite wins
        await fake.wait_until(lambda: channel.permissions_for(me).send_messages)
        assert channel.permissions_for(me).value == fake.permissions_in()
        assert channel.permissions_for(me).embed_links  # that overwrite replaced the deny


@pytest.mark.asyncio
async def test_missing_permissions_are_refused_with_403(fake: FakeDiscord) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        channel = guild_channel(bot, fake)
        question = await fake.send_message("question", mention_bot=True)
        await fake.wait_for_sent(lambda m: m.route == "channel")  # answered while allowed
        asked = channel.get_partial_message(int(question["id"]))
        embed = discord.Embed(description="an answer")

        async def refused(action: Awaitable[Any]) -> tuple[int, int]:
            with pytest.raises(discord.HTTPException) as failed:
                await action
            return failed.value.status, failed.value.code

        await fake.set_overwrites(deny=EMBED_LINKS)
        assert await refused(channel.send(embed=embed)) == (403, 50013)
        shown = await channel.send("words", embed=embed)  # sent, without its embed
        assert shown.embeds == [] and fake.messages[str(shown.id)]["embeds"] == []
        await fake.set_overwrites(deny=READ_MESSAGE_HISTORY)
        assert await refused(asked.reply("a reply")) == (403, 50013)
        assert await refused(asked.fetch()) == (403, 50013)
        await channel.send(embed=embed)  # Embed Links is back: only the reply is refused
        await fake.set_overwrites(deny=SEND_MESSAGES)
        assert await refused(channel.send("anything")) == (403, 50013)
        assert await refused(channel.typing()) == (403, 50013)
        await fake.set_overwrites(target="everyone", deny=VIEW_CHANNEL)
        assert await refused(channel.send("anything")) == (403, 50001)
        await fake.set_overwrites()
        await fake.set_overwrites(target="everyone")
        await channel.send("allowed again")
        contents = [m.message["content"] for m in fake.sent if m.route == "channel"]
        assert contents[1:] == ["words", "", "allowed again"]


@pytest.mark.asyncio
async def test_interactions_need_no_channel_permission_but_report_them(fake: FakeDiscord) -> None:
    bot = MiniBot()
    async with running(bot, fake.token):
        await fake.wait_for_commands()
        await fake.set_overwrites(deny=EMBED_LINKS | SEND_MESSAGES)
        interaction = await fake.send_slash_command("echo", {"text": "still here"})
        sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id)
        assert sent.message["embeds"][0]["title"] == "still here"
        granted = int(interaction.payload["app_permissions"])
        assert granted == fake.permissions_in() and not granted & (EMBED_LINKS | SEND_MESSAGES)
        owner = await fake.send_slash_command("echo", {"text": "x"}, user=fake.owner)
        assert discord.Permissions(int(owner.payload["member"]["permissions"])).administrator


@pytest.mark.asyncio
async def test_commands_are_offered_as_discord_offers_them(fake: FakeDiscord) -> None:
    bot = MiniBot()
    quoted: list[str] = []

    @bot.tree.command()
    @app_commands.default_permissions(manage_guild=True)
    async def secret(interaction: discord.Interaction) -> None:
        """For members who may manage the server."""
        await interaction.response.send_message("shh", ephemeral=True)

    @bot.tree.context_menu(name="Quote It")
    async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
        quoted.append(message.content)
        await interaction.response.send_message(f"> {message.content}", ephemeral=True)

    async with running(bot, fake.token):
        await fake.wait_for_commands()
        with pytest.raises(PermissionError, match="hides 'secret'"):
            await fake.send_slash_command("secret", user=fake.add_user("plain"))
        managers = await fake.add_role("managers", 1 << 5)  # Manage Server
        allowed = await fake.send_slash_command(
            "secret", user=fake.add_user("manager", roles=[managers["id"]])
        )
        await fake.wait_until(lambda: allowed.responses)
        # A message command gets the message, content included, whatever the intents.
        said = await fake.send_message("the lake is made of tea", user=fake.add_user("poet"))
        picked = await fake.send_message_command("Quote It", said)
        await fake.wait_until(lambda: picked.responses)
        assert quoted == ["the lake is made of tea"]
        # Mentioning the bot's managed role delivers the content too.
        await fake.send_message("are you there?", mention_role=True)
        await fake.wait_until(lambda: any("are you there" in m.content for m in bot.seen))
        seen = next(m for m in bot.seen if "are you there" in m.content)
        assert seen.guild is not None and seen.guild.self_role in seen.role_mentions
    assert not fake.errors


@pytest.mark.asyncio
async def test_a_deleted_deferral_leaves_the_next_followup_its_own_visibility(
    fake: FakeDiscord,
) -> None:
    bot = MiniBot()

    @bot.tree.command()
    async def oops(interaction: discord.Interaction) -> None:
        """Defer publicly, then answer privately."""
        await interaction.response.defer(thinking=True)
        await interaction.delete_original_response()
        await interaction.followup.send("only you see this", ephemeral=True)

    async with running(bot, fake.token):
        await fake.wait_for_commands()
        interaction = await fake.send_slash_command("oops")
        sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id)
        assert sent.ephemeral and sent.visible_to == fake.user["id"]
        assert interaction.original is None
        fake.prune(older_than=0)  # a long run forgets what is over
        assert not fake.interactions and not fake.sent and not fake.requests
