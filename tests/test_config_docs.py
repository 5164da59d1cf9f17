"""Docstrings of the config and corpus layers name modules and functions that exist.

The layout was reorganised from a flat ``bot/`` (``bot.config_paths`` became
``bot.config.paths``); a cross-reference to the old name reads as an instruction to look for a
module that is gone.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from tests.conftest import REPO

#: Sphinx cross-references: :mod:`bot.x`, :func:`~bot.x.f`, :class:`bot.x.C`, ...
REFERENCE = re.compile(r":(?:mod|func|class|meth|attr|data|exc):`~?(bot\.[\w.]+)`")
FILES = sorted((REPO / "bot" / "config").glob("*.py")) + sorted(
    (REPO / "bot" / "corpus").glob("*.py")
)


def resolves(dotted: str) -> bool:
    """True when ``dotted`` is a module, or an attribute path under the longest module prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


@pytest.mark.parametrize("path", FILES, ids=lambda p: Path(p).name)
def test_cross_references_name_what_exists(path: Path):
    text = path.read_text(encoding="utf-8")
    stale = sorted({ref for ref in REFERENCE.findall(text) if not resolves(ref)})
    assert not stale, f"{path.relative_to(REPO)} names {stale}"
