"""What the bot's cogs and buttons share, held once by the bot: :class:`Resources`.

Cogs and views reach it with :func:`resources_of` (``interaction.client``), so none of them
imports the client or another cog, and nothing looks a cog up by name.

Work leaves the event loop through two bounded thread pools: ``questions`` for retrieval
(``/ask``, mentions, DMs, ``/timeline``, *Find sources*) and ``chores`` for everything a person
waits on after pressing something (votes, *More context*, ``/reload``, ``/add``, feed polls).
A burst of questions therefore never delays a button press. Everything that grows with use is
bounded: cooldown buckets, answers remembered for votes, votes remembered against double votes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.answer.answerer import Answer
from bot.answer.filters import Filters
from bot.config.settings import Settings
from bot.frontends.discord.hooks import CorpusHooks
from bot.service.answer_service import AnswerService
from bot.service.feedback import AnswerMemory, FeedbackLog
from bot.service.watch import CorpusWatcher

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Distinct users whose cooldown buckets are kept; beyond it, expired buckets are dropped.
_BUCKETS_KEPT = 10_000
#: Distinct (user, answer) votes remembered to refuse double votes (never logged).
_VOTES_REMEMBERED = 50_000
#: Answers kept in memory for a vote on them (older ones are recovered from the message).
_ANSWERS_REMEMBERED = 2_000


class UserCooldowns:
    """At most ``rate`` questions per ``per`` seconds per user, across /ask, DMs and mentions.

    Someone over the limit in a channel is told so once per window (:meth:`notice_due`); the
    messages after that are dropped silently, so a flood gets one notice, not one per message.
    """

    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic):
        self.rate, self.per = rate, per
        self._clock = clock
        self._buckets: dict[int, app_commands.Cooldown] = {}
        self._noticed: dict[int, float] = {}  # user -> end of the window they were told about

    def retry_after(self, user_id: int) -> float | None:
        """Count one question; None if allowed, else the seconds to wait."""
        if len(self._buckets) > _BUCKETS_KEPT:  # forget users whose window has passed
            self._buckets = {u: b for u, b in self._buckets.items() if b.get_tokens() < b.rate}
            now = self._clock()
            self._noticed = {u: t for u, t in self._noticed.items() if t > now}
        bucket = self._buckets.setdefault(user_id, app_commands.Cooldown(self.rate, self.per))
        return bucket.update_rate_limit()

    def notice_due(self, user_id: int, retry_after: float) -> bool:
        """Whether to tell this user to slow down: once per window in which they are over."""
        now = self._clock()
        if self._noticed.get(user_id, 0.0) > now:
            return False
        self._noticed[user_id] = now + retry_after
        return True


class VoteBook:
    """Who has voted on which answer (since the bot started), to refuse double votes.

    A vote is *begun* before it is written and *committed* once it is: a failed write aborts
    it, so the voter may try again instead of being told they already rated the answer.
    """

    def __init__(self, capacity: int = _VOTES_REMEMBERED) -> None:
        self.capacity = capacity
        self._votes: OrderedDict[tuple[int, str], bool] = OrderedDict()  # value: committed

    def begin(self, user_id: int, key: str) -> bool:
        """Claim the vote; False when this user has voted (or is voting) on this answer."""
        if (user_id, key) in self._votes:
            return False
        self._votes[(user_id, key)] = False
        while len(self._votes) > self.capacity:
            self._votes.popitem(last=False)
        return True

    def commit(self, user_id: int, key: str) -> None:
        self._votes[(user_id, key)] = True

    def abort(self, user_id: int, key: str) -> None:
        self._votes.pop((user_id, key), None)


class InFlight:
    """Handlers that are answering someone, so a shutdown can let them finish."""

    def __init__(self) -> None:
        self.closing = False
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    @contextlib.asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def drain(self, grace: float) -> int:
        """Stop taking work; wait up to ``grace`` seconds for what is in flight, then cancel
        the rest (each tells its user). Returns how many had to be cancelled."""
        self.closing = True
        current = asyncio.current_task()
        tasks = {t for t in self._tasks if t is not current}
        if not tasks:
            return 0
        log.info("finishing %d answer(s) in flight (up to %g s)", len(tasks), grace)
        _, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5.0)
        return len(pending)


@dataclass
class Resources:
    """Settings, the answer service and the state every cog and button shares."""

    settings: Settings
    service: AnswerService
    hooks: CorpusHooks = field(default_factory=CorpusHooks)
    feedback: FeedbackLog = field(init=False)
    answers: AnswerMemory = field(default_factory=lambda: AnswerMemory(_ANSWERS_REMEMBERED))
    votes: VoteBook = field(default_factory=VoteBook)
    cooldowns: UserCooldowns = field(init=False)
    inflight: InFlight = field(default_factory=InFlight)
    questions: ThreadPoolExecutor = field(init=False)
    chores: ThreadPoolExecutor = field(init=False)
    #: Reloads the service when article files change (``corpus.watch``); started in setup_hook.
    watcher: CorpusWatcher | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        d = self.settings.discord
        self.feedback = FeedbackLog.from_settings(self.settings)
        self.cooldowns = UserCooldowns(d.cooldown_rate, d.cooldown_per)
        self.questions = ThreadPoolExecutor(d.answer_workers, thread_name_prefix="answer")
        self.chores = ThreadPoolExecutor(2, thread_name_prefix="chore")

    async def answer(self, question: str, filters: Filters | None = None) -> Answer:
        """Answer in the question pool, so the gateway heartbeat never waits for retrieval.

        ``filters`` (dates, outlets) apply inside retrieval; a bad one raises FilterError.
        """
        return await self.in_questions(self.service.answer, question, filters=filters)

    async def in_questions(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run retrieval work in the (bounded) question pool."""
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self.questions, call)

    async def in_chores(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking work someone waits on in the pool questions never fill."""
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self.chores, call)

    def watch(self) -> None:
        """Pick up added, changed and deleted article files by themselves (``corpus.watch``)."""
        if self.watcher is None:
            self.watcher = self.service.watch()

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.questions.shutdown(wait=False, cancel_futures=True)
        self.chores.shutdown(wait=False, cancel_futures=True)


def resources_of(client: discord.Client) -> Resources:
    """The bot's shared resources, from ``interaction.client`` or a cog's bot."""
    resources = getattr(client, "resources", None)
    if not isinstance(resources, Resources):
        raise TypeError(f"{type(client).__name__} carries no talks-bot Resources")
    return resources
