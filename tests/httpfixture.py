"""A local web server for the ingest tests: made-up news pages and feeds on 127.0.0.1 only.

Tests set routes on the :func:`site` fixture (``site.page("/a", html)``, or a handler for
ETag/redirect/slow behaviour) and read ``site.requests`` to see what the client sent. Nothing
here talks to any other address. The pages and feeds are invented (Glimmerfen, Volantis and
Noodleshire do not exist) and read as such.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.config.settings import Settings, load_settings
from tests.conftest import REPO


@dataclass
class Reply:
    """What the server answers: status, body, headers; ``delay`` seconds of silence first;
    ``declare_length=False`` sends the body without Content-Length (read until close)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    declare_length: bool = True


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    path: str
    headers: dict[str, str]


Handler = Callable[[Request], Reply]


class Site:
    """A threaded HTTP server on 127.0.0.1 with routes a test sets."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self._stop = threading.Event()
        site = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
                site.requests.append(request)
                handler = site.routes.get(self.path.split("?")[0])
                reply = handler(request) if handler else Reply(404, b"<h1>Not here</h1>")
                if reply.delay and site._stop.wait(reply.delay):
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.declare_length:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (size cap, timeout)
                    self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> Site:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def route(self, path: str, handler: Handler) -> str:
        """Serve ``path`` with ``handler``; returns its URL."""
        self.routes[path] = handler
        return self.url(path)

    def page(
        self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8"
    ) -> str:
        """Serve a fixed 200 answer at ``path``; returns its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        return self.route(path, lambda _: Reply(200, data, {"Content-Type": content_type}))

    def hits(self, path: str) -> list[Request]:
        """The requests made for ``path`` (query string ignored)."""
        return [r for r in self.requests if r.path.split("?")[0] == path]


def ingest_settings(tmp_path: Path, *overrides: str) -> Settings:
    """The shipped config over an empty corpus folder and cache under ``tmp_path``, with short
    timeouts so the tests of slow servers stay quick."""
    (tmp_path / "corpus").mkdir(exist_ok=True)
    return load_settings(
        REPO / "config.yaml",
        [
            f"corpus.path={tmp_path / 'corpus'}",
            f"cache_dir={tmp_path / 'cache'}",
            "ingest.timeout_seconds=0.5",
            *overrides,
        ],
    )


@pytest.fixture(name="site")
def site_fixture() -> Iterator[Site]:
    """A running :class:`Site`, stopped after the test (import it into a test module as
    ``site_fixture`` and ask for ``site``)."""
    with Site() as running:
        yield running


# --------------------------------------------------------------------------- made-up content

PLACES = ("Glimmerfen", "Volantis", "Noodleshire", "Quillmoor", "Lake Wobble", "Marrowgate")


def paragraphs(topic: str, count: int = 4) -> list[str]:
    """Invented news paragraphs about ``topic`` (unique per topic, so texts never repeat)."""
    out = []
    for i in range(count):
        place = PLACES[i % len(PLACES)]
        out.append(
            f"Officials in {place} said on day {i + 1} of the {topic} talks that the council of "
            f"seven owls would review every enchanted teapot before the summer season, and that "
            f"the ferry across Lake Wobble would carry {i + 3} extra crates of marmalade to "
            f"the floating teahouse where the delegations of {topic} were meeting."
        )
    return out


def article_html(
    title: str,
    body: Sequence[str],
    outlet: str | None = "The Quillmoor Gazette",
    date: str | None = "2020-05-02",
) -> str:
    """A news page with navigation and footer around one article, as outlets publish them."""
    meta = [f'<meta property="og:title" content="{escape(title)}">']
    if outlet:
        meta.append(f'<meta property="og:site_name" content="{escape(outlet)}">')
    if date:
        meta.append(f'<meta property="article:published_time" content="{date}T09:00:00Z">')
    paras = "\n".join(f"<p>{escape(p)}</p>" for p in body)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"{''.join(meta)}</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{escape(title)}</h1>\n{paras}\n</article>"
        f"<footer>Copyright the invented press.</footer></body></html>"
    )


def link_page() -> str:
    """A section front: links only, no article."""
    links = "".join(f"<li><a href='/story/{i}'>Teapot story {i}</a></li>" for i in range(12))
    head = "<!doctype html><html><head><title>World</title></head>"
    return f"{head}<body><ul>{links}</ul></body></html>"


@dataclass(frozen=True)
class Entry:
    """One feed entry: its link and title, and a publication date (YYYY-MM-DD)."""

    link: str
    title: str
    date: str = "2020-05-03"


def rss(entries: Sequence[Entry], title: str = "Quillmoor Gazette: World") -> str:
    """An RSS 2.0 feed."""
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{escape(e.link)}</link>"
        f"<guid>{escape(e.link)}</guid><pubDate>{_rfc822(e.date)}</pubDate></item>"
        for e in entries
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link>"
        f"<description>Invented news</description>{items}</channel></rss>"
    )


def atom(entries: Sequence[Entry], title: str = "The Volantis Herald") -> str:
    """An Atom 1.0 feed."""
    items = "".join(
        f"<entry><title>{escape(e.title)}</title><link href='{escape(e.link)}'/>"
        f"<id>{escape(e.link)}</id><updated>{e.date}T08:00:00Z</updated></entry>"
        for e in entries
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>{escape(title)}</title><id>urn:invented:volantis</id>"
        f"<updated>2020-05-03T08:00:00Z</updated>{items}</feed>"
    )


def _rfc822(date: str) -> str:
    import datetime as dt

    return format_datetime(dt.datetime.fromisoformat(f"{date}T08:00:00+00:00"))
