"""Highlighting: the sentence of a quoted passage that best answers the question.

The same evidence rule as the answer (:mod:`bot.answer.evidence`): the sentence that holds the
largest weighted share of the question's words, a word as typed earning more than its stand-in;
ties go to the earlier sentence. A sentence that holds no content word (or stand-in for one) is
never highlighted, so a passage may have no highlight.
"""

from __future__ import annotations

from bot.analysis.analyzer import Analyzer
from bot.analysis.sentences import sentence_spans
from bot.answer.evidence import QuestionEvidence


def best_sentence(
    text: str, evidence: QuestionEvidence, analyzer: Analyzer
) -> tuple[tuple[int, int], ...]:
    """The span of the answering sentence of ``text`` (empty when none holds a content word)."""
    best: tuple[int, int] | None = None
    best_share = 0.0
    spans = sentence_spans(text)
    # Analysed as the passage was indexed (capitals judged over the whole passage), so the
    # sentence holding a word the engine matched is never found to lack it.
    for (start, end), terms in zip(spans, analyzer.span_terms(text, spans), strict=True):
        found = evidence.of(frozenset(terms))
        if found.content and found.share > best_share + 1e-12:
            best, best_share = (start, end), found.share
    return (best,) if best else ()
