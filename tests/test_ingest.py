"""Adding articles (bot.corpus.fetch, dedupe, ingest) against a local server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.corpus.fetch import clean_url, url_key
from bot.corpus.files import write_atomic
from bot.corpus.ingest import Added, Duplicate, IngestError, add_source
from bot.corpus.loader import load_corpus
from tests.httpfixture import (  # noqa: F401  (site_fixture provides the site fixture)
    Reply,
    Site,
    article_html,
    ingest_settings,
    link_page,
    paragraphs,
    site_fixture,
)

TITLE = "Glimmerfen reopens the Wobble ferry"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return ingest_settings(tmp_path, "ingest.max_bytes=20000")


def corpus_files(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.corpus.path.iterdir())


def ferry(site: Site) -> str:
    return site.page("/news/ferry", article_html(TITLE, paragraphs("ferry")))


# --------------------------------------------------------------------------- URLs


def test_a_page_becomes_one_markdown_file_the_loader_reads_back(site, settings):
    added = add_source(settings, ferry(site))
    assert isinstance(added, Added)
    assert corpus_files(settings) == [f"{added.id}.md"]
    assert added.id == "2020-05-02-glimmerfen-reopens-the-wobble-ferry"
    corpus = load_corpus(settings.corpus)
    (article,) = corpus.articles
    assert article.id == added.id and article.title == TITLE
    assert article.source == "The Quillmoor Gazette" and str(article.date) == "2020-05-02"
    assert article.url == site.url("/news/ferry")
    assert added.passages == len(corpus.passages_of(added.id)) == 4
    assert corpus.passages[0].text == paragraphs("ferry")[0]
    text = added.path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Glimmerfen reopens the Wobble ferry\nsource: The Quillmoor")


def test_requests_name_talks_bot_in_the_user_agent(site, settings):
    add_source(settings, ferry(site))
    assert site.hits("/news/ferry")[0].headers["user-agent"].startswith("talks-bot/")


@pytest.mark.parametrize(
    "variant",
    [
        "{u}/",
        "{u}?utm_source=feed&utm_medium=rss",
        "{u}#comments",
        "HTTP://127.0.0.1:{port}/news/ferry",
    ],
)
def test_the_same_url_normalised_adds_nothing_and_is_not_fetched_again(site, settings, variant):
    first = add_source(settings, ferry(site))
    assert isinstance(first, Added)
    port = site.url("/").rsplit(":", 1)[1].strip("/")
    again = add_source(settings, variant.format(u=site.url("/news/ferry"), port=port))
    assert again == Duplicate(again.source, first.id, "url")
    assert len(site.hits("/news/ferry")) == 1
    assert corpus_files(settings) == [f"{first.id}.md"]


def test_the_same_text_under_another_url_adds_nothing(site, settings):
    first = add_source(settings, ferry(site))
    copy = site.page("/syndicated/ferry-copy", article_html("Ferry back", paragraphs("ferry")))
    again = add_source(settings, copy)
    assert isinstance(again, Duplicate) and again.by == "text" and again.article_id == first.id
    assert len(corpus_files(settings)) == 1


def test_redirects_are_followed_and_the_final_url_is_stored(site, settings):
    target = ferry(site)
    start = site.route("/r", lambda _: Reply(302, headers={"Location": "/news/ferry"}))
    added = add_source(settings, start)
    assert isinstance(added, Added) and added.url == target
    assert isinstance(add_source(settings, target), Duplicate)


def test_tracking_parameters_are_left_out_of_the_stored_url(site, settings):
    ferry(site)
    added = add_source(settings, site.url("/news/ferry?id=7&utm_campaign=spring&fbclid=x"))
    assert isinstance(added, Added) and added.url == site.url("/news/ferry?id=7")


def test_url_keys_ignore_case_of_scheme_and_host_trailing_slash_and_tracking():
    assert url_key("HTTPS://Example.ORG:443/a/b/?utm_source=x&q=1#top") == "example.org/a/b?q=1"
    assert url_key("http://example.org/a/b?q=1") == url_key("https://example.org/a/b/?q=1")
    assert url_key("http://example.org/a") != url_key("http://example.org/A")
    assert clean_url("http://user:pw@Example.org:8080/x?gclid=1") == "http://example.org:8080/x"


def test_page_metadata_gaps_fall_back_to_the_host(site, settings):
    url = site.page("/bare", article_html("Owls audit the teapots", paragraphs("owl"), None, None))
    added = add_source(settings, url)
    assert isinstance(added, Added)
    assert added.source == "127.0.0.1" and added.date is None
    assert added.id == "owls-audit-the-teapots"


def test_control_characters_in_a_page_never_reach_the_corpus(site, settings):
    body = [p.replace("seven owls", "seven \x1b[31mowls\x07") for p in paragraphs("ink")]
    url = site.page("/ink", article_html("Ink \x1b]0;pwned\x07 spill", body))
    added = add_source(settings, url)
    assert isinstance(added, Added)
    text = added.path.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text and "\x1b" not in added.title


def bad(site: Site, kind: str) -> str:
    """A URL that fails in the way ``kind`` names."""
    big = article_html("Huge", paragraphs("huge", 200))
    replies = {
        "404": Reply(404, b"<h1>gone</h1>"),
        "500": Reply(500, b"oops"),
        "timeout": Reply(200, b"<html></html>", delay=5),
        "pdf": Reply(200, b"%PDF-1.4 invented", {"Content-Type": "application/pdf"}),
        "json": Reply(200, b'{"teapots": 3}', {"Content-Type": "application/json"}),
        "too large": Reply(200, big.encode(), {"Content-Type": "text/html"}),
        "too large, undeclared": Reply(
            200, big.encode(), {"Content-Type": "text/html"}, declare_length=False
        ),
        "not an article": Reply(200, link_page().encode(), {"Content-Type": "text/html"}),
        "too short": Reply(
            200, article_html("Brief", ["One owl spoke."]).encode(), {"Content-Type": "text/html"}
        ),
        "empty": Reply(200, b"", {"Content-Type": "text/html"}),
    }
    if kind == "redirect loop":
        return site.route("/loop", lambda _: Reply(302, headers={"Location": "/loop"}))
    return site.route(f"/{kind.replace(' ', '-')}", lambda _: replies[kind])


FAILURES = {
    "404": "HTTP 404 Not Found",
    "500": "HTTP 500",
    "timeout": "timed out after 0.5 s",
    "pdf": "not an HTML page (application/pdf)",
    "json": "not an HTML page (application/json)",
    "too large": "too large: ",
    "too large, undeclared": "too large: more than 20000 bytes",
    "not an article": "not an article: no article text",
    "too short": "not an article: 3 words of main text",
    "empty": "not an article: the page is empty",
    "redirect loop": "more than 5 redirects",
}


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_each_failure_is_one_line_naming_the_url_and_writes_nothing(site, settings, kind):
    url = bad(site, kind)
    with pytest.raises(IngestError) as caught:
        add_source(settings, url)
    message = str(caught.value)
    assert message.startswith(f"{url}: ") and FAILURES[kind] in message
    assert "\n" not in message
    assert corpus_files(settings) == []
    assert caught.value.transient == (kind in ("timeout", "500"))


def test_unreachable_server_is_a_transient_one_line_error(settings):
    url = "http://127.0.0.1:9/nothing-listens-here"
    with pytest.raises(IngestError, match=r"^http://127\.0\.0\.1:9/nothing-listens-here: cannot"):
        add_source(settings, url)


@pytest.mark.parametrize("source", ["ftp://127.0.0.1/a.html", "file:///etc/passwd"])
def test_other_schemes_are_refused(settings, source):
    with pytest.raises(IngestError, match="not an http:// or https:// URL"):
        add_source(settings, source)


# --------------------------------------------------------------------------- local files


def test_local_markdown_keeps_its_front_matter(settings, tmp_path):
    path = tmp_path / "kettle.md"
    body = "\n\n".join(paragraphs("kettle"))
    front = "---\ntitle: Kettle accord\nsource: The Noodleshire Echo\ndate: 2020-06-01\n"
    path.write_text(f"{front}desk: owls\n---\n{body}\n", encoding="utf-8")
    added = add_source(settings, str(path))
    assert isinstance(added, Added) and added.id == "2020-06-01-kettle-accord"
    (article,) = load_corpus(settings.corpus).articles
    assert (article.title, article.source) == ("Kettle accord", "The Noodleshire Echo")
    assert article.metadata == {"desk": "owls"}
    assert isinstance(add_source(settings, str(path)), Duplicate)


def test_local_text_and_html_files(settings, tmp_path):
    txt = tmp_path / "marmalade_report.txt"
    txt.write_text("\n".join(paragraphs("marmalade")), encoding="utf-8")
    html = tmp_path / "saved.html"
    html.write_text(article_html("Owl census", paragraphs("census")), encoding="utf-8")
    first, second = add_source(settings, str(txt)), add_source(settings, str(html))
    assert isinstance(first, Added) and first.title == "marmalade report" and first.passages == 4
    assert isinstance(second, Added) and second.source == "The Quillmoor Gazette"
    assert len(load_corpus(settings.corpus).articles) == 2


def test_a_file_already_in_the_corpus_is_a_duplicate_by_text(settings):
    (settings.corpus.path / "old.txt").write_text("\n".join(paragraphs("old")), encoding="utf-8")
    copy = settings.corpus.path.parent / "copy.md"
    copy.write_text("\n\n".join(paragraphs("old")), encoding="utf-8")
    assert add_source(settings, str(copy)) == Duplicate(str(copy), "old", "text")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.pdf", b"%PDF", "unsupported file type .pdf"),
        ("missing.md", None, "cannot read"),
        ("latin.txt", "caf\xe9 owls".encode("latin-1"), "not UTF-8 text"),  # line 1: see below
        ("empty.html", b"   ", "not an article: the page is empty"),
    ],
)
def test_bad_local_files_are_one_line_errors(settings, tmp_path, name, content, reason):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(IngestError) as caught:
        add_source(settings, str(path))
    where = f"{path}:1: " if name == "latin.txt" else f"{path}: "  # a line when there is one
    assert str(caught.value).startswith(where) and reason in str(caught.value)
    assert corpus_files(settings) == []


def test_a_fifo_is_refused_and_never_read(settings, tmp_path):
    fifo = tmp_path / "owls.md"
    os.mkfifo(fifo)

    def write() -> None:  # so that a plain read would get an article instead of blocking
        with contextlib.suppress(OSError), open(fifo, "w", encoding="utf-8") as handle:
            handle.write("\n\n".join(paragraphs("fifo")))

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        with pytest.raises(IngestError, match=r"owls\.md: not a regular file \(a FIFO\)"):
            add_source(settings, str(fifo))
    finally:
        with contextlib.suppress(OSError):  # release the writer if the add never opened it
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(5)
    assert corpus_files(settings) == []


def test_a_link_to_a_device_is_refused_and_never_read(settings, tmp_path):
    link = tmp_path / "owls.md"
    link.symlink_to("/dev/null")  # the same check refuses /dev/zero, which a read never ends
    with pytest.raises(IngestError, match=r"not a regular file \(a character device\)"):
        add_source(settings, str(link))


def test_a_file_over_corpus_max_file_bytes_is_refused(tmp_path):
    settings = ingest_settings(tmp_path, "corpus.max_file_bytes=1000")
    path = tmp_path / "long.md"
    path.write_text("\n\n".join(paragraphs("long", 8)), encoding="utf-8")
    with pytest.raises(IngestError, match=r"file too large .* corpus\.max_file_bytes = 1,000"):
        add_source(settings, str(path))


def test_escape_sequences_are_removed_whole_not_left_as_remnants(settings, tmp_path):
    path = tmp_path / "escapes.md"
    body = "\n\n".join(paragraphs("escape"))
    front = "---\ntitle: Owls \x1b[1mshout\x1b[0m\n---\n"
    path.write_text(f"{front}\x1b[31mRed\x1b[0m {body}\x1b]0;pwned\x07 end\n", encoding="utf-8")
    added = add_source(settings, str(path))
    assert isinstance(added, Added) and added.title == "Owls shout"
    text = added.path.read_text(encoding="utf-8")
    assert "Red Officials in" in text and "pwned" not in text and "[31m" not in text
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)


@pytest.mark.parametrize(
    ("front", "line", "reason"),
    [
        ("title: Owls\nurl: [unclosed\n", 4, "malformed front matter"),
        ("title: Owls\nsource: Echo\ndate: '2020-13-45'\n", 4, "bad date '2020-13-45'"),
        ("title: Owls\ndate: 2020-13-45\n", 3, "bad date '2020-13-45'"),
        ("title: [Owls, Echo]\n", 2, "must be text"),
    ],
)
def test_bad_front_matter_is_refused_naming_the_line_as_the_loader_does(
    settings, tmp_path, front, line, reason
):
    path = tmp_path / "owls.md"
    path.write_text(f"---\n{front}---\n{paragraphs('owls')[0]}\n", encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        add_source(settings, str(path))
    assert str(caught.value).startswith(f"{path}:{line}: ") and reason in str(caught.value)
    assert corpus_files(settings) == []


def test_slugs_never_overwrite_an_existing_article(settings, tmp_path):
    for n, topic in enumerate(("tea", "toast")):
        path = tmp_path / f"{n}.md"
        path.write_text(f"---\ntitle: Same title\n---\n{paragraphs(topic)[0]}\n", encoding="utf-8")
        add_source(settings, str(path))
    assert corpus_files(settings) == ["same-title-2.md", "same-title.md"]


def test_a_missing_corpus_folder_is_a_corpus_error(settings):
    settings.corpus.path.rmdir()
    with pytest.raises(Exception, match="corpus folder not found"):
        add_source(settings, "http://127.0.0.1:9/x")


# --------------------------------------------------------------------------- atomic writes


def test_a_failed_write_leaves_nothing_behind(site, settings, monkeypatch):
    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        add_source(settings, ferry(site))
    assert corpus_files(settings) == []


def test_the_loader_ignores_a_temporary_file_left_by_a_crash(settings, tmp_path):
    (settings.corpus.path / "kept.md").write_text(paragraphs("kept")[0], encoding="utf-8")
    (settings.corpus.path / ".kept2.md.x1y2.tmp").write_text("half an arti", encoding="utf-8")
    corpus = load_corpus(settings.corpus)
    assert [a.id for a in corpus.articles] == ["kept"] and not corpus.warnings


def test_write_atomic_replaces_whole_files(tmp_path):
    target = tmp_path / "state.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two" and os.listdir(tmp_path) == ["state.json"]


def test_two_threads_adding_the_same_url_write_it_once(site, settings):
    url = ferry(site)
    outcomes: list[Added | Duplicate] = []
    threads = [
        threading.Thread(target=lambda: outcomes.append(add_source(settings, url)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["Added", "Duplicate"]
    assert len(corpus_files(settings)) == 1
