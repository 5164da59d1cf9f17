"""Login and application commands: ``/users/@me``, the application, the gateway URL, and
command sync with Discord's validation of names, descriptions and options."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import limits, payloads
from .state import FakeState
from .wire import invalid_form, json_response, known_error


class ApplicationRoutes(FakeState):
    """The routes a bot calls while it logs in and syncs its command tree."""

    async def wait_for_commands(
        self, guild_id: str | None = None, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        return await self.wait_until(lambda: self.commands.get(guild_id), timeout)

    async def _get_me(self, request: web.Request, body: Any) -> web.Response:
        return json_response(self.bot_user)

    async def _get_application(self, request: web.Request, body: Any) -> web.Response:
        return json_response(
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
        return json_response({"url": self.gateway_url.rstrip("/")})

    async def _get_gateway_bot(self, request: web.Request, body: Any) -> web.Response:
        return json_response(
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
            raise known_error(50001)

    async def _get_commands(
        self, request: web.Request, body: Any, app: str, guild: str | None = None
    ) -> web.Response:
        self._check_app(app)
        return json_response(self.commands.get(guild, []))

    async def _put_commands(
        self, request: web.Request, body: Any, app: str, guild: str | None = None
    ) -> web.Response:
        self._check_app(app)
        if guild is not None and guild != self.guild_id:
            raise known_error(50001)
        errors = limits.check_commands(body)
        if errors:
            raise invalid_form(errors)
        previous = {c["name"]: c for c in self.commands.get(guild, [])}
        stored = []
        for command in body:
            echoed = {
                "type": 1,
                "description": "",  # user and message commands have none; Discord sends ""
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
        return json_response(stored)
