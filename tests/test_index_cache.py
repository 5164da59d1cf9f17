"""Caches that cannot run code: analysed passages (SQLite) and copy groups (checked JSON) are
data, rebuilt with one warning when damaged, truncated, foreign or of another version."""

from __future__ import annotations

import ast
import logging
import os
import pickle
import sqlite3
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.index import analysed, keys
from bot.index.encoded import decode, encode
from bot.index.engine import FieldedDoc
from bot.index.persisted import read_checked, write_checked
from tests.indexing import QUESTION, REPO, copy_corpus, index_settings, open_answerer

_open = open_answerer


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    folder = copy_corpus(tmp_path)
    (folder / "08_copy.md").write_text(  # a syndicated copy, so there are copy groups to keep
        (folder / "07_weather.md").read_text(encoding="utf-8").replace("Fog", "Mist"),
        encoding="utf-8",
    )
    return index_settings(tmp_path, folder, "retrieval.engine=rank-bm25", "collapse.enabled=true")


def _cache_files(settings: Settings) -> tuple[Path, Path]:
    root = Path(settings.cache_dir) / "index"
    (terms,) = root.glob("analysed-*.sqlite")
    (copies,) = root.glob("copies-*.json")
    return terms, copies


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


class _RunsCode:
    """Unpickling this runs a shell command: what a tampered cache could hold."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_cache_holding_code_is_never_run_and_is_rebuilt(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first, _ = _open(settings)
    marker = tmp_path / "code-ran"
    payload = pickle.dumps(_RunsCode(marker))
    terms, copies = _cache_files(settings)
    terms.write_bytes(payload)
    copies.write_bytes(payload)
    legacy = terms.with_name(terms.stem + ".pkl")  # where an older version kept its terms
    legacy.write_bytes(payload)
    with caplog.at_level(logging.WARNING, logger="bot.index"):
        answerer, store = _open(settings)
    assert not marker.exists()
    assert not legacy.exists()  # removed unread
    assert store.last is not None and store.last.analysed_articles == 8
    assert answerer.answer(QUESTION).passages == first.answer(QUESTION).passages
    assert answerer.copies.groups == first.copies.groups
    assert len(_warnings(caplog)) == 2  # one line per cache
    _, store = _open(settings)
    assert store.last is not None and store.last.analysed_articles == 0  # rebuilt, and valid


@pytest.mark.parametrize("keep", [0.5, 100 / 8192], ids=["half", "100-bytes"])
def test_a_truncated_analysed_cache_is_rebuilt(
    settings: Settings, keep: float, caplog: pytest.LogCaptureFixture
) -> None:
    first, _ = _open(settings)
    terms, _ = _cache_files(settings)
    data = terms.read_bytes()
    terms.write_bytes(data[: max(1, int(len(data) * keep))])
    with caplog.at_level(logging.WARNING, logger="bot.index"):
        answerer, store = _open(settings)
    assert store.last is not None and store.last.analysed_articles >= 1
    assert len(_warnings(caplog)) == 1
    assert answerer.answer(QUESTION).passages == first.answer(QUESTION).passages
    _, store = _open(settings)
    assert store.last is not None and store.last.analysed_articles == 0


def test_an_analysed_cache_of_another_version_is_rebuilt(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    _open(settings)
    terms, _ = _cache_files(settings)
    with sqlite3.connect(terms) as db:
        db.execute(f"PRAGMA user_version = {analysed.ANALYSED_FORMAT + 1}")
    db.close()
    with caplog.at_level(logging.WARNING, logger="bot.index"):
        _, store = _open(settings)
    assert store.last is not None and store.last.analysed_articles == 8
    assert any("format" in w for w in _warnings(caplog))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data.replace(b"[", b"{", 1), id="flipped"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_damaged_copy_groups_are_found_again(
    settings: Settings, damage, caplog: pytest.LogCaptureFixture
) -> None:
    first, _ = _open(settings)
    assert first.copies.groups
    _, copies = _cache_files(settings)
    copies.write_bytes(damage(copies.read_bytes()))
    with caplog.at_level(logging.WARNING, logger="bot.index"):
        answerer, _ = _open(settings)
    assert answerer.copies.groups == first.copies.groups
    assert len(_warnings(caplog)) == 1
    assert read_checked(copies)["groups"]  # saved again


def test_checked_json_refuses_what_it_did_not_write(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    write_checked(path, {"a": [1, 2]})
    assert read_checked(path) == {"a": [1, 2]}
    path.write_bytes(path.read_bytes().replace(b"1", b"3"))
    with pytest.raises(ValueError, match="checksum"):
        read_checked(path)


def test_analysed_terms_round_trip() -> None:
    docs = (
        FieldedDoc(("kim", "letter"), ("summit", "talk"), ("window",)),
        FieldedDoc((), ("summit", "talk")),
        FieldedDoc(("US",), ("summit", "talk"), ()),
    )
    assert decode(encode(docs)) == docs
    assert decode(encode((FieldedDoc(()),))) == (FieldedDoc(()),)
    # a separator inside a term (no analysed term has one) is dropped, never misread
    assert decode(encode((FieldedDoc(("a\x1fb", "c")),))) == (FieldedDoc(("ab", "c")),)


def test_cache_keys_come_from_versions_not_source(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editing a comment in the analyser changes no key: keys read no source file."""
    key = keys.analysis_key(settings.analysis)
    real = Path.read_bytes

    def no_source(self: Path) -> bytes:
        assert self.suffix != ".py", f"a cache key read {self}"
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", no_source)
    assert keys.analysis_key(settings.analysis) == key
    monkeypatch.setattr(keys, "ANALYSIS_VERSION", keys.ANALYSIS_VERSION + 1)
    assert keys.analysis_key(settings.analysis) != key
    assert keys.copies_key(settings.collapse) != keys.copies_key(
        settings.collapse.model_copy(update={"threshold": 0.9})
    )


def test_query_only_settings_do_not_re_analyse_the_corpus(settings: Settings) -> None:
    """Aliases only ever join questions: changing them (or their weight) must keep the
    analysed passages, which take a minute to redo at a million passages."""
    analysis = settings.analysis
    key = keys.analysis_key(analysis)
    assert keys.analysis_key(analysis.model_copy(update={"alias_weight": 0.25})) == key
    assert keys.analysis_key(analysis.model_copy(update={"aliases": (("zorb", "blax"),)})) == key
    assert keys.analysis_key(analysis.model_copy(update={"stemmer": "porter"})) != key
    assert keys.analysis_key(analysis.model_copy(update={"acronyms": ("ZQX",)})) != key


#: Modules that can run code while loading data.
_UNSAFE_LOADERS = {"pickle", "cPickle", "_pickle", "shelve", "dill", "marshal", "joblib"}


def test_no_pickle_in_the_bot() -> None:
    """Nothing in bot/ imports a loader that can run code, and numpy never loads pickles."""
    hits = []
    for path in (REPO / "bot").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [(node.module or "").split(".")[0]]
            elif isinstance(node, ast.keyword) and node.arg == "allow_pickle":
                names = (
                    []
                    if isinstance(node.value, ast.Constant) and not node.value.value
                    else ["allow_pickle"]
                )
            else:
                continue
            hits += [f"{path.relative_to(REPO)}:{node.lineno}" for n in names
                     if n in _UNSAFE_LOADERS or n == "allow_pickle"]  # fmt: skip
    assert hits == []
