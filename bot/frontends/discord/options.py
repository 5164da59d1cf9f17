"""Slash-command options shared by several commands: the filters and outlet autocompletion.

Autocompletion offers outlets as *stable ids* (``src:`` and a hash of the outlet's name), not
as names: a choice's value holds at most 100 characters, so a longer name cut to fit would no
longer match any outlet. :func:`check_filters` turns an id back into the outlet's name, and
accepts a name typed by hand as well.
"""

from __future__ import annotations

import asyncio
import hashlib
import re

import discord
from discord import app_commands

from bot.answer.filters import FilterError, Filters, make_filters
from bot.frontends.discord.resources import resources_of
from bot.render.discord.markdown import shorten_plain
from bot.service.answer_service import AnswerService

CHOICE_MAX = 100
_SOURCE_ID = re.compile(r"src:[0-9a-f]{16}")
#: Enough to hold every outlet of any corpus when an id is resolved.
_ALL_OUTLETS = 1_000_000
#: The descriptions of the filter options every searching command takes, for
#: ``app_commands.describe(**FILTER_DESCRIPTIONS)``: one wording wherever they appear.
FILTER_DESCRIPTIONS = {
    "since": "Only articles from this date on: YYYY-MM-DD, YYYY-MM or YYYY",
    "until": "Only articles up to this date (inclusive): YYYY-MM-DD, YYYY-MM or YYYY",
    "source": "Only articles from this outlet",
}


def source_id(name: str) -> str:
    """The stable id of an outlet (the same across restarts and reloads)."""
    return "src:" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:16]


def resolve_source(service: AnswerService, value: str) -> str:
    """The outlet a ``source`` option names: an id from autocompletion, or text as typed.

    Raises
    ------
    FilterError
        For an id whose outlet has left the corpus since it was offered.
    """
    if not _SOURCE_ID.fullmatch(value):
        return value
    for name in service.outlets("", _ALL_OUTLETS):
        if source_id(name) == value:
            return name
    raise FilterError("That outlet is no longer in the collection; pick another from the list.")


def check_filters(
    service: AnswerService, since: str | None, until: str | None, source: str | None
) -> Filters:
    """Parse and validate option values against the current corpus.

    Raises
    ------
    FilterError
        With the message to show (valid date formats, known outlets, the corpus's dates).
    """
    sources = [resolve_source(service, source)] if source else []
    # outlets spelt as the corpus spells them; unknown outlets and empty selections raise
    return service.validate(make_filters(since, until, sources))


async def source_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Outlets from the corpus containing what has been typed (prefix matches first).

    Listed in a thread: the first listing after a reload indexes the corpus's outlets, which
    on the event loop would hold up every other interaction and the gateway heartbeat."""
    service = resources_of(interaction.client).service
    names = await asyncio.to_thread(service.outlets, current)
    return [
        app_commands.Choice(name=shorten_plain(name, CHOICE_MAX), value=source_id(name))
        for name in names[:25]
    ]
