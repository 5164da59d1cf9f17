"""Interaction routes: the initial response (callback), follow-ups, and the webhook messages
(``@original`` and follow-ups) that a token lets the bot read, edit and delete."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import limits, payloads
from .records import EPHEMERAL, LOADING, Interaction, SentMessage
from .state import FakeState
from .wire import invalid_form, json_response, known_error, validate_message


class InteractionRoutes(FakeState):
    """What an interaction token allows, with Discord's deadlines and visibility rules."""

    def age_interaction(self, interaction: Interaction, seconds: float) -> None:
        """Make ``interaction`` ``seconds`` older, as if that much time had passed for it.

        Lets a test cross the 3-second first-response deadline or the token's 15-minute
        lifetime (follow-ups, edits: 401, code 50027) without waiting.
        """
        interaction.created -= seconds

    def _interaction(self, iid: str | None = None, token: str | None = None) -> Interaction:
        for interaction in self.interactions.values():
            if (iid is None or interaction.id == iid) and interaction.token == token:
                return interaction
        if iid is not None:
            raise known_error(10062)
        raise known_error(10015)

    def _channel_of(self, interaction: Interaction) -> str:
        return interaction.payload["channel"]["id"]

    async def _callback(
        self, request: web.Request, body: Any, iid: str, token: str
    ) -> web.Response:
        interaction = self._interaction(iid, token)
        if self.clock() - interaction.created > self.response_deadline:
            raise known_error(10062)
        if interaction.acknowledged:
            raise known_error(40060)
        kind = body.get("type") if isinstance(body, dict) else None
        component = interaction.payload["type"] == 3
        autocomplete = interaction.payload["type"] == 4  # answered only with choices (type 8)
        allowed = {8} if autocomplete else {4, 5, 9} | ({6, 7} if component else set())
        if kind not in allowed:
            raise invalid_form(
                {
                    "type": {
                        "_errors": [
                            {
                                "code": "INTERACTION_RESPONSE_TYPE_INVALID",
                                "message": "Invalid interaction response type",
                            }
                        ]
                    }
                }
            )
        data = body.get("data") or {}
        flags = int(data.get("flags") or 0)
        resource: dict[str, Any] = {"type": kind}
        channel_id = self._channel_of(interaction)
        if kind == 4:
            validate_message(data, "data")
            message = self._bot_message(channel_id, data, interaction=interaction, message_type=20)
            interaction.original = message
            resource["message"] = message
            self.sent.append(SentMessage("callback", channel_id, data, message, interaction.id))
        elif kind == 5:
            interaction.original = self._bot_message(
                channel_id,
                {},
                interaction=interaction,
                flags=LOADING | (flags & EPHEMERAL),
                message_type=20,
            )
        elif kind == 8:
            self._validate_choices(data.get("choices"))
        elif kind == 7:
            validate_message({**interaction.payload["message"], **data}, "data")
            original = interaction.payload["message"]
            original.update(
                {k: v for k, v in data.items() if k in ("content", "embeds", "components")}
            )
            self.sent.append(SentMessage("update", channel_id, data, original, interaction.id))
            resource["message"] = original
        interaction.responses.append(body)
        callback = {
            "id": interaction.id,
            "type": interaction.payload["type"],
            "activity_instance_id": None,
            "response_message_id": interaction.original["id"] if interaction.original else None,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL),
        }
        if request.query.get("with_response") in ("1", "true", "True"):
            return json_response({"interaction": callback, "resource": resource})
        return web.Response(status=204)

    @staticmethod
    def _validate_choices(choices: Any) -> None:
        """Autocomplete choices: a list of at most 25, names 1-100, values at most 100."""
        if not isinstance(choices, list) or len(choices) > 25:
            error = {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 25 or fewer in length."}
            raise invalid_form({"data": {"choices": {"_errors": [error]}}})
        for i, choice in enumerate(choices):
            name, value = str(choice.get("name", "")), str(choice.get("value", ""))
            if not 1 <= len(name) <= 100 or len(value) > 100:
                error = {"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be 1 to 100 long."}
                raise invalid_form({"data": {"choices": {str(i): {"name": {"_errors": [error]}}}}})

    def _webhook_interaction(self, app: str, token: str) -> Interaction:
        if app != self.application_id:
            raise known_error(10015)
        interaction = self._interaction(None, token)
        if self.clock() - interaction.created > self.token_lifetime:
            raise known_error(50027)
        if not interaction.acknowledged:  # Discord knows no webhook before the first response
            raise known_error(10015)
        return interaction

    async def _followup(
        self, request: web.Request, body: Any, app: str, token: str
    ) -> web.Response:
        interaction = self._webhook_interaction(app, token)
        validate_message(body)
        channel_id = self._channel_of(interaction)
        if (
            interaction.original is not None
            and interaction.original["flags"] & LOADING
            and not interaction.followups
        ):
            # The first follow-up after a deferral replaces the "thinking" message, like Discord,
            # and keeps the deferral's visibility: its own ephemeral flag is ignored
            # (discord-api-docs #2860), so an "ephemeral" error after a public deferral is public.
            message = interaction.original
            message.update(
                content=body.get("content") or "",
                embeds=body.get("embeds") or [],
                components=body.get("components") or [],
                flags=(message["flags"] & EPHEMERAL) | (int(body.get("flags") or 0) & ~EPHEMERAL),
            )
        else:
            message = self._bot_message(channel_id, body, interaction=interaction, message_type=0)
        interaction.followups.append(message)
        self.sent.append(SentMessage("followup", channel_id, body, message, interaction.id))
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message)
        return web.Response(status=204)

    def _webhook_message(self, interaction: Interaction, mid: str) -> dict[str, Any]:
        if mid == "@original":
            if interaction.original is None:
                raise known_error(10008)
            return interaction.original
        for message in interaction.followups:
            if message["id"] == mid:
                return message
        raise known_error(10008)

    async def _get_webhook_message(
        self, request: web.Request, body: Any, app: str, token: str, mid: str
    ) -> web.Response:
        return json_response(self._webhook_message(self._webhook_interaction(app, token), mid))

    async def _edit_webhook_message(
        self, request: web.Request, body: Any, app: str, token: str, mid: str
    ) -> web.Response:
        interaction = self._webhook_interaction(app, token)
        message = self._webhook_message(interaction, mid)
        merged = {k: message.get(k) for k in ("content", "embeds", "components")}
        merged.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
        validate_message({**merged, "allowed_mentions": body.get("allowed_mentions")})
        if limits.is_empty_message(merged):
            raise known_error(50006)
        message.update(
            {k: v if v is not None else ([] if k != "content" else "") for k, v in merged.items()}
        )
        message["flags"] = message["flags"] & ~LOADING
        message["edited_timestamp"] = payloads.iso_now()
        self.sent.append(SentMessage("edit", message["channel_id"], body, message, interaction.id))
        return json_response(message)

    async def _delete_webhook_message(
        self, request: web.Request, body: Any, app: str, token: str, mid: str
    ) -> web.Response:
        interaction = self._webhook_interaction(app, token)
        message = self._webhook_message(interaction, mid)
        self.messages.pop(message["id"], None)
        if mid == "@original":
            # Gone: a later follow-up is a message of its own, with its own ephemeral flag.
            interaction.original = None
        else:
            interaction.followups.remove(message)
        message["deleted"] = True
        return web.Response(status=204)
