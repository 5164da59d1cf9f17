"""What one benchmark phase measures, in a fresh process of its own.

``python -m bot.quality.bench_worker --worker SPEC`` runs one phase (``build`` or ``serve``) of
one engine as :mod:`bot.quality.bench` asks and prints its figures as one JSON line, so memory
is per engine and a warm start is a real restart.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from bot.config.settings import Settings
from bot.corpus.model import Corpus
from bot.quality.synthetic import (
    extra_article,
    synthetic_corpus,
    synthetic_questions,
    with_added,
)


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

    def wait_ready(self) -> bool:
        """Nothing is built in the background."""
        return True


def _settings(spec: dict[str, Any]) -> Settings:
    from bot.config.settings import load_settings

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
        from bot.service.answer_service import settle

        store = IndexStore(settings)
        indexed = store.sync(corpus)
        index_s = time.perf_counter() - started
        # As the bot's service readies each answerer it serves (bot.service.answer_service).
        answerer = settle(
            Answerer(settings, corpus, store.analyzer, indexed.engine, copies=indexed.copies)
        )
    result: dict[str, Any] = {
        "index_s": index_s,
        "ready_s": time.perf_counter() - started,
        "passages": len(corpus.passages),
    }
    if spec["phase"] == "build":
        result["rss_mib"] = _rss_mib()
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        result["workers_rss_mib"] = workers or None  # None: analysed in this process
        return result
    questions = synthetic_questions(corpus, spec["questions"], spec["seed"])
    times = _timed(answerer.answer, questions)
    answered = sum(
        bool(answer) if isinstance(answer, list) else answer.answered
        for answer in map(answerer.answer, questions)
    )
    result.update(
        p50_ms=_percentile(times, 50),
        p95_ms=_percentile(times, 95),
        answered=answered,
        questions=len(questions),
    )
    if spec["engine"] != "naive-rank-bm25":
        unspelled = settle(
            Answerer(
                _without_spelling(settings), corpus, store.analyzer, indexed.engine, indexed.copies
            )
        )
        times = _timed(unspelled.answer, questions)
        result.update(p50_nospell_ms=_percentile(times, 50), p95_nospell_ms=_percentile(times, 95))
    if spec.get("loop_lag"):
        result.update(
            asyncio.run(loop_lag(answerer.answer, questions, spec["rate"], spec["loop_lag"]))
        )
    if spec.get("adds"):
        result.update(
            _adds(
                spec,
                settings,
                corpus,
                store if spec["engine"] != "naive-rank-bm25" else None,
                answerer,
            )
        )
    result["rss_mib"] = _rss_mib()
    return result


def _timed(answer: Any, questions: Sequence[str]) -> list[float]:
    for q in questions[: min(20, len(questions))]:  # warm caches, as a running bot has them
        answer(q)
    times = []
    for q in questions:
        t0 = time.perf_counter()
        answer(q)
        times.append((time.perf_counter() - t0) * 1000.0)
    return times


def _without_spelling(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"answer": settings.answer.model_copy(update={"spelling": False})}
    )


def _adds(
    spec: dict[str, Any], settings: Settings, corpus: Corpus, store: Any, serving: Any
) -> dict[str, Any]:
    """Add new articles one at a time, as a running bot would on reload, timing until each is
    answerable: ``add_ms`` for the index (the store's sync, or a new naive model),
    ``add_ready_ms`` with the new answerer (its own corpus-wide set-up included)."""
    from bot.answer.answerer import Answerer
    from bot.service.answer_service import settle

    index_ms, ready_ms, answerable = [], [], True
    # The build just wrote its index; a disk still writing it back makes each fsync of an add
    # wait for all of it (ext4 orders data before metadata). A bot adds articles long after
    # its build: flush first, so add_ms times the add, not the build's write-back.
    os.sync()
    answerer: Any = serving
    for number in range(spec["adds"]):
        # The last answerer's spelling index is built in a Python thread: an add timed while
        # it runs would time both (a bot's adds come minutes apart, not back to back).
        answerer.wait_ready()
        extra, marker = extra_article(len(corpus.passages), number, spec["seed"])
        corpus = with_added(corpus, extra)
        t0 = time.perf_counter()
        if store is None:
            answerer = _NaiveAnswerer(corpus)
            index_ms.append((time.perf_counter() - t0) * 1000.0)
            found = any(marker in text for text in answerer.answer(f"the {marker}"))
        else:
            indexed = store.sync(corpus)
            index_ms.append((time.perf_counter() - t0) * 1000.0)
            answerer = settle(
                Answerer(
                    settings,
                    corpus,
                    store.analyzer,
                    indexed.engine,
                    indexed.copies,
                    previous=answerer,
                )
            )
            answer = answerer.answer(f"what was the {marker}")
            found = bool(answer.passages) and answer.passages[0].article.id == extra.articles[0].id
        ready_ms.append((time.perf_counter() - t0) * 1000.0)
        answerable = answerable and found
    return {
        "add_ms": _percentile(index_ms, 50),
        "add_ready_ms": _percentile(ready_ms, 50),
        "add_answerable": answerable,
    }


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


def _main(argv: Sequence[str]) -> int:
    if len(argv) == 2 and argv[0] == "--worker":
        print(json.dumps(_worker(json.loads(argv[1]))))
        return 0
    print("usage: python -m bot bench --help", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
