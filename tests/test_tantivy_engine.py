"""The tantivy engine gives the same answers as the rank-bm25 engine.

Parity is checked where it must be exact (BM25 with tantivy's fixed k1=1.2, b=0.75: same scores
to float precision, same matched terms, same document frequencies) and where it only has to be
close (the shipped config's k1/b, which tantivy cannot use: same hit@3 on the question set).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from bot.answer.answerer import Answer, Answerer
from bot.config.settings import Settings, load_settings
from bot.index.engine import WeightedTerm, analyse_passages
from bot.index.rankbm25 import RankBM25Engine
from bot.index.store import IndexStore
from bot.index.tantivy_engine import TantivyEngine, unsupported_settings

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = yaml.safe_load((REPO / "tests" / "questions.yaml").read_text(encoding="utf-8"))
ZORBLAX = REPO / "tests" / "fixtures" / "zorblax"
INVENTED = REPO / "tests" / "fixtures" / "invented"
#: tantivy's own BM25 parameters, so that both engines score the same formula.
SAME_BM25 = ["retrieval.k1=1.2", "retrieval.b=0.75"]

ZORBLAX_QUESTIONS = [
    "Where was the Zorblax Accord signed?",
    "how many moonstone crates can each side extract",
    "who is the chief envoy of zorblax",
    "what delayed the signing ceremony",
    "how many surveyors work in the wembleton office",
    "why did plimvale reject the first ledger",
    "what were the ninety crates",
    "how many goose nests were counted",
    "what did the duke say in his harvest speech",
    "which carving won the prize at the lantern festival",
    "why was the ferry closed",
    "when are the lanterns dimmed",
    "who is Odalys Brackwater",
    "what is the capital of France",
]
INVENTED_QUESTIONS = [
    "how many teapots may each nation keep",
    "where was the teapot treaty signed",
    "what did the chancellor call the third teapot",
    "who offered to host the next summit",
    "what fell on Drizzleton",
    "what colour ink was the letter written in",
    "what did the defence analysts recommend",
]


def _answerers(overrides: list[str], tmp_path: Path) -> dict[str, Answerer]:
    out = {}
    for engine in ("rank-bm25", "tantivy"):
        settings = load_settings(
            REPO / "config.yaml",
            [*overrides, f"retrieval.engine={engine}", f"cache_dir={tmp_path / engine}"],
        )
        out[engine] = Answerer.from_settings(settings, IndexStore(settings))
    return out


def _ids(answer: Answer) -> list[str]:
    return [p.passage.id for p in answer.passages]


def _hit_at_3(answer: Answer, question: dict) -> bool:
    if question.get("unanswerable"):
        return not answer.answered
    article = QUESTIONS.get("article")
    for shown in answer.passages[:3]:
        for expected in question["answers"]:
            if "paragraph" in expected and (
                shown.passage.paragraph == expected["paragraph"]
                and shown.article.id == expected.get("article", article)
            ):
                return True
            if (
                "contains" in expected
                and expected["contains"].lower() in shown.passage.text.lower()
            ):
                return True
    return False


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Answerer]:
    return _answerers(SAME_BM25, tmp_path_factory.mktemp("shipped"))


def test_question_set_same_passages_same_scores(shipped: dict[str, Answerer]) -> None:
    for question in QUESTIONS["questions"]:
        a = shipped["rank-bm25"].answer(question["q"])
        b = shipped["tantivy"].answer(question["q"])
        assert a.answered == b.answered, question["q"]
        assert _ids(a) == _ids(b), question["q"]
        for x, y in zip(a.passages, b.passages, strict=True):
            assert y.score == pytest.approx(x.score, rel=1e-4), question["q"]
            assert y.highlights == x.highlights


def test_question_set_hit_at_3_with_shipped_config(tmp_path: Path) -> None:
    """The shipped k1/b differ from tantivy's; rankings stay as good."""
    answerers = _answerers([], tmp_path)
    hits = {
        name: sum(_hit_at_3(a.answer(q["q"]), q) for q in QUESTIONS["questions"])
        for name, a in answerers.items()
    }
    assert hits["tantivy"] == hits["rank-bm25"]


@pytest.mark.parametrize(
    ("folder", "questions"), [(ZORBLAX, ZORBLAX_QUESTIONS), (INVENTED, INVENTED_QUESTIONS)]
)
def test_invented_corpora_same_answers(folder: Path, questions: list[str], tmp_path: Path) -> None:
    answerers = _answerers([*SAME_BM25, f"corpus.path={folder}"], tmp_path)
    for question in questions:
        a = answerers["rank-bm25"].answer(question)
        b = answerers["tantivy"].answer(question)
        assert (a.reason, _ids(a)) == (b.reason, _ids(b)), question


def test_zorblax_answers_are_right(tmp_path: Path) -> None:
    answerers = _answerers([f"corpus.path={ZORBLAX}"], tmp_path)
    answer = answerers["tantivy"].answer("Where was the Zorblax Accord signed?")
    assert answer.answered
    assert "barge Quibble" in answer.passages[0].passage.text
    assert not answerers["tantivy"].answer("what is the capital of France").answered


# --------------------------------------------------------------------------- engine level


@pytest.fixture(scope="module")
def engines() -> tuple[RankBM25Engine, TantivyEngine, list]:
    settings = load_settings(REPO / "config.yaml", [*SAME_BM25, f"corpus.path={ZORBLAX}"])
    store = IndexStore(settings, persist=False)
    from bot.corpus.loader import load_corpus

    corpus = load_corpus(settings.corpus)
    docs = analyse_passages(corpus.passages, store.analyzer)
    return RankBM25Engine(settings.retrieval, docs), TantivyEngine(settings.retrieval, docs), docs


def _query(*terms: str | tuple[str, float]) -> list[WeightedTerm]:
    return [WeightedTerm(t) if isinstance(t, str) else WeightedTerm(*t) for t in terms]


QUERIES = [
    _query("moonston", "crate"),
    _query("zorblax", "accord", "sign"),
    _query(("goos", 0.5), "barg", "wembleton"),
    _query("ledger", "ledger", "disput"),  # a repeated term counts twice in both engines
    _query("nothingatal"),
    # more terms than one matched-terms probe handles
    _query(
        *[
            "zorblax",
            "plimval",
            "moonston",
            "crate",
            "quarri",
            "ledger",
            "barg",
            "gees",
            "wembleton",
            "lantern",
            "festiv",
            "survey",
            "envoy",
            "duke",
            "accord",
            "sign",
        ]
    ),
]


@pytest.mark.parametrize("query", QUERIES)
def test_search_parity(engines: tuple, query: list[WeightedTerm]) -> None:
    ref, tan, _ = engines
    a, b = ref.search(query, 10), tan.search(query, 10)
    assert [h.doc for h in a] == [h.doc for h in b]
    assert bool(b) == (query[0].term != "nothingatal")
    for x, y in zip(a, b, strict=True):
        assert y.score == pytest.approx(x.score, rel=1e-4)
        assert y.matched == x.matched
        assert y.body_matched == x.body_matched


def test_doc_freq_and_vocabulary_match(engines: tuple) -> None:
    ref, tan, docs = engines
    assert len(ref) == len(tan) == len(docs)
    terms = {t for d in docs for t in (*d.body, *d.title)}
    for term in terms:
        assert tan.doc_freq(term) == ref.doc_freq(term), term
    assert dict(tan.vocabulary()) == dict(ref.vocabulary())


@pytest.mark.parametrize("big_mask", [False, True])
def test_allowed_mask(engines: tuple, big_mask: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways of filtering (inside tantivy, or over-fetching) keep IDF and order."""
    ref, tan, docs = engines
    if big_mask:
        monkeypatch.setattr("bot.index.tantivy_engine._FILTER_MAX_TERMS", 0)
    allowed = np.zeros(len(docs), dtype=bool)
    allowed[::2] = True
    query = _query("moonston", "ledger", "lantern")
    a, b = ref.search(query, 5, allowed), tan.search(query, 5, allowed)
    assert [h.doc for h in a] == [h.doc for h in b]
    assert b
    assert all(allowed[h.doc] for h in b)
    assert [h.score for h in b] == pytest.approx([h.score for h in a], rel=1e-4)
    assert tan.search(query, 5, np.zeros(len(docs), dtype=bool)) == []


def test_terms_are_not_re_analysed(tmp_path: Path) -> None:
    """Acronyms stay apart from words: tantivy's tokenizer must not lower-case ``US``."""
    settings = load_settings(REPO / "config.yaml", ["retrieval.engine=tantivy"])
    from bot.index.engine import FieldedDoc

    docs = [FieldedDoc(("US", "talk")), FieldedDoc(("us", "talk")), FieldedDoc(("kim's",))]
    engine = TantivyEngine(settings.retrieval, docs)
    assert engine.doc_freq("US") == 1
    assert engine.doc_freq("us") == 1
    assert engine.doc_freq("kim's") == 1
    assert [h.doc for h in engine.search(_query("US"), 5)] == [0]


def test_edge_cases() -> None:
    settings = load_settings(REPO / "config.yaml", ["retrieval.engine=tantivy"])
    empty = TantivyEngine(settings.retrieval, [])
    assert len(empty) == 0
    assert empty.search(_query("anything"), 3) == []
    assert empty.doc_freq("anything") == 0
    from bot.index.engine import FieldedDoc

    engine = TantivyEngine(settings.retrieval, [FieldedDoc(("a",)), FieldedDoc(("b",))])
    assert engine.search(_query("a"), 0) == []
    assert engine.search([], 3) == []


def test_unsupported_settings_are_named(settings: Settings) -> None:
    tweaked = settings.retrieval.model_copy(update={"k1": 0.9, "algorithm": "bm25plus"})
    problems = unsupported_settings(tweaked)
    assert "k1=0.9" in problems
    assert "algorithm=bm25plus" in problems
    same = settings.retrieval.model_copy(update={"k1": 1.2, "b": 0.75})
    assert unsupported_settings(same) == []


@pytest.mark.parametrize("persist", [True, False])
def test_many_equal_scores_are_ordered_by_passage_as_rank_bm25_orders_them(
    tmp_path: Path, persist: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two hundred passages score alike for "zebra": tantivy's collector keeps the ones first
    in its own document order (its indexing threads interleave articles), so without fetching
    past the tie the two engines quoted different passages."""
    from bot.corpus.loader import load_corpus

    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(200):
        (folder / f"{i:04d}.md").write_text(
            f"---\ntitle: Eel census\n---\nzebra eel{i} count{i} pond{i}\n", encoding="utf-8"
        )
    found = {}
    for engine in ("rank-bm25", "tantivy"):
        settings = load_settings(
            REPO / "config.yaml",
            [
                *SAME_BM25,
                f"corpus.path={folder}",
                f"cache_dir={tmp_path / 'cache'}",
                f"retrieval.engine={engine}",
                f"retrieval.persist={str(persist).lower()}",
                "collapse.enabled=false",
            ],
        )
        index = IndexStore(settings).sync(load_corpus(settings.corpus)).engine
        found[engine] = [[h.doc for h in index.search(_query("zebra"), k)] for k in (3, 10, 30)]
        odd = np.arange(len(index)) % 2 == 1
        monkeypatch.setattr("bot.index.tantivy_engine._FILTER_MAX_TERMS", 0)  # over-fetch path
        found[engine].append([h.doc for h in index.search(_query("zebra"), 10, odd)])
    assert found["rank-bm25"] == [*(list(range(k)) for k in (3, 10, 30)), list(range(1, 21, 2))]
    assert found["tantivy"] == found["rank-bm25"]
