"""Hot reload: questions asked during a rebuild are answered from the old index, a failed rebuild
keeps it, and a changed article is answered from its new text once the reload is done."""

from __future__ import annotations

import io
import shutil
import threading
from pathlib import Path

import pytest

from bot.answer.answerer import Answerer
from bot.config.settings import Settings, load_settings
from bot.frontends.console.console import Console
from bot.service.answer_service import AnswerService

REPO = Path(__file__).resolve().parent.parent
ZORBLAX = REPO / "tests" / "fixtures" / "zorblax"
FERRY = "how long was the Wembleton ferry crossing closed by fog"


@pytest.fixture(params=["rank-bm25", "tantivy"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    folder = tmp_path / "corpus"
    shutil.copytree(ZORBLAX, folder)
    return load_settings(
        REPO / "config.yaml",
        [
            f"corpus.path={folder}",
            f"cache_dir={tmp_path / 'cache'}",
            f"retrieval.engine={request.param}",
        ],
    )


def _edit_ferry_article(settings: Settings, old: str, new: str) -> None:
    path = Path(settings.corpus.path) / "07_weather.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def _top_text(service: AnswerService, question: str) -> str:
    answer = service.answer(question)
    assert answer.answered, question
    return answer.passages[0].passage.text


def test_changed_article_is_answered_from_new_text(settings: Settings) -> None:
    service = AnswerService(settings)
    assert "three days" in _top_text(service, FERRY)
    _edit_ferry_article(settings, "three days", "nine days")
    result = service.reload()
    assert result.ok, result.error
    assert result.reanalysed == 1  # only the changed article was analysed again
    assert "nine days" in _top_text(service, FERRY)
    assert "1 new or changed" in result.describe()


def test_questions_during_a_slow_rebuild_come_from_the_old_index(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = AnswerService(settings)
    old = service.answerer
    started, release = threading.Event(), threading.Event()
    real_build = service._build

    def slow_build() -> Answerer:
        fresh = real_build()  # the new index is complete here, but not yet in service
        started.set()
        if not release.wait(timeout=30):
            raise RuntimeError("test did not release the rebuild")
        return fresh

    monkeypatch.setattr(service, "_build", slow_build)
    _edit_ferry_article(settings, "three days", "nine days")
    results = []
    reloader = threading.Thread(target=lambda: results.append(service.reload()))
    reloader.start()
    try:
        assert started.wait(timeout=30)
        for _ in range(5):  # asked while the rebuild is in progress
            assert "three days" in _top_text(service, FERRY)
            assert service.answerer is old
    finally:
        release.set()
        reloader.join(timeout=30)
    assert results and results[0].ok
    assert service.answerer is not old
    assert "nine days" in _top_text(service, FERRY)


def test_failed_rebuild_keeps_the_old_index(settings: Settings) -> None:
    service = AnswerService(settings)
    old = service.answerer
    folder = Path(settings.corpus.path)
    shutil.rmtree(folder)
    folder.mkdir()  # an empty corpus folder: nothing loadable
    result = service.reload()
    assert not result.ok
    assert "no articles" in (result.error or "")
    assert "still answering from the previous corpus" in result.describe()
    assert service.answerer is old
    assert "three days" in _top_text(service, FERRY)


def test_unexpected_error_keeps_the_old_index(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = AnswerService(settings)
    old = service.answerer

    def broken() -> Answerer:
        raise OSError("disk on fire")

    monkeypatch.setattr(service, "_build", broken)
    result = service.reload()
    assert not result.ok and "disk on fire" in (result.error or "")
    assert service.answerer is old


def test_console_reload_command(settings: Settings) -> None:
    service = AnswerService(settings)
    _edit_ferry_article(settings, "three days", "nine days")
    stdin = io.StringIO(f"{FERRY}\n:reload\n{FERRY}\n")
    stdout = io.StringIO()
    assert Console(service, stdin=stdin, stdout=stdout, interactive=False, color=False).run() == 0
    text = stdout.getvalue()
    assert "Reloaded 7 articles" in text
    assert text.index("three days") < text.index("Reloaded") < text.index("nine days")


def test_an_added_article_lends_the_spelling_index_and_frees_the_old_answerer(
    settings: Settings,
) -> None:
    """A reload after an article is added indexes only its new words for spelling (the old
    answerer's index is shared, not rebuilt), finds typos of them, and the old answerer is
    still freed once replaced."""
    import gc
    import weakref

    service = AnswerService(settings)
    old = service.answerer
    assert old.wait_ready(60)
    (Path(settings.corpus.path) / "08_kite.md").write_text(
        '---\ntitle: "Kite contest"\nsource: The Nebular Tribune\ndate: 2033-11-04\n---\n'
        "The Wembleton kite contest was won by a quorbadine kite.\n",
        encoding="utf-8",
    )
    assert service.reload().ok
    new = service.answerer
    assert new is not old and new.wait_ready(60)
    speller, lender = new.questions.speller, old.questions.speller
    assert speller is not None and lender is not None
    assert speller._indexes[0] is lender._indexes[0]
    assert "quorbadin" in [q.term for q in new.query("who flew the quorbadne kite")]
    ref = weakref.ref(old)
    del old, lender
    gc.collect()
    assert ref() is None
