"""HTML and JSON Lines readers, through the corpus loader (bot.corpus.readers, bot.corpus)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from bot.config.settings import CorpusSettings
from bot.corpus.loader import default_readers, load_corpus

NEWS = Path(__file__).parent / "fixtures" / "news"
EXTENSIONS = (".md", ".html", ".jsonl")


def _load(folder: Path):
    return load_corpus(CorpusSettings(path=folder, extensions=EXTENSIONS))


def test_readers_registered_for_html_and_jsonl():
    readers = default_readers()
    assert {".html", ".htm", ".jsonl"} <= readers.keys()


def test_html_page_gives_title_date_outlet_url_and_paragraphs():
    corpus = _load(NEWS)
    article = next(a for a in corpus.articles if a.id == "zorblax-gazette")
    assert article.title == "Zorblax Accord signed at lighthouse summit"
    assert article.date == dt.date(2024, 3, 14)
    assert article.source == "The Daily Gazette of Nowhere"
    assert article.url == "https://gazette-of-nowhere.example/2024/03/14/zorblax-accord-signed"
    texts = [p.text for p in corpus.passages_of("zorblax-gazette")]
    assert len(texts) == 4
    assert texts[0].startswith("The rulers of Upper Vell and the Marsh of Quill signed")
    assert texts[-1].startswith("Critics in the Quill Assembly")


def test_html_navigation_ads_and_footer_are_left_out():
    corpus = _load(NEWS)
    body = "\n".join(p.text for p in corpus.passages_of("zorblax-gazette"))
    for furniture in (
        "Subscribe",
        "Fog forecasts",
        "Glimmerbrand",
        "SPONSORED",
        "Related stories",
        "lagoon eels you never asked for",
        "All rights reserved",
        "By Ottoline Quibb",  # the byline is metadata, not a paragraph
    ):
        assert furniture not in body


def test_html_sidecar_overrides(tmp_path: Path):
    shutil.copy(NEWS / "zorblax-gazette.html", tmp_path / "page.html")
    (tmp_path / "page.html.yaml").write_text(
        "source: Murmur Wire Service\ndate: 2024-03-13\ndesk: lagoon\n", encoding="utf-8"
    )
    corpus = _load(tmp_path)
    article = corpus.articles[0]
    assert article.source == "Murmur Wire Service"
    assert article.date == dt.date(2024, 3, 13)
    assert article.title == "Zorblax Accord signed at lighthouse summit"  # not overridden
    assert article.metadata["desk"] == "lagoon"


def test_html_sidecar_without_html_in_its_name(tmp_path: Path):
    shutil.copy(NEWS / "zorblax-gazette.html", tmp_path / "page.html")
    (tmp_path / "page.yaml").write_text("title: A better headline\n", encoding="utf-8")
    assert _load(tmp_path).articles[0].title == "A better headline"


def test_malformed_sidecar_is_a_named_warning_and_the_rest_loads(tmp_path: Path):
    shutil.copy(NEWS / "zorblax-gazette.html", tmp_path / "page.html")
    (tmp_path / "page.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    shutil.copy(NEWS / "courier-talks-open.md", tmp_path)
    corpus = _load(tmp_path)
    assert [a.id for a in corpus.articles] == ["courier-talks-open"]
    (warning,) = corpus.warnings
    assert warning.path.name == "page.html"
    assert "sidecar page.yaml" in warning.message


def test_html_without_article_text_is_skipped_with_a_warning(tmp_path: Path):
    (tmp_path / "empty.html").write_text(
        "<html><head><title>Nothing</title></head><body><script>var x = 1;</script></body></html>",
        encoding="utf-8",
    )
    shutil.copy(NEWS / "courier-talks-open.md", tmp_path)
    corpus = _load(tmp_path)
    assert len(corpus.articles) == 1
    assert "no article text" in str(corpus.warnings[0])
    assert "empty.html" in str(corpus.warnings[0])


def test_jsonl_one_article_per_line():
    corpus = _load(NEWS)
    article = next(a for a in corpus.articles if a.id == "courier-rafts-leave")
    assert article.source == "The Vell Courier"
    assert article.date == dt.date(2024, 5, 20)
    assert len(corpus.passages_of("courier-rafts-leave")) == 2


def test_jsonl_bad_lines_warn_with_file_and_line_and_the_others_load(tmp_path: Path):
    good = {"title": "Good", "source": "The Vell Courier", "date": "2024-01-01", "text": "Eels."}
    lines = [
        json.dumps({**good, "id": "first"}),
        '{"title": "Broken", "text": "unterminated',  # line 2: invalid JSON
        "",
        json.dumps({**good, "id": "bad-date", "date": "1 May 2024"}),  # line 4
        json.dumps(["not", "an", "object"]),  # line 5
        json.dumps({"title": "No text"}),  # line 6
        json.dumps({**good, "text": "Generated id."}),  # line 7: id bulk-7
    ]
    (tmp_path / "bulk.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = _load(tmp_path)
    assert [a.id for a in corpus.articles] == ["first", "bulk-7"]
    where = {(w.path.name, w.line) for w in corpus.warnings}
    assert where == {("bulk.jsonl", 2), ("bulk.jsonl", 4), ("bulk.jsonl", 5), ("bulk.jsonl", 6)}
    messages = {w.line: str(w) for w in corpus.warnings}
    assert messages[2].startswith(f"{tmp_path / 'bulk.jsonl'}:2: invalid JSON")
    assert "bad date" in messages[4]
    assert "text" in messages[6]


def test_jsonl_duplicate_ids_warn(tmp_path: Path):
    row = {"id": "same", "title": "T", "text": "Eels again."}
    (tmp_path / "bulk.jsonl").write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n")
    corpus = _load(tmp_path)
    assert len(corpus.articles) == 1
    assert "duplicate article id" in corpus.warnings[0].message


@pytest.mark.parametrize("name", ["blank.html", "blank.jsonl"])
def test_empty_files_warn(tmp_path: Path, name: str):
    (tmp_path / name).write_text("  \n")
    shutil.copy(NEWS / "courier-talks-open.md", tmp_path)
    corpus = _load(tmp_path)
    assert "empty file" in corpus.warnings[0].message


def test_jsonl_paragraphs_of_one_record_all_cite_its_line(tmp_path: Path):
    row = {"id": "eels", "title": "Eels", "text": "The eels left.\n\nThey came back.\n\nThen left."}
    (tmp_path / "bulk.jsonl").write_text("\n" + json.dumps(row) + "\n", encoding="utf-8")
    corpus = _load(tmp_path)
    assert [(p.paragraph, p.line) for p in corpus.passages] == [(1, 2), (2, 2), (3, 2)]


@pytest.mark.parametrize(
    "when",
    ["2031-09-11", "2031-09-11T10:00:00Z", "2031-09-11 23:30:00-05:00", "2031-09-11t1:00:00.5"],
)
def test_a_date_reads_the_same_in_front_matter_quoted_or_not_and_in_jsonl(tmp_path: Path, when):
    (tmp_path / "bare.md").write_text(f"---\ndate: {when}\n---\nEels.\n", encoding="utf-8")
    (tmp_path / "quoted.md").write_text(f"---\ndate: '{when}'\n---\nEels.\n", encoding="utf-8")
    row = {"id": "row", "date": when, "text": "Eels."}
    (tmp_path / "bulk.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    corpus = _load(tmp_path)
    assert not corpus.warnings
    assert {a.id: a.date for a in corpus.articles} == dict.fromkeys(
        ["bare", "quoted", "row"], dt.date(2031, 9, 11)
    )


def test_an_impossible_date_in_jsonl_says_what_is_wrong(tmp_path: Path):
    rows = [{"id": "fine", "text": "Eels."}, {"date": "2031-02-30T10:00:00Z", "text": "Eels."}]
    (tmp_path / "bulk.jsonl").write_text("\n".join(map(json.dumps, rows)) + "\n", "utf-8")
    (warning,) = _load(tmp_path).warnings
    assert warning.line == 2
    assert "bad date '2031-02-30T10:00:00Z' (day is out of range for month)" in warning.message
