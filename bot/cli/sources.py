"""``talks-bot sources``: the articles the bot answers from, newest first."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.options import add_json_option

if TYPE_CHECKING:
    from bot.config.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    sources = sub.add_parser(
        "sources",
        help="list the articles the bot answers from: date, title, outlet, link",
    )
    add_json_option(sources, "one JSON object per article and line")
    sources.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.runtime import make_service
    from bot.render.json import sources_to_json_lines
    from bot.render.text import render_sources

    articles = make_service(settings).sources()
    render = sources_to_json_lines if args.json else render_sources
    args.stdout.write(render(articles))
    return 0
