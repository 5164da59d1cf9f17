"""A protocol-faithful fake of Discord's REST API v10 and gateway, on 127.0.0.1.

The real discord.py client talks to it over real sockets. Point the client here with
``Route.BASE = fake.api_base`` and ``DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``
(or, for the product, the ``DISCORD_API_BASE`` / ``DISCORD_GATEWAY_URL`` environment variables).

What it enforces, like Discord: the bot token, message and embed size limits (400, code 50035
with nested ``errors``), empty messages (50006), the 3-second first response to an interaction
(404, code 10062), a single initial response (400, code 40060), privileged intents that were not
enabled (gateway close 4014). Every REST request is recorded in :attr:`FakeDiscord.requests`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from . import limits, payloads

PRIVILEGED_INTENTS = {"members": 1 << 1, "presences": 1 << 8, "message_content": 1 << 15}
EPHEMERAL = 1 << 6
LOADING = 1 << 7


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
    message: dict[str, Any]
    interaction_id: str | None = None


@dataclass
class _Session:
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
class _Fault:
    method: str
    pattern: re.Pattern[str]
    remaining: int
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class DiscordHTTPError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.status, self.body = status, {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": discord.py parses nothing else as JSON (no "; charset=").
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _invalid_form(errors: dict[str, Any]) -> DiscordHTTPError:
    return DiscordHTTPError(400, 50035, "Invalid Form Body", errors)


class FakeDiscord:
    """The fake Discord: ``async with FakeDiscord() as fake``, or :meth:`start` / :meth:`close`."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        response_deadline: float = 3.0,
        heartbeat_interval_ms: int = 41250,
        privileged_intents: tuple[str, ...] = (),
    ):
        self.token = token
        self.response_deadline = response_deadline
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.enabled_intents = sum(PRIVILEGED_INTENTS[name] for name in privileged_intents)
        self.application_id = payloads.snowflake()
        self.bot_user = payloads.client_user(self.application_id, "talks-bot")
        self.owner = payloads.user(payloads.snowflake(), "owner")
        self.user = payloads.user(payloads.snowflake(), "alice")  # the default human
        self.guild_id = payloads.snowflake()
        self.channel_id = payloads.snowflake()
        self.everyone_role = payloads.role(self.guild_id, "@everyone")
        self.channels: dict[str, dict[str, Any]] = {
            self.channel_id: payloads.text_channel(self.channel_id, self.guild_id, "general"),
        }
        self.members = {u["id"]: payloads.member(u) for u in (self.bot_user, self.owner, self.user)}
        self.dm_channels: dict[str, dict[str, Any]] = {}  # user id -> DM channel
        self.requests: list[RecordedRequest] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.gateway_connections: list[str] = []  # path of every websocket connection
        self.commands: dict[
            str | None, list[dict[str, Any]]
        ] = {}  # guild id (None: global) -> commands
        self.interactions: dict[str, Interaction] = {}
        self.sent: list[SentMessage] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.errors: list[str] = []  # protocol errors the fake detected in the bot's traffic
        self._sessions: dict[str, _Session] = {}
        self._faults: list[_Fault] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_get("/", self._gateway)
        app.router.add_get("/resume", self._gateway)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for session in self._sessions.values():
            if session.ws is not None and not session.ws.closed:
                await session.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    @property
    def session_ids(self) -> list[str]:
        """Gateway sessions opened by IDENTIFY, oldest first."""
        return list(self._sessions)

    @property
    def guild(self) -> dict[str, Any]:
        return payloads.guild(
            self.guild_id,
            "Fake Guild",
            owner_id=self.owner["id"],
            channels=list(self.channels.values()),
            members=list(self.members.values()),
            roles=[self.everyone_role],
        )

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

    async def wait_for_request(
        self, predicate: Callable[[RecordedRequest], bool], timeout: float = 5.0, *, after: int = 0
    ) -> RecordedRequest:
        """Wait for a handled request matching ``predicate`` (among ``requests[after:]``)."""

        def find() -> RecordedRequest | None:
            return next((r for r in self.requests[after:] if r.status and predicate(r)), None)

        return await self.wait_until(find, timeout)

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

    async def wait_for_identify(self, count: int = 1, timeout: float = 5.0) -> dict[str, Any]:
        await self.wait_until(lambda: len(self.identifies) >= count, timeout)
        return self.identifies[count - 1]

    async def wait_for_ready(self, shards: int = 1, timeout: float = 5.0) -> None:
        """Wait until ``shards`` sessions got READY and their GUILD_CREATEs."""
        await self.wait_until(
            lambda: sum(s.ready and s.valid for s in self._sessions.values()) >= shards, timeout
        )

    async def wait_for_commands(
        self, guild_id: str | None = None, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        return await self.wait_until(lambda: self.commands.get(guild_id), timeout)

    # -- faults ----------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_regex: str,
        *,
        count: int = 1,
        status: int = 500,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``count`` requests matching ``method`` and ``path_regex`` with errors."""
        self._faults.append(
            _Fault(
                method.upper(),
                re.compile(path_regex),
                count,
                status,
                body or {"message": "Internal Server Error", "code": 0},
                headers or {},
            )
        )

    def rate_limit_next(
        self,
        method: str,
        path_regex: str,
        *,
        count: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
    ) -> None:
        """The next ``count`` matching requests get a real 429 (``Via`` header, ``retry_after``)."""
        self.fail_next(
            method,
            path_regex,
            count=count,
            status=429,
            body={
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": is_global,
                "code": 0,
            },
            headers={
                "Via": "1.1 google",
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Scope": "global" if is_global else "user",
            },
        )

    # -- REST ------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        raw = await request.read()
        if raw and request.headers.get("Content-Type", "").startswith("application/json"):
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        elif raw:
            body = raw.decode(errors="replace")
        record = RecordedRequest(
            request.method, path, dict(request.query), dict(request.headers), body, time.monotonic()
        )
        self.requests.append(record)
        try:
            response = self._fault_for(request.method, path) or await self._route(
                request, path, body
            )
        except DiscordHTTPError as exc:
            response = _json(exc.body, exc.status)
        except Exception as exc:  # a bug in the fake must show up in tests, not hang them
            self.errors.append(f"fake crashed on {request.method} {path}: {exc!r}")
            response = _json({"message": "500: Internal Server Error", "code": 0}, 500)
        record.status = response.status
        record.response = json.loads(response.body) if response.body else None  # type: ignore[arg-type]
        await self._notify()
        return response

    def _fault_for(self, method: str, path: str) -> web.Response | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method == method and fault.pattern.search(path):
                fault.remaining -= 1
                return _json(fault.body, fault.status, fault.headers)
        return None

    def _check_auth(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bot {self.token}":
            raise DiscordHTTPError(401, 0, "401: Unauthorized")

    async def _route(self, request: web.Request, path: str, body: Any) -> web.Response:
        m = request.method
        routes: list[tuple[str, str, Callable[..., Awaitable[web.Response]], bool]] = [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", r"/oauth2/applications/@me", self._get_application, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway_bot, True),
            ("GET", r"/applications/(?P<app>\d+)/commands", self._get_commands, True),
            ("PUT", r"/applications/(?P<app>\d+)/commands", self._put_commands, True),
            (
                "GET",
                r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands",
                self._get_commands,
                True,
            ),
            (
                "PUT",
                r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands",
                self._put_commands,
                True,
            ),
            (
                "POST",
                r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback",
                self._callback,
                False,
            ),
            ("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)", self._followup, False),
            (
                "GET",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                self._get_webhook_message,
                False,
            ),
            (
                "PATCH",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                self._edit_webhook_message,
                False,
            ),
            (
                "DELETE",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                self._delete_webhook_message,
                False,
            ),
            ("GET", r"/channels/(?P<cid>\d+)", self._get_channel, True),
            ("POST", r"/channels/(?P<cid>\d+)/messages", self._create_message, True),
            ("POST", r"/channels/(?P<cid>\d+)/typing", self._typing, True),
            ("POST", r"/users/@me/channels", self._create_dm, True),
        ]
        for method, pattern, handler, needs_auth in routes:
            match = re.fullmatch(pattern, path)
            if match and method == m:
                if needs_auth:
                    self._check_auth(request)
                return await handler(request, body, **match.groupdict())
        if any(re.fullmatch(p, path) for _, p, _, _ in routes):
            raise DiscordHTTPError(405, 0, "405: Method Not Allowed")
        raise DiscordHTTPError(404, 0, "404: Not Found")

    async def _get_me(self, request: web.Request, body: Any) -> web.Response:
        return _json(self.bot_user)

    async def _get_application(self, request: web.Request, body: Any) -> web.Response:
        return _json(
            {
                "id": self.application_id,
                "name": "talks-bot",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.owner,
                "team": None,
                "verify_key": "0" * 64,
                "flags": 0,
                "interactions_endpoint_url": None,
                "summary": "",
                "rpc_origins": [],
                "terms_of_service_url": None,
                "privacy_policy_url": None,
                "tags": [],
                "install_params": None,
                "custom_install_url": None,
                "approximate_guild_count": 1,
                "redirect_uris": [],
                "role_connections_verification_url": None,
                "bot": self.bot_user,
            }
        )

    async def _get_gateway(self, request: web.Request, body: Any) -> web.Response:
        return _json({"url": self.gateway_url.rstrip("/")})

    async def _get_gateway_bot(self, request: web.Request, body: Any) -> web.Response:
        return _json(
            {
                "url": self.gateway_url.rstrip("/"),
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14400000,
                    "max_concurrency": 1,
                },
            }
        )

    def _check_app(self, app: str) -> None:
        if app != self.application_id:
            raise DiscordHTTPError(403, 50001, "Missing Access")

    async def _get_commands(
        self, request: web.Request, body: Any, app: str, guild: str | None = None
    ) -> web.Response:
        self._check_app(app)
        return _json(self.commands.get(guild, []))

    async def _put_commands(
        self, request: web.Request, body: Any, app: str, guild: str | None = None
    ) -> web.Response:
        self._check_app(app)
        if guild is not None and guild != self.guild_id:
            raise DiscordHTTPError(403, 50001, "Missing Access")
        errors = limits.check_commands(body)
        if errors:
            raise _invalid_form(errors)
        previous = {c["name"]: c for c in self.commands.get(guild, [])}
        stored = []
        for command in body:
            echoed = {
                "type": 1,
                "default_member_permissions": None,
                "nsfw": False,
                "options": [],
                "integration_types": [0],
                "contexts": None,
                **command,
            }
            echoed.update(
                id=previous.get(command["name"], {}).get("id") or payloads.snowflake(),
                application_id=self.application_id,
                version=payloads.snowflake(),
            )
            echoed["dm_permission"] = command.get("dm_permission", True)
            if guild is not None:
                echoed["guild_id"] = guild
            stored.append(echoed)
        self.commands[guild] = stored
        return _json(stored)

    # interactions --------------------------------------------------------------------------

    def _interaction(self, iid: str | None = None, token: str | None = None) -> Interaction:
        for interaction in self.interactions.values():
            if (iid is None or interaction.id == iid) and interaction.token == token:
                return interaction
        if iid is not None:
            raise DiscordHTTPError(404, 10062, "Unknown interaction")
        raise DiscordHTTPError(404, 10015, "Unknown Webhook")

    def _channel_of(self, interaction: Interaction) -> str:
        return interaction.payload["channel"]["id"]

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
        self.messages[data["id"]] = data
        return data

    def _validate_message(self, body: Any, prefix: str | None = None) -> None:
        if not isinstance(body, dict):
            raise _invalid_form(
                {"_errors": [{"code": "DICT_TYPE_CONVERT", "message": "Expected a JSON object"}]}
            )
        errors = limits.check_message(body)
        if errors:
            raise _invalid_form({prefix: errors} if prefix else errors)
        if limits.is_empty_message(body):
            raise DiscordHTTPError(400, 50006, "Cannot send an empty message")

    async def _callback(
        self, request: web.Request, body: Any, iid: str, token: str
    ) -> web.Response:
        interaction = self._interaction(iid, token)
        if time.monotonic() - interaction.created > self.response_deadline:
            raise DiscordHTTPError(404, 10062, "Unknown interaction")
        if interaction.acknowledged:
            raise DiscordHTTPError(400, 40060, "Interaction has already been acknowledged.")
        kind = body.get("type") if isinstance(body, dict) else None
        component = interaction.payload["type"] == 3
        autocomplete = interaction.payload["type"] == 4  # answered only with choices (type 8)
        allowed = {8} if autocomplete else {4, 5, 9} | ({6, 7} if component else set())
        if kind not in allowed:
            raise _invalid_form(
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
            self._validate_message(data, "data")
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
            self._validate_message({**interaction.payload["message"], **data}, "data")
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
            return _json({"interaction": callback, "resource": resource})
        return web.Response(status=204)

    @staticmethod
    def _validate_choices(choices: Any) -> None:
        """Autocomplete choices: a list of at most 25, names 1-100, values at most 100."""
        if not isinstance(choices, list) or len(choices) > 25:
            error = {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 25 or fewer in length."}
            raise _invalid_form({"data": {"choices": {"_errors": [error]}}})
        for i, choice in enumerate(choices):
            name, value = str(choice.get("name", "")), str(choice.get("value", ""))
            if not 1 <= len(name) <= 100 or len(value) > 100:
                error = {"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be 1 to 100 long."}
                raise _invalid_form({"data": {"choices": {str(i): {"name": {"_errors": [error]}}}}})

    def _webhook_interaction(self, app: str, token: str) -> Interaction:
        if app != self.application_id:
            raise DiscordHTTPError(404, 10015, "Unknown Webhook")
        interaction = self._interaction(None, token)
        if not interaction.acknowledged:  # Discord knows no webhook before the first response
            raise DiscordHTTPError(404, 10015, "Unknown Webhook")
        return interaction

    async def _followup(
        self, request: web.Request, body: Any, app: str, token: str
    ) -> web.Response:
        interaction = self._webhook_interaction(app, token)
        self._validate_message(body)
        channel_id = self._channel_of(interaction)
        if (
            interaction.original is not None
            and interaction.original["flags"] & LOADING
            and not interaction.followups
        ):
            # The first follow-up after a deferral replaces the "thinking" message, like Discord.
            message = interaction.original
            message.update(
                content=body.get("content") or "",
                embeds=body.get("embeds") or [],
                components=body.get("components") or [],
                flags=(message["flags"] & EPHEMERAL) | int(body.get("flags") or 0),
            )
        else:
            message = self._bot_message(channel_id, body, interaction=interaction, message_type=0)
        interaction.followups.append(message)
        self.sent.append(SentMessage("followup", channel_id, body, message, interaction.id))
        if request.query.get("wait") in ("1", "true", "True"):
            return _json(message)
        return web.Response(status=204)

    def _webhook_message(self, interaction: Interaction, mid: str) -> dict[str, Any]:
        if mid == "@original":
            if interaction.original is None:
                raise DiscordHTTPError(404, 10008, "Unknown Message")
            return interaction.original
        for message in interaction.followups:
            if message["id"] == mid:
                return message
        raise DiscordHTTPError(404, 10008, "Unknown Message")

    async def _get_webhook_message(
        self, request: web.Request, body: Any, app: str, token: str, mid: str
    ) -> web.Response:
        return _json(self._webhook_message(self._webhook_interaction(app, token), mid))

    async def _edit_webhook_message(
        self, request: web.Request, body: Any, app: str, token: str, mid: str
    ) -> web.Response:
        interaction = self._webhook_interaction(app, token)
        message = self._webhook_message(interaction, mid)
        merged = {k: message.get(k) for k in ("content", "embeds", "components")}
        merged.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
        self._validate_message({**merged, "allowed_mentions": body.get("allowed_mentions")})
        if limits.is_empty_message(merged):
            raise DiscordHTTPError(400, 50006, "Cannot send an empty message")
        message.update(
            {k: v if v is not None else ([] if k != "content" else "") for k, v in merged.items()}
        )
        message["flags"] = message["flags"] & ~LOADING
        message["edited_timestamp"] = payloads.iso_now()
        self.sent.append(SentMessage("edit", message["channel_id"], body, message, interaction.id))
        return _json(message)

    async def _delete_webhook_message(
        self, request: web.Request, body: Any, app: str, token: str, mid: str
    ) -> web.Response:
        interaction = self._webhook_interaction(app, token)
        self.messages.pop(self._webhook_message(interaction, mid)["id"], None)
        return web.Response(status=204)

    # channels ------------------------------------------------------------------------------

    def _known_channel(self, cid: str) -> dict[str, Any]:
        channel = self.channels.get(cid) or next(
            (c for c in self.dm_channels.values() if c["id"] == cid), None
        )
        if channel is None:
            raise DiscordHTTPError(404, 10003, "Unknown Channel")
        return channel

    async def _get_channel(self, request: web.Request, body: Any, cid: str) -> web.Response:
        return _json(self._known_channel(cid))

    async def _create_message(self, request: web.Request, body: Any, cid: str) -> web.Response:
        self._known_channel(cid)
        raw_body = body
        self._validate_message(body)
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
            raise _invalid_form(
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
        return _json(message)

    async def _typing(self, request: web.Request, body: Any, cid: str) -> web.Response:
        self._known_channel(cid)
        return web.Response(status=204)

    async def _create_dm(self, request: web.Request, body: Any) -> web.Response:
        recipient_id = str((body or {}).get("recipient_id"))
        known = {u["id"]: u for u in (self.user, self.owner)} | {
            m["user"]["id"]: m["user"] for m in self.members.values()
        }
        if recipient_id not in known:
            raise _invalid_form(
                {
                    "recipient_id": {
                        "_errors": [{"code": "NUMBER_TYPE_COERCE", "message": "Unknown user"}]
                    }
                }
            )
        channel = self._dm_channel(known[recipient_id])
        return _json(channel)

    def _dm_channel(self, user: dict[str, Any]) -> dict[str, Any]:
        if user["id"] not in self.dm_channels:
            self.dm_channels[user["id"]] = payloads.dm_channel(payloads.snowflake(), user)
        return self.dm_channels[user["id"]]

    # -- gateway ---------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.gateway_connections.append(request.path_qs)
        session: _Session | None = None
        await ws.send_str(
            json.dumps(
                {
                    "op": 10,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                }
            )
        )
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                op, data = payload.get("op"), payload.get("d")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
                elif op == 2:
                    session = await self._identify(ws, data)
                elif op == 6:
                    session = await self._resume(ws, data)
                # op 3 (presence), 4 (voice), 8 (request members): accepted and ignored
                await self._notify()
        finally:
            if session is not None and session.ws is ws:
                session.ws = None
            await self._notify()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> _Session | None:
        self.identifies.append(data)
        if data.get("token") not in (self.token, f"Bot {self.token}"):
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(data.get("intents", 0))
        privileged = sum(PRIVILEGED_INTENTS.values())
        if intents & privileged & ~self.enabled_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard_id, shard_count = data.get("shard") or (0, 1)
        if not 0 <= shard_id < shard_count:
            await ws.close(code=4010, message=b"Invalid shard.")
            return None
        session = _Session(uuid.uuid4().hex, (shard_id, shard_count), intents, ws=ws)
        self._sessions[session.session_id] = session
        guilds = [self.guild_id] if self._shard_of(self.guild_id, shard_count) == shard_id else []
        await self._send_dispatch(
            session,
            "READY",
            {
                "v": 10,
                "user": self.bot_user,
                "session_id": session.session_id,
                "resume_gateway_url": f"ws://127.0.0.1:{self.port}/resume",
                "guilds": [{"id": g, "unavailable": True} for g in guilds],
                "shard": [shard_id, shard_count],
                "application": {"id": self.application_id, "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "user_settings": {},
                "geo_ordered_rtc_regions": ["us-east"],
                "guild_join_requests": [],
                "auth": {},
                "_trace": ["fake-discord"],
            },
        )
        for _ in guilds:
            await self._send_dispatch(session, "GUILD_CREATE", self.guild)
        session.ready = True
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> _Session | None:
        self.resumes.append(data)
        session = self._sessions.get(data.get("session_id"))
        if (
            session is None
            or not session.valid
            or data.get("token") not in (self.token, f"Bot {self.token}")
        ):
            await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
            return None
        async with session.lock:
            session.ws = ws
            for event in session.log:
                if event["s"] > (data.get("seq") or 0):
                    await ws.send_str(json.dumps(event))
        await self._send_dispatch(session, "RESUMED", {"_trace": ["fake-discord"]})
        return session

    @staticmethod
    def _shard_of(guild_id: str | None, shard_count: int) -> int:
        return 0 if guild_id is None else (int(guild_id) >> 22) % shard_count

    async def _send_dispatch(self, session: _Session, event: str, data: dict[str, Any]) -> int:
        async with session.lock:
            session.seq += 1
            frame = {"op": 0, "t": event, "s": session.seq, "d": data}
            session.log.append(frame)
            if session.ws is not None and not session.ws.closed:
                try:
                    await session.ws.send_str(json.dumps(frame))
                except ConnectionError:
                    session.ws = None  # kept in the log, replayed on RESUME
            return session.seq

    def _sessions_for(self, guild_id: str | None) -> list[_Session]:
        latest: dict[tuple[int, int], _Session] = {}
        for (
            session
        ) in self._sessions.values():  # insertion order: the newest session per shard wins
            if session.valid:
                latest[session.shard] = session
        return [s for s in latest.values() if s.shard[0] == self._shard_of(guild_id, s.shard[1])]

    async def dispatch(
        self, event: str, data: dict[str, Any], *, guild_id: str | None = None
    ) -> None:
        """Send a DISPATCH event to the shard that owns ``guild_id`` (DMs: shard 0).

        If the socket is down, the event waits in the session log and is replayed on RESUME.
        """
        sessions = self._sessions_for(guild_id)
        if not sessions:
            raise RuntimeError("no gateway session has identified yet")
        for session in sessions:
            await self._send_dispatch(session, event, data)

    async def drop_gateway(self, code: int = 4000, *, invalidate: bool = False) -> None:
        """Close every live gateway socket with ``code`` (4000/1001 are resumable)."""
        for session in list(self._sessions.values()):
            if invalidate:
                session.valid = False
            ws, session.ws = session.ws, None
            if ws is not None and not ws.closed:
                await ws.close(code=code, message=b"fake-discord closed the connection")

    # -- helpers to play the users' side ---------------------------------------------------

    def add_user(self, name: str, *, bot: bool = False, in_guild: bool = True) -> dict[str, Any]:
        data = payloads.user(payloads.snowflake(), name, bot=bot)
        if in_guild:
            self.members[data["id"]] = payloads.member(data)
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
            payload.update(
                guild_id=self.guild_id,
                guild_locale="en-US",
                channel_id=channel["id"],
                guild={"id": self.guild_id, "locale": "en-US", "features": []},
                channel={**channel, "permissions": payloads.EVERYONE_PERMISSIONS},
                member=payloads.member(author, roles=[], permissions=payloads.EVERYONE_PERMISSIONS),
            )
        if message is not None:
            payload["message"] = message
        return payload

    async def send_interaction(self, payload: dict[str, Any]) -> Interaction:
        interaction = Interaction(payload["id"], payload["token"], payload, time.monotonic())
        self.interactions[interaction.id] = interaction
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=payload.get("guild_id"))
        return interaction

    def _command_data(
        self, name: str, options: dict[str, Any], scope: int | None, focused: str | None = None
    ) -> dict[str, Any]:
        """The ``data`` of an application-command interaction for ``/name`` as synced: looked
        up in ``scope`` first (a guild id, or None for global), then anywhere; option types
        come from the synced definition."""
        command = next((c for c in self.commands.get(scope, []) if c["name"] == name), None)
        if command is None:
            command = next(
                (c for cs in self.commands.values() for c in cs if c["name"] == name), None
            )
        if command is None:
            raise LookupError(f"/{name} was never synced; synced: {self.commands}")
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
        data = self._command_data(name, options or {}, scope)
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
        data = self._command_data(name, options, None, focused=focused)
        return await self.send_interaction(self._interaction_payload(4, data, user=user, dm=False))

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
    ) -> dict[str, Any]:
        """A user posts a message: in the guild channel, or in a DM with the bot.

        ``mention_bot`` prefixes ``<@bot_id>`` and lists the bot in ``mentions``. As on Discord,
        a bot without the MESSAGE_CONTENT intent receives empty content for guild messages that
        do not mention it.
        """
        author = user or self.user
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
        self.messages[data["id"]] = data
        for session in self._sessions_for(None if dm else self.guild_id):
            visible = dm or mention_bot or session.intents & PRIVILEGED_INTENTS["message_content"]
            await self._send_dispatch(
                session, "MESSAGE_CREATE", data if visible else {**data, "content": ""}
            )
        return data
