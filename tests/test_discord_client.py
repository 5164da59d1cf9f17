"""The bot in-process with injected dependencies: error handling, retrieval off the event loop,
cooldowns, the command hash, shard settings, and the layering of the front end."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import pytest_asyncio
import yarl
from discord import app_commands
from fakediscord import FakeDiscord
from fakediscord.botprocess import REPO

from bot.answer.answerer import Answer
from bot.config.settings import Settings, load_settings
from bot.errors import ConfigError
from bot.frontends.discord.client import TalksBot, create_bot
from bot.frontends.discord.resources import UserCooldowns
from bot.service.answer_service import AnswerService

INVENTED = REPO / "tests" / "fixtures" / "invented"


class FlakyService(AnswerService):
    """The real service, except that questions containing "boom" raise and "slow" ones sleep."""

    def answer(self, question: str, *args: object, **kwargs: object) -> Answer:
        if "boom" in question:
            raise RuntimeError("the index exploded")
        if "slow" in question:
            time.sleep(0.5)
        return super().answer(question.replace("slow", ""), *args, **kwargs)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    cache = tmp_path_factory.mktemp("discord-client")
    return load_settings(
        REPO / "config.yaml",
        [f"corpus.path={INVENTED}", f"cache_dir={cache}", "collapse.enabled=false"],
    )


@pytest.fixture(scope="module")
def service(settings: Settings) -> FlakyService:
    return FlakyService(settings)


@pytest_asyncio.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
        monkeypatch.setattr(
            discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url)
        )
        yield server


@contextlib.asynccontextmanager
async def running(bot: discord.Client, fake: FakeDiscord) -> AsyncIterator[None]:
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await fake.wait_for_ready()
        yield
    finally:
        await bot.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(task, 5)


@pytest.mark.asyncio
async def test_errors_are_logged_answered_politely_and_do_not_stop_the_bot(
    fake: FakeDiscord, settings: Settings, service: FlakyService, caplog: pytest.LogCaptureFixture
) -> None:
    bot = create_bot(settings, service, force_sync=True, guild_ready_timeout=0.05)
    caplog.set_level(logging.ERROR)
    async with running(bot, fake):
        await fake.wait_for_commands()
        # A slash command whose retrieval fails after a public deferral: the public
        # "thinking…" message is deleted, and the apology is seen by the asker only.
        interaction = await fake.send_slash_command("ask", {"question": "boom"})
        sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id)
        assert interaction.responses == [{"type": 5}]  # the deferral was public
        assert "something went wrong" in sent.body["embeds"][0]["description"]
        assert sent.ephemeral and sent.visible_to == fake.user["id"]
        assert sent.body["allowed_mentions"] == {"parse": []}
        assert interaction.original is None  # the public placeholder is gone
        # A DM whose retrieval fails: a polite reply.
        n = len(fake.sent)
        await fake.send_message("boom", dm=True)
        sent = await fake.wait_for_sent(lambda m: m.route == "channel", after=n)
        assert "something went wrong" in sent.body["embeds"][0]["description"]
        # And the bot goes on answering.
        user = fake.add_user("after")
        interaction = await fake.send_slash_command(
            "ask", {"question": "Who is Quillfeather?"}, user=user
        )
        sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id)
        assert "Quillfeather" in sent.body["embeds"][0]["description"]
    tracebacks = [r for r in caplog.records if r.exc_info and "exploded" in str(r.exc_info[1])]
    assert len(tracebacks) == 2  # one for the command, one for the message event
    assert not fake.errors


@pytest.mark.asyncio
async def test_slow_retrieval_never_delays_acknowledgements(
    fake: FakeDiscord, settings: Settings, service: FlakyService
) -> None:
    bot = create_bot(settings, service, guild_ready_timeout=0.05)
    loop_thread = threading.get_ident()
    threads: set[int] = set()
    original = service.answer
    # Retrieval cannot finish until the test has seen every deferral: if answering held up
    # the event loop, no deferral could arrive and the wait below would fail. No clock.
    release = threading.Event()

    def spy(question: str, *args: object, **kwargs: object) -> Answer:
        threads.add(threading.get_ident())
        release.wait(timeout=30)
        return original(question, *args, **kwargs)

    service.answer = spy  # type: ignore[method-assign]
    try:
        async with running(bot, fake):
            await fake.wait_for_commands()
            users = [fake.add_user(f"u{i}") for i in range(20)]
            interactions = [
                await fake.send_slash_command("ask", {"question": "slow Quillfeather?"}, user=u)
                for u in users
            ]
            await fake.wait_until(lambda: all(i.acknowledged for i in interactions), timeout=10)
            assert not any(i.followups for i in interactions)  # none answered yet: all waiting
            release.set()
            await fake.wait_until(lambda: all(i.followups for i in interactions), timeout=30)
    finally:
        release.set()
        del service.answer
    assert all(i.responses == [{"type": 5}] for i in interactions)
    assert loop_thread not in threads


@pytest.mark.asyncio
async def test_listings_filter_checks_and_autocomplete_run_off_the_event_loop(
    fake: FakeDiscord, settings: Settings, service: FlakyService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/sources and /help sort every article, a filter check may index the corpus, and
    autocompletion lists outlets: at 100k articles each is a noticeable pause, which on the
    event loop would stall the gateway heartbeat and every other interaction."""
    bot = create_bot(settings, service, guild_ready_timeout=0.05)
    loop_thread = threading.get_ident()
    threads: dict[str, set[int]] = {"sources": set(), "validate": set(), "outlets": set()}
    for name, seen in threads.items():
        original = getattr(service, name)

        def spy(*args: object, _original=original, _seen=seen, **kwargs: object) -> object:
            _seen.add(threading.get_ident())
            return _original(*args, **kwargs)

        monkeypatch.setattr(service, name, spy)
    async with running(bot, fake):
        await fake.wait_for_commands()
        for command, options in [
            ("sources", {}),
            ("help", {}),
            ("ask", {"question": "Who is Quillfeather?", "since": "2031"}),
        ]:
            user = fake.add_user(command)
            interaction = await fake.send_slash_command(command, options, user=user)
            sent = await fake.wait_for_sent(lambda m, i=interaction.id: m.interaction_id == i)
            assert sent.body["embeds"], sent.body
        typed = await fake.send_autocomplete("ask", {"question": "x", "source": "wi"}, "source")
        await fake.wait_until(lambda: typed.responses)
        assert typed.responses[0]["data"]["choices"]
    assert all(threads.values()), threads
    assert not any(loop_thread in seen for seen in threads.values()), threads
    assert not fake.errors


@pytest.mark.asyncio
async def test_sources_and_help_count_against_the_cooldown_of_ask(
    fake: FakeDiscord, settings: Settings, service: FlakyService
) -> None:
    """Each /sources or /help sorts the whole corpus, so one user cannot repeat them at will:
    they share the per-user cooldown (and the refusal) of /ask."""
    strict = settings.model_copy(
        update={"discord": settings.discord.model_copy(update={"cooldown_rate": 2})}
    )
    bot = create_bot(strict, service, guild_ready_timeout=0.05)
    async with running(bot, fake):
        await fake.wait_for_commands()
        user = fake.add_user("lister")
        replies = []
        for command, options in [
            ("ask", {"question": "Who is Quillfeather?"}),
            ("sources", {}),
            ("help", {}),
            ("sources", {}),
        ]:
            interaction = await fake.send_slash_command(command, options, user=user)
            sent = await fake.wait_for_sent(lambda m, i=interaction.id: m.interaction_id == i)
            replies.append((interaction, sent))
        other = await fake.send_slash_command("help", user=fake.add_user("someone else"))
        helped = await fake.wait_for_sent(lambda m: m.interaction_id == other.id)
    texts = [sent.body["embeds"][0].get("description", "") for _, sent in replies]
    assert ["asking quickly" in t for t in texts] == [False, False, True, True]
    for interaction, sent in replies[2:]:
        assert interaction.responses[0]["type"] == 4 and sent.ephemeral  # refused at once
    assert helped.body["embeds"][0]["title"] == "talks-bot"


def test_cooldown_counts_per_user() -> None:
    cooldowns = UserCooldowns(rate=2, per=30.0)
    assert cooldowns.retry_after(1) is None and cooldowns.retry_after(1) is None
    wait = cooldowns.retry_after(1)
    assert wait is not None and 0 < wait <= 30.0
    assert cooldowns.retry_after(2) is None


async def _ask_one(interaction: discord.Interaction, question: str) -> None:
    """A stand-in /ask with one option."""


async def _ask_two(interaction: discord.Interaction, question: str, private: bool = False) -> None:
    """A stand-in /ask with one option more."""


@pytest.mark.asyncio
async def test_command_hash_changes_with_definitions_and_targets(
    settings: Settings, service: FlakyService
) -> None:
    """A start syncs when the hash differs from the one recorded at the last sync, so the hash
    changes with anything a sync sends: a command's description, its options, one command more,
    and where the commands go."""
    from bot.frontends.discord.cogs.ask import AskCog

    def hash_of(s: Settings, *extra: app_commands.Command, description: str | None = None) -> str:
        bot = TalksBot(settings=s, service=service)
        ask = AskCog(bot).ask
        if description is not None:
            ask.description = description
        bot.tree.add_command(ask)  # type: ignore[arg-type]
        for command in extra:
            bot.tree.add_command(command)
        return bot.commands_hash()

    base = hash_of(settings)
    assert hash_of(settings) == base

    described = hash_of(settings, description="Ask the articles something else")
    assert described != base
    assert hash_of(settings, description="Ask the articles something else") == described

    def standalone(callback: Any) -> app_commands.Command:
        return app_commands.Command(name="quote", description="Quote a passage", callback=callback)

    one_option = hash_of(settings, standalone(_ask_one))
    two_options = hash_of(settings, standalone(_ask_two))
    assert len({base, described, one_option, two_options}) == 4

    guilds = settings.model_copy(
        update={"discord": settings.discord.model_copy(update={"sync_guilds": (1,)})}
    )
    assert hash_of(guilds) != base
    assert hash_of(settings) == base  # the changes above did not leak into the next bot


def test_shard_settings_are_validated() -> None:
    config = REPO / "config.yaml"
    with pytest.raises(ConfigError, match="shard_ids needs shard_count"):
        load_settings(config, ["discord.shard_ids=[0]"])
    with pytest.raises(ConfigError, match="from 0 to 1"):
        load_settings(config, ["discord.shard_count=2", "discord.shard_ids=[2]"])
    ok = load_settings(config, ["discord.shard_count=4", "discord.shard_ids=[2, 3]"])
    assert ok.discord.shard_ids == (2, 3)


@pytest.mark.parametrize("module", ["bot.cli.main", "bot.cli.discord"])
def test_cli_does_not_import_discord_until_the_bot_runs(module: str) -> None:
    code = f"import sys, {module}; sys.exit(1 if 'discord' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0


def test_the_discord_modules_import_each_other_without_cycles() -> None:
    """Cogs and views reach shared state through Resources, never the client or each other."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("bot")
    modules = sorted(
        m for m in graph.modules if m.startswith(("bot.frontends.discord", "bot.render.discord"))
    )
    cycles = [
        (a, b)
        for a in modules
        for b in modules
        if a < b and graph.find_shortest_chain(a, b) and graph.find_shortest_chain(b, a)
    ]
    assert len(modules) > 10 and cycles == []
    assert not graph.find_shortest_chain(
        "bot.frontends.discord.views", "bot.frontends.discord.client"
    )
