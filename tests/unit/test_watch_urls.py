"""URL inputs of the readers (pages, RSS/Atom feeds, sitemaps, JSON) and ``code``/``ingest`` on
URLs, against a local server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_fixtures import (
    NewsServer,
    NewsSite,
    atom,
    html_page,
    rss,
    serve,
    sitemap,
    sitemap_index,
    story,
)
from typer.testing import CliRunner

from eventwire.cli import app
from eventwire.config import load_settings
from eventwire.fetch import Fetcher, FetchSettings
from eventwire.model import Article, Reject
from eventwire.readers import read
from eventwire.readers.urls import discover, read_url
from eventwire.storage.ingest import ingest
from eventwire.storage.repo import count_rows, open_store

FAST = FetchSettings(timeout=2.0, retries=1, backoff=0.0, rate=0.0)
LIGHT = '["eventwire.clean.v1"]'


@pytest.fixture
def server() -> Iterator[NewsServer]:
    yield from serve()


@pytest.fixture
def fast_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """``read()`` builds a default Fetcher (1 s between requests to a host); no wait in tests."""
    monkeypatch.setattr("eventwire.readers.Fetcher", lambda: Fetcher(FAST))


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as f:
        yield f


def _articles(items: list[Article | Reject]) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def test_read_routes_url_to_page_reader(server: NewsServer, fast_read: None) -> None:
    title, body = story(3)
    server.route("/story.html", html_page(title, body))
    items = list(read([server.url("/story.html")]))
    assert len(items) == 1 and isinstance(items[0], Article)
    article = items[0]
    assert article.title == title and article.url == server.url("/story.html")
    assert article.source == server.url("/story.html")
    assert "Council members" in article.text and "Copyright" not in article.text
    assert article.published is not None and article.published.year == 2025


def test_read_feed_fetches_each_entry_page(server: NewsServer, fast_read: None) -> None:
    site = NewsSite(server)
    site.add(1, 2, 3)
    items = list(read([server.url("/feed.xml")]))
    articles = _articles(items)
    assert len(articles) == 3 and len(items) == 3
    assert sorted(site.page_requests()) == ["/news/1.html", "/news/2.html", "/news/3.html"]
    # the page's full text, not the entry summary
    for article in articles:
        assert "final decision" in article.text and article.errors == []
        # metadata the page lacks comes from the feed entry (the guid)
        assert article.source_id == article.url and article.published is not None


def test_feed_entry_text_used_when_page_missing(server: NewsServer, fetcher: Fetcher) -> None:
    title, body = story(5)
    summary = body.split("\n\n")[0]
    server.route(
        "/feed.xml",
        rss([(title, server.url("/gone.html"), summary)]),
        content_type="application/rss+xml",
    )
    items = list(read_url(server.url("/feed.xml"), fetcher))
    assert len(items) == 1 and isinstance(items[0], Article)
    article = items[0]
    assert article.text == summary and article.title == title
    assert article.url == server.url("/gone.html") and article.source == server.url("/feed.xml")
    assert article.errors[0].stage == "read" and "HTTP 404" in article.errors[0].reason


def test_atom_feed_with_relative_links(server: NewsServer, fetcher: Fetcher) -> None:
    server.route("/a/1.html", html_page(*story(11)))
    server.route("/a/2.html", html_page(*story(12)))
    server.route(
        "/atom.xml",
        atom([("one", "/a/1.html", "first summary text"), ("two", "/a/2.html", "second summary")]),
        content_type="application/atom+xml",
    )
    listing = discover(server.url("/atom.xml"), fetcher)
    assert listing.kind == "feed"
    assert [link.url for link in listing.links] == [
        server.url("/a/1.html"),
        server.url("/a/2.html"),
    ]
    articles = _articles(list(read_url(server.url("/atom.xml"), fetcher)))
    assert {a.title for a in articles} == {story(11)[0], story(12)[0]}


def test_sitemap_index_and_robots(server: NewsServer, fetcher: Fetcher) -> None:
    server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.route("/p/1.html", html_page(*story(21)))
    server.route("/p/2.html", html_page(*story(22)))
    server.route("/private/3.html", html_page(*story(23)))
    server.route(
        "/sitemap-news.xml",
        sitemap([server.url("/p/1.html"), server.url("/p/2.html"), server.url("/private/3.html")]),
        content_type="application/xml",
    )
    server.route(
        "/sitemap.xml",
        sitemap_index([server.url("/sitemap-news.xml")]),
        content_type="application/xml",
    )
    listing = discover(server.url("/sitemap.xml"), fetcher)
    assert listing.kind == "sitemapindex" and listing.children == [server.url("/sitemap-news.xml")]
    items = list(read_url(server.url("/sitemap.xml"), fetcher))
    assert {a.title for a in _articles(items)} == {story(21)[0], story(22)[0]}
    rejects = [i for i in items if isinstance(i, Reject)]
    assert rejects == [
        Reject(source=server.url("/private/3.html"), reason="disallowed by robots.txt")
    ]
    assert server.requests_for("/private/3.html") == []


def test_url_failures_become_rejects(server: NewsServer, fast_read: None) -> None:
    server.route("/down.xml", "x", status=500, content_type="text/plain")
    server.route("/img.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    server.route("/loop", "", status=302, headers={"Location": "/loop"})
    items = list(
        read(
            [
                server.url("/down.xml"),
                server.url("/img.png"),
                server.url("/loop"),
                server.url("/nope"),
            ]
        )
    )
    assert all(isinstance(i, Reject) for i in items) and len(items) == 4
    reasons = {i.source.rsplit("/", 1)[1]: i.reason for i in items if isinstance(i, Reject)}
    assert reasons["down.xml"] == "HTTP 500"
    assert reasons["img.png"] == "unsupported content type 'image/png'"
    assert reasons["loop"].startswith("redirect loop")
    assert reasons["nope"] == "HTTP 404"


def test_json_document_over_http(server: NewsServer, fetcher: Fetcher) -> None:
    title, body = story(31)
    server.route(
        "/api/articles.json",
        json.dumps([{"title": title, "text": body, "url": "https://example.org/31"}]),
        content_type="application/json",
    )
    items = list(read_url(server.url("/api/articles.json"), fetcher))
    assert len(items) == 1 and isinstance(items[0], Article) and items[0].title == title


def test_code_command_reads_url(server: NewsServer, fast_read: None) -> None:
    server.route("/story.html", html_page(*story(41)))
    result = CliRunner().invoke(
        app,
        [
            "code",
            server.url("/story.html"),
            "--format",
            "jsonl",
            "--quiet",
            "--set",
            f"pipeline.stages={LIGHT}",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout.strip().splitlines()[0])
    assert doc["title"] == story(41)[0] and doc["url"] == server.url("/story.html")


def test_ingest_reads_feed_url(server: NewsServer, tmp_path: Path, fast_read: None) -> None:
    site = NewsSite(server)
    site.add(1, 2)
    url = f"sqlite:///{tmp_path / 'ev.db'}"
    settings = load_settings(overrides={"store.url": url, "pipeline.stages": LIGHT}, env={})
    stats = ingest([server.url("/feed.xml")], settings)
    assert stats.stored == 2 and stats.rejected == 0
    store = open_store(url)
    with store.read() as session:
        assert count_rows(session)["articles"] == 2
    store.close()
