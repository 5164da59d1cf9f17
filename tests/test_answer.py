"""Answers: ranking, highlighting, citations and the "no answer" rule."""

from __future__ import annotations

import pytest

from bot.answer.answerer import Answerer, Reason
from bot.corpus.loader import load_corpus
from bot.service.answer_service import AnswerService


def top(service: AnswerService, question: str) -> tuple[str, int]:
    answer = service.answer(question)
    assert answer.answered, answer.reason
    first = answer.passages[0].passage
    return first.article.id, first.paragraph


def highlighted(answer) -> str:
    item = answer.passages[0]
    (start, end), *_ = item.highlights
    return item.passage.text[start:end]


def test_singapore_question_gets_the_singapore_paragraph(service):
    answer = service.answer("Where did Trump and Kim hold their first summit?")
    assert answer.answered
    first = answer.passages[0]
    assert first.passage.paragraph == 4
    assert "Singapore" in highlighted(answer)
    assert first.rank == 1


@pytest.mark.parametrize(
    ("question", "paragraph"),
    [
        ("Who is Stephen Biegun?", 19),
        ("what did sanders say about credit", 6),
        ("was pompeo's trip cancelled", 5),
        ("defence studies centre think tank", 22),
        ("when will kim denuclearize", 23),
        ("who said the letter was warm", 1),
    ],
)
def test_known_answers_rank_first(service, question, paragraph):
    assert top(service, question)[1] == paragraph


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "Who won the 2018 World Cup?",
        "What did Putin say about the summit?",
        "What did Moon eat for dinner in Paris?",
    ],
)
def test_questions_the_corpus_cannot_answer_are_refused(service, question):
    answer = service.answer(question)
    assert not answer.answered
    assert answer.passages == ()
    assert answer.reason is Reason.NOT_IN_CORPUS


def test_refusal_holds_on_another_corpus(invented_service):
    assert not invented_service.answer("What is the capital of France?").answered
    assert invented_service.answer("Who is Bartholomew Quillfeather?").answered


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_gets_a_polite_message(service, question):
    answer = service.answer(question)
    assert not answer.answered and answer.reason is Reason.EMPTY_QUESTION


@pytest.mark.parametrize("question", ["the", "What is it?", "???", "!!! ... ---"])
def test_stop_words_or_punctuation_only_is_no_answer(service, question):
    answer = service.answer(question)
    assert not answer.answered and answer.reason is Reason.NO_SEARCH_TERMS


def test_long_question_is_truncated_with_a_notice(service, settings):
    question = "Where did Trump and Kim hold their first summit? " + "blah " * 200
    answer = service.answer(question)
    limit = settings.answer.max_question_chars
    assert len(answer.question) <= limit + 1
    assert answer.question.endswith("…")
    assert answer.asked_chars == len(" ".join(question.split()))
    assert answer.answered


def test_control_characters_are_removed(service):
    answer = service.answer("Where did Trump\x00 and Kim\x1b[31m meet\u202e?")
    assert "\x00" not in answer.question and "\x1b" not in answer.question
    assert "\u202e" not in answer.question


def test_escape_sequences_go_whole_not_just_their_escape_byte(service):
    """Left behind, "[31m" and "]0;pwned" become words of the question, and an answerable
    question pasted from a coloured terminal is refused."""
    answer = service.answer("\x1b[31mwhere\x1b[0m did trump and kim \x1b]0;pwned\x07meet")
    assert answer.question == "where did trump and kim meet"
    assert answer.answered


def test_top_k_and_no_zero_scores(service):
    answer = service.answer("Kim letter Trump meeting", top_k=5)
    assert 1 <= len(answer.passages) <= 5
    assert all(p.score > 0 for p in answer.passages)
    assert [p.rank for p in answer.passages] == list(range(1, len(answer.passages) + 1))
    scores = [p.score for p in answer.passages]
    assert scores == sorted(scores, reverse=True)


def test_title_field_finds_a_paragraph_that_only_says_the_letter(invented_service):
    # ¶2 says "The letter, written in purple ink..." but never "Chancellor"; the title does.
    answer = invented_service.answer("Chancellor's letter in purple ink")
    first = answer.passages[0].passage
    assert (first.article.id, first.paragraph) == ("06_bolt_letter", 2)


def test_section_heading_is_carried_by_passages(invented_service):
    answer = invented_service.answer("reactions noodleshire accord")
    assert answer.passages[0].passage.section == "Reactions"


def test_duplicate_texts_are_shown_once(write_corpus):
    story = "The Zorblax Accord was signed by the Moon Emperor on Tuesday.\n"
    files = {f"copy{i}.md": f"---\ntitle: Copy {i}\n---\n{story}" for i in range(3)}
    files |= {f"other{i}.md": f"Unrelated filler about teapots number {i}.\n" for i in range(4)}
    answerer = Answerer.from_settings(write_corpus(files))
    answer = answerer.answer("Zorblax Accord Moon Emperor")
    assert len(answer.passages) == 1


def test_an_alias_never_outranks_the_word_typed(write_corpus):
    """An invented acronym, its expansion and its capital, made aliases by the corpus's own
    aliases.yaml (as the shipped config does for real ones): each finds the other two, above
    a paragraph that shares only the other words, and never above itself."""
    files = {
        "aliases.yaml": "aliases:\n"
        "  - names: [GRZ, Glorp Republic, Wembleton]\n"
        "    why: invented for this test; an acronym, its expansion, its capital\n",
        "a.md": "Officials in the GRZ tested new marmalade catapults.\n",
        "b.md": "Officials in the Glorp Republic tested new marmalade catapults.\n",
        "c.md": "Wembleton officials tested new marmalade catapults.\n",
        "d.md": "Officials in Quillmoor tested new marmalade catapults.\n",  # no alias
    }
    files |= {f"f{i}.md": f"Filler about kettles, number {i}.\n" for i in range(4)}
    answerer = Answerer.from_settings(write_corpus(files))
    for typed, expected in [("GRZ", "a"), ("Glorp Republic", "b"), ("Wembleton", "c")]:
        answer = answerer.answer(f"{typed} marmalade catapults", every=True)
        ids = [p.passage.article.id for p in answer.passages]
        assert ids[0] == expected, (typed, ids)
        assert sorted(ids[:3]) == ["a", "b", "c"]  # aliases find the other two before Quillmoor


def test_a_passage_holding_no_question_word_is_never_quoted(write_corpus):
    """Context fields help find a paragraph, but its own text must hold a content word."""
    files = {
        "a.md": "---\ntitle: Teapot summit in Quillsby\n---\n"
        "Delegates argued about the colour of the tablecloth.\n\n"
        "The teapot summit ended with a toast.\n",
    }
    files |= {f"f{i}.md": f"Filler about spoons, number {i}.\n" for i in range(4)}
    answerer = Answerer.from_settings(write_corpus(files))
    answer = answerer.answer("teapot summit", top_k=5)
    assert [p.passage.paragraph for p in answer.passages] == [2]


def test_only_passages_that_answer_are_quoted(service):
    """The issue's example: the Singapore paragraph answers; paragraphs that share only
    "Trump", "Kim" or "first" with the question are not padding behind it."""
    answer = service.answer("Where did Trump and Kim hold their first summit?")
    assert [p.passage.paragraph for p in answer.passages] == [4]


def test_a_word_as_typed_outranks_its_alias(service):
    """¶16 says "nuclear weapons"; ¶10 only the alias "nuclear arsenal" and, in the paragraph
    before it, "Pyongyang"."""
    question = "Has North Korea dismantled its nuclear weapons?"
    answer = service.answerer.answer(question, top_k=10, every=True)
    shown = [p.passage.paragraph for p in answer.passages]
    assert 16 in shown
    assert 10 not in shown[: shown.index(16)]


def test_a_word_typed_twice_ranks_twice(write_corpus):
    files = {
        "a.md": "The blue teapot of Quillsby stood on the shelf.\n",
        "b.md": "The blue kettle of Quillsby stood on the shelf.\n",
    }
    files |= {f"f{i}.md": f"Filler about spoons, number {i}.\n" for i in range(4)}
    answerer = Answerer.from_settings(write_corpus(files))
    ids = [h.doc for h in answerer.rank("teapot kettle kettle", 2)]
    assert [answerer.corpus.passages[i].article.id for i in ids] == ["b", "a"]


def test_highlight_picks_the_answering_sentence(service):
    answerer = service.answerer
    text = answerer.corpus.passages[14].text  # ¶15: three sentences, the first about the door
    query = answerer.query("Who is holding the door open?")
    ((start, end),) = answerer.highlight(text, query)
    assert text[start:end].startswith("\"But President Trump can't make the North Koreans walk")
    query = answerer.query("what are they waiting for")
    ((start, end),) = answerer.highlight(text, query)
    assert text[start:end] == "And that's what we are waiting for.\""


def test_answer_articles_are_distinct(service):
    answer = service.answer("Trump Kim letter")
    assert len(answer.articles) == 1


def test_answerer_is_built_from_a_corpus_without_reloading(settings):
    corpus = load_corpus(settings.corpus)
    answerer = Answerer(settings, corpus)
    assert answerer.answer("Singapore summit").answered


def test_misspelt_words_are_corrected_against_the_corpus(service):
    answer = service.answer("trump kim sumit in singapor")
    assert answer.answered
    assert answer.passages[0].passage.paragraph == 4


def test_corrections_do_not_rescue_unrelated_questions(service):
    assert not service.answer("What is the capital of Frence?").answered


def test_partial_alias_phrase_does_not_stand_in(service):
    # "United States" shares "united" with the UN alias "United Nations"; that must not count.
    assert not service.answer("what sanctions has the UN imposed").answered


def test_title_words_alone_do_not_make_an_answer(service):
    # "Jong" and "Un" are only in the article title (the caption that names him is furniture)
    assert not service.answer("what is Jong Un's favourite food").answered


def test_an_unknown_name_weighs_more_than_an_unknown_word(service):
    answerer = service.answerer
    name = answerer.query("What did Putin say about the summit?")
    word = answerer.query("What did putin say about the summit?")
    assert [q.name for q in name if q.term == "putin"] == [True]
    assert [q.name for q in word if q.term == "putin"] == [False]
    summit = frozenset({"summit"})
    prepare = answerer.evidence.prepare
    assert prepare(name).of(summit).share < prepare(word).of(summit).share


def test_new_words_in_questions_do_not_grow_memory(invented_settings):
    """A bot answering for months meets endless new words; the question analyser's caches stay
    bounded, and the indexing analyser never sees them."""
    from bot.answer import answerer as answerer_module

    answerer = answerer_module.Answerer.from_settings(invented_settings)
    answerer.query_analyzer.cache_limit = 50
    indexed_words = answerer.analyzer.cached_words
    for i in range(300):
        answerer.answer(f"what did the quorblex{i} zanthid{i} say")
    assert answerer.query_analyzer.cached_words <= 51
    assert answerer.analyzer.cached_words == indexed_words


def test_a_replaced_answerer_is_freed_without_the_cycle_collector(invented_settings):
    """The service freezes the heap over a large answerer (``answer_service.settle``), which
    puts it out of the cycle collector's reach: that is only safe while reference counting
    alone frees one once a reload replaces it -- no reference cycle may hold it."""
    import gc
    import weakref

    from bot.answer.answerer import Answerer

    answerer = Answerer.from_settings(invented_settings)
    answerer.answer("what did the envoy say")
    parts = [answerer, answerer.questions, answerer.evidence, answerer.query_analyzer]
    refs = [weakref.ref(part) for part in parts]
    gc.collect()
    gc.disable()
    try:
        del answerer, parts
        assert [ref() for ref in refs] == [None] * len(refs)
    finally:
        gc.enable()


def test_words_said_in_one_sentence_outrank_words_scattered(write_corpus):
    """Sentence focus: both paragraphs hold the same words, but only the second says the
    question's in one sentence (without focus they tie, and the first wins the tie)."""
    files = {
        "a.md": "The quillsby envoy grumbled. The teapot was blue.\n",
        "b.md": "The quillsby teapot was blue. The envoy grumbled.\n",
    }
    files |= {f"f{i}.md": f"Filler about spoons and forks, number {i}.\n" for i in range(4)}
    settings = write_corpus(files)
    focused = Answerer.from_settings(settings)
    assert [h.doc for h in focused.rank("why was the quillsby teapot blue", 2)] == [1, 0]
    flat = Answerer.from_settings(
        settings.model_copy(
            update={"answer": settings.answer.model_copy(update={"sentence_focus": 0.0})}
        )
    )
    assert [h.doc for h in flat.rank("why was the quillsby teapot blue", 2)] == [0, 1]


def test_focus_orders_the_first_k_exactly(settings):
    """Only the best candidates' sentences are analysed; the first k are still in the order a
    full computation gives (on a made-up corpus large enough for most to be skipped)."""
    from bot.quality.synthetic import synthetic_corpus, synthetic_questions

    corpus = synthetic_corpus(3000)
    answerer = Answerer(
        settings.model_copy(
            update={"semantic": settings.semantic.model_copy(update={"enabled": False})}
        ),
        corpus,
    )
    for question in synthetic_questions(corpus, 60):
        query = answerer.query(question)
        evidence = answerer.evidence.prepare(query)
        hits = answerer.engine.search(answerer.questions.weigh(query), 30)
        full = answerer._order(evidence, hits, exact=len(hits))
        for k in (1, 3, 5):
            pruned = answerer._order(evidence, hits, exact=k)
            assert [h.doc for h, _ in pruned[:k]] == [h.doc for h, _ in full[:k]], question


def test_the_service_freezes_the_heap_only_over_large_answerers(invented_settings, monkeypatch):
    import gc

    from bot.service import answer_service

    answerer = Answerer.from_settings(invented_settings)
    before = gc.get_freeze_count()
    try:
        assert answer_service.settle(answerer) is answerer
        assert gc.get_freeze_count() == before  # six articles: below FREEZE_MIN
        monkeypatch.setattr(answer_service, "FREEZE_MIN", 1)
        answer_service.settle(answerer)
        _join_settle_threads()
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_the_spelling_index_built_after_the_freeze_is_frozen_too(invented_settings, monkeypatch):
    """The spelling index is built in the background, after ``settle`` froze the heap; left in
    the collector's sight, its entries made each full collection (and so each add) slower."""
    import gc
    import threading

    from bot.analysis.spelling import SpellingCorrector
    from bot.service import answer_service

    monkeypatch.setattr(answer_service, "FREEZE_MIN", 1)
    go = threading.Event()
    build = SpellingCorrector._build

    def build_after_settle(self: SpellingCorrector, previous: SpellingCorrector | None) -> None:
        go.wait(60)  # as at a million passages: the index is done seconds after settle
        build(self, previous)

    monkeypatch.setattr(SpellingCorrector, "_build", build_after_settle)
    gc.collect()
    try:
        answerer = answer_service.settle(Answerer.from_settings(invented_settings))
        go.set()
        _join_settle_threads()
        assert answerer.wait_ready(0)
        entries = answerer.questions.speller._indexes[0].deletes  # type: ignore[union-attr]
        sample = next(iter(entries.values()))  # a list: a container the collector tracks
        assert gc.is_tracked(sample)
        assert not any(obj is sample for obj in gc.get_objects())  # frozen: in no generation
    finally:
        gc.unfreeze()


def _join_settle_threads() -> None:
    import threading

    for thread in threading.enumerate():
        if thread.name == "settle":
            thread.join(timeout=60)


def test_possessives_hyphens_and_numbers_do_not_make_filler_an_answer(write_corpus):
    """Typed as a token ("president's", "5,000"), a word used to weigh as unknown English and
    to split at its separators: a corpus that answers neither question quoted a paragraph
    sharing one word ("president") or one digit group ("000")."""
    files = {
        "a.md": "The president of the Zorbland spoon guild signed a budget of 1,000 zorbs.\n",
        "b.md": "Heavy rain flooded the marsh towns of Zorbland overnight.\n",
        "c.md": "Quillsby growth slowed to 3.5 percent.\n",
    }
    files |= {f"f{i}.md": f"Filler about spoons and forks, number {i}.\n" for i in range(4)}
    answerer = Answerer.from_settings(write_corpus(files))
    for question in (
        "What is the president's favourite dog breed?",
        "5,000",
    ):
        assert not answerer.answer(question).passages, question
    assert answerer.answer("when did quillsby growth slow to 3.5 percent").passages


def test_a_stricter_operator_can_require_several_words_held(write_corpus):
    """``answer.min_words_held``: with 2, a passage that shares one word of a three-word
    question is no answer; one that holds two of the three still is (all but one at most)."""
    files = {
        "a.md": "The quillsby teapot was painted blue on a Tuesday.\n",
        "b.md": "The zorblax envoy grumbled about the weather.\n",
    }
    files |= {f"f{i}.md": f"Filler about spoons and forks, number {i}.\n" for i in range(4)}
    settings = write_corpus(files)
    strict = settings.model_copy(
        update={"answer": settings.answer.model_copy(update={"min_words_held": 2})}
    )
    one_word = "why did the quillsby ferret sneeze"  # shares only "quillsby" with a.md
    two_words = "why was the quillsby teapot orange"  # "quillsby" and "teapot"
    assert Answerer.from_settings(settings).answer(one_word).answered
    assert not Answerer.from_settings(strict).answer(one_word).answered
    assert Answerer.from_settings(strict).answer(two_words).answered
    # A two-word question needs one of them held, whatever the setting.
    assert Answerer.from_settings(strict).answer("quillsby ferret").answered


def test_the_cut_notice_counts_the_characters_answered(service, settings):
    """The "…" that marks the cut is not one of the characters asked: a question cut at 300
    must not be said to have been answered on its first 301."""
    import json as _json
    import re as _re

    from bot.render.json import answer_to_json
    from bot.render.text import render_answer

    answer = service.answer("Where did Trump and Kim hold their first summit? " + "blah " * 200)
    kept = len(answer.question) - 1
    assert kept <= settings.answer.max_question_chars
    message = _json.loads(answer_to_json(answer))["message"] or ""
    for text in (render_answer(answer), message):
        said = _re.search(r"answered its first (\d+)", text)
        assert said is not None and int(said.group(1)) == kept, text


@pytest.mark.parametrize("place", ["café", "cafe"])
def test_a_shouted_sentence_keeps_its_acronyms_for_focus_and_highlight(write_corpus, place):
    """The index judges capitals over the whole passage: PNTA (an invented news agency, not in
    ``analysis.acronyms``, and short enough to count as an acronym) in a shouted sentence of a
    mixed-case passage is the acronym. Sentence focus and the highlight must judge them the
    same way, or the engine's match has no sentence and the answer is refused."""
    files = {
        "a.md": f"We met at a {place} by the Wembleton quay. PNTA SAID THE BARGE FLOATED WELL.\n"
    }
    files |= {f"f{i}.md": f"Filler about spoons and forks, number {i}.\n" for i in range(4)}
    settings = write_corpus(files)
    assert "PNTA" not in settings.analysis.acronyms  # counted by its length, not listed
    answer = Answerer.from_settings(settings).answer("what did PNTA say")
    assert answer.answered
    (passage,) = answer.passages
    ((start, end),) = passage.highlights
    assert passage.passage.text[start:end].startswith("PNTA SAID")
