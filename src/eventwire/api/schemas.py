"""The API's request and response schemas, named by role and kept apart from the table classes.

``*Public`` models are what the API returns; ``IngestResult`` reports ``POST /api/articles``. The
event and the article document reuse the document model (:mod:`eventwire.model`), which is the
output contract shared by the CLI, the store and the API.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..model import Actor, Event, Flag, Paragraph, Place, Quote, StageErrorRecord, Tone

__all__ = [
    "ActorDetailPublic",
    "ActorPage",
    "ActorPublic",
    "ArticlePage",
    "ArticlePublic",
    "ArticleRef",
    "ArticleSummaryPublic",
    "ErrorPublic",
    "EventPage",
    "EventPublic",
    "Health",
    "IngestReject",
    "IngestResult",
    "MonthCountPublic",
    "PartnerPublic",
    "QuotePage",
    "QuotePublic",
    "StanceBoardPublic",
    "StanceEntryPublic",
]


class _Public(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorPublic(_Public):
    """Every 4xx/5xx answer: ``{"detail": "..."}`` (validation errors give a list of problems)."""

    detail: str | list[dict[str, Any]]


class Health(_Public):
    status: str = Field(examples=["ok"])
    database: str = Field(description="sqlite or postgresql")
    articles: int
    version: str


class ArticleRef(_Public):
    """The article an event or quote comes from."""

    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    source: str | None = None
    published: datetime | None = None
    average_tone: float | None = None


class EventPublic(_Public):
    """One stored event: the event object of the document plus its provenance."""

    uid: str = Field(description="global id ARTICLE_ID:EVENT_ID", examples=["3d0455d412e793cd:E4"])
    article_id: str
    day: date | None = Field(None, description="the coded date, else the publication day")
    cluster_id: str | None = None
    event: Event
    article: ArticleRef


class EventPage(_Public):
    items: list[EventPublic]
    next_cursor: str | None = Field(None, description="pass as ?cursor= for the next page")


class ArticleSummaryPublic(_Public):
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


class ArticlePage(_Public):
    items: list[ArticleSummaryPublic]
    next_cursor: str | None = None


class ArticlePublic(_Public):
    """The full document object of a stored article (see ``Article.to_document``)."""

    id: str
    source: str
    source_id: str | None = None
    title: str | None = None
    published: datetime | None = None
    url: str | None = None
    image_url: str | None = None
    language: str | None = None
    outlet: str | None = None
    position: int | None = None
    text: str
    paragraphs: list[Paragraph] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    tone: Tone = Field(default_factory=Tone)
    errors: list[StageErrorRecord] = Field(default_factory=list)
    versions: dict[str, str] = Field(
        default_factory=dict, description="stage -> version of the model or data files that coded it"
    )


class ActorPublic(_Public):
    id: str = Field(
        description="knowledge-base id: an ISO 3166 alpha-3 code, an organisation code or a person id"
    )
    name: str
    type: str
    country: str | None
    articles: int = Field(description="articles that mention the actor")


class ActorPage(_Public):
    items: list[ActorPublic]
    offset: int
    limit: int


class MonthCountPublic(_Public):
    month: str = Field(examples=["2025-03"])
    total: int
    by_quad_class: dict[str, int] = Field(
        description="1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict, 0 unknown"
    )


class PartnerPublic(_Public):
    id: str
    name: str
    events: int


class QuotePublic(_Public):
    article_id: str
    quote_id: str
    text: str
    start: int
    end: int
    direct: bool
    speaker_name: str | None
    speaker_text: str | None
    speaker_country: str | None
    speaker_id: str | None
    cue: str | None
    article_title: str | None
    published: datetime | None


class QuotePage(_Public):
    items: list[QuotePublic]
    offset: int
    limit: int


class ActorDetailPublic(_Public):
    id: str
    name: str
    type: str | None
    country: str | None
    org: str | None
    sector: str | None
    role: str | None
    articles: int
    events: int
    first_day: date | None
    last_day: date | None
    by_type: dict[str, int] = Field(description="events by PLOVER type")
    by_month: list[MonthCountPublic]
    partners: list[PartnerPublic] = Field(description="main counterparts, most events first")
    recent_quotes: list[QuotePublic]


class StanceEntryPublic(_Public):
    actor: str
    name: str
    stance: str = Field(description="committed, conditional, in_talks or declined")
    event_uid: str
    article_id: str
    plover_type: str
    cameo_code: str
    modality: str
    day: date | None
    trigger: str
    sentence: str = Field(description="the sentence behind the stance")
    explicit_target: bool = Field(description="false when the target is implied by the article")
    article_title: str | None
    statements: int = Field(description="statements of this actor on the theme that were weighed")


class StanceBoardPublic(_Public):
    target: str
    target_name: str
    theme: str | None
    theme_label: str | None
    plover_type: str | None
    articles_considered: int
    entries: list[StanceEntryPublic]


class IngestReject(_Public):
    position: int | None
    reason: str


class IngestResult(_Public):
    """What ``POST /api/articles`` did with the submitted articles."""

    stored: list[str] = Field(description="ids of newly stored articles")
    existing: list[str] = Field(description="ids already in the store (left unchanged)")
    rejected: list[IngestReject]
    events: int = Field(description="events coded in the newly stored articles")
