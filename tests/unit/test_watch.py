"""``eventwire watch``: rounds against a local news site on 127.0.0.1 (new articles only,
conditional requests, robots.txt, rate limits, faults as rejects, restarts, alerts), the sources
file, intervals and alert filters, and SIGTERM on the real command."""

from __future__ import annotations

import collections
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_fixtures import NewsServer, NewsSite, html_page, rss, serve, sitemap, story
from sqlalchemy import select

from eventwire.config import Settings, load_settings
from eventwire.errors import ConfigError
from eventwire.fetch import FetchSettings
from eventwire.model import Article, Cameo, Event, EventArg, Plover, Span
from eventwire.storage.repo import EventFilter, Store, count_rows, open_store
from eventwire.storage.tables import ArticleRow, RejectRow
from eventwire.watch import (
    Source,
    Watcher,
    WebhookSink,
    load_sources,
    parse_alert,
    parse_interval,
)

FAST = FetchSettings(
    timeout=1.0, deadline=5.0, retries=1, backoff=0.0, rate=0.0, max_bytes=2_000_000
)
LIGHT = '["eventwire.clean.v1"]'
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[NewsServer]:
    yield from serve()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'watch.db'}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(overrides={"store.url": db_url, "pipeline.stages": LIGHT}, env={})


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    yield s
    s.close()


def _stored_urls(store: Store) -> list[str]:
    with store.read() as session:
        return sorted(u or "" for u in session.scalars(select(ArticleRow.url)))


def _rejects(store: Store) -> dict[str, str]:
    with store.read() as session:
        return {r.source: r.reason for r in session.scalars(select(RejectRow))}


class KeywordCoder:
    """A fast fake coder: a story whose title mentions a clash gets an ASSAULT event RUS → UKR,
    every other story a CONSULT event between two local councils."""

    calls = 0

    def __call__(self, articles: list[Article]) -> list[Article]:
        KeywordCoder.calls += 1
        for article in articles:
            first = article.text.split()[0]
            start = article.text.index(first)
            arg = {"text": first, "start": start, "end": start + len(first)}
            clash = "clash" in (article.title or "").lower()
            article.events = [
                Event(
                    id="e1",
                    sentence=0,
                    source=EventArg(**arg, country="RUS" if clash else "PRT"),  # type: ignore[arg-type]
                    target=EventArg(**arg, country="UKR" if clash else "KEN"),  # type: ignore[arg-type]
                    plover=Plover(type="ASSAULT" if clash else "CONSULT"),
                    cameo=Cameo(code="190" if clash else "040", root="19" if clash else "04"),
                    date="2025-03-10",
                    trigger=Span(**arg),  # type: ignore[arg-type]
                    reason="keyword test coder",
                )
            ]
        return articles


# ---------------------------------------------------------------------------------------------
# Intervals, sources file, alert filters
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("15m", 900.0), ("30s", 30.0), ("2h", 7200.0), ("1h30m", 5400.0), ("90", 90.0), ("0.5s", 0.5)],
)
def test_parse_interval(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "fast", "15x", "m5", "-3s"])
def test_parse_interval_rejects_bad_values(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_interval(text)


def test_load_sources_yaml(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "- url: https://news.example.org/rss\n  kind: feed\n  every: 5m\n  rate: 2s\n"
        "- https://news.example.org/sitemap.xml\n"
        "- {url: 'https://other.example.org/page', kind: page}\n"
        "- https://news.example.org/rss\n",
        "utf-8",
    )
    sources = load_sources(path)
    assert sources == [
        Source("https://news.example.org/rss", "feed", every=300.0, rate=2.0),
        Source("https://news.example.org/sitemap.xml"),
        Source("https://other.example.org/page", "page"),
    ]


def test_load_sources_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "sources.txt"
    path.write_text("# news\nhttps://a.example.org/feed\n\nhttp://b.example.org/x.xml\n", "utf-8")
    assert [s.url for s in load_sources(path)] == [
        "https://a.example.org/feed",
        "http://b.example.org/x.xml",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- url: ftp://x.example.org/\n", "source 1: url"),
        ("- url: https://x.example.org/\n  kind: video\n", "source 1: kind"),
        ("- https://x.example.org/\n- url: https://y.example.org/\n  every: soon\n", "source 2"),
        ("- url: https://x.example.org/\n  colour: red\n", "colour"),
        ("url: nope\n", "expected a list"),
        ("", "no sources"),
    ],
)
def test_load_sources_errors_name_the_item(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(content, "utf-8")
    with pytest.raises(ConfigError, match=message):
        load_sources(path)


def test_parse_alert_both_spellings_mean_the_same() -> None:
    short = parse_alert("type=ASSAULT,country=UKR,modality=asserted|intent")
    long = parse_alert("--type ASSAULT --country UKR --modality asserted --modality intent")
    expected = EventFilter(plover_type="ASSAULT", country="UKR", modalities=("asserted", "intent"))
    assert short.filter == long.filter == expected
    assert parse_alert("--text 'air strike' --cameo 19").filter == EventFilter(
        text="air strike", cameo="19"
    )


@pytest.mark.parametrize(
    "text", ["", "colour=red", "type", "modality=maybe", "cameo=ab", "--type", "since=yesterday"]
)
def test_parse_alert_rejects_bad_filters(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_alert(text)


# ---------------------------------------------------------------------------------------------
# Rounds
# ---------------------------------------------------------------------------------------------


def test_rounds_ingest_exactly_the_new_articles(
    server: NewsServer, settings: Settings, store: Store
) -> None:
    site = NewsSite(server)
    site.add(1, 2)
    feed = server.url("/feed.xml")
    with Watcher([Source(feed)], settings, store=store, fetch_settings=FAST) as watcher:
        first = watcher.run_round(due_only=False)
        assert (first.polled, first.fetched, first.new_articles, first.failures) == (1, 2, 2, 0)
        site.add(3)
        second = watcher.run_round(due_only=False)
        assert (second.fetched, second.known, second.new_articles) == (1, 2, 1)
        third = watcher.run_round(due_only=False)
        assert (third.unchanged, third.fetched, third.new_articles) == (1, 0, 0)
    assert sorted(site.page_requests()) == ["/news/1.html", "/news/2.html", "/news/3.html"]
    feed_requests = server.requests_for("/feed.xml")
    assert "if-none-match" not in feed_requests[0].headers
    assert feed_requests[1].headers["if-none-match"] == '"feed-2-3"'
    assert feed_requests[1].headers["if-modified-since"] == "Mon, 10 Mar 2025 08:02:00 GMT"
    assert feed_requests[2].headers["if-none-match"] == '"feed-3-6"'
    assert _stored_urls(store) == sorted(server.url(f"/news/{n}.html") for n in (1, 2, 3))


def test_state_survives_a_new_watcher(server: NewsServer, settings: Settings, store: Store) -> None:
    site = NewsSite(server)
    site.add(1, 2)
    sources = [Source(server.url("/feed.xml"))]
    with Watcher(sources, settings, store=store, fetch_settings=FAST) as watcher:
        watcher.run_round(due_only=False)
    with Watcher(sources, settings, store=store, fetch_settings=FAST) as again:
        stats = again.run_round(due_only=False)
    assert stats.unchanged == 1 and stats.fetched == 0
    assert server.requests_for("/feed.xml")[-1].headers["if-none-match"] == '"feed-2-3"'


def test_known_articles_are_not_fetched_again(
    server: NewsServer, settings: Settings, store: Store
) -> None:
    """A page stored by an earlier ``ingest`` (same URL) is skipped, even from a new feed."""
    site = NewsSite(server)
    site.add(1, 2)
    with Watcher(
        [Source(server.url("/feed.xml"))], settings, store=store, fetch_settings=FAST
    ) as w:
        w.run_round(due_only=False)
    title, body = story(1)
    server.route(
        "/mirror.xml",
        rss([(title, server.url("/news/1.html"), body)]),
        content_type="application/rss+xml",
    )
    with Watcher(
        [Source(server.url("/mirror.xml"))], settings, store=store, fetch_settings=FAST
    ) as w:
        stats = w.run_round(due_only=False)
    assert (stats.known, stats.fetched, stats.new_articles) == (1, 0, 0)
    assert site.page_requests().count("/news/1.html") == 1


def test_sitemap_source_picks_up_new_urls(
    server: NewsServer, settings: Settings, store: Store
) -> None:
    urls: list[str] = []
    for n in (1, 2, 3):
        server.route(f"/p/{n}.html", html_page(*story(n)))

    def publish(*numbers: int) -> None:
        urls.extend(server.url(f"/p/{n}.html") for n in numbers)
        server.route("/sitemap.xml", sitemap(list(urls)), content_type="application/xml")

    publish(1, 2)
    with Watcher(
        [Source(server.url("/sitemap.xml"), "sitemap")], settings, store=store, fetch_settings=FAST
    ) as w:
        assert w.run_round(due_only=False).new_articles == 2
        publish(3)
        stats = w.run_round(due_only=False)
    assert (stats.fetched, stats.known, stats.new_articles) == (1, 2, 1)
    assert [p for p in server.paths() if p.startswith("/p/")].count("/p/1.html") == 1


def test_page_source_and_rate_limit(server: NewsServer, settings: Settings, store: Store) -> None:
    site = NewsSite(server)
    site.add(1, 2, 3, 4)
    sources = [Source(server.url("/feed.xml"), "feed", rate=0.3)]
    with Watcher(sources, settings, store=store, fetch_settings=FAST) as w:
        assert w.run_round(due_only=False).new_articles == 4
    times = [r.time for r in server.requests]  # robots.txt, feed, 4 pages: one host
    assert len(times) == 6
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.27


def test_watch_survives_every_fault(server: NewsServer, settings: Settings, store: Store) -> None:
    server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site = NewsSite(server)
    site.add(1)
    server.route("/private/9.html", html_page(*story(9)))
    server.route("/photo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png")
    t9, b9 = story(9)
    server.route(
        "/mixed.xml",
        rss(
            [
                (t9, server.url("/private/9.html"), b9.split("\n\n")[0]),
                ("A photo", server.url("/photo.png"), ""),
                (*story(8)[:1], server.url("/news/missing.html"), story(8)[1]),
            ]
        ),
        content_type="application/rss+xml",
    )
    server.route("/500.xml", "boom", status=500, content_type="text/plain")
    server.route("/loop-a", "", status=302, headers={"Location": "/loop-b"})
    server.route("/loop-b", "", status=302, headers={"Location": "/loop-a"})
    server.route("/huge.xml", b"", endless=True, content_type="application/rss+xml")
    server.route("/slow.xml", "<rss/>", delay=3.0, content_type="application/rss+xml")
    server.route("/private/feed.xml", "<rss/>", content_type="application/rss+xml")
    sources = [
        Source(server.url(p))
        for p in (
            "/500.xml",
            "/loop-a",
            "/huge.xml",
            "/slow.xml",
            "/private/feed.xml",
            "/mixed.xml",
            "/feed.xml",
        )
    ]
    started = time.monotonic()
    with Watcher(sources, settings, store=store, fetch_settings=FAST) as watcher:
        first = watcher.run_round(due_only=False)
        second = watcher.run_round(due_only=False)
    assert time.monotonic() - started < 30
    assert first.polled == 7 and first.new_articles == 3
    rejects = _rejects(store)
    assert rejects[server.url("/500.xml")] == "HTTP 500"
    assert rejects[server.url("/loop-a")].startswith("redirect loop")
    assert rejects[server.url("/huge.xml")] == "response too large: more than 2000000 bytes"
    assert "timed out" in rejects[server.url("/slow.xml")]
    assert rejects[server.url("/private/feed.xml")] == "disallowed by robots.txt"
    assert rejects[server.url("/photo.png")] == "unsupported content type 'image/png'"
    # the missing and the forbidden pages: their feed entries' own text was stored instead
    with store.read() as session:
        docs = {r.url: r.document for r in session.scalars(select(ArticleRow))}
    assert docs[server.url("/private/9.html")]["errors"] == [
        {
            "stage": "read",
            "reason": "page not used (disallowed by robots.txt); feed entry text used",
        }
    ]
    assert "HTTP 404" in docs[server.url("/news/missing.html")]["errors"][0]["reason"]
    assert (
        server.requests_for("/private/9.html") == []
        and server.requests_for("/private/feed.xml") == []
    )
    # round 2: failing sources polled again; handled links not fetched again
    assert second.polled == 7 and second.new_articles == 0
    assert len(server.requests_for("/photo.png")) == 1
    assert len(server.requests_for("/500.xml")) == 2 * (1 + FAST.retries)


def test_stop_mid_round_loses_and_duplicates_nothing(
    server: NewsServer, settings: Settings, store: Store
) -> None:
    site = NewsSite(server)
    site.add(*range(1, 7))
    feed = server.url("/feed.xml")
    holder: list[Watcher] = []

    class StopAfterFirstBatch(KeywordCoder):
        def __call__(self, articles: list[Article]) -> list[Article]:
            holder[0].stop()
            return super().__call__(articles)

    watcher = Watcher(
        [Source(feed)],
        settings,
        store=store,
        fetch_settings=FAST,
        coder=StopAfterFirstBatch(),
        batch_size=2,
    )
    holder.append(watcher)
    with watcher:
        stats = watcher.run_round(due_only=False)
        assert stats.stopped and 2 <= stats.new_articles < 6
        assert watcher.state.validators(feed) == (None, None)  # incomplete poll: no validators
    with Watcher([Source(feed)], settings, store=store, fetch_settings=FAST) as again:
        rest = again.run_round(due_only=False)
    assert stats.new_articles + rest.new_articles == 6
    assert len(_stored_urls(store)) == 6
    assert all(n == 1 for n in collections.Counter(site.page_requests()).values())


def test_alerts_reach_the_webhook(server: NewsServer, settings: Settings, store: Store) -> None:
    site = NewsSite(server)
    site.add(1)
    clash_title = "Border clash reported near the river crossing"
    clash_body = story(2)[1]
    server.route("/news/clash.html", html_page(clash_title, clash_body))
    server.route(
        "/feed2.xml",
        rss([(clash_title, server.url("/news/clash.html"), clash_body)]),
        content_type="application/rss+xml",
    )
    sink = WebhookSink(server.url("/hook"))
    sources = [Source(server.url("/feed.xml")), Source(server.url("/feed2.xml"))]
    rules = [parse_alert("type=ASSAULT,country=UKR"), parse_alert("--type ASSAULT")]
    with Watcher(
        sources,
        settings,
        store=store,
        fetch_settings=FAST,
        alerts=rules,
        on_alert=sink,
        coder=KeywordCoder(),
    ) as w:
        first = w.run_round(due_only=False)
        site.add(3)
        second = w.run_round(due_only=False)
    sink.close()
    assert first.alerts == 1 and second.alerts == 0 and sink.delivered == 1
    assert len(server.posts) == 1 and server.posts[0].path == "/hook"
    payload = json.loads(server.posts[0].body)
    assert payload["alerts"] == ["type=ASSAULT,country=UKR", "--type ASSAULT"]
    assert payload["event"]["plover"]["type"] == "ASSAULT"
    assert payload["event"]["target"]["country"] == "UKR"
    assert payload["article"]["title"] == clash_title
    assert server.posts[0].headers["content-type"] == "application/json"


def test_run_schedules_rounds_by_interval(
    server: NewsServer, settings: Settings, store: Store
) -> None:
    site = NewsSite(server)
    site.add(1)
    with Watcher(
        [Source(server.url("/feed.xml"))], settings, every=0.4, store=store, fetch_settings=FAST
    ) as w:
        started = time.monotonic()
        rounds = w.run(max_rounds=3)
    assert [r.round for r in rounds] == [1, 2, 3]
    assert time.monotonic() - started >= 0.75
    assert len(server.requests_for("/feed.xml")) == 3


# ---------------------------------------------------------------------------------------------
# The command: SIGTERM mid-round, then a restart
# ---------------------------------------------------------------------------------------------


def _watch_cmd(sources: Path, db_url: str, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "eventwire", "watch", str(sources), "--db", db_url,
        "--rate", "0", "--timeout", "5", "--batch-size", "2",
        "--set", f"pipeline.stages={LIGHT}", *extra,
    ]  # fmt: skip


def test_cli_sigterm_mid_round_then_restart(
    server: NewsServer, tmp_path: Path, db_url: str
) -> None:
    site = NewsSite(server, page_delay=0.25)
    site.add(*range(1, 11))
    sources = tmp_path / "sources.txt"
    sources.write_text(server.url("/feed.xml") + "\n", "utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        _watch_cmd(sources, db_url, "--every", "1s", "--max-rounds", "3"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while len(site.page_requests()) < 3 and time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err.decode()
    assert "SIGTERM: stopping after the current batch" in err.decode()
    assert "(stopped)" in err.decode()
    store = open_store(db_url)
    try:
        stored_first = len(_stored_urls(store))
        assert 3 <= stored_first < 10
        rerun = subprocess.run(
            _watch_cmd(sources, db_url, "--once"),
            capture_output=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert rerun.returncode == 0, rerun.stderr.decode()
        urls = _stored_urls(store)
        with store.read() as session:
            counts = count_rows(session)
    finally:
        store.close()
    assert len(urls) == len(set(urls)) == 10 and counts["articles"] == 10
    # every page fetched exactly once over both runs; the feed in full again (no validators)
    assert collections.Counter(site.page_requests()) == {f"/news/{n}.html": 1 for n in range(1, 11)}
    assert "if-none-match" not in server.requests_for("/feed.xml")[-1].headers


# ---------------------------------------------------------------------------------------------
# The full pipeline: real events reach the alert hook
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_full_pipeline_alerts_real_events(server: NewsServer, db_url: str, store: Store) -> None:
    attack = (
        "Shelling of Kharkiv",
        "Russian forces shelled the Ukrainian city of Kharkiv on Monday, killing three civilians, "
        "Ukrainian officials said.\n\nThe attack damaged several buildings near the city centre.",
    )
    calm = story(4)
    server.route("/a.html", html_page(*attack))
    server.route("/b.html", html_page(*calm))
    server.route(
        "/feed.xml",
        rss(
            [
                (attack[0], server.url("/a.html"), attack[1]),
                (calm[0], server.url("/b.html"), calm[1]),
            ]
        ),
        content_type="application/rss+xml",
    )
    settings = load_settings(overrides={"store.url": db_url}, env={})
    received: list[dict[str, object]] = []
    rule = parse_alert("type=ASSAULT,country=UKR")
    with Watcher(
        [Source(server.url("/feed.xml"))],
        settings,
        store=store,
        fetch_settings=FAST,
        alerts=[rule],
        on_alert=received.append,
    ) as w:
        stats = w.run_round(due_only=False)
    assert stats.new_articles == 2 and stats.events >= 1 and stats.alerts == len(received) >= 1
    for payload in received:
        event = payload["event"]
        assert isinstance(event, dict) and event["plover"]["type"] == "ASSAULT"
        countries = {event["source"]["country"], (event["target"] or {}).get("country")}
        assert "UKR" in countries or (event["location"] or {}).get("country") == "UKR"
        assert payload["article"]["title"] == attack[0]  # type: ignore[index]


def test_cli_once_prints_alerts_as_json(
    server: NewsServer, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from eventwire.cli import app

    monkeypatch.setattr("eventwire.watch.pipeline_coder", lambda _settings: KeywordCoder())
    title = "Clash at the border post"
    server.route("/clash.html", html_page(title, story(7)[1]))
    server.route(
        "/feed.xml",
        rss(
            [(title, server.url("/clash.html"), "summary"), (*story(8)[:1], server.url("/x"), "s")]
        ),
        content_type="application/rss+xml",
    )
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"- url: {server.url('/feed.xml')}\n  kind: feed\n", "utf-8")
    result = CliRunner().invoke(
        app,
        ["watch", str(sources), "--db", db_url, "--once", "--rate", "0", "--alert", "type=ASSAULT"],
    )
    assert result.exit_code == 0, result.output
    alerts = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(alerts) == 1 and alerts[0]["article"]["title"] == title
    assert "round 1: 1 polled (0 unchanged), 2 pages fetched" in result.stderr
