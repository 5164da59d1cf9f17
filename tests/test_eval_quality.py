"""Quality floors: CI fails if answer quality regresses.

The figures come from the real ``python -m bot eval`` code path (:func:`bot.cli.main`), over
``tests/questions.yaml`` and the held-out ``tests/questions_holdout.yaml`` on the shipped corpus,
the SQuAD development split and its off-topic mirrors (written by ``bench/squad_corpus.py``
from ``../shared/data/qa``) and the Vaswani and Cranfield collections (``../shared/data/ir``),
each skipped when its shared data is absent. Floors sit a little under the figures measured when
they were set (docs/quality.md, ``python bench/quality.py``): raise them when quality improves,
never lower them to make a change pass without saying why.

The base install's floors run with semantic re-ranking off (the suite sets TALKS_BOT_SEMANTIC=off,
tests/conftest.py); the ``[semantic]`` floors turn it on and skip only without the extra.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config.settings import load_settings
from bot.corpus.loader import load_corpus
from bot.quality.evaluation import contains_phrase, load_question_set, passage_id

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"

#: Question-set floors (base install, shipped corpus). The held-out set is never tuned on (docs/
#: quality.md): its floors only catch regressions. Since issue 9 an answer quotes only the
#: passages that answer, so MRR@10 and nDCG@10 over what is *shown* fell by design (fewer
#: passages: talks nDCG@10 0.883 -> 0.791) while the share of quoted passages that answer rose
#: (0.533 -> 0.699); the ranking itself is guarded by RANKING_FLOORS. The no-answer rule now
#: refuses off-topic questions and nothing else, so refusal recall on these lists -- which mix
#: off-topic questions with on-topic ones the article happens not to answer ("how old is Kim
#: Jong Un") -- fell (0.85 -> 0.60) while no answerable question is refused; off-topic refusal is
#: guarded by OFFTOPIC_FLOORS.
QUESTION_FLOORS = {
    "questions.yaml": {
        "hit@1": 0.88,
        "hit@3": 0.92,
        "mrr@10": 0.90,
        "ndcg@10": 0.78,
        "quote_precision": 0.68,
        "refusal_precision": 0.95,
        "refusal_recall": 0.55,
        "sentence_accuracy": 0.85,
    },
    "questions_holdout.yaml": {
        "hit@1": 0.80,
        "hit@3": 0.86,
        "mrr@10": 0.83,
        "ndcg@10": 0.78,
        "quote_precision": 0.70,
        "refusal_precision": 0.70,
        "refusal_recall": 0.25,
        "sentence_accuracy": 0.78,
    },
}
#: Answerable questions that may be refused: at most 1% (none of 51).
MAX_FALSE_REFUSALS = {"questions.yaml": 0, "questions_holdout.yaml": 1}
#: The engine's ranking before the no-answer rule (``retrieval`` in the JSON).
RANKING_FLOORS = {"questions.yaml": {"hit@1": 0.92, "hit@3": 0.96, "ndcg@10": 0.89}}

#: Test-collection floors: (MAP, nDCG@10). The plain rank-bm25 rows of the shared README are
#: 0.280/0.426 (Vaswani) and 0.307/0.367 (Cranfield), its best rows 0.285/0.439 and 0.310/0.372,
#: and Terrier's published Vaswani BM25 MAP is 0.2965: the Vaswani MAP floor is the goal, 0.30.
COLLECTION_FLOORS = {
    "vaswani": (0.300, 0.450),
    "cranfield": (0.315, 0.385),
}


def eval_json(*argv: str) -> dict:
    out = io.StringIO()
    status = main(["eval", *argv, "--json"], stdout=out)
    assert status == 0
    return json.loads(out.getvalue())


# --------------------------------------------------------------------------- the question set


@pytest.mark.parametrize("name", sorted(QUESTION_FLOORS))
def test_question_set_is_well_formed(name: str) -> None:
    """Enough questions of each kind, every gold passage exists, and every gold sentence is in
    a best-graded passage (so a renumbered corpus cannot silently break the set)."""
    questions = load_question_set(TESTS / name)
    answerable = [q for q in questions if not q.unanswerable]
    assert len(answerable) >= (40 if name == "questions.yaml" else 25)
    assert len(questions) - len(answerable) >= 10
    corpus = load_corpus(load_settings(REPO / "config.yaml").corpus)
    texts = {passage_id(p.article.id, p.paragraph): p.text for p in corpus.passages}
    for q in answerable:
        best = max(g.grade for g in q.answers)
        for gold in q.answers:
            if gold.contains is None:
                pid = passage_id(gold.article or "", gold.paragraph or 0)
                assert pid in texts, f"{q.id}: no passage {pid}"
            else:
                assert any(contains_phrase(t, gold.contains) for t in texts.values()), q.id
        if q.sentence:
            best_texts = [
                texts[passage_id(g.article or "", g.paragraph or 0)]
                for g in q.answers
                if g.grade == best and g.contains is None
            ]
            assert any(contains_phrase(t, q.sentence) for t in best_texts), q.id


@pytest.fixture(scope="module")
def figures() -> dict[str, dict]:
    return {name: eval_json(str(TESTS / name)) for name in QUESTION_FLOORS}


@pytest.mark.parametrize(
    ("name", "metric"),
    [(name, metric) for name, floors in QUESTION_FLOORS.items() for metric in floors],
)
def test_question_set_floor(figures: dict[str, dict], name: str, metric: str) -> None:
    value, floor = figures[name][metric], QUESTION_FLOORS[name][metric]
    assert value >= floor, (
        f"{name}: {metric} fell to {value:.3f} (floor {floor}); "
        f"run `python -m bot eval tests/{name}` to see the misses"
    )


@pytest.mark.parametrize("name", sorted(QUESTION_FLOORS))
def test_question_set_false_refusals(figures: dict[str, dict], name: str) -> None:
    assert figures[name]["false_refusals"] <= MAX_FALSE_REFUSALS[name]


# --------------------------------------------------------------------------- public collections


def _converter():
    spec = importlib.util.spec_from_file_location(
        "bench_ir_convert", REPO / "bench" / "ir_convert.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ir_convert = _converter()
SHARED = ir_convert.default_data_dir()


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared IR collections not present")
@pytest.mark.parametrize("name", sorted(COLLECTION_FLOORS))
def test_collection_floor(name: str, tmp_path: Path) -> None:
    ir_convert.write_collection(ir_convert.READERS[name](SHARED / name), tmp_path)
    figures = eval_json(
        "--corpus", str(tmp_path / "docs.jsonl"),
        "--queries", str(tmp_path / "queries.jsonl"),
        "--qrels", str(tmp_path / "qrels.txt"),
    )  # fmt: skip
    map_floor, ndcg_floor = COLLECTION_FLOORS[name]
    assert figures["queries"] == {"vaswani": 93, "cranfield": 225}[name]
    assert figures["map"] >= map_floor, f"{name} MAP {figures['map']:.4f} < {map_floor}"
    assert figures["ndcg@10"] >= ndcg_floor, f"{name} nDCG@10 {figures['ndcg@10']:.4f}"


@pytest.mark.parametrize(("name", "metric"), [(n, m) for n, f in RANKING_FLOORS.items() for m in f])
def test_ranking_floor(figures: dict[str, dict], name: str, metric: str) -> None:
    value, floor = figures[name]["retrieval"][metric], RANKING_FLOORS[name][metric]
    assert value >= floor, f"{name}: ranking {metric} fell to {value:.3f} (floor {floor})"


# --------------------------------------------------------------------------- SQuAD dev split

QA_DATA = SHARED.parent / "qa" / "squad2-dev-5articles.json"

#: The development split (base install): answerable questions of the first two articles on the
#: 5-article corpus, and the off-topic mirrors (each corpus's questions asked of the other).
DEV_FLOORS = {"hit@1": 0.77, "quote_precision": 0.50}
#: At most 1% of the 293 answerable dev questions may be refused.
DEV_MAX_FALSE_REFUSALS = 2
#: Share of off-topic questions refused. The issue asks 99% both ways; the base install's
#: lexical rule reaches it one way only (290 of 293; talks->SQuAD 37 of 51: short questions that
#: share a common word with Wikipedia), the [semantic] one both (SEMANTIC_OFFTOPIC_FLOOR).
OFFTOPIC_FLOORS = {"offtopic-squad-on-talks.yaml": 0.985, "offtopic-talks-on-squad.yaml": 0.70}
SEMANTIC_OFFTOPIC_FLOOR = 0.99
#: With [semantic]: hit@1 floors and the most answerable questions refused (1%).
SEMANTIC_FLOORS = {"questions.yaml": 0.90, "dev.yaml": 0.80}
SEMANTIC_MAX_FALSE_REFUSALS = {"questions.yaml": 0, "dev.yaml": 2}


@pytest.fixture(scope="module")
def squad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQuAD corpus and question sets, written by bench/squad_corpus.py."""
    if not QA_DATA.is_file():
        pytest.skip("shared SQuAD data not present")
    from bench import squad_corpus

    out = tmp_path_factory.mktemp("squad")
    assert squad_corpus.main(["--source", str(QA_DATA), "--out", str(out)]) == 0
    return out


def _on(squad: Path, name: str) -> list[str]:
    """The question set's path and, for sets asked of the SQuAD corpus, that corpus."""
    talks = name in ("questions.yaml", "offtopic-squad-on-talks.yaml")
    path = TESTS / name if name == "questions.yaml" else squad / name
    return [str(path)] if talks else [str(path), "--set", f"corpus.path={squad / 'corpus'}"]


@pytest.fixture(scope="module")
def dev(squad: Path) -> dict:
    return eval_json(*_on(squad, "dev.yaml"))


@pytest.mark.parametrize("metric", sorted(DEV_FLOORS))
def test_dev_split_floor(dev: dict, metric: str) -> None:
    assert dev["answerable"] == 293
    assert dev[metric] >= DEV_FLOORS[metric], f"SQuAD dev {metric} fell to {dev[metric]:.3f}"


def test_dev_split_false_refusals(dev: dict) -> None:
    assert dev["false_refusals"] <= DEV_MAX_FALSE_REFUSALS


@pytest.mark.parametrize("name", sorted(OFFTOPIC_FLOORS))
def test_off_topic_questions_are_refused(squad: Path, name: str) -> None:
    figures = eval_json(*_on(squad, name))
    assert figures["answerable"] == 0
    assert figures["refusal_recall"] >= OFFTOPIC_FLOORS[name]


# --------------------------------------------------------------------------- [semantic]


@pytest.fixture(scope="module")
def semantic_on():
    """Semantic re-ranking on for these tests (the suite turns it off, tests/conftest.py)."""
    from bot.answer.semantic import OFF_SWITCH, available

    if not available():
        pytest.skip("pip install 'talks-bot[semantic]'")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(OFF_SWITCH, raising=False)
        yield


@pytest.mark.parametrize("name", sorted(SEMANTIC_FLOORS))
def test_semantic_floor(semantic_on: None, squad: Path, name: str) -> None:
    figures = eval_json(*_on(squad, name), "--set", "semantic.enabled=true")
    assert figures["hit@1"] >= SEMANTIC_FLOORS[name], f"{name}: hit@1 {figures['hit@1']:.3f}"
    assert figures["false_refusals"] <= SEMANTIC_MAX_FALSE_REFUSALS[name]


@pytest.mark.parametrize("name", sorted(OFFTOPIC_FLOORS))
def test_semantic_refuses_off_topic_questions(semantic_on: None, squad: Path, name: str) -> None:
    figures = eval_json(*_on(squad, name), "--set", "semantic.enabled=true")
    assert figures["refusal_recall"] >= SEMANTIC_OFFTOPIC_FLOOR, name
