"""``talks-bot add SOURCE...``: add articles to the corpus from URLs or local files.

Registered through :data:`bot.cli.main.COMMAND_MODULES`. Each source is reported on one line:
what was added (id, title, outlet, date, passages), that it is already in the corpus, or why it
could not be added (on stderr). Every source is tried; the exit status is 2 if any failed.
A running bot notices the new files itself (they are renamed into the corpus folder whole).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from bot.corpus.ingest import Added, Duplicate
from bot.render.printable import one_line

EXIT_OK, EXIT_FAILED = 0, 2

#: Control characters, stripped from anything a server or a page may have put in a message.


def register(sub: argparse._SubParsersAction) -> None:
    add = sub.add_parser(
        "add",
        help="add articles to the corpus from URLs or local .html/.md/.txt files",
        description="Fetch each URL (or read each file), extract the article and write it to "
        "the corpus folder as one Markdown file with front matter.",
    )
    add.add_argument("sources", nargs="+", metavar="SOURCE", help="an http(s) URL or a file")
    add.set_defaults(func=run_add)


def run_add(args: argparse.Namespace) -> int:
    from bot.cli.runtime import load
    from bot.corpus.fetch import http_client
    from bot.corpus.ingest import Ingester, IngestError

    settings = load(args)
    failed = False
    with quiet(settings.log_level, "trafilatura"), http_client(settings.ingest) as client:
        ingester = Ingester(settings, client)
        for source in args.sources:
            try:
                outcome = ingester.add(source)
            except IngestError as exc:
                print(f"talks-bot: error: {one_line(str(exc))}", file=sys.stderr)
                failed = True
                continue
            args.stdout.write(describe(outcome) + "\n")
            args.stdout.flush()
    return EXIT_FAILED if failed else EXIT_OK


def describe(outcome: Added | Duplicate) -> str:
    """One line for an added article or a duplicate, safe to print on a terminal."""
    if isinstance(outcome, Duplicate):
        how = "the same URL" if outcome.by == "url" else "the same text"
        return one_line(
            f"unchanged {outcome.source}: already in the corpus as {outcome.article_id} ({how})"
        )
    date = outcome.date.isoformat() if outcome.date else "undated"
    details = [outcome.source or "unknown outlet", date, plural(outcome.passages, "passage")]
    return one_line(f"added {outcome.id}: {outcome.title} ({', '.join(details)})")


@contextmanager
def quiet(level: str, *loggers: str) -> Iterator[None]:
    """Hide the named loggers' warnings while a command runs (restored after): trafilatura's
    "discarding data" chatter, or warnings the command prints itself as one line each.
    With ``log_level: DEBUG`` everything is shown."""
    saved = {name: logging.getLogger(name).level for name in loggers}
    if level != "DEBUG":
        for name in loggers:
            logging.getLogger(name).setLevel(logging.ERROR)
    try:
        yield
    finally:
        for name, old in saved.items():
            logging.getLogger(name).setLevel(old)


def plural(n: int, word: str) -> str:
    """``1 passage``, ``3 passages``."""
    return f"{n} {word}{'' if n == 1 else 's'}"
