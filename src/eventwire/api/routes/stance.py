"""``GET /api/stance``: the commitment board as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from ..convert import board_public, event_filter
from ..deps import SessionDep, StateDep
from ..schemas import ErrorPublic, StanceBoardPublic
from ..stance import build_board

router = APIRouter(prefix="/api/stance", tags=["stance"])


@router.get(
    "",
    response_model=StanceBoardPublic,
    responses={400: {"model": ErrorPublic}},
    summary="Each actor's latest stance towards a target (commitment board)",
)
def get_stance(
    session: SessionDep,
    state: StateDep,
    target: Annotated[
        str,
        Query(
            min_length=2,
            max_length=128,
            description="country code (UKR), organisation code or knowledge-base id",
        ),
    ],
    theme: Annotated[
        str | None,
        Query(
            max_length=64, description="theme id (see data/board/themes.yaml), e.g. peacekeeping"
        ),
    ] = None,
    type: Annotated[
        str | None,
        Query(pattern=r"^[A-Za-z_]{2,32}$", description="only this PLOVER type, e.g. AGREE"),
    ] = None,
    since: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
    until: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
) -> StanceBoardPublic:
    """Committed, conditional, in talks or declined: each source actor's latest stance, with the
    sentence behind it. Without ``theme`` only events aimed at the target count."""
    if theme and theme not in state.board.themes:
        known = ", ".join(sorted(state.board.themes))
        raise HTTPException(400, detail=f"unknown theme {theme!r}; known themes: {known}")
    days = event_filter(since=since, until=until)
    board = build_board(
        session,
        target.strip(),
        theme=theme or None,
        plover_type=type,
        since=days.since,
        until=days.until,
        config=state.board,
    )
    return board_public(board)
