"""Analysis: turn text into index terms, the same way for passages and questions.

The pipeline, in order, and why each step exists:

1. Unicode NFKC, curly quotes to straight, hyphen-like dashes to ``-``: scraped news mixes them,
   and ``Kim’s`` must equal ``Kim's``.
2. Dotted acronyms lose their dots (``U.S.`` -> ``US``).
3. Tokens are runs of letters/digits with inner apostrophes or hyphens; a number keeps its
   thousands separators and decimal point (``5,000`` is ``5000``, ``3.5`` stays whole).
4. Hyphenated words yield their parts and the joined form, so ``Jong-un`` (or ``Jong-un's``)
   matches ``Jong Un`` and ``Jongun``, and ``F-16`` matches ``F16``; in a question the joined
   form is a stand-in for the parts, not a word of its own.
5. Acronyms stay apart from words: an all-capitals token (``US``) in mixed-case text, or one listed
   in ``analysis.acronyms`` even in all-capitals text, becomes an upper-case term -- never a stop
   word, never stemmed -- so ``US`` never becomes the stop word ``us`` and ``UN`` never matches
   the ``un`` of ``Jong-un``.
6. Possessives go (``Kim's`` -> ``kim``, ``Koreans'`` -> ``koreans``), then stop words.
7. Irregular inflections are lemmatised by simplemma's English dictionary (``held`` -> ``hold``,
   ``said`` -> ``say``, ``met`` -> ``meet``), which no suffix stemmer can do.
8. British spellings fold to American (``-ise`` -> ``-ize``, ``defence`` -> ``defense``, ...).
   Both sides of a match go through the same fold, so over-folding a word is harmless unless it
   merges two different words; the word lists below avoid that.
9. A Snowball stemmer (PyStemmer) conflates regular inflections.

Each distinct word is analysed once and cached, which makes indexing large corpora cheap.

Queries additionally get aliases (``DPRK`` also searches ``North Korea``), marked so that the
answer layer can weigh them below the words the user typed.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import Stemmer
from simplemma import Lemmatizer
from simplemma.strategies import DictionaryLookupStrategy

from bot.analysis.specificity import english
from bot.analysis.variants import fold_spelling
from bot.config.settings import AnalysisSettings

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2212": "-",
        "\u2014": " ",
        "\u2015": " ",
        "\u00ad": "",
    }
)
_DOTTED_ACRONYM = re.compile(r"\b(?:[A-Z]\.){2,}")
#: What every dotted acronym contains: a cheap test that lets most passages skip the slower
#: word-boundary search above.
_DOTTED_PAIR = re.compile(r"[A-Z]\.[A-Z]\.")
_ASCII_LOWER = string.ascii_lowercase.encode("ascii")
_ASCII_UPPER = string.ascii_uppercase.encode("ascii")
#: A word: letters and digits, with inner apostrophes or hyphens; a number keeps its thousands
#: separators and decimal point ("5,000", "3.5"), which would otherwise make "5" and "000".
_TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+|(?<=\d),\d{3}(?!\d)|(?<=\d)\.\d+)*'?")
#: The same tokens in ASCII text, where a letter or digit is one of these: a quarter faster.
_ASCII_TOKEN = re.compile(
    r"[A-Za-z0-9]+(?:['-][A-Za-z0-9]+|(?<=[0-9]),[0-9]{3}(?![0-9])|(?<=[0-9])\.[0-9]+)*'?"
)
_CACHE_LIMIT = 1_000_000
_MAX_ACRONYM = 5  # an unlisted word in capitals longer than this is emphasis, not an acronym


@dataclass(frozen=True)
class QueryTerm:
    """One analysed query term and where it came from.

    ``alias_for`` is empty for a term the user typed; for an alias term it holds the typed terms
    it stands in for, so the ranker can keep the alias weaker than them, and ``member`` holds all
    the terms of its alias phrase (``north korea``), which must match together to stand in.
    ``credit`` is the share of the typed words' weight such a stand-in earns when it matches:
    ``analysis.alias_weight`` for an alias and ``answer.spelling_weight`` for a spelling
    correction -- always less than 1, so a word as typed outranks its stand-in.
    """

    term: str
    weight: float = 1.0
    alias_for: tuple[str, ...] = ()
    member: tuple[str, ...] = ()
    credit: float = 1.0
    #: Typed as a name (capitalised, not first in the question): "Putin", "France".
    name: bool = False
    #: How often the question has it (query-term frequency): ranking multiplies its weight by
    #: this; the no-answer rule does not (repeating a word does not make it more on-topic).
    tf: int = 1
    #: How specific the word typed is in general English (:mod:`bot.analysis.specificity`):
    #: its weight in the no-answer rule. Aliases carry the specificity of no word (0).
    specificity: float = 0.0
    #: The word as typed (the first one, when several words give this term; empty for aliases).
    word: str = ""


@dataclass(frozen=True)
class Token:
    """A term with the character span of the word it came from (for highlighting)."""

    term: str
    start: int
    end: int


def normalize(text: str) -> str:
    """NFKC plus the quote and dash folding every later step relies on."""
    return unicodedata.normalize("NFKC", text).translate(_TRANSLATE)


@cache
def _stopwords() -> frozenset[str]:
    data = resources.files("bot").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in data.splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def _lemmatizer() -> Lemmatizer:
    """simplemma's English dictionary alone, without its guessing strategies (affixes,
    clitics, prefixes): those only reshape words the dictionary lacks, whose suffixes the
    stemmer strips anyway -- on the 10,615 words of the IR and QA collections the terms come out
    the same -- and they cost eight times the lookup, the bulk of analysing a new word."""
    return Lemmatizer(lemmatization_strategy=DictionaryLookupStrategy())


class Analyzer:
    """Text -> terms. Construct once per settings; thread-safe and reusable."""

    def __init__(self, settings: AnalysisSettings, cache_limit: int = _CACHE_LIMIT) -> None:
        self.settings = settings
        #: Words remembered per cache before it is emptied: the whole vocabulary while
        #: indexing, far fewer for questions, whose new words would otherwise grow it forever.
        self.cache_limit = cache_limit
        self._stop = _stopwords() if settings.stopwords else frozenset()
        self._acronyms = frozenset(a.upper() for a in settings.acronyms)
        self._stemmer = None if settings.stemmer == "none" else Stemmer.Stemmer(settings.stemmer)
        self._cache: dict[tuple[str, bool], str | None] = {}
        #: A word's terms joined by spaces (:meth:`_entry`), one cache per case mode (index 1:
        #: shouted text), keyed by the word alone so the hot path needs no key tuple.
        self._words: tuple[dict[str, str], dict[str, str]] = ({}, {})
        self._aliases = self._analyse_aliases(settings.aliases)

    @property
    def cached_words(self) -> int:
        """How many words the caches hold now (bounded by :attr:`cache_limit` each)."""
        return max(len(self._words[0]), len(self._words[1]), len(self._cache))

    @property
    def stop_words(self) -> frozenset[str]:
        """The stop words dropped from text (empty when ``analysis.stopwords`` is off)."""
        return self._stop

    # ----------------------------------------------------------------- documents

    def terms(self, text: str) -> list[str]:
        """The index terms of ``text``, in order, repeats kept (BM25 counts them).

        The hot path of indexing (most of a large build's time): no span bookkeeping, and when
        every word is cached, one C-level pass over the words (``map`` and ``filter``, no
        Python code per word; docs/performance.md has the figures).
        """
        text = _prepare(text)
        return self._lookup(_tokens(text).findall(text), _is_shouting(text), "-" in text)

    def span_terms(self, text: str, spans: Sequence[tuple[int, int]]) -> list[list[str]]:
        """The terms of each ``(start, end)`` span of ``text`` -- its sentences, say.

        Each span is analysed as :meth:`terms` analyses it alone, except that whether the text
        is written in capitals is decided once, for the whole text (as it was indexed: a shouted
        sentence in a mixed-case passage keeps its acronyms), and ASCII text is prepared once:
        the spans of one passage cost little more than the passage.
        """
        if not text.isascii():  # normalising may move offsets: each span prepared on its own
            shouting = _is_shouting(_prepare(text))
            parts = [_prepare(text[a:b]) for a, b in spans]
            return [self._lookup(_TOKEN.findall(p), shouting, "-" in p) for p in parts]
        text = _prepare(text)
        shouting = _is_shouting(text)
        return [
            self._lookup(_ASCII_TOKEN.findall(text, a, b), shouting, "-" in text[a:b])
            for a, b in spans
        ]

    def _lookup(self, words: list[str], shouting: bool, hyphens: bool) -> list[str]:
        """The terms of ``words`` (``hyphens``: some may hold a hyphen)."""
        cache = self._words[shouting]
        try:
            found = list(filter(None, map(cache.__getitem__, words)))
        except KeyError:  # new words: analyse those, then take the fast path again
            for word in set(words).difference(cache):
                self._entry(word, shouting)
            try:
                found = list(filter(None, map(cache.__getitem__, words)))
            except KeyError:  # the cache was emptied meanwhile (it holds fewer words than this)
                found = [self._entry(word, shouting) for word in words]
                found = [entry for entry in found if entry]
        # Only a hyphenated word has several terms, which share its entry (see _entry).
        return " ".join(found).split() if hyphens else found

    def tokens(self, text: str) -> list[Token]:
        """Terms with the span of the word each came from, in ``normalize(text)``.

        NFKC can change lengths, so spans index the normalised text, not ``text`` itself.
        """
        text = _prepare(text)
        shouting = _is_shouting(text)
        return [
            Token(term, match.start(), match.end())
            for match in _tokens(text).finditer(text)
            for term in self._entry(match.group(), shouting).split()
        ]

    def _entry(self, word: str, shouting: bool) -> str:
        """The terms of one word joined by spaces ("" for none), cached.

        A hyphenated word gives its parts and the joined form. One string per word, not a
        tuple, keeps the cache lookup of :meth:`terms` in C; terms never hold spaces (the
        tokens they come from are letters, digits, apostrophes and hyphens).
        """
        cache = self._words[shouting]
        cached = cache.get(word)
        if cached is not None:
            return cached
        if "-" not in word:  # most words: no parts, so no need of the part cache either
            entry = self._analyse_word(word, shouting) or ""
        else:
            parts = _hyphen_parts(word)
            terms = [t for t in (self._term(part, shouting) for part in parts) if t]
            if _joins(parts):
                joined = self._term("".join(parts).lower(), shouting=False)
                if joined:
                    terms.append(joined)
            entry = " ".join(terms)
        if len(cache) > self.cache_limit:
            cache.clear()
        cache[word] = entry
        return entry

    def _term(self, word: str, shouting: bool) -> str | None:
        key = (word, shouting)
        try:
            return self._cache[key]
        except KeyError:
            pass
        if len(self._cache) > self.cache_limit:
            self._cache.clear()
        term = self._cache[key] = self._analyse_word(word, shouting)
        return term

    def _analyse_word(self, word: str, shouting: bool) -> str | None:
        bare = _strip_possessive(word).replace(",", "")  # "5,000" is 5000
        if not bare:
            return None
        if len(bare) > 2 and bare.endswith("s") and bare[:-1].isupper() and bare[:-1].isalpha():
            bare = bare[:-1]  # plural acronym: ICBMs -> ICBM
        if self._is_acronym(bare, shouting):
            return bare.upper()
        lower = bare.casefold()
        if lower in self._stop:
            return None
        lower = lower.replace("'", "")
        if not lower or lower in self._stop:
            return None
        if self.settings.lemmatize and lower.isalpha():
            lower = _lemmatizer().lemmatize(lower, lang="en").casefold()
            if lower in self._stop:
                return None
        if self.settings.spelling_variants:
            lower = fold_spelling(lower)
        return self._stemmer.stemWord(lower) if self._stemmer else lower

    def _is_acronym(self, word: str, shouting: bool) -> bool:
        """Capitals mark an acronym (up to five letters unless listed), except in shouted text,
        where only listed ones count.

        A listed acronym of three letters or more also counts when typed in lower case
        (``dprk``, ``nato``); two-letter ones (``us``, ``it``) must be capitals, as they are words.
        """
        if len(word) < 2 or not word.isalpha():
            return False
        if word.isupper():
            return word in self._acronyms or (not shouting and len(word) <= _MAX_ACRONYM)
        return (
            len(word) >= 3
            and word.islower()
            and word not in self._stop
            and word.upper() in self._acronyms
        )

    # ----------------------------------------------------------------- queries

    def query(self, question: str) -> list[QueryTerm]:
        """Query terms, each typed term once with its query-term frequency (``tf``), then
        stand-ins: the joined form of a hyphenated word, and aliases of the typed phrases.

        A word typed twice ranks twice, as BM25 defines it (and rank-bm25's ``get_scores`` and
        Lucene compute it): long, multi-sentence queries repeat the words they are about. The
        joined form ("Jong-un" -> ``jongun``) finds a text that writes the word joined, but it
        is the same word as its parts: as a stand-in for them, it does not count a second time
        against a corpus that lacks the word.
        """
        tokens = self.tokens(question)
        text = normalize(question)
        joined = {i: self._joined_of(text[t.start : t.end], t.term) for i, t in enumerate(tokens)}
        typed = [t.term for i, t in enumerate(tokens) if not joined[i]]
        names = _name_terms(text, tokens)
        specific = english()
        specificity: dict[str, float] = {}
        words: dict[str, str] = {}
        for i, t in enumerate(tokens):
            if joined[i]:
                continue
            word = self._typed_word(text[t.start : t.end], t.term)
            words.setdefault(t.term, word)
            specificity[t.term] = max(specificity.get(t.term, 0.0), specific(word))
        counts = Counter(typed)
        result = [
            QueryTerm(
                term, name=term in names, tf=n, specificity=specificity[term], word=words[term]
            )
            for term, n in counts.items()
        ]
        seen = set(counts)
        weight = self.settings.alias_weight
        for i, t in enumerate(tokens):
            parts = joined[i]
            if parts and t.term not in seen:
                seen.add(t.term)
                result.append(QueryTerm(t.term, weight, parts, (t.term,), credit=weight))
        typed = [t.term for t in tokens]  # aliases match phrases as indexed, joined forms in
        for group in self._aliases:
            present = [member for member in group if _contains(typed, member)]
            if not present:
                continue
            source = tuple(dict.fromkeys(t for member in present for t in member))
            for member in group:
                for term in member:
                    if term not in seen:
                        seen.add(term)
                        weight = self.settings.alias_weight
                        result.append(QueryTerm(term, weight, source, member, credit=weight))
        return result

    def _typed_word(self, surface: str, term: str) -> str:
        """The word typed for ``term`` in the token ``surface``, as English spells it: no
        possessive ("president's" -> "president"), and of a hyphenated word the part that gave
        the term ("long-range" -> "range"). Its specificity weighs the term, and it tells a
        real word from a typo, so it must be a word a dictionary holds, not the token."""
        bare = _strip_possessive(surface).replace(",", "")
        if "-" not in bare:
            return bare
        for part in _hyphen_parts(bare):
            if term in self.terms(part):
                return part
        return bare

    def _joined_of(self, surface: str, term: str) -> tuple[str, ...]:
        """The terms of the parts of hyphenated ``surface`` when ``term`` is its joined form
        (and no part's term), else ()."""
        if "-" not in surface:
            return ()
        parts = _hyphen_parts(surface)
        if not _joins(parts):
            return ()
        terms = tuple(t for part in parts for t in self.terms(part))
        if term in terms or term != self._term("".join(parts).lower(), shouting=False):
            return ()
        return terms

    def _analyse_aliases(
        self, groups: Sequence[Sequence[str]]
    ) -> tuple[tuple[tuple[str, ...], ...], ...]:
        analysed = []
        for group in groups:
            members = tuple(t for t in (tuple(self.terms(name)) for name in group) if t)
            if len(members) > 1:
                analysed.append(members)
        return tuple(analysed)


def _tokens(text: str) -> re.Pattern[str]:
    """The token pattern for ``text``."""
    return _ASCII_TOKEN if text.isascii() else _TOKEN


def _hyphen_parts(word: str) -> list[str]:
    """The parts of a hyphenated word, its possessive gone ("Jong-un's" -> Jong, un)."""
    return [p for p in _strip_possessive(word).split("-") if p]


def _joins(parts: Sequence[str]) -> bool:
    """Whether a hyphenated word's parts also make a joined term: letters and digits with a
    letter somewhere ("Jong-un" -> jongun, "F-16" -> f16), not a range of numbers ("2018-19")."""
    return len(parts) > 1 and all(map(str.isalnum, parts)) and any(map(str.isalpha, parts))


def _strip_possessive(word: str) -> str:
    if word.endswith(("'s", "'S")):
        return word[:-2]
    return word.rstrip("'")


def _prepare(text: str) -> str:
    """Normalise, and drop the dots of dotted acronyms (keeping every offset in place).

    ASCII text is already normal (NFKC and the folding table change only other characters),
    and most text has no dotted acronym: both checks are cheap, the work they skip is not.
    """
    if not text.isascii():
        text = normalize(text)
    if not _DOTTED_PAIR.search(text):
        return text
    return _DOTTED_ACRONYM.sub(lambda m: m.group().replace(".", "").ljust(len(m.group())), text)


def _is_shouting(text: str) -> bool:
    """True for text written in capitals (headings), where capitals do not mark acronyms."""
    if text.isascii():  # counted in C: a per-character Python call costs more than analysis
        data = text.encode("ascii")
        lower = len(data) - len(data.translate(None, _ASCII_LOWER))
        upper = len(data) - len(data.translate(None, _ASCII_UPPER))
        letters = lower + upper
    else:
        letters = sum(map(str.isalpha, text))
        upper = sum(map(str.isupper, text))
    if letters < 6:
        return False
    return upper / letters > 0.8


def _name_terms(text: str, tokens: Sequence[Token]) -> set[str]:
    """Terms typed as names: from a capitalised, not all-capitals word that does not start the
    question (where capitals say nothing). In an all-lower-case question there are none."""
    names = set()
    for token in tokens:
        word = text[token.start : token.end]
        if token.start > 0 and word[:1].isupper() and not word.isupper():
            names.add(token.term)
    return names


def _contains(terms: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(terms[i : i + n]) == tuple(phrase) for i in range(len(terms) - n + 1))
