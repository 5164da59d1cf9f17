"""How the fake answers on the wire: Discord's exact JSON content type and error bodies."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from . import limits


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


def invalid_form(errors: dict[str, Any]) -> DiscordHTTPError:
    return DiscordHTTPError(400, 50035, "Invalid Form Body", errors)


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
        raise DiscordHTTPError(400, 50006, "Cannot send an empty message")
