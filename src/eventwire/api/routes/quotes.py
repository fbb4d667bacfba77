"""``GET /api/quotes``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ..convert import quote_public
from ..deps import SessionDep
from ..queries import list_quotes
from ..schemas import QuotePage

router = APIRouter(prefix="/api/quotes", tags=["quotes"])


@router.get("", response_model=QuotePage, summary="Attributed quotes, newest article first")
def get_quotes(
    session: SessionDep,
    speaker: Annotated[
        str | None,
        Query(max_length=128, description="speaker's knowledge-base id, or a country code"),
    ] = None,
    article_id: Annotated[str | None, Query(max_length=64)] = None,
    text: Annotated[str | None, Query(max_length=200, description="words in the quote")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> QuotePage:
    items = list_quotes(
        session, speaker=speaker, article_id=article_id, text=text, limit=limit, offset=offset
    )
    return QuotePage(items=[quote_public(q) for q in items], offset=offset, limit=limit)
