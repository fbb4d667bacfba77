"""``GET /healthz``: liveness and a store round trip."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from ...storage.tables import ArticleRow
from ..deps import SessionDep, StateDep
from ..schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness and store check")
def healthz(state: StateDep, session: SessionDep) -> Health:
    from ..main import _version

    count = int(session.scalar(select(func.count()).select_from(ArticleRow)) or 0)
    return Health(status="ok", database=state.store.dialect, articles=count, version=_version())
