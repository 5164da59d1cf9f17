"""Query-time cost of the news features at scale: date/outlet filters and syndicated-copy collapse.

Builds the synthetic corpus of :mod:`bot.quality.synthetic` (default 100k passages), spreads its
articles over
20 invented outlets and three years of dates, and makes a share of the articles syndicated
reprints (verbatim, or with a word changed per paragraph) under another outlet. Then it times:

- index time: copy detection (:func:`bot.corpus.copies.find_copies`), on top of the usual index
  build;
- per question, variants interleaved: answering with collapse off and on (same engine), and
  with filters (mask build by :func:`bot.answer.filters.allowed_mask` included); the "extra" column
  is the median per-question difference from the baseline.

The base install is measured (semantic re-ranking off, as ``--set semantic.enabled=false``
would): the model would add its own ~20 ms a question to every variant, and an embedding of the
whole corpus to the build.

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

from bot.answer.answerer import Answerer
from bot.answer.filters import Filters, allowed_mask, make_filters
from bot.config.settings import load_settings
from bot.corpus.copies import find_copies
from bot.corpus.model import Article, Corpus, Passage
from bot.quality.synthetic import synthetic_corpus, synthetic_questions

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


def interleaved(
    variants: dict[str, Callable[[str], object]], questions: Sequence[str]
) -> dict[str, list[float]]:
    """Milliseconds per question for each variant, the variants run back to back on each
    question in rotating order (so load from other processes hits them alike)."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    order = list(variants.items())
    for _, fn in order:  # warm-up: each variant's caches (its question analyser's too) filled
        for q in questions:
            fn(q)
    for i, q in enumerate(questions):
        for name, fn in order[i % len(order) :] + order[: i % len(order)]:  # rotate who goes first
            started = time.perf_counter()
            fn(q)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def p50_p95(values: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--reprints", type=float, default=0.1, help="share of reprinted articles")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    base = ["semantic.enabled=false"]  # what this measures is the news features, not the model
    settings = load_settings(None, [*base, "collapse.enabled=true"])
    off = load_settings(None, [*base, "collapse.enabled=false"])
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

    filters: dict[str, Filters] = {
        "one outlet": make_filters(sources=[OUTLETS[3]]),
        "one year": make_filters("2019", "2019"),
        "outlet + quarter": make_filters("2019-04", "2019-06", [OUTLETS[3], OUTLETS[4]]),
    }
    variants: dict[str, Callable[[str], object]] = {
        "answer, collapse off (baseline)": lambda q: plain.answer(q),  # type: ignore[union-attr]
        "answer, collapse on": lambda q: collapsing.answer(q),
    }
    masks = []
    for name, f in filters.items():
        mask_ms, mask = timed(lambda f=f: allowed_mask(f, corpus), repeat=5)
        masks.append((name, mask_ms, float(np.mean(mask))))  # type: ignore[arg-type]
        variants[f"answer, collapse on, filter: {name}"] = lambda q, f=f: collapsing.answer(
            q, allowed=allowed_mask(f, corpus)
        )
    times = interleaved(variants, questions)
    base = times["answer, collapse off (baseline)"]
    print(f"query time  ({len(questions)} questions, variants interleaved; milliseconds)")
    width = max(map(len, variants))
    print(f"  {'':<{width}}  {'p50':>7}  {'p95':>7}  {'extra p50':>9}")
    for name, values in times.items():
        p50, p95 = p50_p95(values)
        extra = statistics.median(v - b for v, b in zip(values, base, strict=True))
        print(f"  {name:<{width}}  {p50:7.2f}  {p95:7.2f}  {extra:+9.2f}")
    for name, mask_ms, share in masks:
        print(f"  filter mask alone, {name} ({share:.1%} of passages): {mask_ms:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
