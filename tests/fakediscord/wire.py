"""How the fake answers on the wire: Discord's exact JSON content type and error bodies."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from . import limits

#: Discord's JSON error codes the fake answers with: code -> (HTTP status, message).
ERRORS: dict[int, tuple[int, str]] = {
    10003: (404, "Unknown Channel"),
    10008: (404, "Unknown Message"),
    10015: (404, "Unknown Webhook"),
    10062: (404, "Unknown interaction"),
    40060: (400, "Interaction has already been acknowledged."),
    50001: (403, "Missing Access"),
    50003: (403, "Cannot execute action on a DM channel"),
    50006: (400, "Cannot send an empty message"),
    50013: (403, "Missing Permissions"),
    50027: (401, "Invalid Webhook Token"),
    50035: (400, "Invalid Form Body"),
}


class DiscordHTTPError(Exception):
    """An error answer, raised by a route and turned into Discord's ``{message, code}`` body."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.status, self.body = status, {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # Exactly "application/json": discord.py parses nothing else as JSON (no "; charset=").
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def known_error(code: int, errors: dict[str, Any] | None = None) -> DiscordHTTPError:
    """Discord's error ``code`` with the status and message Discord sends with it."""
    status, message = ERRORS[code]
    return DiscordHTTPError(status, code, message, errors)


def invalid_form(errors: dict[str, Any]) -> DiscordHTTPError:
    return known_error(50035, errors)


def validate_message(body: Any, prefix: str | None = None) -> None:
    """Raise Discord's error for a message body over a limit (50035) or empty (50006)."""
    if not isinstance(body, dict):
        raise invalid_form(
            {"_errors": [{"code": "DICT_TYPE_CONVERT", "message": "Expected a JSON object"}]}
        )
    errors = limits.check_message(body)
    if errors:
        raise invalid_form({prefix: errors} if prefix else errors)
    if limits.is_empty_message(body):
        raise known_error(50006)
