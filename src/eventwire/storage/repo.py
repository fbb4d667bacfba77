"""Opening the store, saving and loading articles, and querying events.

:class:`Store` wraps an engine for SQLite (WAL mode, foreign keys on, ``BEGIN IMMEDIATE`` for
writers) or PostgreSQL (psycopg 3); opening one runs the Alembic migrations up to ``head``.
Everything below is written with SQLAlchemy constructs, never with SQL text built from values.

Example::

    store = open_store("sqlite:///events.db")
    with store.write() as session:
        save_articles(session, [article])
    with store.read() as session:
        records = query_events(session, EventFilter(country="GBR"), limit=20)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    ColumnElement,
    Engine,
    Table,
    and_,
    create_engine,
    event,
    func,
    insert,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from ..errors import ConfigError, StoreError
from ..model import Article, Event, Modality, Reject
from .tables import (
    ActorRow,
    ArticleLinkRow,
    ArticleRow,
    Base,
    EventClusterRow,
    EventRow,
    PlaceRow,
    QuoteRow,
    RejectRow,
)

LOGGER = logging.getLogger(__name__)

__all__ = [
    "CLUSTERED_MODALITIES",
    "EXPORT_MODALITIES",
    "EventFilter",
    "EventRecord",
    "Store",
    "actor_code",
    "arg_key",
    "cluster_key",
    "core_table",
    "count_rows",
    "existing_ids",
    "load_article",
    "normalise_url",
    "open_store",
    "query_events",
    "reject_key",
    "save_articles",
    "save_rejects",
    "to_utc",
]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

#: modalities whose events are clustered and exported by default (the event happened or was
#: announced as intended or conditional); hypothetical, negated and question events are not
CLUSTERED_MODALITIES: tuple[Modality, ...] = ("asserted", "intent", "conditional")
EXPORT_MODALITIES: tuple[Modality, ...] = CLUSTERED_MODALITIES

#: sector codes that GDELT writes in front of an organisation code (``IGOUNO``, ``NGOAMN``)
_ORG_SECTORS = frozenset({"IGO", "NGO", "MNC", "IMG", "ISM", "UNO"})

# Serialises migrations of one database within a process (tests open several stores at once).
_MIGRATE_LOCK = threading.Lock()
# A constant key for PostgreSQL's advisory lock around migrations (concurrent processes).
_PG_MIGRATION_LOCK_ID = 0x6576_7772


# ---------------------------------------------------------------------------------------------
# Opening
# ---------------------------------------------------------------------------------------------


def normalise_url(url: str) -> str:
    """Map ``postgresql://``/``postgres://`` to the psycopg 3 driver; leave other URLs alone."""
    try:
        parsed: URL = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"invalid database URL {url!r}: {exc}") from exc
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise ConfigError(
            f"unsupported database {parsed.drivername!r}: use sqlite:///PATH or postgresql://..."
        )
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself, so that DDL is transactional too.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front: a deferred transaction that upgrades to a writer
        # would fail with SQLITE_BUSY instead of waiting.
        if conn.get_execution_options().get("eventwire_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Store:
    """An open event store: an engine, a session factory, and the migrated schema."""

    def __init__(self, url: str, *, migrate: bool = True, echo: bool = False) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = "sqlite" if parsed.drivername.startswith("sqlite") else "postgresql"
        if self.dialect == "sqlite":
            database = parsed.database or ""
            if database in ("", ":memory:"):
                raise ConfigError("the store needs a file: use sqlite:///PATH, not an in-memory DB")
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(self.url, echo=echo, poolclass=NullPool)
            _configure_sqlite(self.engine)
        else:
            self.engine = create_engine(self.url, echo=echo, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.upgrade()

    def __repr__(self) -> str:
        return f"Store({make_url(self.url).render_as_string(hide_password=True)!r})"

    def upgrade(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to ``revision``."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        try:
            with _MIGRATE_LOCK, self.engine.connect() as conn:
                conn = conn.execution_options(eventwire_write=True)
                with conn.begin():
                    if self.dialect == "postgresql":
                        conn.execute(select(func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK_ID)))
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, revision)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot migrate the store at {self!r}: {exc}") from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (its transaction ends when the block does)."""
        session = self._sessions()
        try:
            yield session
        except SQLAlchemyError as exc:
            raise StoreError(f"store query failed: {exc}") from exc
        finally:
            session.close()  # ends the transaction; loaded objects stay usable

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back on an exception."""
        session = self._sessions(bind=self.engine.execution_options(eventwire_write=True))
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise StoreError(f"store write failed: {exc}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def size_bytes(self) -> int:
        """The size of the database on disk (file plus WAL for SQLite)."""
        if self.dialect == "sqlite":
            path = Path(make_url(self.url).database or "")
            return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
        with self.engine.connect() as conn:
            size = conn.execute(select(func.pg_database_size(func.current_database()))).scalar()
        return int(size or 0)

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open (and migrate) the store at ``url``."""
    try:
        return Store(url, migrate=migrate)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the store at {url!r}: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# Saving
# ---------------------------------------------------------------------------------------------


def actor_code(country: str | None, org: str | None, sector: str | None) -> str:
    """A CAMEO/GDELT-style actor code: country + sector (``GBRGOV``), or ``IGO`` + organisation
    (``IGOUNO``); empty when nothing is known."""
    parts: list[str] = []
    if country:
        parts.append(country.upper())
    sector_u = sector.upper() if sector else ""
    if org:
        if sector_u in _ORG_SECTORS and not country:
            parts.append(sector_u)
            sector_u = ""
        parts.append(org.upper())
    if sector_u and sector_u not in parts:
        parts.append(sector_u)
    return "".join(parts)


def _event_day(event: Event, published: datetime | None) -> date | None:
    if event.date and len(event.date) >= 10:
        try:
            return date.fromisoformat(event.date[:10])
        except ValueError:
            pass
    return published.date() if published is not None else None


def arg_key(country: str | None, org: str | None, kb: str | None, text: str | None) -> str:
    """The identity of an event's source or target for clustering (see ``storage.merge``):
    country, organisation and knowledge-base id, or the normalised text when none is known;
    ``-`` for no target."""
    if text is None and not (country or org or kb):
        return "-"
    if country or org or kb:
        return "|".join((country or "", org or "", kb or ""))
    return "text:" + " ".join((text or "").casefold().split())


def cluster_key(event: Event, source_kb: str | None, target_kb: str | None) -> str | None:
    """The hash of the clustering group of ``event``; ``None`` for unclustered modalities."""
    if event.modality not in CLUSTERED_MODALITIES:
        return None
    src, tgt = event.source, event.target
    parts = (
        arg_key(src.country, src.org, source_kb, src.text),
        arg_key(tgt.country, tgt.org, target_kb, tgt.text) if tgt is not None else "-",
        event.plover.type,
        event.cameo.root,
    )
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def to_utc(value: datetime | None) -> datetime | None:
    """Aware UTC datetimes in and out of the store (SQLite keeps no offset; naive means UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset: not representable in UTC
        return None


def _event_row(article: Article, ev: Event, kb_of: dict[str, str | None]) -> dict[str, Any]:
    src, tgt = ev.source, ev.target
    source_kb = kb_of.get(src.actor) if src.actor else None
    target_kb = kb_of.get(tgt.actor) if tgt is not None and tgt.actor else None
    first_para_end = article.paragraphs[0].end if article.paragraphs else None
    is_root = ev.trigger.start < first_para_end if first_para_end is not None else ev.sentence == 0
    loc = ev.location
    return {
        "article_id": article.id,
        "event_id": ev.id,
        "group_id": ev.group,
        "sentence": ev.sentence,
        "is_root": is_root,
        "source_actor": src.actor,
        "source_kb": source_kb,
        "source_text": src.text,
        "source_start": src.start,
        "source_end": src.end,
        "source_country": src.country,
        "source_org": src.org,
        "source_sector": src.sector,
        "source_code": actor_code(src.country, src.org, src.sector),
        "target_actor": tgt.actor if tgt else None,
        "target_kb": target_kb,
        "target_text": tgt.text if tgt else None,
        "target_start": tgt.start if tgt else None,
        "target_end": tgt.end if tgt else None,
        "target_country": tgt.country if tgt else None,
        "target_org": tgt.org if tgt else None,
        "target_sector": tgt.sector if tgt else None,
        "target_code": actor_code(tgt.country, tgt.org, tgt.sector) if tgt else None,
        "plover_type": ev.plover.type,
        "plover_mode": ev.plover.mode,
        "plover_context": list(ev.plover.context),
        "cameo_code": ev.cameo.code,
        "cameo_root": ev.cameo.root,
        "goldstein": ev.goldstein,
        "quad_class": ev.quad_class,
        "modality": ev.modality,
        "date": ev.date,
        "day": _event_day(ev, article.published),
        "location_name": loc.name if loc else None,
        "location_country": loc.country if loc else None,
        "location_lat": loc.lat if loc else None,
        "location_lon": loc.lon if loc else None,
        "trigger_text": ev.trigger.text,
        "trigger_start": ev.trigger.start,
        "trigger_end": ev.trigger.end,
        "confidence": ev.confidence,
        "reason": ev.reason,
        "cluster_key": cluster_key(ev, source_kb, target_kb),
        "cluster_id": None,
    }


def _article_rows(
    article: Article, now: datetime, minhash: bytes | None
) -> dict[str, list[dict[str, Any]]]:
    document = article.to_document()
    kb_of = {a.id: a.kb_id for a in article.actors}
    rows: dict[str, list[dict[str, Any]]] = {
        "articles": [
            {
                "id": article.id,
                "source": article.source,
                "position": article.position,
                "source_id": article.source_id,
                "title": article.title,
                "url": article.url,
                "image_url": article.image_url,
                "outlet": article.outlet[:255]
                if article.outlet
                else article.outlet,  # column String(255)
                "language": article.language[:16]
                if article.language
                else article.language,  # String(16)
                "published": to_utc(article.published),
                "text": article.text,
                "flags": document["flags"],
                "average_tone": article.tone.average_tone,
                "num_events": len(article.events),
                "document": document,
                "minhash": minhash,
                "stored_at": now,
            }
        ],
        "actors": [
            {
                "article_id": article.id,
                "actor_id": a.id,
                "name": a.name,
                "kb_id": a.kb_id,
                "type": a.type,
                "country": a.country,
                "org": a.org,
                "sector": a.sector,
                "role": a.role,
                "resolved": a.resolved,
                "confidence": a.confidence,
                "reason": a.reason,
                "mentions": [m.model_dump(mode="json") for m in a.mentions],
            }
            for a in article.actors
        ],
        "events": [_event_row(article, ev, kb_of) for ev in article.events],
        "quotes": [
            {
                "article_id": article.id,
                "quote_id": q.id,
                "text": q.text,
                "start": q.start,
                "end": q.end,
                "direct": q.direct,
                "speaker_actor": q.speaker.actor if q.speaker else None,
                "speaker_name": q.speaker.name if q.speaker else None,
                "speaker_text": q.speaker.text if q.speaker else None,
                "speaker_start": q.speaker.start if q.speaker else None,
                "speaker_end": q.speaker.end if q.speaker else None,
                "speaker_country": q.speaker.country if q.speaker else None,
                "speaker_sector": q.speaker.sector if q.speaker else None,
                "cue_text": q.cue.text if q.cue else None,
                "cue_start": q.cue.start if q.cue else None,
                "cue_end": q.cue.end if q.cue else None,
                "reason": q.reason,
            }
            for q in article.quotes
        ],
        "places": [
            {
                "article_id": article.id,
                "place_id": p.id,
                "name": p.name,
                "country": p.country,
                "lat": p.lat,
                "lon": p.lon,
                "geonameid": p.geonameid,
                "feature": p.feature,
                "mentions": [m.model_dump(mode="json") for m in p.mentions],
            }
            for p in article.places
        ],
    }
    return rows


_TABLES: dict[str, type[Base]] = {
    "articles": ArticleRow,
    "actors": ActorRow,
    "events": EventRow,
    "quotes": QuoteRow,
    "places": PlaceRow,
}


def core_table(mapped: type[Base]) -> Table:
    """The Core ``Table`` of a mapped class (for Core INSERT/UPDATE executemany)."""
    return Base.metadata.tables[mapped.__tablename__]


def existing_ids(session: Session, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` are stored already (one query per 500 ids)."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        found.update(session.scalars(select(ArticleRow.id).where(ArticleRow.id.in_(chunk))))
    return found


def save_articles(
    session: Session,
    articles: Sequence[Article],
    *,
    now: datetime | None = None,
    minhashes: dict[str, bytes] | None = None,
) -> list[Article]:
    """Insert ``articles`` with their actors, events, quotes and places, skipping any already
    stored (or repeated within ``articles``). Returns the articles actually inserted.

    Clustering and near-duplicate links are not done here; see :mod:`eventwire.storage.merge`.
    """
    now = now or datetime.now(UTC)
    present = existing_ids(session, (a.id for a in articles))
    new: list[Article] = []
    for article in articles:
        if article.id not in present:
            present.add(article.id)
            new.append(article)
    if not new:
        return []
    batches: dict[str, list[dict[str, Any]]] = {name: [] for name in _TABLES}
    for article in new:
        for name, rows in _article_rows(article, now, (minhashes or {}).get(article.id)).items():
            batches[name].extend(rows)
    for name, table in _TABLES.items():
        if batches[name]:
            # Core inserts of the tables (not the ORM's bulk insert of the mapped classes): the
            # rows are complete dicts already, and the ORM's per-row bookkeeping tripled the time
            session.execute(insert(core_table(table)), batches[name])
    return new


def reject_key(reject: Reject) -> str:
    """The deduplication key of a reject: SHA-256 over (source, position, reason)."""
    basis = json.dumps([reject.source, reject.position, reject.reason], ensure_ascii=False)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def insert_ignore(session: Session, table: type[Base], rows: list[dict[str, Any]]) -> None:
    """INSERT rows, silently skipping those that violate a unique constraint."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)
    else:
        session.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)


def save_rejects(
    session: Session, rejects: Sequence[Reject], *, now: datetime | None = None
) -> int:
    """Store rejects, deduplicated by (source, position, reason). Returns how many were new."""
    if not rejects:
        return 0
    now = now or datetime.now(UTC)
    rows: dict[str, dict[str, Any]] = {}
    for r in rejects:
        rows.setdefault(
            reject_key(r),
            {
                "key": reject_key(r),
                "source": r.source,
                "position": r.position,
                "reason": r.reason,
                "stage": r.stage,
                "article_id": r.article_id,
                "created": now,
            },
        )
    known = set(session.scalars(select(RejectRow.key).where(RejectRow.key.in_(list(rows)))))
    fresh = [row for key, row in rows.items() if key not in known]
    insert_ignore(session, RejectRow, fresh)
    return len(fresh)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def load_article(session: Session, article_id: str) -> Article | None:
    """The stored article with this id, exactly as it was saved, or ``None``."""
    document = session.scalar(select(ArticleRow.document).where(ArticleRow.id == article_id))
    if document is None:
        return None
    return Article.from_document(document)


def count_rows(session: Session) -> dict[str, int]:
    """Row counts of every table of the store."""
    tables: dict[str, type[Base]] = {
        **_TABLES,
        "event_clusters": EventClusterRow,
        "article_links": ArticleLinkRow,
        "rejects": RejectRow,
    }
    return {
        name: int(session.scalar(select(func.count()).select_from(table)) or 0)
        for name, table in tables.items()
    }


# ---------------------------------------------------------------------------------------------
# Querying events
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    """Filters shared by ``eventwire events``, ``eventwire export`` and the HTTP API.

    ``actor`` matches the CAMEO-style code of the source or target by prefix (``GBR``, ``GBRGOV``,
    ``IGOUNO``) or their knowledge-base id exactly; ``country`` matches the source, target or
    location country; ``text`` matches every word (case-insensitively) in the trigger, the source
    or target text, or the article title.
    """

    actor: str | None = None
    country: str | None = None
    plover_type: str | None = None
    cameo: str | None = None
    modalities: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    text: str | None = None
    article_id: str | None = None
    cluster_id: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        if self.actor:
            code = self.actor.strip()
            conds.append(
                or_(
                    EventRow.source_code.startswith(code.upper(), autoescape=True),
                    EventRow.target_code.startswith(code.upper(), autoescape=True),
                    EventRow.source_kb == code,
                    EventRow.target_kb == code,
                )
            )
        if self.country:
            iso = self.country.strip().upper()
            conds.append(
                or_(
                    EventRow.source_country == iso,
                    EventRow.target_country == iso,
                    EventRow.location_country == iso,
                )
            )
        if self.plover_type:
            conds.append(EventRow.plover_type == self.plover_type.strip().upper())
        if self.cameo:
            conds.append(EventRow.cameo_code.startswith(self.cameo.strip(), autoescape=True))
        if self.modalities:
            conds.append(EventRow.modality.in_(self.modalities))
        if self.since is not None:
            conds.append(EventRow.day >= self.since)
        if self.until is not None:
            conds.append(EventRow.day <= self.until)
        if self.text:
            for word in self.text.split():
                conds.append(
                    or_(
                        EventRow.trigger_text.icontains(word, autoescape=True),
                        EventRow.source_text.icontains(word, autoescape=True),
                        EventRow.target_text.icontains(word, autoescape=True),
                        ArticleRow.title.icontains(word, autoescape=True),
                    )
                )
        if self.article_id:
            conds.append(EventRow.article_id == self.article_id)
        if self.cluster_id:
            conds.append(EventRow.cluster_id == self.cluster_id)
        return conds


#: columns of the article that come with each event record
ARTICLE_FIELDS: tuple[str, ...] = ("title", "url", "outlet", "source", "published", "average_tone")

_EVENT_COLUMNS = tuple(c.key for c in EventRow.__table__.columns)


@dataclass(frozen=True)
class EventRecord:
    """One stored event with the provenance of its article (a row of ``eventwire events``)."""

    columns: dict[str, Any]
    article: dict[str, Any] = field(default_factory=dict)

    @property
    def article_id(self) -> str:
        return str(self.columns["article_id"])

    @property
    def event_id(self) -> str:
        return str(self.columns["event_id"])

    @property
    def day(self) -> date | None:
        value = self.columns["day"]
        return value if isinstance(value, date) else None

    @property
    def cluster_id(self) -> str | None:
        value = self.columns["cluster_id"]
        return str(value) if value is not None else None

    @property
    def cursor(self) -> str:
        """An opaque cursor that continues a query after this record."""
        key = [self.day.isoformat() if self.day else None, self.article_id, self.event_id]
        return base64.urlsafe_b64encode(json.dumps(key).encode("utf-8")).decode("ascii")

    def to_event(self) -> Event:
        """The event object as it appears in the article's document."""
        c = self.columns
        target = None
        if c["target_text"] is not None:
            target = {
                "actor": c["target_actor"],
                "text": c["target_text"],
                "start": c["target_start"],
                "end": c["target_end"],
                "country": c["target_country"],
                "org": c["target_org"],
                "sector": c["target_sector"],
            }
        location = None
        if c["location_name"] is not None:
            location = {
                "name": c["location_name"],
                "country": c["location_country"],
                "lat": c["location_lat"],
                "lon": c["location_lon"],
            }
        return Event.model_validate(
            {
                "id": c["event_id"],
                "group": c["group_id"],
                "sentence": c["sentence"],
                "source": {
                    "actor": c["source_actor"],
                    "text": c["source_text"],
                    "start": c["source_start"],
                    "end": c["source_end"],
                    "country": c["source_country"],
                    "org": c["source_org"],
                    "sector": c["source_sector"],
                },
                "target": target,
                "plover": {
                    "type": c["plover_type"],
                    "mode": c["plover_mode"],
                    "context": list(c["plover_context"] or []),
                },
                "cameo": {"code": c["cameo_code"], "root": c["cameo_root"]},
                "goldstein": c["goldstein"],
                "quad_class": c["quad_class"],
                "modality": c["modality"],
                "date": c["date"],
                "location": location,
                "trigger": {
                    "text": c["trigger_text"],
                    "start": c["trigger_start"],
                    "end": c["trigger_end"],
                },
                "confidence": c["confidence"],
                "reason": c["reason"],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The event object plus its provenance (article id, day, cluster, article metadata)."""
        published = self.article.get("published")
        return {
            "article_id": self.article_id,
            "day": self.day.isoformat() if self.day else None,
            "cluster_id": self.cluster_id,
            "event": self.to_event().model_dump(mode="json"),
            "article": {
                **{k: v for k, v in self.article.items() if k != "published"},
                "published": published.isoformat() if isinstance(published, datetime) else None,
            },
        }

    def flat(self) -> dict[str, Any]:
        """One flat row (for CSV and tables): the event columns plus article title/url/outlet."""
        row = {k: v for k, v in self.columns.items() if k != "cluster_key"}
        row["plover_context"] = ";".join(row.get("plover_context") or [])
        for key in ("title", "url", "outlet", "published"):
            row[f"article_{key}"] = self.article.get(key)
        return row


def _decode_cursor(cursor: str) -> tuple[date | None, str, str]:
    try:
        day, article, event_id = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        return (date.fromisoformat(day) if day else None, str(article), str(event_id))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ConfigError(f"invalid cursor {cursor!r}") from exc


_NO_DAY = date(1, 1, 1)


def query_events(
    session: Session,
    filters: EventFilter | None = None,
    *,
    limit: int | None = 100,
    cursor: str | None = None,
    order: Literal["date", "-date"] = "-date",
) -> list[EventRecord]:
    """Events matching ``filters``, ordered by event day (then article and event id).

    Args:
        session: a session of the store.
        filters: the filters (all must match); ``None`` matches every event.
        limit: the most records to return (``None``: all).
        cursor: continue after the record whose :attr:`EventRecord.cursor` this is.
        order: ``"-date"`` newest first (default) or ``"date"`` oldest first. Undated events
            sort as the oldest.

    Returns:
        The matching events with the title, URL, outlet, source and publication time of their
        article.
    """
    filters = filters or EventFilter()
    postgres = session.get_bind().dialect.name == "postgresql"
    article_cols = [getattr(ArticleRow, name) for name in ARTICLE_FIELDS]
    stmt = (
        select(EventRow, *article_cols)
        .join(ArticleRow, ArticleRow.id == EventRow.article_id)
        .where(and_(True, *filters.conditions()))
    )
    # Ordered by the ``day`` column itself (not ``coalesce(day, ...)``) so that the
    # ``(day, article_id, event_id)`` indexes serve the order and a first page does not sort the
    # whole table; undated events sort as the oldest.
    ids = tuple_(EventRow.article_id, EventRow.event_id)
    if cursor:
        c_day, c_article, c_event = _decode_cursor(cursor)
        if c_day == _NO_DAY:
            c_day = None
        if order == "-date":
            after = (
                and_(EventRow.day.is_(None), ids < tuple_(c_article, c_event))
                if c_day is None
                else or_(
                    EventRow.day < c_day,
                    and_(EventRow.day == c_day, ids < tuple_(c_article, c_event)),
                    EventRow.day.is_(None),
                )
            )
        else:
            after = (
                or_(
                    EventRow.day.is_not(None),
                    and_(EventRow.day.is_(None), ids > tuple_(c_article, c_event)),
                )
                if c_day is None
                else or_(
                    EventRow.day > c_day,
                    and_(EventRow.day == c_day, ids > tuple_(c_article, c_event)),
                )
            )
        stmt = stmt.where(after)
    # SQLite sorts NULL first ascending and last descending; PostgreSQL needs it said.
    if order == "-date":
        day_desc = EventRow.day.desc().nulls_last() if postgres else EventRow.day.desc()
        stmt = stmt.order_by(day_desc, EventRow.article_id.desc(), EventRow.event_id.desc())
    else:
        day_asc = EventRow.day.asc().nulls_first() if postgres else EventRow.day.asc()
        stmt = stmt.order_by(day_asc, EventRow.article_id, EventRow.event_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    out: list[EventRecord] = []
    for row in session.execute(stmt):
        ev: EventRow = row[0]
        out.append(
            EventRecord(
                columns={name: getattr(ev, name) for name in _EVENT_COLUMNS},
                article=dict(zip(ARTICLE_FIELDS, row[1:], strict=True)),
            )
        )
    return out
