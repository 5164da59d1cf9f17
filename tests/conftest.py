"""Shared fixtures: the shipped configuration, an invented multi-article corpus, and a way to
write throwaway corpora for bad-input tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config.settings import Settings, load_settings
from bot.service.answer_service import AnswerService

# Tests of other features see the base install's ranking, in this process and the bot processes
# it starts; tests/test_semantic.py turns semantic re-ranking back on (bot.answer.semantic).
os.environ.setdefault("TALKS_BOT_SEMANTIC", "off")

REPO = Path(__file__).resolve().parent.parent
INVENTED = REPO / "tests" / "fixtures" / "invented"


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The shipped config.yaml, unchanged."""
    return load_settings(REPO / "config.yaml")


@pytest.fixture(scope="session")
def service(settings: Settings) -> AnswerService:
    """The bot over the shipped corpus."""
    return AnswerService(settings)


@pytest.fixture(scope="session")
def invented_settings() -> Settings:
    return load_settings(REPO / "config.yaml", [f"corpus.path={INVENTED}"])


@pytest.fixture(scope="session")
def invented_service(invented_settings: Settings) -> AnswerService:
    """The bot over six invented articles (tiny corpora make IDF degenerate; six is enough)."""
    return AnswerService(invented_settings)


@pytest.fixture
def write_corpus(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Settings]:
    """Write ``{filename: content}`` into a fresh corpus folder; return settings pointing at it."""

    def write(files: dict[str, str | bytes]) -> Settings:
        folder = tmp_path / "corpus"
        folder.mkdir(exist_ok=True)
        for name, content in files.items():
            path = folder / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return load_settings(REPO / "config.yaml", [f"corpus.path={folder}"])

    return write
