"""What the fake records, for tests to inspect and for its own bookkeeping.

Requests as received, interactions as dispatched, the messages the bot created, gateway
sessions and armed faults. Plain data: behaviour lives in the modules named for each idea.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

EPHEMERAL = 1 << 6  # message flag: only the invoking user sees it
LOADING = 1 << 7  # message flag: the "thinking…" placeholder of a deferral


@dataclass
class RecordedRequest:
    """One REST request as the fake received it, and the status it answered."""

    method: str
    path: str  # relative to /api/v10, e.g. "/interactions/123/tok/callback"
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    time: float
    status: int = 0
    response: Any = None


@dataclass
class Interaction:
    id: str
    token: str
    payload: dict[str, Any]
    created: float
    responses: list[dict[str, Any]] = field(default_factory=list)  # initial responses accepted
    original: dict[str, Any] | None = None  # the @original message
    followups: list[dict[str, Any]] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return bool(self.responses)


@dataclass
class SentMessage:
    """A message the bot created, by whatever route."""

    route: str  # "channel", "callback", "followup", "edit"
    channel_id: str
    body: dict[str, Any]
    message: dict[str, Any]  # as stored now: later edits show here, ``body`` is what was sent
    interaction_id: str | None = None

    @property
    def ephemeral(self) -> bool:
        """Whether the message as Discord shows it is ephemeral (not whether the bot asked)."""
        return bool(self.message["flags"] & EPHEMERAL)

    @property
    def deleted(self) -> bool:
        """Whether the message has been deleted since (by the bot or by someone else)."""
        return bool(self.message.get("deleted"))

    @property
    def visible_to(self) -> str | None:
        """Who sees the message: the invoking user's id if ephemeral, else None (the channel)."""
        if not self.ephemeral:
            return None
        return str(self.message["interaction_metadata"]["user"]["id"])


@dataclass
class Session:
    """One gateway session opened by IDENTIFY; its event log is replayed on RESUME."""

    session_id: str
    shard: tuple[int, int]
    intents: int
    seq: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    valid: bool = True
    ready: bool = False  # READY and every GUILD_CREATE sent


@dataclass
class Fault:
    """An armed failure: the next ``remaining`` matching requests get this answer."""

    method: str
    pattern: re.Pattern[str]
    remaining: int
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
