"""The question as the engine and the evidence rule see it: weighted query terms.

- Words that only frame a question ("what happened", "how was it described") weigh
  ``answer.framing_weight``.
- Typos get stand-ins from the spelling index (:mod:`bot.analysis.spelling`), typos of stop
  words are dropped.
- Engine weights keep every stand-in weaker than the word typed (and count a word typed twice
  twice, as BM25 does).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot.analysis.analyzer import Analyzer, QueryTerm
from bot.analysis.specificity import english
from bot.analysis.spelling import SpellingCorrector
from bot.config.settings import AnswerSettings
from bot.index.engine import Engine, WeightedTerm, idf


class QuestionAnalysis:
    """Analyses questions over one engine's corpus. Immutable and thread-safe."""

    def __init__(
        self,
        settings: AnswerSettings,
        analyzer: Analyzer,
        engine: Engine,
        framing: frozenset[str],
        speller: SpellingCorrector | None,
    ) -> None:
        self.settings = settings
        self.analyzer = analyzer
        self.engine = engine
        self.framing = framing
        self._speller = speller

    @property
    def speller(self) -> SpellingCorrector | None:
        """The spelling corrector (None when ``answer.spelling`` is off): the next answerer's,
        after the corpus grows, is built from it."""
        return self._speller

    def query(self, question: str) -> list[QueryTerm]:
        """Analysed query terms, with words that only frame the question ("what happened",
        "how was it described") weighed down by ``answer.framing_weight``: they should
        neither decide the ranking nor make a question look unanswerable."""
        weight = self.settings.framing_weight
        query = [
            dataclasses.replace(qt, weight=qt.weight * weight) if qt.term in self.framing else qt
            for qt in self.analyzer.query(question)
        ]
        return self._corrected(query)

    def _corrected(self, query: list[QueryTerm]) -> list[QueryTerm]:
        """``query`` with stand-ins for typos ("sumit" -> "summit"), marked as aliases of the
        typed word with credit ``answer.spelling_weight``, and without typos of stop words
        ("wher", "ther"). Only words that are neither in the corpus, nor English words (see
        :mod:`bot.analysis.spelling`), nor typed as names are corrected."""
        if self._speller is None:
            return query
        present = {qt.term for qt in query}
        english_word = english().is_word
        out = list(query)
        share = self.settings.spelling_weight
        for qt in query:
            if qt.alias_for or qt.name or self.engine.doc_freq(qt.term):
                continue
            if english_word(qt.word):
                continue
            fixed = self._speller.correct(qt.term, qt.word)
            if not fixed:
                continue
            if self._speller.is_stop_word(fixed):
                out.remove(qt)
            elif fixed not in present:
                present.add(fixed)
                out.append(QueryTerm(fixed, qt.weight * share, (qt.term,), (fixed,), share))
        return out

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the spelling index is built (True at once without one)."""
        return True if self._speller is None else self._speller.wait(timeout)

    def idf(self, term: str) -> float:
        """Lucene IDF of ``term`` over this corpus (highest for unseen terms)."""
        return idf(self.engine.doc_freq(term), len(self.engine))

    def weigh(self, query: Sequence[QueryTerm]) -> list[WeightedTerm]:
        """Engine weights: typed terms 1.0 per occurrence (BM25's query-term frequency); an
        alias at most ``alias_weight`` times the IDF mass of the typed words it stands for, so a
        passage matching only the alias ranks below one that matches the typed word equally
        often."""
        out = []
        for qt in query:
            if not qt.alias_for:
                out.append(WeightedTerm(qt.term, qt.weight * qt.tf))
                continue
            typed_mass = sum(self.idf(t) for t in qt.alias_for)
            ratio = min(1.0, typed_mass / max(self.idf(qt.term), 1e-9))
            out.append(WeightedTerm(qt.term, qt.weight * ratio))
        return out
