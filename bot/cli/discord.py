"""The ``discord`` subcommand of the CLI. Importing this module does not import discord."""

from __future__ import annotations

import argparse

from bot.config.settings import load_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``discord [--sync]`` to the CLI."""
    parser = subparsers.add_parser(
        "discord",
        help="run the Discord bot (token from the DISCORD_TOKEN environment variable)",
        description=(
            "Connect to Discord and answer /ask, /timeline, /sources, /help, the Find sources "
            "context menu, direct messages and mentions (and /add, /reload for the owner). "
            "The token is read from the environment variable named by discord.token_env "
            "(DISCORD_TOKEN). When Discord cannot be reached within "
            "discord.connect_timeout_seconds, one line says why and the exit status is 2. "
            "DISCORD_API_BASE and DISCORD_GATEWAY_URL, when set, point the bot at another API "
            "and gateway (for testing against a local fake, or a proxy). See docs/discord.md."
        ),
    )
    parser.add_argument(
        "--sync",
        action="store_true",
        help="sync the slash commands with Discord now, even if they did not change",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.frontends.discord.startup import run_bot

    settings = load_settings(args.config, args.overrides)
    return run_bot(settings, force_sync=args.sync)
