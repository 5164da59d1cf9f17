"""Evaluate the bot on the shared IR test collections in one command.

Converts each collection (``bench/ir_convert.py``) into ``.cache/ir/<name>/`` the first time,
then runs ``python -m bot eval --corpus ... --queries ... --qrels ...`` on it, passing any
further arguments through (``--json``, ``--set``, ``--compare``, ``--ablation``)::

    python bench/ir_eval.py                          # both collections, default config
    python bench/ir_eval.py vaswani --compare "b=0.5: retrieval.b=0.5"
    python bench/ir_eval.py cranfield --json
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `bot` and `bench` importable
    sys.path.insert(0, str(REPO))

from bench.ir_convert import READERS, default_data_dir, write_collection
from bot.cli.main import main as bot_main


def prepare(name: str, cache: Path) -> Path:
    """The converted collection's folder, converting it first if needed."""
    out = cache / name
    if not (out / "qrels.txt").exists():
        write_collection(READERS[name](default_data_dir() / name), out)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = [a for a in argv if a in READERS] or sorted(READERS, reverse=True)
    rest = [a for a in argv if a not in READERS]
    status = 0
    for name in names:
        folder = prepare(name, REPO / ".cache" / "ir")
        if "--json" not in rest:
            print(f"== {name}")
        status |= bot_main(
            [
                "eval",
                "--corpus", str(folder / "docs.jsonl"),
                "--queries", str(folder / "queries.jsonl"),
                "--qrels", str(folder / "qrels.txt"),
                *rest,
            ]
        )  # fmt: skip
    return status


if __name__ == "__main__":
    sys.exit(main())
