"""``GET /api/events`` and ``GET /api/events/{uid}``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query

from ...model import Modality
from ..convert import event_filter, event_public
from ..deps import SessionDep
from ..queries import event_by_uid, page_events
from ..schemas import ErrorPublic, EventPage, EventPublic

router = APIRouter(prefix="/api/events", tags=["events"])

_ERRORS: dict[int | str, dict[str, object]] = {400: {"model": ErrorPublic}}


@router.get("", response_model=EventPage, responses=_ERRORS, summary="List and filter events")
def list_events(
    session: SessionDep,
    actor: Annotated[
        str | None,
        Query(
            max_length=128,
            description="actor code prefix (GBR, GBRGOV, IGOUNO) or knowledge-base id",
        ),
    ] = None,
    country: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Za-z]{2,3}$", description="ISO 3166 alpha-3 of source, target or location"
        ),
    ] = None,
    type: Annotated[
        str | None, Query(pattern=r"^[A-Za-z_]{2,32}$", description="PLOVER event type, e.g. AGREE")
    ] = None,
    cameo: Annotated[
        str | None, Query(pattern=r"^\d{1,4}$", description="CAMEO code prefix, e.g. 19 or 0334")
    ] = None,
    modality: Annotated[list[Modality] | None, Query(description="repeatable")] = None,
    since: Annotated[str | None, Query(description="YYYY-MM-DD, inclusive")] = None,
    until: Annotated[str | None, Query(description="YYYY-MM-DD, inclusive")] = None,
    text: Annotated[
        str | None,
        Query(max_length=200, description="words that must all occur (trigger, actors, title)"),
    ] = None,
    order: Annotated[
        Literal["-date", "date"], Query(description="-date newest first, date oldest first")
    ] = "-date",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=512, description="from next_cursor")] = None,
) -> EventPage:
    """Events matching every filter, with the article each comes from; the same filters as
    ``eventwire events``. Pages are linked by ``next_cursor``."""
    filters = event_filter(
        actor=actor,
        country=country,
        plover_type=type,
        cameo=cameo,
        modality=modality or [],
        since=since,
        until=until,
        text=text,
    )
    records = page_events(session, filters, limit=limit + 1, cursor=cursor, order=order)
    more = len(records) > limit
    records = records[:limit]
    return EventPage(
        items=[event_public(r) for r in records],
        next_cursor=records[-1].cursor if more and records else None,
    )


@router.get(
    "/{uid}",
    response_model=EventPublic,
    responses={404: {"model": ErrorPublic}, **_ERRORS},
    summary="One event",
)
def get_event(
    session: SessionDep,
    uid: Annotated[str, Path(max_length=200, description="ARTICLE_ID:EVENT_ID")],
) -> EventPublic:
    record = event_by_uid(session, uid)
    if record is None:
        raise HTTPException(404, detail=f"no event {uid!r}")
    return event_public(record)
