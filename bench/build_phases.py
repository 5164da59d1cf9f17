"""Time one full tantivy build and say where its CPU went (docs/performance.md)::

    python bench/build_phases.py                # 1,000,000 synthetic passages
    python bench/build_phases.py --passages 200000

Prints when the analysis workers started, the commit (the last article has reached tantivy),
when it is done, and the CPU seconds of the main process (tantivy's indexing threads included) and
of the forked analysis workers. ``talks-bot bench`` gives the build figure itself; this says
which side to make faster.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `bot` importable
    sys.path.insert(0, str(REPO))

from bot.analysis.analyzer import Analyzer
from bot.config.settings import load_settings
from bot.index import parallel, tantivy_index
from bot.index.store import IndexStore
from bot.quality.synthetic import synthetic_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=REPO / ".cache") as cache:
        settings = load_settings(
            REPO / "config.yaml",
            [
                "collapse.enabled=false",
                "retrieval.engine=tantivy",
                "semantic.enabled=false",
                f"cache_dir={cache}",
            ],
        )
        corpus = synthetic_corpus(args.passages)
        Analyzer(settings.analysis).terms("said held")  # load the lemmatiser's dictionary first
        started = time.perf_counter()

        def stamp(what: str) -> None:
            print(f"{time.perf_counter() - started:8.2f} s  {what}", flush=True)

        collect = parallel._collect

        def timed_collect(pool: Any, batches: list[list[tuple[int, int]]]) -> Iterator[str]:
            stamp("analysis workers started")
            yield from collect(pool, batches)

        finish = tantivy_index.finish

        def timed_finish(writer: Any) -> int:
            stamp("commit")
            opstamp = finish(writer)
            stamp("committed, merges done")
            return opstamp

        parallel._collect = timed_collect  # type: ignore[assignment]
        tantivy_index.finish = timed_finish  # type: ignore[assignment]
        before = resource.getrusage(resource.RUSAGE_SELF)
        IndexStore(settings).sync(corpus)
        stamp(f"built ({len(corpus.passages):,} passages)")
        after = resource.getrusage(resource.RUSAGE_SELF)
        workers = resource.getrusage(resource.RUSAGE_CHILDREN)
        main_cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        worker_cpu = workers.ru_utime + workers.ru_stime
        print(f"CPU: main process {main_cpu:.1f} s, analysis workers {worker_cpu:.1f} s")


if __name__ == "__main__":
    main()
