"""Print the whole quality table in one command: every question set and collection, base and
semantic (see docs/quality.md for the method and the development / held-out policy)::

    python bench/quality.py                 # development sets and collections, base + semantic
    python bench/quality.py --holdout       # also the held-out talks questions (reporting only)
    python bench/quality.py --no-ir --set answer.min_coverage=0.3   # a quick what-if
    python bench/quality.py --json

The SQuAD corpus and question sets are written to ``.cache/squad/`` by ``bench/squad_corpus.py``
and the IR collections to ``.cache/ir/`` by ``bench/ir_convert.py`` the first time.
The ``semantic`` rows need ``pip install 'talks-bot[semantic]'``; without it they are skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `bot` and `bench` importable
    sys.path.insert(0, str(REPO))

from bench import squad_corpus
from bench.ir_eval import prepare
from bot.config.settings import Settings, load_settings
from bot.quality.suite import Collection, QuestionSet, print_table, run_suite

SQUAD = REPO / ".cache" / "squad"
TESTS = REPO / "tests"


def question_sets(holdout: bool) -> list[QuestionSet]:
    """The question sets, in table order (the held-out one only when asked for)."""
    sets = [
        QuestionSet("talks questions.yaml", TESTS / "questions.yaml", "talks"),
        QuestionSet("SQuAD dev split", SQUAD / "dev.yaml", "squad"),
        QuestionSet("off-topic SQuAD->talks", SQUAD / "offtopic-squad-on-talks.yaml", "talks"),
        QuestionSet("off-topic talks->SQuAD", SQUAD / "offtopic-talks-on-squad.yaml", "squad"),
        QuestionSet("SQuAD dev impossible", SQUAD / "dev-impossible.yaml", "squad", "cost"),
    ]
    if holdout:
        sets.append(
            QuestionSet(
                "talks questions_holdout.yaml",
                TESTS / "questions_holdout.yaml",
                "talks",
                "held out",
            )
        )
    return sets


def semantic_available() -> bool:
    """Whether the ``[semantic]`` extra is installed."""
    try:
        from bot.answer.semantic import available
    except ImportError:
        return False
    return available()


def variants(which: str) -> dict[str, Callable[[Settings], Settings]]:
    """``base`` (semantic re-ranking off) and, when installed, ``semantic`` (on)."""

    def switch(on: bool) -> Callable[[Settings], Settings]:
        def make(settings: Settings) -> Settings:
            semantic = settings.semantic.model_copy(update={"enabled": on})
            return settings.model_copy(update={"semantic": semantic})

        return make

    out: dict[str, Callable[[Settings], Settings]] = {}
    if which in ("base", "both"):
        out["base"] = switch(False)
    if which in ("semantic", "both"):
        if semantic_available():
            out["semantic"] = switch(True)
        else:
            print("semantic rows skipped: pip install 'talks-bot[semantic]'", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--holdout", action="store_true", help="also report the held-out set")
    parser.add_argument("--no-ir", action="store_true", help="skip Vaswani and Cranfield")
    parser.add_argument("--variant", choices=("base", "semantic", "both"), default="both")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="K=V")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (SQUAD / "dev.yaml").exists() and squad_corpus.main(["--out", str(SQUAD)]) != 0:
        return 1
    talks = load_settings(None, args.overrides)
    squad = load_settings(None, [*args.overrides, f"corpus.path={SQUAD / 'corpus'}"])
    collections = []
    if not args.no_ir:
        collections = [
            Collection(name, prepare(name, REPO / ".cache" / "ir"))
            for name in ("vaswani", "cranfield")
        ]
    rows = run_suite(
        {"talks": talks, "squad": squad},
        question_sets(args.holdout),
        collections,
        variants(args.variant),
        progress=lambda note: print(f"  ... {note}", file=sys.stderr, flush=True),
    )
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
    else:
        print_table(rows, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
