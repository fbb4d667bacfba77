"""A local news site for the fetch and watch tests: a threaded ``http.server`` on 127.0.0.1.

Only ever binds 127.0.0.1 on an ephemeral port. Routes are set per test (body, status, content
type, delay, ETag/Last-Modified for conditional requests, N failures before success, endless
bodies); every request is logged with its headers and a monotonic timestamp, so tests can check
conditional headers, robots.txt, rate limits and which pages were fetched. Also builders for RSS,
Atom, HTML article pages and sitemaps with made-up news text.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

HOST = "127.0.0.1"


@dataclass
class Route:
    """What the server answers on one path."""

    body: bytes | Callable[[], bytes] = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    fail_times: int = 0
    endless: bool = False
    send_length: bool = True


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    time: float
    body: bytes = b""


class NewsServer:
    """The test server; use as a context manager (see :func:`serve`)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.posts: list[Request] = []
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def do_GET(self) -> None:
                server._get(self)

            def do_POST(self) -> None:
                server._post(self)

        self.httpd = ThreadingHTTPServer((HOST, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> NewsServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    # -- configuration -----------------------------------------------------------------------

    def route(self, path: str, body: bytes | str | Callable[[], bytes] = b"", **kw: object) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self.routes[path] = Route(body=data, **kw)  # type: ignore[arg-type]

    def requests_for(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    # -- serving -----------------------------------------------------------------------------

    def _get(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        with self._lock:
            self.requests.append(
                Request(
                    "GET",
                    path,
                    {k.lower(): v for k, v in handler.headers.items()},
                    time.monotonic(),
                )
            )
            route = self.routes.get(path)
            failed = self._failures.get(path, 0)
            if route is not None and failed < route.fail_times:
                self._failures[path] = failed + 1
                route = Route(body=b"temporarily broken", status=500, content_type="text/plain")
        # The client may give up (size limit, timeout): expected in these tests.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(handler, route)

    def _answer(self, handler: BaseHTTPRequestHandler, route: Route | None) -> None:
        if route is None:
            handler.send_response(404)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", "9")
            handler.end_headers()
            handler.wfile.write(b"not found")
            return
        if route.delay:
            time.sleep(route.delay)
        inm = handler.headers.get("If-None-Match")
        ims = handler.headers.get("If-Modified-Since")
        if (route.etag and inm == route.etag) or (
            route.last_modified and not route.etag and ims == route.last_modified
        ):
            handler.send_response(304)
            if route.etag:
                handler.send_header("ETag", route.etag)
            handler.end_headers()
            return
        body = route.body() if callable(route.body) else route.body
        handler.send_response(route.status)
        handler.send_header("Content-Type", route.content_type)
        if route.etag:
            handler.send_header("ETag", route.etag)
        if route.last_modified:
            handler.send_header("Last-Modified", route.last_modified)
        for key, value in route.headers.items():
            handler.send_header(key, value)
        if route.endless:
            handler.end_headers()
            chunk = b"<p>" + b"x" * 65530 + b"</p>"
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                handler.wfile.write(chunk)
            return
        if route.send_length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _post(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        with self._lock:
            self.posts.append(
                Request(
                    "POST",
                    handler.path,
                    {k.lower(): v for k, v in handler.headers.items()},
                    time.monotonic(),
                    body,
                )
            )
        handler.send_response(204)
        handler.end_headers()


def serve() -> Iterator[NewsServer]:
    """A running server (for fixtures: ``yield from serve()``)."""
    with NewsServer() as server:
        yield server


# ---------------------------------------------------------------------------------------------
# Content builders (made-up news text)
# ---------------------------------------------------------------------------------------------

_PLACES = ("Lisbon", "Nairobi", "Oslo", "Quito", "Hanoi", "Tunis", "Riga", "Lima", "Accra", "Perth")
_TOPICS = (
    "a new water treatment plant",
    "the regional rail timetable",
    "a dispute over fishing quotas",
    "the harvest of winter wheat",
    "a port expansion plan",
    "funding for rural clinics",
    "a festival of traditional music",
    "repairs to a historic bridge",
    "the city's cycling network",
    "a study of coastal erosion",
)


def story(n: int, *, headline: str | None = None, body: str | None = None) -> tuple[str, str]:
    """A distinct made-up story ``n``: (headline, body of three paragraphs)."""
    place = _PLACES[n % len(_PLACES)]
    topic = _TOPICS[(n * 3) % len(_TOPICS)]
    title = headline or f"Officials in {place} discuss {topic} (report {n})"
    text = body or (
        f"Council members in {place} met on Tuesday to discuss {topic}, according to report number {n}.\n\n"
        f"The meeting lasted several hours and residents of {place} were invited to give their views "
        f"on the proposal, which has been debated for {n + 2} months.\n\n"
        f"A final decision on {topic} is expected next month after the council reviews item {n} of its agenda."
    )
    return title, text


def html_page(title: str, body: str, *, canonical: str | None = None) -> str:
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n"))
    link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>{link}"
        '<meta property="article:published_time" content="2025-03-10T08:00:00+00:00">'
        '</head><body><header><nav><a href="/">Home</a></nav></header>'
        f"<article><h1>{escape(title)}</h1>\n{paragraphs}\n</article>"
        "<footer>Copyright the local test site</footer></body></html>"
    )


def rss(items: list[tuple[str, str, str]], *, title: str = "Test News") -> str:
    """RSS 2.0 with ``(title, link, summary)`` items."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
        f"<guid>{escape(link)}</guid><description>{escape(s)}</description>"
        "<pubDate>Mon, 10 Mar 2025 08:00:00 GMT</pubDate></item>"
        for t, link, s in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://{HOST}/</link><language>en</language>"
        f"<description>made-up news</description>{entries}</channel></rss>"
    )


def atom(items: list[tuple[str, str, str]], *, title: str = "Test Atom") -> str:
    entries = "".join(
        f'<entry><title>{escape(t)}</title><link href="{escape(link)}"/>'
        f"<id>{escape(link)}</id><updated>2025-03-10T08:00:00Z</updated>"
        f"<summary>{escape(s)}</summary></entry>"
        for t, link, s in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:test:atom</id>"
        f"<updated>2025-03-10T08:00:00Z</updated>{entries}</feed>"
    )


def sitemap(urls: list[str]) -> str:
    locs = "".join(f"<url><loc>{escape(u)}</loc><lastmod>2025-03-10</lastmod></url>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
    )


def sitemap_index(urls: list[str]) -> str:
    locs = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'
    )


class NewsSite:
    """Article pages ``/news/<n>.html`` and an RSS feed ``/feed.xml`` listing them, on a server.

    ``add(n)`` publishes story ``n``; the feed's ETag changes with its content, so conditional
    requests get a 304 exactly when nothing was added.
    """

    def __init__(
        self, server: NewsServer, *, feed_path: str = "/feed.xml", page_delay: float = 0.0
    ):
        self.server = server
        self.feed_path = feed_path
        self.page_delay = page_delay
        self.published: list[int] = []

    def page_path(self, n: int) -> str:
        return f"/news/{n}.html"

    def add(self, *numbers: int) -> None:
        for n in numbers:
            title, body = story(n)
            self.server.route(self.page_path(n), html_page(title, body), delay=self.page_delay)
            self.published.append(n)
        self._publish_feed()

    def _publish_feed(self) -> None:
        items = []
        for n in reversed(self.published):
            title, body = story(n)
            items.append((title, self.server.url(self.page_path(n)), body.split("\n\n")[0]))
        self.server.route(
            self.feed_path,
            rss(items),
            content_type="application/rss+xml",
            etag=f'"feed-{len(self.published)}-{sum(self.published)}"',
            last_modified=f"Mon, 10 Mar 2025 08:{len(self.published):02d}:00 GMT",
        )

    def page_requests(self) -> list[str]:
        return [p for p in self.server.paths() if p.startswith("/news/")]
