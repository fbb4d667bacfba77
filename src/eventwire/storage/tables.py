"""The tables of the event store (SQLAlchemy 2 typed declarative models).

The same definitions serve SQLite and PostgreSQL. ``articles.document`` keeps the complete document
object, so an article reads back exactly as it was saved; the other tables hold the parts of the
document in columns, for querying, clustering and exports. Child rows are keyed by
``(article_id, <id inside the article>)`` and deleted with their article.

The schema itself is created by the Alembic migrations in ``storage/migrations`` (run automatically
when a store is opened); these classes are the single definition the migrations are checked against.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ActorRow",
    "ArticleLinkRow",
    "ArticleRow",
    "Base",
    "EventClusterRow",
    "EventRow",
    "PlaceRow",
    "QuoteRow",
    "RejectRow",
]

#: JSON on SQLite, JSONB on PostgreSQL.
JsonType = JSON().with_variant(JSONB(), "postgresql")

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JsonType, list[Any]: JsonType}


class ArticleRow(Base):
    """One stored article: its metadata, text, flags and the full document object."""

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_url", "url", postgresql_using="hash"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int | None] = mapped_column(BigInteger)
    source_id: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(16))
    published: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    flags: Mapped[list[Any]] = mapped_column(default=list)
    average_tone: Mapped[float | None] = mapped_column(Float)
    num_events: Mapped[int] = mapped_column(Integer, default=0)
    document: Mapped[dict[str, Any]] = mapped_column()
    #: MinHash signature (uint64 little-endian) of the normalised text, for near-duplicate links
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActorRow(Base):
    __tablename__ = "actors"

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kb_id: Mapped[str | None] = mapped_column(String(128), index=True)
    type: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(8), index=True)
    org: Mapped[str | None] = mapped_column(String(32))
    sector: Mapped[str | None] = mapped_column(String(16))
    role: Mapped[str | None] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str] = mapped_column(Text, default="")
    mentions: Mapped[list[Any]] = mapped_column(default=list)


class EventClusterRow(Base):
    """Reports of the same real-world event across articles (see ``storage.merge``).

    ``id`` is derived from the cluster's key and its earliest member, so the same set of stored
    events always yields the same clusters and ids whatever order they were ingested in.
    """

    __tablename__ = "event_clusters"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: GDELT-style integer id (GLOBALEVENTID), derived from ``id``
    global_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    source_key: Mapped[str] = mapped_column(Text)
    target_key: Mapped[str] = mapped_column(Text)
    plover_type: Mapped[str] = mapped_column(String(32))
    cameo_root: Mapped[str] = mapped_column(String(4))
    cameo_code: Mapped[str] = mapped_column(String(8))
    first_date: Mapped[date | None] = mapped_column(Date, index=True)
    last_date: Mapped[date | None] = mapped_column(Date)
    num_mentions: Mapped[int] = mapped_column(Integer)
    num_sources: Mapped[int] = mapped_column(Integer)
    num_articles: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    #: the group hash shared with ``events.cluster_key``
    cluster_key: Mapped[str] = mapped_column(String(40), index=True)


class EventRow(Base):
    """One coded event with its provenance (article, sentence, trigger offsets)."""

    __tablename__ = "events"

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_id: Mapped[str | None] = mapped_column(String(64))
    sentence: Mapped[int] = mapped_column(Integer)
    is_root: Mapped[bool] = mapped_column(Boolean, default=False)

    source_actor: Mapped[str | None] = mapped_column(String(64))
    source_kb: Mapped[str | None] = mapped_column(String(128))
    source_text: Mapped[str] = mapped_column(Text)
    source_start: Mapped[int] = mapped_column(Integer)
    source_end: Mapped[int] = mapped_column(Integer)
    source_country: Mapped[str | None] = mapped_column(String(8))
    source_org: Mapped[str | None] = mapped_column(String(32))
    source_sector: Mapped[str | None] = mapped_column(String(16))
    source_code: Mapped[str] = mapped_column(String(64), index=True)

    target_actor: Mapped[str | None] = mapped_column(String(64))
    target_kb: Mapped[str | None] = mapped_column(String(128))
    target_text: Mapped[str | None] = mapped_column(Text)
    target_start: Mapped[int | None] = mapped_column(Integer)
    target_end: Mapped[int | None] = mapped_column(Integer)
    target_country: Mapped[str | None] = mapped_column(String(8))
    target_org: Mapped[str | None] = mapped_column(String(32))
    target_sector: Mapped[str | None] = mapped_column(String(16))
    target_code: Mapped[str | None] = mapped_column(String(64), index=True)

    plover_type: Mapped[str] = mapped_column(String(32), index=True)
    plover_mode: Mapped[str | None] = mapped_column(String(64))
    plover_context: Mapped[list[Any]] = mapped_column(default=list)
    cameo_code: Mapped[str] = mapped_column(String(8), index=True)
    cameo_root: Mapped[str] = mapped_column(String(4))
    goldstein: Mapped[float | None] = mapped_column(Float)
    quad_class: Mapped[int | None] = mapped_column(Integer)
    modality: Mapped[str] = mapped_column(String(16), index=True)
    #: the date as coded (ISO 8601, possibly partial)
    date: Mapped[str | None] = mapped_column(String(32))
    #: the event day used for filtering and clustering: the coded date, else the publication day
    day: Mapped[dt.date | None] = mapped_column(Date)

    location_name: Mapped[str | None] = mapped_column(Text)
    location_country: Mapped[str | None] = mapped_column(String(8))
    location_lat: Mapped[float | None] = mapped_column(Float)
    location_lon: Mapped[float | None] = mapped_column(Float)

    trigger_text: Mapped[str] = mapped_column(Text)
    trigger_start: Mapped[int] = mapped_column(Integer)
    trigger_end: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: hash of the clustering group (source key, target key, PLOVER type, CAMEO root); NULL for
    #: modalities that are never clustered
    cluster_key: Mapped[str | None] = mapped_column(String(40), index=True)
    cluster_id: Mapped[str | None] = mapped_column(
        ForeignKey("event_clusters.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (
        Index(None, "source_country", "day"),
        Index(None, "target_country", "day"),
        Index(None, "day", "article_id", "event_id"),
        # filtered, date-ordered pages (the API's and `eventwire events`' commonest queries)
        Index(None, "plover_type", "day", "article_id", "event_id"),
        Index(None, "modality", "day", "article_id", "event_id"),
    )


class QuoteRow(Base):
    __tablename__ = "quotes"

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    quote_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    direct: Mapped[bool] = mapped_column(Boolean, default=True)
    speaker_actor: Mapped[str | None] = mapped_column(String(64))
    speaker_name: Mapped[str | None] = mapped_column(Text)
    speaker_text: Mapped[str | None] = mapped_column(Text)
    speaker_start: Mapped[int | None] = mapped_column(Integer)
    speaker_end: Mapped[int | None] = mapped_column(Integer)
    speaker_country: Mapped[str | None] = mapped_column(String(8), index=True)
    speaker_sector: Mapped[str | None] = mapped_column(String(16))
    cue_text: Mapped[str | None] = mapped_column(Text)
    cue_start: Mapped[int | None] = mapped_column(Integer)
    cue_end: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")


class PlaceRow(Base):
    __tablename__ = "places"

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    place_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(8), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    geonameid: Mapped[int | None] = mapped_column(Integer)
    feature: Mapped[str | None] = mapped_column(String(16))
    mentions: Mapped[list[Any]] = mapped_column(default=list)


class ArticleLinkRow(Base):
    """A near-duplicate pair. ``minhash`` pairs are stored once with ``article_id < other_id``;
    ``flag`` links go from the flagged article to the article its flag names."""

    __tablename__ = "article_links"

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    #: not a foreign key: a ``flag`` link may name an article that is not (yet) stored
    other_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    #: ``flag`` (the clean stage's ``near_duplicate_of``) or ``minhash`` (found by the store)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    score: Mapped[float | None] = mapped_column(Float)


class RejectRow(Base):
    """An input record that could not be read or coded; unique by (source, position, reason)."""

    __tablename__ = "rejects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: SHA-256 over (source, position, reason): NULL positions would defeat a plain unique index
    key: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(Text)
    position: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[str | None] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
