"""Hostile article files: each is skipped with a warning naming the file (and line), the rest load.

Bad input must cost one warning, never the whole corpus (an exception out of the loader), a hang
(a YAML alias bomb) or an unbounded amount of work.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from bot.config.settings import CorpusSettings
from bot.corpus.dedupe import Catalog
from bot.corpus.loader import default_readers, load_corpus
from bot.corpus.model import RawArticle
from bot.corpus.sanitize import clean_text
from tests.test_corpus_faults import GOOD

NEWS = Path(__file__).parent / "fixtures" / "news"
ROW = {"title": "Eel census", "source": "The Vell Courier", "text": "The eels were counted."}


def corpus_settings(folder: Path) -> CorpusSettings:
    return CorpusSettings(path=folder, extensions=(".md", ".jsonl", ".html"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(GOOD, encoding="utf-8")
    return corpus


def warning_about(folder: Path, name: str):
    """Load ``folder``; the good article loaded, and the one warning about ``name``."""
    corpus = load_corpus(corpus_settings(folder))
    assert "good" in [a.id for a in corpus.articles]
    (warning,) = [w for w in corpus.warnings if w.path.name == name]
    return warning


# --------------------------------------------------------------------------- unexpected errors


def test_a_reader_failing_unexpectedly_costs_that_file_only(folder: Path, caplog):
    def broken(path: Path, data: bytes) -> list[RawArticle]:
        raise TypeError("a bug in a reader")

    (folder / "odd.txt").write_text("Eels.\n", encoding="utf-8")
    readers = {**default_readers(), ".txt": broken}
    settings = CorpusSettings(path=folder, extensions=(".md", ".txt"))
    with caplog.at_level(logging.DEBUG, logger="bot.corpus.loader"):
        corpus = load_corpus(settings, readers)
    assert [a.id for a in corpus.articles] == ["good"]
    (warning,) = corpus.warnings
    assert warning.path.name == "odd.txt"
    assert "internal error: TypeError: a bug in a reader" in warning.message
    assert "Traceback" in caplog.text  # the bug is logged, not hidden


def test_an_unexpected_error_in_one_record_costs_that_record_only(folder: Path):
    def half_broken(path: Path, data: bytes) -> list[RawArticle]:
        good = RawArticle("fine", {"title": "Fine"}, "Eels swam.", 1, line=1)
        bad = RawArticle("bad", {}, 12345, 2, line=2)  # type: ignore[arg-type]  # a reader bug
        return [good, bad]

    (folder / "odd.txt").write_text("Eels.\n", encoding="utf-8")
    readers = {**default_readers(), ".txt": half_broken}
    corpus = load_corpus(CorpusSettings(path=folder, extensions=(".md", ".txt")), readers)
    assert sorted(a.id for a in corpus.articles) == ["fine", "good"]
    (warning,) = corpus.warnings
    assert warning.line == 2 and "internal error: TypeError" in warning.message


def test_jsonl_integer_of_5000_digits_is_a_line_warning(folder: Path):
    rows = [json.dumps({**ROW, "id": "counted"}), '{"text": "Eels.", "n": ' + "7" * 5000 + "}"]
    (folder / "bulk.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    corpus = load_corpus(corpus_settings(folder))
    assert sorted(a.id for a in corpus.articles) == ["counted", "good"]
    (warning,) = corpus.warnings
    assert (warning.path.name, warning.line) == ("bulk.jsonl", 2)
    assert "4300 digits" in warning.message


@pytest.mark.parametrize("depth", [100_000, 900])
def test_jsonl_nested_deep_is_a_line_warning(folder: Path, depth: int):
    deep = '{"text": "Eels.", "x": ' + "[" * depth + "]" * depth + "}"
    (folder / "bulk.jsonl").write_text(json.dumps(ROW) + "\n" + deep + "\n", encoding="utf-8")
    warning = warning_about(folder, "bulk.jsonl")
    assert warning.line == 2 and "nested" in warning.message


def test_front_matter_nested_5000_deep_is_a_warning_with_its_line(folder: Path):
    deep = "---\ntitle: Eels\nx: " + "[" * 5000 + "]" * 5000 + "\n---\nEels.\n"
    (folder / "deep.md").write_text(deep, encoding="utf-8")
    warning = warning_about(folder, "deep.md")
    assert warning.line == 3 and "nested more than 64 levels" in warning.message


def test_sidecar_with_an_impossible_date_is_a_named_warning(folder: Path):
    shutil.copy(NEWS / "zorblax-gazette.html", folder / "page.html")
    (folder / "page.html.yaml").write_text("source: Murmur\ndate: 2031-13-45\n", "utf-8")
    warning = warning_about(folder, "page.html")
    assert "sidecar page.html.yaml line 2" in warning.message
    assert "bad date '2031-13-45'" in warning.message


def test_the_catalog_survives_a_reader_failing_unexpectedly(folder: Path, monkeypatch):
    def broken(path: Path, data: bytes) -> list[RawArticle]:
        raise RecursionError("a bug in a reader")

    (folder / "odd.txt").write_text("Eels.\n", encoding="utf-8")
    readers = {**default_readers(), ".txt": broken}
    monkeypatch.setattr("bot.corpus.dedupe.default_readers", lambda: readers)
    catalog = Catalog(CorpusSettings(path=folder, extensions=(".md", ".txt")))
    catalog.refresh()
    assert catalog.ids == {"good"}


# --------------------------------------------------------------------------- YAML aliases


def alias_bomb(levels: int) -> str:
    """Front matter whose last key stands for 10**levels strings, in a few hundred bytes."""
    lines = ["a0: &a0 [eel, eel, eel, eel, eel, eel, eel, eel, eel, eel]"]
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    return "---\ntitle: Eels\n" + "\n".join(lines) + "\n---\nThe eels multiplied.\n"


def test_front_matter_alias_bomb_is_refused_naming_its_line(folder: Path):
    (folder / "bomb.md").write_text(alias_bomb(5), encoding="utf-8")  # 10**5 strings if expanded
    warning = warning_about(folder, "bomb.md")
    assert warning.line == 3
    assert "YAML anchors are not allowed (&a0)" in warning.message


def test_front_matter_alias_is_refused(folder: Path):
    (folder / "alias.md").write_text("---\nt: Eels\ntitle: *t\n---\nEels.\n", encoding="utf-8")
    warning = warning_about(folder, "alias.md")
    assert warning.line == 3 and "aliases are not allowed (*t)" in warning.message


def test_sidecar_alias_bomb_is_refused(folder: Path):
    shutil.copy(NEWS / "zorblax-gazette.html", folder / "page.html")
    front = alias_bomb(5).split("---\n")[1]
    (folder / "page.yaml").write_text(front, encoding="utf-8")
    assert "anchors are not allowed" in warning_about(folder, "page.html").message


# --------------------------------------------------------------------------- bounded work


@pytest.mark.parametrize("opener", ["\x90", "\x98", "\x9d", "\x9e", "\x9f", "\x1b]", "\x1bP"])
@pytest.mark.parametrize("inner", ["\x90", "\x9b", "\x9d", "\x9f"])
def test_a_control_string_ends_at_the_next_introducer(opener: str, inner: str):
    """ECMA-48 allows no C1 control inside a control string, so its payload stops there. That is
    also what keeps cleaning linear: an attempt that finds no terminator reads only up to the
    next introducer, so no character is read by more than one failed attempt (a payload that
    ran past them made 60,000 repeats of U+009D and a letter take 49 s)."""
    assert clean_text(f"{opener}Eel{inner}B\x07C") == "EelC"


@pytest.mark.parametrize(
    ("unit", "kept"),
    [("\x9dx", "x"), ("\x1b]x", "x"), ("\x90x\x9b", "x"), ("\x9b0", "0"), ("\x1b[0", "0")],
)
def test_introducers_without_terminators_leave_their_text(unit: str, kept: str):
    assert clean_text(unit * 20_000) == kept * 20_000


# --------------------------------------------------------------------------- the add catalog


def test_the_catalog_sees_the_files_the_loader_loads_in_symlinked_folders(folder: Path):
    elsewhere = folder.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.md").write_text(GOOD.replace("Zorblax", "Quillfen"), encoding="utf-8")
    (folder / "sub").symlink_to(elsewhere, target_is_directory=True)
    settings = corpus_settings(folder)
    catalog = Catalog(settings)
    catalog.refresh()
    assert catalog.ids == {a.id for a in load_corpus(settings).articles} == {"good", "linked"}


def test_the_catalog_leaves_out_files_over_corpus_max_file_bytes(folder: Path):
    (folder / "huge.md").write_text(GOOD + "The eels went on. " * 100, encoding="utf-8")
    settings = CorpusSettings(path=folder, extensions=(".md",), max_file_bytes=500)
    catalog = Catalog(settings)
    catalog.refresh()
    assert catalog.ids == {a.id for a in load_corpus(settings).articles} == {"good"}
