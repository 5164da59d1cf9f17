"""bench/offtopic_rules.py: what each lexical no-answer rule sees of an answer."""

from __future__ import annotations

from bench import offtopic_rules as rules
from bot.answer.answerer import Answerer


def _answerer(write_corpus):
    files = {
        "a.md": "The quillsby teapot was painted blue on a Tuesday.\n",
        "b.md": "The zorblax envoy grumbled about the weather.\n",
    }
    files |= {f"f{i}.md": f"Filler about spoons and forks, number {i}.\n" for i in range(4)}
    settings = write_corpus(files)
    return Answerer.from_settings(
        settings.model_copy(
            update={"semantic": settings.semantic.model_copy(update={"enabled": False})}
        )
    )


def test_a_passage_sharing_one_of_three_words_is_caught_by_the_held_rule(write_corpus):
    seen = rules.quoted(_answerer(write_corpus), "why did the quillsby ferret sneeze")
    assert seen.answered and (seen.content, seen.held) == (3, 1)
    assert rules.RULES["fewer than 2 of 3+ content words held"](seen)
    assert not rules.RULES["none (today)"](seen)


def test_the_most_specific_word_unknown_to_the_corpus(write_corpus):
    answerer = _answerer(write_corpus)
    unknown = rules.quoted(answerer, "was the teapot from glorpwinkle")
    assert unknown.answered and unknown.specific_unknown  # "glorpwinkle": in no passage
    known = rules.quoted(answerer, "was the quillsby teapot blue")
    assert known.answered and not known.specific_unknown and known.held == 3


def test_a_refused_question_is_seen_as_refused(write_corpus):
    assert not rules.quoted(_answerer(write_corpus), "what about the moon landing").answered
