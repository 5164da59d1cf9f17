"""Benchmark: build time, warm start, memory and end-to-end answer latency per engine.

``python -m bot bench --passages 10000 100000 [--engines ...] [--json] [--loop-lag 5]``

The corpus is a seeded synthetic news corpus of the requested size (:mod:`bot.quality.synthetic`).

Each engine is measured in fresh subprocesses (:mod:`bot.quality.bench_worker`), so memory is
per engine and a warm start is a real restart:

1. ``build``: index the corpus from nothing (analysis included), persisting what the engine
   persists; ``build_s`` and ``build_peak_rss_mib``.
2. ``serve``: a new process opens what was persisted (``warm_start_s``; ``ready_s`` adds the
   answer layer's corpus-wide set-up, such as the spelling vocabulary; syndicated copies are
   found while indexing and kept, so a restart only reads them), then answers the
   questions with the full answer path -- analysis, retrieval, the "no answer" rule, sentence
   highlighting, citations -- timing each (``p50_ms``, ``p95_ms``); ``peak_rss_mib`` is that
   process's peak. With ``--loop-lag`` it also answers a steady stream of questions from an
   asyncio loop through ``asyncio.to_thread`` (as the Discord front end does) and reports how
   late a 10 ms timer on the loop fires (``loop_lag_p99_ms``, ``loop_lag_max_ms``).

``naive-rank-bm25`` is the anchor: rank-bm25 as it is commonly used -- ``text.lower().split()``
and ``BM25Okapi(...).get_top_n(query, texts, n=3)`` -- with nothing persisted, so its warm start
is its build. Its "answer" is the three passages ``get_top_n`` returns.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

ENGINES = ("naive-rank-bm25", "rank-bm25", "tantivy")


@dataclass(frozen=True)
class BenchResult:
    """One engine at one corpus size (``None`` where a figure does not apply)."""

    engine: str
    passages: int
    build_s: float
    warm_start_s: float | None
    p50_ms: float
    p95_ms: float
    peak_rss_mib: float
    build_peak_rss_mib: float
    questions: int
    answered: int
    #: A restart until the first question can be answered: ``warm_start_s`` plus the answer
    #: layer's own corpus-wide set-up (the spelling vocabulary; copy groups are read back).
    ready_s: float | None = None
    loop_lag_p99_ms: float | None = None
    loop_lag_max_ms: float | None = None
    loop_answer_p95_ms: float | None = None
    #: Question latency with spelling correction off (``answer.spelling: false``).
    p50_nospell_ms: float | None = None
    p95_nospell_ms: float | None = None
    #: One new article made answerable on a running bot (median of ``--adds``): the index
    #: brought up to date, and with the new answerer's own set-up and one question about the
    #: new article (the check that it is answerable); whether it then answered.
    add_ms: float | None = None
    add_ready_ms: float | None = None
    add_answerable: bool | None = None
    #: Peak memory of the largest analysis worker process during the build.
    build_workers_rss_mib: float | None = None
    error: str | None = None


# --------------------------------------------------------------------------- driver


def _run_worker(spec: dict[str, Any], timeout: float | None) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.quality.bench_worker", "--worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{spec['engine']} {spec['phase']} failed: {tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- driver


def run_bench(
    passages: int,
    engines: Sequence[str] = ENGINES,
    questions: int = 200,
    seed: int = 0,
    config: str | None = None,
    overrides: Sequence[str] = (),
    cache_dir: Path | None = None,
    loop_lag_s: float = 0.0,
    adds: int = 3,
    rate: float = 50.0,
    timeout: float | None = 3600.0,
    configured: bool = False,
) -> Iterator[BenchResult]:
    """Measure each engine at ``passages`` (each phase in its own subprocess); with
    ``configured``, on the corpus named by the configuration instead of a synthetic one."""
    root = Path(tempfile.mkdtemp(prefix="talks-bot-bench-", dir=cache_dir))
    try:
        for engine in engines:
            spec = {
                "engine": engine,
                "passages": passages,
                "seed": seed,
                "questions": questions,
                "config": config,
                "overrides": list(overrides),
                "cache_dir": str(root / engine),
                "loop_lag": loop_lag_s,
                "rate": rate,
                "adds": adds,
                "configured": configured,
            }
            try:
                built = _run_worker({**spec, "phase": "build"}, timeout)
                served = _run_worker({**spec, "phase": "serve"}, timeout)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                yield BenchResult(engine, passages, math.nan, None, math.nan, math.nan,
                                  math.nan, math.nan, 0, 0, error=str(exc))  # fmt: skip
                continue
            yield BenchResult(
                engine=engine,
                passages=served["passages"],
                build_s=round(built["index_s"], 3),
                warm_start_s=None if engine == "naive-rank-bm25" else round(served["index_s"], 3),
                ready_s=round(served["ready_s"], 3),
                p50_ms=served["p50_ms"],
                p95_ms=served["p95_ms"],
                peak_rss_mib=round(served["rss_mib"], 1),
                build_peak_rss_mib=round(built["rss_mib"], 1),
                questions=served["questions"],
                answered=served["answered"],
                loop_lag_p99_ms=served.get("loop_lag_p99_ms"),
                loop_lag_max_ms=served.get("loop_lag_max_ms"),
                loop_answer_p95_ms=served.get("loop_answer_p95_ms"),
                p50_nospell_ms=served.get("p50_nospell_ms"),
                p95_nospell_ms=served.get("p95_nospell_ms"),
                add_ms=served.get("add_ms"),
                add_ready_ms=served.get("add_ready_ms"),
                add_answerable=served.get("add_answerable"),
                build_workers_rss_mib=_rounded(built.get("workers_rss_mib")),
            )
            shutil.rmtree(root / engine, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


_COLUMNS = (
    ("engine", "engine", "{}"),
    ("passages", "passages", "{:,}"),
    ("build_s", "build s", "{:.2f}"),
    ("warm_start_s", "warm start s", "{:.2f}"),
    ("ready_s", "ready s", "{:.2f}"),
    ("p50_ms", "p50 ms", "{:.2f}"),
    ("p95_ms", "p95 ms", "{:.2f}"),
    ("p50_nospell_ms", "p50 ms no spelling", "{:.2f}"),
    ("p95_nospell_ms", "p95 ms no spelling", "{:.2f}"),
    ("add_ms", "add ms", "{:.0f}"),
    ("add_ready_ms", "add+ready ms", "{:.0f}"),
    ("peak_rss_mib", "peak RSS MiB", "{:.0f}"),
    ("build_peak_rss_mib", "build RSS MiB", "{:.0f}"),
    ("build_workers_rss_mib", "worker RSS MiB", "{:.0f}"),
    ("loop_lag_p99_ms", "loop lag p99 ms", "{:.1f}"),
    ("loop_lag_max_ms", "loop lag max ms", "{:.1f}"),
)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def format_table(results: Sequence[BenchResult]) -> str:
    """A Markdown table of results (loop-lag columns only when measured)."""
    columns = [
        c for c in _COLUMNS if not c[0].startswith("loop") or any(
            getattr(r, c[0]) is not None for r in results)
    ]  # fmt: skip
    rows = [[title for _, title, _ in columns]]
    for r in results:
        row = []
        for name, _, fmt in columns:
            value = getattr(r, name)
            row.append("—" if value is None or value != value else fmt.format(value))
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines) + "\n"


def register(sub: Any) -> None:
    """Add the ``bench`` subcommand to the CLI."""
    bench = sub.add_parser(
        "bench",
        help="benchmark the engines on a synthetic corpus",
        description="Build, warm start, memory and end-to-end answer latency per engine, "
        "on a seeded synthetic news corpus.",
    )
    bench.add_argument(
        "--passages", type=int, nargs="+", default=[10_000], metavar="N",
        help="corpus sizes in passages (default: 10000)",
    )  # fmt: skip
    bench.add_argument(
        "--engines", nargs="+", choices=ENGINES, default=list(ENGINES),
        help="engines to measure (default: all)",
    )  # fmt: skip
    bench.add_argument("--questions", type=int, default=200, help="questions timed (default 200)")
    bench.add_argument("--seed", type=int, default=0, help="corpus and question seed")
    bench.add_argument("--json", action="store_true", help="one JSON object per line per engine")
    bench.add_argument(
        "--loop-lag", type=float, default=0.0, metavar="SECONDS",
        help="also answer --rate questions/s for this long from an asyncio loop, measuring lag",
    )  # fmt: skip
    bench.add_argument("--rate", type=float, default=50.0, help="questions per second (50)")
    bench.add_argument(
        "--adds", type=int, default=3, metavar="N",
        help="new articles added one at a time on the serving process, timed (default 3; 0: none)",
    )  # fmt: skip
    bench.add_argument(
        "--configured-corpus", action="store_true",
        help="measure the corpus named in the config instead of a synthetic one",
    )  # fmt: skip
    bench.set_defaults(func=run_bench_command)


def run_bench_command(args: argparse.Namespace) -> int:
    from bot.config.settings import load_settings
    from bot.errors import TalksBotError

    if any(n < 1 for n in args.passages):
        raise TalksBotError("--passages must be at least 1")
    settings = load_settings(args.config, args.overrides)
    out: TextIO = args.stdout
    results = []
    for passages in [0] if args.configured_corpus else args.passages:
        for result in run_bench(
            passages,
            engines=args.engines,
            questions=args.questions,
            seed=args.seed,
            config=args.config,
            overrides=args.overrides,
            cache_dir=_bench_dir(settings.cache_dir),
            loop_lag_s=args.loop_lag,
            rate=args.rate,
            adds=args.adds,
            configured=args.configured_corpus,
        ):
            results.append(result)
            if args.json:
                out.write(json.dumps(asdict(result)) + "\n")
                out.flush()
            elif result.error:
                print(f"talks-bot: {result.error}", file=sys.stderr)
    if not args.json:
        out.write(format_table(results))
    return 1 if any(r.error for r in results) else 0


def _bench_dir(cache_dir: Path) -> Path:
    path = Path(cache_dir) / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path
