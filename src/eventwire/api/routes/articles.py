"""``GET /api/articles``, ``GET /api/articles/{id}`` and ``POST /api/articles``."""

from __future__ import annotations

import io
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status

from ...model import Article, Reject
from ...readers import read_stream
from ...storage.ingest import store_batch
from ...storage.repo import existing_ids, load_article
from ..convert import article_public, article_summary, event_filter
from ..deps import SessionDep, StateDep, require_token
from ..queries import list_articles
from ..schemas import ArticlePage, ArticlePublic, ErrorPublic, IngestReject, IngestResult

LOGGER = logging.getLogger(__name__)

router = APIRouter(prefix="/api/articles", tags=["articles"])

#: the most articles one request may submit
MAX_ARTICLES_PER_REQUEST = 200
_JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")


@router.get("", response_model=ArticlePage, responses={400: {"model": ErrorPublic}})
def get_articles(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="words in the title")] = None,
    outlet: Annotated[str | None, Query(max_length=255)] = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    since: Annotated[str | None, Query(description="published on or after YYYY-MM-DD")] = None,
    until: Annotated[str | None, Query(description="published on or before YYYY-MM-DD")] = None,
    actor: Annotated[
        str | None, Query(max_length=128, description="has an event with this actor")
    ] = None,
    country: Annotated[
        str | None,
        Query(pattern=r"^[A-Za-z]{2,3}$", description="has an event in/with this country"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> ArticlePage:
    """Stored articles, newest first (no text; fetch one article for its document)."""
    filters = event_filter(since=since, until=until)
    ev = event_filter(actor=actor, country=country) if (actor or country) else None
    items = list_articles(
        session,
        q=q,
        outlet=outlet,
        language=language,
        since=filters.since,
        until=filters.until,
        event_filter=ev,
        limit=limit + 1,
        cursor=cursor,
    )
    more = len(items) > limit
    items = items[:limit]
    return ArticlePage(
        items=[article_summary(i) for i in items],
        next_cursor=items[-1].cursor if more and items else None,
    )


@router.get(
    "/{article_id}",
    response_model=ArticlePublic,
    responses={404: {"model": ErrorPublic}},
    summary="The full document object of one article",
)
def get_article(
    session: SessionDep, article_id: Annotated[str, Path(max_length=64)]
) -> ArticlePublic:
    article = load_article(session, article_id)
    if article is None:
        raise HTTPException(404, detail=f"no article {article_id!r}")
    return article_public(article)


@router.post(
    "",
    response_model=IngestResult,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_token)],
    responses={
        200: {"model": IngestResult, "description": "nothing new was stored"},
        401: {"model": ErrorPublic},
        403: {"model": ErrorPublic},
        413: {"model": ErrorPublic},
        422: {"model": ErrorPublic},
    },
    summary="Submit articles to code and store (bearer token required)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "description": (
                            "One article object, an array of them, or a wrapper such as "
                            '{"articles": [...]}; keys as the JSON reader accepts them '
                            "(title/headline, text/body/content, published/date, url, ...)"
                        ),
                        "oneOf": [
                            {"type": "object"},
                            {"type": "array", "items": {"type": "object"}},
                        ],
                    }
                },
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
async def post_articles(request: Request, response: Response, state: StateDep) -> IngestResult:
    """Read the body as JSON (or JSON Lines with an ndjson content type) in any shape the JSON
    reader accepts, code each article with the pipeline and store it. Articles already stored are
    reported under ``existing``; records that cannot be read under ``rejected``."""
    body = await request.body()
    if not body.strip():
        raise HTTPException(422, detail="empty request body: send a JSON article or a list of them")
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    fmt = "jsonl" if ctype in _JSONL_TYPES else "json"
    if fmt == "json" and ctype not in ("application/json", "text/json", ""):
        raise HTTPException(
            415,
            detail=f"unsupported content type {ctype!r}: use application/json or application/x-ndjson",
        )
    articles: list[Article] = []
    rejects: list[Reject] = []
    for item in read_stream(io.BytesIO(body), "api", fmt=fmt):
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            articles.append(item)
    if len(articles) > MAX_ARTICLES_PER_REQUEST:
        raise HTTPException(
            413, detail=f"too many articles in one request (limit {MAX_ARTICLES_PER_REQUEST})"
        )
    if not articles:
        reasons = "; ".join(r.reason for r in rejects[:5]) or "no article found"
        raise HTTPException(422, detail=f"no readable article in the request: {reasons}")
    from starlette.concurrency import run_in_threadpool

    result = await run_in_threadpool(_code_and_store, state, articles, rejects)
    if not result.stored:
        response.status_code = status.HTTP_200_OK
    return result


def _code_and_store(state: object, articles: list[Article], rejects: list[Reject]) -> IngestResult:
    from ..deps import AppState

    assert isinstance(state, AppState)
    store = state.store
    with store.read() as session:
        present = existing_ids(session, (a.id for a in articles))
    todo: list[Article] = []
    seen: set[str] = set()
    for article in articles:
        if article.id not in present and article.id not in seen:
            seen.add(article.id)
            todo.append(article)
    coded = state.code(todo) if todo else []
    for article in coded:
        article.parse = None
    with store.write() as session:
        result = store_batch(session, coded, rejects)
    stored = [a.id for a in result.new]
    LOGGER.info("POST /api/articles: %d stored, %d rejected", len(stored), len(rejects))
    return IngestResult(
        stored=stored,
        existing=sorted({a.id for a in articles} - set(stored)),
        rejected=[IngestReject(position=r.position, reason=r.reason) for r in rejects],
        events=sum(len(a.events) for a in result.new),
    )
