"""The JSON API against SQLite and PostgreSQL (``EVENTWIRE_TEST_PG``), with hand-coded articles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_api_fixtures import (
    BACKENDS,
    HOSTILE_SCRIPT,
    FakeCoder,
    backend_url,
    followup_article,
    pledge_article,
    sample_articles,
    save,
)

from eventwire.api.main import create_app


@pytest.fixture(scope="module", params=BACKENDS)
def read_client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """A client over a store holding the three sample articles (read-only tests)."""
    url, cleanup = backend_url(request.param, tmp_path_factory.mktemp("api"))
    save(url, sample_articles())
    with TestClient(create_app(url)) as client:
        yield client
    cleanup()


@pytest.fixture(params=BACKENDS)
def write_setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, FakeCoder]]:
    url, cleanup = backend_url(request.param, tmp_path)
    yield url, FakeCoder()
    cleanup()


def _uids(page: dict[str, Any]) -> list[str]:
    return [item["uid"] for item in page["items"]]


# ---------------------------------------------------------------------------------------------
# Health, events
# ---------------------------------------------------------------------------------------------


def test_api_healthz_reports_store(read_client: TestClient) -> None:
    body = read_client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["articles"] == 3
    assert body["database"] in ("sqlite", "postgresql")


def test_api_events_lists_all_newest_first(read_client: TestClient) -> None:
    page = read_client.get("/api/events").json()
    days = [item["day"] for item in page["items"]]
    assert len(days) == 9
    assert days == sorted(days, reverse=True)
    assert page["next_cursor"] is None
    first = page["items"][0]
    assert first["article"]["title"]
    assert first["uid"] == f"{first['article_id']}:{first['event']['id']}"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "UKR"}, {("RUS", "ASSAULT")}),
        ({"actor": "AUT"}, {("AUT", "CONSULT"), ("AUT", "AGREE")}),
        ({"type": "reject"}, {("ESP", "REJECT"), ("HUN", "REJECT")}),
        ({"cameo": "03"}, {("NOR", "AGREE"), ("ESP", "AGREE"), ("PRT", "AGREE"), ("AUT", "AGREE")}),
        ({"modality": ["conditional"]}, {("PRT", "AGREE")}),
        (
            {"modality": ["conditional", "intent"]},
            {("PRT", "AGREE"), ("NOR", "AGREE"), ("ESP", "AGREE")},
        ),
        ({"since": "2025-03-04", "type": "AGREE"}, {("AUT", "AGREE")}),
        ({"until": "2025-02-28", "actor": "ESP"}, {("ESP", "AGREE")}),
        ({"text": "shelled UKRAINE"}, {("RUS", "ASSAULT")}),
        ({"text": "withdrew"}, {("ESP", "REJECT")}),
    ],
)
def test_api_events_filters_match_cli_semantics(
    read_client: TestClient, params: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    items = read_client.get("/api/events", params=params).json()["items"]
    got = {(i["event"]["source"]["country"], i["event"]["plover"]["type"]) for i in items}
    assert got == expected


def test_api_events_cursor_pages_cover_everything_once(read_client: TestClient) -> None:
    everything = _uids(read_client.get("/api/events", params={"limit": 1000}).json())
    for order in ("-date", "date"):
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2, "order": order}
            if cursor:
                params["cursor"] = cursor
            page = read_client.get("/api/events", params=params).json()
            seen.extend(_uids(page))
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(everything)
        assert len(seen) == len(set(seen))
    oldest = read_client.get("/api/events", params={"order": "date", "limit": 1}).json()
    assert oldest["items"][0]["day"] == "2025-02-11"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"cameo": "abc"}, 422),
        ({"cameo": "12345"}, 422),
        ({"limit": 0}, 422),
        ({"limit": 100000}, 422),
        ({"modality": "sure"}, 422),
        ({"order": "sideways"}, 422),
        ({"country": "U1"}, 422),
        ({"since": "yesterday"}, 400),
        ({"since": "2025-03-01", "until": "2025-02-01"}, 400),
        ({"cursor": "not-a-cursor"}, 400),
        ({"cursor": "W10="}, 400),
        ({"text": "x" * 500}, 422),
    ],
)
def test_api_events_bad_parameters_are_4xx_with_message(
    read_client: TestClient, params: dict[str, Any], status: int
) -> None:
    response = read_client.get("/api/events", params=params)
    assert response.status_code == status
    detail = response.json()["detail"]
    assert detail
    if isinstance(detail, list):
        assert all(problem["msg"] for problem in detail)


def test_api_event_by_uid(read_client: TestClient) -> None:
    item = read_client.get("/api/events", params={"actor": "HUN"}).json()["items"][0]
    one = read_client.get(f"/api/events/{item['uid']}")
    assert one.status_code == 200
    assert one.json() == item
    assert read_client.get(f"/api/events/{item['article_id']}:E99").status_code == 404
    bad = read_client.get("/api/events/no-colon-here")
    assert bad.status_code == 400
    assert "ARTICLE_ID:EVENT_ID" in bad.json()["detail"]


# ---------------------------------------------------------------------------------------------
# Articles
# ---------------------------------------------------------------------------------------------


def test_api_article_returns_full_document(read_client: TestClient) -> None:
    article = pledge_article()
    body = read_client.get(f"/api/articles/{article.id}").json()
    expected = json.loads(json.dumps(article.to_document()))
    for key in (
        "id",
        "title",
        "text",
        "url",
        "outlet",
        "flags",
        "actors",
        "events",
        "quotes",
        "places",
    ):
        assert body[key] == expected[key], key
    assert body["published"].startswith("2025-02-11T09:30:00")
    assert read_client.get("/api/articles/0000000000000000").status_code == 404


def test_api_articles_list_filters_and_pages(read_client: TestClient) -> None:
    page = read_client.get("/api/articles").json()
    assert [a["title"][:5] for a in page["items"]][:2] == [HOSTILE_SCRIPT[:5], "Spain"]
    assert all("text" not in a for a in page["items"])
    only = read_client.get("/api/articles", params={"q": "moldova MISSION"}).json()["items"]
    assert {a["outlet"] for a in only} == {"Other Daily", "Example Wire"}
    ukr = read_client.get("/api/articles", params={"country": "UKR"}).json()["items"]
    assert [a["id"] for a in ukr] == [followup_article().id]
    feb = read_client.get("/api/articles", params={"until": "2025-02-28"}).json()["items"]
    assert [a["id"] for a in feb] == [pledge_article().id]
    ids: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = read_client.get("/api/articles", params=params).json()
        ids.extend(a["id"] for a in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(ids) == 3 == len(set(ids))
    assert read_client.get("/api/articles", params={"cursor": "%%%"}).status_code == 400
    assert read_client.get("/api/articles", params={"limit": -1}).status_code == 422


# ---------------------------------------------------------------------------------------------
# Actors, quotes
# ---------------------------------------------------------------------------------------------


def test_api_actors_list_and_profile(read_client: TestClient) -> None:
    items = read_client.get("/api/actors").json()["items"]
    by_id = {a["id"]: a for a in items}
    assert by_id["MDA"]["articles"] == 2
    assert by_id["HUN"]["articles"] == 1
    assert items[0]["articles"] >= items[-1]["articles"]
    assert [
        a["id"] for a in read_client.get("/api/actors", params={"q": "port"}).json()["items"]
    ] == ["PRT"]

    aut = read_client.get("/api/actors/AUT").json()
    assert aut["name"] == "Austria"
    assert aut["events"] == 2
    assert aut["by_type"] == {"AGREE": 1, "CONSULT": 1}
    assert [(m["month"], m["total"]) for m in aut["by_month"]] == [("2025-02", 1), ("2025-03", 1)]
    assert aut["partners"] == [{"id": "MDA", "name": "Moldova", "events": 2}]
    mda = read_client.get("/api/actors/MDA").json()
    assert {p["id"] for p in mda["partners"]} == {"NOR", "ESP", "PRT", "AUT"}
    nor = read_client.get("/api/actors/NOR").json()
    assert [q["quote_id"] for q in nor["recent_quotes"]] == ["Q1"]
    missing = read_client.get("/api/actors/XXX")
    assert missing.status_code == 404
    assert "XXX" in missing.json()["detail"]
    assert read_client.get("/api/actors", params={"type": "planet"}).status_code == 422


def test_api_quotes_filters(read_client: TestClient) -> None:
    all_quotes = read_client.get("/api/quotes").json()["items"]
    assert len(all_quotes) == 2
    nor = read_client.get("/api/quotes", params={"speaker": "NOR"}).json()["items"]
    assert [q["text"] for q in nor] == ["We will stand by Moldova"]
    assert nor[0]["speaker_id"] == "NOR"
    assert (
        read_client.get("/api/quotes", params={"text": "nothing"}).json()["items"][0]["quote_id"]
        == "Q1"
    )
    assert read_client.get("/api/quotes", params={"offset": -1}).status_code == 422


# ---------------------------------------------------------------------------------------------
# Commitment board
# ---------------------------------------------------------------------------------------------


def _board(client: TestClient, **params: Any) -> dict[str, set[str]]:
    response = client.get("/api/stance", params=params)
    assert response.status_code == 200, response.text
    out: dict[str, set[str]] = {}
    for entry in response.json()["entries"]:
        out.setdefault(entry["stance"], set()).add(entry["actor"])
    return out


def test_api_stance_latest_stance_per_actor(read_client: TestClient) -> None:
    board = _board(read_client, target="MDA", theme="peacekeeping")
    assert board == {
        "committed": {"NOR", "AUT"},
        "conditional": {"PRT"},
        "declined": {"ESP", "HUN"},
    }
    february = _board(read_client, target="MDA", theme="peacekeeping", until="2025-02-28")
    assert february == {
        "committed": {"NOR", "ESP"},
        "conditional": {"PRT"},
        "in_talks": {"AUT"},
        "declined": {"HUN"},
    }


def test_api_stance_entries_carry_the_sentence(read_client: TestClient) -> None:
    entries = read_client.get(
        "/api/stance", params={"target": "MDA", "theme": "peacekeeping"}
    ).json()["entries"]
    hun = next(e for e in entries if e["actor"] == "HUN")
    assert hun["sentence"] == "Hungary refused to take part in the peacekeeping mission."
    assert hun["explicit_target"] is False
    esp = next(e for e in entries if e["actor"] == "ESP")
    assert esp["statements"] == 2
    assert esp["sentence"].startswith("Spain withdrew its offer")


def test_api_stance_without_theme_counts_only_explicit_target(read_client: TestClient) -> None:
    board = _board(read_client, target="MDA", type="AGREE")
    # REJECT is not of type AGREE: Spain's latest AGREE (a pledge) stands
    assert board == {"committed": {"NOR", "AUT", "ESP"}, "conditional": {"PRT"}}
    assert _board(read_client, target="MDA", theme="any") != {}


def test_api_stance_bad_parameters(read_client: TestClient) -> None:
    assert read_client.get("/api/stance").status_code == 422
    unknown = read_client.get("/api/stance", params={"target": "MDA", "theme": "weather"})
    assert unknown.status_code == 400
    assert "peacekeeping" in unknown.json()["detail"]
    assert read_client.get("/api/stance", params={"target": "MDA", "since": "x"}).status_code == 400


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

_NEW = {
    "title": "Ministers meet",
    "text": "France met Italy in Rome on Monday to discuss trade.",
    "published": "2025-04-01",
}


def test_api_post_disabled_without_token(
    write_setup: tuple[str, FakeCoder], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EVENTWIRE_TOKEN", raising=False)
    url, coder = write_setup
    with TestClient(create_app(url, coder_factory=lambda: coder)) as client:
        response = client.post("/api/articles", json=_NEW, headers={"Authorization": "Bearer x"})
    assert response.status_code == 403
    assert "EVENTWIRE_TOKEN" in response.json()["detail"]
    assert coder.calls == 0


def test_api_post_requires_the_bearer_token(write_setup: tuple[str, FakeCoder]) -> None:
    url, coder = write_setup
    with TestClient(create_app(url, token="s3cret", coder_factory=lambda: coder)) as client:
        assert client.post("/api/articles", json=_NEW).status_code == 401
        wrong = client.post("/api/articles", json=_NEW, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"] == "Bearer"
        basic = client.post("/api/articles", json=_NEW, headers={"Authorization": "Basic s3cret"})
        assert basic.status_code == 401
        assert client.get("/api/articles").json()["items"] == []
    assert coder.calls == 0


def test_api_post_codes_and_stores_any_json_shape(write_setup: tuple[str, FakeCoder]) -> None:
    url, coder = write_setup
    auth = {"Authorization": "Bearer s3cret"}
    with TestClient(create_app(url, token="s3cret", coder_factory=lambda: coder)) as client:
        created = client.post("/api/articles", json=_NEW, headers=auth)
        assert created.status_code == 201, created.text
        body = created.json()
        assert len(body["stored"]) == 1 and body["events"] == 1 and body["rejected"] == []
        stored = client.get(f"/api/articles/{body['stored'][0]}").json()
        assert stored["events"][0]["source"]["country"] == "FRA"
        assert client.get("/api/events", params={"actor": "ITA"}).json()["items"]

        again = client.post("/api/articles", json=[_NEW], headers=auth)
        assert again.status_code == 200
        assert again.json()["existing"] == body["stored"] and again.json()["stored"] == []

        wrapped = {
            "status": "ok",
            "articles": [
                {
                    "headline": "Second",
                    "body": "Germany met Poland in Warsaw.",
                    "publishedAt": "2025-04-02T10:00:00Z",
                },
                {"headline": "No body at all"},
            ],
        }
        second = client.post("/api/articles", json=wrapped, headers=auth).json()
        assert len(second["stored"]) == 1
        assert len(second["rejected"]) == 1 and "no article text" in second["rejected"][0]["reason"]

        lines = "\n".join(
            json.dumps({"title": f"L{i}", "text": f"Italy met Poland, meeting {i}."})
            for i in range(3)
        )
        jsonl = client.post(
            "/api/articles", content=lines, headers={**auth, "Content-Type": "application/x-ndjson"}
        )
        assert jsonl.status_code == 201 and len(jsonl.json()["stored"]) == 3
        assert client.get("/healthz").json()["articles"] == 5


@pytest.mark.parametrize(
    ("content", "ctype", "status"),
    [
        (b"", "application/json", 422),
        (b"{not json", "application/json", 422),
        (b'"just a string"', "application/json", 422),
        (b"[1, 2]", "application/json", 422),
        (b"<xml/>", "application/xml", 415),
    ],
)
def test_api_post_bad_bodies_are_4xx(
    write_setup: tuple[str, FakeCoder], content: bytes, ctype: str, status: int
) -> None:
    url, coder = write_setup
    with TestClient(create_app(url, token="t", coder_factory=lambda: coder)) as client:
        response = client.post(
            "/api/articles",
            content=content,
            headers={"Authorization": "Bearer t", "Content-Type": ctype},
        )
    assert response.status_code == status
    assert response.json()["detail"]


def test_api_body_size_limit(tmp_path: Path) -> None:
    coder = FakeCoder()
    app = create_app(
        f"sqlite:///{tmp_path / 'l.db'}",
        token="t",
        coder_factory=lambda: coder,
        max_body_bytes=1000,
    )
    big = json.dumps({"title": "x", "text": "France met Italy. " * 200}).encode()
    with TestClient(app) as client:
        declared = client.post(
            "/api/articles",
            content=big,
            headers={"Authorization": "Bearer t", "Content-Type": "application/json"},
        )
        assert declared.status_code == 413
        assert "1000" in declared.json()["detail"]

        def chunks() -> Iterator[bytes]:
            for i in range(0, len(big), 100):
                yield big[i : i + 100]

        streamed = client.post(
            "/api/articles",
            content=chunks(),
            headers={"Authorization": "Bearer t", "Content-Type": "application/json"},
        )
        assert streamed.status_code == 413
        small = client.post(
            "/api/articles",
            json={"title": "s", "text": "France met Italy."},
            headers={"Authorization": "Bearer t"},
        )
        assert small.status_code == 201
    assert coder.calls == 1


def test_api_token_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTWIRE_TOKEN", "from-env")
    coder = FakeCoder()
    with TestClient(
        create_app(f"sqlite:///{tmp_path / 'e.db'}", coder_factory=lambda: coder)
    ) as client:
        ok = client.post("/api/articles", json=_NEW, headers={"Authorization": "Bearer from-env"})
    assert ok.status_code == 201


def test_api_db_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    save(url, [pledge_article()])
    monkeypatch.setenv("EVENTWIRE_DB", url)
    with TestClient(create_app()) as client:
        assert client.get("/healthz").json()["articles"] == 1


# ---------------------------------------------------------------------------------------------
# Headers and OpenAPI
# ---------------------------------------------------------------------------------------------


def test_api_security_headers_and_openapi(read_client: TestClient) -> None:
    response = read_client.get("/api/events")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    spec = read_client.get("/openapi.json").json()
    for path in (
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/events",
        "/api/events/{uid}",
        "/api/actors",
        "/api/actors/{actor_id}",
        "/api/quotes",
        "/api/stance",
        "/healthz",
    ):
        assert path in spec["paths"], path
    assert "post" in spec["paths"]["/api/articles"]
    assert "EventPublic" in spec["components"]["schemas"]
    assert read_client.get("/docs").status_code == 200


def test_api_json_keeps_hostile_text_as_data(read_client: TestClient) -> None:
    items = read_client.get("/api/articles").json()["items"]
    hostile = next(a for a in items if a["title"].startswith("<script>"))
    assert (
        read_client.get(f"/api/articles/{hostile['id']}")
        .headers["content-type"]
        .startswith("application/json")
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_api_page_events_orders_like_query_events(backend: str, tmp_path: Path) -> None:
    """The API's index-friendly paging returns what the store's query_events returns, in the same
    order (undated events last when newest first), and the two accept each other's cursors."""
    from test_api_fixtures import make_event

    from eventwire.api.queries import page_events
    from eventwire.model import Article
    from eventwire.storage.repo import EventFilter, open_store, query_events

    url, cleanup = backend_url(backend, tmp_path)
    undated_text = "Italy met Poland somewhere."
    undated = Article.create(undated_text, title="Undated")
    undated.events = [
        make_event(
            undated_text,
            "E1",
            source=("Italy", "ITA"),
            target=("Poland", "POL"),
            trigger="met",
            plover="CONSULT",
            cameo="040",
        )
    ]
    save(url, [*sample_articles(), undated])
    store = open_store(url)
    try:
        with store.read() as session:
            for order in ("-date", "date"):
                expected = [
                    r.columns["event_id"] + r.article_id
                    for r in query_events(session, None, limit=None, order=order)
                ]
                got = [
                    r.columns["event_id"] + r.article_id
                    for r in page_events(session, EventFilter(), limit=100, order=order)
                ]
                assert got == expected
                # walk both with each other's cursors, two at a time
                walked: list[str] = []
                cursor = None
                use_store = True
                while True:
                    fn = query_events if use_store else page_events
                    page = fn(session, EventFilter(), limit=2, cursor=cursor, order=order)  # type: ignore[operator]
                    if not page:
                        break
                    walked.extend(r.columns["event_id"] + r.article_id for r in page)
                    cursor = page[-1].cursor
                    use_store = not use_store
                assert walked == expected
            newest_first = page_events(session, EventFilter(), limit=100)
            assert newest_first[-1].day is None
    finally:
        store.close()
        cleanup()
