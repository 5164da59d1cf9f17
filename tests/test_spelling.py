"""Spelling correction: SymSpell over a vocabulary of analysed terms, and its use in answers."""

from __future__ import annotations

import pytest

from bot.analysis.spelling import SpellingCorrector

VOCAB = {
    "summit": 5,
    "summat": 1,
    "missil": 3,
    "negoti": 2,
    "kim": 9,
    "letter": 4,
    "US": 7,
    "gaug": 2,
    "first": 6,
    "denuclear": 4,
}


def test_one_edit_for_short_terms_two_for_long():
    speller = SpellingCorrector(VOCAB)
    assert speller.correct("sumit") == "summit"  # ties at distance 1 go to the frequent term
    assert speller.correct("missl") == "missil"
    assert speller.correct("lettter") == "letter"
    assert speller.correct("summmmmit") is None  # three edits
    assert speller.correct("denuclaer") == "denuclear"  # long terms may take two edits
    assert speller.correct("mssle") is None  # two edits: too far for five letters


def test_the_nearest_term_wins_over_a_more_used_one_farther_away():
    # One look-up covers the whole two-edit budget: it must still prefer one edit to two.
    speller = SpellingCorrector({"quillfeather": 1, "quillfeathar": 500})
    assert speller.correct("quillfeatherz") == "quillfeather"  # 1 edit; the other is 2
    assert speller.correct("quillfeatharz") == "quillfeathar"


@pytest.mark.parametrize(("typed", "meant"), [("guag", "gaug"), ("frist", "first")])
def test_a_letter_swap_is_one_edit(typed, meant):
    assert SpellingCorrector(VOCAB).correct(typed) == meant


def test_a_typo_past_a_known_stem_finds_the_stem():
    speller = SpellingCorrector(VOCAB)
    assert speller.correct("denuclearizaton") == "denuclear"  # six edits from the whole word
    assert speller.correct("denucl") is None  # too little of it


def test_typos_of_stop_words_are_recognised():
    speller = SpellingCorrector(VOCAB, stop_words={"where", "there", "have"})
    fixed = speller.correct("wher")
    assert fixed == "where" and speller.is_stop_word(fixed)
    assert not speller.is_stop_word("summit")


def test_a_word_is_a_stop_word_typo_only_as_typed_not_as_stemmed():
    """ "kims" is analysed to ``kim``, one edit from "him" but two from the word typed: it is a
    word the corpus lacks, not a typo of "him", so it must not be dropped from the question."""
    speller = SpellingCorrector({"letter": 4}, stop_words={"him", "where"})
    assert speller.correct("kim", "kims") is None
    assert speller.correct("kim") == "him"  # without the word typed, the stem decides
    assert speller.correct("wher", "wher") == "where"
    assert speller.correct("wher", "Wher") == "where"


def test_known_short_and_non_word_terms_are_left_alone():
    speller = SpellingCorrector(VOCAB)
    assert speller.correct("summit") is None
    assert speller.correct("ki") is None  # too short to guess
    assert speller.correct("USA") is None  # acronyms are not corrected
    assert speller.correct("2018") is None


def test_empty_vocabulary():
    assert SpellingCorrector({}).correct("summit") is None


def test_a_question_with_several_typos_is_answered(service):
    answer = service.answer("wher did trmp and kim hav ther frist sumit?")
    assert answer.answered
    assert answer.passages[0].passage.paragraph == 4


def test_misspelt_words_find_the_paragraphs_that_use_them(service):
    answer = service.answer("what did the negociator say about denuclearizaton")
    assert answer.passages[0].passage.paragraph == 19  # "South Korea's nuclear negotiator"


def test_real_english_words_are_never_corrected(write_corpus):
    """ "summit" is a word: on a corpus that lacks it, it must not become "submit"."""
    from bot.answer.answerer import Answerer

    files = {"a.md": "Students submit their essays on Fridays.\n"}
    files |= {f"f{i}.md": f"Filler about spoons, number {i}.\n" for i in range(4)}
    answerer = Answerer.from_settings(write_corpus(files))
    assert [q.term for q in answerer.query("when is the summit")] == ["summit"]
    assert [q.term for q in answerer.query("when is the sumbit")] == ["sumbit", "submit"]


def test_an_unknown_word_near_a_stop_word_only_as_a_stem_stays_in_the_question(write_corpus):
    """Dropping "kims" would leave "letter" to answer "what about kims letter" on a corpus that
    never speaks of Kim; kept, the unknown word counts against the question."""
    from bot.answer.answerer import Answerer

    files = {"a.md": "The zorblax guild sent him a letter about spoons.\n"}
    files |= {f"f{i}.md": f"Filler about forks, number {i}.\n" for i in range(4)}
    answerer = Answerer.from_settings(write_corpus(files))
    assert [q.term for q in answerer.query("kims letter")] == ["kim", "letter"]
    assert [q.term for q in answerer.query("wher is the letter")] == ["letter"]


def test_an_answerer_says_when_its_spelling_index_is_built(invented_settings):
    """Benchmarks wait for it, so that an add is never timed while the last answerer's index
    is still being built in the background."""
    from bot.answer.answerer import Answerer

    answerer = Answerer.from_settings(invented_settings)
    assert answerer.wait_ready(timeout=60)
    assert answerer.questions._speller is not None
    assert answerer.questions._speller._ready.is_set()
    off = invented_settings.model_copy(
        update={"answer": invented_settings.answer.model_copy(update={"spelling": False})}
    )
    assert Answerer.from_settings(off).wait_ready(timeout=0)


def _typos(word: str) -> list[str]:
    """One deletion, insertion, replacement and swap of ``word``."""
    return [word[1:], word[:2] + "q" + word[2:], "z" + word[1:], word[1] + word[0] + word[2:]]


@pytest.mark.parametrize("seed", range(4))
def test_a_grown_corrector_corrects_as_one_built_afresh(seed):
    """A corpus that grows reuses the last corrector's index; the corrections must be those of
    an index built from nothing: new words found, words no longer used never suggested, ties
    decided by today's document frequencies."""
    import random

    from bot.quality.synthetic import pseudo_word

    rng = random.Random(seed)
    words = [pseudo_word(600 + r) for r in range(3000)]
    before = {w: rng.randint(1, 50) for w in words[:2000]}
    stop = {"where", "there", "have"}
    previous = SpellingCorrector(before, stop)
    now = dict(before)
    for w in rng.sample(words[:2000], 60):  # articles removed: some words gone
        del now[w]
    for w in rng.sample(sorted(now), 200):  # and the rest used more or less
        now[w] = rng.randint(1, 50)
    now |= {w: rng.randint(1, 50) for w in words[2000:2150]}  # an article added: new words
    grown = SpellingCorrector(now, stop, previous)
    fresh = SpellingCorrector(now, stop)
    assert grown.wait(60) and fresh.wait(60)
    assert len(grown._indexes) == 2  # it did share the previous index
    cases = [t for w in rng.sample(words, 600) for t in _typos(w)] + ["wher", "ther"]
    cases = [c for c in cases if c.isalpha() and c not in now]
    differ = [(c, grown.correct(c), fresh.correct(c)) for c in cases]
    assert [d for d in differ if d[1] != d[2]] == []
    suggested = {g for _, g, _ in differ}
    assert suggested & set(words[2000:2150])  # the new words are found...
    assert not suggested & (before.keys() - now.keys())  # ...and the gone ones never


def test_a_corrector_is_built_afresh_when_much_has_changed():
    from bot.analysis import spelling
    from bot.quality.synthetic import pseudo_word

    before = {pseudo_word(600 + r): 1 for r in range(100)}
    previous = SpellingCorrector(before)
    grown = SpellingCorrector(before | {"missil": 1}, previous=previous)  # one word more
    replaced = SpellingCorrector({"spoon": 3, "forks": 2}, previous=previous)
    other_stops = SpellingCorrector(before, {"where"}, previous)
    for corrector in (grown, replaced, other_stops):
        assert corrector.wait(60)
    assert grown._indexes[0] is previous._indexes[0]
    assert replaced._indexes[0] is not previous._indexes[0]  # all of it changed
    assert other_stops._indexes[0] is not previous._indexes[0]
    assert grown.correct("missl") == "missil" and replaced.correct("spon") == "spoon"
    assert spelling.GROWN_SHARE < 1


def test_a_grown_corrector_breaks_ties_by_todays_document_frequencies():
    from bot.quality.synthetic import pseudo_word

    filler = {pseudo_word(600 + r): 1 for r in range(100)}
    previous = SpellingCorrector(filler | {"summat": 9, "summet": 1})
    assert previous.correct("summit") == "summat"
    grown = SpellingCorrector(filler | {"summat": 1, "summet": 9}, previous=previous)
    assert grown.correct("summit") == "summet"
    assert grown._indexes[0] is previous._indexes[0]


def test_a_word_gone_from_the_corpus_hides_no_farther_correction():
    """The shared index suggests the gone "quillfeax" (one edit) and looks no farther; the
    two-edit words must still compete, the more used one winning, as in an index built
    afresh."""
    from bot.quality.synthetic import pseudo_word

    filler = {pseudo_word(600 + r): 1 for r in range(100)}
    previous = SpellingCorrector(filler | {"quillfeax": 5, "quillfexx": 9})
    now = filler | {"quillfexx": 9, "quillzzat": 1}  # quillfeax gone, quillzzat new
    grown = SpellingCorrector(now, previous=previous)
    assert grown.correct("quillfeat") == SpellingCorrector(now).correct("quillfeat")
    assert grown.correct("quillfeat") == "quillfexx"
    assert len(grown._indexes) == 2
