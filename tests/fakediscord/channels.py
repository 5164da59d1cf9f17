"""Channel routes: messages, replies, fetching and deleting them, typing, opening DMs.

In a guild channel each route needs the bot's permissions there, computed from its roles and
the channel's overwrites as Discord does: View Channel (else 403/50001 Missing Access), then
Send Messages to post or type, Read Message History to reply or fetch, Manage Messages to
delete a human's message (else 403/50013 Missing Permissions). Without Embed Links a message's
embeds are not shown, and a message that would be left empty is refused (403/50013).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import limits
from .gateway import GatewayMixin
from .permissions import (
    ALL,
    EMBED_LINKS,
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    has,
)
from .records import SentMessage
from .wire import invalid_form, json_response, known_error, validate_message


class ChannelRoutes(GatewayMixin):
    """What the bot can do in a channel with its bot token."""

    def _require(self, cid: str, flags: int = 0) -> int:
        """The bot's permissions in channel ``cid``, which must include ``flags`` (DMs: all)."""
        self._known_channel(cid)
        if cid not in self.channels:
            return ALL
        granted = self.permissions_in(cid)
        if not has(granted, VIEW_CHANNEL):
            raise known_error(50001)
        if not has(granted, flags):
            raise known_error(50013)
        return granted

    async def _get_channel(self, request: web.Request, body: Any, cid: str) -> web.Response:
        self._require(cid)
        return json_response(self._known_channel(cid))

    async def _create_message(self, request: web.Request, body: Any, cid: str) -> web.Response:
        self._known_channel(cid)
        raw_body = body
        validate_message(body)
        replying = body.get("message_reference") is not None
        granted = self._require(cid, SEND_MESSAGES | (READ_MESSAGE_HISTORY if replying else 0))
        if body.get("embeds") and not has(granted, EMBED_LINKS):
            body = {**body, "embeds": []}  # not shown; nothing else to show: refused
            if limits.is_empty_message(body):
                raise known_error(50013)
        reference = self._reply_reference(body.get("message_reference"))
        body = {**body, "message_reference": reference}
        message = self._bot_message(cid, body, message_type=19 if reference else 0)
        self.sent.append(SentMessage("channel", cid, raw_body, message))
        return json_response(message)

    def _reply_reference(self, reference: dict[str, Any] | None) -> dict[str, Any] | None:
        """The reference a reply keeps: Discord refuses a reply to a message that does not
        exist (or was deleted), unless ``fail_if_not_exists`` is false; then the message is
        sent as a plain one, without a reference."""
        if reference is None:
            return None
        # discord.py sends ids as numbers, Discord answers strings
        reference = {
            k: str(v) if k.endswith("_id") and v is not None else v for k, v in reference.items()
        }
        if reference.get("message_id") in self.messages:
            return reference
        if not reference.get("fail_if_not_exists", True):
            return None
        error = {"code": "REPLIES_UNKNOWN_MESSAGE", "message": "Unknown message"}
        raise invalid_form({"message_reference": {"_errors": [error]}})

    def _channel_message(self, cid: str, mid: str, flags: int = 0) -> dict[str, Any]:
        self._require(cid, flags)
        message = self.messages.get(mid)
        if message is None or message["channel_id"] != cid:
            raise known_error(10008)
        return message

    async def _get_message(
        self, request: web.Request, body: Any, cid: str, mid: str
    ) -> web.Response:
        return json_response(self._channel_message(cid, mid, READ_MESSAGE_HISTORY))

    async def _delete_message(
        self, request: web.Request, body: Any, cid: str, mid: str
    ) -> web.Response:
        message = self._channel_message(cid, mid)
        if message["author"]["id"] != self.bot_user["id"]:  # a human's message
            if cid not in self.channels:
                raise known_error(50003)
            self._require(cid, MANAGE_MESSAGES)
        await self._forget_message(message)
        return web.Response(status=204)

    async def _typing(self, request: web.Request, body: Any, cid: str) -> web.Response:
        self._require(cid, SEND_MESSAGES)
        return web.Response(status=204)

    async def _create_dm(self, request: web.Request, body: Any) -> web.Response:
        recipient_id = str((body or {}).get("recipient_id"))
        known = {u["id"]: u for u in (self.user, self.owner)} | {
            m["user"]["id"]: m["user"] for m in self.members.values()
        }
        if recipient_id not in known:
            raise invalid_form(
                {
                    "recipient_id": {
                        "_errors": [{"code": "NUMBER_TYPE_COERCE", "message": "Unknown user"}]
                    }
                }
            )
        channel = self._dm_channel(known[recipient_id])
        return json_response(channel)
