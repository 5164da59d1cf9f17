"""The layering promise: the core never imports discord, and imports point toward the core."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

CORE = [
    "bot.config",
    "bot.errors",
    "bot.corpus.loader",
    "bot.analysis.analyzer",
    "bot.analysis.sentences",
    "bot.index.engine",
    "bot.index.rankbm25",
    "bot.answer.answerer",
    "bot.service.answer_service",
    "bot.render.json",
    "bot.render.text",
    "bot.render.citation",
    "bot.cli.main",
    "bot.frontends.console.console",
]


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_import_discord(module):
    code = f"import sys, {module}; sys.exit(1 if 'discord' in sys.modules else 0)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False)
    assert result.returncode == 0, f"importing {module} imported discord"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


LAYERS = ["config", "corpus", "analysis", "index", "answer"]


@pytest.mark.parametrize("layer", LAYERS)
def test_core_layers_import_only_lower_layers(layer):
    allowed_above = set(LAYERS[LAYERS.index(layer) + 1 :]) | {
        "render",
        "frontends",
        "cli",
        "service",
    }
    path = REPO / "bot" / f"{layer}.py"
    if not path.exists():
        path = REPO / "bot" / layer / "__init__.py"
    for name in imports_of(path):
        parts = name.split(".")
        if parts[0] == "bot" and len(parts) > 1:
            assert parts[1] not in allowed_above, f"bot/{layer} imports {name}"
