"""End-to-end tests of ``python -m bot eval`` over the invented corpus and a tiny collection."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.quality.variants import ABLATION, Variant, parse_compare

REPO = Path(__file__).resolve().parent.parent
INVENTED = REPO / "tests" / "fixtures" / "invented"
ON_INVENTED = ["--set", f"corpus.path={INVENTED}"]

QUESTIONS = """
questions:
  - id: where-signed
    q: where was the teapot treaty signed
    answers: [{article: 01_teapot_summit, paragraph: 1}]
    sentence: floating teahouse
  - id: how-many-teapots
    q: how many ceremonial teapots can each nation have
    answers: [{contains: "three ceremonial teapots"}]
  - id: spokesman
    q: who is the bureau spokesman
    answers: [{article: 02_kettle_dispute, paragraph: 3}]
    sentence: Bartholomew Quillfeather
  - id: hail-misled
    q: what fell on drizzleton
    answers: [{article: 01_teapot_summit, paragraph: 3}]
  - id: no-football
    q: who won the football final in Madrid
    unanswerable: true
  - id: no-goulash
    q: what is the recipe for goulash
    unanswerable: true
"""


def run_cli(*argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    err_capture = io.StringIO()
    import contextlib

    with contextlib.redirect_stderr(err_capture):
        status = main(list(argv), stdout=out)
    return status, out.getvalue(), err_capture.getvalue()


@pytest.fixture()
def question_file(tmp_path: Path) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(QUESTIONS)
    return path


def test_question_set_report(question_file: Path) -> None:
    status, out, _ = run_cli("eval", str(question_file), *ON_INVENTED)
    assert status == 0
    assert "4 answerable and 2 unanswerable" in out
    for label in ("hit@1", "hit@3", "MRR@10", "nDCG@10", "refusal precision", "refusal recall"):
        assert label in out
    assert "answer sentence" in out
    # The deliberately wrong gold ("hail" is in weather ¶1, not teapot ¶3) shows as a miss
    # with what came first instead.
    assert "Misses" in out
    miss = next(line for line in out.splitlines() if "what fell on drizzleton" in line)
    assert "wrong first passage" in miss and "01_teapot_summit¶3" in miss
    assert "05_weather¶1 Hailstones" in miss


def test_question_set_json(question_file: Path) -> None:
    status, out, _ = run_cli("eval", str(question_file), "--json", *ON_INVENTED)
    assert status == 0
    data = json.loads(out)
    assert data["questions"] == 6 and data["answerable"] == 4 and data["unanswerable"] == 2
    assert data["hit@1"] == pytest.approx(0.75)  # all but the wrong-gold question
    assert data["refusal_recall"] == 1.0 and data["refusal_precision"] == 1.0
    assert data["sentence_accuracy"] == 1.0
    assert [m["id"] for m in data["misses"]] == ["hail-misled"]
    assert data["misses"][0]["first"] == "05_weather#1"
    assert set(data["retrieval"]) == {"hit@1", "hit@3", "mrr@10", "ndcg@10"}
    assert data["unresolved"] == []


def test_unresolved_gold_is_a_warning_and_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "qs.yaml"
    path.write_text(
        "questions:\n"
        "  - {id: gone, q: teapot treaty, answers: [{article: 01_teapot_summit, paragraph: 9}]}\n"
        "  - {id: ok, q: floating teahouse on lake wobble, answers: [{contains: Lake Wobble}]}\n"
    )
    status, out, _ = run_cli("eval", str(path), *ON_INVENTED)
    assert status == 0
    assert "match no passage and count as misses: gone" in out
    assert "hit@1              0.500" in out


def test_global_and_local_set_both_apply(question_file: Path) -> None:
    # min_coverage=1.0 refuses more; given before or after "eval" it is the same run.
    before = run_cli(
        "--set", "answer.min_coverage=1.0", "eval", str(question_file), "--json", *ON_INVENTED
    )
    after = run_cli(
        "eval", str(question_file), "--json", *ON_INVENTED, "--set", "answer.min_coverage=1.0"
    )
    assert json.loads(before[1])["refused"] == json.loads(after[1])["refused"]
    assert json.loads(after[1])["set"][-1] == "answer.min_coverage=1.0"


def test_compare_and_ablation_tables(question_file: Path) -> None:
    status, out, _ = run_cli(
        "eval",
        str(question_file),
        *ON_INVENTED,
        "--compare",
        "strict: answer.min_coverage=1.0",
        "--ablation",
    )
    assert status == 0
    table = out[out.index("Comparison:") :].splitlines()
    names = [row.split("  ")[1].strip() for row in table[3:] if row.strip()]
    assert names[:2] == ["baseline", "strict"]
    assert names[2:] == [name for name, _ in ABLATION]
    status, out, _ = run_cli(
        "eval", str(question_file), "--json", *ON_INVENTED, "--compare", "k1: retrieval.k1=0.5"
    )
    runs = json.loads(out)["runs"]
    assert [r["name"] for r in runs] == ["baseline", "k1"]
    assert runs[1]["set"] == ["retrieval.k1=0.5"]


def test_parse_compare() -> None:
    assert parse_compare("no stem: analysis.stemmer=none, retrieval.k1=0.9") == Variant(
        "no stem", ("analysis.stemmer=none", "retrieval.k1=0.9")
    )
    # commas inside a value are kept; without a name the overrides name the row
    assert parse_compare("analysis.acronyms=[US, UN]") == Variant(
        "analysis.acronyms=[US, UN]", ("analysis.acronyms=[US, UN]",)
    )
    assert parse_compare("k1=0.9: retrieval.k1=0.9") == Variant("k1=0.9", ("retrieval.k1=0.9",))
    with pytest.raises(argparse.ArgumentTypeError):
        parse_compare("name: nothing")


@pytest.fixture()
def collection(tmp_path: Path) -> dict[str, Path]:
    docs = [
        {"id": "d1", "text": "the glorp engine hums at night", "title": "glorp engines"},
        {"id": "d2", "text": "a quiet wibble sleeps in the hay"},
        {"id": "d3", "text": "wibble farming and glorp repair manuals"},
        {"id": "d4", "text": "moon cheese ripens slowly", "title": "cheese"},
        {"id": "d5", "text": "nothing to see here at all"},
        {"id": "d6", "text": "hay bales for the wibble barn"},
    ]
    queries = [
        {"id": "1", "text": "GLORP ENGINE"},
        {"id": "2", "text": "wibble hay"},
        {"id": "3", "text": "unknown words only"},
    ]
    paths = {name: tmp_path / name for name in ("docs.jsonl", "queries.jsonl", "qrels.txt")}
    paths["docs.jsonl"].write_text("".join(json.dumps(d) + "\n" for d in docs))
    paths["queries.jsonl"].write_text("".join(json.dumps(q) + "\n" for q in queries))
    paths["qrels.txt"].write_text("1 0 d1 2\n1 0 d3 1\n2 0 d2 1\n2 0 d6 1\n3 0 d5 1\n")
    return paths


def _collection_args(paths: dict[str, Path]) -> list[str]:
    return [
        "eval",
        "--corpus",
        str(paths["docs.jsonl"]),
        "--queries",
        str(paths["queries.jsonl"]),
        "--qrels",
        str(paths["qrels.txt"]),
    ]


def test_collection_json_is_one_object(collection: dict[str, Path]) -> None:
    status, out, _ = run_cli(*_collection_args(collection), "--json")
    assert status == 0
    assert len(out.strip().splitlines()) == 1
    data = json.loads(out)
    assert {"map", "ndcg@10", "recall@100", "queries"} <= set(data)
    assert data["queries"] == 3
    # Queries 1 and 2 are ranked perfectly; query 3 matches nothing and counts 0.
    assert data["map"] == pytest.approx(2 / 3)
    assert data["recall@100"] == pytest.approx(2 / 3)


def test_collection_text_and_compare(collection: dict[str, Path]) -> None:
    status, out, _ = run_cli(
        *_collection_args(collection), "--compare", "no title: retrieval.title_weight=0"
    )
    assert status == 0
    assert "MAP" in out and "nDCG@10" in out and "recall@100" in out
    assert "no title" in out[out.index("Comparison:") :]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval"], "give a question set"),
        (["eval", "q.yaml", "--corpus", "d.jsonl"], "either a question set"),
        (["eval", "--corpus", "d.jsonl", "--queries", "q.jsonl"], "either a question set"),
        (["eval", "missing.yaml"], "not found"),
        (["eval", "tests/questions.yaml", "--set", "retrieval.k1=-3"], "retrieval.k1"),
    ],
)
def test_errors_are_one_line(argv: list[str], message: str) -> None:
    status, _, err = run_cli(*argv)
    assert status != 0
    assert message in err
    assert "Traceback" not in err


def test_eval_has_help() -> None:
    with pytest.raises(SystemExit) as exc:
        run_cli("eval", "--help")
    assert exc.value.code == 0
