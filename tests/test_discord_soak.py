"""A short soak: the bot's memory shows no growth trend over hundreds of questions.

The long version with its figures is ``python -m bench.discord_load`` (a 5-minute soak at 50
questions per second, RSS sampled). Here the bot runs in-process, the same few questions are
asked round after round, and the Python heap (tracemalloc, after a collection) is measured
between rounds once everything warm has been allocated. Anything kept per question -- an
interaction, a view, a message, a task -- would show as a slope of kilobytes per question.
"""

from __future__ import annotations

import gc
import itertools
import statistics
import tracemalloc
from pathlib import Path

import pytest
from fakediscord import FakeDiscord

from tests.discord_harness import SlowService, fake_discord, running_bot, settings_for

QUESTIONS = (
    "Who is Bartholomew Quillfeather?",
    "Where did the Archduke and the Chancellor meet?",
    "What did the letter propose?",
)
ROUND = 60
#: Bytes a question may leave behind on average: below one kept interaction, view or embed
#: (several kilobytes each), above the noise of a heap measured between rounds (~40 KB).
SLOPE_MAX = 1000


async def ask_round(fake: FakeDiscord, users: list[dict], questions: itertools.cycle) -> None:
    pending = []
    for k in range(ROUND):
        question = next(questions)
        pending.append(await fake.send_slash_command("ask", {"question": question}, user=users[k]))
        if k % 20 == 19:  # a steady stream, not one burst
            await fake.wait_until(lambda: all(i.followups for i in pending), timeout=30)
    await fake.wait_until(lambda: all(i.followups for i in pending), timeout=30)
    fake.prune(older_than=0, replay_kept=0)  # the fake forgets; only the bot's memory is left


def heap() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


@pytest.mark.asyncio
async def test_memory_has_no_growth_trend_over_rounds_of_questions(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "discord.cooldown_rate=1000")
    async with fake_discord() as fake, running_bot(fake, settings, SlowService(settings)):
        users = [fake.add_user(f"soak{i}") for i in range(ROUND)]
        questions = itertools.cycle(QUESTIONS)
        tracemalloc.start()
        try:
            for _ in range(2):  # warm up: caches, pools, first-time imports
                await ask_round(fake, users, questions)
            sizes = [heap()]
            for _ in range(4):
                await ask_round(fake, users, questions)
                sizes.append(heap())
        finally:
            tracemalloc.stop()
    asked = [ROUND * i for i in range(len(sizes))]
    slope = statistics.linear_regression(asked, sizes).slope  # bytes per question
    assert slope < SLOPE_MAX, (sizes, slope)
