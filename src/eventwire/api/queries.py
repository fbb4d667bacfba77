"""Read-only queries of the API and the web explorer that the store module does not offer.

Events are queried with :func:`eventwire.storage.repo.query_events` and filtered with
:class:`~eventwire.storage.repo.EventFilter`, exactly as ``eventwire events`` does; this module adds
article listings, actor profiles, quotes, map points and overview counts. Everything is built with
SQLAlchemy constructs (bound parameters), never with SQL text.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, or_, select, tuple_
from sqlalchemy.orm import Session

from ..errors import ConfigError
from ..storage.repo import EventFilter, EventRecord, query_events, to_utc
from ..storage.tables import ActorRow, ArticleRow, EventRow, PlaceRow, QuoteRow

__all__ = [
    "ActorProfile",
    "ActorSummaryRow",
    "ArticleListing",
    "MapPoint",
    "QuoteRecord",
    "actor_names",
    "actor_profile",
    "decode_article_cursor",
    "decode_event_cursor",
    "event_by_uid",
    "list_actors",
    "list_articles",
    "list_quotes",
    "map_points",
    "overview_counts",
    "page_events",
    "split_event_uid",
    "top_targets",
]

_NO_TIME = datetime(1900, 1, 1, tzinfo=UTC)
#: article columns of a listing (the document itself is not loaded for lists)
_LISTING_COLUMNS = (
    ArticleRow.id,
    ArticleRow.title,
    ArticleRow.url,
    ArticleRow.outlet,
    ArticleRow.source,
    ArticleRow.language,
    ArticleRow.published,
    ArticleRow.num_events,
    ArticleRow.average_tone,
    ArticleRow.flags,
)


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------


def split_event_uid(uid: str) -> tuple[str, str]:
    """Split a global event id ``ARTICLE:EVENT`` (event ids are only unique inside an article).

    Raises:
        ConfigError: when ``uid`` is not of that form.
    """
    article_id, sep, event_id = uid.partition(":")
    if not sep or not article_id or not event_id:
        raise ConfigError(f"invalid event id {uid!r}: expected ARTICLE_ID:EVENT_ID")
    return article_id, event_id


_EVENT_COLUMNS = tuple(c.key for c in EventRow.__table__.columns)
_NO_DAY = date(1, 1, 1)


def decode_event_cursor(cursor: str) -> tuple[date | None, str, str]:
    """The (day, article id, event id) position of an :attr:`EventRecord.cursor`.

    Raises:
        ConfigError: when the cursor is not one the store made.
    """
    try:
        day, article, event_id = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if not isinstance(article, str) or not isinstance(event_id, str):
            raise ValueError("bad cursor")
        return (date.fromisoformat(day) if day else None, article, event_id)
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise ConfigError(f"invalid cursor {cursor!r}") from exc


def page_events(
    session: Session,
    filters: EventFilter,
    *,
    limit: int,
    cursor: str | None = None,
    order: Literal["date", "-date"] = "-date",
) -> list[EventRecord]:
    """One page of events: :func:`eventwire.storage.repo.query_events`, which the CLI uses too,
    so that both filter, order and paginate identically."""
    return query_events(session, filters, limit=limit, cursor=cursor, order=order)


def event_by_uid(session: Session, uid: str) -> Any:
    """The :class:`~eventwire.storage.repo.EventRecord` with global id ``uid``, or ``None``."""
    article_id, event_id = split_event_uid(uid)
    for record in query_events(session, EventFilter(article_id=article_id), limit=None):
        if record.event_id == event_id:
            return record
    return None


# ---------------------------------------------------------------------------------------------
# Articles
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleListing:
    """One article of a listing (no text, no document)."""

    id: str
    title: str | None
    url: str | None
    outlet: str | None
    source: str
    language: str | None
    published: datetime | None
    num_events: int
    average_tone: float | None
    flags: list[str]
    cursor: str


def _article_cursor(published: datetime | None, article_id: str) -> str:
    key = [to_utc(published).isoformat() if published is not None else None, article_id]  # type: ignore[union-attr]
    return base64.urlsafe_b64encode(json.dumps(key).encode("utf-8")).decode("ascii")


def decode_article_cursor(cursor: str) -> tuple[datetime, str]:
    """The (published, id) position that an article cursor stands for.

    Raises:
        ConfigError: when the cursor is not one this module made.
    """
    try:
        published, article_id = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        when = to_utc(datetime.fromisoformat(published)) if published else _NO_TIME
        if not isinstance(article_id, str) or when is None:
            raise ValueError("bad cursor")
        return when, article_id
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise ConfigError(f"invalid cursor {cursor!r}") from exc


def list_articles(
    session: Session,
    *,
    q: str | None = None,
    outlet: str | None = None,
    language: str | None = None,
    since: date | None = None,
    until: date | None = None,
    event_filter: EventFilter | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> list[ArticleListing]:
    """Articles, newest first, matching every given filter.

    Args:
        q: words that must all occur in the title (case-insensitive).
        outlet: the outlet, exactly.
        language: the language code, exactly.
        since: published on or after this day (UTC).
        until: published on or before this day (UTC).
        event_filter: only articles with at least one event matching these filters.
        limit: the most articles to return.
        cursor: continue after the article whose ``cursor`` this is.
    """
    published_key: ColumnElement[datetime] = func.coalesce(ArticleRow.published, _NO_TIME)
    conds: list[ColumnElement[bool]] = []
    for word in (q or "").split():
        conds.append(ArticleRow.title.icontains(word, autoescape=True))
    if outlet:
        conds.append(ArticleRow.outlet == outlet)
    if language:
        conds.append(ArticleRow.language == language)
    if since is not None:
        conds.append(ArticleRow.published >= datetime.combine(since, datetime.min.time(), UTC))
    if until is not None:
        conds.append(ArticleRow.published <= datetime.combine(until, datetime.max.time(), UTC))
    if event_filter is not None:
        ev_conds = event_filter.conditions()
        if ev_conds:
            conds.append(
                select(EventRow.event_id)
                .where(EventRow.article_id == ArticleRow.id, *ev_conds)
                .exists()
            )
    if cursor:
        when, after_id = decode_article_cursor(cursor)
        conds.append(tuple_(published_key, ArticleRow.id) < tuple_(when, after_id))
    stmt = (
        select(*_LISTING_COLUMNS)
        .where(and_(True, *conds))
        .order_by(published_key.desc(), ArticleRow.id.desc())
        .limit(limit)
    )
    out: list[ArticleListing] = []
    for row in session.execute(stmt):
        published = to_utc(row.published)
        out.append(
            ArticleListing(
                id=row.id,
                title=row.title,
                url=row.url,
                outlet=row.outlet,
                source=row.source,
                language=row.language,
                published=published,
                num_events=row.num_events,
                average_tone=row.average_tone,
                flags=[str(f.get("name")) for f in row.flags or [] if isinstance(f, dict)],
                cursor=_article_cursor(published, row.id),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Actors
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActorSummaryRow:
    id: str
    name: str
    type: str
    country: str | None
    articles: int


def list_actors(
    session: Session,
    *,
    q: str | None = None,
    actor_type: str | None = None,
    country: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ActorSummaryRow]:
    """Resolved actors (those with a knowledge-base id), most often mentioned first."""
    conds: list[ColumnElement[bool]] = [ActorRow.kb_id.is_not(None)]
    for word in (q or "").split():
        conds.append(
            or_(
                ActorRow.name.icontains(word, autoescape=True),
                ActorRow.kb_id.icontains(word, autoescape=True),
            )
        )
    if actor_type:
        conds.append(ActorRow.type == actor_type)
    if country:
        conds.append(ActorRow.country == country.upper())
    articles = func.count(func.distinct(ActorRow.article_id)).label("articles")
    stmt = (
        select(
            ActorRow.kb_id,
            func.min(ActorRow.name).label("name"),
            func.min(ActorRow.type).label("type"),
            func.min(ActorRow.country).label("country"),
            articles,
        )
        .where(*conds)
        .group_by(ActorRow.kb_id)
        .order_by(articles.desc(), ActorRow.kb_id)
        .limit(limit)
        .offset(offset)
    )
    return [
        ActorSummaryRow(
            id=str(r.kb_id), name=r.name, type=r.type, country=r.country, articles=int(r.articles)
        )
        for r in session.execute(stmt)
    ]


def actor_names(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """Display names of actors by knowledge-base id (ids without a stored actor are left out)."""
    wanted = sorted({i for i in ids if i})
    names: dict[str, str] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        stmt = (
            select(ActorRow.kb_id, func.min(ActorRow.name))
            .where(ActorRow.kb_id.in_(chunk))
            .group_by(ActorRow.kb_id)
        )
        names.update({str(k): str(n) for k, n in session.execute(stmt)})
    return names


@dataclass(frozen=True)
class QuoteRecord:
    """A stored quote with its speaker and the article it came from."""

    article_id: str
    quote_id: str
    text: str
    start: int
    end: int
    direct: bool
    speaker_name: str | None
    speaker_text: str | None
    speaker_country: str | None
    speaker_kb: str | None
    cue: str | None
    article_title: str | None
    published: datetime | None


@dataclass
class MonthCount:
    month: str
    total: int = 0
    by_quad: dict[int, int] = field(default_factory=dict)


@dataclass
class ActorProfile:
    """What the actor page shows: identity, event counts, partners and recent quotes."""

    id: str
    name: str
    type: str | None
    country: str | None
    org: str | None
    sector: str | None
    role: str | None
    articles: int
    events: int
    by_type: dict[str, int]
    by_month: list[MonthCount]
    partners: list[tuple[str, str, int]]
    quotes: list[QuoteRecord]
    first_day: date | None
    last_day: date | None


def _matches_actor(actor_id: str, code: str | None, kb: str | None) -> bool:
    return kb == actor_id or bool(code and code.startswith(actor_id.upper()))


def actor_profile(
    session: Session, actor_id: str, *, partners: int = 10, quotes: int = 10
) -> ActorProfile | None:
    """The profile of the actor ``actor_id`` (a knowledge-base id such as ``GBR`` or a person's
    id, or an actor code prefix such as ``GBRGOV``), or ``None`` when nothing is stored for it.

    Events are selected with ``EventFilter(actor=actor_id)``, as ``eventwire events --actor``
    selects them.
    """
    conds = EventFilter(actor=actor_id).conditions()
    info = session.execute(
        select(
            ActorRow.name,
            ActorRow.type,
            ActorRow.country,
            ActorRow.org,
            ActorRow.sector,
            ActorRow.role,
        )
        .where(ActorRow.kb_id == actor_id)
        .limit(1)
    ).first()
    n_articles = int(
        session.scalar(
            select(func.count(func.distinct(ActorRow.article_id))).where(ActorRow.kb_id == actor_id)
        )
        or 0
    )
    by_type = {
        str(t): int(n)
        for t, n in session.execute(
            select(EventRow.plover_type, func.count())
            .where(*conds)
            .group_by(EventRow.plover_type)
            .order_by(func.count().desc(), EventRow.plover_type)
        )
    }
    total = sum(by_type.values())
    if info is None and total == 0:
        return None
    months: dict[str, MonthCount] = {}
    first_day: date | None = None
    last_day: date | None = None
    for maybe_day, quad, n in session.execute(
        select(EventRow.day, EventRow.quad_class, func.count())
        .where(*conds, EventRow.day.is_not(None))
        .group_by(EventRow.day, EventRow.quad_class)
    ):
        if maybe_day is None:
            continue
        day: date = maybe_day
        first_day = day if first_day is None or day < first_day else first_day
        last_day = day if last_day is None or day > last_day else last_day
        key = day.strftime("%Y-%m")
        bucket = months.setdefault(key, MonthCount(key))
        bucket.total += int(n)
        q = int(quad or 0)
        bucket.by_quad[q] = bucket.by_quad.get(q, 0) + int(n)
    partner_counts: Counter[str] = Counter()
    sides = (
        EventRow.source_code,
        EventRow.source_kb,
        func.coalesce(EventRow.source_kb, EventRow.source_country, EventRow.source_org),
        EventRow.target_code,
        EventRow.target_kb,
        func.coalesce(EventRow.target_kb, EventRow.target_country, EventRow.target_org),
    )
    for s_code, s_kb, s_id, t_code, t_kb, t_id, n in session.execute(
        select(*sides, func.count()).where(*conds).group_by(*sides)
    ):
        # the partner is the other side, named by its knowledge-base id, country or organisation
        if (
            _matches_actor(actor_id, s_code, s_kb)
            and t_id
            and not _matches_actor(actor_id, t_code, t_kb)
        ):
            partner_counts[t_id] += int(n)
        if (
            _matches_actor(actor_id, t_code, t_kb)
            and s_id
            and not _matches_actor(actor_id, s_code, s_kb)
        ):
            partner_counts[s_id] += int(n)
    top = sorted(partner_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:partners]
    names = actor_names(session, [p for p, _ in top])
    return ActorProfile(
        id=actor_id,
        name=info.name if info is not None else actor_id,
        type=info.type if info is not None else None,
        country=info.country if info is not None else None,
        org=info.org if info is not None else None,
        sector=info.sector if info is not None else None,
        role=info.role if info is not None else None,
        articles=n_articles,
        events=total,
        by_type=by_type,
        by_month=[months[k] for k in sorted(months)],
        partners=[(p, names.get(p, p), n) for p, n in top],
        quotes=list_quotes(session, speaker=actor_id, limit=quotes),
        first_day=first_day,
        last_day=last_day,
    )


# ---------------------------------------------------------------------------------------------
# Quotes
# ---------------------------------------------------------------------------------------------


def list_quotes(
    session: Session,
    *,
    speaker: str | None = None,
    article_id: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[QuoteRecord]:
    """Quotes, newest article first.

    Args:
        speaker: the speaker's knowledge-base id, or a country code (every speaker of that country).
        article_id: quotes of this article only.
        text: words that must all occur in the quote (case-insensitive).
    """
    conds: list[ColumnElement[bool]] = []
    if speaker:
        conds.append(or_(ActorRow.kb_id == speaker, QuoteRow.speaker_country == speaker.upper()))
    if article_id:
        conds.append(QuoteRow.article_id == article_id)
    for word in (text or "").split():
        conds.append(QuoteRow.text.icontains(word, autoescape=True))
    stmt = (
        select(
            QuoteRow.article_id,
            QuoteRow.quote_id,
            QuoteRow.text,
            QuoteRow.start,
            QuoteRow.end,
            QuoteRow.direct,
            QuoteRow.speaker_name,
            QuoteRow.speaker_text,
            QuoteRow.speaker_country,
            ActorRow.kb_id,
            QuoteRow.cue_text,
            ArticleRow.title,
            ArticleRow.published,
        )
        .join(ArticleRow, ArticleRow.id == QuoteRow.article_id)
        .outerjoin(
            ActorRow,
            and_(
                ActorRow.article_id == QuoteRow.article_id,
                ActorRow.actor_id == QuoteRow.speaker_actor,
            ),
        )
        .where(and_(True, *conds))
        .order_by(
            func.coalesce(ArticleRow.published, _NO_TIME).desc(),
            QuoteRow.article_id,
            QuoteRow.start,
        )
        .limit(limit)
        .offset(offset)
    )
    return [
        QuoteRecord(
            article_id=r[0],
            quote_id=r[1],
            text=r[2],
            start=r[3],
            end=r[4],
            direct=bool(r[5]),
            speaker_name=r[6],
            speaker_text=r[7],
            speaker_country=r[8],
            speaker_kb=r[9],
            cue=r[10],
            article_title=r[11],
            published=to_utc(r[12]),
        )
        for r in session.execute(stmt)
    ]


# ---------------------------------------------------------------------------------------------
# Map and overview
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    """A place on the map: events located there (or, for ``kind="place"``, articles naming it)."""

    name: str
    country: str | None
    lat: float
    lon: float
    count: int
    kind: str


def map_points(
    session: Session, filters: EventFilter | None = None, *, limit: int = 500
) -> list[MapPoint]:
    """Event locations matching ``filters`` and the places named by the articles those events
    come from, each with its count, most frequent first."""
    conds = (filters or EventFilter()).conditions()
    n = func.count().label("n")
    events_stmt = (
        select(
            EventRow.location_name,
            EventRow.location_country,
            EventRow.location_lat,
            EventRow.location_lon,
            n,
        )
        .join(ArticleRow, ArticleRow.id == EventRow.article_id)
        .where(EventRow.location_lat.is_not(None), EventRow.location_lon.is_not(None), *conds)
        .group_by(
            EventRow.location_name,
            EventRow.location_country,
            EventRow.location_lat,
            EventRow.location_lon,
        )
        .order_by(n.desc(), EventRow.location_name)
        .limit(limit)
    )
    points = [
        MapPoint(str(r[0]), r[1], float(r[2] or 0.0), float(r[3] or 0.0), int(r[4]), "event")
        for r in session.execute(events_stmt)
    ]
    matching_articles = (
        select(EventRow.article_id)
        .join(ArticleRow, ArticleRow.id == EventRow.article_id)
        .where(*conds)
    )
    places_stmt = (
        select(
            PlaceRow.name,
            PlaceRow.country,
            PlaceRow.lat,
            PlaceRow.lon,
            func.count(func.distinct(PlaceRow.article_id)).label("n"),
        )
        .where(PlaceRow.lat.is_not(None), PlaceRow.lon.is_not(None))
        .group_by(PlaceRow.name, PlaceRow.country, PlaceRow.lat, PlaceRow.lon)
        .order_by(func.count(func.distinct(PlaceRow.article_id)).desc(), PlaceRow.name)
        .limit(limit)
    )
    if conds:
        places_stmt = places_stmt.where(PlaceRow.article_id.in_(matching_articles))
    points.extend(
        MapPoint(str(r[0]), r[1], float(r[2] or 0.0), float(r[3] or 0.0), int(r[4]), "place")
        for r in session.execute(places_stmt)
    )
    return points


def overview_counts(session: Session) -> dict[str, int]:
    """Counts for the home page: articles, events, resolved actors, quotes."""
    return {
        "articles": int(session.scalar(select(func.count()).select_from(ArticleRow)) or 0),
        "events": int(session.scalar(select(func.count()).select_from(EventRow)) or 0),
        "actors": int(session.scalar(select(func.count(func.distinct(ActorRow.kb_id)))) or 0),
        "quotes": int(session.scalar(select(func.count()).select_from(QuoteRow)) or 0),
    }


def top_targets(session: Session, limit: int = 12) -> list[tuple[str, int]]:
    """The most frequent target countries of events (suggestions for the commitment board)."""
    n = func.count().label("n")
    stmt = (
        select(EventRow.target_country, n)
        .where(EventRow.target_country.is_not(None))
        .group_by(EventRow.target_country)
        .order_by(n.desc(), EventRow.target_country)
        .limit(limit)
    )
    return [(str(c), int(k)) for c, k in session.execute(stmt)]
