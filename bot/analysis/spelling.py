"""Spelling correction of query terms against the corpus vocabulary.

People type "sumit", "missles", "negociator". A term the corpus never uses cannot match, and the
"no answer" rule then counts it against the question. For such a term we look for the closest
vocabulary term by edit distance (rapidfuzz), allowing one edit for terms of up to seven letters
and two for longer ones, and use it as a stand-in. Terms are compared after analysis (stemmed),
so "missles" (``missl``) finds "missiles" (``missil``). Candidates are bucketed by first letter,
which misspellings rarely change, to keep a large vocabulary fast.
"""

from __future__ import annotations

from collections.abc import Mapping

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

#: Shortest term we try to correct: shorter ones have too many neighbours to guess right
#: ("paris" is ``pari``, one edit from ``parti``).
MIN_LENGTH = 5
#: Terms up to this long get one edit; longer ones two. Seven keeps "weather" from "whether".
_ONE_EDIT_MAX = 7


class SpellingCorrector:
    """Maps an unknown term to the most frequent vocabulary term within its edit budget."""

    def __init__(self, vocabulary: Mapping[str, int]) -> None:
        self._df = dict(vocabulary)
        buckets: dict[str, list[str]] = {}
        for term in self._df:
            if term.isalpha() and term.islower() and len(term) >= MIN_LENGTH - 1:
                buckets.setdefault(term[0], []).append(term)
        self._buckets = buckets

    def correct(self, term: str) -> str | None:
        """The intended term, or None when ``term`` is known, too short, or nothing is close."""
        if term in self._df or len(term) < MIN_LENGTH or not (term.isalpha() and term.islower()):
            return None
        budget = 1 if len(term) <= _ONE_EDIT_MAX else 2
        candidates = process.extract(
            term,
            self._buckets.get(term[0], ()),
            scorer=Levenshtein.distance,
            score_cutoff=budget,
            limit=None,
        )
        if not candidates:
            return None
        best = min(candidates, key=lambda c: (c[1], -self._df[c[0]], c[0]))
        return best[0]
