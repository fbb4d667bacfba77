"""Builders shared by the API, web and browser tests: hand-coded articles saved through the store,
a hostile article, a fake coder for ``POST /api/articles``, and the SQLite/PostgreSQL store URL.

The articles are written for these tests (not taken from any corpus). Their events are coded by
hand, with offsets found in the text, so the tests do not need the spaCy model.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import create_engine, text

from eventwire.model import (
    Actor,
    Article,
    Cameo,
    Event,
    EventArg,
    Location,
    Mention,
    Place,
    Plover,
    Quote,
    Span,
    Speaker,
)
from eventwire.storage.ingest import store_batch
from eventwire.storage.repo import normalise_url, open_store

PG_ENV = "EVENTWIRE_TEST_PG"

#: quad class of each CAMEO root used below
_QUAD = {"03": 1, "04": 1, "12": 3, "19": 4}

HOSTILE_SCRIPT = "<script>window.__xss = 1;</script>"
HOSTILE_IMG = '<img src="x" onerror="window.__xss_img = 1">'


def _find(text: str, needle: str, after: int = 0) -> tuple[int, int]:
    start = text.index(needle, after)
    return start, start + len(needle)


def _arg(
    text: str, needle: str, country: str | None, actor: str | None, after: int = 0
) -> EventArg:
    start, end = _find(text, needle, after)
    return EventArg(actor=actor, text=needle, start=start, end=end, country=country)


def make_event(
    text: str,
    eid: str,
    *,
    source: tuple[str, str | None],
    trigger: str,
    plover: str,
    cameo: str,
    modality: str = "asserted",
    target: tuple[str, str | None] | None = None,
    context: Sequence[str] = (),
    date: str | None = None,
    sentence: int = 0,
    location: Location | None = None,
    after: int = 0,
) -> Event:
    """An event whose source, target and trigger are the first occurrences (after ``after``)."""
    src = _arg(text, source[0], source[1], f"A-{source[1]}" if source[1] else None, after)
    tgt = (
        _arg(text, target[0], target[1], f"A-{target[1]}" if target[1] else None)
        if target
        else None
    )
    t_start, t_end = _find(text, trigger, after)
    return Event(
        id=eid,
        sentence=sentence,
        source=src,
        target=tgt,
        plover=Plover(type=plover, context=list(context)),
        cameo=Cameo(code=cameo, root=cameo[:2]),
        quad_class=_QUAD.get(cameo[:2]),
        modality=modality,  # type: ignore[arg-type]
        date=date,
        location=location,
        trigger=Span(text=trigger, start=t_start, end=t_end),
        confidence=0.8,
        reason="hand-coded for tests",
    )


def country_actor(text: str, code: str, name: str) -> Actor:
    mentions = []
    pos = text.find(name)
    if pos >= 0:
        mentions.append(Mention(text=name, start=pos, end=pos + len(name)))
    return Actor(
        id=f"A-{code}",
        name=name,
        kb_id=code,
        type="country",
        country=code,
        resolved=True,
        confidence=1.0,
        mentions=mentions,
    )


PLEDGE_TEXT = (
    "Norway and Spain pledged on Tuesday to send peacekeeping troops to Moldova.\n"
    "Portugal said it could contribute troops if the mission had a United Nations mandate.\n"
    "Austria held talks with Moldova about the peacekeeping mission but made no pledge.\n"
    "Hungary refused to take part in the peacekeeping mission.\n"
    "\u201cWe will stand by Moldova,\u201d the Norwegian defence minister said."
)

FOLLOWUP_TEXT = (
    "Spain withdrew its offer of troops for Moldova after a cabinet dispute.\n"
    "Austria agreed to send troops to Moldova, its chancellor said.\n"
    "Russian forces shelled Kharkiv in Ukraine overnight."
)

HOSTILE_TEXT = (
    f"Officials said {HOSTILE_IMG} that France met Germany {HOSTILE_SCRIPT} in Berlin.\n"
    f"\u201c{HOSTILE_SCRIPT} Nothing to see,\u201d a French spokesman said."
)


def pledge_article() -> Article:
    """Five countries' stances towards Moldova on peacekeeping troops (one day)."""
    t = PLEDGE_TEXT
    a = Article.create(
        t,
        title="Coalition takes shape for a Moldova peacekeeping mission",
        source="tests/pledge.json",
        published=datetime(2025, 2, 11, 9, 30, tzinfo=UTC),
        url="https://news.example/moldova-pledges",
        outlet="Example Wire",
    )
    chisinau = Location(name="Chisinau", country="MDA", lat=47.01, lon=28.86)
    a.events = [
        make_event(
            t,
            "E1",
            source=("Norway", "NOR"),
            target=("Moldova", "MDA"),
            trigger="pledged",
            plover="AGREE",
            cameo="0334",
            modality="intent",
            context=["peacekeeping"],
            date="2025-02-11",
            location=chisinau,
        ),
        make_event(
            t,
            "E2",
            source=("Spain", "ESP"),
            target=("Moldova", "MDA"),
            trigger="pledged",
            plover="AGREE",
            cameo="0334",
            modality="intent",
            context=["peacekeeping"],
            date="2025-02-11",
        ),
        make_event(
            t,
            "E3",
            source=("Portugal", "PRT"),
            target=("Moldova", "MDA"),
            trigger="contribute",
            plover="AGREE",
            cameo="033",
            modality="conditional",
            date="2025-02-11",
            sentence=1,
        ),
        make_event(
            t,
            "E4",
            source=("Austria", "AUT"),
            target=("Moldova", "MDA"),
            trigger="talks",
            plover="CONSULT",
            cameo="040",
            date="2025-02-11",
            sentence=2,
            after=t.index("Austria"),
        ),
        make_event(
            t,
            "E5",
            source=("Hungary", "HUN"),
            trigger="refused",
            plover="REJECT",
            cameo="1224",
            date="2025-02-11",
            sentence=3,
        ),
    ]
    a.actors = [
        country_actor(t, code, name)
        for code, name in (
            ("NOR", "Norway"),
            ("ESP", "Spain"),
            ("PRT", "Portugal"),
            ("AUT", "Austria"),
            ("HUN", "Hungary"),
            ("MDA", "Moldova"),
        )
    ]
    q_start = t.index("\u201cWe")
    q_end = t.index("\u201d", q_start) + 1
    sp_start = t.index("the Norwegian defence minister")
    a.quotes = [
        Quote(
            id="Q1",
            text=t[q_start + 1 : q_end - 2],
            start=q_start + 1,
            end=q_end - 2,
            speaker=Speaker(
                actor="A-NOR",
                name="Norway",
                text="the Norwegian defence minister",
                start=sp_start,
                end=sp_start + 30,
                country="NOR",
            ),
            cue=Span(text="said", start=t.rindex("said"), end=t.rindex("said") + 4),
        )
    ]
    a.places = [
        Place(
            id="P1",
            name="Moldova",
            country="MDA",
            lat=47.2,
            lon=28.5,
            feature="country",
            mentions=[
                Mention(text="Moldova", start=t.index("Moldova"), end=t.index("Moldova") + 7)
            ],
        )
    ]
    return a


def followup_article() -> Article:
    """Three weeks later: Spain withdraws, Austria commits, and an unrelated attack in Ukraine."""
    t = FOLLOWUP_TEXT
    a = Article.create(
        t,
        title="Spain pulls out while Austria joins the Moldova mission",
        source="tests/followup.json",
        published=datetime(2025, 3, 4, 18, 0, tzinfo=UTC),
        outlet="Other Daily",
    )
    a.events = [
        make_event(
            t,
            "E1",
            source=("Spain", "ESP"),
            target=("Moldova", "MDA"),
            trigger="withdrew",
            plover="REJECT",
            cameo="1224",
            date="2025-03-04",
        ),
        make_event(
            t,
            "E2",
            source=("Austria", "AUT"),
            target=("Moldova", "MDA"),
            trigger="agreed",
            plover="AGREE",
            cameo="0334",
            date="2025-03-04",
            sentence=1,
            context=["peacekeeping"],
        ),
        make_event(
            t,
            "E3",
            source=("Russian forces", "RUS"),
            target=("Ukraine", "UKR"),
            trigger="shelled",
            plover="ASSAULT",
            cameo="195",
            date="2025-03-03",
            sentence=2,
            location=Location(name="Kharkiv", country="UKR", lat=49.99, lon=36.23),
        ),
    ]
    a.events[2].quad_class = 4
    a.actors = [
        country_actor(t, code, name)
        for code, name in (
            ("ESP", "Spain"),
            ("AUT", "Austria"),
            ("MDA", "Moldova"),
            ("RUS", "Russian forces"),
            ("UKR", "Ukraine"),
        )
    ]
    return a


def hostile_article() -> Article:
    """An article whose title, text, quote and URL carry markup and script."""
    t = HOSTILE_TEXT
    a = Article.create(
        t,
        title=f"{HOSTILE_SCRIPT} Breaking {HOSTILE_IMG}",
        source="tests/hostile.json",
        published=datetime(2025, 3, 6, 8, 0, tzinfo=UTC),
        url="javascript:window.__xss_url = 1",
        outlet=HOSTILE_IMG,
    )
    a.events = [
        make_event(
            t,
            "E1",
            source=("France", "FRA"),
            target=("Germany", "DEU"),
            trigger="met",
            plover="CONSULT",
            cameo="040",
            date="2025-03-06",
        ),
    ]
    q_start = t.index("\u201c") + 1
    q_end = t.index("\u201d")
    a.quotes = [Quote(id="Q1", text=t[q_start:q_end], start=q_start, end=q_end)]
    a.actors = [country_actor(t, "FRA", "France"), country_actor(t, "DEU", "Germany")]
    a.actors[0].name = f"France {HOSTILE_IMG}"
    a.add_flag("headline_mismatch", detail=f"{HOSTILE_SCRIPT} detail", score=0.1)
    return a


def sample_articles() -> list[Article]:
    return [pledge_article(), followup_article(), hostile_article()]


def save(url: str, articles: Sequence[Article]) -> None:
    store = open_store(url)
    try:
        with store.write() as session:
            store_batch(session, list(articles))
    finally:
        store.close()


# ---------------------------------------------------------------------------------------------
# Backends
# ---------------------------------------------------------------------------------------------

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def pg_schema_url(base: str, schema: str) -> str:
    """A URL on the test server whose tables live in their own schema (created here), so these
    tests never touch tables of other test modules sharing the database."""
    url = normalise_url(base)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def drop_pg_schema(base: str, schema: str) -> None:
    engine = create_engine(normalise_url(base))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def backend_url(backend: str, tmp_path: Path) -> tuple[str, Any]:
    """(URL, cleanup) for a fresh, empty store on ``backend``; skips PostgreSQL without a server."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'api.db'}", lambda: None
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(
            f'{PG_ENV} is not set: run `eval "$(scripts/start-postgres.sh)"` for PostgreSQL'
        )
    schema = f"api_test_{uuid.uuid4().hex[:10]}"
    return pg_schema_url(base, schema), lambda: drop_pg_schema(base, schema)


class FakeCoder:
    """Codes every submitted article with one CONSULT event between the first two capitalised
    country names it knows; stands in for the spaCy pipeline in unit tests."""

    COUNTRIES: ClassVar[dict[str, str]] = {
        "France": "FRA",
        "Germany": "DEU",
        "Italy": "ITA",
        "Poland": "POL",
    }

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, articles: list[Article]) -> list[Article]:
        self.calls += 1
        for article in articles:
            found = sorted(
                (article.text.find(name), name)
                for name in self.COUNTRIES
                if article.text.find(name) >= 0
            )
            if len(found) >= 2 and " met " in article.text:
                (_, a), (_, b) = found[:2]
                article.events.append(
                    make_event(
                        article.text,
                        "E1",
                        source=(a, self.COUNTRIES[a]),
                        target=(b, self.COUNTRIES[b]),
                        trigger="met",
                        plover="CONSULT",
                        cameo="040",
                    )
                )
        return articles
