"""The index store: persisted indexes and analysed passages are reused while valid, rebuilt when
the corpus or the analysis changes, and never served when damaged."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.corpus.loader import load_corpus
from bot.index.encoded import decode
from bot.index.engine import analyse_passages
from bot.index.persisted import MARKER, check_dir, persisted_dir
from bot.index.store import IndexStore
from tests.indexing import QUESTION, copy_corpus, index_settings, open_answerer

_settings = index_settings
_open = open_answerer


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return copy_corpus(tmp_path)


def _index_dirs(settings: Settings) -> list[Path]:
    root = Path(settings.cache_dir) / "index" / "tantivy"
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def test_restart_opens_instead_of_rebuilding(tmp_path: Path, corpus_dir: Path) -> None:
    settings = _settings(tmp_path, corpus_dir)
    first, store = _open(settings)
    assert store.last is not None and not store.last.opened
    assert store.last.analysed_articles == 7
    second, store = _open(settings)
    assert store.last is not None and store.last.opened
    assert store.last.analysed_articles == 0  # nothing re-analysed on a warm start
    assert second.answer(QUESTION).passages == first.answer(QUESTION).passages
    assert len(_index_dirs(settings)) == 1


def test_field_weights_need_no_rebuild(tmp_path: Path, corpus_dir: Path) -> None:
    _open(_settings(tmp_path, corpus_dir))
    _, store = _open(_settings(tmp_path, corpus_dir, "retrieval.title_weight=0.7"))
    assert store.last is not None and store.last.opened


def test_changed_article_updates_the_index_and_reanalyses_only_it(
    tmp_path: Path, corpus_dir: Path
) -> None:
    settings = _settings(tmp_path, corpus_dir)
    _open(settings)
    path = corpus_dir / "07_weather.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("three days", "nine days"), encoding="utf-8"
    )
    answerer, store = _open(settings)
    assert store.last is not None and store.last.how == "updated"
    assert store.last.changes is not None and store.last.changes.changed == ("07_weather",)
    assert (store.last.analysed_articles, store.last.reused_articles) == (1, 0)
    answer = answerer.answer("how long was the ferry crossing closed by fog")
    assert "nine days" in answer.passages[0].passage.text
    assert len(_index_dirs(settings)) == 1  # updated in place


def test_analysis_setting_change_rebuilds(tmp_path: Path, corpus_dir: Path) -> None:
    first_settings = _settings(tmp_path, corpus_dir)
    _open(first_settings)
    _, store = _open(_settings(tmp_path, corpus_dir, "analysis.stemmer=porter"))
    assert store.last is not None and not store.last.opened
    assert store.last.analysed_articles == 7


def test_rank_bm25_restart_does_not_reanalyse(tmp_path: Path, corpus_dir: Path) -> None:
    settings = _settings(tmp_path, corpus_dir, "retrieval.engine=rank-bm25")
    first, store = _open(settings)
    assert store.last is not None and store.last.analysed_articles == 7
    second, store = _open(settings)
    assert store.last is not None and store.last.analysed_articles == 0
    assert second.answer(QUESTION).passages == first.answer(QUESTION).passages


def test_no_persistence_writes_nothing(tmp_path: Path, corpus_dir: Path) -> None:
    settings = _settings(tmp_path, corpus_dir, "retrieval.persist=false")
    answerer, _ = _open(settings)
    assert answerer.answer(QUESTION).answered
    assert not (tmp_path / "cache").exists()


# --------------------------------------------------------------------------- damage


def _rewrite(path: Path, data: bytes) -> None:
    """Replace a file's content through a new inode: tantivy may still have the old one mapped
    in memory, and rewriting a mapped file in place would crash this process (SIGBUS)."""
    tmp = path.with_name(path.name + ".new")
    tmp.write_bytes(data)
    tmp.replace(path)


def _damage_largest_file(directory: Path) -> None:
    target = max(
        (p for p in directory.iterdir() if p.is_file() and p.name != MARKER),
        key=lambda p: p.stat().st_size,
    )
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    _rewrite(target, bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(_damage_largest_file, id="flipped-byte"),
        pytest.param(lambda d: (d / MARKER).unlink(), id="no-marker"),
        pytest.param(lambda d: _rewrite(d / MARKER, b"{not json"), id="bad-marker"),
        pytest.param(
            lambda d: _rewrite(next(p for p in d.iterdir() if p.name.endswith(".idx")), b""),
            id="truncated",
        ),
        pytest.param(lambda d: (d / "meta.json").unlink(), id="missing-file"),
    ],
)
def test_damaged_index_is_rebuilt_not_served(
    tmp_path: Path, corpus_dir: Path, damage, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path, corpus_dir)
    first, _ = _open(settings)
    expected = first.answer(QUESTION).passages
    (directory,) = _index_dirs(settings)
    damage(directory)
    with caplog.at_level(logging.WARNING, logger="bot.index"):
        answerer, store = _open(settings)
    assert store.last is not None and not store.last.opened
    assert "unusable" in caplog.text
    assert answerer.answer(QUESTION).passages == expected
    assert check_dir(directory, directory.name) is None


def test_interrupted_build_leaves_nothing_servable(tmp_path: Path) -> None:
    root = tmp_path / "root"

    def failing_build(path: Path) -> dict:
        (path / "half").write_text("half-written")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        persisted_dir(root, "k1", failing_build, validate=lambda _: None)
    assert not (root / "k1").exists()
    assert [p.name for p in root.iterdir()] == []  # the temporary directory went too

    def good_build(path: Path) -> dict:
        (path / "data").write_text("complete")
        return {"passages": 1}

    path, opened = persisted_dir(root, "k1", good_build, validate=lambda _: None)
    assert not opened
    assert json.loads((path / MARKER).read_text())["passages"] == 1
    path, opened = persisted_dir(root, "k1", good_build, validate=lambda _: None)
    assert opened


def test_marker_for_another_key_is_rejected(tmp_path: Path) -> None:
    root = tmp_path / "root"
    path, _ = persisted_dir(
        root, "k1", lambda p: (p / "x").write_text("x") and {}, validate=lambda _: None
    )
    assert check_dir(path, "k2") is not None


def test_corrupt_analysed_cache_is_ignored(
    tmp_path: Path, corpus_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A flipped byte inside an article's saved terms (still valid text, so only the row's
    checksum can tell) means one warning and a fresh cache, never wrong terms."""
    settings = _settings(tmp_path, corpus_dir, "retrieval.engine=rank-bm25")
    first, _ = _open(settings)
    (cache_path,) = (Path(settings.cache_dir) / "index").glob("analysed-*.sqlite")
    data = bytearray(cache_path.read_bytes())
    at = data.rindex(b"\x1f") + 1  # the first letter of a term
    data[at] ^= 0x01  # another letter
    _rewrite(cache_path, bytes(data))
    with caplog.at_level(logging.WARNING, logger="bot.index"):
        answerer, store = _open(settings)
    assert store.last is not None and store.last.analysed_articles >= 1
    assert len([r for r in caplog.records if "analysed passages" in r.getMessage()]) == 1
    assert answerer.answer(QUESTION).passages == first.answer(QUESTION).passages
    _, store = _open(settings)
    assert store.last is not None and store.last.analysed_articles == 0  # rebuilt


def test_old_indexes_are_pruned(tmp_path: Path, corpus_dir: Path) -> None:
    """One index per analysis setting; those of settings no longer used are pruned."""
    for stemmer in ("english", "porter", "none"):
        for acronyms in ("[US]", "[UN]"):
            settings = _settings(
                tmp_path, corpus_dir, f"analysis.stemmer={stemmer}", f"analysis.acronyms={acronyms}"
            )
            _open(settings)
    assert len(_index_dirs(settings)) == 3  # the current one and at most two older


def test_old_analysed_caches_are_pruned(tmp_path: Path, corpus_dir: Path) -> None:
    for stemmer in ("english", "porter", "none"):
        for acronyms in ("[US]", "[UN]"):
            settings = _settings(
                tmp_path,
                corpus_dir,
                "retrieval.engine=rank-bm25",
                f"analysis.stemmer={stemmer}",
                f"analysis.acronyms={acronyms}",
            )
            _open(settings)
    assert len(list((Path(settings.cache_dir) / "index").glob("analysed-*.sqlite"))) == 3


def test_parallel_analysis_gives_the_same_terms(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large jobs are analysed in forked workers; the terms are the same as in one process."""
    from bot.index import parallel
    from bot.index.keys import chunks
    from bot.index.parallel import analyse_parallel

    settings = _settings(tmp_path, corpus_dir)
    corpus = load_corpus(settings.corpus)
    analyzer = IndexStore(settings, persist=False).analyzer
    runs = chunks(corpus.passages)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    monkeypatch.setattr(parallel, "BATCH", 3)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    found = [
        doc for data in analyse_parallel(corpus.passages, analyzer, runs) for doc in decode(data)
    ]
    assert found == analyse_passages(corpus.passages, analyzer)


def test_copy_groups_are_reused_on_restart(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.corpus.copies

    calls = []
    real = bot.corpus.copies.find_copies

    def counting(passages, settings):  # type: ignore[no-untyped-def]
        calls.append(len(passages))
        return real(passages, settings)

    monkeypatch.setattr(bot.corpus.copies, "find_copies", counting)
    (corpus_dir / "08_copy.md").write_text(
        (corpus_dir / "07_weather.md").read_text(encoding="utf-8").replace("Fog", "Mist"),
        encoding="utf-8",
    )
    settings = _settings(tmp_path, corpus_dir, "collapse.enabled=true")
    first, _ = _open(settings)
    assert calls and first.copies.groups  # the copied article was found
    calls.clear()
    second, _ = _open(settings)
    assert calls == []
    assert second.copies.groups == first.copies.groups
    _open(_settings(tmp_path, corpus_dir, "collapse.enabled=true", "collapse.threshold=0.9"))
    assert calls  # other collapse settings: computed again


def test_engine_advice(settings: Settings) -> None:
    from bot.index.advice import TANTIVY_ADVISED_PASSAGES, engine_advice

    retrieval = settings.retrieval.model_copy(update={"engine": "rank-bm25"})
    assert engine_advice(retrieval, 23) == []
    (advice,) = engine_advice(retrieval, TANTIVY_ADVISED_PASSAGES)
    assert "retrieval.engine: tantivy" in advice
    tantivy = settings.retrieval.model_copy(update={"engine": "tantivy", "k1": 1.2, "b": 0.75})
    assert engine_advice(tantivy, 10**6) == []
    (advice,) = engine_advice(tantivy.model_copy(update={"k1": 0.9}), 10)
    assert "retrieval.k1=0.9" in advice


def test_check_recommends_tantivy_for_a_large_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from bot.cli import main as cli
    from bot.index import advice

    monkeypatch.setattr(advice, "TANTIVY_ADVISED_PASSAGES", 10)
    out = io.StringIO()
    assert cli.main(["--set", "retrieval.engine=rank-bm25", "check"], stdout=out) == 0
    assert "advice:     23 passages: rank-bm25 gets slow" in out.getvalue()


def test_index_without_a_current_field_is_rebuilt(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index written by a version with fewer fields is never served."""
    from bot.index import tantivy_writer

    settings = _settings(tmp_path, corpus_dir)
    with monkeypatch.context() as patch:
        patch.setattr(tantivy_writer, "FIELDS", ("body", "title"))
        IndexStore(settings).engine(load_corpus(settings.corpus))
    answerer, store = _open(settings)
    assert store.last is not None and not store.last.opened
    assert answerer.answer(QUESTION).answered


def test_large_builds_log_progress(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Off a terminal, progress is log lines (every 10 %); small jobs stay quiet."""
    import bot.progress as progress_module
    from bot.progress import counted

    monkeypatch.setattr(progress_module, "PROGRESS_MIN", 10)
    with caplog.at_level(logging.INFO, logger="bot.progress"):
        assert list(counted(range(5), total=5, desc="tiny")) == list(range(5))
        assert list(counted(range(100), total=100, desc="indexing")) == list(range(100))
    lines = [r.getMessage() for r in caplog.records]
    assert not any("tiny" in line for line in lines)
    assert len([line for line in lines if line.startswith("indexing: ")]) == 10
    assert lines[-1].startswith("indexing: 100/100 passages (100%)")


@pytest.mark.parametrize("engine", ["tantivy", "rank-bm25"])
def test_unwritable_cache_still_answers(
    tmp_path: Path, corpus_dir: Path, engine: str, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    settings = _settings(tmp_path, corpus_dir, f"retrieval.engine={engine}")
    with caplog.at_level(logging.WARNING):
        answerer, store = _open(settings)
    assert answerer.answer(QUESTION).answered
    assert "cannot" in caplog.text
    assert store.last is not None and not store.last.opened


def test_article_runs_follow_ids_not_objects() -> None:
    """A run is consecutive passages with one article id: two article objects with one id make
    one run, and an article whose passages are apart makes two."""
    from bot.corpus.model import Article, Passage
    from bot.index.keys import chunks

    zorp, zorp_again, quib = Article("zorp", "Zorp"), Article("zorp", "Zorp"), Article("quib", "Q")
    passages = [
        Passage(zorp, 1, "one"),
        Passage(zorp_again, 2, "two"),
        Passage(quib, 1, "three"),
        Passage(zorp, 3, "four"),
        Passage(zorp, 4, "five"),
    ]
    assert chunks(passages) == [(0, 2), (2, 3), (3, 5)]
    assert chunks([]) == []
