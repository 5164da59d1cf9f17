"""A seeded synthetic news corpus and questions about it, for benchmarks at any size.

Articles of 4-24 paragraphs, paragraph lengths log-normal around 40 words (clipped to 8-200),
sentences of 8-25 words, and words drawn from a Zipf-Mandelbrot distribution over a vocabulary
that grows with the corpus (Heaps' law) whose most frequent entries are real English function
words, so stop words, long tails and IDF behave as in real text. Questions are drawn from the
corpus (a few words of a random paragraph inside a question frame), plus some about words it
never uses. The text is made up and reads as made up: it never stands in for news.
"""

from __future__ import annotations

import math

import numpy as np

from bot.corpus.model import Article, Corpus, Passage

#: The most frequent English words, most frequent first; they head the synthetic vocabulary.
_FUNCTION_WORDS = """
the of and to a in that is was he for it with as his on be at by i this had not are but
from or have an they which one you were her all she there would their we him been has
when who will more no if out so said what up its about into than them can only other new
some could time these two may then do first any my now such like our over man me even
most made after also did many before must through back years where much your way well
down should because each just those people how too little state good very make world
still own see men work long get here between both life being under never day same
another know while last might us great old year off come since against go came right
used take three
"""
FUNCTION_WORDS = tuple(_FUNCTION_WORDS.split())
_FUNCTION_SET = frozenset(FUNCTION_WORDS)

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr",
           "gr", "kr", "pl", "st", "tr", "sh", "ch", "th")  # fmt: skip
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou")
_SYLLABLES = tuple(o + v for o in _ONSETS for v in _VOWELS)
_FRAMES = (
    "what did {a} say about {b} {c}",
    "where was the {a} {b}",
    "who said {a} {b} {c}?",
    "{a} {b} {c}",
    "why did {a} {b}",
    "when was {a} {b} {c}",
    "tell me about {a} and {b}",
)


def pseudo_word(rank: int) -> str:
    """The synthetic word of a vocabulary rank (unique per rank, longer for rarer ranks)."""
    if rank < len(FUNCTION_WORDS):
        return FUNCTION_WORDS[rank]
    n = rank - len(FUNCTION_WORDS) + len(_SYLLABLES)
    parts = []
    while n:
        n, digit = divmod(n, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    word = "".join(reversed(parts))
    # A few syllable pairs spell real function words ("more", "take"); pseudo-words end in a
    # vowel, so an added consonant keeps them apart from both.
    return word + "n" if word in _FUNCTION_SET else word


def vocabulary_size(passages: int) -> int:
    """Heaps' law for ~40 words a passage: ~40k words at 10k passages, ~480k at 1M."""
    tokens = max(passages, 1) * 40
    return int(min(2_000_000, max(2_000, 30 * tokens**0.55)))


class _Sampler:
    """Zipf-Mandelbrot word ranks, ``p(r) ~ 1 / (r + 2.7)``."""

    def __init__(self, vocabulary: int, rng: np.random.Generator) -> None:
        weights = 1.0 / (np.arange(vocabulary) + 2.7)
        self.cdf = np.cumsum(weights / weights.sum())
        self.rng = rng
        self.words = np.array([pseudo_word(r) for r in range(vocabulary)], dtype=object)

    def ranks(self, n: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cdf, self.rng.random(n)), len(self.cdf) - 1)


def synthetic_corpus(passages: int, seed: int = 0) -> Corpus:
    """A reproducible synthetic news corpus of exactly ``passages`` paragraphs."""
    rng = np.random.default_rng(seed)
    sampler = _Sampler(vocabulary_size(passages), rng)
    articles: list[Article] = []
    out: list[Passage] = []
    lengths = np.clip(rng.lognormal(math.log(40), 0.55, passages), 8, 200).astype(int)
    done = 0
    while done < passages:
        size = min(int(rng.integers(4, 25)), passages - done)
        title_ranks = sampler.ranks(40)
        title_words = [sampler.words[r] for r in title_ranks if r >= 60][:7] or ["untitled"]
        article = Article(
            id=f"syn{len(articles):07d}",
            title=" ".join(w.capitalize() for w in title_words),
            source="The Synthetic Courier",
        )
        articles.append(article)
        article_lengths = lengths[done : done + size]
        words = sampler.words[sampler.ranks(int(article_lengths.sum()))]
        at = 0
        for paragraph, length in enumerate(article_lengths.tolist(), 1):
            out.append(Passage(article, paragraph, _sentences(words[at : at + length], rng)))
            at += length
        done += size
    return Corpus(tuple(articles), tuple(out))


def extra_article(corpus_passages: int, number: int, seed: int = 0) -> tuple[Corpus, str]:
    """A new made-up article (12 paragraphs) for the synthetic corpus of ``corpus_passages``
    passages -- same vocabulary, an id of its own -- and a word only it uses, for asking
    about it once it is added."""
    rng = np.random.default_rng(seed + 10_000 + number)
    sampler = _Sampler(vocabulary_size(corpus_passages), rng)
    marker = pseudo_word(30_000_000 + number)
    article = Article(
        id=f"added{number:04d}", title=f"Added {marker}", source="The Synthetic Courier"
    )
    passages = []
    for paragraph in range(1, 13):
        words = sampler.words[sampler.ranks(40)]
        text = _sentences(words, rng)
        if paragraph == 1:
            text = f"{text} The {marker} was new."
        passages.append(Passage(article, paragraph, text))
    return Corpus((article,), tuple(passages)), marker


def with_added(corpus: Corpus, extra: Corpus) -> Corpus:
    """``corpus`` with the articles of ``extra`` at its end."""
    return Corpus(corpus.articles + extra.articles, corpus.passages + extra.passages)


def _sentences(words: np.ndarray, rng: np.random.Generator) -> str:
    sentences = []
    at = 0
    while at < len(words):
        n = int(rng.integers(8, 26))
        sentence = " ".join(words[at : at + n])
        sentences.append(sentence[:1].upper() + sentence[1:] + ".")
        at += n
    return " ".join(sentences)


def synthetic_questions(corpus: Corpus, n: int, seed: int = 0) -> list[str]:
    """``n`` questions: most from a random passage's rarer words, some about unknown words."""
    rng = np.random.default_rng(seed + 1)
    stop = set(FUNCTION_WORDS)
    questions = []
    for i in range(n):
        frame = _FRAMES[int(rng.integers(len(_FRAMES)))]
        if i % 7 == 6:  # about something the corpus never mentions
            words = [pseudo_word(10_000_000 + int(rng.integers(1_000_000))) for _ in range(3)]
        else:
            passage = corpus.passages[int(rng.integers(len(corpus.passages)))]
            content = [w.strip(".").lower() for w in passage.text.split()]
            content = [w for w in content if w not in stop] or content
            words = [content[int(rng.integers(len(content)))] for _ in range(3)]
        questions.append(frame.format(a=words[0], b=words[1], c=words[2]))
    return questions
