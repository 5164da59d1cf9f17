"""Builders for complete Discord objects (users, members, guilds, channels, messages).

discord.py's parsers index required keys directly; a missing key raises inside the gateway
reader and kills the client task. Every builder here returns the full object.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
_counter = itertools.count(1)
_lock = threading.Lock()

TEXT_CHANNEL = 0
DM_CHANNEL = 1
# @everyone in the fake guild: add reactions, view channel, send messages, embed links,
# attach files, read message history, use application commands.
EVERYONE_PERMISSIONS = str(
    (1 << 6) | (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31)
)


def snowflake() -> str:
    """A fresh, time-ordered snowflake id as Discord sends it (a string)."""
    with _lock:
        increment = next(_counter) & 0xFFF
    return str(((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | increment)


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def user(user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "public_flags": 0,
        "flags": 0,
        "bot": bot,
        "system": False,
    }


def client_user(user_id: str, name: str) -> dict[str, Any]:
    data = user(user_id, name, bot=True)
    data.update({"verified": True, "mfa_enabled": False, "locale": "en-US", "email": None})
    return data


def member(
    user_data: dict[str, Any],
    *,
    roles: list[str] | None = None,
    with_user: bool = True,
    permissions: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "roles": roles or [],
        "nick": None,
        "avatar": None,
        "banner": None,
        "joined_at": "2024-01-01T00:00:00+00:00",
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
        "avatar_decoration_data": None,
    }
    if with_user:
        data["user"] = user_data
    if permissions is not None:
        data["permissions"] = permissions
    return data


def role(
    role_id: str,
    name: str,
    *,
    permissions: str = EVERYONE_PERMISSIONS,
    position: int = 0,
    bot_id: str | None = None,
) -> dict[str, Any]:
    """A role; with ``bot_id``, the managed role Discord gives a bot when it joins."""
    data: dict[str, Any] = {
        "id": role_id,
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": permissions,
        "managed": bot_id is not None,
        "mentionable": False,
        "flags": 0,
    }
    if bot_id is not None:
        data["tags"] = {"bot_id": bot_id}
    return data


def text_channel(channel_id: str, guild_id: str, name: str, *, position: int = 0) -> dict[str, Any]:
    return {
        "id": channel_id,
        "type": TEXT_CHANNEL,
        "guild_id": guild_id,
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "topic": None,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "default_auto_archive_duration": 1440,
        "flags": 0,
    }


def dm_channel(channel_id: str, recipient: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": channel_id,
        "type": DM_CHANNEL,
        "last_message_id": None,
        "recipients": [recipient],
        "flags": 0,
    }


def guild(
    guild_id: str,
    name: str,
    *,
    owner_id: str,
    channels: list[dict[str, Any]],
    members: list[dict[str, Any]],
    roles: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "id": guild_id,
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": owner_id,
        "afk_channel_id": None,
        "afk_timeout": 300,
        "widget_enabled": False,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": roles,
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": channels[0]["id"] if channels else None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "joined_at": "2024-01-01T00:00:00+00:00",
        "large": False,
        "unavailable": False,
        "member_count": len(members),
        "voice_states": [],
        "members": members,
        "channels": channels,
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def message(
    *,
    message_id: str,
    channel_id: str,
    author: dict[str, Any],
    content: str,
    guild_id: str | None = None,
    member_data: dict[str, Any] | None = None,
    mentions: list[dict[str, Any]] | None = None,
    embeds: list[Any] | None = None,
    components: list[Any] | None = None,
    flags: int = 0,
    message_type: int = 0,
    webhook_id: str | None = None,
    application_id: str | None = None,
    message_reference: dict[str, Any] | None = None,
    mention_everyone: bool = False,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": message_id,
        "type": message_type,
        "channel_id": channel_id,
        "author": author,
        "content": content,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": mention_everyone,
        "mentions": mentions or [],
        "mention_roles": [],
        "mention_channels": [],
        "attachments": [],
        "embeds": embeds or [],
        "components": components or [],
        "reactions": [],
        "pinned": False,
        "flags": flags,
        "nonce": None,
    }
    if guild_id is not None:
        data["guild_id"] = guild_id
    if member_data is not None:
        data["member"] = member_data
    if webhook_id is not None:
        data["webhook_id"] = webhook_id
    if application_id is not None:
        data["application_id"] = application_id
    if message_reference is not None:
        data["message_reference"] = message_reference
    return data
