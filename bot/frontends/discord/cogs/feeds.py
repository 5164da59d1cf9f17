"""Feeds while the bot runs: poll every ``feeds.interval_minutes``, reload, announce.

Each poll runs the injected :attr:`CorpusHooks.poll <bot.frontends.discord.hooks.CorpusHooks>`
in the chores pool (network and disk stay off the event loop, and never wait behind
questions). When it added articles, the corpus is reloaded so they are answerable, and, when
``feeds.announce_channel`` is set, one notice per article is posted there: title, outlet,
date and link, with no pings. A failed poll is one warning line; the next one comes on time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord
from discord.ext import commands, tasks

from bot.frontends.discord.hooks import NewArticle
from bot.frontends.discord.messaging import post
from bot.frontends.discord.resources import resources_of
from bot.render.discord.pages import render_new_article

log = logging.getLogger(__name__)


class FeedsCog(commands.Cog, name="Feeds"):
    """Polls the feeds on an interval and announces what they added."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.resources = resources_of(bot)
        hooks = self.resources.hooks
        self.poller: tasks.Loop | None = None
        if hooks.poll is not None:
            self.poller = tasks.loop(minutes=hooks.interval_minutes)(self.poll_once)
            self.poller.before_loop(self.bot.wait_until_ready)

    async def cog_load(self) -> None:
        if self.poller is not None:
            self.poller.start()
            log.info("polling the feeds every %g min", self.resources.hooks.interval_minutes)

    async def cog_unload(self) -> None:
        if self.poller is not None:
            self.poller.cancel()

    async def poll_once(self) -> Sequence[NewArticle]:
        """One poll: add, reload, announce. Returns the articles added."""
        res = self.resources
        if res.hooks.poll is None:
            return ()
        try:
            added = await res.in_chores(res.hooks.poll)
        except Exception as exc:  # a broken network or corpus must not stop the polling
            log.warning("feed poll failed: %s", exc)
            return ()
        if not added:
            return ()
        log.info("feeds added %d article(s)", len(added))
        result = await res.in_chores(res.service.reload)
        (log.info if result.ok else log.error)("%s", result.describe())
        await self.announce(added)
        return added

    async def announce(self, articles: Sequence[NewArticle]) -> None:
        """Post a notice per article in ``feeds.announce_channel`` (if set and reachable)."""
        channel_id = self.resources.hooks.announce_channel
        if channel_id is None:
            return
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.HTTPException as exc:
                log.warning("cannot announce new articles in channel %s: %s", channel_id, exc)
                return
        if not isinstance(channel, discord.abc.Messageable):
            log.warning(
                "cannot announce new articles in channel %s: not a text channel", channel_id
            )
            return
        for article in articles:
            await post(channel, render_new_article(article))


async def setup(bot: commands.Bot) -> None:
    """Extension entry point: ``bot.load_extension("bot.frontends.discord.cogs.feeds")``."""
    await bot.add_cog(FeedsCog(bot))
