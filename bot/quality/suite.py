"""The whole quality table: every question set and test collection, base and semantic.

One table answers "did this change help, and where?": the talks questions, the SQuAD
development split and its off-topic mirrors (each corpus's questions asked of the other
corpus), SQuAD's impossible questions (the cost of refusing), the Vaswani and Cranfield
collections, and -- only when asked -- the held-out talks questions. ``bench/quality.py``
prepares the data and prints it; docs/quality.md explains the method and which sets are for
development and which are held out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bot.answer.answerer import Answerer
from bot.config.settings import Settings
from bot.quality.datasets import load_documents, load_qrels, load_queries, load_question_set
from bot.quality.runner import evaluate_collection, evaluate_questions

__all__ = ["Collection", "QuestionSet", "Row", "print_table", "run_suite"]


@dataclass(frozen=True)
class QuestionSet:
    """One question set asked of one corpus.

    ``corpus`` names an entry of the corpora mapping given to :func:`run_suite`; ``role`` is
    ``dev`` (tuned on), ``held out`` (never tuned on: reported only) or ``cost`` (measured,
    never a goal: SQuAD's impossible questions).
    """

    name: str
    path: Path
    corpus: str
    role: str = "dev"


@dataclass(frozen=True)
class Collection:
    """A test collection converted by ``bench/ir_convert.py`` (docs, queries, qrels)."""

    name: str
    folder: Path
    role: str = "dev"


@dataclass
class Row:
    """One line of the table: a set under one variant, with its figures."""

    name: str
    variant: str
    role: str
    figures: dict[str, Any] = field(default_factory=dict)


def run_suite(
    corpora: Mapping[str, Settings],
    sets: Sequence[QuestionSet],
    collections: Sequence[Collection],
    variants: Mapping[str, Callable[[Settings], Settings]],
    progress: Callable[[str], None] | None = None,
) -> list[Row]:
    """Measure every set under every variant.

    Parameters
    ----------
    corpora
        Corpus name -> settings that load it.
    variants
        Variant name (``base``, ``semantic``) -> function making its settings from a corpus's.
    progress
        Called with a short note before each measurement (long runs say what they do).
    """
    rows: list[Row] = []
    for variant, make in variants.items():
        answerers: dict[str, Answerer] = {}
        for qs in sets:
            if progress:
                progress(f"{variant}: {qs.name}")
            if qs.corpus not in answerers:
                answerers[qs.corpus] = Answerer.from_settings(make(corpora[qs.corpus]))
            report = evaluate_questions(answerers[qs.corpus], load_question_set(qs.path))
            s = report.summary()
            figures = {k: s[k] for k in ("questions", "answerable", "unanswerable")}
            if s["answerable"]:
                figures.update(
                    {
                        k: s[k]
                        for k in (
                            "hit@1",
                            "hit@3",
                            "mrr@10",
                            "quote_precision",
                            "quoted_per_answer",
                            "false_refusals",
                        )
                    }
                )
            if s["unanswerable"]:
                figures["refused_unanswerable"] = report.refusals.correct
            rows.append(Row(qs.name, variant, qs.role, figures))
        for c in collections:
            if progress:
                progress(f"{variant}: {c.name}")
            docs = load_documents(c.folder / "docs.jsonl")
            result = evaluate_collection(
                make(next(iter(corpora.values()))),
                docs,
                load_queries(c.folder / "queries.jsonl"),
                load_qrels(c.folder / "qrels.txt"),
            )
            figures = {k: result.metrics[k] for k in ("map", "ndcg@10", "queries")}
            rows.append(Row(c.name, variant, c.role, figures))
    return rows


def _share(count: int, total: int) -> str:
    return f"{count}/{total} {count / total:6.1%}" if total else "-"


def print_table(rows: Sequence[Row], out: TextIO) -> None:
    """Print question sets, then collections, one line per set and variant."""
    head = ("set", "variant", "role", "n", "hit@1", "hit@3", "MRR@10", "quoted ok", "per ans")
    table: list[tuple[str, ...]] = [(*head, "answerable refused", "unanswerable refused")]
    for r in rows:
        f = r.figures
        if "map" in f:
            continue
        answerable = int(f.get("answerable", 0))
        cells = ("-",) * 5
        if answerable:
            cells = (
                f"{f['hit@1']:.3f}",
                f"{f['hit@3']:.3f}",
                f"{f['mrr@10']:.3f}",
                f"{f['quote_precision']:.3f}",
                f"{f['quoted_per_answer']:.2f}",
            )
        table.append(
            (
                r.name,
                r.variant,
                r.role,
                str(f["questions"]),
                *cells,
                _share(int(f.get("false_refusals", 0)), answerable),
                _share(int(f.get("refused_unanswerable", 0)), int(f.get("unanswerable", 0))),
            )
        )
    _print(table, out)
    collections = [r for r in rows if "map" in r.figures]
    if collections:
        print(file=out)
        lines = [("collection", "variant", "queries", "MAP", "nDCG@10")]
        lines += [
            (
                r.name,
                r.variant,
                str(r.figures["queries"]),
                f"{r.figures['map']:.4f}",
                f"{r.figures['ndcg@10']:.4f}",
            )
            for r in collections
        ]
        _print(lines, out)


def _print(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)
