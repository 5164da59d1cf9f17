"""Discord's permission arithmetic: base permissions from roles, then channel overwrites.

The order is Discord's (developer docs, "Permission Overwrites"): the guild owner and
Administrator get everything; otherwise @everyone's permissions OR the member's roles, then the
channel's @everyone overwrite, then the member's role overwrites together, then the member's own
overwrite, each denying before it allows. discord.py's ``permissions_for`` computes the same
from the GUILD_CREATE data, so the bot and the fake agree on what the bot may do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ADMINISTRATOR = 1 << 3
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
ALL = (1 << 53) - 1  # every flag Discord defines today (discord.py's Permissions.all())

ROLE_OVERWRITE, MEMBER_OVERWRITE = 0, 1  # an overwrite's "type"


def overwrite(target_id: str, kind: int, *, allow: int = 0, deny: int = 0) -> dict[str, Any]:
    """A permission overwrite object as it appears in a channel's ``permission_overwrites``."""
    return {"id": target_id, "type": kind, "allow": str(allow), "deny": str(deny)}


def base_permissions(
    roles: dict[str, dict[str, Any]], guild_id: str, member_roles: Iterable[str]
) -> int:
    """@everyone's permissions (role id = guild id) OR those of the member's roles."""
    value = int(roles[guild_id]["permissions"])
    for role_id in member_roles:
        value |= int(roles[role_id]["permissions"])
    return ALL if value & ADMINISTRATOR else value


def channel_permissions(
    base: int,
    overwrites: Iterable[dict[str, Any]],
    *,
    guild_id: str,
    member_id: str,
    member_roles: Iterable[str],
) -> int:
    """``base`` after the channel's overwrites, in Discord's order."""
    if base & ADMINISTRATOR:
        return ALL
    by_id = {str(o["id"]): o for o in overwrites}
    value = base
    everyone = by_id.get(guild_id)
    if everyone is not None:
        value = (value & ~int(everyone["deny"])) | int(everyone["allow"])
    allow = deny = 0
    for role_id in member_roles:
        role = by_id.get(role_id)
        if role is not None and role["type"] == ROLE_OVERWRITE:
            allow, deny = allow | int(role["allow"]), deny | int(role["deny"])
    value = (value & ~deny) | allow
    member = by_id.get(member_id)
    if member is not None and member["type"] == MEMBER_OVERWRITE:
        value = (value & ~int(member["deny"])) | int(member["allow"])
    return value


def has(value: int, flags: int) -> bool:
    return value & flags == flags
