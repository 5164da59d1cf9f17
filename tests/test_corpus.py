"""Corpus loading: furniture, headings, numbering, and every bad-input case."""

from __future__ import annotations

import pytest

from bot.config.settings import load_settings
from bot.corpus.loader import load_corpus
from bot.corpus.passages import heading_text, split_paragraphs
from bot.errors import CorpusError
from tests.conftest import REPO

SEED = REPO.parent / "shared" / "seed" / "000_e64bdc90510bce59.txt"


@pytest.fixture(scope="module")
def shipped(settings):
    return load_corpus(settings.corpus)


def test_shipped_article_body_is_byte_for_byte_the_scraped_seed():
    if not SEED.exists():
        pytest.skip("shared seed not present")
    shipped_text = (REPO / "corpus" / "000_e64bdc90510bce59.txt").read_bytes()
    assert shipped_text.endswith(SEED.read_bytes())


def test_shipped_article_metadata(shipped):
    (article,) = shipped.articles
    assert article.id == "000_e64bdc90510bce59"
    assert article.date.isoformat() == "2018-09-11"
    assert article.source is None and article.url is None
    assert article.metadata["photo_credit"] == "AFP/Saul Loeb"


def test_shipped_article_has_23_paragraphs_without_furniture(shipped):
    texts = [p.text for p in shipped.passages]
    assert len(texts) == 23
    assert [p.paragraph for p in shipped.passages] == list(range(1, 24))
    joined = "\n".join(texts)
    assert "What the stars mean" not in joined
    assert "★" not in joined
    assert "(Photo:" not in joined
    assert texts[0].startswith('"It was a very warm, very positive letter,"')
    assert texts[-1].endswith('there are reasons for optimism," he said.')


def test_caption_is_metadata_not_a_passage(shipped):
    (article,) = shipped.articles
    assert len(article.captions) == 1
    assert "AFP/Saul Loeb" in article.captions[0]


def test_all_caps_headings_become_sections(shipped):
    by_number = {p.paragraph: p for p in shipped.passages}
    assert by_number[9].section is None
    assert by_number[10].section == "STILL WAITING"
    assert by_number[18].section == "WINDOW OF OPPORTUNITY"
    assert not any(
        p.text.strip('"') in ("STILL WAITING", "WINDOW OF OPPORTUNITY") for p in shipped.passages
    )


def test_passage_line_points_into_the_file(shipped):
    lines = (REPO / "corpus" / "000_e64bdc90510bce59.txt").read_text().splitlines()
    for p in shipped.passages:
        assert lines[p.line - 1] == p.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"STILL WAITING"', "STILL WAITING"),
        ("WINDOW OF OPPORTUNITY", "WINDOW OF OPPORTUNITY"),
        ("## Talks resume", "Talks resume"),
        ("# Summit by the lake #", "Summit by the lake"),
        ("NATO.", None),
        ("The talks resumed.", None),
        ("A", None),
        ("THIS LINE IS FAR TOO LONG TO BE A HEADING OF ANY REASONABLE KIND AT ALL", None),
    ],
)
def test_heading_detection(text, expected):
    assert heading_text(text, max_words=8) == expected


def test_blank_lines_separate_paragraphs_else_lines_do():
    assert [t for _, t in split_paragraphs("a\nb\n\nc\n")] == ["a\nb", "c"]
    assert [t for _, t in split_paragraphs("a\nb\nc\n")] == ["a", "b", "c"]
    assert [n for n, _ in split_paragraphs("\n\na\n\nb", first_line=5)] == [7, 9]


def test_markdown_sections_and_extra_metadata(invented_service):
    corpus = invented_service.answerer.corpus
    summit = corpus.passages_of("01_teapot_summit")
    assert [p.section for p in summit] == ["Summit by the lake", "Summit by the lake", "Reactions"]
    defence = next(a for a in corpus.articles if a.id == "04_defence_centre")
    assert defence.metadata == {"extra_note": "invented for tests"}
    assert defence.source == "The Imaginary Herald"


GOOD = "---\ntitle: Fine\ndate: 2031-01-01\n---\nThe Zorblax Accord was signed.\n"


def test_malformed_front_matter_names_file_and_line(write_corpus):
    settings = write_corpus(
        {"good.md": GOOD, "bad.md": "---\ntitle: ok\ndate: [unclosed\n---\nText here.\n"}
    )
    corpus = load_corpus(settings.corpus)
    assert [a.id for a in corpus.articles] == ["good"]
    (warning,) = corpus.warnings
    assert warning.path.name == "bad.md"
    assert warning.line == 4
    assert "malformed front matter" in str(warning)
    assert str(warning).startswith(str(warning.path) + ":4:")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("---\ndate: 2031-13-45\n---\nText.\n", "bad date"),
        ("---\ndate: 01/02/2031\n---\nText.\n", "bad date"),
        ("", "empty file"),
        ("   \n\n", "empty file"),
        ("---\ntitle: never closed\nText.\n", "never closed"),
        ("---\n- a\n- list\n---\nText.\n", "must be a mapping"),
        ("---\ntitle: x\n---\n", "no article text"),
        ("---\ntitle: [a, b]\n---\nText.\n", "must be text"),
    ],
)
def test_bad_files_are_skipped_with_a_named_warning(write_corpus, content, message):
    settings = write_corpus({"good.md": GOOD, "bad.md": content})
    corpus = load_corpus(settings.corpus)
    assert [a.id for a in corpus.articles] == ["good"]
    assert len(corpus.warnings) == 1
    assert corpus.warnings[0].path.name == "bad.md"
    assert message in corpus.warnings[0].message


def test_non_utf8_names_the_line(write_corpus):
    settings = write_corpus(
        {"good.md": GOOD, "latin1.txt": "line one\ncaf\xe9 two\n".encode("latin-1")}
    )
    corpus = load_corpus(settings.corpus)
    (warning,) = corpus.warnings
    assert warning.line == 2 and "not UTF-8" in warning.message


def test_utf8_bom_and_crlf_are_fine(write_corpus):
    settings = write_corpus({"bom.md": "\ufeff---\r\ntitle: BOM\r\n---\r\nOne.\r\n\r\nTwo.\r\n"})
    corpus = load_corpus(settings.corpus)
    assert [p.text for p in corpus.passages] == ["One.", "Two."]
    assert corpus.articles[0].title == "BOM"


def test_missing_corpus_is_a_clear_error(tmp_path):
    settings = load_settings(REPO / "config.yaml", [f"corpus.path={tmp_path / 'none'}"])
    with pytest.raises(CorpusError, match="corpus folder not found"):
        load_corpus(settings.corpus)


def test_empty_corpus_is_a_clear_error(write_corpus):
    settings = write_corpus({"notes.csv": "not an article"})
    with pytest.raises(CorpusError, match="no articles could be loaded"):
        load_corpus(settings.corpus)


def test_corpus_of_only_bad_files_says_so(write_corpus):
    settings = write_corpus({"a.md": "", "b.md": b"\xff\xfe"})
    with pytest.raises(CorpusError, match=r"2 file\(s\) skipped"):
        load_corpus(settings.corpus)


def test_title_defaults_to_the_file_name(write_corpus):
    settings = write_corpus({"zorblax_accord-notes.md": "Just text.\n"})
    assert load_corpus(settings.corpus).articles[0].title == "zorblax accord notes"


def test_a_large_corpus_reports_progress_while_it_is_read(write_corpus, monkeypatch, caplog):
    """Reading thousands of files takes seconds: progress is shown (log lines when stderr is
    not a terminal), so a cold start never sits silent before the index's bar."""
    import logging

    from bot.corpus import loader

    settings = write_corpus(
        {f"{i:02d}.md": f"Gribble item {i} of the teapot census.\n" for i in range(12)}
    )
    monkeypatch.setattr(loader, "PROGRESS_FILES", 10)
    with caplog.at_level(logging.INFO, logger="bot.progress"):
        corpus = loader.load_corpus(settings.corpus)
    assert len(corpus.articles) == 12
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.progress"]
    assert any("reading articles" in line for line in lines), lines
    monkeypatch.setattr(loader, "PROGRESS_FILES", 100)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.progress"):
        loader.load_corpus(settings.corpus)
    assert not [r for r in caplog.records if r.name == "bot.progress"]  # small: silent
