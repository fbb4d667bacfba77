"""The web explorer's HTML (escaping, highlights, pages), the board's data file and sentence
finder, and ``eventwire serve``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_api_fixtures import (
    HOSTILE_IMG,
    HOSTILE_SCRIPT,
    followup_article,
    hostile_article,
    pledge_article,
    sample_articles,
    save,
)
from typer.testing import CliRunner

from eventwire.api.main import create_app
from eventwire.api.queries import MapPoint, MonthCount
from eventwire.api.render import highlight_article, map_svg, project, timeline_svg
from eventwire.api.stance import load_board_config, sentence_around
from eventwire.errors import LexiconError
from eventwire.model import Article


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    save(url, sample_articles())
    with TestClient(create_app(url)) as c:
        yield c


# ---------------------------------------------------------------------------------------------
# Highlighting and escaping
# ---------------------------------------------------------------------------------------------


def _spans(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<span [^>]*class="hl ([^"]+)"[^>]*>([^<]*)</span>', html)


def test_api_highlight_marks_roles_and_anchors() -> None:
    html = str(highlight_article(pledge_article()))
    spans = _spans(html)
    assert ("hl-source", "Norway") in spans
    assert ("hl-trigger", "pledged") in spans
    assert ("hl-target", "Moldova") in spans
    assert ("hl-source", "Hungary") in spans
    assert 'id="ev-E1"' in html and 'id="ev-E5"' in html
    assert html.count('id="ev-E1"') == 1
    # E2 shares E1's trigger: it gets an empty anchor of its own
    assert '<span class="anchor" id="ev-E2"></span>' in html
    # one <p> per line of the text, quote spans inside the last one
    assert html.count("<p>") == 5
    assert any("hl-quote" in cls and "Moldova" in text for cls, text in spans)
    # the text is unchanged apart from the markup
    plain = re.sub(r"<[^>]+>", "", html.replace("</p><p>", "\n"))
    assert plain == pledge_article().text


def test_api_highlight_escapes_every_segment() -> None:
    article = hostile_article()
    html = str(highlight_article(article))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;window.__xss = 1;&lt;/script&gt;" in html
    assert 'onerror="' not in html
    assert "onerror=&#34;window.__xss_img = 1&#34;" in html


def test_api_highlight_overlapping_spans_share_one_segment() -> None:
    text = "Rome met Paris."
    article = Article.create(text, title="t")
    from test_api_fixtures import make_event

    article.events = [
        make_event(
            text,
            "E1",
            source=("Rome met", "ITA"),
            target=("Paris", "FRA"),
            trigger="met",
            plover="CONSULT",
            cameo="040",
        )
    ]
    spans = _spans(str(highlight_article(article)))
    assert ("hl-source", "Rome ") in spans
    assert ("hl-source hl-trigger", "met") in spans
    assert ("hl-target", "Paris") in spans


def test_api_highlight_ignores_out_of_range_offsets() -> None:
    article = pledge_article()
    article.events[0].trigger.start, article.events[0].trigger.end = 10_000, 10_005
    html = str(highlight_article(article))
    assert 'id="ev-E1"' not in html
    assert re.sub(r"<[^>]+>", "", html.replace("</p><p>", "\n")) == article.text


def test_api_timeline_and_map_svg() -> None:
    months = [MonthCount("2025-01", 3, {1: 2, 4: 1}), MonthCount("2025-02", 1, {3: 1})]
    svg = str(timeline_svg(months))
    assert svg.startswith("<svg") and svg.count("<rect") == 3
    assert "2025-01: 2 verbal cooperation" in svg
    assert str(timeline_svg([])) == ""
    assert project(0, 0) == (500.0, 250.0)
    assert project(90, -180) == (0.0, 0.0)
    points = [MapPoint("<b>Kyiv</b>", "UKR", 50.45, 30.52, 4, "event")]
    svg = str(map_svg(points))
    assert 'class="country"' in svg and svg.count("<circle") == 1
    assert "&lt;b&gt;Kyiv&lt;/b&gt;" in svg and "<b>" not in svg


# ---------------------------------------------------------------------------------------------
# Board data and sentences
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle", "expected"),
    [
        ("One thing. Spain agreed to help. Then more.", "agreed", "Spain agreed to help."),
        ("First line here.\nSecond line agreed. Next.", "agreed", "Second line agreed."),
        ("\u201cWe agreed.\u201d He left.", "agreed", "\u201cWe agreed.\u201d"),
        ("No end at all agreed", "agreed", "No end at all agreed"),
        ("Talks in the U.S. ended. Done.", "ended", "Talks in the U.S. ended."),
    ],
)
def test_api_sentence_around(text: str, needle: str, expected: str) -> None:
    start = text.index(needle)
    s, e = sentence_around(text, start, start + len(needle))
    assert text[s:e] == expected


def test_api_board_config_validates_and_matches(tmp_path: Path) -> None:
    config = load_board_config()
    theme = config.themes["peacekeeping"]
    assert config.matches(theme, "0334", [], "")
    assert config.matches(theme, "040", [], "They discussed the Troops.")
    assert config.matches(theme, "040", ["peacekeeping"], "")
    assert not config.matches(theme, "040", [], "They discussed trade.")
    assert config.matches(theme, "040", [], "The troopship left.")  # troop* takes any ending
    assert not config.matches(theme, "040", [], "A troupe of actors.")
    assert config.rules[("REJECT", "asserted")] == "declined"

    bad = tmp_path / "themes.yaml"
    bad.write_text(
        "version: '1'\nsource: s\nlicense: l\nknown_gaps: g\n"
        "stances:\n  - {type: AGREE, modality: asserted, stance: committed}\n"
        "themes:\n  - {id: ok, label: Ok}\n  - {id: Bad Id, label: x}\n",
        "utf-8",
    )
    with pytest.raises(LexiconError) as err:
        load_board_config(bad)
    assert str(bad) in str(err.value) and ":1" in str(err.value)
    bad.write_text(bad.read_text("utf-8").replace("Bad Id", "ok"), "utf-8")
    with pytest.raises(LexiconError, match="duplicate theme"):
        load_board_config(bad)
    with pytest.raises(LexiconError):
        load_board_config(tmp_path / "missing.yaml")


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/events", "/articles", "/actors", "/actors/AUT", "/board", "/map"]
)
def test_api_pages_render(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<h1" in html and 'lang="en"' in html
    # offline: no asset from another host
    assert not re.search(
        r'(src|href)="(https?:)?//', html.replace('href="https://news.example', "")
    )


def test_api_article_page_escapes_hostile_article(client: TestClient) -> None:
    article = hostile_article()
    html = client.get(f"/articles/{article.id}").text
    assert HOSTILE_SCRIPT not in html
    assert HOSTILE_IMG not in html
    assert "&lt;script&gt;" in html
    assert "javascript:" not in html
    assert html.count("<script") == 1  # only the bundled app.js
    assert 'onerror="' not in html


def test_api_article_page_shows_highlights_events_quotes_flags(client: TestClient) -> None:
    article = pledge_article()
    html = client.get(f"/articles/{article.id}").text
    assert 'class="hl hl-trigger"' in html and 'id="ev-E3"' in html
    assert "Source actor" in html and "Target actor" in html and "Quotation" in html
    assert 'href="#ev-E4"' in html
    assert "We will stand by Moldova" in html
    hostile = client.get(f"/articles/{hostile_article().id}").text
    assert "headline mismatch" in hostile


def test_api_events_page_links_rows_to_articles(client: TestClient) -> None:
    html = client.get("/events", params={"actor": "ESP"}).text
    rows = re.findall(r'<tr class="event-row" data-uid="([^"]+)">', html)
    assert len(rows) == 2
    assert f'href="/articles/{followup_article().id}#ev-E1"' in html
    assert f'href="/articles/{pledge_article().id}#ev-E2"' in html


def test_api_events_page_blank_fields_are_ignored(client: TestClient) -> None:
    params: dict[str, Any] = {
        "actor": "",
        "country": "",
        "type": "",
        "cameo": "",
        "modality": "",
        "since": "",
        "until": "",
        "text": "",
    }
    html = client.get("/events", params=params).text
    assert len(re.findall(r'class="event-row"', html)) == 9


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/events?cameo=abc", 400, "cameo"),
        ("/events?since=soon", 400, "since"),
        ("/events?order=up", 400, "order"),
        ("/articles/ffffffffffffffff", 404, "ffffffffffffffff"),
        ("/actors/NOPE", 404, "NOPE"),
        ("/board?theme=weather", 400, "weather"),
        ("/nowhere", 404, "Not Found"),
    ],
)
def test_api_page_errors_are_html(client: TestClient, path: str, status: int, words: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert words in response.text


def test_api_board_page_groups_actors(client: TestClient) -> None:
    html = client.get("/board", params={"target": "MDA", "theme": "peacekeeping"}).text
    found = dict(re.findall(r'data-actor="([A-Z]{3})" data-stance="([a-z_]+)"', html))
    assert found == {
        "NOR": "committed",
        "AUT": "committed",
        "PRT": "conditional",
        "ESP": "declined",
        "HUN": "declined",
    }
    assert "Hungary refused to take part in the peacekeeping mission." in html


def test_api_board_page_defaults_to_the_most_frequent_target(client: TestClient) -> None:
    html = client.get("/board").text
    assert 'value="MDA"' in html


def test_api_map_page_plots_locations(client: TestClient) -> None:
    html = client.get("/map").text
    assert html.count('class="pt pt-event"') == 2
    assert "Kharkiv" in html and "Chisinau" in html
    filtered = client.get("/map", params={"country": "UKR"}).text
    assert filtered.count('class="pt pt-event"') == 1


def test_api_static_assets_are_served(client: TestClient) -> None:
    for name in ("style.css", "app.js", "world-110m.svg", "favicon.svg"):
        assert client.get(f"/static/{name}").status_code == 200


# ---------------------------------------------------------------------------------------------
# eventwire serve
# ---------------------------------------------------------------------------------------------


def test_api_serve_binds_localhost_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from eventwire.cli import app

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda application, **kw: calls.append({"app": application, **kw})
    )
    monkeypatch.delenv("EVENTWIRE_TOKEN", raising=False)
    result = CliRunner().invoke(
        app, ["serve", "--db", f"sqlite:///{tmp_path / 's.db'}", "--port", "8123"]
    )
    assert result.exit_code == 0, result.output
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8123
    assert calls[0]["app"].state.eventwire.token is None

    monkeypatch.setenv("EVENTWIRE_TOKEN", "tok")
    CliRunner().invoke(app, ["serve", "--db", f"sqlite:///{tmp_path / 's.db'}"])
    assert calls[1]["app"].state.eventwire.token == "tok"
    bad = CliRunner().invoke(app, ["serve", "--db", "mysql://nowhere/db"])
    assert bad.exit_code == 2


def test_api_docs_page_works_offline(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from eventwire.api.main import create_app

    client = TestClient(create_app(f"sqlite:///{tmp_path / 'docs.db'}"))
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text and "//unpkg" not in page.text
    for asset in ("/swagger-ui/swagger-ui-bundle.js", "/swagger-ui/swagger-ui.css"):
        assert asset in page.text
        assert client.get(asset).status_code == 200
