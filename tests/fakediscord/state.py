"""The world the fake keeps: the guild, its channels and members, and what happened in it.

:class:`FakeState` holds every piece of state; the route and gateway mixins that make up
:class:`~fakediscord.server.FakeDiscord` only add behaviour on top of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from . import payloads, permissions
from .records import Fault, Interaction, RecordedRequest, SentMessage, Session
from .wire import known_error

PRIVILEGED_INTENTS = {"members": 1 << 1, "presences": 1 << 8, "message_content": 1 << 15}


class FakeState:
    """Configuration, the fake guild, and the records of everything the bot did."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        response_deadline: float = 3.0,
        token_lifetime: float = 15 * 60,
        heartbeat_interval_ms: int = 41250,
        privileged_intents: tuple[str, ...] = (),
        clock: Callable[[], float] = time.monotonic,
    ):
        self.token = token
        self.response_deadline = response_deadline  # seconds to the first interaction response
        self.token_lifetime = token_lifetime  # seconds an interaction token works for webhooks
        self.clock = clock  # every timestamp and deadline of the fake reads this clock
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.enabled_intents = sum(PRIVILEGED_INTENTS[name] for name in privileged_intents)
        self.application_id = payloads.snowflake()
        self.bot_user = payloads.client_user(self.application_id, "talks-bot")
        self.owner = payloads.user(payloads.snowflake(), "owner")
        self.user = payloads.user(payloads.snowflake(), "alice")  # the default human
        self.guild_id = payloads.snowflake()
        self.channel_id = payloads.snowflake()
        self.everyone_role = payloads.role(self.guild_id, "@everyone")
        # The bot's managed role; its permissions OR @everyone's are the bot's base permissions.
        self.bot_role = payloads.role(
            payloads.snowflake(), "talks-bot", position=1, bot_id=self.bot_user["id"]
        )
        self.roles = {r["id"]: r for r in (self.everyone_role, self.bot_role)}
        self.channels: dict[str, dict[str, Any]] = {
            self.channel_id: payloads.text_channel(self.channel_id, self.guild_id, "general"),
        }
        self.members = {u["id"]: payloads.member(u) for u in (self.owner, self.user)}
        self.members[self.bot_user["id"]] = payloads.member(
            self.bot_user, roles=[self.bot_role["id"]]
        )
        self.dm_channels: dict[str, dict[str, Any]] = {}  # user id -> DM channel
        self.requests: list[RecordedRequest] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.gateway_connections: list[str] = []  # path of every websocket connection
        # guild id (None: global) -> commands
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.interactions: dict[str, Interaction] = {}
        self.sent: list[SentMessage] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.errors: list[str] = []  # protocol errors the fake detected in the bot's traffic
        self._sessions: dict[str, Session] = {}
        self._faults: list[Fault] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def guild(self) -> dict[str, Any]:
        return payloads.guild(
            self.guild_id,
            "Fake Guild",
            owner_id=self.owner["id"],
            channels=list(self.channels.values()),
            members=list(self.members.values()),
            roles=list(self.roles.values()),
        )

    def permissions_in(self, channel_id: str | None = None, user_id: str | None = None) -> int:
        """What a member (default: the bot) may do in a guild channel (default: the fake's one),
        computed as Discord does from roles and the channel's permission overwrites."""
        channel = self.channels[channel_id or self.channel_id]
        user_id = user_id or self.bot_user["id"]
        if user_id == self.owner["id"]:
            return permissions.ALL
        member_roles = self.members[user_id]["roles"] if user_id in self.members else []
        base = permissions.base_permissions(self.roles, self.guild_id, member_roles)
        return permissions.channel_permissions(
            base,
            channel["permission_overwrites"],
            guild_id=self.guild_id,
            member_id=user_id,
            member_roles=member_roles,
        )

    def prune(self, older_than: float = 60.0, *, replay_kept: int = 1000) -> None:
        """Forget what happened more than ``older_than`` seconds ago (requests, messages the
        bot sent, interactions and their messages), and all but the last ``replay_kept``
        events each gateway session keeps for RESUME, as Discord's bounded buffer does.
        For long runs (benchmarks), so the fake's own memory stays flat."""
        cutoff = self.clock() - older_than
        old = {i.id for i in self.interactions.values() if i.created < cutoff}
        for iid in old:
            interaction = self.interactions.pop(iid)
            for message in (interaction.original, *interaction.followups):
                if message is not None:
                    self.messages.pop(message["id"], None)
        self.sent = [m for m in self.sent if m.interaction_id not in old]
        self.requests = [r for r in self.requests if r.time >= cutoff]
        for session in self._sessions.values():
            del session.log[: max(0, len(session.log) - replay_kept)]

    # -- waiting ---------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy.

        Re-checked on every request and gateway frame, and every 20 ms for state outside the fake.
        """

        async def waiter() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.02)
                return result

        return await asyncio.wait_for(waiter(), timeout)

    async def wait_for_sent(
        self,
        predicate: Callable[[SentMessage], bool] = lambda m: True,
        timeout: float = 5.0,
        *,
        after: int = 0,
    ) -> SentMessage:
        """Wait for a message the bot created (channel message, response, follow-up, edit)."""

        def find() -> SentMessage | None:
            return next((m for m in self.sent[after:] if predicate(m)), None)

        return await self.wait_until(find, timeout)

    # -- channels and messages -------------------------------------------------------------

    def _known_channel(self, cid: str) -> dict[str, Any]:
        channel = self.channels.get(cid) or next(
            (c for c in self.dm_channels.values() if c["id"] == cid), None
        )
        if channel is None:
            raise known_error(10003)
        return channel

    def _dm_channel(self, user: dict[str, Any]) -> dict[str, Any]:
        if user["id"] not in self.dm_channels:
            self.dm_channels[user["id"]] = payloads.dm_channel(payloads.snowflake(), user)
        return self.dm_channels[user["id"]]

    def _bot_message(
        self,
        channel_id: str,
        body: dict[str, Any],
        *,
        interaction: Interaction | None = None,
        flags: int = 0,
        message_type: int = 0,
    ) -> dict[str, Any]:
        guild_id = self.guild_id if channel_id in self.channels else None
        data = payloads.message(
            message_id=payloads.snowflake(),
            channel_id=channel_id,
            author=self.bot_user,
            content=body.get("content") or "",
            guild_id=guild_id,
            embeds=body.get("embeds"),
            components=body.get("components"),
            flags=flags | int(body.get("flags") or 0),
            message_type=message_type,
            message_reference=body.get("message_reference"),
            webhook_id=self.application_id if interaction else None,
            application_id=self.application_id if interaction else None,
        )
        if interaction is not None:
            payload = interaction.payload
            data["interaction_metadata"] = {
                "id": interaction.id,
                "type": payload["type"],
                "user": payload["member"]["user"] if "member" in payload else payload["user"],
                "authorizing_integration_owners": payload["authorizing_integration_owners"],
            }
        self.messages[data["id"]] = data
        return data
