"""How the bot adds articles: ``/add`` and feed polls, through callables injected into the bot.

The bot does not fetch pages itself; the corpus layer does (``bot.corpus.ingest`` adds one URL,
``bot.corpus.feeds`` polls the feeds). The bot holds them as :class:`CorpusHooks`, plain
callables run in a worker thread, so tests inject their own and the bot works (without
``/add`` and announcements) where they are absent. :func:`hooks_from_settings` wires the real
ones.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.config.settings import Settings
from bot.render.discord.pages import ArticleFacts

log = logging.getLogger(__name__)


class NewArticle(ArticleFacts, Protocol):
    """An article just written to the corpus (``bot.corpus.ingest.Added`` has these): what a
    notice shows, its id, and how many passages it added."""

    @property
    def id(self) -> str: ...

    @property
    def passages(self) -> int: ...


class KnownArticle(Protocol):
    """A source already in the corpus (``bot.corpus.ingest.Duplicate`` has these)."""

    @property
    def article_id(self) -> str: ...


#: Adds the article at a URL; returns it, or what it duplicates; raises TalksBotError (one line).
AddArticle = Callable[[str], "NewArticle | KnownArticle"]
#: Polls every feed once; returns the articles it added.
PollFeeds = Callable[[], Sequence[NewArticle]]


@dataclass(frozen=True)
class CorpusHooks:
    """What the bot may call to grow the corpus; None where the feature is not available."""

    add: AddArticle | None = None
    poll: PollFeeds | None = None
    interval_minutes: float = 30.0
    announce_channel: int | None = None


def hooks_from_settings(settings: Settings) -> CorpusHooks:
    """The corpus layer's ``add_source`` and ``poll_feeds``, bound to ``settings``.

    Feed polling is wired only when ``feeds.urls`` lists feeds. The libraries they need (the
    ``html`` extra) are imported when a page is fetched, so a base install still starts; ``/add``
    then answers with the one line naming the extra.
    """
    from bot.corpus.feeds import poll_feeds
    from bot.corpus.ingest import add_source

    config = settings.feeds
    poll = functools.partial(_poll, poll_feeds, settings) if config.urls else None
    return CorpusHooks(
        add=functools.partial(add_source, settings),
        poll=poll,
        interval_minutes=float(config.interval_minutes),
        announce_channel=config.announce_channel,
    )


def _poll(poll_feeds: Callable[[Settings], Any], settings: Settings) -> Sequence[NewArticle]:
    return tuple(poll_feeds(settings).added)
