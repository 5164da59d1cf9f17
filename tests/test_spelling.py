"""Spelling correction against a vocabulary of analysed terms."""

from __future__ import annotations

from bot.analysis.spelling import SpellingCorrector

VOCAB = {
    "summit": 5,
    "summat": 1,
    "missil": 3,
    "negoti": 2,
    "kim": 9,
    "letter": 4,
    "US": 7,
    "whether": 3,
    "denuclear": 4,
}


def test_one_edit_for_short_terms_two_for_long():
    speller = SpellingCorrector(VOCAB)
    assert speller.correct("sumit") == "summit"  # ties at distance 1 go to the frequent term
    assert speller.correct("missl") == "missil"
    assert speller.correct("lettter") == "letter"
    assert speller.correct("weather") is None  # "whether" is two edits: too far for 7 letters
    assert speller.correct("denuclaer") == "denuclear"  # long terms may take two edits


def test_known_short_and_non_word_terms_are_left_alone():
    speller = SpellingCorrector(VOCAB)
    assert speller.correct("summit") is None
    assert speller.correct("kin") is None  # too short to guess
    assert speller.correct("lett") is None  # five letters at least
    assert speller.correct("USA") is None  # acronyms are not corrected
    assert speller.correct("2018") is None


def test_first_letter_is_trusted():
    assert SpellingCorrector(VOCAB).correct("lummit") is None


def test_empty_vocabulary():
    assert SpellingCorrector({}).correct("summit") is None
