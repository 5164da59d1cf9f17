"""A running bot keeps up with its corpus folder: files added, changed or deleted are answered
from within seconds, with no reload command and no half-built state visible to questions."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.config.settings import load_settings
from bot.corpus.loader import load_corpus
from bot.service.answer_service import AnswerService, ReloadResult
from bot.service.watch import CorpusWatcher
from tests.conftest import INVENTED, REPO

NEW_ARTICLE = """---
title: Gloombridge ferry strike ends
source: The Invented Tribune
date: 2024-07-02
---
The ferrymen of Gloombridge ended their strike on Tuesday after the harbour council agreed to
repaint every lantern on the Wobblequay in teal.
"""
QUESTION = "Why did the Gloombridge ferrymen end their strike?"


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Poll until ``condition`` holds; the deadline only bounds a failing test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def watched(tmp_path: Path):
    folder = tmp_path / "corpus"
    shutil.copytree(INVENTED, folder)
    settings = load_settings(
        REPO / "config.yaml",
        [f"corpus.path={folder}", f"cache_dir={tmp_path / 'cache'}"],
    )
    service = AnswerService(settings)
    reloads: list[ReloadResult] = []
    watcher = service.watch(reloads.append)
    assert watcher is not None and watcher.running
    time.sleep(0.3)  # let the watcher register its inotify watch before files change
    yield service, folder, reloads
    watcher.stop()
    assert not watcher.running


def cites_new_article(service: AnswerService) -> bool:
    answer = service.answer(QUESTION)
    return answer.answered and answer.passages[0].article.id == "gloombridge"


def test_a_new_file_is_answered_from_without_a_reload_command(watched):
    service, folder, reloads = watched
    assert not cites_new_article(service)
    (folder / "gloombridge.md").write_text(NEW_ARTICLE, encoding="utf-8")
    assert wait_for(lambda: cites_new_article(service))
    assert reloads and reloads[-1].ok


def test_a_deleted_file_stops_being_quoted(watched):
    service, folder, _ = watched
    (folder / "gloombridge.md").write_text(NEW_ARTICLE, encoding="utf-8")
    assert wait_for(lambda: cites_new_article(service))
    (folder / "gloombridge.md").unlink()
    assert wait_for(lambda: not cites_new_article(service))


def test_temporary_and_foreign_files_do_not_reload(tmp_path: Path):
    """A dot-file (how ``add`` and editors write before an atomic rename) and a file the corpus
    does not read cause no reload; the real article renamed into place after them causes one.

    No sleeps: the watcher's own calls say when it has seen the files (its filter is asked
    about them) and when it has settled (its first idle tick compares the folder)."""
    folder = tmp_path / "corpus"
    shutil.copytree(INVENTED, folder)
    settings = load_settings(
        REPO / "config.yaml", [f"corpus.path={folder}", f"cache_dir={tmp_path / 'cache'}"]
    )
    service = AnswerService(settings)
    reloads: list[ReloadResult] = []
    watcher = service.watch(reloads.append)
    assert watcher is not None
    asked: set[str] = set()  # names the watcher's filter was asked about
    ticked = threading.Event()  # the watcher's first idle tick has compared the folder
    relevant, snapshot = watcher.relevant, watcher.snapshot

    def spy_relevant(path: str) -> bool:
        asked.add(Path(path).name)
        return relevant(path)

    def spy_snapshot() -> frozenset[tuple[str, int, int]]:
        found = snapshot()
        if threading.current_thread() is not threading.main_thread():
            ticked.set()
        return found

    watcher.relevant = spy_relevant  # type: ignore[method-assign]
    watcher.snapshot = spy_snapshot  # type: ignore[method-assign]
    foreign = {".gloombridge.md.tmp", "notes.docx"}

    def write_foreign() -> bool:
        (folder / ".gloombridge.md.tmp").write_text(NEW_ARTICLE, encoding="utf-8")
        (folder / "notes.docx").write_bytes(b"not an article")
        return foreign <= asked

    try:
        assert wait_for(write_foreign)  # the watcher is watching: it saw both files
        # It goes idle after them (were they relevant, it would have reloaded instead).
        assert wait_for(lambda: ticked.is_set() or bool(reloads))
        staged = folder / ".marker.md.tmp"
        staged.write_text("Marker paragraph about teal lanterns.\n", encoding="utf-8")
        staged.replace(folder / "marker.md")
        assert wait_for(lambda: bool(reloads) and "marker" in {a.id for a in service.sources()})
        assert len(reloads) == 1, reloads  # the article's, and none for the files before it
        assert reloads[0].ok
        assert not cites_new_article(service)  # the dot-file was never loaded
    finally:
        watcher.stop()


def test_questions_during_reloads_see_the_old_or_the_new_corpus_never_a_broken_one(watched):
    service, folder, _ = watched
    errors: list[BaseException] = []
    seen: set[int] = set()
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                seen.add(len(service.sources()))
                assert service.answer("Who runs the Wobblequay lanterns?").reason is not None
            except BaseException as exc:  # any failure is the finding
                errors.append(exc)
                return

    asker = threading.Thread(target=ask)
    asker.start()
    before = len(service.sources())
    for i in range(3):
        text = NEW_ARTICLE.replace("Tuesday", f"day {i}")
        (folder / f"gloombridge-{i}.md").write_text(text, encoding="utf-8")
        assert wait_for(lambda i=i: len(service.sources()) == before + i + 1)
    stop.set()
    asker.join()
    assert errors == []
    assert seen <= set(range(before, before + 4))


def test_watching_can_be_switched_off(tmp_path: Path):
    settings = load_settings(
        REPO / "config.yaml", [f"corpus.path={INVENTED}", "corpus.watch=false"]
    )
    assert AnswerService(settings).watch() is None


def test_a_change_before_the_watch_is_registered_is_not_lost(tmp_path: Path):
    """A file written between the snapshot taken at start and the moment the watch thread
    registers is caught by the watcher's first tick."""
    folder = tmp_path / "corpus"
    shutil.copytree(INVENTED, folder)
    settings = load_settings(
        REPO / "config.yaml", [f"corpus.path={folder}", f"cache_dir={tmp_path / 'cache'}"]
    )
    service = AnswerService(settings)
    from bot.service.watch import CorpusWatcher

    watcher = CorpusWatcher(service)
    watcher._baseline = watcher.snapshot()  # as start() does, then a change races the thread
    (folder / "gloombridge.md").write_text(NEW_ARTICLE, encoding="utf-8")
    real_snapshot = watcher.snapshot
    watcher.snapshot = lambda: watcher._baseline  # type: ignore[method-assign]
    watcher.start()  # keeps the stale baseline: start() takes it from snapshot()
    watcher.snapshot = real_snapshot  # type: ignore[method-assign]
    try:
        assert wait_for(lambda: cites_new_article(service))
    finally:
        watcher.stop()


def test_the_snapshot_walks_symlinked_folders_as_the_loader_does(tmp_path: Path):
    folder = tmp_path / "corpus"
    shutil.copytree(INVENTED, folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "gloombridge.md").write_text(NEW_ARTICLE, encoding="utf-8")
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    settings = load_settings(REPO / "config.yaml", [f"corpus.path={folder}"])
    watcher = CorpusWatcher(SimpleNamespace(settings=settings))  # type: ignore[arg-type]
    names = {Path(path).relative_to(folder).as_posix() for path, _, _ in watcher.snapshot()}
    assert "linked/gloombridge.md" in names
    loaded = {a.path.relative_to(folder).as_posix() for a in load_corpus(settings.corpus).articles}
    assert loaded <= names


def test_a_folder_of_articles_moved_in_and_out_is_followed(watched, tmp_path: Path):
    service, folder, _ = watched
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "gloombridge.md").write_text(NEW_ARTICLE, encoding="utf-8")
    batch.rename(folder / "batch")
    assert wait_for(lambda: cites_new_article(service)), QUESTION
    (folder / "batch").rename(tmp_path / "batch-out")
    assert wait_for(lambda: not cites_new_article(service))


def test_files_written_a_moment_apart_are_one_reload(watched):
    """The folder must be quiet for the watcher's settle time: watchfiles' own default gathers
    changes for 50 ms only, which made one reload per file of a feed poll."""
    service, folder, reloads = watched
    for i in range(3):
        text = NEW_ARTICLE.replace("Gloombridge", f"Quillmere{i}")
        (folder / f"quillmere{i}.md").write_text(text, encoding="utf-8")
        time.sleep(0.1)  # well within the 800 ms settle time
    (folder / "gloombridge.md").write_text(NEW_ARTICLE, encoding="utf-8")
    assert wait_for(lambda: cites_new_article(service))
    time.sleep(1.5)  # a second reload, if any, would come within the settle time
    assert len(reloads) == 1
