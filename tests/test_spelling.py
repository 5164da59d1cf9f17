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
