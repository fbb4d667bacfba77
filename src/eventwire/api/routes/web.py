"""The web explorer: server-rendered HTML pages (Jinja2, autoescaped).

Pages: ``/`` (overview and search), ``/events`` (filters, sortable table), ``/articles`` and
``/articles/{id}`` (highlighted text, events, quotes, flags), ``/actors`` and ``/actors/{id}``
(timeline, partners, quotes), ``/board`` (commitment board) and ``/map`` (offline map).
Query parameters of the pages are lenient (blank form fields are ignored); bad values give a 400
page with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ...errors import ConfigError
from ...storage.repo import EventFilter, EventRecord, load_article
from ...web import TEMPLATES_DIR
from ..convert import MODALITIES, event_filter
from ..deps import SessionDep, StateDep
from ..queries import (
    actor_names,
    actor_profile,
    list_actors,
    list_articles,
    map_points,
    overview_counts,
    page_events,
    top_targets,
)
from ..render import HIGHLIGHT_ROLES, QUAD_CLASSES, highlight_article, map_svg, timeline_svg
from ..stance import STANCE_LABELS, STANCE_ORDER, build_board

__all__ = ["error_page", "router", "templates"]

router = APIRouter(include_in_schema=False)

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_env)

_PAGE_SIZE = 100
_FLAG_HELP = {
    "headline_mismatch": "The headline does not match the body text",
    "near_duplicate_of": "Near-duplicate of another article",
    "truncated_text": "The source truncated the text",
}


def _fmt_dt(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


_env.filters["dt"] = _fmt_dt


def _web_url(value: str | None) -> str | None:
    """``value`` when it is an http(s) URL, else ``None`` (no ``javascript:`` links from data)."""
    if not value:
        return None
    scheme = urlsplit(value.strip()).scheme.lower()
    return value.strip() if scheme in ("http", "https") else None


_env.filters["web_url"] = _web_url


def _query(params: Mapping[str, Any]) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None or value == "":
            continue
        if isinstance(value, list | tuple):
            pairs.extend((key, str(v)) for v in value)
        else:
            pairs.append((key, str(value)))
    return urlencode(pairs)


_env.globals["query"] = _query


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    """An HTML error page (used by the app's exception handlers for non-API paths)."""
    titles = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 422: "Invalid value"}
    return _render(
        request,
        "error.html",
        status_code=status_code,
        title=titles.get(status_code, "Error"),
        status=status_code,
        message=message,
    )


def _param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    value = value.strip()
    if len(value) > 200:
        raise ConfigError(f"{name} is too long (at most 200 characters)")
    return value or None


def _filters_from(request: Request) -> tuple[EventFilter, dict[str, Any]]:
    names = ("actor", "country", "type", "cameo", "since", "until", "text")
    values = {name: _param(request, name) for name in names}
    modality = [m for m in request.query_params.getlist("modality") if m.strip()]
    filters = event_filter(
        actor=values["actor"],
        country=values["country"],
        plover_type=values["type"],
        cameo=values["cameo"],
        modality=modality,
        since=values["since"],
        until=values["until"],
        text=values["text"],
    )
    return filters, {**values, "modality": modality}


def _event_rows(records: list[EventRecord]) -> list[dict[str, Any]]:
    rows = []
    for r in records:
        ev = r.to_event()
        rows.append(
            {
                "uid": f"{r.article_id}:{r.event_id}",
                "article_id": r.article_id,
                "event": ev,
                "day": r.day,
                "source": ev.source.text,
                "source_code": r.columns.get("source_code") or "",
                "source_link": r.columns.get("source_kb") or ev.source.country or ev.source.org,
                "target": ev.target.text if ev.target else "",
                "target_code": r.columns.get("target_code") or "",
                "target_link": (r.columns.get("target_kb") or ev.target.country or ev.target.org)
                if ev.target
                else None,
                "title": r.article.get("title"),
                "outlet": r.article.get("outlet"),
            }
        )
    return rows


@router.get("/", response_class=HTMLResponse)
def index(request: Request, session: SessionDep) -> HTMLResponse:
    return _render(
        request,
        "index.html",
        title="Overview",
        counts=overview_counts(session),
        articles=list_articles(session, limit=10),
        actors=list_actors(session, limit=12),
        targets=top_targets(session, limit=8),
    )


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, session: SessionDep) -> HTMLResponse:
    filters, form = _filters_from(request)
    order = request.query_params.get("order", "-date")
    if order not in ("-date", "date"):
        raise ConfigError(f"order must be date or -date, got {order!r}")
    cursor = _param(request, "cursor")
    records = page_events(
        session,
        filters,
        limit=_PAGE_SIZE + 1,
        cursor=cursor,
        order="date" if order == "date" else "-date",
    )
    more = len(records) > _PAGE_SIZE
    records = records[:_PAGE_SIZE]
    next_query = (
        _query({**form, "order": order, "cursor": records[-1].cursor}) if more and records else None
    )
    return _render(
        request,
        "events.html",
        title="Events",
        form=form,
        order=order,
        rows=_event_rows(records),
        modalities=MODALITIES,
        next_query=next_query,
        first_page=cursor is None,
    )


@router.get("/articles", response_class=HTMLResponse)
def articles_page(request: Request, session: SessionDep) -> HTMLResponse:
    q = _param(request, "q")
    cursor = _param(request, "cursor")
    items = list_articles(session, q=q, limit=51, cursor=cursor)
    more = len(items) > 50
    items = items[:50]
    return _render(
        request,
        "articles.html",
        title="Articles",
        q=q or "",
        items=items,
        next_query=_query({"q": q, "cursor": items[-1].cursor}) if more and items else None,
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    request: Request, session: SessionDep, article_id: Annotated[str, Path(max_length=64)]
) -> HTMLResponse:
    article = load_article(session, article_id)
    if article is None:
        raise HTTPException(404, detail=f"No article with id {article_id!r} is stored.")
    actors_by_id = {a.id: a for a in article.actors}
    return _render(
        request,
        "article.html",
        title=article.title or "Article",
        article=article,
        body=highlight_article(article),
        roles=HIGHLIGHT_ROLES,
        actors_by_id=actors_by_id,
        flag_help=_FLAG_HELP,
    )


@router.get("/actors", response_class=HTMLResponse)
def actors_page(request: Request, session: SessionDep) -> HTMLResponse:
    q = _param(request, "q")
    return _render(
        request,
        "actors.html",
        title="Actors",
        q=q or "",
        actors=list_actors(session, q=q, limit=200),
    )


@router.get("/actors/{actor_id}", response_class=HTMLResponse)
def actor_page(
    request: Request,
    session: SessionDep,
    actor_id: Annotated[str, Path(min_length=1, max_length=128)],
) -> HTMLResponse:
    profile = actor_profile(session, actor_id)
    if profile is None:
        raise HTTPException(404, detail=f"No actor {actor_id!r} is stored.")
    recent = page_events(session, EventFilter(actor=actor_id), limit=20)
    peak = max(profile.by_type.values(), default=1)
    return _render(
        request,
        "actor.html",
        title=profile.name,
        profile=profile,
        timeline=timeline_svg(profile.by_month),
        quads=QUAD_CLASSES,
        type_peak=peak,
        recent=_event_rows(recent),
    )


@router.get("/board", response_class=HTMLResponse)
def board_page(request: Request, session: SessionDep, state: StateDep) -> HTMLResponse:
    target = _param(request, "target")
    theme = _param(request, "theme")
    plover_type = _param(request, "type")
    if theme is not None and theme not in state.board.themes:
        raise ConfigError(f"unknown theme {theme!r}")
    if plover_type is not None and not plover_type.replace("_", "").isalpha():
        raise ConfigError(f"type expects a PLOVER event type such as AGREE, got {plover_type!r}")
    suggestions = top_targets(session, limit=10)
    if target is None and suggestions:
        target = suggestions[0][0]
    if theme is None and request.query_params.get("theme") is None:
        theme = next(iter(state.board.themes))
    board = (
        build_board(session, target, theme=theme, plover_type=plover_type, config=state.board)
        if target
        else None
    )
    names = actor_names(session, [c for c, _ in suggestions])
    return _render(
        request,
        "board.html",
        title="Commitment board",
        target=target or "",
        theme=theme or "",
        plover_type=plover_type or "",
        themes=state.board.themes,
        board=board,
        groups=board.by_stance() if board else {},
        stance_order=STANCE_ORDER,
        stance_labels=STANCE_LABELS,
        suggestions=[(c, names.get(c, c), n) for c, n in suggestions],
    )


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, session: SessionDep) -> HTMLResponse:
    filters, form = _filters_from(request)
    points = map_points(session, filters)
    return _render(
        request,
        "map.html",
        title="Map",
        form=form,
        svg=map_svg(points),
        points=sorted(points, key=lambda p: (p.kind != "event", -p.count, p.name)),
    )
