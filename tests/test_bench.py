"""The benchmark: a reproducible synthetic corpus and the report's shape (no timing assertions)."""

from __future__ import annotations

import asyncio
import io
import json

from bot.cli.main import main
from bot.quality.bench import BenchResult, format_table
from bot.quality.bench_worker import loop_lag
from bot.quality.synthetic import FUNCTION_WORDS, pseudo_word, synthetic_corpus, synthetic_questions

REQUIRED = {"engine", "passages", "build_s", "warm_start_s", "p50_ms", "p95_ms", "peak_rss_mib"}


def test_synthetic_corpus_is_reproducible_and_sized() -> None:
    a, b = synthetic_corpus(500, seed=3), synthetic_corpus(500, seed=3)
    assert len(a.passages) == 500
    assert [p.text for p in a.passages] == [p.text for p in b.passages]
    assert [p.text for p in synthetic_corpus(500, seed=4).passages] != [p.text for p in a.passages]
    lengths = sorted(len(p.text.split()) for p in a.passages)
    assert lengths[0] >= 8 and lengths[-1] <= 200
    assert 25 <= lengths[len(lengths) // 2] <= 60  # news-paragraph lengths
    words = [w.strip(".").lower() for p in a.passages for w in p.text.split()]
    assert words.count("the") > words.count("of") > words.count("three")  # Zipf head


def test_pseudo_words_are_unique() -> None:
    words = [pseudo_word(r) for r in range(20_000)]
    assert len(set(words)) == len(words)
    assert words[: len(FUNCTION_WORDS)] == list(FUNCTION_WORDS)


def test_questions_are_reproducible() -> None:
    corpus = synthetic_corpus(300)
    assert synthetic_questions(corpus, 20) == synthetic_questions(corpus, 20)
    assert len(synthetic_questions(corpus, 20)) == 20


def test_loop_lag_measures_a_stream_of_questions() -> None:
    asked = []
    result = asyncio.run(loop_lag(asked.append, ["a", "b"], rate=40, seconds=0.25))
    assert len(asked) == 10
    assert set(result) == {"loop_lag_p99_ms", "loop_lag_max_ms", "loop_answer_p95_ms"}


def test_table_has_a_row_per_result() -> None:
    result = BenchResult("tantivy", 1000, 1.0, 0.1, 1.0, 2.0, 100.0, 120.0, 10, 9, 0.2)
    table = format_table([result, result])
    assert table.count("\n") == 4
    assert "loop lag" not in table  # not measured, not shown


def test_bench_command_prints_one_json_object_per_engine() -> None:
    out = io.StringIO()
    argv = ["bench", "--passages", "300", "--questions", "5", "--json", "--adds", "2"]
    assert main(argv, stdout=out) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["engine"] for r in rows] == ["naive-rank-bm25", "rank-bm25", "tantivy"]
    for row in rows:
        assert set(row) >= REQUIRED
        assert row["passages"] == 300 and row["error"] is None
        assert row["add_ms"] is not None and row["add_answerable"] is True  # new article found
    assert rows[0]["warm_start_s"] is None  # nothing persisted for the anchor
    assert rows[0]["p95_nospell_ms"] is None  # the anchor has no spelling correction
    assert all(row["p95_nospell_ms"] is not None for row in rows[1:])


def test_bench_on_the_configured_corpus() -> None:
    out = io.StringIO()
    argv = ["bench", "--configured-corpus", "--engines", "tantivy", "--questions", "5"]
    assert main(argv, stdout=out) == 0
    assert "| tantivy | 23 " in out.getvalue()
