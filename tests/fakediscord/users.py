"""The users' side: people who join, post messages, run slash commands and press buttons.

Each helper builds the complete gateway payload Discord would send and dispatches it to the
shard that owns the guild (DMs: shard 0).
"""

from __future__ import annotations

import uuid
from typing import Any

from . import payloads, permissions
from .gateway import GatewayMixin
from .records import Interaction
from .state import PRIVILEGED_INTENTS


class UserSide(GatewayMixin):
    """Helpers for tests to play the humans in the guild."""

    async def delete_message(self, message_id: str) -> None:
        """Someone deletes a message (their own, or any as a moderator): fetches of it answer
        404/10008 and replies to it 400/50035, and the bot receives MESSAGE_DELETE."""
        if message_id not in self.messages:
            raise LookupError(f"no message {message_id} to delete")
        await self._forget_message(self.messages[message_id])

    def add_user(
        self,
        name: str,
        *,
        bot: bool = False,
        in_guild: bool = True,
        roles: list[str] | None = None,
    ) -> dict[str, Any]:
        """A new person (or bot); in the guild unless ``in_guild`` is false, with ``roles``."""
        data = payloads.user(payloads.snowflake(), name, bot=bot)
        if in_guild:
            self.members[data["id"]] = payloads.member(data, roles=list(roles or []))
        return data

    def _interaction_payload(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user: dict[str, Any] | None,
        dm: bool,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        author = user or self.user
        payload: dict[str, Any] = {
            "id": payloads.snowflake(),
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "token": "itok-" + uuid.uuid4().hex,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": self.guild_id}
            if not dm
            else {"1": author["id"]},
            "attachment_size_limit": 10 * 1024 * 1024,
            "app_permissions": payloads.EVERYONE_PERMISSIONS,
            "context": 1 if dm else 0,
        }
        if dm:
            payload["channel"] = self._dm_channel(author)
            payload["channel_id"] = payload["channel"]["id"]
            payload["user"] = author
        else:
            channel = self.channels[self.channel_id]
            theirs = str(self.permissions_in(channel["id"], author["id"]))
            roles = self.members[author["id"]]["roles"] if author["id"] in self.members else []
            payload.update(
                guild_id=self.guild_id,
                guild_locale="en-US",
                channel_id=channel["id"],
                guild={"id": self.guild_id, "locale": "en-US", "features": []},
                channel={**channel, "permissions": theirs},
                member=payloads.member(author, roles=roles, permissions=theirs),
                app_permissions=str(self.permissions_in(channel["id"])),
            )
        if message is not None:
            payload["message"] = message
        return payload

    async def send_interaction(self, payload: dict[str, Any]) -> Interaction:
        interaction = Interaction(payload["id"], payload["token"], payload, self.clock())
        self.interactions[interaction.id] = interaction
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=payload.get("guild_id"))
        return interaction

    def _synced_command(
        self,
        name: str,
        scope: str | None,
        *,
        kind: int = 1,
        user: dict[str, Any] | None = None,
        dm: bool = False,
    ) -> dict[str, Any]:
        """The command ``name`` as synced, looked up in ``scope`` first (a guild id, or None for
        global), then anywhere -- if Discord would offer it to ``user`` there: not a
        server-only command in a DM, nor one whose ``default_member_permissions`` they lack."""
        found = [
            c
            for key in dict.fromkeys((scope, *self.commands))
            for c in self.commands.get(key, [])
            if c["name"] == name and c.get("type", 1) == kind
        ]
        if not found:
            raise LookupError(f"{name!r} was never synced; synced: {self.commands}")
        command = found[0]
        author = user or self.user
        required = int(command.get("default_member_permissions") or 0)
        if dm:
            contexts = command.get("contexts")
            if (contexts is not None and 1 not in contexts) or not command.get("dm_permission"):
                raise PermissionError(f"Discord offers {name!r} in servers only")
        elif required and not permissions.has(self.permissions_in(None, author["id"]), required):
            raise PermissionError(
                f"Discord hides {name!r} from {author['username']}: it needs permissions "
                f"{required} (default_member_permissions)"
            )
        return command

    def _command_data(
        self,
        name: str,
        options: dict[str, Any],
        scope: str | None,
        focused: str | None = None,
        user: dict[str, Any] | None = None,
        dm: bool = False,
    ) -> dict[str, Any]:
        """The ``data`` of an application-command interaction for ``/name`` as synced; option
        types come from the synced definition."""
        command = self._synced_command(name, scope, user=user, dm=dm)
        types = {o["name"]: o["type"] for o in command.get("options", [])}
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": [
                {
                    "name": k,
                    "type": types.get(k, 3),
                    "value": v,
                    **({"focused": True} if k == focused else {}),
                }
                for k, v in options.items()
            ],
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return data

    async def send_slash_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: dict[str, Any] | None = None,
        dm: bool = False,
    ) -> Interaction:
        """A user runs ``/name`` with ``options`` ({name: value}); types come from the sync."""
        scope = None if dm or self.guild_id not in self.commands else self.guild_id
        data = self._command_data(name, options or {}, scope, user=user, dm=dm)
        return await self.send_interaction(self._interaction_payload(2, data, user=user, dm=dm))

    async def send_autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user: dict[str, Any] | None = None,
    ) -> Interaction:
        """A user types in option ``focused`` of ``/name`` (interaction type 4); the bot must
        answer with choices (callback type 8), recorded in ``interaction.responses``."""
        data = self._command_data(name, options, None, focused=focused, user=user)
        return await self.send_interaction(self._interaction_payload(4, data, user=user, dm=False))

    async def send_message_command(
        self, name: str, message: dict[str, Any], *, user: dict[str, Any] | None = None
    ) -> Interaction:
        """A user picks the message command ``name`` (right-click a message → Apps) on
        ``message``: interaction type 2 with command type 3, the message in ``resolved``
        (content included, whatever the bot's intents)."""
        dm = "guild_id" not in message
        scope = None if dm or self.guild_id not in self.commands else self.guild_id
        command = self._synced_command(name, scope, kind=3, user=user, dm=dm)
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return await self.send_interaction(self._interaction_payload(2, data, user=user, dm=dm))

    async def send_component(
        self,
        message: dict[str, Any],
        custom_id: str,
        *,
        component_type: int = 2,
        values: list[str] | None = None,
        user: dict[str, Any] | None = None,
    ) -> Interaction:
        """A user clicks a button (or picks select ``values``) on a message the bot sent."""
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        dm = "guild_id" not in message
        return await self.send_interaction(
            self._interaction_payload(3, data, user=user, dm=dm, message=message)
        )

    async def send_message(
        self,
        content: str,
        *,
        user: dict[str, Any] | None = None,
        dm: bool = False,
        mention_bot: bool = False,
        mention_role: bool = False,
    ) -> dict[str, Any]:
        """A user posts a message: in the guild channel, or in a DM with the bot.

        ``mention_bot`` prefixes ``<@bot_id>`` and lists the bot in ``mentions``;
        ``mention_role`` prefixes ``<@&role_id>`` for the bot's managed role (what Discord's
        mention picker often inserts) and lists it in ``mention_roles``. As on Discord, a bot
        without the MESSAGE_CONTENT intent receives empty content for guild messages that
        mention neither it nor its role.
        """
        author = user or self.user
        if mention_role:
            content = f"<@&{self.bot_role['id']}> {content}"
        if mention_bot:
            content = f"<@{self.bot_user['id']}> {content}"
        mentions = (
            [{**self.bot_user, "member": payloads.member(self.bot_user, with_user=False)}]
            if mention_bot
            else []
        )
        if dm:
            channel_id = self._dm_channel(author)["id"]
            data = payloads.message(
                message_id=payloads.snowflake(),
                channel_id=channel_id,
                author=author,
                content=content,
                mentions=mentions,
            )
        else:
            data = payloads.message(
                message_id=payloads.snowflake(),
                channel_id=self.channel_id,
                author=author,
                content=content,
                guild_id=self.guild_id,
                mentions=mentions,
                member_data=payloads.member(author, with_user=False),
                mention_everyone="@everyone" in content,
            )
            if mention_role:
                data["mention_roles"] = [self.bot_role["id"]]
        self.messages[data["id"]] = data
        for session in self._sessions_for(None if dm else self.guild_id):
            visible = (
                dm
                or mention_bot
                or mention_role
                or session.intents & PRIVILEGED_INTENTS["message_content"]
            )
            await self._send_dispatch(
                session, "MESSAGE_CREATE", data if visible else {**data, "content": ""}
            )
        return data
