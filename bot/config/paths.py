"""Which config file to read, and whether the paths it names can be used.

Lookup order, first match wins:

1. the path given (``--config``);
2. ``$TALKS_BOT_CONFIG``;
3. ``config.yaml`` in the current directory;
4. ``config.yaml`` of the source checkout the package runs from (a developer's clone);
5. none: a :class:`~bot.errors.ConfigError` saying how to get one (``talks-bot init``).

A non-editable ``pip install`` has no checkout, so step 4 finds nothing there and the message
of step 5 names the command that writes a starter config and corpus folder
(:func:`bot.config.init.init_project`). There is deliberately no silent packaged default:
it would answer from a one-article corpus and cache into site-packages.

Path settings are resolved when the settings are built, so a symlink loop is one line naming the
key, not a traceback later. Other problems are left to the code that uses each path, because
it knows how much they matter: the corpus loader refuses a corpus folder it cannot read
(:func:`bot.corpus.files.check_root`), while an unusable ``cache_dir`` or
``console.history_file`` only costs speed or history -- the bot warns and still answers.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.errors import ConfigError

ENV_VAR = "TALKS_BOT_CONFIG"
#: ``config.yaml`` of the checkout this package was imported from (used only if it exists).
CHECKOUT_CONFIG = Path(__file__).resolve().parents[2] / "config.yaml"
INIT_HINT = "run `talks-bot init DIR` to write a starter config.yaml and corpus/ folder"


def find_config(explicit: Path | str | None = None) -> Path:
    """The config file to read (see the module docstring for the order).

    Raises
    ------
    ConfigError
        When the file named by ``--config`` or ``$TALKS_BOT_CONFIG`` is missing, or no
        config file is found at all.
    """
    if explicit is not None:
        return Path(explicit)
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        path = Path(from_env).expanduser()
        if not path.is_file():
            raise ConfigError(f"${ENV_VAR} names {path}, which is not a file")
        return path
    here = Path.cwd() / "config.yaml"
    if here.is_file():
        return here
    if CHECKOUT_CONFIG.is_file() and (CHECKOUT_CONFIG.parent / "pyproject.toml").is_file():
        return CHECKOUT_CONFIG
    raise ConfigError(
        f"no config file: none given with --config or ${ENV_VAR}, and no config.yaml in "
        f"{Path.cwd()}; {INIT_HINT}, or pass --config PATH"
    )


def resolve_path(name: str, path: Path, base_dir: Path) -> Path:
    """``path`` made absolute against ``base_dir`` and resolved.

    Resolving follows symlinks, so a dangling link means its target (created on use) and the
    checks below see the real entry.

    Raises
    ------
    ConfigError
        Naming the setting when the path runs into a symlink loop.
    """
    path = base_dir / path.expanduser()  # an absolute path replaces base_dir
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError("Symlink loop ...")
        raise ConfigError(f"{name}: {path}: symlink loop") from None
