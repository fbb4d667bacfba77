"""Golden tests of quotes and places: the canonical seed article and the hand-written sentences.

Speakers are checked by actor (id, country, sector through the actor stage) and by span text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eventwire.model import Article, Quote
from eventwire.registry import get_stage

pytestmark = pytest.mark.slow

SENTENCES = Path(__file__).with_name("quote_sentences.jsonl")
CASES: list[dict[str, Any]] = [
    json.loads(line) for line in SENTENCES.read_text("utf-8").splitlines() if line.strip()
]


@pytest.fixture(scope="module")
def stages(nlp_stage: Any) -> list[Any]:
    return [
        nlp_stage,
        get_stage("eventwire.actors.resolver.v1").factory(on_error="raise"),
        get_stage("eventwire.quotes.v1").factory(on_error="raise"),
        get_stage("eventwire.places.v1").factory(on_error="raise"),
    ]


def _run(stages: list[Any], article: Article) -> Article:
    for stage in stages:
        article = stage(article)
    return article


@pytest.fixture(scope="module")
def seed(stages: list[Any], seed_article_raw: dict[str, Any]) -> Article:
    article = Article.create(
        str(seed_article_raw["text"]),
        title=str(seed_article_raw["title"]),
        published=seed_article_raw["published"],
    )
    return _run(stages, article)


def _quote_with(article: Article, fragment: str) -> Quote:
    found = [q for q in article.quotes if fragment in q.text]
    assert found, f"no quote contains {fragment!r}: {[q.text for q in article.quotes]}"
    return found[0]


def _actor_name(article: Article, actor_id: str | None) -> str:
    return next(a.name for a in article.actors if a.id == actor_id)


SEED_EXPECTED = [
    # (quote fragment, speaker span text, actor name fragment, country, sector)
    ("There are more maps we can play", "David Lami", "Lammy", "GBR", "GOV"),
    (
        "helped us prepare the tools to force Russia to agree seriously",
        "Lami",
        "Lammy",
        "GBR",
        "GOV",
    ),
    ("We can go on to focus on their energy and protection sectors", "Lami", "Lammy", "GBR", "GOV"),
    ("It is not just about the troops", "press -secretary", "press secretary", "GBR", "GOV"),
    (
        "With a large number of countries there will be a considerable force",
        "press -secretary",
        "press secretary",
        "GBR",
        "GOV",
    ),
    ("The Prime Minister said that", "Downing -Rate", "", "GBR", "GOV"),
    (
        "Nobody wants to see a small number of European troops",
        "EU diplomat",
        "EU diplomat",
        None,
        "GOV",
    ),
    ("It will have a huge burden on NATO unity", "EU diplomat", "EU diplomat", None, "GOV"),
]


@pytest.mark.parametrize(
    ("fragment", "span_text", "actor_name", "country", "sector"), SEED_EXPECTED
)
def test_seed_quote_speakers(
    seed: Article, fragment: str, span_text: str, actor_name: str, country: str | None, sector: str
) -> None:
    quote = _quote_with(seed, fragment)
    assert quote.direct
    assert seed.text[quote.start : quote.end] == quote.text
    assert quote.speaker is not None
    assert span_text in quote.speaker.text
    assert quote.speaker.actor is not None
    assert actor_name in _actor_name(seed, quote.speaker.actor)
    assert (quote.speaker.country, quote.speaker.sector) == (country, sector)


def test_seed_lammy_quotes_share_one_actor(seed: Article) -> None:
    ids = {_quote_with(seed, f).speaker.actor for f, *_ in SEED_EXPECTED[:3]}  # type: ignore[union-attr]
    assert len(ids) == 1
    diplomat = {_quote_with(seed, f).speaker.actor for f, *_ in SEED_EXPECTED[6:]}  # type: ignore[union-attr]
    assert len(diplomat) == 1 and diplomat != ids


def test_seed_quote_ids_and_offsets(seed: Article) -> None:
    assert [q.id for q in seed.quotes] == [f"Q{n}" for n in range(1, len(seed.quotes) + 1)]
    assert [q.start for q in seed.quotes] == sorted(q.start for q in seed.quotes)
    for quote in seed.quotes:
        assert seed.text[quote.start : quote.end] == quote.text


@pytest.mark.parametrize(
    ("name", "mention", "country", "lat", "lon"),
    [
        ("Washington", "Washington", "USA", 38.9, -77.04),
        ("London", "London", "GBR", 51.51, -0.13),
        ("Kyiv", "Kiev", "UKR", 50.45, 30.52),
    ],
)
def test_seed_places(
    seed: Article, name: str, mention: str, country: str, lat: float, lon: float
) -> None:
    place = next((p for p in seed.places if p.name == name), None)
    assert place is not None, [p.name for p in seed.places]
    assert place.country == country and place.feature == "city"
    assert place.lat == pytest.approx(lat, abs=0.1) and place.lon == pytest.approx(lon, abs=0.1)
    assert mention in [m.text for m in place.mentions]


def test_seed_place_ids_are_sequential(seed: Article) -> None:
    assert [p.id for p in seed.places] == [f"P{n}" for n in range(1, len(seed.places) + 1)]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_quote_sentence(stages: list[Any], case: dict[str, Any]) -> None:
    article = _run(stages, Article.create(case["text"]))
    got = [(q.text, q.direct, q.speaker.text if q.speaker else None) for q in article.quotes]
    if not case["quotes"]:
        assert all(q.speaker is None for q in article.quotes), got
        return
    for exp in case["quotes"]:
        assert (exp["text"], exp["direct"], exp["speaker"]) in got, got
