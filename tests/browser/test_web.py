"""The web explorer in headless Chromium, over hand-coded articles (no spaCy model needed)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import screenshot
from test_api_fixtures import HOSTILE_SCRIPT, hostile_article, pledge_article, sample_articles

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(serve_articles: Any) -> str:
    return str(serve_articles(sample_articles()))


def test_web_event_row_leads_to_its_article(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/events")
    rows = page.locator("tr.event-row")
    assert rows.count() == 9
    screenshot(page, "events")
    row = page.locator("tr.event-row", has_text="refused")
    row.locator("a.trigger-link").click()
    page.wait_for_load_state()
    article = pledge_article()
    assert page.url.startswith(f"{base_url}/articles/{article.id}#ev-E5")
    anchor = page.locator("#ev-E5")
    assert anchor.inner_text() == "refused"
    assert "hl-trigger" in (anchor.get_attribute("class") or "")
    assert anchor.is_visible()
    assert page.errors == []


def test_web_article_highlights_and_side_panels(page: Any, base_url: str) -> None:
    article = pledge_article()
    page.goto(f"{base_url}/articles/{article.id}")
    assert page.locator("h1").inner_text() == article.title
    assert page.locator(".body .hl-source").filter(has_text="Norway").count() == 1
    assert page.locator(".body .hl-target").filter(has_text="Moldova").count() >= 1
    # Norway's and Spain's events share the trigger "pledged": four distinct trigger spans
    assert page.locator(".body .hl-trigger").count() == 4
    assert page.locator("#ev-E2").count() == 1
    assert page.locator(".body .hl-quote").count() >= 1
    legend = page.locator("ul.legend").first.inner_text()
    for label in ("Source actor", "Target actor", "Event trigger", "Quotation"):
        assert label in legend
    # highlight colours differ by role
    colours = {
        role: page.locator(f".legend .hl-{role}").evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for role in ("source", "target", "quote")
    }
    assert len(set(colours.values())) == 3
    assert page.locator("#events-h + .table-wrap tbody tr").count() == 5
    assert "We will stand by Moldova" in page.locator(".quotes").inner_text()
    screenshot(page, "article-handmade")


def test_web_hostile_article_script_never_runs(browser: Any, base_url: str) -> None:
    # bypass_csp: the escaping alone must keep the payload inert, not the Content-Security-Policy
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    article = hostile_article()
    for path in (f"/articles/{article.id}", "/articles", "/events", "/", "/actors/FRA"):
        page.goto(base_url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__xss") == "undefined", path
        assert page.evaluate("typeof window.__xss_img") == "undefined", path
        assert page.evaluate("typeof window.__xss_url") == "undefined", path
    page.goto(f"{base_url}/articles/{article.id}")
    assert HOSTILE_SCRIPT in page.locator("h1").inner_text()
    assert HOSTILE_SCRIPT in page.locator(".body").inner_text()
    assert page.locator(".body img, .body script, h1 script, h1 img").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert dialogs == []
    screenshot(page, "article-hostile")
    context.close()


def test_web_tables_sort_by_column(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/events")
    header = page.locator("th", has_text="Type").locator("button.sort")
    header.click()
    types = page.locator("tr.event-row td:nth-child(3)").all_inner_texts()
    assert types == sorted(types, key=str.lower)
    assert page.locator("th[aria-sort='ascending']").count() == 1
    header.click()
    types = page.locator("tr.event-row td:nth-child(3)").all_inner_texts()
    assert types == sorted(types, key=str.lower, reverse=True)


def test_web_filters_form_filters_events(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/events")
    page.get_by_label("Actor", exact=True).fill("ESP")
    page.get_by_label("Modality", exact=True).select_option("intent")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert "actor=ESP" in page.url
    assert page.locator("tr.event-row").count() == 1


def test_web_board_map_actor_and_home(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/board?target=MDA&theme=peacekeeping")
    cards = page.locator("li.stance-card")
    stances = {c.get_attribute("data-actor"): c.get_attribute("data-stance") for c in cards.all()}
    assert stances == {
        "NOR": "committed",
        "AUT": "committed",
        "PRT": "conditional",
        "ESP": "declined",
        "HUN": "declined",
    }
    screenshot(page, "board-handmade")
    page.goto(f"{base_url}/map")
    assert page.locator("svg.map path.country").count() > 150
    assert page.locator("svg.map circle.pt-event").count() == 2
    screenshot(page, "map")
    page.goto(f"{base_url}/actors/AUT")
    assert page.locator("svg.chart rect").count() == 2
    assert "Moldova" in page.locator("#partners-h + ol").inner_text()
    screenshot(page, "actor")
    page.goto(base_url + "/")
    screenshot(page, "home")
    assert page.errors == []


def test_web_keyboard_and_labels(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/events")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    unlabeled = page.evaluate(
        """() => [...document.querySelectorAll('input, select')]
            .filter(e => e.type !== 'hidden' && !(e.id && document.querySelector(`label[for="${e.id}"]`)))
            .map(e => e.name)"""
    )
    assert unlabeled == []
    assert page.locator("h1").count() == 1
