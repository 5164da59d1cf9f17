"""The REST front door: every request recorded, armed faults answered, then routed.

Routes are matched on the full path under ``/api/v10``; a bug in a route answers 500 and
lands in :attr:`FakeState.errors` so that tests fail instead of hanging.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from aiohttp import web

from .records import Fault, RecordedRequest
from .state import FakeState
from .wire import DiscordHTTPError, json_response, known_error

#: (method, path regex, handler, needs the bot's Authorization header)
Route = tuple[str, str, Callable[..., Awaitable[web.Response]], bool]


class RestMixin(FakeState):
    """Recording, fault injection, authentication and routing of REST requests."""

    def _routes(self) -> list[Route]:
        """Every route the fake serves; the composed server lists them."""
        raise NotImplementedError

    async def wait_for_request(
        self, predicate: Callable[[RecordedRequest], bool], timeout: float = 5.0, *, after: int = 0
    ) -> RecordedRequest:
        """Wait for a handled request matching ``predicate`` (among ``requests[after:]``)."""

        def find() -> RecordedRequest | None:
            return next((r for r in self.requests[after:] if r.status and predicate(r)), None)

        return await self.wait_until(find, timeout)

    # -- faults ----------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_regex: str,
        *,
        count: int = 1,
        status: int | None = None,
        code: int | None = None,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        r"""Answer the next ``count`` requests matching ``method`` and ``path_regex`` with errors.

        Parameters
        ----------
        method
            An HTTP method, or ``"*"`` for any.
        path_regex
            Searched in the path under ``/api/v10`` (``r"^/channels/\d+/messages$"``).
        count
            How many matching requests fail; faults armed earlier are used up first.
        status, code
            ``code`` is one of Discord's JSON codes in :data:`.wire.ERRORS` (50013 Missing
            Permissions, 10008 Unknown Message, ...) and brings its status and message;
            ``status`` alone gives a bare error with code 0 (default 500). Mind that discord.py
            retries 500, 502, 504 and 524 up to five times, sleeping 1, 3, 5... seconds: use
            503 for a server error that surfaces at once.
        body, headers
            The exact answer, instead of the one ``status`` and ``code`` make.
        """
        if body is None and code is not None:
            error = known_error(code)
            status, body = status or error.status, error.body
        status = status or 500
        if body is None:
            body = {"message": f"{status}: {HTTPStatus(status).phrase}", "code": 0}
        self._faults.append(
            Fault(method.upper(), re.compile(path_regex), count, status, body, headers or {})
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
            request.method, path, dict(request.query), dict(request.headers), body, self.clock()
        )
        self.requests.append(record)
        try:
            response = self._fault_for(request.method, path) or await self._route(
                request, path, body
            )
        except DiscordHTTPError as exc:
            response = json_response(exc.body, exc.status)
        except Exception as exc:  # a bug in the fake must show up in tests, not hang them
            self.errors.append(f"fake crashed on {request.method} {path}: {exc!r}")
            response = json_response({"message": "500: Internal Server Error", "code": 0}, 500)
        record.status = response.status
        record.response = json.loads(response.body) if response.body else None  # type: ignore[arg-type]
        await self._notify()
        return response

    def _fault_for(self, method: str, path: str) -> web.Response | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method in ("*", method) and fault.pattern.search(path):
                fault.remaining -= 1
                return json_response(fault.body, fault.status, fault.headers)
        return None

    def _check_auth(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bot {self.token}":
            raise DiscordHTTPError(401, 0, "401: Unauthorized")

    async def _route(self, request: web.Request, path: str, body: Any) -> web.Response:
        m = request.method
        routes = self._routes()
        for method, pattern, handler, needs_auth in routes:
            match = re.fullmatch(pattern, path)
            if match and method == m:
                if needs_auth:
                    self._check_auth(request)
                return await handler(request, body, **match.groupdict())
        if any(re.fullmatch(p, path) for _, p, _, _ in routes):
            raise DiscordHTTPError(405, 0, "405: Method Not Allowed")
        raise DiscordHTTPError(404, 0, "404: Not Found")
