"""The HTTP fetcher against a local server on 127.0.0.1: user agent, retries with backoff,
timeouts, redirects and loops, size and content-type limits, robots.txt, rate limits, 304s."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import httpx
import pytest
from http_fixtures import NewsServer, html_page, serve, story

from eventwire import __version__
from eventwire.errors import ConfigError
from eventwire.fetch import (
    Fetcher,
    FetchError,
    FetchSettings,
    content_kind,
    host_key,
    user_agent,
)

FAST = FetchSettings(timeout=2.0, retries=2, backoff=0.01, max_backoff=0.05, rate=0.0)


@pytest.fixture
def server() -> Iterator[NewsServer]:
    yield from serve()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as f:
        yield f


def _page(n: int = 1) -> str:
    return html_page(*story(n))


def test_fetch_page_sends_user_agent_and_returns_body(server: NewsServer, fetcher: Fetcher) -> None:
    server.route("/a.html", _page(), etag='"v1"')
    result = fetcher.fetch(server.url("/a.html"))
    assert result.status == 200 and result.kind == "html" and result.etag == '"v1"'
    assert b"Council members" in result.content
    ua = server.requests_for("/a.html")[0].headers["user-agent"]
    assert (
        ua == user_agent() == f"eventwire/{__version__} (+https://github.com/eventwire/eventwire)"
    )
    # robots.txt was asked for first, with the same client
    assert server.paths()[0] == "/robots.txt"
    assert server.requests_for("/robots.txt")[0].headers["user-agent"] == ua


def test_fetch_retries_5xx_then_succeeds(server: NewsServer, fetcher: Fetcher) -> None:
    server.route("/flaky.html", _page(), fail_times=2)
    result = fetcher.fetch(server.url("/flaky.html"))
    assert result.status == 200
    assert len(server.requests_for("/flaky.html")) == 3


def test_fetch_5xx_gives_up_after_bounded_retries(server: NewsServer, fetcher: Fetcher) -> None:
    server.route("/down.html", "broken", status=503, content_type="text/plain")
    with pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/down.html"))
    assert info.value.message == "HTTP 503" and info.value.transient
    assert len(server.requests_for("/down.html")) == 1 + FAST.retries


def test_fetch_backoff_is_exponential_and_capped(server: NewsServer) -> None:
    server.route("/down.html", "broken", status=500, content_type="text/plain")
    slept: list[float] = []
    settings = FetchSettings(retries=4, backoff=0.1, max_backoff=0.5, rate=0.0)
    with Fetcher(settings, sleep=slept.append) as f, pytest.raises(FetchError):
        f.fetch(server.url("/down.html"))
    assert slept == [0.1, 0.2, 0.4, 0.5]


def test_fetch_client_error_is_not_retried(server: NewsServer, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/missing.html"))
    assert info.value.message == "HTTP 404" and not info.value.transient
    assert len(server.requests_for("/missing.html")) == 1


def test_fetch_slow_response_times_out(server: NewsServer) -> None:
    server.route("/slow.html", _page(), delay=3.0)
    settings = FetchSettings(timeout=0.3, retries=1, backoff=0.0, rate=0.0)
    started = time.monotonic()
    with Fetcher(settings) as f, pytest.raises(FetchError) as info:
        f.fetch(server.url("/slow.html"))
    assert "timed out" in info.value.message and info.value.transient
    assert time.monotonic() - started < 2.5
    assert len(server.requests_for("/slow.html")) == 2


def test_fetch_follows_redirects(server: NewsServer, fetcher: Fetcher) -> None:
    server.route("/old", "", status=301, headers={"Location": "/new.html"})
    server.route("/new.html", _page())
    result = fetcher.fetch(server.url("/old"))
    assert result.final_url == server.url("/new.html") and result.url == server.url("/old")


def test_fetch_redirect_loop_is_rejected(server: NewsServer, fetcher: Fetcher) -> None:
    server.route("/loop-a", "", status=302, headers={"Location": "/loop-b"})
    server.route("/loop-b", "", status=302, headers={"Location": "/loop-a"})
    with pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/loop-a"))
    assert info.value.message.startswith("redirect loop")
    assert len(server.requests_for("/loop-a")) == 1 and len(server.requests_for("/loop-b")) == 1


def test_fetch_too_many_redirects(server: NewsServer) -> None:
    for i in range(5):
        server.route(f"/r{i}", "", status=307, headers={"Location": f"/r{i + 1}"})
    with Fetcher(FetchSettings(max_redirects=3, rate=0.0)) as f, pytest.raises(FetchError) as info:
        f.fetch(server.url("/r0"))
    assert "too many redirects" in info.value.message


def test_fetch_huge_streamed_response_is_aborted(server: NewsServer) -> None:
    server.route("/huge.html", b"", endless=True)
    started = time.monotonic()
    with (
        Fetcher(FetchSettings(max_bytes=1_000_000, rate=0.0)) as f,
        pytest.raises(FetchError) as info,
    ):
        f.fetch(server.url("/huge.html"))
    assert info.value.message == "response too large: more than 1000000 bytes"
    assert time.monotonic() - started < 5


def test_fetch_declared_length_over_limit_is_rejected(server: NewsServer) -> None:
    server.route("/big.html", "x" * 5000)
    with Fetcher(FetchSettings(max_bytes=1024, rate=0.0)) as f, pytest.raises(FetchError) as info:
        f.fetch(server.url("/big.html"))
    assert "Content-Length 5000 exceeds 1024" in info.value.message


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("text/html; charset=utf-8", "html"),
        ("application/rss+xml", "xml"),
        ("application/atom+xml", "xml"),
        ("text/xml", "xml"),
        ("application/json", "json"),
        ("", "unknown"),
        ("image/png", None),
        ("application/pdf", None),
    ],
)
def test_content_kind(content_type: str, kind: str | None) -> None:
    assert content_kind(content_type) == kind


def test_fetch_unsupported_content_type_is_rejected(server: NewsServer, fetcher: Fetcher) -> None:
    server.route("/photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, content_type="image/png")
    with pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/photo.png"))
    assert info.value.message == "unsupported content type 'image/png'"


def test_robots_txt_is_respected_and_cached(server: NewsServer, fetcher: Fetcher) -> None:
    server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.route("/private/secret.html", _page(1))
    server.route("/public.html", _page(2))
    with pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/private/secret.html"))
    assert info.value.message == "disallowed by robots.txt" and not info.value.transient
    for _ in range(3):
        fetcher.fetch(server.url("/public.html"))
    assert server.requests_for("/private/secret.html") == []
    assert len(server.requests_for("/robots.txt")) == 1


def test_robots_txt_checked_on_redirect_target(server: NewsServer, fetcher: Fetcher) -> None:
    server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.route("/go", "", status=302, headers={"Location": "/private/x.html"})
    with pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/go"))
    assert "disallowed by robots.txt (redirected to" in info.value.message
    assert server.requests_for("/private/x.html") == []


def test_robots_txt_forbidden_blocks_host(server: NewsServer, fetcher: Fetcher) -> None:
    server.route("/robots.txt", "no", status=403, content_type="text/plain")
    server.route("/a.html", _page())
    with pytest.raises(FetchError, match="robots"):
        fetcher.fetch(server.url("/a.html"))


def test_rate_limit_per_host(server: NewsServer) -> None:
    for i in range(4):
        server.route(f"/p{i}.html", _page(i))
    with NewsServer() as other:
        other.route("/q.html", _page(9))
        with Fetcher(FetchSettings(rate=0.25)) as f:
            f.set_rate(other.url("/"), 0.0)  # the second host has no interval
            for i in range(4):
                f.fetch(server.url(f"/p{i}.html"))
                f.fetch(other.url("/q.html"))
        times = [r.time for r in server.requests]  # robots.txt included: same host
        assert len(times) == 5
        # server-side timestamps jitter by a few ms around the 0.25 s the client keeps
        assert min(b - a for a, b in itertools.pairwise(times)) >= 0.22
        # a request to the other host right after one to the first is not held back
        for i, q in enumerate(other.requests_for("/q.html")):
            page = server.requests_for(f"/p{i}.html")[0]
            assert 0 <= q.time - page.time < 0.2


def test_conditional_get_answers_304(server: NewsServer, fetcher: Fetcher) -> None:
    server.route(
        "/feed.xml",
        "<rss/>",
        content_type="application/rss+xml",
        etag='"e1"',
        last_modified="Mon, 10 Mar 2025 08:00:00 GMT",
    )
    first = fetcher.fetch(server.url("/feed.xml"))
    again = fetcher.fetch(
        server.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified
    )
    assert not first.not_modified and again.not_modified and again.status == 304
    req = server.requests_for("/feed.xml")[1]
    assert req.headers["if-none-match"] == '"e1"'
    assert req.headers["if-modified-since"] == "Mon, 10 Mar 2025 08:00:00 GMT"


def test_network_error_is_transient() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    settings = FetchSettings(retries=1, backoff=0.0, rate=0.0, robots=False)
    with Fetcher(settings, client=client) as f, pytest.raises(FetchError) as info:
        f.fetch("http://127.0.0.1:9/x.html")
    assert info.value.transient and "network error" in info.value.message


def test_fetch_rejects_non_http_url(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="not an http"):
        fetcher.fetch("ftp://127.0.0.1/file")


def test_host_key_and_settings_validation() -> None:
    assert host_key("HTTP://Example.ORG:8080/a?b") == "http://example.org:8080"
    with pytest.raises(ConfigError):
        FetchSettings(max_bytes=0)
    with pytest.raises(ConfigError):
        FetchSettings(rate=-1)
