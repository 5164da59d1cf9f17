"""Channel routes: messages (and replies) in guild channels and DMs, typing, opening DMs."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .records import SentMessage
from .state import FakeState
from .wire import invalid_form, json_response, validate_message


class ChannelRoutes(FakeState):
    """What the bot can do in a channel with its bot token."""

    async def _get_channel(self, request: web.Request, body: Any, cid: str) -> web.Response:
        return json_response(self._known_channel(cid))

    async def _create_message(self, request: web.Request, body: Any, cid: str) -> web.Response:
        self._known_channel(cid)
        raw_body = body
        validate_message(body)
        reference = body.get("message_reference")
        if reference is not None:  # discord.py sends ids as numbers, Discord answers strings
            reference = {
                k: str(v) if k.endswith("_id") and v is not None else v
                for k, v in reference.items()
            }
            body = {**body, "message_reference": reference}
        if (
            reference is not None
            and reference.get("message_id") not in self.messages
            and reference.get("fail_if_not_exists", True)
        ):
            raise invalid_form(
                {
                    "message_reference": {
                        "_errors": [
                            {
                                "code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                "message": "Unknown message",
                            }
                        ]
                    }
                }
            )
        message = self._bot_message(cid, body, message_type=19 if reference else 0)
        self.sent.append(SentMessage("channel", cid, raw_body, message))
        return json_response(message)

    async def _typing(self, request: web.Request, body: Any, cid: str) -> web.Response:
        self._known_channel(cid)
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
