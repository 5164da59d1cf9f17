"""The fake Discord refuses and hides what Discord does: the deferral's visibility, injected
faults, deleted messages, channel permissions, and which commands a member is offered."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import discord
import pytest
from discord import app_commands
from fakediscord import FakeDiscord
from fakediscord.minibot import MiniBot, fake, guild_channel, running
from fakediscord.permissions import (
    EMBED_LINKS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)

__all__ = ["fake"]  # the fixture, imported for pytest


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
