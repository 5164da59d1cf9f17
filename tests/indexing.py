"""Shared by the index tests: a copy of the made-up Zorblax corpus, and settings over it."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.answer.answerer import Answerer
from bot.config.settings import Settings, load_settings
from bot.index.store import IndexStore

REPO = Path(__file__).resolve().parent.parent
ZORBLAX = REPO / "tests" / "fixtures" / "zorblax"
QUESTION = "Where was the Zorblax Accord signed?"


def copy_corpus(tmp_path: Path) -> Path:
    """A writable copy of the Zorblax corpus."""
    folder = tmp_path / "corpus"
    shutil.copytree(ZORBLAX, folder)
    return folder


def index_settings(tmp_path: Path, corpus_dir: Path, *overrides: str) -> Settings:
    """The shipped config over ``corpus_dir`` with the tantivy engine and a cache of its own."""
    return load_settings(
        REPO / "config.yaml",
        [
            f"corpus.path={corpus_dir}",
            f"cache_dir={tmp_path / 'cache'}",
            "retrieval.engine=tantivy",
            *overrides,
        ],
    )


def open_answerer(settings: Settings) -> tuple[Answerer, IndexStore]:
    """What a start of the bot does: a new store, the corpus loaded and indexed."""
    store = IndexStore(settings)
    return Answerer.from_settings(settings, store), store
