"""Permission tests that can fail even as root.

Tests run as root here (CI too), and root reads any file whatever its mode, so a chmod-000 file
proves nothing. While the code under test runs, :func:`as_unprivileged` switches the effective
uid to ``nobody`` (65534) with ``os.seteuid`` -- the kernel then checks file modes for real --
and switches back. Files must sit where ``nobody`` can reach them: pytest's ``tmp_path`` is
private to root, so :func:`reachable_dir` makes a world-searchable folder instead.

"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

NOBODY = 65534


@contextlib.contextmanager
def as_unprivileged() -> Iterator[None]:
    """Run the block as a user that file modes bind (``nobody`` when we are root)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)


@contextlib.contextmanager
def reachable_dir() -> Iterator[Path]:
    """A fresh folder that ``nobody`` can enter; modes are restored before it is removed."""
    top = Path(tempfile.mkdtemp(prefix="talks-bot-perm-"))
    top.chmod(0o755)
    yield top
    for path in (top, *top.rglob("*")):
        if not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(top)
