"""The rank-bm25 engine behind the engine interface."""

from __future__ import annotations

import numpy as np
import pytest

from bot.config.settings import RetrievalSettings
from bot.index.engine import Engine, FieldedDoc, WeightedTerm, build_engine, idf, with_context

DOCS = [
    FieldedDoc(("alpha", "beta"), ("zorblax",)),
    FieldedDoc(("alpha", "gamma", "gamma"), ("zorblax",)),
    FieldedDoc(("alpha", "delta"), ("zorblax",), ("alpha",)),
    FieldedDoc(("alpha", "epsilon", "beta"), ("quux",)),
    FieldedDoc(("omega",), ("quux",)),
]


def engine(**overrides) -> Engine:
    return build_engine(RetrievalSettings(**overrides), DOCS)


def q(*terms: str) -> list[WeightedTerm]:
    return [WeightedTerm(t) for t in terms]


def test_engine_satisfies_the_interface():
    e = engine()
    assert isinstance(e, Engine)
    assert len(e) == 5
    assert e.doc_freq("alpha") == 4 and e.doc_freq("zorblax") == 0 and e.doc_freq("nope") == 0


def test_lucene_idf_is_always_positive():
    assert idf(doc_freq=5, n_docs=5) > 0
    assert idf(0, 5) > idf(1, 5) > idf(4, 5) > 0


def test_term_in_most_passages_still_scores_with_default_idf():
    hits = engine().search(q("alpha"), k=10)
    assert {h.doc for h in hits} == {0, 1, 2, 3}
    assert all(h.score > 0 for h in hits)


def test_rank_bm25_okapi_idf_zeroes_out_common_terms_which_is_why_it_is_not_default():
    # rank_bm25 issues #39/#43: a term in >= half the passages gets a floor IDF near zero
    plain = engine(idf="rank-bm25", epsilon=0.0, title_weight=0, section_weight=0)
    assert plain.search(q("alpha"), k=10) == []


def test_hits_are_sorted_positive_and_limited():
    hits = engine().search(q("alpha", "beta", "gamma"), k=2)
    assert len(hits) == 2
    assert hits[0].score >= hits[1].score > 0


def test_hits_report_matched_terms():
    hits = engine().search(q("beta", "epsilon", "missing"), k=10)
    by_doc = {h.doc: h.matched for h in hits}
    assert by_doc[3] == frozenset({"beta", "epsilon"})
    assert by_doc[0] == frozenset({"beta"})


@pytest.mark.parametrize("algorithm", ["okapi", "bm25l", "bm25plus"])
def test_passages_without_any_query_term_never_score(algorithm):
    hits = engine(algorithm=algorithm).search(q("omega"), k=10)
    assert [h.doc for h in hits] == [4]


def test_title_field_makes_a_passage_findable_and_weight_zero_disables_it():
    assert {h.doc for h in engine().search(q("zorblax"), k=10)} == {0, 1, 2}
    assert engine(title_weight=0.0).search(q("zorblax"), k=10) == []


def test_section_field_adds_to_the_body_score():
    with_section = engine().search(q("alpha", "delta"), k=1)[0]
    assert with_section.doc == 2


def test_weights_scale_contributions():
    e = engine()
    full = {h.doc: h.score for h in e.search([WeightedTerm("beta", 1.0)], k=10)}
    half = {h.doc: h.score for h in e.search([WeightedTerm("beta", 0.5)], k=10)}
    assert full.keys() == half.keys()
    for doc, score in full.items():
        assert half[doc] == pytest.approx(score / 2)


def test_allowed_mask_filters_inside_retrieval_without_changing_scores():
    e = engine()
    everything = {h.doc: h.score for h in e.search(q("alpha"), k=10)}
    mask = np.array([False, True, False, True, True])
    filtered = e.search(q("alpha"), k=10, allowed=mask)
    assert {h.doc for h in filtered} == {1, 3}
    for h in filtered:
        assert h.score == pytest.approx(everything[h.doc])


def test_empty_query_and_zero_k():
    e = engine()
    assert e.search([], k=5) == []
    assert e.search(q("alpha"), k=0) == []


def test_ties_break_by_corpus_order():
    docs = [FieldedDoc(("same",)), FieldedDoc(("same",)), FieldedDoc(("other",))]
    hits = build_engine(RetrievalSettings(), docs).search(q("same"), k=2)
    assert [h.doc for h in hits] == [0, 1]


def test_context_is_the_previous_paragraph_of_the_same_article():
    docs = [FieldedDoc(("a",)), FieldedDoc(("b",)), FieldedDoc(("c",)), FieldedDoc(("d",))]
    out = list(with_context(docs, ["x", "x", "y", "y"]))
    assert [d.context for d in out] == [(), ("a",), (), ("c",)]
    assert [d.body for d in out] == [("a",), ("b",), ("c",), ("d",)]


def test_context_field_finds_a_paragraph_continuing_a_quote():
    docs = list(
        with_context(
            [
                FieldedDoc(("biegun", "told", "lee")),
                FieldedDoc(("tremendous", "opportun")),
                FieldedDoc(("opportun", "elsewhere")),
            ],
            ["x", "x", "y"],
        )
    )
    hits = build_engine(RetrievalSettings(), docs).search(q("biegun", "opportun"), k=3)
    assert hits[0].doc in (0, 1) and {h.doc for h in hits[:2]} == {0, 1}
    by_doc = {h.doc: h for h in hits}
    # doc 1 matches "biegun" only through its previous paragraph; doc 0 holds it itself
    assert by_doc[1].context_only == frozenset({"biegun"})
    assert by_doc[0].context_only == frozenset()


def test_context_mismatch_is_an_error():
    with pytest.raises(ValueError, match="2 documents but 1 article ids"):
        list(with_context([FieldedDoc(("a",)), FieldedDoc(("b",))], ["x"]))
