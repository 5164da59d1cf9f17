"""Finding and reading corpus files: every kind of directory entry gives a file or a warning.

A corpus folder is user data and may hold anything: symlink loops, dangling links, FIFOs, links
to devices, unreadable files and folders, or a file far too large to be an article. None of them
may hang or crash loading, and none may be skipped silently: each becomes one
:class:`~bot.corpus.model.LoadWarning` naming the path and the reason, and the rest loads.

Why not ``Path.rglob``: it follows directory symlinks without loop protection, hides
permission errors, and leaves the file type to a later ``is_file()`` that answers False for
loops, dangling links and FIFOs alike. An explicit walk says which one it was.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Collection
from pathlib import Path

from bot.corpus.model import LoadWarning, SkipFile
from bot.errors import CorpusError, os_reason

#: Bytes sniffed for binary content, as git and grep do.
_SNIFF_BYTES = 8192
#: Share of control bytes (other than whitespace and ESC) above which a file is binary.
_BINARY_SHARE = 0.1
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0b\x0c\x1b")


def check_root(root: Path) -> None:
    """Make sure ``corpus.path`` is a folder we can list.

    Raises
    ------
    CorpusError
        Naming ``corpus.path``, the path and the reason (not found, dangling symlink,
        symlink loop, permission denied, not a folder).
    """
    try:
        mode = os.stat(root).st_mode
    except OSError as exc:
        if exc.errno == errno.ENOENT and not os.path.islink(root):
            raise CorpusError(
                f"corpus.path {root}: corpus folder not found (set corpus.path in config.yaml)"
            ) from None
        raise CorpusError(f"corpus.path {root}: {os_reason(exc, root)}") from None
    if not stat.S_ISDIR(mode):
        raise CorpusError(f"corpus.path {root}: must be a folder of article files")
    try:
        with os.scandir(root):
            pass
    except OSError as exc:
        raise CorpusError(f"corpus.path {root}: {os_reason(exc, root)}") from None


def list_corpus(root: Path, extensions: Collection[str]) -> tuple[list[Path], list[LoadWarning]]:
    """The article files under ``root`` (sorted) and a warning for every entry that is unusable.

    Folders are walked with an explicit stack (no recursion limit); symlinked folders are
    followed once, and a link back into one of its own ancestors is reported as a loop.
    Entries whose type cannot even be read (dangling links, loops, permission denied) are
    reported whatever their name; a FIFO, device or socket only when its name has an article
    extension, since only then was it meant to be an article.
    """
    wanted = {ext.lower() for ext in extensions}
    files: list[Path] = []
    warnings: list[LoadWarning] = []
    seen: dict[tuple[int, int], Path] = {}
    root_stat = os.stat(root)
    seen[(root_stat.st_dev, root_stat.st_ino)] = root
    stack: list[tuple[Path, frozenset[tuple[int, int]]]] = [
        (root, frozenset({(root_stat.st_dev, root_stat.st_ino)}))
    ]
    while stack:
        folder, ancestors = stack.pop()
        try:
            with os.scandir(folder) as entries:
                names = sorted(entry.name for entry in entries)
        except OSError as exc:
            warnings.append(LoadWarning(folder, f"folder skipped: {os_reason(exc, folder)}"))
            continue
        for name in names:
            path = folder / name
            try:
                info = os.stat(path)
            except OSError as exc:
                warnings.append(LoadWarning(path, f"skipped: {os_reason(exc, path)}"))
                continue
            key = (info.st_dev, info.st_ino)
            if stat.S_ISDIR(info.st_mode):
                if key in ancestors:
                    warnings.append(
                        LoadWarning(path, "skipped: symlink loop (a folder inside itself)")
                    )
                elif key in seen:
                    warnings.append(LoadWarning(path, f"skipped: the same folder as {seen[key]}"))
                else:
                    seen[key] = path
                    stack.append((path, ancestors | {key}))
            elif path.suffix.lower() in wanted:
                if stat.S_ISREG(info.st_mode):
                    files.append(path)
                else:
                    warnings.append(LoadWarning(path, f"skipped: {not_regular(info.st_mode)}"))
    return sorted(files), sorted(warnings, key=lambda w: w.path)


def read_file(path: Path, max_bytes: int, setting: str | None = "corpus.max_file_bytes") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``.

    The file is opened non-blocking and checked with ``fstat`` on the open descriptor, so a
    FIFO swapped in after the listing can neither block nor be read, and a device such as
    ``/dev/zero`` is never read.

    Raises
    ------
    SkipFile
        For an unreadable file, a non-regular file, or one larger than ``max_bytes``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise SkipFile(f"cannot read: {os_reason(exc, path)}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SkipFile(not_regular(info.st_mode))
        if info.st_size > max_bytes:
            raise SkipFile(too_large(info.st_size, max_bytes, setting))
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise SkipFile(f"cannot read: {os_reason(exc, path)}") from None
    if len(data) > max_bytes:  # it grew after fstat
        raise SkipFile(too_large(len(data), max_bytes, setting))
    return data


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: a NUL byte in the first 8 KiB, or many control bytes.

    The same sniff git and grep use; text files never hold NUL, and UTF-16 files (which do)
    are not UTF-8 articles either.
    """
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if (byte < 0x20 or byte == 0x7F))
    controls -= sum(sample.count(byte) for byte in _TEXT_CONTROLS)
    return bool(sample) and controls > _BINARY_SHARE * len(sample)


def not_regular(mode: int) -> str:
    """Why a non-regular file is not read, naming its kind."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    kind = next((name for test, name in kinds if test(mode)), "a special file")
    return f"not a regular file ({kind})"


def too_large(size: int, max_bytes: int, setting: str | None) -> str:
    """The skip reason for an oversized file, naming the setting that allows more (if any)."""
    if setting is None:
        return f"file too large ({size:,} bytes, over the limit of {max_bytes:,})"
    return (
        f"file too large ({size:,} bytes, over {setting} = {max_bytes:,}); "
        f"split it or raise {setting}"
    )


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` (creating its folder) through a dot-named ``.tmp`` file in the
    same folder, fsync and a rename, so readers (the loader, a folder watcher, the next start)
    see the old file or the whole new one, never part of it, and a crash leaves no file with
    an article extension behind. The one atomic writer of the bot: articles, feed state,
    index caches and the Discord sync record all go through it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, mode)  # mkstemp's 0600 would hide articles from a bot run as another user
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
