"""What the guild's administrators change under the bot: role permissions and channel overwrites.

Each change is made to the state the fake sends in GUILD_CREATE and enforces on REST, and is
announced to a connected bot as Discord does (GUILD_ROLE_UPDATE, CHANNEL_UPDATE), so
``channel.permissions_for(guild.me)`` in the bot gives the same answer as the fake.
"""

from __future__ import annotations

from typing import Any

from . import payloads, permissions
from .gateway import GatewayMixin


class Moderation(GatewayMixin):
    """Helpers for tests to take permissions away from the bot (or give them back)."""

    async def set_overwrites(
        self,
        *,
        channel_id: str | None = None,
        target: str = "bot",
        allow: int = 0,
        deny: int = 0,
    ) -> dict[str, Any]:
        """Set one permission overwrite of a guild channel (default: the fake's channel).

        Parameters
        ----------
        target
            ``"bot"`` (a member overwrite for the bot), ``"everyone"`` (the @everyone role), or
            the id of a role or a member.
        allow, deny
            Permission bits, e.g. ``permissions.EMBED_LINKS``. Both 0 removes the overwrite.

        Returns
        -------
        dict
            The channel as it now is.
        """
        channel = self.channels[channel_id or self.channel_id]
        target_id = {"bot": self.bot_user["id"], "everyone": self.guild_id}.get(target, target)
        if target_id in self.roles:
            kind = permissions.ROLE_OVERWRITE
        elif target_id in self.members:
            kind = permissions.MEMBER_OVERWRITE
        else:
            raise LookupError(f"{target!r} is neither a role nor a member of the fake guild")
        kept = [o for o in channel["permission_overwrites"] if o["id"] != target_id]
        if allow or deny:
            kept.append(permissions.overwrite(target_id, kind, allow=allow, deny=deny))
        channel["permission_overwrites"] = kept
        await self._broadcast("CHANNEL_UPDATE", channel, self.guild_id)
        return channel

    async def add_role(self, name: str, permissions: int = 0) -> dict[str, Any]:
        """A new role granting ``permissions``, announced with GUILD_ROLE_CREATE; give it to
        people with ``add_user(..., roles=[role["id"]])``."""
        role = payloads.role(
            payloads.snowflake(), name, permissions=str(permissions), position=len(self.roles)
        )
        self.roles[role["id"]] = role
        await self._broadcast(
            "GUILD_ROLE_CREATE", {"guild_id": self.guild_id, "role": role}, self.guild_id
        )
        return role

    async def set_role_permissions(self, role_id: str, value: int) -> None:
        """Set a role's guild-wide permissions (``fake.everyone_role``, ``fake.bot_role``...)."""
        role = self.roles[role_id]
        role["permissions"] = str(value)
        event = {"guild_id": self.guild_id, "role": role}
        await self._broadcast("GUILD_ROLE_UPDATE", event, self.guild_id)

    async def set_bot_permissions(self, value: int) -> None:
        """Make the bot's base (guild-wide) permissions exactly ``value``: its role grants
        ``value`` and @everyone keeps only what is also in ``value``."""
        everyone = int(self.everyone_role["permissions"])
        await self.set_role_permissions(self.bot_role["id"], value)
        await self.set_role_permissions(self.everyone_role["id"], everyone & value)
