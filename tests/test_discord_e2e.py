"""Offline end-to-end: ``python -m bot discord --sync``, started as a user starts it, against the
fake Discord in ``tests/fakediscord``. Assertions are on the exact JSON the bot sent.

One bot process serves the whole module (start-up costs about a second); tests that need their
own process (token errors, signals, sync skipping) live in ``test_discord_process.py``. Each test
asks as a fresh user, so the per-user cooldown of one test never touches another.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
import pytest_asyncio
from fakediscord import FakeDiscord, SentMessage
from fakediscord.botprocess import REPO, BotProcess

# Every test talks to the one bot process the module starts, so each asks for it: a test run
# alone (``-k``) starts it too instead of waiting on a bot nobody started.
pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.usefixtures("bot")]

INVENTED = REPO / "tests" / "fixtures" / "invented"
FILLER = (
    "The harbour pilots of Marrowgate kept careful logs of every tide, every squall and every "
    "barge that crossed the estuary during the long winter. "
)
LONG_ARTICLE = f"""---
title: "Marrowgate harbour logs reveal a quokka census"
source: The Estuary Times
date: 2031-09-01
url: https://example.invalid/marrowgate-logs?id=7&ref=(print)
---
{FILLER * 6}The quokka census counted nine hundred quokkas on Zanzibar Island in the spring. {
    FILLER * 6
}

{FILLER * 20}Officials said the lighthouse keeper repainted the lamp room with zinc paint. {
    FILLER * 20
}

Fans wrote *stars* and @everyone on the __wall__ of the teahouse, with <@123456789012345678> \
and [a link](https://evil.example) nearby.
"""
TEAPOT_CITATION = (
    "\\[1\\] [Glimmerfen and Volantis sign the Great Teapot Treaty — The Imaginary Herald · "
    "1 Apr 2031 · ¶1](https://example.invalid/teapot-treaty)"
)


def make_corpus(folder: Path) -> Path:
    """The six invented articles plus one with very long paragraphs and hostile Markdown."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in INVENTED.iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "07_marrowgate.md").write_text(LONG_ARTICLE, encoding="utf-8")
    return folder


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    fake: FakeDiscord, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    work = tmp_path_factory.mktemp("discord-e2e")
    process = BotProcess(
        fake,
        work,
        overrides=[
            f"corpus.path={make_corpus(work / 'corpus')}",
            f"cache_dir={work / 'cache'}",
            "collapse.enabled=false",  # no copies in this corpus; saves start-up time
            "corpus.max_passage_chars=10000",  # keep the 5838-character passage whole: fitting
        ],
        sync=True,
    )
    yield await process.start_synced()
    status = await process.stop()
    assert status == 0, process.output
    assert fake.token not in process.output
    assert not fake.errors


def _sent_ok(fake: FakeDiscord) -> None:
    """Nothing the bot sent was refused, and nothing could ping anyone."""
    refused = [r for r in fake.requests if r.status >= 400 and r.status != 429]
    assert not refused, [(r.method, r.path, r.status, r.response) for r in refused]
    for request in fake.requests:
        if request.method in ("POST", "PATCH") and isinstance(request.json, dict):
            data = request.json.get("data", request.json)
            if "embeds" in data or "content" in data:
                assert data["allowed_mentions"]["parse"] == [], request.path


async def ask(fake: FakeDiscord, question: str, **options: object) -> tuple[object, SentMessage]:
    """Run /ask as a fresh user; return the interaction and the reply the bot sent."""
    user = fake.add_user(f"asker{len(fake.interactions)}")
    interaction = await fake.send_slash_command("ask", {"question": question, **options}, user=user)
    sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id, timeout=5)
    return interaction, sent


async def test_start_up_identify_and_command_sync(fake: FakeDiscord, bot: BotProcess) -> None:
    # Login: who am I, then the application (both with the bot token).
    me, app = fake.requests[0], fake.requests[1]
    assert (me.method, me.path, app.path) == ("GET", "/users/@me", "/oauth2/applications/@me")
    assert me.headers["Authorization"] == f"Bot {fake.token}"
    # IDENTIFY with the default intents only: no privileged intent is needed.
    identify = fake.identifies[0]
    assert identify["intents"] == discord.Intents.default().value
    assert identify["intents"] & ((1 << 1) | (1 << 8) | (1 << 15)) == 0
    # One global sync of three described commands.
    syncs = [r for r in fake.requests if r.method == "PUT"]
    assert [r.path for r in syncs] == [f"/applications/{fake.application_id}/commands"]
    commands = {c["name"]: c for c in syncs[0].json}
    assert set(commands) == {"ask", "sources", "help", "reload", "timeline", "add", "Find sources"}
    assert commands["Find sources"]["type"] == 3  # a message context menu
    assert all(c["description"] for c in commands.values() if c["type"] == 1)
    question, private, *_filters = commands["ask"]["options"]  # then since, until, source
    assert question == {
        "type": 3,
        "name": "question",
        "description": question["description"],
        "required": True,
        "min_length": 1,
        "max_length": 300,
    }
    assert (private["name"], private["type"], private["required"]) == ("private", 5, False)
    assert all(o["description"] for c in commands.values() for o in c.get("options", []))
    assert "DISCORD_API_BASE" in bot.output  # the override is announced in the log


async def test_ask_is_deferred_then_answered_with_the_cited_passage(fake: FakeDiscord) -> None:
    question = "Where did the Archduke and the Chancellor meet?"
    interaction, sent = await ask(fake, question)
    assert interaction.responses == [{"type": 5}]  # deferred at once, publicly
    callback = next(
        r for r in fake.requests if r.path.startswith(f"/interactions/{interaction.id}/")
    )
    assert callback.status == 200 and callback.time - interaction.created < 3.0
    assert sent.route == "followup"
    body = sent.body
    assert body["allowed_mentions"] == {"parse": []}
    (embed,) = body["embeds"]
    assert embed["title"] == question
    assert embed["description"].startswith("> **The Archduke of Glimmerfen and the Chancellor of ")
    assert "Lake Wobble" in embed["description"]
    assert embed["description"].endswith("\n— " + TEAPOT_CITATION)
    assert embed["footer"]["text"] == "1 passage from 1 article"  # only what answers
    assert not embed.get("fields")  # no padding passages (fields are tested in test_discord_render)
    assert body["components"][:1] == [  # rows 1-2: More context and 👍/👎 (test_discord_news)
        {
            "type": 1,
            "components": [
                {
                    "type": 2,
                    "style": 5,
                    "disabled": False,
                    "label": "Read: Glimmerfen and Volantis sign the Great Teapot Treaty",
                    "url": "https://example.invalid/teapot-treaty",
                }
            ],
        }
    ]
    _sent_ok(fake)


async def test_private_ask_is_ephemeral(fake: FakeDiscord) -> None:
    interaction, sent = await ask(fake, "Who is Bartholomew Quillfeather?", private=True)
    assert interaction.responses == [{"type": 5, "data": {"flags": 64}}]
    assert sent.message["flags"] & 64
    assert "Quillfeather" in sent.body["embeds"][0]["description"]


async def test_sources_lists_every_article(fake: FakeDiscord) -> None:
    interaction = await fake.send_slash_command("sources")
    sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id)
    # Acknowledged at once (it sorts every article, in a thread), then answered privately.
    assert interaction.responses == [{"type": 5, "data": {"flags": 64}}]
    assert sent.route == "followup" and sent.ephemeral
    embed = sent.body["embeds"][0]
    assert embed["description"].startswith(
        "[Marrowgate harbour logs reveal a quokka census]"
        "(https://example.invalid/marrowgate-logs?id=7&ref=%28print%29)"
        "\n1 Sep 2031 · The Estuary Times"
    )
    assert (
        "**Kettle inspectors dispute Volantis count**\n12 May 2031 · Fictional Wire Service"
        in (embed["description"])
    )
    assert embed["description"].count("\n\n") == 6  # seven articles
    assert embed["footer"]["text"] == "Page 1 of 1 · 7 articles"
    late = await fake.send_slash_command("sources", {"page": 3})
    sent = await fake.wait_for_sent(lambda m: m.interaction_id == late.id)
    assert "only 1 page" in sent.body["embeds"][0]["description"]


async def test_help_says_what_it_covers(fake: FakeDiscord) -> None:
    interaction = await fake.send_slash_command("help")
    sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id)
    embed = sent.body["embeds"][0]
    covers = next(f["value"] for f in embed["fields"] if f["name"] == "What I cover")
    assert covers == "7 news articles from 1 Apr 2031 to 1 Sep 2031. `/sources` lists them."
    assert "/ask" in embed["fields"][0]["value"] and sent.body["flags"] == 64


async def test_direct_message_is_a_question(fake: FakeDiscord) -> None:
    user = fake.add_user("dm-asker")
    n = len(fake.sent)
    await fake.send_message("What did the letter propose?", user=user, dm=True)
    sent = await fake.wait_for_sent(lambda m: m.route == "channel", after=n)
    assert sent.channel_id == fake.dm_channels[user["id"]]["id"]
    assert "message_reference" not in sent.body
    assert "winter solstice" in sent.body["embeds"][0]["description"]
    assert sent.body["allowed_mentions"] == {"parse": []}


async def test_mention_is_answered_as_a_reply_without_ping(fake: FakeDiscord) -> None:
    user = fake.add_user("mentioner")
    n = len(fake.sent)
    message = await fake.send_message(
        "Who is Bartholomew Quillfeather?", user=user, mention_bot=True
    )
    sent = await fake.wait_for_sent(lambda m: m.route == "channel", after=n)
    assert sent.channel_id == fake.channel_id
    assert str(sent.body["message_reference"]["message_id"]) == message["id"]
    assert sent.body["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert sent.body["embeds"][0]["title"] == "Who is Bartholomew Quillfeather?"  # mention stripped


async def test_chatter_bots_and_itself_are_ignored(fake: FakeDiscord) -> None:
    user = fake.add_user("chatty")
    other_bot = fake.add_user("otherbot", bot=True)
    n = len(fake.sent)
    await fake.send_message("Who is Bartholomew Quillfeather?", user=user)  # no mention
    await fake.send_message("Who is Bartholomew Quillfeather?", user=other_bot, mention_bot=True)
    await fake.send_message("Who is Bartholomew Quillfeather?", user=other_bot, dm=True)
    await fake.send_message("an echo of itself", user=fake.bot_user, dm=True)
    await fake.send_message("What did the letter propose?", user=user, dm=True)  # a marker
    marker = await fake.wait_for_sent(lambda m: m.route == "channel", after=n)
    await asyncio.sleep(0.3)
    assert [m.body["embeds"][0]["title"] for m in fake.sent[n:]] == [
        marker.body["embeds"][0]["title"]
    ]
    assert marker.body["embeds"][0]["title"] == "What did the letter propose?"


async def test_no_answer_says_so_and_points_to_sources(fake: FakeDiscord) -> None:
    _, sent = await ask(fake, "What is the capital of France?")
    (embed,) = sent.body["embeds"]
    assert "don't answer that" in embed["description"] and "`/sources`" in embed["description"]
    assert "fields" not in embed
    # no article, no link or More context button; only 👍/👎 (test_discord_news)
    buttons = [b for row in sent.body.get("components", []) for b in row["components"]]
    assert [b["custom_id"].split(":")[2] for b in buttons] == ["up", "down"]


async def test_passages_longer_than_discord_fields_still_fit(fake: FakeDiscord) -> None:
    _, sent = await ask(fake, "What did the harbour pilots of Marrowgate log in the winter?")
    (embed,) = sent.body["embeds"]
    assert len(embed["description"]) <= 4096
    assert embed["fields"] and all(len(f["value"]) <= 1024 for f in embed["fields"])
    long_fields = [f for f in embed["fields"] if "Marrowgate" in f["value"]]
    assert long_fields and all("…" in f["value"] for f in long_fields)
    _, sent = await ask(fake, "What paint did the lighthouse keeper use?")
    description = sent.body["embeds"][0]["description"]
    assert "**Officials said the lighthouse keeper repainted the lamp room with zinc paint.**" in (
        description
    )
    assert len(description) <= 4096 and "…" in description  # a 5838-character passage
    _sent_ok(fake)


async def test_hostile_input_never_pings_and_stays_within_limits(fake: FakeDiscord) -> None:
    hostile = "@everyone <@123456789012345678> **bold** `code` ||spoiler|| # what was written?"
    _, sent = await ask(fake, hostile)
    title = sent.body["embeds"][0]["title"]
    assert "@\u200beveryone" in title and "\\<@123" in title
    assert "\\*\\*bold\\*\\*" in title and "\\`code\\`" in title and "\\|\\|spoiler" in title
    # Markdown and mentions in the corpus are shown literally too.
    _, sent = await ask(fake, "What did fans write on the wall of the teahouse?")
    description = sent.body["embeds"][0]["description"]
    assert "\\*stars\\*" in description and "@\u200beveryone" in description
    assert "\\_\\_wall\\_\\_" in description and "\\[a link\\](https://evil.example)" in description
    # A 6000-character DM full of control characters: answered about its beginning.
    user = fake.add_user("flooder")
    n = len(fake.sent)
    flood = "Who is Bartholomew\x00 Quillfeather?\x07\u202e " + "@everyone " * 600
    await fake.send_message(flood[:6000], user=user, dm=True)
    sent = await fake.wait_for_sent(lambda m: m.route == "channel", after=n)
    embed = sent.body["embeds"][0]
    assert len(embed["title"]) <= 256 and "\x00" not in embed["title"]
    assert "answered its first" in embed["footer"]["text"]
    assert "@everyone" not in repr(sent.body)
    _sent_ok(fake)


async def test_cooldown_is_polite_and_per_user(fake: FakeDiscord) -> None:
    user = fake.add_user("eager")
    interactions = []
    for _ in range(6):
        interactions.append(
            await fake.send_slash_command("ask", {"question": "Who is Quillfeather?"}, user=user)
        )
    await fake.wait_until(lambda: all(i.acknowledged for i in interactions))
    kinds = sorted(i.responses[0]["type"] for i in interactions)
    assert kinds == [4, 5, 5, 5, 5, 5]
    refused = next(i for i in interactions if i.responses[0]["type"] == 4)
    data = refused.responses[0]["data"]
    assert data["flags"] == 64 and "Please wait" in data["embeds"][0]["description"]
    # DMs count against the same budget.
    n = len(fake.sent)
    await fake.send_message("Who is Quillfeather?", user=user, dm=True)
    sent = await fake.wait_for_sent(lambda m: m.route == "channel", after=n)
    assert "asking quickly" in sent.body["embeds"][0]["description"]
    # Another user is not affected.
    _, sent = await ask(fake, "Who is Quillfeather?")
    assert "Quillfeather" in sent.body["embeds"][0]["description"]


async def test_rate_limited_follow_up_is_retried(fake: FakeDiscord) -> None:
    fake.rate_limit_next("POST", r"^/webhooks/\d+/[^/]+$", retry_after=0.1)
    interaction, sent = await ask(fake, "Who is Bartholomew Quillfeather?")
    posts = [r.status for r in fake.requests if r.method == "POST" and interaction.token in r.path]
    assert posts == [200, 429, 200]  # callback, the 429, the retried follow-up
    assert sent.route == "followup"


async def test_twenty_concurrent_asks_are_all_acknowledged_in_time(fake: FakeDiscord) -> None:
    users = [fake.add_user(f"crowd{i}") for i in range(20)]
    interactions = await asyncio.gather(
        *(
            fake.send_slash_command(
                "ask", {"question": "Where was the teapot treaty signed?"}, user=u
            )
            for u in users
        )
    )
    await fake.wait_until(lambda: all(len(i.followups) == 1 for i in interactions), timeout=10)
    callbacks = [r for r in fake.requests if r.path.endswith("/callback")]
    ids = {i.id for i in interactions}
    ours = [r for r in callbacks if r.path.split("/")[2] in ids]
    assert len(ours) == 20 and all(r.status == 200 for r in ours)
    late = [i for i in interactions if i.responses[0] != {"type": 5}]
    assert not late


async def test_gateway_drop_is_resumed_and_the_bot_answers_again(fake: FakeDiscord) -> None:
    (session_id,) = fake.session_ids
    identifies = len(fake.identifies)
    await fake.drop_gateway(4000)
    # Meanwhile a user asks: the event waits in the session and is replayed on RESUME.
    user = fake.add_user("while-away")
    n = len(fake.sent)
    await fake.send_message("Who is Bartholomew Quillfeather?", user=user, dm=True)
    await fake.wait_until(lambda: fake.resumes, timeout=10)
    assert len(fake.identifies) == identifies  # resumed, not re-identified
    assert fake.resumes[-1]["session_id"] == session_id and fake.resumes[-1]["seq"] > 0
    assert re.match(r"^/resume\?", fake.gateway_connections[-1])  # READY's resume_gateway_url
    replayed = await fake.wait_for_sent(lambda m: m.route == "channel", after=n, timeout=5)
    assert "Quillfeather" in replayed.body["embeds"][0]["description"]
    _, sent = await ask(fake, "Who is Bartholomew Quillfeather?")
    assert "Quillfeather" in sent.body["embeds"][0]["description"]
    _sent_ok(fake)
