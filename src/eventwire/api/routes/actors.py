"""``GET /api/actors`` and ``GET /api/actors/{id}``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query

from ..convert import profile_public
from ..deps import SessionDep
from ..queries import actor_profile, list_actors
from ..schemas import ActorDetailPublic, ActorPage, ActorPublic, ErrorPublic

router = APIRouter(prefix="/api/actors", tags=["actors"])


@router.get("", response_model=ActorPage, summary="Resolved actors, most mentioned first")
def get_actors(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="words in the name or id")] = None,
    type: Annotated[
        Literal["person", "country", "organization", "group", "agent"] | None, Query()
    ] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,3}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ActorPage:
    rows = list_actors(session, q=q, actor_type=type, country=country, limit=limit, offset=offset)
    return ActorPage(
        items=[
            ActorPublic(id=r.id, name=r.name, type=r.type, country=r.country, articles=r.articles)
            for r in rows
        ],
        offset=offset,
        limit=limit,
    )


@router.get(
    "/{actor_id}",
    response_model=ActorDetailPublic,
    responses={404: {"model": ErrorPublic}},
    summary="An actor's events by PLOVER type and month, main partners and recent quotes",
)
def get_actor(
    session: SessionDep,
    actor_id: Annotated[
        str, Path(min_length=1, max_length=128, description="knowledge-base id or actor code")
    ],
) -> ActorDetailPublic:
    profile = actor_profile(session, actor_id)
    if profile is None:
        raise HTTPException(404, detail=f"no actor {actor_id!r}")
    return profile_public(profile)
