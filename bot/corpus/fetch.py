"""HTTP fetching for ``talks-bot add`` and the feeds, with limits a public page cannot break.

A page is fetched with httpx: a User-Agent naming talks-bot, a timeout per network operation and
one for the whole download, a bounded number of redirects, and a size cap enforced while the
body streams in (a server that lies about, or omits, ``Content-Length`` is cut off at the cap
rather than read to the end). Every failure is an :class:`IngestError` whose text is one line
naming the URL, for the CLI to print and the Discord bot to reply with.

The module is synchronous on purpose: the CLI calls it directly and the Discord bot runs it in a
worker thread (``asyncio.to_thread``), so the event loop never waits on a slow server.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot import __version__
from bot.config.settings import IngestSettings
from bot.errors import TalksBotError
from bot.extras import require

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

#: Query parameters that only track where a reader came from; two URLs differing in them are
#: the same article.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref_src|cmpid|ocid|"
    r"_ga|_hsenc|_hsmi|mkt_tok|yclid|spm|at_medium|at_campaign|smid|ncid)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class IngestError(TalksBotError):
    """A source could not be fetched or added; ``str()`` is one line naming the URL or file.

    ``transient`` is True for failures worth retrying later (a timeout, a refused connection,
    a 5xx or 429 answer), False for ones that will not mend themselves (404, not an article).
    """

    def __init__(self, source: str, reason: str, *, transient: bool = False) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.transient = transient


@dataclass(frozen=True)
class Page:
    """One fetched response.

    ``status`` is 200-299 or 304 (not modified, for conditional requests; ``body`` is then
    empty). ``url`` is the address after redirects; ``headers`` keeps the response headers
    (lower-case names) for ETag and Last-Modified.
    """

    url: str
    status: int
    content_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def charset(self) -> str | None:
        """The charset the server declared in ``Content-Type``, if any."""
        match = re.search(r"charset=[\"']?([\w.:-]+)", self.content_type, re.IGNORECASE)
        return match.group(1) if match else None

    def is_html(self) -> bool:
        """True for an HTML body: by its declared type, or by its first bytes when undeclared."""
        media = self.content_type.split(";")[0].strip().lower()
        if media:
            return media in _HTML_TYPES
        head = self.body[:1024].lstrip().lower()
        return head.startswith((b"<!doctype html", b"<html"))


def is_http_url(text: str) -> bool:
    """True for an ``http://`` or ``https://`` address with a host."""
    parts = urlsplit(text.strip())
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)


def clean_url(url: str) -> str:
    """The URL without tracking parameters, fragment and credentials, scheme and host in lower
    case and the default port dropped: what the corpus stores as an article's ``url``."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: leave it out rather than fail
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = urlencode([(k, v) for k, v in query if not _TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", kept, ""))


def url_key(url: str) -> str:
    """The identity of an article's URL for duplicate checks: :func:`clean_url` without the
    scheme and trailing slash, so ``HTTP://Example.org/a/?utm_source=x`` and
    ``https://example.org/a`` are the same article."""
    cleaned = urlsplit(clean_url(url))
    path = cleaned.path.rstrip("/")
    query = f"?{cleaned.query}" if cleaned.query else ""
    return f"{cleaned.netloc}{path}{query}"


def user_agent(settings: IngestSettings) -> str:
    """The User-Agent header: the configured text with ``{version}`` filled in."""
    return settings.user_agent.replace("{version}", __version__)


@contextmanager
def http_client(settings: IngestSettings) -> Iterator[httpx.Client]:
    """A client configured from ``ingest:``; share one across a batch to reuse connections.

    Raises
    ------
    MissingExtra
        httpx is not installed (it comes with the ``html`` extra).
    """
    require("httpx", "html")
    import httpx

    client = httpx.Client(
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        timeout=httpx.Timeout(settings.timeout_seconds),
        headers={"User-Agent": user_agent(settings)},
    )
    try:
        yield client
    finally:
        client.close()


def fetch(
    client: httpx.Client,
    url: str,
    settings: IngestSettings,
    headers: Mapping[str, str] | None = None,
) -> Page:
    """GET ``url`` and return its body, read up to ``settings.max_bytes``.

    Parameters
    ----------
    headers
        Extra request headers, e.g. ``If-None-Match`` for a conditional feed request.

    Raises
    ------
    IngestError
        Not an http(s) URL, no connection, a timeout, too many redirects, an HTTP error status
        or a body over the size cap.
    """
    import httpx  # installed: the caller holds a client from http_client()

    if not is_http_url(url):
        raise IngestError(url, "not an http:// or https:// URL")
    try:
        with client.stream("GET", url, headers=dict(headers or {})) as response:
            _check_status(url, response)
            body = b"" if response.status_code == 304 else _read_capped(url, response, settings)
            return Page(
                url=str(response.url),
                status=response.status_code,
                content_type=response.headers.get("content-type", ""),
                body=body,
                headers={k.lower(): v for k, v in response.headers.items()},
            )
    except httpx.TimeoutException:
        raise _timeout(url, settings.timeout_seconds) from None
    except httpx.TooManyRedirects:
        raise IngestError(url, f"more than {settings.max_redirects} redirects") from None
    except httpx.HTTPError as exc:  # connection refused, DNS, TLS, protocol errors
        detail = str(exc) or type(exc).__name__
        raise IngestError(url, f"cannot fetch: {detail}", transient=True) from None


def _check_status(url: str, response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300 or status == 304:
        return
    phrase = response.reason_phrase or ""
    transient = status >= 500 or status in (408, 429)
    raise IngestError(url, f"HTTP {status} {phrase}".strip(), transient=transient)


def _read_capped(url: str, response: httpx.Response, settings: IngestSettings) -> bytes:
    """The body, refusing it as soon as it is known to exceed the cap."""
    cap = settings.max_bytes
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise IngestError(url, f"too large: {int(declared)} bytes (the limit is {cap})")
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + 3 * settings.timeout_seconds
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            raise IngestError(url, f"too large: more than {cap} bytes")
        if time.monotonic() > deadline:  # a server dripping bytes just inside the read timeout
            raise _timeout(url, 3 * settings.timeout_seconds)
        chunks.append(chunk)
    return b"".join(chunks)


def _timeout(url: str, seconds: float) -> IngestError:
    return IngestError(url, f"timed out after {seconds:g} s", transient=True)
