"""Benchmark: build time, warm start, memory and end-to-end answer latency per engine.

``python -m bot bench --passages 10000 100000 [--engines ...] [--json] [--loop-lag 5]``

A seeded generator writes a synthetic news corpus of the requested size: articles of 4-24
paragraphs, paragraph lengths log-normal around 40 words (clipped to 8-200), sentences of 8-25
words, and words drawn from a Zipf-Mandelbrot distribution over a vocabulary that grows with
the corpus (Heaps' law) whose most frequent entries are real English function words, so stop
words, long tails and IDF behave as in real text. Questions are drawn from the corpus (a few
words of a random paragraph inside a question frame), plus some about words it never uses.

Each engine is measured in fresh subprocesses, so memory is per engine and a warm start is a
real restart:

1. ``build``: index the corpus from nothing (analysis included), persisting what the engine
   persists; ``build_s`` and ``build_peak_rss_mib``.
2. ``serve``: a new process opens what was persisted (``warm_start_s``; ``ready_s`` adds the
   answer layer's corpus-wide set-up, such as syndicated-copy detection), then answers the
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
import asyncio
import json
import math
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from bot.corpus.model import Article, Corpus, Passage

ENGINES = ("naive-rank-bm25", "rank-bm25", "tantivy")

#: The most frequent English words, most frequent first; they head the synthetic vocabulary.
_FUNCTION_WORDS = """
the of and to a in that is was he for it with as his on be at by i this had not are but
from or have an they which one you were her all she there would their we him been has
when who will more no if out so said what up its about into than them can only other new
some could time these two may then do first any my now such like our over man me even
most made after also did many before must through back years where much your way well
down should because each just those people how too little state good very make world
still own see men work long get here between both life being under never day same
another know while last might us great old year off come since against go came right
used take three
"""
FUNCTION_WORDS = tuple(_FUNCTION_WORDS.split())
_FUNCTION_SET = frozenset(FUNCTION_WORDS)

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr",
           "gr", "kr", "pl", "st", "tr", "sh", "ch", "th")  # fmt: skip
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou")
_SYLLABLES = tuple(o + v for o in _ONSETS for v in _VOWELS)
_FRAMES = (
    "what did {a} say about {b} {c}",
    "where was the {a} {b}",
    "who said {a} {b} {c}?",
    "{a} {b} {c}",
    "why did {a} {b}",
    "when was {a} {b} {c}",
    "tell me about {a} and {b}",
)


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
    #: layer's own corpus-wide set-up (spelling vocabulary, syndicated-copy detection).
    ready_s: float | None = None
    loop_lag_p99_ms: float | None = None
    loop_lag_max_ms: float | None = None
    loop_answer_p95_ms: float | None = None
    error: str | None = None


# --------------------------------------------------------------------------- corpus


def pseudo_word(rank: int) -> str:
    """The synthetic word of a vocabulary rank (unique per rank, longer for rarer ranks)."""
    if rank < len(FUNCTION_WORDS):
        return FUNCTION_WORDS[rank]
    n = rank - len(FUNCTION_WORDS) + len(_SYLLABLES)
    parts = []
    while n:
        n, digit = divmod(n, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    word = "".join(reversed(parts))
    # A few syllable pairs spell real function words ("more", "take"); pseudo-words end in a
    # vowel, so an added consonant keeps them apart from both.
    return word + "n" if word in _FUNCTION_SET else word


def vocabulary_size(passages: int) -> int:
    """Heaps' law for ~40 words a passage: ~40k words at 10k passages, ~480k at 1M."""
    tokens = max(passages, 1) * 40
    return int(min(2_000_000, max(2_000, 30 * tokens**0.55)))


class _Sampler:
    """Zipf-Mandelbrot word ranks, ``p(r) ~ 1 / (r + 2.7)``."""

    def __init__(self, vocabulary: int, rng: np.random.Generator) -> None:
        weights = 1.0 / (np.arange(vocabulary) + 2.7)
        self.cdf = np.cumsum(weights / weights.sum())
        self.rng = rng
        self.words = np.array([pseudo_word(r) for r in range(vocabulary)], dtype=object)

    def ranks(self, n: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cdf, self.rng.random(n)), len(self.cdf) - 1)


def synthetic_corpus(passages: int, seed: int = 0) -> Corpus:
    """A reproducible synthetic news corpus of exactly ``passages`` paragraphs."""
    rng = np.random.default_rng(seed)
    sampler = _Sampler(vocabulary_size(passages), rng)
    articles: list[Article] = []
    out: list[Passage] = []
    lengths = np.clip(rng.lognormal(math.log(40), 0.55, passages), 8, 200).astype(int)
    done = 0
    while done < passages:
        size = min(int(rng.integers(4, 25)), passages - done)
        title_ranks = sampler.ranks(40)
        title_words = [sampler.words[r] for r in title_ranks if r >= 60][:7] or ["untitled"]
        article = Article(
            id=f"syn{len(articles):07d}",
            title=" ".join(w.capitalize() for w in title_words),
            source="The Synthetic Courier",
        )
        articles.append(article)
        article_lengths = lengths[done : done + size]
        words = sampler.words[sampler.ranks(int(article_lengths.sum()))]
        at = 0
        for paragraph, length in enumerate(article_lengths.tolist(), 1):
            out.append(Passage(article, paragraph, _sentences(words[at : at + length], rng)))
            at += length
        done += size
    return Corpus(tuple(articles), tuple(out))


def _sentences(words: np.ndarray, rng: np.random.Generator) -> str:
    sentences = []
    at = 0
    while at < len(words):
        n = int(rng.integers(8, 26))
        sentence = " ".join(words[at : at + n])
        sentences.append(sentence[:1].upper() + sentence[1:] + ".")
        at += n
    return " ".join(sentences)


def synthetic_questions(corpus: Corpus, n: int, seed: int = 0) -> list[str]:
    """``n`` questions: most from a random passage's rarer words, some about unknown words."""
    rng = np.random.default_rng(seed + 1)
    stop = set(FUNCTION_WORDS)
    questions = []
    for i in range(n):
        frame = _FRAMES[int(rng.integers(len(_FRAMES)))]
        if i % 7 == 6:  # about something the corpus never mentions
            words = [pseudo_word(10_000_000 + int(rng.integers(1_000_000))) for _ in range(3)]
        else:
            passage = corpus.passages[int(rng.integers(len(corpus.passages)))]
            content = [w.strip(".").lower() for w in passage.text.split()]
            content = [w for w in content if w not in stop] or content
            words = [content[int(rng.integers(len(content)))] for _ in range(3)]
        questions.append(frame.format(a=words[0], b=words[1], c=words[2]))
    return questions


# --------------------------------------------------------------------------- workers


def _rss_mib() -> float:
    """Peak resident memory of this process, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class _NaiveAnswerer:
    """rank-bm25 as commonly used: whitespace split, ``get_top_n``."""

    def __init__(self, corpus: Corpus) -> None:
        from rank_bm25 import BM25Okapi

        self.texts = [p.text for p in corpus.passages]
        self.bm25 = BM25Okapi([t.lower().split() for t in self.texts])

    def answer(self, question: str) -> list[str]:
        return self.bm25.get_top_n(question.lower().split(), self.texts, n=3)


def _settings(spec: dict[str, Any]):  # type: ignore[no-untyped-def]
    from bot.config import load_settings

    engine = spec["engine"] if spec["engine"] != "naive-rank-bm25" else "rank-bm25"
    overrides = [
        "semantic.enabled=false",  # the base install; --set semantic.enabled=true to time it
        *spec.get("overrides", ()),
        f"retrieval.engine={engine}",
        f"cache_dir={spec['cache_dir']}",
        "retrieval.persist=true",
    ]
    return load_settings(spec.get("config"), overrides)


def _worker(spec: dict[str, Any]) -> dict[str, Any]:
    """One phase of one engine, in this (fresh) process."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    settings = _settings(spec)
    if spec.get("configured"):
        from bot.corpus.loader import load_corpus

        corpus = load_corpus(settings.corpus)
    else:
        corpus = synthetic_corpus(spec["passages"], spec["seed"])
    if spec["engine"] != "naive-rank-bm25":
        from bot.analysis.analyzer import Analyzer

        # Load the lemmatiser's dictionary first: a fixed ~1.5 s per process, whatever the
        # corpus size, which is not what build and warm-start figures are about.
        Analyzer(settings.analysis).terms("said held")
    started = time.perf_counter()
    if spec["engine"] == "naive-rank-bm25":
        answerer: Any = _NaiveAnswerer(corpus)
        index_s = time.perf_counter() - started
    else:
        from bot.answer.answerer import Answerer
        from bot.index.store import IndexStore

        store = IndexStore(settings)
        engine = store.engine(corpus)
        index_s = time.perf_counter() - started
        answerer = Answerer(settings, corpus, store.analyzer, engine, copies=store.copies(corpus))
    result: dict[str, Any] = {
        "index_s": index_s,
        "ready_s": time.perf_counter() - started,
        "passages": len(corpus.passages),
    }
    if spec["phase"] == "build":
        result["rss_mib"] = _rss_mib()
        return result
    questions = synthetic_questions(corpus, spec["questions"], spec["seed"])
    for q in questions[: min(20, len(questions))]:  # warm caches, as a running bot has them
        answerer.answer(q)
    times = []
    answered = 0
    for q in questions:
        t0 = time.perf_counter()
        answer = answerer.answer(q)
        times.append((time.perf_counter() - t0) * 1000.0)
        answered += bool(answer) if isinstance(answer, list) else answer.answered
    result.update(
        p50_ms=_percentile(times, 50),
        p95_ms=_percentile(times, 95),
        answered=answered,
        questions=len(questions),
    )
    if spec.get("loop_lag"):
        result.update(
            asyncio.run(loop_lag(answerer.answer, questions, spec["rate"], spec["loop_lag"]))
        )
    result["rss_mib"] = _rss_mib()
    return result


async def loop_lag(
    answer: Any, questions: Sequence[str], rate: float, seconds: float
) -> dict[str, float]:
    """Answer ``rate`` questions a second for ``seconds`` via ``asyncio.to_thread`` and measure
    how late a 10 ms timer on the event loop fires meanwhile (a Discord heartbeat would be as
    late)."""
    loop = asyncio.get_running_loop()
    interval = 0.01
    lags: list[float] = []
    latencies: list[float] = []
    running = True

    async def ticker() -> None:
        while running:
            t0 = loop.time()
            await asyncio.sleep(interval)
            lags.append(max(0.0, (loop.time() - t0 - interval) * 1000.0))

    async def ask(question: str) -> None:
        t0 = time.perf_counter()
        await asyncio.to_thread(answer, question)
        latencies.append((time.perf_counter() - t0) * 1000.0)

    tick = asyncio.create_task(ticker())
    tasks = []
    start = loop.time()
    for i in range(max(1, int(rate * seconds))):
        await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
        tasks.append(asyncio.create_task(ask(questions[i % len(questions)])))
    await asyncio.gather(*tasks)
    running = False
    await tick
    return {
        "loop_lag_p99_ms": _percentile(lags, 99),
        "loop_lag_max_ms": round(max(lags, default=0.0), 3),
        "loop_answer_p95_ms": _percentile(latencies, 95),
    }


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    return round(float(np.percentile(np.asarray(values), q)), 3)


def _run_worker(spec: dict[str, Any], timeout: float | None) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.quality.bench", "--worker", json.dumps(spec)],
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
    ("peak_rss_mib", "peak RSS MiB", "{:.0f}"),
    ("build_peak_rss_mib", "build RSS MiB", "{:.0f}"),
    ("loop_lag_p99_ms", "loop lag p99 ms", "{:.1f}"),
    ("loop_lag_max_ms", "loop lag max ms", "{:.1f}"),
)


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
        "--configured-corpus", action="store_true",
        help="measure the corpus named in the config instead of a synthetic one",
    )  # fmt: skip
    bench.set_defaults(func=run_bench_command)


def run_bench_command(args: argparse.Namespace) -> int:
    from bot.config import load_settings
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


def _main(argv: Sequence[str]) -> int:
    if len(argv) == 2 and argv[0] == "--worker":
        print(json.dumps(_worker(json.loads(argv[1]))))
        return 0
    print("usage: python -m bot bench --help", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
