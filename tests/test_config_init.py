"""A config that works from anywhere: ``init`` writes the starter files, a wheel carries them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from bot.config.init import init_project, starter_files
from bot.config.settings import load_settings
from bot.corpus.loader import load_corpus
from bot.errors import ConfigError
from tests.conftest import REPO

SEED = "000_e64bdc90510bce59.txt"


def test_starter_files_are_the_shipped_config_and_seed_byte_for_byte():
    files = starter_files()
    assert sorted(str(p) for p in files) == ["config.yaml", f"corpus/{SEED}"]
    for rel, packaged in files.items():
        assert packaged.read_bytes() == (REPO / rel).read_bytes(), rel


def test_init_writes_a_config_and_corpus_that_load(tmp_path: Path):
    target = tmp_path / "new" / "bot-home"
    written = init_project(target)
    assert written == [target / "config.yaml", target / "corpus" / SEED]
    settings = load_settings(target / "config.yaml")
    assert settings.corpus.path == target / "corpus"
    assert settings.cache_dir == target / ".cache"
    assert len(load_corpus(settings.corpus).passages) == 23


def test_init_never_overwrites(tmp_path: Path):
    (tmp_path / "config.yaml").write_text("answer:\n  top_k: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.yaml already exist\(s\); nothing was written"):
        init_project(tmp_path)
    assert (tmp_path / "config.yaml").read_text(encoding="utf-8") == "answer:\n  top_k: 5\n"
    assert not (tmp_path / "corpus").exists()


def test_init_into_a_file_is_an_error(tmp_path: Path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not a folder"):
        init_project(tmp_path / "file")


def _copy_source(to: Path) -> Path:
    """The files a wheel is built from, copied so the build leaves the checkout untouched."""
    source = to / "src"
    shutil.copytree(REPO / "bot", source / "bot", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    shutil.copytree(REPO / "corpus", source / "corpus")
    for name in ("pyproject.toml", "README.md", "config.yaml"):
        shutil.copy(REPO / name, source / name)
    return source


def test_non_editable_install_says_how_then_works_after_init(tmp_path: Path):
    """A real wheel in a fresh venv: no config -> one line naming init; after init -> check."""
    source = _copy_source(tmp_path)
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run([*build, "-w", str(tmp_path / "dist"), str(source)], check=True)
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packaged = archive.read("bot/data/starter/config.yaml")
    assert packaged == (REPO / "config.yaml").read_bytes()

    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=False)  # deps from the host
    python = env_dir / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         str(wheel)],
        check=True,
    )  # fmt: skip
    home = tmp_path / "home"
    home.mkdir()

    def run(*args: str, cwd: Path = home) -> subprocess.CompletedProcess[str]:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
        return subprocess.run(
            [str(python), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
        )

    where = run("-c", "import bot; print(bot.__file__)")
    assert str(env_dir) in where.stdout  # the installed copy, not this checkout
    before = run("-m", "bot", "check")
    assert before.returncode == 2
    assert "talks-bot init DIR" in before.stderr and before.stderr.count("\n") == 1
    init = run("-c", "from bot.config.init import init_project; init_project('mine')")
    assert init.returncode == 0, init.stderr
    after = run("-m", "bot", "check", cwd=home / "mine")
    assert after.returncode == 0, after.stderr
    assert "passages:   23" in after.stdout
