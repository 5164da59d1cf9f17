"""The watcher and folders: a folder of articles moved into or out of the corpus is one event
named for the folder, and a stream of files a moment apart is one reload, not one each."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from bot.config.settings import load_settings
from bot.service.answer_service import AnswerService, ReloadResult
from tests.conftest import INVENTED, REPO
from tests.test_watch import NEW_ARTICLE, QUESTION, cites_new_article, wait_for


@pytest.fixture
def watched(tmp_path: Path):
    folder = tmp_path / "corpus"
    shutil.copytree(INVENTED, folder)
    settings = load_settings(
        REPO / "config.yaml", [f"corpus.path={folder}", f"cache_dir={tmp_path / 'cache'}"]
    )
    service = AnswerService(settings)
    reloads: list[ReloadResult] = []
    watcher = service.watch(reloads.append)
    assert watcher is not None
    time.sleep(0.3)  # let the watcher register its inotify watch before files change
    yield service, folder, tmp_path, reloads
    watcher.stop()


def test_a_folder_of_articles_moved_in_and_out_is_followed(watched):
    service, folder, tmp_path, _ = watched
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
    service, folder, _, reloads = watched
    for i in range(3):
        text = NEW_ARTICLE.replace("Gloombridge", f"Quillmere{i}")
        (folder / f"quillmere{i}.md").write_text(text, encoding="utf-8")
        time.sleep(0.1)  # well within the 800 ms settle time
    (folder / "gloombridge.md").write_text(NEW_ARTICLE, encoding="utf-8")
    assert wait_for(lambda: cites_new_article(service))
    time.sleep(1.5)  # a second reload, if any, would come within the settle time
    assert len(reloads) == 1
