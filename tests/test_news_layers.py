"""The news features keep the layering promise: their core modules never import discord."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

NEWS_CORE = [
    "bot.corpus.readers",
    "bot.answer.filters",
    "bot.corpus.copies",
    "bot.answer.timeline",
    "bot.answer.context",
    "bot.service.feedback",
    "bot.cli.timeline",
    "bot.cli.feedback",
    "bot.render.text",
    "bot.render.json",
    "bot.frontends.console.commands",
]


@pytest.mark.parametrize("module", NEWS_CORE)
def test_news_module_does_not_import_discord(module):
    code = f"import sys, {module}; sys.exit(1 if 'discord' in sys.modules else 0)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False)
    assert result.returncode == 0, f"importing {module} imported discord"


def test_readers_load_trafilatura_only_when_a_page_is_read():
    code = (
        "import sys, bot.corpus, bot.corpus.readers; "
        "sys.exit(1 if 'trafilatura' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0
