"""Conversions from store records to the API's public schemas, and the shared event filters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ..errors import ConfigError
from ..model import Article
from ..storage.repo import EventFilter, EventRecord
from .queries import ActorProfile, ArticleListing, QuoteRecord
from .schemas import (
    ActorDetailPublic,
    ArticlePublic,
    ArticleRef,
    ArticleSummaryPublic,
    EventPublic,
    MonthCountPublic,
    PartnerPublic,
    QuotePublic,
    StanceBoardPublic,
    StanceEntryPublic,
)
from .stance import Board

__all__ = [
    "MODALITIES",
    "article_public",
    "article_summary",
    "board_public",
    "event_filter",
    "event_public",
    "profile_public",
    "quote_public",
]

MODALITIES = ("asserted", "intent", "conditional", "hypothetical", "negated", "question")


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _day(value: str | date | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{name} expects YYYY-MM-DD, got {value!r}") from exc


def event_filter(
    *,
    actor: str | None = None,
    country: str | None = None,
    plover_type: str | None = None,
    cameo: str | None = None,
    modality: Sequence[str] = (),
    since: str | date | None = None,
    until: str | date | None = None,
    text: str | None = None,
) -> EventFilter:
    """The :class:`EventFilter` for the query parameters of ``/api/events`` and ``/events``,
    checked as ``eventwire events`` checks its options (blank values are ignored).

    Raises:
        ConfigError: an unknown modality, a CAMEO prefix that is not digits, a bad date, or
            ``since`` after ``until``.
    """
    modalities = tuple(m.strip().lower() for m in modality if m and m.strip())
    unknown = [m for m in modalities if m not in MODALITIES]
    if unknown:
        raise ConfigError(f"unknown modality {', '.join(unknown)}; use {', '.join(MODALITIES)}")
    cameo = _clean(cameo)
    if cameo is not None and not (cameo.isdigit() and len(cameo) <= 4):
        raise ConfigError(f"cameo expects a prefix of 1-4 digits, got {cameo!r}")
    first, last = _day(since, "since"), _day(until, "until")
    if first is not None and last is not None and first > last:
        raise ConfigError(f"since ({first}) is after until ({last})")
    country = _clean(country)
    if country is not None and not (country.isalpha() and 2 <= len(country) <= 3):
        raise ConfigError(f"country expects an ISO 3166 alpha-3 code, got {country!r}")
    plover = _clean(plover_type)
    if plover is not None and not plover.replace("_", "").isalpha():
        raise ConfigError(f"type expects a PLOVER event type such as AGREE, got {plover!r}")
    return EventFilter(
        actor=_clean(actor),
        country=country,
        plover_type=plover,
        cameo=cameo,
        modalities=modalities,
        since=first,
        until=last,
        text=_clean(text),
    )


def event_public(record: EventRecord) -> EventPublic:
    data = record.to_dict()
    article: dict[str, Any] = data["article"]
    return EventPublic(
        uid=f"{record.article_id}:{record.event_id}",
        article_id=record.article_id,
        day=record.day,
        cluster_id=record.cluster_id,
        event=record.to_event(),
        article=ArticleRef.model_validate(article),
    )


def article_summary(item: ArticleListing) -> ArticleSummaryPublic:
    return ArticleSummaryPublic(
        id=item.id,
        title=item.title,
        url=item.url,
        outlet=item.outlet,
        source=item.source,
        language=item.language,
        published=item.published,
        num_events=item.num_events,
        average_tone=item.average_tone,
        flags=item.flags,
    )


def article_public(article: Article) -> ArticlePublic:
    return ArticlePublic.model_validate(article.to_document())


def quote_public(q: QuoteRecord) -> QuotePublic:
    return QuotePublic(
        article_id=q.article_id,
        quote_id=q.quote_id,
        text=q.text,
        start=q.start,
        end=q.end,
        direct=q.direct,
        speaker_name=q.speaker_name,
        speaker_text=q.speaker_text,
        speaker_country=q.speaker_country,
        speaker_id=q.speaker_kb,
        cue=q.cue,
        article_title=q.article_title,
        published=q.published,
    )


def profile_public(p: ActorProfile) -> ActorDetailPublic:
    return ActorDetailPublic(
        id=p.id,
        name=p.name,
        type=p.type,
        country=p.country,
        org=p.org,
        sector=p.sector,
        role=p.role,
        articles=p.articles,
        events=p.events,
        first_day=p.first_day,
        last_day=p.last_day,
        by_type=p.by_type,
        by_month=[
            MonthCountPublic(
                month=m.month,
                total=m.total,
                by_quad_class={str(k): v for k, v in sorted(m.by_quad.items())},
            )
            for m in p.by_month
        ],
        partners=[PartnerPublic(id=i, name=n, events=c) for i, n, c in p.partners],
        recent_quotes=[quote_public(q) for q in p.quotes],
    )


def board_public(board: Board) -> StanceBoardPublic:
    return StanceBoardPublic(
        target=board.target,
        target_name=board.target_name,
        theme=board.theme.id if board.theme else None,
        theme_label=board.theme.label if board.theme else None,
        plover_type=board.plover_type,
        articles_considered=board.articles_considered,
        entries=[
            StanceEntryPublic(
                actor=e.actor,
                name=e.name,
                stance=e.stance,
                event_uid=e.uid,
                article_id=e.article_id,
                plover_type=e.plover_type,
                cameo_code=e.cameo_code,
                modality=e.modality,
                day=e.day,
                trigger=e.trigger,
                sentence=e.sentence,
                explicit_target=e.explicit_target,
                article_title=e.article_title,
                statements=e.statements,
            )
            for e in board.entries
        ],
    )
