"""``talks-bot init [DIR]``: write a starter ``config.yaml`` and ``corpus/`` folder.

For a plain ``pip install``, which has no checkout around it and so no config to find. The
files come from :func:`bot.config.init.init_project`; nothing is overwritten. This command reads
no settings: there may be none yet.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    init = sub.add_parser(
        "init",
        help="write a starter config.yaml and corpus/ folder (nothing is overwritten)",
    )
    init.add_argument(
        "directory",
        nargs="?",
        default=".",
        type=Path,
        metavar="DIR",
        help="where to write them (created if missing; default: the current folder)",
    )
    init.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.config.init import init_project
    from bot.render.printable import one_line

    written = init_project(args.directory)
    for path in written:
        args.stdout.write(f"wrote {one_line(str(path))}\n")
    here = Path(args.directory).resolve() == Path.cwd().resolve()
    go = "" if here else f"cd {shlex.quote(str(args.directory))} && "
    args.stdout.write(
        f"next: {go}talks-bot check, then talks-bot console "
        "(add articles to corpus/ as .md, .txt, .html or .jsonl files)\n"
    )
    return 0
