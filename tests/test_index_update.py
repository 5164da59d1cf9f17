"""Incremental index updates: adding, changing or deleting an article updates the engines without
re-analysing or re-indexing the rest, corpus-wide statistics stay exact, and a killed update
leaves an index that opens, answers and is completed on the next start."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.answer.answerer import Answer, Answerer
from bot.config.settings import Settings
from bot.corpus.copies import find_copies
from bot.corpus.loader import load_corpus
from bot.index import copy_groups
from bot.index import store as store_module
from bot.index.persisted import check_dir
from bot.index.store import Indexed, IndexStore
from bot.index.tantivy_index import CRASH_TEST_ENV, JOURNAL
from tests.indexing import REPO, copy_corpus, index_settings

COMET = """---
title: "Quibbleflux comet seen over Plimvale"
source: The Nebular Tribune
date: 2033-12-01
---
Astronomers in Plimvale watched the Quibbleflux comet cross the northern sky for six nights.

The comet's green tail was longest on the fourth night, the Plimvale observatory said.
"""
QUESTIONS = [
    "Where was the Zorblax Accord signed?",
    "how many moonstone crates can each side extract",
    "why was the ferry closed",
    "what did the duke say in his harvest speech",
    "what is the capital of France",
]


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return copy_corpus(tmp_path)


def _settings(tmp_path: Path, corpus_dir: Path, engine: str = "tantivy", *more: str) -> Settings:
    # k1 and b as tantivy has them, so a fresh build scores exactly the same
    same_bm25 = ("retrieval.k1=1.2", "retrieval.b=0.75")
    return index_settings(tmp_path, corpus_dir, f"retrieval.engine={engine}", *same_bm25, *more)


def _sync(store: IndexStore, settings: Settings) -> tuple[Indexed, Answerer]:
    indexed = store.sync(load_corpus(settings.corpus))
    answerer = Answerer(
        settings, indexed.corpus, store.analyzer, indexed.engine, copies=indexed.copies
    )
    return indexed, answerer


def _fresh(tmp_path: Path, settings: Settings) -> tuple[Indexed, Answerer]:
    """The same corpus indexed from nothing, in memory: what an update must equal."""
    fresh = settings.model_copy(update={"cache_dir": tmp_path / "fresh"})
    return _sync(IndexStore(fresh, persist=False), fresh)


def _shown(answer: Answer) -> list[tuple[str, float]]:
    return [(p.passage.id, round(p.score, 3)) for p in answer.passages]


def _segments(settings: Settings, store: IndexStore) -> set[str]:
    directory = Path(settings.cache_dir) / "index" / "tantivy" / store.index_key()
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    return {s["segment_id"] for s in meta["segments"]}


@pytest.mark.parametrize("engine", ["tantivy", "rank-bm25"])
def test_adding_an_article_updates_the_engine(
    tmp_path: Path, corpus_dir: Path, engine: str
) -> None:
    settings = _settings(tmp_path, corpus_dir, engine)
    store = IndexStore(settings)
    _sync(store, settings)
    before = _segments(settings, store) if engine == "tantivy" else set()
    (corpus_dir / "08_comet.md").write_text(COMET, encoding="utf-8")
    indexed, answerer = _sync(store, settings)
    report = indexed.report
    assert report.how == "updated" and report.changes is not None
    assert report.changes.added == ("08_comet",) and report.analysed_articles == 1
    answer = answerer.answer("which comet was seen over Plimvale")
    assert answer.passages[0].article.id == "08_comet"
    _, fresh = _fresh(tmp_path, settings)
    for question in [*QUESTIONS, "which comet was seen over Plimvale"]:
        assert _shown(answerer.answer(question)) == _shown(fresh.answer(question)), question
    if engine == "tantivy":
        assert before <= _segments(settings, store)  # the rest was not re-indexed


def test_a_deleted_article_leaves_no_trace_in_the_statistics(
    tmp_path: Path, corpus_dir: Path
) -> None:
    """tantivy keeps deleted passages in its term statistics until a merge; what the answer
    layer reads (document frequencies, the vocabulary) is exact all the same."""
    (corpus_dir / "08_comet.md").write_text(COMET, encoding="utf-8")
    settings = _settings(tmp_path, corpus_dir)
    store = IndexStore(settings)
    first, _ = _sync(store, settings)
    assert first.engine.doc_freq("quibbleflux") == 1
    (corpus_dir / "08_comet.md").unlink()
    indexed, answerer = _sync(store, settings)
    assert indexed.report.changes is not None
    assert indexed.report.changes.removed == ("08_comet",)
    assert indexed.report.how == "updated" and indexed.report.analysed_articles == 0
    fresh, _ = _fresh(tmp_path, settings)
    assert "quibbleflux" not in indexed.engine.vocabulary()
    assert dict(indexed.engine.vocabulary()) == dict(fresh.engine.vocabulary())
    for term in [*fresh.engine.vocabulary(), "plimval", "comet", "quibbleflux"]:
        assert indexed.engine.doc_freq(term) == fresh.engine.doc_freq(term), term
    answer = answerer.answer("which comet was seen over Plimvale")
    assert all(item.article.id != "08_comet" for item in answer.passages)
    assert all("quibbleflux" not in item.passage.text.lower() for item in answer.passages)
    assert len(indexed.engine) == len(fresh.engine)


def test_changes_made_while_stopped_are_applied_on_start(tmp_path: Path, corpus_dir: Path) -> None:
    settings = _settings(tmp_path, corpus_dir)
    _sync(IndexStore(settings), settings)
    (corpus_dir / "08_comet.md").write_text(COMET, encoding="utf-8")
    (corpus_dir / "06_festival.md").unlink()
    indexed, _ = _sync(IndexStore(settings), settings)  # a restart
    assert indexed.report.changes is not None
    assert indexed.report.changes.describe() == "1 added, 1 removed"
    again, _ = _sync(IndexStore(settings), settings)
    assert again.report.how == "opened" and again.report.analysed_articles == 0


def test_an_update_by_another_process_is_seen(tmp_path: Path, corpus_dir: Path) -> None:
    """Two stores over one cache (a bot and a CLI command): the one that did not update
    reopens the index; its old engine still answers the questions already asked of it."""
    settings = _settings(tmp_path, corpus_dir)
    bot = IndexStore(settings)
    _, old_answerer = _sync(bot, settings)
    expected = _shown(old_answerer.answer(QUESTIONS[0]))
    (corpus_dir / "08_comet.md").write_text(COMET, encoding="utf-8")
    _sync(IndexStore(settings), settings)  # the other process
    indexed, answerer = _sync(bot, settings)
    assert indexed.report.how == "opened"
    assert answerer.answer("which comet was seen over Plimvale").answered
    assert _shown(old_answerer.answer(QUESTIONS[0])) == expected


def test_deleted_passages_piling_up_rebuild_from_the_analyses(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, corpus_dir)
    store = IndexStore(settings)
    _sync(store, settings)
    monkeypatch.setattr(store_module, "COMPACT_SHARE", 0.0)
    (corpus_dir / "06_festival.md").unlink()
    indexed, answerer = _sync(store, settings)
    assert indexed.report.how == "built" and indexed.report.analysed_articles == 0
    assert answerer.answer(QUESTIONS[0]).answered


def test_copy_groups_follow_the_corpus(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding a reprint groups it with its original by comparing only its passages; deleting
    it dissolves the group. Both equal grouping the whole corpus from scratch."""
    monkeypatch.setattr(copy_groups, "SMALL_CORPUS", 0)
    calls: list[int] = []
    real = find_copies

    def counting(passages, settings):  # type: ignore[no-untyped-def]
        calls.append(len(passages))
        return real(passages, settings)

    monkeypatch.setattr("bot.corpus.copies.find_copies", counting)
    settings = _settings(tmp_path, corpus_dir, "tantivy", "collapse.enabled=true")
    store = IndexStore(settings)
    first, _ = _sync(store, settings)
    assert first.copies.groups == ()
    reprint = (corpus_dir / "07_weather.md").read_text(encoding="utf-8").replace("Fog", "Mist")
    (corpus_dir / "08_reprint.md").write_text(reprint, encoding="utf-8")
    calls.clear()
    indexed, _ = _sync(store, settings)
    assert indexed.copies.groups
    assert max(calls) < len(indexed.corpus.passages)  # never the whole corpus
    assert indexed.copies.groups == real(indexed.corpus.passages, settings.collapse).groups
    (corpus_dir / "08_reprint.md").unlink()
    indexed, _ = _sync(store, settings)
    assert indexed.copies.groups == ()


# --------------------------------------------------------------------------- killed updates

_UPDATE = textwrap.dedent(
    """
    import sys
    from bot.config.settings import load_settings
    from bot.corpus.loader import load_corpus
    from bot.index.store import IndexStore

    settings = load_settings(sys.argv[1], sys.argv[2:])
    IndexStore(settings).sync(load_corpus(settings.corpus))
    """
)


@pytest.mark.parametrize("stage", ["before-commit", "after-commit"])
def test_a_killed_update_is_completed_on_the_next_start(
    tmp_path: Path, corpus_dir: Path, stage: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path, corpus_dir)
    store = IndexStore(settings)
    _sync(store, settings)
    (corpus_dir / "08_comet.md").write_text(COMET, encoding="utf-8")
    marker = tmp_path / "paused"
    overrides = [
        f"corpus.path={corpus_dir}",
        f"cache_dir={settings.cache_dir}",
        "retrieval.engine=tantivy",
        "retrieval.k1=1.2",
        "retrieval.b=0.75",
    ]
    proc = subprocess.Popen(
        [sys.executable, "-c", _UPDATE, str(REPO / "config.yaml"), *overrides],
        cwd=REPO,
        env={**os.environ, CRASH_TEST_ENV: f"{stage}:{marker}"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), proc.stderr.read() if proc.stderr else ""
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    directory = Path(settings.cache_dir) / "index" / "tantivy" / store.index_key()
    assert (directory / JOURNAL).exists()  # killed half-way
    with caplog.at_level(logging.WARNING, logger="bot.index"):
        indexed, answerer = _sync(IndexStore(settings), settings)  # the next start
    assert "unusable" not in caplog.text  # repaired or completed, not rebuilt
    assert indexed.report.how == ("updated" if stage == "before-commit" else "opened")
    assert not (directory / JOURNAL).exists()
    assert check_dir(directory, directory.name) is None
    _, fresh = _fresh(tmp_path, settings)
    for question in [*QUESTIONS, "which comet was seen over Plimvale"]:
        assert _shown(answerer.answer(question)) == _shown(fresh.answer(question)), question
