"""The gateway: HELLO, heartbeats, IDENTIFY and READY, RESUME with replay, and dispatch.

Plain text frames (discord.py inflates only binary ones), one session per IDENTIFY, and each
guild routed to the shard that owns it (``(guild_id >> 22) % shard_count``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from aiohttp import WSMsgType, web

from .records import Session
from .state import PRIVILEGED_INTENTS, FakeState


class GatewayMixin(FakeState):
    """The websocket side of the fake."""

    @property
    def session_ids(self) -> list[str]:
        """Gateway sessions opened by IDENTIFY, oldest first."""
        return list(self._sessions)

    async def wait_for_identify(self, count: int = 1, timeout: float = 5.0) -> dict[str, Any]:
        await self.wait_until(lambda: len(self.identifies) >= count, timeout)
        return self.identifies[count - 1]

    async def wait_for_ready(self, shards: int = 1, timeout: float = 5.0) -> None:
        """Wait until ``shards`` sessions got READY and their GUILD_CREATEs."""
        await self.wait_until(
            lambda: sum(s.ready and s.valid for s in self._sessions.values()) >= shards, timeout
        )

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.gateway_connections.append(request.path_qs)
        session: Session | None = None
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

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
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
        session = Session(uuid.uuid4().hex, (shard_id, shard_count), intents, ws=ws)
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

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
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

    async def _send_dispatch(self, session: Session, event: str, data: dict[str, Any]) -> int:
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

    def _sessions_for(self, guild_id: str | None) -> list[Session]:
        latest: dict[tuple[int, int], Session] = {}
        # insertion order: the newest session per shard wins
        for session in self._sessions.values():
            if session.valid:
                latest[session.shard] = session
        return [s for s in latest.values() if s.shard[0] == self._shard_of(guild_id, s.shard[1])]

    async def dispatch(
        self, event: str, data: dict[str, Any], *, guild_id: str | None = None
    ) -> None:
        """Send a DISPATCH event to the shard that owns ``guild_id`` (DMs: shard 0).

        If the socket is down, the event waits in the session log and is replayed on RESUME.
        """
        if not self._sessions_for(guild_id):
            raise RuntimeError("no gateway session has identified yet")
        await self._broadcast(event, data, guild_id)

    async def _broadcast(self, event: str, data: dict[str, Any], guild_id: str | None) -> None:
        """Like :meth:`dispatch`, but nothing happens when no bot is connected."""
        for session in self._sessions_for(guild_id):
            await self._send_dispatch(session, event, data)

    async def _forget_message(self, message: dict[str, Any]) -> None:
        """A message is deleted: gone for every route, and MESSAGE_DELETE to its shard."""
        self.messages.pop(message["id"], None)
        message["deleted"] = True
        data = {"id": message["id"], "channel_id": message["channel_id"]}
        if "guild_id" in message:
            data["guild_id"] = message["guild_id"]
        await self._broadcast("MESSAGE_DELETE", data, message.get("guild_id"))

    async def drop_gateway(self, code: int = 4000, *, invalidate: bool = False) -> None:
        """Close every live gateway socket with ``code`` (4000/1001 are resumable)."""
        for session in list(self._sessions.values()):
            if invalidate:
                session.valid = False
            ws, session.ws = session.ws, None
            if ws is not None and not ws.closed:
                await ws.close(code=code, message=b"fake-discord closed the connection")
