"""``talks-bot add`` and ``talks-bot feeds`` as a user runs them: output, errors, exit status."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import build_parser, main
from bot.config.settings import load_settings
from bot.corpus.loader import load_corpus
from bot.corpus.readers import split_front_matter
from tests.conftest import REPO
from tests.httpfixture import (  # noqa: F401  (site_fixture provides the site fixture)
    Entry,
    Reply,
    article_html,
    link_page,
    paragraphs,
    rss,
    site_fixture,
)

FERRY = "Glimmerfen reopens the Wobble ferry"
FERRY_ID = "2020-05-02-glimmerfen-reopens-the-wobble-ferry"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "corpus").mkdir()
    return tmp_path


def options(folder: Path) -> list[str]:
    return [
        "--config",
        str(REPO / "config.yaml"),
        "--set",
        f"corpus.path={folder / 'corpus'}",
        "--set",
        f"cache_dir={folder / 'cache'}",
        "--set",
        "ingest.timeout_seconds=0.5",
    ]


def run(folder: Path, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main([*options(folder), *argv], stdout=out)
    return code, out.getvalue()


def test_add_prints_id_title_outlet_date_and_passages(site, folder):
    url = site.page("/news/ferry", article_html(FERRY, paragraphs("ferry")))
    code, out = run(folder, "add", url)
    assert code == 0
    assert out == f"added {FERRY_ID}: {FERRY} (The Quillmoor Gazette, 2020-05-02, 4 passages)\n"
    meta, *_ = split_front_matter((folder / "corpus" / f"{FERRY_ID}.md").read_text())
    assert meta["title"] == FERRY and meta["source"] == "The Quillmoor Gazette"
    assert str(meta["date"]) == "2020-05-02" and meta["url"] == url


def test_adding_it_again_says_so_and_adds_nothing(site, folder):
    url = site.page("/news/ferry", article_html(FERRY, paragraphs("ferry")))
    run(folder, "add", url)
    code, out = run(folder, "add", url + "/?utm_source=newsletter")
    assert code == 0
    assert out.startswith(f"unchanged {url}/?utm_source=newsletter: already in the corpus as ")
    assert out.endswith(f"{FERRY_ID} (the same URL)\n")
    assert len(list((folder / "corpus").iterdir())) == 1


def test_every_source_is_tried_and_any_failure_exits_2(site, folder, capsys):
    good = site.page("/news/ferry", article_html(FERRY, paragraphs("ferry")))
    front = site.page("/world", link_page())
    slow = site.route("/slow", lambda _: Reply(200, b"<html></html>", delay=5))
    pdf = site.page("/a.pdf", b"%PDF-1.4 invented", "application/pdf")
    missing = site.url("/missing")
    code, out = run(folder, "add", missing, front, slow, pdf, good)
    assert code == 2
    assert out.startswith(f"added {FERRY_ID}: ")
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        f"talks-bot: error: {missing}: HTTP 404 Not Found",
        f"talks-bot: error: {front}: not an article: no article text found in the page"
        " (is it a news article?)",
        f"talks-bot: error: {slow}: timed out after 0.5 s",
        f"talks-bot: error: {pdf}: not an HTML page (application/pdf)",
    ]
    settings = load_settings(REPO / "config.yaml", [f"corpus.path={folder / 'corpus'}"])
    assert [a.id for a in load_corpus(settings.corpus).articles] == [FERRY_ID]


def test_add_a_local_file(folder, tmp_path):
    path = tmp_path / "owl_census.txt"
    path.write_text("\n".join(paragraphs("census")), encoding="utf-8")
    code, out = run(folder, "add", str(path))
    assert (code, out) == (
        0,
        "added owl-census: owl census (unknown outlet, undated, 4 passages)\n",
    )


def test_a_missing_corpus_folder_is_one_line_and_exit_2(folder, capsys):
    (folder / "corpus").rmdir()
    code, _ = run(folder, "add", "http://127.0.0.1:9/x")
    assert code == 2
    assert capsys.readouterr().err.startswith("talks-bot: error: ")


def test_feeds_polls_once_and_a_second_run_adds_nothing(site, folder, capsys):
    page = site.page("/news/ferry", article_html(FERRY, paragraphs("ferry")))
    feed = site.page("/rss", rss([Entry(page, "Ferry")]), "application/rss+xml")
    broken = site.url("/broken.xml")
    argv = ["--set", f"feeds.urls=[{feed}, {broken}]", "feeds"]
    code, out = run(folder, *argv)
    assert code == 0
    assert out.splitlines() == [
        f"added {FERRY_ID}: {FERRY} (The Quillmoor Gazette, 2020-05-02, 4 passages)",
        "1 new article, 0 already in the corpus, from 2 feeds (1 broken)",
    ]
    assert capsys.readouterr().err == f"talks-bot: warning: feed {broken}: HTTP 404 Not Found\n"
    code, out = run(folder, *argv)
    assert (code, out) == (0, "0 new articles, 0 already in the corpus, from 2 feeds (1 broken)\n")


def test_feeds_url_option_overrides_the_config(site, folder):
    page = site.page("/news/ferry", article_html(FERRY, paragraphs("ferry")))
    feed = site.page("/rss", rss([Entry(page, "Ferry")]), "application/rss+xml")
    code, out = run(folder, "feeds", "--url", feed)
    assert code == 0 and out.startswith(f"added {FERRY_ID}")


def test_feeds_with_nothing_to_poll_is_a_usage_error(folder, capsys):
    code, _ = run(folder, "feeds")
    assert code == 2
    assert "no feeds to poll" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["add", "feeds"])
def test_commands_have_help(command):
    sub = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert sub[command].format_help().strip()


def test_python_m_bot_add_in_a_subprocess(site, folder):
    url = site.page("/news/ferry", article_html(FERRY, paragraphs("ferry")))
    result = subprocess.run(
        [sys.executable, "-m", "bot", *options(folder), "add", url, site.url("/nope")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout.startswith(f"added {FERRY_ID}: ")
    assert result.stderr == f"talks-bot: error: {site.url('/nope')}: HTTP 404 Not Found\n"


@pytest.mark.parametrize(
    ("argv", "module"),
    [
        (["add", "http://127.0.0.1:9/x"], "httpx"),
        (["feeds", "--url", "http://127.0.0.1:9/f"], "feedparser"),
    ],
)
def test_without_the_html_extra_it_is_one_line_naming_the_install(
    folder, capsys, monkeypatch, argv, module
):
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    code, _ = run(folder, *argv)
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'talks-bot[html]'" in err
