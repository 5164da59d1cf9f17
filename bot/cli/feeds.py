"""``talks-bot feeds``: poll the RSS/Atom feeds once and add their new articles.

Registered through :data:`bot.cli.main.COMMAND_MODULES`. Added articles are printed as by
``talks-bot add``; a broken feed, or an entry whose page could not be added, is a warning on
stderr and the other feeds go on. The exit status is 0 even then (the run did what it could);
it is 2 only when there is nothing to poll or the corpus folder cannot take articles.
"""

from __future__ import annotations

import argparse
import sys

from bot.cli.add import describe, plural, quiet
from bot.render.printable import one_line


def register(sub: argparse._SubParsersAction) -> None:
    feeds = sub.add_parser(
        "feeds",
        help="poll the RSS/Atom feeds once and add their new articles",
        description="Poll each feed in feeds.urls (config.yaml) once; articles of entries not "
        "seen before are added to the corpus. A second run adds nothing new.",
    )
    feeds.add_argument(
        "--url",
        action="append",
        default=None,
        metavar="FEED",
        help="poll this feed instead of feeds.urls (repeatable)",
    )
    feeds.set_defaults(func=run_feeds)


def run_feeds(args: argparse.Namespace) -> int:
    from bot.cli.runtime import load
    from bot.corpus.feeds import poll_feeds
    from bot.errors import TalksBotError

    settings = load(args)
    urls = args.url if args.url is not None else list(settings.feeds.urls)
    if not urls:
        raise TalksBotError("no feeds to poll: set feeds.urls in config.yaml or pass --url")
    with quiet(settings.log_level, "trafilatura", "bot.corpus.feeds"):  # printed below instead
        poll = poll_feeds(settings, urls)
    for added in poll.added:
        args.stdout.write(describe(added) + "\n")
    for line in (*poll.warnings, *poll.failed):
        print(f"talks-bot: warning: {one_line(line)}", file=sys.stderr)
    args.stdout.write(
        f"{plural(len(poll.added), 'new article')}, {poll.duplicates} already in the corpus, "
        f"from {plural(len(urls), 'feed')} ({len(poll.warnings)} broken)\n"
    )
    return 0
