"""The layering promise, enforced by import-linter over every module of ``bot``.

The contracts live in pyproject.toml (``[tool.importlinter]``): each layer imports only the
layers below it, only the Discord front end and renderer import discord, and the two front ends
are independent. This test runs the tool, so a violation anywhere fails the suite; the facade
test checks that front ends use the service's verbs instead of reaching into its answerer.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


def lint_imports() -> subprocess.CompletedProcess[str]:
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.fail("import-linter is not installed: pip install -e '.[test]'")
    return subprocess.run(
        [exe, "--no-cache"], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_import_contracts_are_kept():
    result = lint_imports()
    assert result.returncode == 0, result.stdout[-3000:]
    assert "BROKEN" not in result.stdout and "3 kept, 0 broken" in result.stdout


def test_the_contract_catches_a_core_module_importing_discord(tmp_path):
    """The contract is not vacuous: a copy of the package with discord imported from the
    index layer breaks it."""
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "bot", copy / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    engine = copy / "bot" / "index" / "engine.py"
    engine.write_text(engine.read_text() + "\nimport discord  # a violation\n")
    exe = shutil.which("lint-imports")
    assert exe is not None
    result = subprocess.run(
        [exe, "--no-cache"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(copy)},
    )
    assert result.returncode != 0
    assert "bot.index.engine -> discord" in result.stdout


@pytest.mark.parametrize("package", ["frontends", "cli"])
def test_front_ends_use_the_service_verbs_not_its_answerer(package):
    """``service.answerer`` is for measurement tools; front ends call ``answer``, ``sources``,
    ``timeline``, ``context``, ``validate``, ``outlets`` and ``summary``."""
    offenders = []
    for path in sorted((REPO / "bot" / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "answerer":
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


def test_importing_the_core_leaves_discord_out():
    code = (
        "import sys, bot.service.answer_service, bot.render.text, bot.render.json, bot.cli.main;"
        "sys.exit(1 if 'discord' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0
