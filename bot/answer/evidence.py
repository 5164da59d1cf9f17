"""The evidence rule: what a passage's own text says for a question, and when to say "no answer".

One rule decides what answers, what is highlighted and what a timeline lists:

- A question's **content words** are the words it was typed with, less the words that only frame
  a question (``answer.framing_words``: "what happened", "how was it described"); a question
  made only of such words keeps them all. Each typed word weighs its specificity in general
  English (:mod:`bot.analysis.specificity`) -- times ``answer.framing_weight`` for a framing word
  and ``answer.unknown_name_weight`` for a name the corpus never uses ("Putin", "France": the
  surest sign that the articles cannot answer).
- A text's **evidence** is the weighted share of the question's typed words it holds::

      share(text) = sum(w_t * credit_t(text)) / sum(w_t)      over typed words t

  where ``credit_t`` is 1 when the text has the word, and otherwise the credit of a stand-in the
  text has in full -- ``analysis.alias_weight`` for an alias ("North Korea" for "DPRK"),
  ``answer.spelling_weight`` for a spelling correction -- so a word as typed always earns more
  than its stand-in.
- Only a passage's **own text** counts. Its article title, section and previous paragraph help
  the engine find it, but a paragraph that holds none of the question's content words, and none
  of their stand-ins, is never quoted, highlighted or listed.
- The question is **off-topic** -- the corpus does not speak of its subject -- when no candidate
  passage reaches ``answer.min_coverage``; then the bot says so. Every passage quoted must reach
  it too.
- A stricter operator may also ask that a passage hold several of the question's content words
  (``answer.min_words_held``, all but one of them at most): one word in common, such as the
  "second" of "when is the second summit?", then never makes a passage an answer. It is 1 by
  default: a question's other words are often paraphrases its answer does not use, so 2 also
  refuses answerable questions (measured in docs/quality.md).

- Within a passage, the answer is usually one sentence: a passage's **focus** is the largest
  share of the question that one of its sentences holds, each word weighed by its IDF in the
  corpus (what BM25 weighs it by), stand-ins credited as above. Ranking multiplies by it
  (``answer.sentence_focus``), so a paragraph that says the question's words together outranks
  one that scatters them -- term proximity at the grain of a sentence. It decides ranking only,
  never "no answer".

Why the share is weighed by general English, not by the corpus's IDF: an off-topic question
usually shares a common word or two with any corpus ("when is the *second* summit?" asked of
Wikipedia articles); weighing "second" and "summit" by how much they say in English keeps such a
match small, and the weight means the same on 23 paragraphs and on a million. Measured in
docs/quality.md.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from bot.analysis.analyzer import QueryTerm
from bot.config.settings import AnswerSettings


@dataclass(frozen=True)
class Evidence:
    """What one text holds of a question."""

    #: The weighted share of the question's typed words the text holds (0 to 1).
    share: float
    #: How many of the question's content words it holds (or a stand-in for).
    held: int

    @property
    def content(self) -> bool:
        """Whether it holds a content word, or a stand-in for one."""
        return self.held > 0


class QuestionEvidence:
    """The evidence rule prepared for one question (weights computed once, texts checked many
    times)."""

    def __init__(
        self,
        weights: dict[str, float],
        content: frozenset[str],
        stand_ins: Sequence[QueryTerm],
        ranking: dict[str, float] | None = None,
        required: int = 1,
    ) -> None:
        self.weights = weights
        self.content = content
        #: The typed words weighed by their IDF in the corpus, for :meth:`focus`.
        self.ranking = ranking if ranking is not None else weights
        self._stand_ins = stand_ins
        #: Content words a passage must hold to be quoted: all but one, up to ``required``.
        self.required = max(1, min(required, len(content) - 1))
        self._total = sum(weights.values())
        self._ranking_total = sum(self.ranking.values())

    def of(self, terms: Collection[str]) -> Evidence:
        """The evidence of a text whose terms (as analysed) are ``terms``."""
        if self._total <= 0:
            return Evidence(0.0, 0)
        credit = self._credit(terms)
        got = sum(self.weights[t] * c for t, c in credit.items() if t in self.weights)
        held = sum(1 for t in credit if t in self.content)
        return Evidence(got / self._total, held)

    def focus(self, sentences: Iterable[Collection[str]]) -> float:
        """The largest IDF-weighted share of the question one sentence holds (0 to 1), each
        sentence given as its terms."""
        if self._ranking_total <= 0:
            return 0.0
        best = 0.0
        for terms in sentences:
            credit = self._credit(terms)
            got = sum(self.ranking.get(t, 0.0) * c for t, c in credit.items())
            best = max(best, got / self._ranking_total)
        return best

    def _credit(self, terms: Collection[str]) -> dict[str, float]:
        """Each typed word's credit in a text: 1 when it holds the word, else the best credit
        of a stand-in it holds in full."""
        credit = {t: 1.0 for t in self.weights if t in terms}
        for qt in self._stand_ins:
            if all(m in terms for m in qt.member or (qt.term,)):
                for t in qt.alias_for:
                    if credit.get(t, 0.0) < qt.credit:
                        credit[t] = qt.credit
        return credit


class EvidenceRule:
    """Builds :class:`QuestionEvidence` for questions over one corpus.

    Parameters
    ----------
    settings
        The ``answer`` settings (framing and unknown-name weights).
    framing
        The analysed terms of ``answer.framing_words``.
    doc_freq
        How many passages hold a term (the engine's), to tell a name the corpus never uses.
    idf
        A term's IDF in the corpus, the weight of each word in a sentence's focus.
    """

    def __init__(
        self,
        settings: AnswerSettings,
        framing: frozenset[str],
        doc_freq: Callable[[str], int],
        idf: Callable[[str], float],
    ) -> None:
        self.settings = settings
        self.framing = framing
        self._doc_freq = doc_freq
        self._idf = idf

    def prepare(self, query: Sequence[QueryTerm]) -> QuestionEvidence:
        """The rule for one analysed question (its typed terms, then stand-ins)."""
        typed = [qt for qt in query if not qt.alias_for]
        weights: dict[str, float] = {}
        ranking: dict[str, float] = {}
        for qt in typed:
            weight = qt.weight * qt.specificity  # qt.weight holds the framing weight
            if qt.name and self._doc_freq(qt.term) == 0:
                weight *= self.settings.unknown_name_weight
            weights[qt.term] = weight
            ranking[qt.term] = qt.weight * self._idf(qt.term)
        content = frozenset(qt.term for qt in typed if qt.term not in self.framing)
        stand_ins = [qt for qt in query if qt.alias_for]
        return QuestionEvidence(
            weights,
            content or frozenset(weights),
            stand_ins,
            ranking,
            self.settings.min_words_held,
        )
