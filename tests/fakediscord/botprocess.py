"""Start the real bot the way a user does (``python -m bot discord``) against a fake Discord.

The only difference from production is the environment: ``DISCORD_TOKEN``, and the two
documented variables ``DISCORD_API_BASE`` / ``DISCORD_GATEWAY_URL`` pointing at the fake.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from .server import FakeDiscord

REPO = Path(__file__).resolve().parents[2]


def bot_env(fake: FakeDiscord | None, token: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    env["PYTHONUNBUFFERED"] = "1"
    if token is not None:
        env["DISCORD_TOKEN"] = token
    if fake is not None:
        env["DISCORD_API_BASE"] = fake.api_base
        env["DISCORD_GATEWAY_URL"] = fake.gateway_url
    return env


#: Every bot process started and not yet reaped, so a failed test cannot leak one.
RUNNING: set[BotProcess] = set()


def kill_leftovers() -> int:
    """Kill the bot processes a test left running (it failed before stopping them)."""
    killed = 0
    for bot in list(RUNNING):
        if bot.process is not None and bot.process.returncode is None:
            bot.process.kill()
            killed += 1
        RUNNING.discard(bot)
    return killed


class BotProcess:
    """``python -m bot [--config ...] [--set ...] discord [--sync]`` as a subprocess."""

    def __init__(
        self,
        fake: FakeDiscord | None,
        workdir: Path,
        *,
        overrides: Sequence[str] = (),
        sync: bool = False,
        token: str | None = None,
        config: Path = REPO / "config.yaml",
        env: dict[str, str] | None = None,
    ) -> None:
        self.fake = fake
        self.workdir = workdir
        self.overrides = list(overrides)
        self.sync = sync
        self.token = token if token is not None else (fake.token if fake else None)
        self.config = config
        self.env = env or {}  # on top of the environment bot_env builds
        self.process: asyncio.subprocess.Process | None = None
        self.log_path = workdir / f"bot-{id(self)}.log"

    @property
    def argv(self) -> list[str]:
        args = [sys.executable, "-m", "bot", "--config", str(self.config)]
        for override in self.overrides:
            args += ["--set", override]
        args.append("discord")
        if self.sync:
            args.append("--sync")
        return args

    async def start(self) -> BotProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                cwd=REPO,
                env={**bot_env(self.fake, self.token), **self.env},
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        RUNNING.add(self)
        return self

    async def start_synced(self) -> BotProcess:
        """Start, then wait until the bot has synced its commands and received READY.

        Raises
        ------
        RuntimeError
            When it does not get there, with everything the bot printed.
        """
        assert self.fake is not None
        await self.start()
        try:
            await self.fake.wait_for_commands(timeout=20)
            await self.fake.wait_for_ready(timeout=10)
        except TimeoutError:
            await self.stop()
            raise RuntimeError(f"the bot did not start:\n{self.output}") from None
        return self

    @property
    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def wait(self, timeout: float = 10.0) -> int:
        assert self.process is not None
        status = await asyncio.wait_for(self.process.wait(), timeout)
        RUNNING.discard(self)
        return status

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Send ``sig`` and return the exit status (kills the process after ``timeout``)."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
            try:
                return await self.wait(timeout)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
                raise
        return self.process.returncode
