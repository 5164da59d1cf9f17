"""``init``: write a starter ``config.yaml`` and ``corpus/`` folder, for installs with no checkout.

After a plain ``pip install`` there is no repository around the package, so no config file to
find (:mod:`bot.config.paths`). The starter files ship inside the package as data
(``bot/data/starter``: in the repository these are links to the real ``config.yaml`` and the
seed article in ``corpus/``, so the copies cannot drift; a wheel holds their contents). The
written config is the shipped one byte for byte; its relative paths (``corpus``, ``.cache``)
then point inside the new folder, so ``cd DIR && talks-bot check`` just works.

Nothing is overwritten: if any file to be written already exists, nothing is written.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from bot.errors import ConfigError, os_reason

#: Where the starter files live inside the package.
STARTER = ("data", "starter")


def starter_files() -> dict[Path, Traversable]:
    """Relative path to write -> packaged file: ``config.yaml`` and every seed article."""
    root = resources.files("bot").joinpath(*STARTER)
    files: dict[Path, Traversable] = {Path("config.yaml"): root / "config.yaml"}
    for entry in sorted((root / "corpus").iterdir(), key=lambda e: e.name):
        if entry.is_file() and not entry.name.startswith("."):
            files[Path("corpus") / entry.name] = entry
    return files


def init_project(directory: Path | str) -> list[Path]:
    """Write the starter config and corpus into ``directory`` (created if missing).

    Returns the files written, config first. Wire it to ``talks-bot init [DIR]`` (default:
    the current directory) and tell the user to ``cd DIR`` and run ``talks-bot check``.

    Raises
    ------
    ConfigError
        When ``directory`` is not a folder, a file to be written already exists (nothing is
        written then), or a file cannot be written.
    """
    target = Path(directory).expanduser()
    files = starter_files()
    if target.exists() and not target.is_dir():
        raise ConfigError(f"init: {target} is not a folder")
    existing = [target / rel for rel in files if (target / rel).exists()]
    if existing:
        names = ", ".join(str(p) for p in existing)
        raise ConfigError(f"init: {names} already exist(s); nothing was written")
    written: list[Path] = []
    for rel, source in files.items():
        path = target / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as out:  # "x": never replace a file that appeared meanwhile
                out.write(source.read_bytes())
        except OSError as exc:
            raise ConfigError(f"init: cannot write {path}: {os_reason(exc, path)}") from None
        written.append(path)
    return written
