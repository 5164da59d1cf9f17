"""Hostile corpus folders: every kind of entry is loaded or named in a warning, never a hang.

Permission cases run the load as a user that file modes bind (see tests/unprivileged.py).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config.settings import CorpusSettings
from bot.corpus.loader import load_corpus
from bot.errors import CorpusError
from tests.unprivileged import as_unprivileged, reachable_dir

GOOD = "---\ntitle: Zorblax Accord\n---\nThe Zorblax Accord was signed by the eel council.\n"


def settings(folder: Path, **changes: object) -> CorpusSettings:
    return CorpusSettings(path=folder, extensions=(".md", ".txt", ".jsonl"), **changes)


def load(folder: Path, **changes: object):
    return load_corpus(settings(folder, **changes))


def only_warning(corpus, name: str) -> str:
    """The one warning about ``name``; the good article loaded beside it."""
    assert [a.id for a in corpus.articles] == ["good"]
    (warning,) = [w for w in corpus.warnings if w.path.name == name]
    return str(warning)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(GOOD, encoding="utf-8")
    return corpus


# --------------------------------------------------------------------------- links and types


def test_symlink_loop_is_a_named_warning(folder: Path):
    (folder / "loop.md").symlink_to("loop.md")
    assert "symlink loop" in only_warning(load(folder), "loop.md")


def test_two_link_cycle_is_a_named_warning(folder: Path):
    (folder / "a.md").symlink_to("b.md")
    (folder / "b.md").symlink_to("a.md")
    corpus = load(folder)
    assert {w.path.name for w in corpus.warnings} == {"a.md", "b.md"}
    assert all("symlink loop" in w.message for w in corpus.warnings)


def test_folder_link_back_to_an_ancestor_is_a_loop_not_a_hang(folder: Path):
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to("..")
    assert "symlink loop" in only_warning(load(folder), "up")


def test_dangling_link_names_its_target(folder: Path):
    (folder / "gone.md").symlink_to("nowhere.md")
    message = only_warning(load(folder), "gone.md")
    assert "dangling symlink" in message and "nowhere.md" in message


def test_fifo_is_never_opened(folder: Path):
    os.mkfifo(folder / "pipe.md")
    assert "not a regular file (a FIFO)" in only_warning(load(folder), "pipe.md")


def test_link_to_dev_zero_is_never_read(folder: Path):
    (folder / "zero.md").symlink_to("/dev/zero")
    assert "not a regular file (a character device)" in only_warning(load(folder), "zero.md")


def test_fifo_without_an_article_extension_is_ignored_like_any_other_file(folder: Path):
    os.mkfifo(folder / "pipe.csv")
    assert load(folder).warnings == ()


def test_linked_folder_is_followed(folder: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "far.md").write_text("An eel crossed the marsh of Quill.\n", encoding="utf-8")
    (folder / "linked").symlink_to(elsewhere)
    assert sorted(a.id for a in load(folder).articles) == ["far", "good"]


# --------------------------------------------------------------------------- contents


def test_file_of_nul_bytes_is_skipped(folder: Path):
    (folder / "nul.md").write_bytes(b"\x00" * 4096)
    assert "binary data" in only_warning(load(folder), "nul.md")


def test_mostly_binary_file_is_skipped(folder: Path):
    (folder / "blob.txt").write_bytes(bytes(range(1, 9)) * 200 + b"some words\n")
    assert "binary data" in only_warning(load(folder), "blob.txt")


def test_text_with_a_few_escapes_is_not_binary(folder: Path):
    (folder / "ansi.md").write_text("\x1b[1mBold\x1b[0m eels swam north.\n", encoding="utf-8")
    corpus = load(folder)
    assert corpus.warnings == ()
    assert corpus.passages_of("ansi")[0].text == "Bold eels swam north."


def test_oversized_file_is_skipped_naming_the_setting(folder: Path):
    (folder / "huge.md").write_text("Eels. " * 200, encoding="utf-8")
    message = only_warning(load(folder, max_file_bytes=1000), "huge.md")
    assert "file too large (1,200 bytes" in message
    assert "corpus.max_file_bytes = 1,000" in message


# --------------------------------------------------------------------------- the folder itself


def test_corpus_path_that_is_a_symlink_loop(tmp_path: Path):
    (tmp_path / "loop").symlink_to("loop")
    with pytest.raises(CorpusError, match=r"corpus\.path .*loop: symlink loop"):
        load(tmp_path / "loop")


def test_corpus_path_that_is_a_dangling_link(tmp_path: Path):
    (tmp_path / "corpus").symlink_to(tmp_path / "deleted")
    with pytest.raises(CorpusError, match=r"corpus\.path .*: dangling symlink"):
        load(tmp_path / "corpus")


def test_corpus_path_that_is_a_file(tmp_path: Path):
    (tmp_path / "corpus.md").write_text(GOOD, encoding="utf-8")
    with pytest.raises(CorpusError, match="must be a folder"):
        load(tmp_path / "corpus.md")


# --------------------------------------------------------------------------- permissions


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A corpus folder with one good article that ``nobody`` can reach."""
    with reachable_dir() as top:
        corpus = top / "corpus"
        corpus.mkdir(mode=0o755)
        (corpus / "good.md").write_text(GOOD, encoding="utf-8")
        (corpus / "good.md").chmod(0o644)
        yield corpus


def test_unreadable_file_says_permission_denied(open_folder: Path):
    secret = open_folder / "secret.md"
    secret.write_text(GOOD, encoding="utf-8")
    secret.chmod(0)
    with as_unprivileged():
        corpus = load(open_folder)
    message = only_warning(corpus, "secret.md")
    assert "cannot read: permission denied" in message


def test_unreadable_subfolder_says_permission_denied(open_folder: Path):
    sub = open_folder / "locked"
    sub.mkdir()
    (sub / "inside.md").write_text(GOOD, encoding="utf-8")
    sub.chmod(0)
    with as_unprivileged():
        corpus = load(open_folder)
    assert "folder skipped: permission denied" in only_warning(corpus, "locked")


def test_unreadable_corpus_folder_says_permission_denied(open_folder: Path):
    open_folder.chmod(0)
    with as_unprivileged(), pytest.raises(CorpusError) as err:
        load(open_folder)
    assert "permission denied" in str(err.value)
    assert "no articles could be loaded" not in str(err.value)


def test_permission_cases_really_ran_unprivileged(open_folder: Path):
    """Guard: inside the block a mode-000 file is unreadable, so the tests above can fail."""
    secret = open_folder / "secret.md"
    secret.write_text(GOOD, encoding="utf-8")
    secret.chmod(0)
    with as_unprivileged():
        readable = os.access(secret, os.R_OK, effective_ids=True)
    assert not readable
    assert stat.S_IMODE(secret.stat().st_mode) == 0
