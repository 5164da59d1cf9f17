"""Semantic re-ranking for real: the model the [semantic] extra ships, on an invented corpus.

Skipped only when the extra is not installed (the test extra installs it).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from bot.answer.answerer import Answerer
from bot.answer.semantic import OFF_SWITCH, SemanticReranker, available, embeddings_key
from bot.config.settings import Settings, load_settings

pytestmark = pytest.mark.skipif(not available(), reason="pip install 'talks-bot[semantic]'")

REPO = Path(__file__).resolve().parent.parent

#: Three invented articles whose answers share few words with the questions about them.
FILES = {
    "kettles.md": "---\ntitle: Kettle inspectors of Quillsby\n---\n"
    "The inspectors of Quillsby weighed every kettle in the harbour on Monday.\n\n"
    "Mayor Tibbleworth said the copper kettles would be melted into bells.\n",
    "storm.md": "---\ntitle: Storm over Drizzleton\n---\n"
    "Hailstones the size of plums fell on Drizzleton, breaking the glasshouse roofs.\n\n"
    "Gardeners swept the broken panes from the orchard paths until dusk.\n",
    "choir.md": "---\ntitle: The Drizzleton choir\n---\n"
    "The Drizzleton choir sang at the reopening of the mended glasshouses.\n",
}


@pytest.fixture(scope="module", autouse=True)
def semantic_on():
    """Undo the suite's TALKS_BOT_SEMANTIC=off (tests/conftest.py) for these tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(OFF_SWITCH, raising=False)
        yield


@pytest.fixture(scope="module")
def semantic_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("corpus")
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    cache = tmp_path_factory.mktemp("cache")
    return load_settings(
        REPO / "config.yaml",
        [f"corpus.path={folder}", f"cache_dir={cache}", "semantic.enabled=true"],
    )


@pytest.fixture(scope="module")
def answerer(semantic_settings: Settings) -> Answerer:
    return Answerer.from_settings(semantic_settings)


def test_it_is_on_by_default_when_installed(tmp_path: Path):
    """The shipped config says ``auto``, and with the extra installed (and the suite's off
    switch removed, as for a user) an answerer built from it re-ranks with the model."""
    settings = load_settings(REPO / "config.yaml")
    assert settings.semantic.enabled == "auto"
    assert OFF_SWITCH not in os.environ  # semantic_on removed it, as a user's shell has none
    shipped = load_settings(REPO / "config.yaml", [f"cache_dir={tmp_path}"])  # keep the repo clean
    assert shipped.semantic == settings.semantic
    answerer = Answerer.from_settings(shipped)
    assert answerer.semantic is not None
    assert answerer.answer("Where did Trump and Kim hold their first summit?").answered


def test_passage_embeddings_are_persisted_once_as_plain_arrays(semantic_settings, answerer):
    files = list((Path(semantic_settings.cache_dir) / "semantic").glob("*.npy"))
    key = embeddings_key(semantic_settings.semantic, answerer.corpus.passages)
    assert [f.stem for f in files] == [key]
    matrix = np.load(files[0], allow_pickle=False)
    assert matrix.dtype == np.float32 and matrix.shape[0] == len(answerer.corpus.passages)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-3)
    again = SemanticReranker.for_corpus(semantic_settings, answerer.corpus)
    assert again is not None
    assert [f.stat().st_mtime_ns for f in files] == [
        f.stat().st_mtime_ns for f in (Path(semantic_settings.cache_dir) / "semantic").glob("*.npy")
    ]


@pytest.mark.parametrize(
    ("rows", "width", "dtype"),
    [(0, 7, np.float64), (0, 7, np.float32), (-1, 384, np.float32)],
    ids=["float64 of another width", "another width", "a row short"],
)
def test_a_damaged_embeddings_file_is_made_again(
    tmp_path, semantic_settings, answerer, rows, width, dtype
):
    """A kept file of the wrong shape or type is re-embedded, never used: it would make every
    question fail at the first matrix product."""
    settings = semantic_settings.model_copy(update={"cache_dir": str(tmp_path)})
    corpus = answerer.corpus
    path = tmp_path / "semantic" / f"{embeddings_key(settings.semantic, corpus.passages)}.npy"
    path.parent.mkdir(parents=True)
    np.save(path, np.zeros((len(corpus.passages) + rows, width), dtype=dtype))
    reranker = SemanticReranker.for_corpus(settings, corpus)
    assert reranker is not None
    assert reranker.similarities("hail storm damage", [0, 1]).shape == (2,)
    assert np.load(path).shape == (len(corpus.passages), 384)  # kept again, whole


def test_the_model_ranks_the_paragraph_that_means_the_question(answerer):
    """ "damaged" and "weather" are in no passage: BM25 alone has only "Drizzleton" to go on,
    which three paragraphs share; the model knows hailstones breaking roofs is storm damage."""
    assert answerer.semantic is not None
    answer = answerer.answer("What damage did the weather do in Drizzleton?")
    assert answer.answered
    assert answer.passages[0].passage.article.id == "storm"
    assert answer.passages[0].passage.paragraph == 1


def test_off_topic_questions_are_refused_with_the_model(answerer):
    assert not answerer.answer("Who won the football final in Madrid?").answered
    assert not answerer.answer("What is the capital of France?").answered


def test_it_never_quotes_a_paragraph_without_the_questions_words(answerer):
    answer = answerer.answer("What did the mayor say about the kettles?", top_k=5)
    for item in answer.passages:
        text = item.passage.text.casefold()
        assert "mayor" in text or "kettle" in text


def test_it_can_be_switched_off(semantic_settings, monkeypatch):
    off = semantic_settings.model_copy(
        update={"semantic": semantic_settings.semantic.model_copy(update={"enabled": False})}
    )
    assert Answerer.from_settings(off).semantic is None
    monkeypatch.setenv(OFF_SWITCH, "off")
    assert Answerer.from_settings(semantic_settings).semantic is None


def test_loading_the_model_writes_no_progress_bar(tmp_path, semantic_settings):
    """Every command that answers loads the model: its stderr is for warnings and errors."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != OFF_SWITCH}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--set",
            f"corpus.path={semantic_settings.corpus.path}",
            "--set",
            f"cache_dir={tmp_path}",
            "--set",
            "semantic.enabled=true",
            "ask",
            "what broke the glasshouse roofs",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "\r" not in run.stderr and "Loading weights" not in run.stderr, run.stderr
