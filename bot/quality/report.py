"""Print what ``python -m bot eval`` measured: headline figures, misses and comparisons."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import TextIO

from bot.quality.runner import CollectionReport, QuestionReport
from bot.quality.variants import Variant


def print_questions(
    args: argparse.Namespace,
    variants: Sequence[Variant],
    reports: Sequence[QuestionReport],
    out: TextIO,
) -> None:
    first = reports[0]
    if args.json:
        payload = {**first.summary(), "set": list(args.overrides), "misses": first.misses()}
        if len(reports) > 1:
            payload["runs"] = [
                {"name": v.name, "set": list(v.overrides), **r.summary()}
                for v, r in zip(variants, reports, strict=True)
            ]
        out.write(json.dumps(payload, indent=2) + "\n")
        return
    s = first.summary()
    r = first.refusals
    sent = first.sentence
    print(
        f"{args.questions}: {s['answerable']} answerable and {s['unanswerable']} unanswerable "
        f"questions{args.settings_note}",
        file=out,
    )
    rows = [
        ("hit@1", s["hit@1"], ""),
        ("hit@3", s["hit@3"], ""),
        ("MRR@10", s["mrr@10"], ""),
        ("nDCG@10", s["ndcg@10"], ""),
        ("refusal precision", r.precision, f"{r.correct} of {r.refused} refusals were right"),
        (
            "refusal recall",
            r.recall,
            f"{r.correct} of {r.unanswerable} unanswerable refused; "
            f"{r.false_refusals} answerable refused",
        ),
        (
            "answer sentence",
            sent["accuracy"],
            f"{sent['right']} of {sent['gold']} gold sentences marked "
            f"({_fmt(sent['given_passage'])} when the first passage holds it)",
        ),
    ]
    for label, value, note in rows:
        print(f"  {label:<18} {_fmt(value)}  {note}".rstrip(), file=out)
    if s["unresolved"]:
        print(
            f"  warning: the gold answers of {len(s['unresolved'])} question(s) match no passage "
            f"and count as misses: {', '.join(s['unresolved'])}",
            file=out,
        )
    ret = first.retrieval
    print(
        "  ranking before the no-answer rule: "
        f"hit@1 {_fmt(ret['hit@1'])}  hit@3 {_fmt(ret['hit@3'])}  "
        f"MRR@10 {_fmt(ret['mrr@10'])}  nDCG@10 {_fmt(ret['ndcg@10'])}",
        file=out,
    )
    misses = first.misses()
    if misses:
        print(f"\nMisses ({len(misses)}):", file=out)
        one_article = first.articles <= 1

        def cite(pid: str) -> str:
            article, _, paragraph = pid.rpartition("#")
            return f"¶{paragraph}" if one_article else f"{article}¶{paragraph}"

        table: list[tuple[str, ...]] = [("question", "kind", "expected", "came first instead")]
        for m in misses[: args.misses]:
            expected = ",".join(cite(e) for e in m["expected"]) or "-"
            got = "-"
            if m["first"]:
                got = f"{cite(m['first'])} {_clip(m['first_text'] or '', 60)}"
            table.append((_clip(m["question"], 44), m["kind"], expected, got))
        _print_table(table, out)
        if len(misses) > args.misses:
            print(f"  ... and {len(misses) - args.misses} more (--misses N)", file=out)
    if len(reports) > 1:
        print("\nComparison:", file=out)
        header = ("settings", "hit@1", "hit@3", "MRR@10", "nDCG@10", "refP", "refR", "sent")
        table = [header]
        for v, rep in zip(variants, reports, strict=True):
            x = rep.summary()
            table.append(
                (
                    v.name,
                    *(
                        _fmt(x[k])
                        for k in (
                            "hit@1",
                            "hit@3",
                            "mrr@10",
                            "ndcg@10",
                            "refusal_precision",
                            "refusal_recall",
                            "sentence_accuracy",
                        )
                    ),
                )
            )
        _print_table(table, out)


def print_collection(
    args: argparse.Namespace,
    variants: Sequence[Variant],
    reports: Sequence[CollectionReport],
    out: TextIO,
) -> None:
    first = reports[0]
    if args.json:
        payload = {**first.summary(), "set": list(args.overrides)}
        if len(reports) > 1:
            payload["runs"] = [
                {"name": v.name, "set": list(v.overrides), **r.summary()}
                for v, r in zip(variants, reports, strict=True)
            ]
        out.write(json.dumps(payload) + "\n")
        return
    m = first.metrics
    print(
        f"{args.corpus}: {m['queries']} judged queries{args.settings_note}",
        file=out,
    )
    print(f"  MAP         {m['map']:.4f}", file=out)
    print(f"  nDCG@10     {m['ndcg@10']:.4f}", file=out)
    print(f"  recall@100  {m['recall@100']:.4f}", file=out)
    print(f"  ({first.took_s:.1f} s)", file=out)
    if len(reports) > 1:
        print("\nComparison:", file=out)
        table = [("settings", "MAP", "nDCG@10", "R@100")]
        for v, rep in zip(variants, reports, strict=True):
            x = rep.metrics
            table.append(
                (v.name, f"{x['map']:.4f}", f"{x['ndcg@10']:.4f}", f"{x['recall@100']:.4f}")
            )
        _print_table(table, out)


def _fmt(value: float | int) -> str:
    return f"{value:.3f}"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        cells = [str(c).ljust(w) for c, w in zip(row, widths, strict=True)]
        print("  " + "  ".join(cells).rstrip(), file=out)
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths), file=out)
