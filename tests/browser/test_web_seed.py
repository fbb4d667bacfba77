"""The seed article coded by the full pipeline, in the browser: highlights and the commitment
board (needs the spaCy model, so also marked slow)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import screenshot

from eventwire.model import Article

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEED = "seeds/000_3d0455d412e793cd.txt"


@pytest.fixture(scope="module")
def seed(full_pipeline: Any) -> Article:
    from browser_support import REPO

    from eventwire.readers import read

    path = REPO.parent / "shared" / SEED
    if not path.is_file():
        pytest.skip(f"shared seed article not available: {path}")
    articles = [a for a in read([str(path)]) if isinstance(a, Article)]
    assert len(articles) == 1
    return next(iter(full_pipeline.pipe(articles)))


@pytest.fixture(scope="module")
def base_url(serve_articles: Any, seed: Article) -> str:
    return str(serve_articles([seed]))


def test_web_seed_article_highlights(page: Any, base_url: str, seed: Article) -> None:
    page.goto(f"{base_url}/articles/{seed.id}")
    body = page.locator(".body")
    assert body.inner_text().replace("\n", "").startswith(seed.text.split("\n")[0][:40])
    sources = page.locator(".body .hl-source").all_inner_texts()
    targets = page.locator(".body .hl-target").all_inner_texts()
    for country in ("Britain", "France", "Australia", "Denmark", "Sweden"):
        assert any(country in s for s in sources), country
    assert any("Ukraine" in t for t in targets)
    assert page.locator(".body .hl-trigger").count() >= 10
    assert page.locator(".body .hl-quote").count() >= 5
    # every coded event is listed and its trigger anchor exists in the text
    assert page.locator("#events-h + .table-wrap tbody tr").count() == len(seed.events)
    for ev in seed.events[:10]:
        assert page.locator(f"#ev-{ev.id}").count() == 1
    if seed.has_flag("headline_mismatch"):
        assert "headline mismatch" in page.locator("ul.flags").inner_text()
    screenshot(page, "article-seed")
    assert page.errors == []


def test_web_seed_commitment_board(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/board?target=UKR&theme=peacekeeping")
    stances = {
        c.get_attribute("data-actor"): c.get_attribute("data-stance")
        for c in page.locator("li.stance-card").all()
    }
    expected = {
        **dict.fromkeys(("GBR", "FRA", "AUS", "DNK", "SWE"), "committed"),
        **dict.fromkeys(("IRL", "LUX", "BEL"), "conditional"),
        **dict.fromkeys(("FIN", "POL"), "in_talks"),
        "USA": "declined",
    }
    for actor, stance in expected.items():
        assert stances.get(actor) == stance, (actor, stances)
    usa = page.locator("li.stance-card[data-actor='USA'] blockquote").inner_text()
    assert "refused" in usa
    screenshot(page, "board-seed")
