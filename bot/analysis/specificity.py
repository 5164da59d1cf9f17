"""How specific a word is in general English: how much it says about a question's subject.

The "no answer" rule (:mod:`bot.answer.evidence`) weighs each word of a question by how rare it
is in English at large, not in the corpus asked: "summit" says more about a subject than
"second" or "take" on any corpus, and the weight means the same on a 23-paragraph article and on
a million passages (a corpus's own IDF is noisy on small corpora and gives a word the corpus
never uses -- often a paraphrase -- the highest weight of all).

The counts are the English word-frequency list that ships with symspellpy
(``frequency_dictionary_en_82_765.txt``: 82,765 words with their counts in a large English
corpus). A word's specificity is ``log10(total / count)``: about 1.4 for "the", 3.3 for "take",
4.5 for "summit", 5.4 for "hostage". A word the list does not hold (a name, a technical term, a
typo) is at least as specific as its rarest word. The list also tells a real English word from
a typo, which is what :mod:`bot.analysis.spelling` corrects.
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources

#: The word-frequency list inside the symspellpy package.
FREQUENCY_LIST = "frequency_dictionary_en_82_765.txt"


class Specificity:
    """Word -> specificity in general English, from ``{word: count}``.

    Parameters
    ----------
    counts
        Lower-case words and their counts in some large English corpus.
    """

    def __init__(self, counts: dict[str, int]) -> None:
        self._counts = counts
        total = sum(counts.values()) or 1
        rarest = min(counts.values(), default=1)
        self._log_total = math.log10(total)
        #: The specificity of a word the list does not hold: that of a word half as frequent
        #: as its rarest one.
        self.unknown = self._log_total - math.log10(max(rarest / 2, 1e-9))

    def __call__(self, word: str) -> float:
        """The specificity of ``word`` (compared in lower case)."""
        count = self._counts.get(word.casefold())
        if not count:
            return self.unknown
        return self._log_total - math.log10(count)

    def is_word(self, word: str) -> bool:
        """Whether ``word`` is a listed English word (a typo usually is not)."""
        return word.casefold() in self._counts


@cache
def english() -> Specificity:
    """The English list, read once per process (about 80 ms)."""
    return Specificity(_read_counts())


def _read_counts() -> dict[str, int]:
    text = resources.files("symspellpy").joinpath(FREQUENCY_LIST).read_text(encoding="utf-8")
    counts: dict[str, int] = {}
    for line in text.splitlines():
        word, _, count = line.partition(" ")
        if count.strip().isdigit():
            counts[word] = int(count)
    return counts
