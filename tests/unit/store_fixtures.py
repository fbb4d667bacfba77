"""Helpers for the store tests: hand-built coded articles, a fast deterministic fake coder, and
the SQLite/PostgreSQL store factory (PostgreSQL when ``EVENTWIRE_TEST_PG`` is set)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, select

from eventwire.config import Settings, load_settings
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
    Tone,
)
from eventwire.storage.repo import Store, normalise_url, open_store
from eventwire.storage.tables import Base

PG_ENV = "EVENTWIRE_TEST_PG"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]

#: columns that hold wall-clock times of the run (differ between two runs by design)
WALL_CLOCK = {"stored_at", "created"}


def shared_dir() -> Path | None:
    """``<repo>/../shared`` when present (read-only test data)."""
    path = Path(__file__).resolve().parents[2] / ".." / "shared"
    return path.resolve() if path.is_dir() else None


def news_file(name: str) -> Path:
    base = shared_dir()
    path = base / "data" / "news" / name if base else None
    if path is None or not path.is_file():
        pytest.skip(f"shared news corpus {name} not available")
    return path


def reset_pg(url: str) -> None:
    """Drop every table of the test database (the suite owns it)."""
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        meta = MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)
    engine.dispose()


def store_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(
            f'{PG_ENV} is not set: run `eval "$(scripts/start-postgres.sh)"` for the PostgreSQL tests'
        )
    reset_pg(url)
    return url


def make_store(backend: str, tmp_path: Path) -> Iterator[Store]:
    store = open_store(store_url(backend, tmp_path))
    try:
        yield store
    finally:
        store.close()


def settings_for(url: str, **store: Any) -> Settings:
    overrides = {"store.url": url}
    overrides.update({f"store.{k}": json.dumps(v) for k, v in store.items()})
    return load_settings(overrides=overrides, env={})


def dump_tables(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (minus wall-clock columns and surrogate ids), sorted."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with store.read() as session:
        for table in Base.metadata.sorted_tables:
            cols = [
                c
                for c in table.columns
                if c.key not in WALL_CLOCK and not (table.name == "rejects" and c.key == "id")
            ]
            rows = session.execute(select(*cols)).all()
            out[table.name] = sorted((tuple(_plain(v) for v in r) for r in rows), key=repr)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, datetime):
        return (
            value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        ).isoformat()
    return value


# ---------------------------------------------------------------------------------------------
# Hand-built coded articles
# ---------------------------------------------------------------------------------------------


def _span(text: str, needle: str, start: int = 0) -> tuple[int, int]:
    i = text.index(needle, start)
    return i, i + len(needle)


def coded_article(
    *,
    text: str | None = None,
    title: str = "Britain imposes sanctions on Russia",
    outlet: str = "example-news",
    url: str = "https://news.example.org/a/1",
    published: datetime = datetime(2024, 3, 5, 9, 30, tzinfo=UTC),
    event_date: str | None = "2024-03-05",
    cameo: str = "163",
    plover: str = "SANCTION",
    modality: str = "asserted",
    extra_events: list[Event] | None = None,
    source: tuple[str, str, str | None, str] = ("The British government", "GBR", "GOV", "Q6066"),
    target: tuple[str, str, str | None, str] = ("Russia", "RUS", None, "Q159"),
    trigger: str = "imposed",
    place: str = "London",
) -> Article:
    """A fully coded article: two actors, one (or more) events, a quote and a place."""
    text = text or (
        "The British government imposed new sanctions on Russia on Tuesday, officials in London said.\n\n"
        '"We will not stand by," the Foreign Secretary said. Moscow called the measures unlawful.'
    )
    article = Article.create(
        text,
        title=title,
        source="fixture.jsonl",
        position=1,
        url=url,
        outlet=outlet,
        published=published,
        language="en",
    )
    gs, ge = _span(text, source[0])
    rs, re_ = _span(text, target[0])
    ts, te = _span(text, trigger)
    ls, le = _span(text, place)
    quote = '"We will not stand by,"' if '"We will not stand by,"' in text else source[0]
    qs, qe = _span(text, quote)
    ss, se = _span(text, source[0])
    cs, ce = _span(text, trigger)
    article.actors = [
        Actor(
            id="a1",
            name=source[0],
            kb_id=source[3],
            type="organization",
            country=source[1],
            sector=source[2],
            resolved=True,
            confidence=0.93,
            reason="kb:alias",
            mentions=[Mention(text=source[0], start=gs, end=ge, sentence=0)],
        ),
        Actor(
            id="a2",
            name=target[0],
            kb_id=target[3],
            type="country",
            country=target[1],
            sector=target[2],
            resolved=True,
            confidence=0.99,
            reason="kb:country",
            mentions=[Mention(text=target[0], start=rs, end=re_, sentence=0)],
        ),
    ]
    article.events = [
        Event(
            id="e1",
            sentence=0,
            source=EventArg(
                actor="a1", text=source[0], start=gs, end=ge, country=source[1], sector=source[2]
            ),
            target=EventArg(
                actor="a2", text=target[0], start=rs, end=re_, country=target[1], sector=target[2]
            ),
            plover=Plover(type=plover, mode=None, context=["economic", "diplomatic"]),
            cameo=Cameo(code=cameo, root=cameo[:2]),
            goldstein=-8.0,
            quad_class=4,
            modality=modality,  # type: ignore[arg-type]
            date=event_date,
            location=Location(name=place, country=source[1], lat=51.5074, lon=-0.1278),
            trigger=Span(text=trigger, start=ts, end=te),
            confidence=0.81,
            reason="pattern:impose_sanction",
        ),
        *(extra_events or []),
    ]
    article.quotes = [
        Quote(
            id="q1",
            text=text[qs:qe],
            start=qs,
            end=qe,
            direct=True,
            speaker=Speaker(
                actor="a1",
                name=source[0],
                text=source[0],
                start=ss,
                end=se,
                country=source[1],
                sector=source[2],
            ),
            cue=Span(text=trigger, start=cs, end=ce),
            reason="cue:said",
        )
    ]
    article.places = [
        Place(
            id="p1",
            name=place,
            country=source[1],
            lat=51.5074,
            lon=-0.1278,
            geonameid=2643743,
            feature="city",
            mentions=[Mention(text="London", start=ls, end=le, sentence=0)],
        )
    ]
    article.tone = Tone(
        compound=-0.42, positive=0.05, negative=0.12, neutral=0.83, average_tone=-3.5
    )
    article.add_flag("headline_mismatch", score=0.12)
    return article


# ---------------------------------------------------------------------------------------------
# A fake, fast, deterministic coder (the ingest tests do not need the NLP model)
# ---------------------------------------------------------------------------------------------

_COUNTRIES = ("USA", "GBR", "RUS", "CHN", "IND")
_TYPES = (("CONSULT", "040"), ("ACCUSE", "112"), ("ASSAULT", "190"), ("AID", "073"))


class FakeCoder:
    """Adds one actor pair, one event and (for texts with a double quote) one quote per article,
    chosen from a hash of the article id; event dates cluster on a few days so that events of
    different articles merge."""

    def __call__(self, articles: list[Article]) -> list[Article]:
        return [self.code(a) for a in articles]

    @staticmethod
    def code(article: Article) -> Article:
        h = int(hashlib.sha256(article.id.encode()).hexdigest(), 16)
        src, tgt = _COUNTRIES[h % 5], _COUNTRIES[(h // 5) % 5]
        plover, cameo = _TYPES[(h // 25) % 4]
        words = article.text.split()
        first = words[0] if words else "x"
        start = article.text.find(first)
        day = date(2024, 1, 1) + timedelta(days=(h // 100) % 4)
        article.actors = [
            Actor(id="a1", name=src, type="country", country=src, resolved=True),
            Actor(id="a2", name=tgt, type="country", country=tgt, resolved=True),
        ]
        article.events = [
            Event(
                id="e1",
                sentence=0,
                source=EventArg(
                    actor="a1", text=first, start=start, end=start + len(first), country=src
                ),
                target=EventArg(
                    actor="a2", text=first, start=start, end=start + len(first), country=tgt
                ),
                plover=Plover(type=plover),
                cameo=Cameo(code=cameo, root=cameo[:2]),
                modality="asserted" if h % 7 else "negated",
                date=day.isoformat(),
                trigger=Span(text=first, start=start, end=start + len(first)),
                confidence=0.5,
                reason="fake",
            )
        ]
        q = article.text.find('"')
        if q >= 0:
            article.quotes = [Quote(id="q1", text=article.text[q : q + 1], start=q, end=q + 1)]
        return article


def fake_coder_factory(settings: Settings) -> FakeCoder:
    return FakeCoder()


def read_jsonl(path: Path, limit: int | None = None) -> list[Article]:
    """Articles from one of the shared news JSONL files, without the readers package."""
    out: list[Article] = []
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and len(out) >= limit:
                break
            rec = json.loads(line)
            published = None
            if rec.get("published"):
                published = datetime.fromisoformat(rec["published"])
                if published.tzinfo is None:
                    published = published.replace(tzinfo=UTC)
            out.append(
                Article.create(
                    rec.get("text") or "",
                    title=rec.get("title"),
                    source=str(path.name),
                    position=i,
                    url=rec.get("url"),
                    published=published,
                    outlet=rec.get("source"),
                )
            )
    return out
