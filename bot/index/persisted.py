"""Files and directories that are either complete or absent.

- :func:`write_atomic` writes one file through a temporary file, ``fsync`` and a rename, so a
  crash leaves the old content or the new, never half of either.
- :func:`persisted_dir` builds a directory (a tantivy index) into a fresh temporary directory
  next to its final place; when it is complete, a marker file recording every file's size and
  BLAKE2 checksum is written, and the directory is renamed into place in one step. Opening
  checks the marker, every checksum and a trial open; if anything is off the directory is
  deleted and rebuilt (with a warning in the log).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from bot.corpus.files import write_atomic

log = logging.getLogger(__name__)

#: The marker that makes a persisted directory complete.
MARKER = "COMPLETE.json"
#: Persisted directories and files kept besides the one in use (other processes may use them).
KEEP_OLD = 2
#: Unfinished build directories older than this are leftovers of a crash and are removed.
STALE_TMP_S = 6 * 3600


def write_checked(path: Path, obj: object) -> None:
    """Write ``obj`` as JSON, atomically, after a line holding the checksum of the JSON.

    JSON is data: reading a damaged or tampered file can fail, never run code; the checksum
    catches a flipped byte that would still parse.
    """
    payload = json.dumps(obj, separators=(",", ":")).encode("utf-8")
    digest = hashlib.blake2b(payload, digest_size=16).hexdigest().encode("ascii")
    write_atomic(path, digest + b"\n" + payload)


def read_checked(path: Path) -> Any:
    """What :func:`write_checked` wrote; raises ``ValueError`` for anything else (``OSError``
    when the file cannot be read)."""
    data = path.read_bytes()
    digest, _, payload = data.partition(b"\n")
    if digest != hashlib.blake2b(payload, digest_size=16).hexdigest().encode("ascii"):
        raise ValueError("checksum mismatch (damaged or not written by this program)")
    return json.loads(payload)


def checksum(path: Path) -> str:
    """The BLAKE2 checksum of a file's content."""
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def all_files(directory: Path) -> list[str]:
    """Every file under ``directory`` but the marker and lock files."""
    return [
        str(p.relative_to(directory))
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != MARKER and not p.name.endswith(".lock")
    ]


def write_marker(
    directory: Path,
    key: str,
    facts: Mapping[str, Any],
    names: Iterable[str],
    known: Mapping[str, list[Any]] | None = None,
) -> None:
    """Write the marker that makes ``directory`` complete: ``facts``, and the size and checksum
    of each of ``names``. A file listed in ``known`` with the same size keeps its checksum (for a
    directory updated in place, whose old files never change: only new ones are read)."""
    files: dict[str, list[Any]] = {}
    for name in names:
        size = (directory / name).stat().st_size
        previous = (known or {}).get(name)
        if previous is not None and previous[0] == size:
            files[name] = [size, previous[1]]
        else:
            files[name] = [size, checksum(directory / name)]
    marker = {"key": key, "created": time.time(), **facts, "files": files}
    write_atomic(directory / MARKER, json.dumps(marker).encode("utf-8"))


def read_marker(directory: Path) -> dict[str, Any]:
    """The marker of a complete directory (raises ``OSError`` or ``ValueError`` if unreadable)."""
    marker = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    if not isinstance(marker, dict):
        raise ValueError("the marker is not an object")
    return marker


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed) for the block: one process at a
    time opens, builds or updates what it guards. The system releases it if the process dies."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: one process at a time is up to the user
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def check_dir(directory: Path, key: str) -> str | None:
    """Why the persisted ``directory`` cannot be used (None when it can)."""
    try:
        marker = read_marker(directory)
    except FileNotFoundError:
        return "no completion marker (an interrupted build)"
    except (OSError, ValueError) as exc:
        return f"unreadable completion marker ({exc})"
    if marker.get("key") != key:
        return "completion marker for another key"
    files = marker.get("files")
    if not isinstance(files, dict) or not files:
        return "completion marker lists no files"
    for name, expected in files.items():
        path = directory / name
        if not isinstance(expected, list) or len(expected) != 2:
            return f"completion marker has no size and checksum for {name}"
        try:
            size = path.stat().st_size
        except OSError:
            return f"{name} is missing"
        if size != expected[0]:
            return f"{name} has {size} bytes, expected {expected[0]}"
    for name, expected in files.items():
        if checksum(directory / name) != expected[1]:
            return f"{name} does not match its checksum"
    return None


def remove_dir(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def persisted_dir(
    root: Path,
    key: str,
    build: Callable[[Path], Mapping[str, Any]],
    validate: Callable[[Path], None],
    listing: Callable[[Path], Iterable[str]] = all_files,
) -> tuple[Path, bool]:
    """Open the complete directory ``root/key``, or build it atomically.

    Parameters
    ----------
    build
        Writes the content into the empty directory it is given; returns facts for the marker.
    validate
        Raises if a directory that passed the checksum check still cannot be used.
    listing
        The files of a built directory that the marker vouches for (default: all).

    Returns
    -------
    The directory, and True when it was opened rather than built.
    """
    final = root / key
    if final.exists():
        problem = check_dir(final, key)
        if problem is None:
            try:
                validate(final)
            except Exception as exc:
                problem = f"cannot be opened ({exc})"
        if problem is None:
            return final, True
        log.warning("the saved index %s is unusable: %s; rebuilding it", final, problem)
        remove_dir(final)
    root.mkdir(parents=True, exist_ok=True)
    _prune(root, keep=final)
    tmp = Path(tempfile.mkdtemp(prefix=f".building-{key[:12]}-", dir=root))
    try:
        facts = dict(build(tmp))
        write_marker(tmp, key, facts, listing(tmp))
        try:
            tmp.rename(final)
        except OSError:
            # Another process published the same key first; use theirs if it is sound.
            if final.exists() and check_dir(final, key) is None:
                remove_dir(tmp)
                return final, True
            raise
    except BaseException:
        remove_dir(tmp)
        raise
    return final, False


def _prune(root: Path, keep: Path) -> None:
    """Remove stale unfinished builds and all but the newest :data:`KEEP_OLD` old directories."""
    now = time.time()
    finished = []
    for entry in root.iterdir():
        if not entry.is_dir() or entry == keep:
            continue
        try:
            mtime = entry.stat().st_mtime
        except OSError:
            continue
        if entry.name.startswith(".building-"):
            if now - mtime > STALE_TMP_S:
                remove_dir(entry)
        else:
            finished.append((mtime, entry))
    finished.sort(reverse=True)
    for _, entry in finished[KEEP_OLD:]:
        remove_dir(entry)


def prune_files(directory: Path, pattern: str, keep: Path) -> None:
    """Remove all but the newest :data:`KEEP_OLD` files matching ``pattern`` besides ``keep``."""
    others = []
    for path in directory.glob(pattern):
        if path != keep:
            with contextlib.suppress(OSError):
                others.append((path.stat().st_mtime, path))
    others.sort(reverse=True)
    for _, path in others[KEEP_OLD:]:
        with contextlib.suppress(OSError):
            path.unlink()
