"""A protocol-faithful fake of Discord's REST API v10 and gateway, on 127.0.0.1.

The real discord.py client talks to it over real sockets. Point the client here with
``Route.BASE = fake.api_base`` and ``DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``
(or, for the product, the ``DISCORD_API_BASE`` / ``DISCORD_GATEWAY_URL`` environment variables).

What it enforces, like Discord: the bot token, message and embed size limits (400, code 50035
with nested ``errors``), empty messages (50006), the 3-second first response to an interaction
(404, code 10062), a single initial response (400, code 40060), interaction tokens that expire
after 15 minutes (401, code 50027), the deferral's visibility for the first follow-up (its own
ephemeral flag is ignored, until the bot deletes it), the bot's permissions in each channel
from its roles and the channel's overwrites (403, code 50013; what messages need is granted
until a test takes it away), privileged intents that were not enabled (gateway close 4014), and
which commands Discord would offer a user (``default_member_permissions``, server-only
commands in DMs: :class:`PermissionError` in the test).
Every REST request is recorded in :attr:`FakeDiscord.requests`; every message the bot created in
:attr:`FakeDiscord.sent`, whose ``ephemeral`` / ``visible_to`` say who sees it.

The fake is one class made of one mixin per idea over a shared :class:`~.state.FakeState`:
:mod:`.gateway`, :mod:`.rest` (recording, faults, routing), :mod:`.application` (login and
command sync), :mod:`.interactions`, :mod:`.channels`, :mod:`.users` (the humans' side) and
:mod:`.moderation` (role permissions and channel overwrites, see :mod:`.permissions`).
"""

from __future__ import annotations

from aiohttp import web

from .application import ApplicationRoutes
from .channels import ChannelRoutes
from .interactions import InteractionRoutes
from .moderation import Moderation
from .records import Interaction, RecordedRequest, SentMessage
from .rest import RestMixin, Route
from .users import UserSide

__all__ = ["FakeDiscord", "Interaction", "RecordedRequest", "SentMessage"]


class FakeDiscord(
    UserSide, Moderation, InteractionRoutes, ChannelRoutes, ApplicationRoutes, RestMixin
):
    """The fake Discord: ``async with FakeDiscord() as fake``, or :meth:`start` / :meth:`close`.

    Keyword arguments (all optional): ``token``, ``response_deadline`` (seconds allowed for the
    first response to an interaction), ``token_lifetime`` (seconds an interaction token serves
    follow-ups and edits), ``heartbeat_interval_ms``, ``privileged_intents`` (names of the
    privileged intents enabled for the application, e.g. ``("message_content",)``), ``clock``
    (a monotonic ``() -> float``; :meth:`age_interaction` ages one interaction instead).
    """

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

    def _routes(self) -> list[Route]:
        app, guild, token = r"(?P<app>\d+)", r"(?P<guild>\d+)", r"(?P<token>[^/]+)"
        channel, message = r"/channels/(?P<cid>\d+)", r"(?P<mid>\d+)"
        webhook_message = rf"/webhooks/{app}/{token}/messages/(?P<mid>@original|\d+)"
        return [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", r"/oauth2/applications/@me", self._get_application, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway_bot, True),
            ("GET", rf"/applications/{app}/commands", self._get_commands, True),
            ("PUT", rf"/applications/{app}/commands", self._put_commands, True),
            ("GET", rf"/applications/{app}/guilds/{guild}/commands", self._get_commands, True),
            ("PUT", rf"/applications/{app}/guilds/{guild}/commands", self._put_commands, True),
            ("POST", rf"/interactions/(?P<iid>\d+)/{token}/callback", self._callback, False),
            ("POST", rf"/webhooks/{app}/{token}", self._followup, False),
            ("GET", webhook_message, self._get_webhook_message, False),
            ("PATCH", webhook_message, self._edit_webhook_message, False),
            ("DELETE", webhook_message, self._delete_webhook_message, False),
            ("GET", channel, self._get_channel, True),
            ("POST", rf"{channel}/messages", self._create_message, True),
            ("GET", rf"{channel}/messages/{message}", self._get_message, True),
            ("DELETE", rf"{channel}/messages/{message}", self._delete_message, True),
            ("POST", rf"{channel}/typing", self._typing, True),
            ("POST", r"/users/@me/channels", self._create_dm, True),
        ]
