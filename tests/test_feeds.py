"""Following RSS/Atom feeds (bot.corpus.feeds) against a local server on 127.0.0.1, and the
running bot polling them (its feeds cog, against the fake Discord)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.corpus.feeds import FeedPoll, poll_feeds, state_path
from bot.corpus.ingest import add_source
from bot.corpus.loader import load_corpus
from bot.frontends.discord.hooks import NewArticle, hooks_from_settings
from bot.service.answer_service import AnswerService
from tests.discord_harness import (
    corpus_copy,
    description,
    fake_discord,
    running_bot,
    settings_for,
    slash,
)
from tests.httpfixture import (  # noqa: F401  (site_fixture provides the site fixture)
    Entry,
    Handler,
    Reply,
    Request,
    Site,
    article_html,
    atom,
    ingest_settings,
    paragraphs,
    rss,
    site_fixture,
)

RSS_TYPE = {"Content-Type": "application/rss+xml"}
STAMP = "Sun, 03 May 2020 08:00:00 GMT"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return ingest_settings(tmp_path)


def stories(site: Site, *topics: str, **page: str | None) -> list[Entry]:
    """Serve one article page per topic; return feed entries pointing at them."""
    entries = []
    for topic in topics:
        html = article_html(f"The {topic} talks resume", paragraphs(topic), **page)  # type: ignore[arg-type]
        entries.append(Entry(site.page(f"/news/{topic}", html), f"Feed title: {topic}"))
    return entries


def etag_feed(body: str, etag: str = '"v1"') -> Handler:
    """A feed that answers 304 to a request carrying its ETag."""

    def handler(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304)
        return Reply(200, body.encode(), {**RSS_TYPE, "ETag": etag})

    return handler


def titles(poll: FeedPoll) -> list[str]:
    return [a.title for a in poll.added]


def test_a_poll_adds_each_new_entry_and_the_etag_makes_the_second_a_304(site, settings):
    feed = site.route("/rss", etag_feed(rss(stories(site, "teapot", "kettle"))))
    first = poll_feeds(settings, [feed])
    assert sorted(titles(first)) == ["The kettle talks resume", "The teapot talks resume"]
    assert not first.warnings and not first.failed
    assert len(load_corpus(settings.corpus).articles) == 2
    second = poll_feeds(settings, [feed])
    assert second == FeedPoll()
    requests = site.hits("/rss")
    assert [r.headers.get("if-none-match") for r in requests] == [None, '"v1"']
    assert len(site.hits("/news/teapot")) == 1
    state = json.loads(state_path(settings).read_text(encoding="utf-8"))
    assert state["feeds"][feed]["etag"] == '"v1"'


def test_last_modified_is_sent_back_as_if_modified_since(site, settings):
    body = atom(stories(site, "owl")).encode()

    def handler(request: Request) -> Reply:
        if request.headers.get("if-modified-since") == STAMP:
            return Reply(304)
        return Reply(200, body, {"Content-Type": "application/atom+xml", "Last-Modified": STAMP})

    feed = site.route("/atom", handler)
    assert titles(poll_feeds(settings, [feed])) == ["The owl talks resume"]
    assert poll_feeds(settings, [feed]).added == ()
    assert [r.headers.get("if-modified-since") for r in site.hits("/atom")] == [None, STAMP]


def test_without_validators_seen_entries_are_not_fetched_again(site, settings):
    feed = site.page("/rss", rss(stories(site, "teapot")), RSS_TYPE["Content-Type"])
    assert len(poll_feeds(settings, [feed]).added) == 1
    second = poll_feeds(settings, [feed])
    assert second.added == () and second.duplicates == 0
    assert len(site.hits("/news/teapot")) == 1


def test_new_entries_appear_on_a_later_poll(site, settings):
    entries = stories(site, "teapot", "kettle")
    site.page("/rss", rss(entries[:1]), RSS_TYPE["Content-Type"])
    poll_feeds(settings, [site.url("/rss")])
    site.page("/rss", rss(entries), RSS_TYPE["Content-Type"])
    assert titles(poll_feeds(settings, [site.url("/rss")])) == ["The kettle talks resume"]


def test_a_broken_feed_is_a_warning_naming_it_and_the_others_go_on(site, settings):
    good = site.page("/rss", rss(stories(site, "teapot")), RSS_TYPE["Content-Type"])
    bad_xml = site.page("/bad.xml", "<rss><channel><item><title>unclosed", "application/xml")
    html = site.page("/front", "<html><body><p>Welcome to the Gazette</p></body></html>")
    slow = site.route("/slow", lambda _: Reply(200, b"<rss/>", delay=5))
    missing = site.url("/gone.xml")
    poll = poll_feeds(settings, [bad_xml, missing, slow, html, good])
    assert titles(poll) == ["The teapot talks resume"]
    assert len(poll.warnings) == 4
    for url, reason in [
        (bad_xml, "malformed feed"),
        (missing, "HTTP 404"),
        (slow, "timed out"),
        (html, "not an RSS or Atom feed"),
    ]:
        (line,) = [w for w in poll.warnings if w.startswith(f"feed {url}: ")]
        assert reason in line and "\n" not in line


def test_an_entry_that_failed_for_now_is_tried_again(site, settings):
    (entry,) = stories(site, "teapot")
    state = {"up": False}
    page = article_html("The teapot talks resume", paragraphs("teapot")).encode()
    site.route(
        "/news/teapot",
        lambda _: Reply(200, page, {"Content-Type": "text/html"}) if state["up"] else Reply(503),
    )
    feed = site.route("/rss", etag_feed(rss([entry])))
    first = poll_feeds(settings, [feed])
    assert first.added == () and first.failed == (f"{entry.link}: HTTP 503 Service Unavailable",)
    state["up"] = True
    assert titles(poll_feeds(settings, [feed])) == ["The teapot talks resume"]
    # the ETag was not kept after the failure, so the whole feed came back the second time
    assert [r.headers.get("if-none-match") for r in site.hits("/rss")] == [None, None]


def test_an_entry_that_is_not_an_article_is_not_fetched_again(site, settings):
    feed = site.page("/rss", rss([Entry(site.url("/gone"), "Gone")]), RSS_TYPE["Content-Type"])
    assert poll_feeds(settings, [feed]).failed == (f"{site.url('/gone')}: HTTP 404 Not Found",)
    assert poll_feeds(settings, [feed]).failed == ()
    assert len(site.hits("/gone")) == 1


def test_the_feed_fills_in_what_the_page_does_not_say(site, settings):
    entries = stories(site, "marmalade", outlet=None, date=None)
    feed = site.page("/rss", rss(entries, title="The Marrowgate Courier"), RSS_TYPE["Content-Type"])
    (added,) = poll_feeds(settings, [feed]).added
    assert added.source == "The Marrowgate Courier" and str(added.date) == "2020-05-03"
    assert added.url == entries[0].link


def test_relative_entry_links_resolve_against_the_feed(site, settings):
    stories(site, "toast")
    feed = site.page("/feeds/rss", rss([Entry("/news/toast", "Toast")]), RSS_TYPE["Content-Type"])
    assert [a.url for a in poll_feeds(settings, [feed]).added] == [site.url("/news/toast")]


def test_an_entry_already_added_by_hand_counts_as_a_duplicate(site, settings):
    entries = stories(site, "teapot")
    add_source(settings, entries[0].link + "?utm_source=chat")
    feed = site.page("/rss", rss(entries), RSS_TYPE["Content-Type"])
    poll = poll_feeds(settings, [feed])
    assert poll.added == () and poll.duplicates == 1


def test_a_damaged_state_file_starts_afresh(site, settings, caplog):
    path = state_path(settings)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    feed = site.page("/rss", rss(stories(site, "teapot")), RSS_TYPE["Content-Type"])
    assert len(poll_feeds(settings, [feed]).added) == 1
    assert "unreadable feed state" in caplog.text
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1
    assert [p.name for p in path.parent.iterdir() if p.suffix == ".tmp"] == []


def test_feeds_urls_from_the_config_are_polled_by_default(site, settings):
    feed = site.page("/rss", rss(stories(site, "teapot")), RSS_TYPE["Content-Type"])
    configured = settings.model_copy(
        update={"feeds": settings.feeds.model_copy(update={"urls": (feed,)})}
    )
    assert len(poll_feeds(configured).added) == 1


def test_polls_from_worker_threads_add_each_article_once(site, settings):
    feed = site.page("/rss", rss(stories(site, "teapot", "kettle")), RSS_TYPE["Content-Type"])
    polls: list[FeedPoll] = []
    threads = [
        threading.Thread(target=lambda: polls.append(poll_feeds(settings, [feed])))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(p.added) for p in polls) == [0, 2]
    assert len(load_corpus(settings.corpus).articles) == 2


@pytest.mark.asyncio
async def test_the_running_bot_polls_its_feeds_off_the_event_loop(site, tmp_path: Path) -> None:
    """The real bot and its feeds cog, against the fake Discord: each poll (network and disk)
    runs in a worker thread, never on the thread of the event loop, and what it added is
    answered from."""
    feed = site.page("/rss", rss(stories(site, "teapot")), RSS_TYPE["Content-Type"])
    corpus = corpus_copy(tmp_path / "corpus")
    settings = settings_for(
        tmp_path, "ingest.timeout_seconds=5", f"feeds.urls=[{feed}]", corpus=corpus
    )
    wired = hooks_from_settings(settings)
    assert wired.poll is not None
    real_poll = wired.poll
    calls: list[tuple[threading.Thread, bool]] = []  # (thread, whether a loop runs in it)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()

    def poll() -> Sequence[NewArticle]:
        try:
            asyncio.get_running_loop()
            in_loop = True
        except RuntimeError:
            in_loop = False
        calls.append((threading.current_thread(), in_loop))
        try:
            return real_poll()
        finally:
            loop.call_soon_threadsafe(done.set)

    hooks = dataclasses.replace(wired, poll=poll, interval_minutes=0.005)
    service = AnswerService(settings)
    async with (
        fake_discord() as fake,
        running_bot(fake, settings, service, hooks=hooks),
    ):
        await asyncio.wait_for(done.wait(), 20)
        loop_thread = threading.current_thread()  # this test runs the bot's event loop
        assert calls and all(t is not loop_thread and not in_loop for t, in_loop in calls)
        for _ in range(400):  # the reload after the poll; the bound only ends a failing test
            if "The teapot talks resume" in {a.title for a in service.sources()}:
                break
            await asyncio.sleep(0.05)
        _, answer = await slash(
            fake, "ask", question="How many extra crates of marmalade did the teapot ferry carry?"
        )
        assert "crates of marmalade" in description(answer)
