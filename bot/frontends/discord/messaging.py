"""Sending replies the way Discord will accept them, and degrading when it would not.

Interactions (slash commands, buttons, context menus) answer through the interaction's
webhook, which needs no channel permission; but an answer deferred publicly keeps that
visibility for its first follow-up, so a private error then needs care (:func:`send_private`).

Messages (mentions, DMs, feed notices) go through the channel and need the bot's permissions
there, which :func:`post` checks first: without Embed Links the reply is sent as text, without
Read Message History it is sent without the reply reference, without Send Messages nothing is
sent; a reply whose question was deleted meanwhile is sent as a plain message. Whatever
Discord still refuses is one log line, never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.render.discord.replies import Reply

log = logging.getLogger(__name__)

#: ``interaction.extras`` keys: deferred publicly; a reply (not only "thinking…") was sent.
PUBLIC_DEFERRAL, ANSWERED = "talks.public_deferral", "talks.answered"

Messageable = discord.abc.Messageable


async def defer(interaction: discord.Interaction, *, ephemeral: bool) -> None:
    """Acknowledge now ("thinking…"), remembering whether everyone sees the answer."""
    await interaction.response.defer(thinking=True, ephemeral=ephemeral)
    interaction.extras[PUBLIC_DEFERRAL] = not ephemeral


async def send_reply(
    interaction: discord.Interaction,
    reply: Reply,
    *,
    ephemeral: bool = False,
    view: discord.ui.View | None = None,
) -> None:
    """Send ``reply`` as the interaction's response, or as a follow-up once it has one."""
    kwargs: dict[str, Any] = {"embed": reply.embed, "ephemeral": ephemeral}
    view = view or reply.view()
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)
    interaction.extras[ANSWERED] = True


async def send_private(interaction: discord.Interaction, reply: Reply) -> None:
    """Send ``reply`` to the person who used the interaction only, even after a public deferral.

    The first follow-up after a deferral replaces the "thinking…" message and keeps its
    visibility, so after a public deferral the placeholder is deleted first: the follow-up
    is then a message of its own, and ephemeral.
    """
    public_placeholder = interaction.extras.get(PUBLIC_DEFERRAL) and not interaction.extras.get(
        ANSWERED
    )
    if interaction.response.is_done() and public_placeholder:
        try:
            await interaction.delete_original_response()
        except discord.HTTPException as exc:
            log.warning("could not delete the public placeholder: %s", exc)
            return  # a follow-up now would be public
        interaction.extras[ANSWERED] = True
    await send_reply(interaction, reply, ephemeral=True)


def _can_send(channel: Messageable, permissions: discord.Permissions) -> bool:
    if isinstance(channel, discord.Thread):
        return permissions.send_messages_in_threads and permissions.view_channel
    return permissions.send_messages and permissions.view_channel


def _where(channel: Messageable) -> str:
    name = getattr(channel, "name", None)
    return f"#{name} ({getattr(channel, 'id', '?')})" if name else "a direct message"


def _permissions(channel: Messageable) -> discord.Permissions | None:
    """The bot's permissions in a guild channel; None in a DM (where it may do everything)."""
    guild = getattr(channel, "guild", None)
    if guild is None or guild.me is None:
        return None
    return channel.permissions_for(guild.me)  # type: ignore[attr-defined]


async def post(
    channel: Messageable,
    reply: Reply,
    *,
    reply_to: discord.Message | None = None,
    view: discord.ui.View | None = None,
) -> bool:
    """Send ``reply`` in ``channel`` (in a server, as a reply to ``reply_to`` when allowed),
    degrading to what the bot's permissions there allow. Returns whether anything was sent."""
    permissions = _permissions(channel)
    if permissions is not None and not _can_send(channel, permissions):
        log.warning("not answering in %s: no permission to send messages there", _where(channel))
        return False
    kwargs: dict[str, Any] = {"embed": reply.embed}
    if permissions is not None and not permissions.embed_links:
        kwargs = {"content": reply.text()}
    view = view or reply.view()
    if view is not None:
        kwargs["view"] = view
    if reply_to is not None and permissions is not None and permissions.read_message_history:
        kwargs["reference"] = reply_to.to_reference(fail_if_not_exists=False)
        kwargs["mention_author"] = False
    try:
        await channel.send(**kwargs)
    except discord.HTTPException as exc:
        log.warning("could not answer in %s: %s", _where(channel), exc)
        return False
    return True


async def show_typing(channel: Messageable) -> None:
    """Show "typing…" (for up to 10 s) where the bot may send messages; never fails."""
    permissions = _permissions(channel)
    if permissions is not None and not _can_send(channel, permissions):
        return
    try:
        await channel.typing()
    except discord.HTTPException as exc:
        log.debug("no typing indicator in %s: %s", _where(channel), exc)
