"""The steps every interaction that answers someone shares: refusing at once when the bot is
closing or the user is over the cooldown, tracking the answer in flight so a shutdown lets it
finish (or tells the user why it could not), and whether an answer may carry vote buttons."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord

from bot.frontends.discord.messaging import send_private, send_reply
from bot.frontends.discord.resources import Resources
from bot.render.discord.replies import cooldown_text, render_notice

ERROR_TEXT = (
    "Sorry, something went wrong on my side while answering. It has been logged; "
    "please try again in a moment."
)
RESTART_TEXT = "I'm restarting and could not finish this answer. Please ask again in a minute."


@contextlib.asynccontextmanager
async def answering(resources: Resources, interaction: discord.Interaction) -> AsyncIterator[None]:
    """Track an interaction being answered, so a shutdown lets it finish or says why not."""
    async with resources.inflight.track():
        try:
            yield
        except asyncio.CancelledError:
            with contextlib.suppress(discord.HTTPException):
                await send_private(interaction, render_notice(RESTART_TEXT))
            raise


async def refused(resources: Resources, interaction: discord.Interaction) -> bool:
    """Answer at once, privately, when the bot is closing or the user is over the cooldown.

    A slash command always gets this notice (only its user sees it, so it floods nothing);
    returns whether the interaction was refused.
    """
    if resources.inflight.closing:
        await send_reply(interaction, render_notice(RESTART_TEXT), ephemeral=True)
        return True
    retry_after = resources.cooldowns.retry_after(interaction.user.id)
    if retry_after is not None:
        await send_reply(interaction, render_notice(cooldown_text(retry_after)), ephemeral=True)
        return True
    return False


def votes_allowed(resources: Resources, *, private: bool) -> bool:
    """Private answers and DMs carry no vote buttons unless the config opts in to logging them."""
    return not private or resources.settings.discord.log_private_votes
