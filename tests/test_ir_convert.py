"""Tests for bench/ir_convert.py: the Vaswani and Cranfield converters."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_converter():
    # bench/ is not an installed package; load it by path so plain `pytest` works too.
    spec = importlib.util.spec_from_file_location(
        "bench_ir_convert", ROOT / "bench" / "ir_convert.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ir_convert = _load_converter()

VASWANI_DOCS = """<DOC>
<DOCNO>1</DOCNO>
zorblat capacitors hum  a gloopy
flux of wibbles is described
</DOC>
<DOC>
<DOCNO>2</DOCNO>
plinth oscillators for the moon cheese
</DOC>
<DOC>
<DOCNO>10</DOCNO>
quibble theory of snorkel waves
</DOC>
"""

VASWANI_TOPICS = """<top>
<num>1</num><title>
ZORBLAT CAPACITORS
</title>
</top>
<top>
<num>2</num><title>
SNORKEL WAVES IN MOON CHEESE
</title>
</top>
"""

VASWANI_QRELS = "1 0 1 1\n2 0 2 1\n2 0 10 1\n"

# Cranfield style, with the source's CRLF line ends, a stray marker inside an abstract,
# an empty record, query ids that skip numbers and a -1 judgement.
CRAN_DOCS = (
    ".I 1\n.T\nwobbly jelly wings .\n.A\nfrobisher, q.\n.B\nj. jelly sci. 1, 1901, 2.\n.W\n"
    "wobbly jelly wings .\n  the jelly wing wobbles at all\nspeeds of custard .\n"
    ".I 2\n.T\ncustard flow over a spoon .\n.A\n.B\n.W\ncustard flow over a spoon .\n"
    "the spoon is bent .\n.A\nthis line belongs to the abstract .\n"
    ".I 3\n.T\n.A\n.B\n.W\n"
).replace("\n", "\r\n")

CRAN_QUERIES = (
    ".I 001\n.W\nhow do jelly wings\nwobble .\n.I 004\n.W\nwhat bends a spoon .\n"
).replace("\n", "\r\n")

CRAN_QRELS = "1 1 1 \r\n1 2 4 \r\n2 2 2 \r\n2 3 -1 \r\n"


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    vaswani = tmp_path / "vaswani"
    (vaswani / "corpus").mkdir(parents=True)
    (vaswani / "corpus" / "doc-text.trec").write_text(VASWANI_DOCS)
    (vaswani / "query-text.trec").write_text(VASWANI_TOPICS)
    (vaswani / "qrels").write_text(VASWANI_QRELS)
    cran = tmp_path / "cranfield"
    cran.mkdir()
    (cran / "cran.all.1400").write_bytes(CRAN_DOCS.encode())
    (cran / "cran.qry").write_bytes(CRAN_QUERIES.encode())
    (cran / "cranqrel").write_bytes(CRAN_QRELS.encode())
    return tmp_path


def test_read_vaswani(data_dir: Path) -> None:
    collection = ir_convert.read_vaswani(data_dir / "vaswani")
    assert collection.docs == [
        {"id": "1", "text": "zorblat capacitors hum a gloopy flux of wibbles is described"},
        {"id": "2", "text": "plinth oscillators for the moon cheese"},
        {"id": "10", "text": "quibble theory of snorkel waves"},
    ]
    assert collection.queries == [
        {"id": "1", "text": "ZORBLAT CAPACITORS"},
        {"id": "2", "text": "SNORKEL WAVES IN MOON CHEESE"},
    ]
    assert collection.qrels == {"1": {"1": 1}, "2": {"2": 1, "10": 1}}


def test_read_cranfield_titles_positions_and_grades(data_dir: Path) -> None:
    collection = ir_convert.read_cranfield(data_dir / "cranfield")
    first, second, empty = collection.docs
    assert first == {
        "id": "1",
        "title": "wobbly jelly wings .",
        "text": "wobbly jelly wings . the jelly wing wobbles at all speeds of custard .",
    }
    # A stray ".A" inside the abstract does not start an author field: its text stays.
    assert second["text"].endswith("the spoon is bent . this line belongs to the abstract .")
    assert empty == {"id": "3", "text": ""}
    # Queries are numbered by position (1, 2), not by their .I ids (001, 004).
    assert collection.queries == [
        {"id": "1", "text": "how do jelly wings wobble ."},
        {"id": "2", "text": "what bends a spoon ."},
    ]
    # grade = 5 - code; -1 dropped.
    assert collection.qrels == {"1": {"1": 4, "2": 1}, "2": {"2": 3}}


def test_cli_writes_the_three_files(data_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    status = ir_convert.main(["cranfield", "--data", str(data_dir), "--out", str(out)])
    assert status == 0
    assert "2 queries" in capsys.readouterr().out
    docs = [json.loads(line) for line in (out / "docs.jsonl").read_text().splitlines()]
    queries = [json.loads(line) for line in (out / "queries.jsonl").read_text().splitlines()]
    assert [d["id"] for d in docs] == ["1", "2", "3"]
    assert queries[1] == {"id": "2", "text": "what bends a spoon ."}
    assert (out / "qrels.txt").read_text().splitlines() == ["1 0 1 4", "1 0 2 1", "2 0 2 3"]


def test_cli_reports_missing_files(tmp_path: Path, capsys) -> None:
    status = ir_convert.main(["vaswani", "--data", str(tmp_path), "--out", str(tmp_path / "o")])
    assert status == 1
    assert "missing file" in capsys.readouterr().err


def test_script_runs_standalone(data_dir: Path, tmp_path: Path) -> None:
    import subprocess

    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "ir_convert.py"),
            "vaswani",
            "--data",
            str(data_dir),
            "--out",
            str(tmp_path / "v"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "v" / "qrels.txt").read_text() == VASWANI_QRELS


SHARED = ir_convert.default_data_dir()


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared IR data not present")
@pytest.mark.parametrize(
    ("name", "docs", "queries", "judged_queries"),
    [("vaswani", 11429, 93, 93), ("cranfield", 1400, 225, 225)],
)
def test_real_collections_counts(name: str, docs: int, queries: int, judged_queries: int) -> None:
    collection = ir_convert.READERS[name](SHARED / name)
    assert len(collection.docs) == docs
    assert len({d["id"] for d in collection.docs}) == docs
    assert len(collection.queries) == queries
    assert len(collection.qrels) == judged_queries
    doc_ids = {d["id"] for d in collection.docs}
    query_ids = {q["id"] for q in collection.queries}
    assert set(collection.qrels) <= query_ids
    assert all(set(judged) <= doc_ids for judged in collection.qrels.values())
    assert all(1 <= g <= 4 for judged in collection.qrels.values() for g in judged.values())
