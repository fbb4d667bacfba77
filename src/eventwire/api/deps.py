"""Dependencies of the routes: the application state, a read session, the write token."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from ..model import Article
from ..storage.repo import Store
from .stance import BoardConfig

__all__ = [
    "AppState",
    "Coder",
    "SessionDep",
    "StateDep",
    "get_session",
    "get_state",
    "require_token",
]

#: codes a batch of articles (returns them coded, same order)
Coder = Callable[[list[Article]], list[Article]]


@dataclass
class AppState:
    """Everything the routes share; kept on ``app.state.eventwire``."""

    store: Store
    token: str | None
    board: BoardConfig
    max_body_bytes: int
    coder_factory: Callable[[], Coder]
    _coder: Coder | None = None
    #: the pipeline is not thread-safe, and building it loads the spaCy model once
    coder_lock: threading.Lock = field(default_factory=threading.Lock)

    def code(self, articles: list[Article]) -> list[Article]:
        """Code ``articles`` with the pipeline (built on first use), one batch at a time."""
        with self.coder_lock:
            if self._coder is None:
                self._coder = self.coder_factory()
            return self._coder(articles)


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.eventwire
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """A read-only session for one request."""
    with state.store.read() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def require_token(request: Request, state: StateDep) -> None:
    """Allow the request only with ``Authorization: Bearer <token>`` matching the configured token.

    Raises:
        HTTPException: 403 when no token is configured (writing is disabled), 401 when the header
            is missing or wrong.
    """
    if not state.token:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=(
                "writing is disabled: no API token is configured "
                "(start the server with --token or set EVENTWIRE_TOKEN)"
            ),
        )
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8"), state.token.encode("utf-8")
    ):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="a valid bearer token is required (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
