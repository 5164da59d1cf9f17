"""How fast a spelling correction is, at the vocabulary of a corpus of a given size.

The vocabulary is the one ``python -m bot bench`` generates for that many passages (Heaps' law:
~128k words at 100k passages, ~455k at 1M; ``bot.quality.bench``), with Zipf document
frequencies. Typos are made from real vocabulary words -- a deleted, inserted, replaced or
swapped letter, one of each per word in turn -- and each is corrected with
:class:`bot.analysis.spelling.SpellingCorrector`, the index the bot builds once at load::

    python bench/spelling_speed.py                 # 100k and 1M passages
    python bench/spelling_speed.py --passages 1000000 --typos 5000

Prints the build time, the memory the index adds, and the time per correction (median, p95)
with how many typos got a correction and how many got back the very word they were made from
(the rest are corrected to another word as near, one more passages use: in a vocabulary of
syllable strings most typos are one edit from several words); then per look-up of words the
corpus never uses (as ``python -m bot bench``'s off-corpus questions ask them: new syllable
strings, which the look-up must search the whole edit budget for; in so dense a vocabulary
most still find a word two edits away),
then the time to ready the corrector after an article adds :data:`ADDED_WORDS` new words (the
new corrector shares the old one's index and indexes only those), against a build afresh.
The synthetic words are denser than English (syllable strings), so real look-ups are faster.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `bot` importable
    sys.path.insert(0, str(REPO))

from bot.analysis.spelling import SpellingCorrector
from bot.quality.synthetic import pseudo_word, vocabulary_size


def typo(word: str, kind: int, rng: random.Random) -> str:
    """``word`` with one delete (0), insert (1), replace (2) or swap of two letters (3)."""
    i = rng.randrange(len(word) - 1)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + letter + word[i:]
    if kind == 2:
        return word[:i] + letter + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


#: New words the added article brings.
ADDED_WORDS = 100


def measure(passages: int, typos: int, seed: int = 0) -> dict[str, float]:
    """Build the corrector for ``passages``' vocabulary and time ``typos`` corrections."""
    size = vocabulary_size(passages)
    vocabulary = {pseudo_word(r): max(1, passages // (r + 3)) for r in range(size)}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    speller = SpellingCorrector(vocabulary)
    speller.correct("warmupwordx")  # waits for the background build
    build = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    rng = random.Random(seed)
    words = [w for w in rng.sample(sorted(vocabulary), min(typos * 2, size)) if len(w) >= 5]
    pairs = [(typo(w, n % 4, rng), w) for n, w in enumerate(words[:typos])]
    pairs = [(c, w) for c, w in pairs if c not in vocabulary]
    cases = [c for c, _ in pairs]
    fixed, times = _timed(speller, cases)
    restored = sum(speller.correct(c) == w for c, w in pairs)
    # Words the corpus never uses (as ``python -m bot bench``'s off-corpus questions ask):
    # the look-up searches the whole edit budget for them.
    strangers = [pseudo_word(10_000_000 + r) for r in range(len(cases))]
    near, missed = _timed(speller, [w for w in strangers if w not in vocabulary])
    larger = vocabulary | {pseudo_word(20_000_000 + r): 1 for r in range(ADDED_WORDS)}
    started = time.perf_counter()
    assert SpellingCorrector(larger, previous=speller).wait()
    grow = time.perf_counter() - started
    return {
        "passages": passages,
        "vocabulary": size,
        "build_s": round(build, 2),
        "index_mib": round(grown, 1),
        "corrections": len(cases),
        "corrected": fixed,
        "restored": restored,
        "median_us": round(statistics.median(times), 1),
        "p95_us": _p95(times),
        "unknown": len(missed),
        "unknown_corrected": near,
        "unknown_median_us": round(statistics.median(missed), 1),
        "unknown_p95_us": _p95(missed),
        "grow_s": round(grow, 3),
    }


def _timed(speller: SpellingCorrector, words: list[str]) -> tuple[int, list[float]]:
    """How many of ``words`` get a correction, and the time of each look-up in microseconds."""
    times = []
    fixed = 0
    for word in words:
        t = time.perf_counter()
        fixed += speller.correct(word) is not None
        times.append((time.perf_counter() - t) * 1e6)
    return fixed, times


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return round(ordered[int(0.95 * (len(ordered) - 1))], 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--typos", type=int, default=2000)
    args = parser.parse_args(argv)
    for n in args.passages:
        r = measure(n, args.typos)
        print(
            f"{r['passages']:>9,} passages, {r['vocabulary']:,} words: build {r['build_s']} s, "
            f"+{r['index_mib']} MiB; {r['corrections']} typos ({r['corrected']} given a "
            f"correction, {r['restored']} the word they were made from): "
            f"median {r['median_us']} us, p95 {r['p95_us']} us per correction; "
            f"{r['unknown']} words the corpus never uses ({r['unknown_corrected']} given a "
            f"correction): median {r['unknown_median_us']} us, "
            f"p95 {r['unknown_p95_us']} us; {ADDED_WORDS} words added: ready in {r['grow_s']} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
