"""Lexical "no answer" rules, each measured on both of its sides: the off-topic questions it
refuses and the answerable ones it refuses too (the base install; docs/quality.md)::

    python bench/offtopic_rules.py
    python bench/offtopic_rules.py --set answer.min_coverage=0.25   # rules on top of a what-if

Each question is answered as the bot answers it today; a rule then looks at the first passage
the bot quotes (a question refused today stays refused) and may refuse the question too:

- **fewer than 2 of N+ content words held**: the passage holds fewer than two of the question's
  content words (a stand-in, alias or spelling correction, counts as its word), and the
  question has at least N of them;
- **the most specific word unknown to the corpus**: the question's most specific content word
  (in general English, :mod:`bot.analysis.specificity`) is used by no passage, and neither is
  any stand-in for it;
- **share < 0.5**: the passage holds less than half of the question's weighted words (today's
  threshold, ``answer.min_coverage``, is 0.3).

Off-topic sets are each corpus's questions asked of the other corpus; answerable ones are the
SQuAD dev split and the answerable questions of tests/questions.yaml (the sets of
``bench/quality.py``, which writes the SQuAD ones to ``.cache/squad/`` the first time).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `bot` and `bench` importable
    sys.path.insert(0, str(REPO))

from bench import squad_corpus
from bench.quality import SQUAD, question_sets
from bot.answer.answerer import Answerer
from bot.config.settings import load_settings
from bot.quality.datasets import load_question_set


@dataclass(frozen=True)
class Quoted:
    """What a rule sees of one question: today's answer's first passage, if any."""

    answered: bool
    content: int = 0  # content words of the question
    held: int = 0  # of them, held by the passage (or a stand-in)
    share: float = 0.0
    specific_unknown: bool = False  # the most specific content word is unknown to the corpus


#: name -> whether the rule refuses a question the bot answers today.
RULES: dict[str, Callable[[Quoted], bool]] = {
    "none (today)": lambda q: False,
    "fewer than 2 of 3+ content words held": lambda q: q.content >= 3 and q.held < 2,
    "fewer than 2 of 2+ content words held": lambda q: q.content >= 2 and q.held < 2,
    "the most specific word unknown to the corpus": lambda q: q.specific_unknown,
    "share < 0.5 (instead of 0.3)": lambda q: q.share < 0.5,
}

#: The sets measured: (name, off-topic?).
SETS = (
    ("off-topic talks->SQuAD", True),
    ("off-topic SQuAD->talks", True),
    ("SQuAD dev split", False),
    ("talks questions.yaml", False),
)


def quoted(answerer: Answerer, question: str) -> Quoted:
    """Today's answer to ``question``, as the rules see it."""
    answer = answerer.answer(question)
    if not answer.passages:
        return Quoted(answered=False)
    query = answerer.query(question)
    evidence = answerer.evidence.prepare(query)
    found = evidence.of(frozenset(answerer.analyzer.terms(answer.passages[0].passage.text)))
    used = answerer.engine.doc_freq
    known = {qt.term for qt in query if not qt.alias_for and used(qt.term)}
    for qt in query:
        if qt.alias_for and all(used(m) for m in qt.member or (qt.term,)):
            known.update(qt.alias_for)
    typed = [qt for qt in query if not qt.alias_for and qt.term in evidence.content]
    specific = max(typed, key=lambda qt: qt.specificity, default=None)
    return Quoted(
        answered=True,
        content=len(evidence.content),
        held=found.held,
        share=found.share,
        specific_unknown=specific is not None and specific.term not in known,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="K=V")
    args = parser.parse_args(argv)
    if not (SQUAD / "dev.yaml").exists() and squad_corpus.main(["--out", str(SQUAD)]) != 0:
        return 1
    base = [*args.overrides, "semantic.enabled=false"]
    answerers = {
        "talks": Answerer.from_settings(load_settings(None, base)),
        "squad": Answerer.from_settings(
            load_settings(None, [*base, f"corpus.path={SQUAD / 'corpus'}"])
        ),
    }
    by_name = {s.name: s for s in question_sets(holdout=False)}
    seen: dict[str, list[Quoted]] = {}
    for name, offtopic in SETS:
        qset = by_name[name]
        answerer = answerers[qset.corpus]
        questions = load_question_set(qset.path)
        seen[name] = [quoted(answerer, q.q) for q in questions if offtopic or not q.unanswerable]
    header = ["rule added to today's", *(name for name, _ in SETS)]
    rows = [header]
    for rule, refuses in RULES.items():
        row = [rule]
        for name, _ in SETS:
            cases = seen[name]
            refused = sum(1 for q in cases if not q.answered or refuses(q))
            row.append(f"{refused}/{len(cases)} ({refused / len(cases):.1%})")
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print("\nrefused: the off-topic sets should be refused, the other two answered.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
