"""Growing the corpus from Discord (issue 12, item 5): ``/add url`` for the owner and members
with an adding role, feed announcements while the bot runs, and the *Find sources* message
context menu. The corpus hooks are injected: a made-up adder writes made-up articles."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from fakediscord.permissions import EMBED_LINKS, MANAGE_MESSAGES

from bot.corpus.ingest import Added
from bot.errors import TalksBotError
from bot.frontends.discord.cogs.admin import NO_ADDING_TEXT, NOT_ALLOWED_TEXT
from bot.frontends.discord.cogs.news import NO_TEXT
from bot.frontends.discord.hooks import CorpusHooks
from tests.discord_harness import (
    SlowService,
    corpus_copy,
    description,
    fake_discord,
    running_bot,
    settings_for,
    slash,
)

MANAGE_GUILD = 1 << 5
PAGE = "https://news.example.invalid/2031/05/otter-ferry"
KNOWN = "https://example.invalid/teapot-treaty"


@dataclass(frozen=True)
class Duplicate:
    source: str
    article_id: str
    by: str


class Adder:
    """A stand-in for ``bot.corpus.ingest.add_source``: made-up pages, written to the corpus."""

    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus
        self.calls: list[str] = []

    def __call__(self, url: str) -> Added | Duplicate:
        self.calls.append(url)
        if url == KNOWN:
            return Duplicate(url, "01_teapot_summit", "url")
        if url.endswith("/missing"):
            raise TalksBotError(f"{url}: the server answered 404 Not Found")
        return self.write(url, "Otter ferry resumes @everyone", "The ferry otters of Wobble")

    def write(self, url: str, title: str, text: str) -> Added:
        name = url.rsplit("/", 1)[-1]
        body = f"{text} carried forty travellers across Lake Wobble on the first day.\n"
        front = f'title: "{title}"\nsource: The Otter Times\ndate: 2031-05-02\nurl: {url}\n'
        (self.corpus / f"{name}.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")
        path = self.corpus / f"{name}.md"
        return Added(name, title, "The Otter Times", dt.date(2031, 5, 2), url, 1, path)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return corpus_copy(tmp_path / "corpus")


@pytest.mark.asyncio
async def test_add_is_for_the_owner_and_adding_roles_only(tmp_path: Path, corpus: Path) -> None:
    adder = Adder(corpus)
    async with fake_discord() as fake:
        adders = await fake.add_role("adders", MANAGE_MESSAGES)
        moderators = await fake.add_role("moderators", MANAGE_GUILD)
        settings = settings_for(tmp_path, f"discord.add_roles=[{adders['id']}]", corpus=corpus)
        hooks = CorpusHooks(add=adder)
        async with running_bot(fake, settings, SlowService(settings), hooks=hooks):
            (add,) = [c for c in fake.commands[None] if c["name"] == "add"]
            assert str(add["default_member_permissions"]) == str(MANAGE_GUILD)
            with pytest.raises(PermissionError, match="hides 'add'"):  # a plain member
                await fake.send_slash_command("add", {"url": PAGE}, user=fake.add_user("member"))
            moderator = fake.add_user("moderator", roles=[moderators["id"]])
            _, refused = await slash(fake, "add", user=moderator, url=PAGE)
            assert description(refused) == NOT_ALLOWED_TEXT and refused.ephemeral
            assert adder.calls == []
            # A member holding an adding role (and granted the command by the server).
            trusted = fake.add_user("trusted", roles=[adders["id"], moderators["id"]])
            interaction, added = await slash(fake, "add", user=trusted, url=PAGE)
            assert interaction.responses == [{"type": 5, "data": {"flags": 64}}]
            embed = added.body["embeds"][0]
            assert embed["title"] == "Added: Otter ferry resumes @\u200beveryone"
            assert "The Otter Times · 2 May 2031" in embed["description"]
            assert embed["footer"]["text"] == "1 passages. I answer from it now."
            _, answer = await slash(
                fake, "ask", question="How many travellers did the otters carry?"
            )
            assert "forty travellers" in description(answer)


@pytest.mark.asyncio
async def test_add_says_in_one_line_what_went_wrong(tmp_path: Path, corpus: Path) -> None:
    settings = settings_for(tmp_path, corpus=corpus)
    hooks = CorpusHooks(add=Adder(corpus))
    async with (
        fake_discord() as fake,
        running_bot(fake, settings, SlowService(settings), hooks=hooks),
    ):
        _, missing = await slash(fake, "add", user=fake.owner, url=PAGE + "/missing")
        assert description(missing).endswith("the server answered 404 Not Found")
        _, known = await slash(fake, "add", user=fake.owner, url=KNOWN)
        assert "already in the collection, as 01\\_teapot\\_summit" in description(known)
    async with fake_discord() as fake, running_bot(fake, settings, SlowService(settings)):
        _, unavailable = await slash(fake, "add", user=fake.owner, url=PAGE)
        assert description(unavailable) == NO_ADDING_TEXT


@pytest.mark.asyncio
async def test_new_feed_articles_are_announced_without_pings(tmp_path: Path, corpus: Path):
    adder = Adder(corpus)
    polls: list[Sequence[Added]] = [[adder.write(PAGE, "Otter ferry resumes @everyone", "Otters")]]

    def poll() -> Sequence[Added]:
        return polls.pop() if polls else []

    settings = settings_for(tmp_path, corpus=corpus)
    async with fake_discord() as fake:
        await fake.set_overwrites(deny=EMBED_LINKS)  # and the channel takes no embeds
        hooks = CorpusHooks(
            poll=poll, interval_minutes=0.005, announce_channel=int(fake.channel_id)
        )
        async with running_bot(fake, settings, SlowService(settings), hooks=hooks):
            notice = await fake.wait_for_sent(lambda m: m.route == "channel", timeout=10)
            content = notice.body["content"]
            assert content.startswith("**New article: Otter ferry resumes @\u200beveryone**")
            assert "The Otter Times · 2 May 2031" in content and PAGE in content
            assert notice.body["allowed_mentions"] == {"parse": []}
            await asyncio.sleep(1)  # more polls, nothing new: no more notices
            assert [m.route for m in fake.sent] == ["channel"]
            _, answer = await slash(
                fake, "ask", question="How many travellers did the otters carry?"
            )
            assert "forty travellers" in description(answer)


@pytest.mark.asyncio
async def test_find_sources_answers_privately_with_the_passages(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    async with fake_discord() as fake, running_bot(fake, settings, SlowService(settings)):
        claim = await fake.send_message(
            "Apparently the Archduke and the Chancellor met on a floating teahouse!",
            user=fake.add_user("claimant"),
        )
        checker = fake.add_user("checker")
        interaction = await fake.send_message_command("Find sources", claim, user=checker)
        sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id)
        assert interaction.responses == [{"type": 5, "data": {"flags": 64}}]
        assert sent.ephemeral and sent.visible_to == checker["id"]
        embed = sent.body["embeds"][0]
        assert embed["title"].startswith("Sources for: Apparently the Archduke")
        assert "Lake Wobble" in embed["description"]
        assert not [c for r in sent.body["components"] for c in r["components"]
                    if c.get("custom_id", "").startswith("talks:vote:")]  # fmt: skip
        empty = await fake.send_message("", user=fake.add_user("sticker-only"))
        interaction = await fake.send_message_command("Find sources", empty, user=checker)
        sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id)
        assert description(sent) == NO_TEXT


def test_the_ingest_functions_are_wired_to_the_settings(tmp_path: Path) -> None:
    """hooks_from_settings binds bot.corpus.ingest.add_source and bot.corpus.feeds.poll_feeds
    to the settings; feed polling only when feeds are configured."""
    from bot.corpus.feeds import poll_feeds
    from bot.corpus.ingest import add_source
    from bot.frontends.discord import hooks as hooks_module

    settings = settings_for(tmp_path)
    plain = hooks_module.hooks_from_settings(settings)
    assert isinstance(plain.add, functools.partial) and plain.add.func is add_source
    assert plain.add.args == (settings,)
    assert plain.poll is None  # no feeds configured
    feeds = settings.feeds.model_copy(
        update={"urls": ("https://feeds.example.invalid/rss",), "interval_minutes": 5,
                "announce_channel": 42}
    )  # fmt: skip
    with_feeds = settings.model_copy(update={"feeds": feeds})
    wired = hooks_module.hooks_from_settings(with_feeds)
    assert isinstance(wired.poll, functools.partial) and wired.poll.args == (
        poll_feeds,
        with_feeds,
    )
    assert (wired.interval_minutes, wired.announce_channel) == (5.0, 42)
