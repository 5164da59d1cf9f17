"""bench/squad_corpus.py: a SQuAD file becomes a corpus the bot loads and question sets it reads.

The SQuAD fixture is made up (and looks it); the real file is only used by the benchmark.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import squad_corpus
from bot.config.settings import load_settings
from bot.corpus.loader import load_corpus
from bot.quality.evaluation import load_question_set, question_qrels

CONTEXTS = {
    "Zorblatt_(Teapot)": [
        "The zorblatt teapot was first glazed by the imaginary Glimwick guild in the year 3021.",
        "Zorblatt spouts are bent, according to nobody in particular.",
        "Glimwick potters fire each zorblatt twice,\nonce at dawn and once at dusk.",
    ],
    "Quillfen Marshes": [
        "The Quillfen Marshes are a pretend wetland where snorple birds nest in purple reeds.",
    ],
    "Third Pretend Article": [
        "Nobody asks questions about this invented paragraph of placeholder text.",
    ],
}


def _qa(qid: str, question: str, answer: str | None) -> dict:
    answers = [] if answer is None else [{"text": answer, "answer_start": 0}]
    return {"id": qid, "question": question, "answers": answers, "is_impossible": answer is None}


QAS = {
    ("Zorblatt_(Teapot)", 0): [
        _qa("z1", "Who first glazed the zorblatt  teapot?", "Glimwick guild"),
        _qa("z2", "Who last glazed the zorblatt teapot?", None),
    ],
    ("Zorblatt_(Teapot)", 2): [_qa("z3", "How often is a zorblatt fired?", "twice")],
    ("Quillfen Marshes", 0): [_qa("q1", "Where do snorple birds nest?", "in purple reeds")],
}

TALKS = """\
article: 000_madeup
questions:
  - id: gizmo-colour
    q: what colour is the gizmo
    answers: [{paragraph: 1}]
  - q: who won the imaginary cup
    unanswerable: true
"""


@pytest.fixture
def source(tmp_path: Path) -> Path:
    data = {
        "version": "v2.0",
        "data": [
            {
                "title": title,
                "paragraphs": [
                    {"context": context, "qas": QAS.get((title, n), [])}
                    for n, context in enumerate(contexts)
                ],
            }
            for title, contexts in CONTEXTS.items()
        ],
    }
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _run(source: Path, out: Path, *extra: str) -> int:
    talks = source.parent / "talks.yaml"
    talks.write_text(TALKS, encoding="utf-8")
    argv = ["--source", str(source), "--out", str(out), "--talks-questions", str(talks)]
    return squad_corpus.main([*argv, *extra])


def test_corpus_paragraph_n_is_the_nth_context(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(source, out) == 0
    settings = load_settings(None, [f"corpus.path={out / 'corpus'}"])
    corpus = load_corpus(settings.corpus)
    assert not corpus.warnings
    by_id = {a.id: a for a in corpus.articles}
    assert set(by_id) == {"zorblatt_teapot", "quillfen_marshes", "third_pretend_article"}
    assert by_id["zorblatt_teapot"].title == "Zorblatt (Teapot)"
    assert {a.source for a in corpus.articles} == {"Wikipedia"}
    texts = [p.text for p in corpus.passages_of("zorblatt_teapot")]
    assert texts == [
        CONTEXTS["Zorblatt_(Teapot)"][0],
        CONTEXTS["Zorblatt_(Teapot)"][1],
        "Glimwick potters fire each zorblatt twice, once at dawn and once at dusk.",
    ]
    assert [p.paragraph for p in corpus.passages_of("zorblatt_teapot")] == [1, 2, 3]


def test_question_sets_resolve_against_the_corpus(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(source, out, "--dev-articles", "2")
    corpus = load_corpus(load_settings(None, [f"corpus.path={out / 'corpus'}"]).corpus)
    dev = load_question_set(out / "dev.yaml")
    assert [(q.id, q.q, q.sentence) for q in dev] == [
        ("z1", "Who first glazed the zorblatt teapot?", "Glimwick guild"),
        ("z3", "How often is a zorblatt fired?", "twice"),
        ("q1", "Where do snorple birds nest?", "in purple reeds"),
    ]
    passages = [(p.article.id, p.paragraph, p.text) for p in corpus.passages]
    qrels = question_qrels(dev, passages)
    assert qrels == {
        "z1": {"zorblatt_teapot#1": 1},
        "z3": {"zorblatt_teapot#3": 1},
        "q1": {"quillfen_marshes#1": 1},
    }
    impossible = load_question_set(out / "dev-impossible.yaml")
    assert [(q.id, q.unanswerable) for q in impossible] == [("z2", True)]


def test_off_topic_sets_are_unanswerable_both_ways(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(source, out, "--dev-articles", "1")
    talks_on_squad = load_question_set(out / "offtopic-talks-on-squad.yaml")
    assert [(q.id, q.q, q.unanswerable) for q in talks_on_squad] == [
        ("talks-gizmo-colour", "what colour is the gizmo", True)
    ]
    squad_on_talks = load_question_set(out / "offtopic-squad-on-talks.yaml")
    assert [(q.id, q.unanswerable) for q in squad_on_talks] == [("z1", True), ("z3", True)]


def test_output_is_deterministic_and_stale_articles_go(source: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    (second / "corpus").mkdir(parents=True)
    (second / "corpus" / "stale_article.md").write_text("left from an older run\n")
    _run(source, first)
    _run(source, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes()


def test_context_the_bot_would_not_number_is_an_error(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(source.read_text(encoding="utf-8"))
    data["data"][0]["paragraphs"][1]["context"] = "ZORBLATT TEAPOTS"  # reads as a heading
    source.write_text(json.dumps(data), encoding="utf-8")
    assert _run(source, tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "zorblatt_teapot.md: the bot reads 2 paragraphs where SQuAD has 3" in err
    assert "paragraph 2" in err


def test_bad_source_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": "v2.0"}', encoding="utf-8")
    assert _run(bad, tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'data' list" in err
    assert not (tmp_path / "out").exists()
