"""Offline end-to-end for the news features on Discord: filters (``/ask`` options, autocomplete,
inline syntax in DMs), syndicated copies, ``/timeline``, and the persistent "More context" and
👍/👎 buttons (component interactions, type 3), including after a restart.

The real bot (``python -m bot discord``) runs against the fake Discord in ``tests/fakediscord``
over the invented news corpus of ``tests/fixtures/news``; assertions are on the JSON it sent.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fakediscord import FakeDiscord, SentMessage
from fakediscord.botprocess import BotProcess

from bot.frontends.discord.options import source_id
from bot.frontends.discord.views import ALREADY_TEXT, GONE_TEXT, THANKS_TEXT
from tests.newsdata import NEWS, OUTLETS, WIRE_QUESTION

pytestmark = pytest.mark.asyncio(loop_scope="module")

EPHEMERAL = 64


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


async def start_bot(fake: FakeDiscord, work: Path, *, sync: bool) -> BotProcess:
    process = BotProcess(
        fake,
        work,
        overrides=[f"corpus.path={work / 'corpus'}", f"cache_dir={work / 'cache'}"],
        sync=sync,
    )
    identifies = len(fake.identifies)
    await process.start()
    try:
        await fake.wait_for_commands(timeout=20)
        await fake.wait_for_identify(identifies + 1, timeout=20)
        await fake.wait_for_ready(timeout=10)
    except TimeoutError:
        await process.stop()
        pytest.fail(f"the bot did not start:\n{process.output}")
    return process


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("discord-news")
    shutil.copytree(NEWS, folder / "corpus")
    return folder


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(fake: FakeDiscord, work: Path) -> AsyncIterator[BotProcess]:
    process = await start_bot(fake, work, sync=True)
    yield process
    if process.process is not None and process.process.returncode is None:
        assert await process.stop() == 0, process.output
    assert "Traceback" not in process.output, process.output
    assert not fake.errors


async def slash(
    fake: FakeDiscord, name: str, **options: object
) -> tuple[Any, SentMessage, dict[str, Any]]:
    """Run ``/name`` as a fresh user; the interaction, the reply, and the user."""
    user = fake.add_user(f"{name}-user{len(fake.interactions)}")
    interaction = await fake.send_slash_command(name, dict(options), user=user)
    sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id, timeout=10)
    return interaction, sent, user


async def press(
    fake: FakeDiscord, message: dict[str, Any], custom_id: str, user: dict[str, Any] | None = None
) -> tuple[Any, SentMessage]:
    interaction = await fake.send_component(message, custom_id, user=user)
    sent = await fake.wait_for_sent(lambda m: m.interaction_id == interaction.id, timeout=10)
    return interaction, sent


def buttons(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in body.get("components") or [] for b in row["components"]]


def custom_ids(body: dict[str, Any], prefix: str) -> list[str]:
    return [b["custom_id"] for b in buttons(body) if b.get("custom_id", "").startswith(prefix)]


def text_of(embed: dict[str, Any]) -> str:
    return "\n".join(
        [
            embed.get("description", ""),
            *(f["name"] + "\n" + f["value"] for f in embed.get("fields", [])),
        ]
    )


# --------------------------------------------------------------------------- commands


async def test_ask_and_timeline_are_synced_with_filter_options(fake: FakeDiscord, bot) -> None:
    commands = {c["name"]: c for c in await fake.wait_for_commands()}
    ask_options = {o["name"]: o for o in commands["ask"]["options"]}
    assert {"since", "until", "source"} <= ask_options.keys()
    assert ask_options["source"]["autocomplete"] is True
    assert all(not ask_options[n]["required"] for n in ("since", "until", "source"))
    timeline = {o["name"]: o for o in commands["timeline"]["options"]}
    assert timeline["topic"]["required"] and timeline["source"]["autocomplete"]
    assert commands["timeline"]["description"].startswith("How a story evolved")


async def test_source_autocomplete_offers_outlets_from_the_corpus(fake: FakeDiscord, bot) -> None:
    interaction = await fake.send_autocomplete(
        "ask", {"question": "eels", "source": "cou"}, focused="source"
    )
    await fake.wait_until(lambda: interaction.responses, timeout=5)
    assert interaction.responses == [
        {
            "type": 8,
            "data": {
                "choices": [{"name": "The Vell Courier", "value": source_id("The Vell Courier")}]
            },
        }
    ]
    everything = await fake.send_autocomplete("timeline", {"topic": "x", "source": ""}, "source")
    await fake.wait_until(lambda: everything.responses, timeout=5)
    assert [c["name"] for c in everything.responses[0]["data"]["choices"]] == list(OUTLETS)


async def test_ask_with_a_source_quotes_only_that_outlet(fake: FakeDiscord, bot) -> None:
    _, sent, _ = await slash(fake, "ask", question=WIRE_QUESTION, source="Quill Evening Lantern")
    (embed,) = sent.body["embeds"]
    cited = re.findall(
        r" — (The Daily Gazette of Nowhere|The Vell Courier|Quill Evening Lantern)", text_of(embed)
    )
    assert cited and set(cited) == {"Quill Evening Lantern"}


async def test_ask_with_dates_keeps_to_them(fake: FakeDiscord, bot) -> None:
    _, sent, _ = await slash(
        fake, "ask", question="What happened to the patrol rafts?", since="2024-05", until="2024"
    )
    text = text_of(sent.body["embeds"][0])
    dates = re.findall(r"· (\d{1,2} \w{3} 2024) ·", text)
    assert dates and all(d.endswith(("May 2024", "Jun 2024")) for d in dates), dates


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"source": "Murmur Wire"}, "Known sources: Quill Evening Lantern, The Daily Gazette"),
        ({"since": "last spring"}, "YYYY-MM-DD"),
        ({"since": "2030"}, "The articles run from 5 Nov 2023 to 1 Jun 2024"),
    ],
)
async def test_bad_filters_get_a_private_message_saying_what_is_valid(
    fake: FakeDiscord, bot, options, expected
) -> None:
    interaction, sent, _ = await slash(fake, "ask", question="eels", **options)
    assert interaction.responses[0]["type"] == 4  # answered at once, not deferred
    assert sent.body["flags"] == EPHEMERAL
    assert expected in sent.body["embeds"][0]["description"]


async def test_the_wire_story_is_quoted_once_citing_three_outlets(fake: FakeDiscord, bot) -> None:
    _, sent, _ = await slash(fake, "ask", question=WIRE_QUESTION)
    (embed,) = sent.body["embeds"]
    assert embed["description"].startswith("> **Inspectors from the Neutral Guild of Lamplighters")
    assert "The Daily Gazette of Nowhere · 15 Mar 2024 · ¶1" in embed["description"]
    assert (
        "*also in* Neutral inspectors head for the Grey Lagoon — The Vell Courier"
        in (embed["description"])
    )
    assert "Guild inspectors to watch the lagoon — Quill Evening Lantern" in embed["description"]
    assert text_of(embed).count("Inspectors from the Neutral Guild") == 1


async def test_direct_messages_take_inline_filters(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("dm-filterer")
    n = len(fake.sent)
    await fake.send_message(f'source:"Vell Courier" {WIRE_QUESTION}', user=user, dm=True)
    sent = await fake.wait_for_sent(lambda m: m.route == "channel", after=n)
    text = text_of(sent.body["embeds"][0])
    assert "The Vell Courier" in text and "The Daily Gazette of Nowhere ·" not in text
    assert sent.body["embeds"][0]["title"] == WIRE_QUESTION  # the filter is not the question
    n = len(fake.sent)
    await fake.send_message("source:@everyone eels", user=user, dm=True)
    sent = await fake.wait_for_sent(lambda m: m.route == "channel", after=n)
    description = sent.body["embeds"][0]["description"]
    assert description.startswith("unknown source '") and "Known sources" in description
    assert "@everyone" not in description.replace("@\u200beveryone", "")  # defused


async def test_timeline_lists_dated_lines_oldest_first(fake: FakeDiscord, bot) -> None:
    interaction, sent, _ = await slash(fake, "timeline", topic="patrol rafts in the Grey Lagoon")
    assert interaction.responses[0]["type"] == 5  # deferred, then followed up
    (embed,) = sent.body["embeds"]
    assert embed["title"] == "Timeline: patrol rafts in the Grey Lagoon"
    lines = embed["description"].split("\n")
    assert len(lines) >= 5
    dates = [re.match(r"\*\*(\d{1,2} \w{3} \d{4})\*\* · “", line).group(1) for line in lines]
    parsed = [__import__("datetime").datetime.strptime(d, "%d %b %Y") for d in dates]
    assert parsed == sorted(parsed)
    assert any("*(also in: The Vell Courier, Quill Evening Lantern)*" in line for line in lines)
    assert embed["footer"]["text"].startswith(f"{len(lines)} passages, oldest first")


async def test_timeline_private_is_shown_to_the_asker_only(fake: FakeDiscord, bot) -> None:
    """``private: true`` answers ephemerally (deferred so, then followed up so); without it the
    channel sees the timeline."""
    topic = "patrol rafts in the Grey Lagoon"
    interaction, sent, user = await slash(fake, "timeline", topic=topic, private=True)
    assert interaction.responses == [{"type": 5, "data": {"flags": EPHEMERAL}}]
    assert sent.ephemeral and sent.visible_to == user["id"]
    assert sent.body["embeds"][0]["title"] == f"Timeline: {topic}"
    interaction, public, _ = await slash(fake, "timeline", topic=topic, private=False)
    assert interaction.responses[0]["type"] == 5 and not public.ephemeral
    assert public.body["embeds"] == sent.body["embeds"]


async def test_timeline_takes_filters(fake: FakeDiscord, bot) -> None:
    _, sent, _ = await slash(
        fake, "timeline", topic="patrol rafts in the Grey Lagoon", source="courier", until="2024-03"
    )
    (embed,) = sent.body["embeds"]
    lines = embed["description"].split("\n")
    assert lines and all("The Vell Courier" in line for line in lines)
    assert all("2024" in line and "May 2024" not in line for line in lines)
    assert embed["footer"]["text"].endswith("from The Vell Courier, until 31 Mar 2024")
    interaction, refused, _ = await slash(fake, "timeline", topic="eels", since="2024-02-30")
    assert interaction.responses[0]["type"] == 4 and refused.body["flags"] == EPHEMERAL
    assert "is not a date: use YYYY-MM-DD" in refused.body["embeds"][0]["description"]


async def test_mentions_take_inline_filters(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("mention-filterer")
    n = len(fake.sent)
    await fake.send_message(f"until:2024-02 {WIRE_QUESTION}", user=user, mention_bot=True)
    sent = await fake.wait_for_sent(lambda m: m.route == "channel", after=n)
    text = text_of(sent.body["embeds"][0])
    assert "Mar 2024" not in text and "May 2024" not in text


# --------------------------------------------------------------------------- buttons


async def test_answers_carry_context_and_vote_buttons(fake: FakeDiscord, bot) -> None:
    _, sent, _ = await slash(fake, "ask", question=WIRE_QUESTION)
    rows = sent.body["components"]
    context = custom_ids(sent.body, "talks:ctx:")
    assert re.fullmatch(r"talks:ctx:gazette-lamplighters:1:[0-9a-f]{8}", context[0])
    assert [b["label"] for b in buttons(sent.body) if b.get("custom_id") in context] == [
        f"More context [{i}]" for i in range(1, len(context) + 1)
    ]
    votes = custom_ids(sent.body, "talks:vote:")
    assert [v.rsplit(":", 1)[0] for v in votes] == ["talks:vote:up", "talks:vote:down"]
    assert len({v.rsplit(":", 1)[1] for v in votes}) == 1
    assert all(len(b.get("custom_id", "")) <= 100 for b in buttons(sent.body))
    assert len(rows) <= 5 and all(len(r["components"]) <= 5 for r in rows)


async def test_more_context_shows_the_paragraphs_around_privately(fake: FakeDiscord, bot) -> None:
    _, sent, user = await slash(
        fake, "ask", question="What did Chancellor Brimble call the signing?"
    )
    (custom_id,) = custom_ids(sent.body, "talks:ctx:zorblax-gazette:3:")
    interaction, reply = await press(fake, sent.message, custom_id, user=user)
    assert interaction.responses[0] == {"type": 5, "data": {"flags": EPHEMERAL}}  # deferred
    assert reply.ephemeral and reply.visible_to == user["id"]
    (embed,) = reply.body["embeds"]
    assert embed["title"] == "Zorblax Accord signed at lighthouse summit"
    assert embed["url"] == "https://gazette-of-nowhere.example/2024/03/14/zorblax-accord-signed"
    paragraphs = embed["description"].split("\n\n")
    assert [p.split(" ", 1)[0] for p in paragraphs] == ["¶2", "¶3", "¶4"]
    assert paragraphs[1].startswith("¶3 **Chancellor Brimble of Upper Vell called the signing")
    assert embed["footer"]["text"] == (
        "The Daily Gazette of Nowhere · 14 Mar 2024 · paragraphs 2–4 of 4"
    )


async def test_more_context_for_a_vanished_article_expires_gracefully(
    fake: FakeDiscord, bot
) -> None:
    _, sent, user = await slash(fake, "ask", question=WIRE_QUESTION)
    stale = json.loads(json.dumps(sent.message))
    stale["components"][1]["components"][0]["custom_id"] = "talks:ctx:pulped-article:2"
    _, reply = await press(fake, stale, "talks:ctx:pulped-article:2", user=user)
    assert reply.body["flags"] == EPHEMERAL
    assert reply.body["embeds"][0]["description"] == GONE_TEXT


async def test_a_vote_lands_in_the_log_once_without_the_voter(
    fake: FakeDiscord, bot, work: Path
) -> None:
    _, sent, user = await slash(fake, "ask", question=WIRE_QUESTION)
    down = custom_ids(sent.body, "talks:vote:down:")[0]
    _, reply = await press(fake, sent.message, down, user=user)
    assert reply.body["flags"] == EPHEMERAL
    assert reply.body["embeds"][0]["description"] == THANKS_TEXT
    _, again = await press(fake, sent.message, down, user=user)
    assert again.body["embeds"][0]["description"] == ALREADY_TEXT
    log = (work / "cache" / "feedback.jsonl").read_text(encoding="utf-8")
    votes = [json.loads(line) for line in log.splitlines() if '"type": "vote"' in line]
    assert len(votes) == 1
    (vote,) = votes
    assert vote["vote"] == "down" and vote["question"] == WIRE_QUESTION
    assert vote["passages"][0] == "gazette-lamplighters#1" and vote["frontend"] == "discord"
    assert user["id"] not in log and user["username"] not in log


async def test_buttons_work_after_a_restart(fake: FakeDiscord, bot, work: Path) -> None:
    """Messages sent by one bot process keep working buttons in the next one; a button for an
    article removed in between says so."""
    _, sent, user = await slash(fake, "ask", question=WIRE_QUESTION)
    _, old_sent, _ = await slash(fake, "ask", question="What did the Keeper of Nets walk out over?")
    assert await bot.stop() == 0
    (work / "corpus" / "lantern-talks-stall.md").unlink()  # the article behind old_sent
    restarted = await start_bot(fake, work, sync=False)
    assert len(fake.identifies) == 2  # a second process, with nothing in memory from the first
    try:
        (lamplighters,) = custom_ids(sent.body, "talks:ctx:gazette-lamplighters:1:")
        _, reply = await press(fake, sent.message, lamplighters, user=user)
        assert reply.body["embeds"][0]["title"] == "Lamplighters to verify lagoon withdrawal"
        up = custom_ids(sent.body, "talks:vote:up:")[0]
        _, thanks = await press(fake, sent.message, up, user=user)
        assert thanks.body["embeds"][0]["description"] == THANKS_TEXT
        (gone,) = custom_ids(old_sent.body, "talks:ctx:lantern-talks-stall:1:")
        _, expired = await press(fake, old_sent.message, gone, user=user)
        assert expired.body["embeds"][0]["description"] == GONE_TEXT
        await asyncio.sleep(0.1)
        log = (work / "cache" / "feedback.jsonl").read_text(encoding="utf-8")
        assert '"vote": "up"' in log
    finally:
        assert await restarted.stop() == 0, restarted.output
    assert "Traceback" not in restarted.output, restarted.output
