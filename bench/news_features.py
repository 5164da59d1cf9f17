"""Query-time cost of the news features at scale: date/outlet filters and syndicated-copy collapse.

Builds the synthetic corpus of :mod:`bot.bench` (default 100k passages), spreads its articles over
20 invented outlets and three years of dates, and makes a share of the articles syndicated
reprints (verbatim, or with a word changed per paragraph) under another outlet. Then it times:

- index time: copy detection (:func:`bot.collapse.find_copies`), on top of the usual index build;
- per question: answering with collapse off and on (same engine), and with filters: the mask
  build (:func:`bot.filters.allowed_mask`) and the answer using it.

Run::

    python -m bench.news_features                 # 100k passages, 200 questions
    python -m bench.news_features --passages 20000 --questions 50
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np

from bot.answer import Answerer
from bot.bench import synthetic_corpus, synthetic_questions
from bot.collapse import find_copies
from bot.config import load_settings
from bot.corpus import Article, Corpus, Passage
from bot.filters import Filters, allowed_mask, make_filters

OUTLETS = [f"The Invented Outlet {i:02d}" for i in range(20)]
START = dt.date(2018, 1, 1)


def news_corpus(passages: int, reprint_share: float, seed: int = 0) -> Corpus:
    """The synthetic corpus with outlets, dates and syndicated reprints (same passage count)."""
    base = synthetic_corpus(passages, seed)
    rng = np.random.default_rng(seed + 7)
    by_article: dict[str, list[Passage]] = {}
    for p in base.passages:
        by_article.setdefault(p.article.id, []).append(p)
    originals = list(base.articles)
    n_reprints = int(len(originals) * reprint_share)
    # the last n_reprints articles are replaced by reprints of random earlier ones
    keep = originals[: len(originals) - n_reprints]
    articles: list[Article] = []
    out: list[Passage] = []
    dated: dict[str, Article] = {}
    for a in keep:
        new = dataclasses.replace(
            a,
            source=OUTLETS[int(rng.integers(len(OUTLETS)))],
            date=START + dt.timedelta(days=int(rng.integers(3 * 365))),
        )
        dated[a.id] = new
        articles.append(new)
        out.extend(Passage(new, p.paragraph, p.text) for p in by_article[a.id])
    budget = passages - len(out)
    i = 0
    while budget > 0:  # reprints of random earlier articles until the passage count is met
        original = dated[keep[int(rng.integers(len(keep)))].id]
        reprint = dataclasses.replace(
            original,
            id=f"reprint{i:06d}",
            source=OUTLETS[(OUTLETS.index(original.source) + 1 + i) % len(OUTLETS)],
            date=original.date + dt.timedelta(days=int(rng.integers(0, 3))),
        )
        articles.append(reprint)
        for p in by_article[original.id][:budget]:
            text = p.text
            if rng.random() < 0.5:  # a light edit: one word changed
                words = text.split()
                words[int(rng.integers(len(words)))] = "edited"
                text = " ".join(words)
            out.append(Passage(reprint, p.paragraph, text))
            budget -= 1
        i += 1
    return Corpus(tuple(articles), tuple(out))


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Milliseconds per call (best of ``repeat``) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best, result


def per_question(fn: Callable[[str], object], questions: Sequence[str]) -> tuple[float, float]:
    """p50 and p95 milliseconds of ``fn`` over the questions."""
    times = []
    for q in questions:
        started = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--reprints", type=float, default=0.1, help="share of reprinted articles")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    settings = load_settings(None, ["collapse.enabled=true"])
    off = load_settings(None, ["collapse.enabled=false"])
    started = time.perf_counter()
    corpus = news_corpus(args.passages, args.reprints, args.seed)
    print(
        f"corpus: {len(corpus.passages)} passages, {len(corpus.articles)} articles, "
        f"{len(OUTLETS)} outlets ({time.perf_counter() - started:.1f} s to generate)"
    )

    ms, copies = timed(lambda: find_copies(corpus.passages, settings.collapse))
    print(
        f"index time  copy detection: {ms / 1000:.1f} s; {copies.duplicates} duplicate "  # type: ignore[union-attr]
        f"passages in {len(copies.groups)} groups"  # type: ignore[union-attr]
    )
    ms, plain = timed(lambda: Answerer(off, corpus))
    print(f"index time  answerer build (collapse off): {ms / 1000:.1f} s")
    collapsing = Answerer(settings, corpus, analyzer=plain.analyzer, engine=plain.engine)  # type: ignore[union-attr]
    questions = synthetic_questions(corpus, args.questions, args.seed)

    rows: list[tuple[str, float, float]] = []

    def row(name: str, fn: Callable[[str], object]) -> None:
        p50, p95 = per_question(fn, questions)
        rows.append((name, p50, p95))

    row("answer, collapse off", lambda q: plain.answer(q))  # type: ignore[union-attr]
    row("answer, collapse on", lambda q: collapsing.answer(q))
    filters: dict[str, Filters] = {
        "one outlet": make_filters(sources=[OUTLETS[3]]),
        "one year": make_filters("2019", "2019"),
        "outlet + quarter": make_filters("2019-04", "2019-06", [OUTLETS[3], OUTLETS[4]]),
    }
    for name, f in filters.items():
        mask_ms, mask = timed(lambda f=f: allowed_mask(f, corpus), repeat=5)
        share = float(np.mean(mask))  # type: ignore[arg-type]
        rows.append((f"mask build, {name} ({share:.1%} of passages)", mask_ms, mask_ms))
        row(f"answer with mask, {name}", lambda q, m=mask: collapsing.answer(q, allowed=m))
    print(f"query time  ({len(questions)} questions; milliseconds)")
    width = max(len(r[0]) for r in rows)
    print(f"  {'':<{width}}  {'p50':>8}  {'p95':>8}")
    for name, p50, p95 in rows:
        print(f"  {name:<{width}}  {p50:8.2f}  {p95:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
