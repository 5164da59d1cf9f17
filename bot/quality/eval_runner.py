"""``python -m bot eval``: measure answer quality, on our question set or a public test collection.

Two modes::

    python -m bot eval tests/questions.yaml [--json] [--set k=v ...] [--compare "name: k=v,k=v" ...]
    python -m bot eval --corpus docs.jsonl --queries queries.jsonl --qrels qrels.txt [--json]

The first asks every question of a question set (format: :mod:`bot.quality.evaluation`) through
the same
:class:`~bot.answer.Answerer` the bot uses and reports hit@1, hit@3, MRR@10 and nDCG@10 of the
passages it shows, the precision and recall of its "no answer", how often the sentence it marks
is the one a reader would pick, and a table of misses. The second builds passages from the
documents (title as the article-title context field), ranks the top 1000 for each query through
the bot's analysis, query weighting and engine, and reports MAP, nDCG@10 and recall@100.

``--set`` overrides settings for the run; each ``--compare`` adds a row with further overrides
on top, and ``--ablation`` adds the standard rows (stemming off, variants off, ...), so one run
prints what each feature is worth.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.answer.answerer import Answerer
from bot.config import Settings
from bot.corpus.model import Article, Corpus, Passage
from bot.errors import TalksBotError
from bot.index.engine import Hit
from bot.quality.evaluation import (
    Document,
    Query,
    Question,
    RefusalStats,
    contains_phrase,
    ir_metrics,
    passage_id,
    question_metrics,
    question_qrels,
    refusal_stats,
    run_from_rankings,
)

__all__ = [
    "ABLATION",
    "CollectionReport",
    "QuestionOutcome",
    "QuestionReport",
    "UsageError",
    "Variant",
    "collection_answerer",
    "evaluate_collection",
    "evaluate_questions",
    "parse_compare",
    "print_collection",
    "print_questions",
]

#: Ranking depth for test collections (MAP is over the top 1000).
DEPTH = 1000
#: Passages asked for per question in question-set mode (MRR@10 and nDCG@10 need ten).
QUESTION_DEPTH = 10

#: The rows ``--ablation`` adds: each switches one feature off (or to its alternative).
ABLATION: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("stemming off", ("analysis.stemmer=none",)),
    ("porter stemmer", ("analysis.stemmer=porter",)),
    ("stop words kept", ("analysis.stopwords=false",)),
    ("spelling variants off", ("analysis.spelling_variants=false",)),
    ("aliases off", ("analysis.aliases=[]",)),
    ("acronyms off", ("analysis.acronyms=[]",)),
    ("title field off", ("retrieval.title_weight=0",)),
    ("section field off", ("retrieval.section_weight=0",)),
    ("framing words off", ("answer.framing_words=[]",)),
    ("spelling correction off", ("answer.spelling=false",)),
    ("context field off", ("retrieval.context_weight=0",)),
    ("lemmatisation off", ("analysis.lemmatize=false",)),
    ("unknown-name weight off", ("answer.unknown_name_weight=1",)),
    ("no-answer rule off", ("answer.min_coverage=0",)),
    ("rank-bm25 idf", ("retrieval.idf=rank-bm25",)),
    ("bm25plus", ("retrieval.algorithm=bm25plus",)),
    ("bm25l", ("retrieval.algorithm=bm25l",)),
)


class UsageError(TalksBotError):
    """The ``eval`` arguments do not make sense together."""


@dataclass(frozen=True)
class Variant:
    """One row of a comparison: a name and the ``key=value`` overrides that make it."""

    name: str
    overrides: tuple[str, ...] = ()


# --------------------------------------------------------------------------- question sets


@dataclass(frozen=True)
class QuestionOutcome:
    """What the bot did with one question."""

    question: Question
    answered: bool
    shown: tuple[str, ...]
    """Passage ids shown, in rank order (empty when refused)."""
    first_text: str | None = None
    first_sentence: str | None = None
    retrieved: tuple[str, ...] = ()
    """Passage ids the engine ranked, before the "no answer" rule."""


@dataclass(frozen=True)
class QuestionReport:
    """Figures for one question set under one configuration."""

    metrics: dict[str, float]
    retrieval: dict[str, float]
    refusals: RefusalStats
    sentence: dict[str, float | int]
    outcomes: tuple[QuestionOutcome, ...]
    qrels: dict[str, dict[str, int]] = field(repr=False)
    articles: int = 1
    """Articles in the corpus (misses cite ``¶n`` alone when there is one)."""
    top_k: int = 3
    """Passages an answer quotes (``answer.top_k``): what the quote precision is over."""

    def summary(self) -> dict[str, Any]:
        """The headline figures as one flat mapping (what ``--json`` prints)."""
        answerable = sum(1 for o in self.outcomes if not o.question.unanswerable)
        return {
            "questions": len(self.outcomes),
            "answerable": answerable,
            "unanswerable": len(self.outcomes) - answerable,
            **self.metrics,
            "refusal_precision": self.refusals.precision,
            "refusal_recall": self.refusals.recall,
            "refused": self.refusals.refused,
            "false_refusals": self.refusals.false_refusals,
            **self.quotes(),
            "sentence_accuracy": self.sentence["accuracy"],
            "sentence_given_passage": self.sentence["given_passage"],
            "retrieval": self.retrieval,
            "unresolved": self.unresolved(),
        }

    def quotes(self) -> dict[str, float]:
        """What an answer quotes, over the answerable questions it answered: the share of
        quoted passages that are gold (precision of what is shown) and how many it quotes."""
        shown = [
            o.shown[: self.top_k]
            for o in self.outcomes
            if not o.question.unanswerable and o.answered
        ]
        quoted = sum(len(s) for s in shown)
        gold = sum(
            1
            for o in self.outcomes
            if not o.question.unanswerable and o.answered
            for pid in o.shown[: self.top_k]
            if self.qrels.get(o.question.id, {}).get(pid, 0) > 0
        )
        return {
            "quote_precision": gold / quoted if quoted else 0.0,
            "quoted_per_answer": quoted / len(shown) if shown else 0.0,
        }

    def unresolved(self) -> list[str]:
        """Ids of answerable questions whose gold answers match no passage (scored 0)."""
        return [
            qid for qid, grades in self.qrels.items() if not any(g > 0 for g in grades.values())
        ]

    def misses(self) -> list[dict[str, Any]]:
        """Questions the bot got wrong, each with what it showed first instead."""
        rows = []
        for o in self.outcomes:
            q = o.question
            first = o.shown[0] if o.shown else None
            if q.unanswerable:
                if o.answered:
                    rows.append(self._miss(o, "answered (should refuse)", first))
                continue
            grades = self.qrels.get(q.id, {})
            if not o.answered:
                rows.append(self._miss(o, "refused", None))
            elif grades.get(first or "", 0) <= 0:
                rows.append(self._miss(o, "wrong first passage", first))
            elif grades[first] < max(grades.values()):
                rows.append(self._miss(o, "weaker answer first", first))
            elif q.sentence and not (
                o.first_sentence and contains_phrase(o.first_sentence, q.sentence)
            ):
                rows.append(self._miss(o, "wrong sentence", first, o.first_sentence))
        return rows

    def _miss(
        self, o: QuestionOutcome, kind: str, first: str | None, got: str | None = None
    ) -> dict[str, Any]:
        expected = sorted(self.qrels.get(o.question.id, {}), key=_paragraph_order)
        if got is None and first is not None:
            got = o.first_text
        return {
            "id": o.question.id,
            "question": o.question.q,
            "kind": kind,
            "expected": expected,
            "first": first,
            "first_text": got,
        }


def _paragraph_order(pid: str) -> tuple[str, int]:
    article, _, paragraph = pid.rpartition("#")
    return article, int(paragraph) if paragraph.isdigit() else 0


def evaluate_questions(
    answerer: Answerer, questions: Sequence[Question], allowed: Any = None
) -> QuestionReport:
    """Ask every question of a question set and measure the answers.

    Ranking figures (hit@k, MRR@10, nDCG@10) are over what the bot *shows*, so a wrongly refused
    question scores 0; ``retrieval`` holds the same figures for the engine's ranking before the
    "no answer" rule, to tell ranking problems from refusal problems.
    """
    passages = [(p.article.id, p.paragraph, p.text) for p in answerer.corpus.passages]
    qrels = question_qrels(questions, passages)
    outcomes = []
    for question in questions:
        answer = answerer.answer(question.q, top_k=QUESTION_DEPTH, allowed=allowed)
        shown = tuple(passage_id(p.article.id, p.passage.paragraph) for p in answer.passages)
        first_text = first_sentence = None
        if answer.passages:
            top = answer.passages[0]
            first_text = top.passage.text
            if top.highlights:
                start, end = top.highlights[0]
                first_sentence = first_text[start:end]
        retrieved = tuple(
            passage_id(
                answerer.corpus.passages[h.doc].article.id,
                answerer.corpus.passages[h.doc].paragraph,
            )
            for h in _rank(answerer, question.q, QUESTION_DEPTH, allowed)
        )
        outcomes.append(
            QuestionOutcome(question, answer.answered, shown, first_text, first_sentence, retrieved)
        )
    metrics, _ = question_metrics(
        run_from_rankings({o.question.id: o.shown for o in outcomes}), qrels
    )
    retrieval, _ = question_metrics(
        run_from_rankings({o.question.id: o.retrieved for o in outcomes}), qrels
    )
    refusals = refusal_stats(
        {o.question.id: not o.answered for o in outcomes},
        {q.id for q in questions if q.unanswerable},
    )
    return QuestionReport(
        metrics=metrics,
        retrieval=retrieval,
        refusals=refusals,
        sentence=_sentence_figures(outcomes),
        outcomes=tuple(outcomes),
        qrels=qrels,
        articles=len(answerer.corpus.articles),
        top_k=answerer.settings.answer.top_k,
    )


def _sentence_figures(outcomes: Sequence[QuestionOutcome]) -> dict[str, float | int]:
    """Answer-sentence accuracy, end to end and given that the first passage holds the gold."""
    gold = [o for o in outcomes if o.question.sentence]
    right = [
        o
        for o in gold
        if o.first_sentence and contains_phrase(o.first_sentence, o.question.sentence or "")
    ]
    reachable = [
        o for o in gold if o.first_text and contains_phrase(o.first_text, o.question.sentence or "")
    ]
    return {
        "accuracy": len(right) / len(gold) if gold else 0.0,
        "given_passage": len(right) / len(reachable) if reachable else 0.0,
        "gold": len(gold),
        "right": len(right),
        "reachable": len(reachable),
    }


def _rank(answerer: Answerer, text: str, k: int, allowed: Any = None) -> list[Hit]:
    """The engine's top ``k`` for ``text``: the ranking that ``answer`` filters."""
    return answerer.rank(text, k, allowed)


# --------------------------------------------------------------------------- collections


@dataclass(frozen=True)
class CollectionReport:
    """Figures for one test collection under one configuration."""

    metrics: dict[str, float | int]
    took_s: float

    def summary(self) -> dict[str, Any]:
        return {**self.metrics, "took_s": round(self.took_s, 2)}


def collection_answerer(settings: Settings, docs: Sequence[Document]) -> Answerer:
    """An answerer over test-collection documents: one passage per document, its title as the
    article title (the title context field), so analysis and engine are the bot's own."""
    passages = []
    articles = []
    for doc in docs:
        article = Article(id=doc.id, title=doc.title)
        articles.append(article)
        passages.append(Passage(article, 1, doc.text))
    # The collections measure the engine's ranking: no passage embeddings needed.
    settings = settings.model_copy(
        update={"semantic": settings.semantic.model_copy(update={"enabled": False})}
    )
    return Answerer(settings, Corpus(tuple(articles), tuple(passages)))


def evaluate_collection(
    settings: Settings,
    docs: Sequence[Document],
    queries: Sequence[Query],
    qrels: dict[str, dict[str, int]],
    depth: int = DEPTH,
) -> CollectionReport:
    """Index *docs* as the bot would, rank the top *depth* for each query, and measure."""
    started = time.perf_counter()
    answerer = collection_answerer(settings, docs)
    rankings = {
        q.id: [
            answerer.corpus.passages[h.doc].article.id
            for h in answerer.rank(q.text, depth, evidence=False)
        ]
        for q in queries
    }
    metrics = ir_metrics(run_from_rankings(rankings), qrels)
    return CollectionReport(metrics, time.perf_counter() - started)


# --------------------------------------------------------------------------- command line


_SPLIT_OVERRIDES = re.compile(r",\s*(?=[A-Za-z_][\w.]*\s*=)")
#: ``name:`` is the text before the first colon that is followed by a ``key=``.
_NAMED = re.compile(r"^([^:]*?)\s*:\s*(?=[A-Za-z_][\w.]*\s*=)")


def parse_compare(spec: str) -> Variant:
    """Parse ``"name: key=value,key=value"``.

    The name may itself hold ``=`` (``"k1=0.9: retrieval.k1=0.9"``); commas inside values such
    as ``[a, b]`` are kept when the next part is not a ``key=``. Without ``name:`` the overrides
    name the row.
    """
    named = _NAMED.match(spec)
    name, rest = (named.group(1), spec[named.end() :]) if named else ("", spec)
    overrides = tuple(o.strip() for o in _SPLIT_OVERRIDES.split(rest) if o.strip())
    bad = [o for o in overrides if "=" not in o]
    if bad or not overrides:
        raise argparse.ArgumentTypeError(
            f"--compare {spec!r}: expected 'name: key=value,key=value', "
            "e.g. 'no stemming: analysis.stemmer=none'"
        )
    return Variant(name.strip() or ",".join(overrides), overrides)


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

        table = [("question", "kind", "expected", "came first instead")]
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
