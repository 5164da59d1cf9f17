"""Spelling correction of question words against the corpus vocabulary (SymSpell).

People type "sumit", "frist", "negociator", "wher did trmp". A word the corpus never uses cannot
match, and the no-answer rule then counts it against the question. For such a word we look up
the closest vocabulary term with SymSpell (symspellpy), whose index of deletions is built once,
so a correction costs the same on 23 paragraphs as on a million (``python -m bot bench``).

- Only typos are corrected: a word that is a real English word (in symspellpy's English
  frequency list, :mod:`bot.analysis.specificity`) is left alone, so "summit" never becomes
  "submit" on a corpus that lacks it, and "weather" never becomes "whether".
- Distance is optimal string alignment: a letter swap ("guage" -> "gauge", "frist" -> "first")
  is one edit, computed in C++ by symspellpy's fast comparer (the ``editdistpy`` package, which
  its ``[editdistpy]`` extra installs). Terms of up to :data:`ONE_EDIT_MAX` letters get one
  edit, longer ones two.
- Terms are compared after analysis (stemmed), as they are indexed: "missles" (``missl``)
  finds "missiles" (``missil``).
- Stop words are in the index too: a typo of one ("wher", "ther", "hav") is recognised as such
  and the word dropped, instead of weighing against the question as an unknown word. Stop words
  are words, not stems, so the word as typed must be within its budget of one: "kims" (stem
  ``kim``) is one edit from the stem-sized "him" but two from the word, and stays.
- Ties go to the term more passages use. A typo with no term within its budget may still
  begin with a known stem ("denuclearizaton" -> ``denuclear``): that stem stands in.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

from symspellpy import SymSpell, Verbosity
from symspellpy.editdistance import DistanceAlgorithm, EditDistance

#: Shortest term we try to correct.
MIN_LENGTH = 3
#: Terms up to this long get one edit; longer ones two.
ONE_EDIT_MAX = 7
#: A known stem that begins a typo stands for it when it is this long and covers this share.
_STEM_MIN = 6
_STEM_SHARE = 0.6
#: SymSpell's prefix length: longer means a larger index and faster look-ups, with the same
#: corrections. 9 instead of symspellpy's 7 makes a look-up that finds nothing near (the slowest)
#: about 4x faster for a third more memory (``bench/spelling_speed.py``, docs/quality.md).
_PREFIX_LENGTH = 9
#: Document frequency given to stop words, so a stop-word typo goes to the stop word.
_STOP_COUNT = 1 << 40
#: A grown corrector builds its index afresh once the terms added since, or those gone, are
#: more than this share of the index it shares.
GROWN_SHARE = 0.1


def _indexable(term: str) -> bool:
    """Whether a vocabulary term goes into the index (plain lower-case words)."""
    return len(term) >= MIN_LENGTH - 1 and term.isalpha() and term.islower()


class SpellingCorrector:
    """Maps an unknown term to the most frequent vocabulary term within its edit budget.

    The SymSpell index is built in a background thread (about 14 s at a million passages), so
    loading a corpus never waits for it; the first correction does, if it comes sooner.

    A corpus that grows by an article at a time should not pay that again for each one: built
    from the corrector it replaces (``previous``), a corrector shares that one's index and
    indexes only the terms it lacks, in a second, small index (looked up too, the nearer
    suggestion winning). Terms the corpus no longer uses are skipped when suggested, and ties
    go by the current document frequencies. Once the new terms outnumber
    :data:`GROWN_SHARE` of the shared index, or the terms gone do, the index is built afresh.

    Parameters
    ----------
    vocabulary
        Index terms and how many passages use each (the engine's ``vocabulary()``).
    stop_words
        Words a typo may stand for that are not index terms.
    previous
        The corrector for the corpus before its latest change, if any.
    """

    def __init__(
        self,
        vocabulary: Mapping[str, int],
        stop_words: Iterable[str] = (),
        previous: SpellingCorrector | None = None,
    ) -> None:
        self._vocabulary = vocabulary
        self._stop = frozenset(stop_words)
        self._distance = EditDistance(DistanceAlgorithm.DAMERAU_OSA_FAST)
        #: The indexes looked up: a complete one, then (when grown) one of the terms it lacks.
        self._indexes: tuple[SymSpell, ...] = ()
        self._ready = threading.Event()
        threading.Thread(
            target=self._build, args=(previous,), name="spelling-index", daemon=True
        ).start()

    def _new_index(self) -> SymSpell:
        return SymSpell(
            max_dictionary_edit_distance=2,
            prefix_length=_PREFIX_LENGTH,
            distance_comparer=self._distance,
        )

    def _build(self, previous: SpellingCorrector | None) -> None:
        try:
            shared = self._shared_index(previous) if previous is not None else None
            if shared is None:
                index = self._new_index()
                for term in self._vocabulary:
                    if _indexable(term):
                        index.create_dictionary_entry(term, max(int(self._vocabulary[term]), 1))
                for word in self._stop:
                    index.create_dictionary_entry(word, _STOP_COUNT)
                self._indexes = (index,)
            else:
                self._indexes = shared
        finally:
            self._ready.set()

    def _shared_index(self, previous: SpellingCorrector) -> tuple[SymSpell, ...] | None:
        """``previous``'s complete index and a new one of the terms it lacks, or None when
        building afresh is better (different stop words, too much changed)."""
        previous.wait()
        if previous._stop != self._stop or not previous._indexes:
            return None
        base = previous._indexes[0]
        words = base.words
        limit = GROWN_SHARE * len(words)
        added = [t for t in self._vocabulary if t not in words and _indexable(t)]
        if len(added) > limit:
            return None
        gone = sum(1 for t in words if t not in self._vocabulary and t not in self._stop)
        if gone > limit:
            return None
        if not added:
            return (base,)
        delta = self._new_index()
        for term in added:
            delta.create_dictionary_entry(term, max(int(self._vocabulary[term]), 1))
        return (base, delta)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the index is built (at most ``timeout`` seconds); True when it is."""
        return self._ready.wait(timeout)

    def correct(self, term: str, typed: str | None = None) -> str | None:
        """The intended term, or None when ``term`` is known, too short, or nothing is close.

        A stop word is returned when ``term`` is a typo of one (see :meth:`is_stop_word`) and so
        is ``typed``, the word it was analysed from (when given).
        """
        if term in self._vocabulary or len(term) < MIN_LENGTH:
            return None
        if not (term.isalpha() and term.islower()):
            return None
        self._ready.wait()
        budget = 1 if len(term) <= ONE_EDIT_MAX else 2
        # CLOSEST keeps only the nearest distance found, and stops looking farther once it
        # has one: one look-up within the whole budget finds what one per distance would.
        found = self._lookup(term, budget, Verbosity.CLOSEST)
        if not found:
            return self._known_stem(term)
        best = min(found, key=lambda s: (s[0], -self._count(s[1]), s[1]))[1]
        if best in self._stop and typed is not None and not self._near(typed, best):
            return None  # nearest a stop word as a stem, not as typed: no telling what it is
        return best

    def _lookup(self, term: str, budget: int, verbosity: Verbosity) -> list[tuple[int, str]]:
        """(distance, term) of each index's nearest suggestions that the corpus still uses.

        A shared index may suggest a term the corpus no longer uses and, as CLOSEST does, look
        no farther: then every suggestion within the budget is looked at.
        """
        found = [
            (s.distance, str(s.term))
            for index in self._indexes
            for s in index.lookup(term, verbosity, max_edit_distance=budget)
        ]
        live = [(d, t) for d, t in found if t in self._vocabulary or t in self._stop]
        if len(live) < len(found) and verbosity is Verbosity.CLOSEST:
            return self._lookup(term, budget, Verbosity.ALL)
        return live

    def _count(self, term: str) -> int:
        """How many passages use ``term`` now (stop words first of all)."""
        return _STOP_COUNT if term in self._stop else int(self._vocabulary.get(term, 0))

    def _near(self, typed: str, stop_word: str) -> bool:
        """Whether the word as typed is within its own edit budget of ``stop_word``."""
        word = typed.casefold()
        budget = 1 if len(word) <= ONE_EDIT_MAX else 2
        return 0 <= self._distance.compare(word, stop_word, budget) <= budget

    def _known_stem(self, term: str) -> str | None:
        """The longest vocabulary term that begins ``term`` and covers most of it.

        A stem is the start of the words it comes from, so a typo past the stem
        ("denuclearizaton") leaves it whole ("denuclear") however many edits the ending has.
        """
        for n in range(len(term) - 1, max(_STEM_MIN - 1, int(len(term) * _STEM_SHARE) - 1), -1):
            stem = term[:n]
            if stem in self._vocabulary and stem.isalpha() and stem.islower():
                return stem
        return None

    def is_stop_word(self, word: str) -> bool:
        """Whether a correction is a stop word (the typed word should then be ignored)."""
        return word in self._stop
