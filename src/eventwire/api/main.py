"""The FastAPI application: the JSON API under ``/api``, the web explorer at ``/``.

>>> app = create_app("sqlite:///events.db", token="s3cret")      # doctest: +SKIP
>>> import uvicorn; uvicorn.run(app, host="127.0.0.1", port=8000)  # doctest: +SKIP

The OpenAPI description is at ``/openapi.json`` and its interactive page at ``/docs``. Every page
and asset is served from the package; nothing is loaded from other hosts. Responses carry a
Content-Security-Policy that forbids inline and foreign scripts, request bodies are limited in size
(413 beyond it), and the only write endpoint, ``POST /api/articles``, needs the bearer token.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..config import load_settings
from ..errors import ConfigError, StoreError
from ..model import Article
from ..storage.repo import open_store
from ..web import STATIC_DIR
from .deps import AppState, Coder
from .routes import actors, articles, events, health, quotes, stance, web
from .stance import BoardConfig, load_board_config

__all__ = ["DEFAULT_MAX_BODY_BYTES", "TOKEN_ENV", "create_app"]

LOGGER = logging.getLogger(__name__)

#: the largest request body accepted (413 beyond it)
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
TOKEN_ENV = "EVENTWIRE_TOKEN"
DB_ENV = "EVENTWIRE_DB"

_SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
# /docs loads Swagger UI from a CDN by design of FastAPI; it is the one page allowed to.
_DOCS_PATHS = ("/docs", "/redoc")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(StarletteHTTPException):
    """Raised while reading a request body that is over the limit (answered with 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=f"request body too large (limit {limit} bytes)")


class GuardMiddleware:
    """Pure ASGI middleware: the body size limit and the security headers of every response."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                too_big = False
            if too_big:
                await _send_json(send, 413, f"request body too large (limit {limit} bytes)")
                return
        seen = 0
        started = False
        is_docs = scope.get("path", "") in _DOCS_PATHS

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                for key, value in _SECURITY_HEADERS:
                    if key not in present and not (is_docs and key == b"content-security-policy"):
                        headers.append((key, value))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge as exc:
            if started:
                raise
            await _send_json(send, 413, str(exc.detail))


async def _send_json(send: Send, status_code: int, detail: str) -> None:
    response = JSONResponse({"detail": detail}, status_code=status_code)
    body = response.body
    await send(
        {
            "type": "http.response.start",
            "status": status_code,
            "headers": [*response.raw_headers, *_SECURITY_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _default_coder_factory() -> Coder:
    from ..pipeline import build_pipeline

    pipeline = build_pipeline()

    def code(articles: list[Article]) -> list[Article]:
        return list(pipeline.pipe(articles))

    return code


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api") or path in ("/healthz", "/openapi.json"))


def _mount_offline_docs(app: FastAPI) -> None:
    """OpenAPI docs at ``/docs`` with Swagger UI from the ``swagger-ui-bundle`` package, so that
    the page works with no internet (FastAPI's default loads it from a CDN)."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html

    app.mount(
        "/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger"
    )

    @app.get("/docs", include_in_schema=False)
    async def _docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="eventwire API",
            swagger_js_url="/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )


def create_app(
    db_url: str | None = None,
    *,
    token: str | None = None,
    coder_factory: Callable[[], Coder] | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    board_config: BoardConfig | None = None,
) -> FastAPI:
    """Build the API and web explorer over the store at ``db_url``.

    Args:
        db_url: the database URL; default ``$EVENTWIRE_DB``, else the settings' ``store.url``.
            The store is opened (and migrated) here.
        token: the bearer token that ``POST /api/articles`` requires; default
            ``$EVENTWIRE_TOKEN``. Without one the endpoint answers 403.
        coder_factory: builds the coder used for submitted articles (default: the configured
            pipeline, built on the first submission).
        max_body_bytes: the largest request body accepted.
        board_config: themes and stance rules of the commitment board (default: packaged file).

    Returns:
        The FastAPI application (serve it with uvicorn).

    Raises:
        ConfigError: an invalid database URL.
        StoreError: the store cannot be opened or migrated.
    """
    url = db_url or os.environ.get(DB_ENV) or load_settings().store.url
    if token is None:
        token = os.environ.get(TOKEN_ENV) or None
    store = open_store(url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,  # served below from the installed swagger-ui-bundle: no CDN
        title="eventwire",
        version=_version(),
        summary="Political event data (PLOVER and CAMEO) coded from news articles.",
        description=(
            "Read coded articles, events, actors, quotes and the commitment board; submit "
            "articles for coding with a bearer token. See docs/api.md."
        ),
        openapi_tags=[
            {"name": "articles", "description": "Stored articles and their document objects"},
            {"name": "events", "description": "Coded events (filters as in `eventwire events`)"},
            {"name": "actors", "description": "Actor profiles"},
            {"name": "quotes", "description": "Attributed quotes"},
            {"name": "stance", "description": "The commitment board"},
            {"name": "health", "description": "Liveness"},
        ],
    )
    app.state.eventwire = AppState(
        store=store,
        token=token or None,
        board=board_config or load_board_config(),
        max_body_bytes=max_body_bytes,
        coder_factory=coder_factory or _default_coder_factory,
    )
    app.add_middleware(GuardMiddleware, max_body_bytes=max_body_bytes)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _mount_offline_docs(app)
    for module in (health, articles, events, actors, quotes, stance):
        app.include_router(module.router)
    app.include_router(web.router)

    @app.exception_handler(ConfigError)
    async def _config_error(request: Request, exc: ConfigError) -> Response:
        if _wants_html(request):
            return web.error_page(request, 400, exc.message)
        return JSONResponse({"detail": exc.message}, status_code=400)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> Response:
        LOGGER.error("store error on %s: %s", request.url.path, exc.message)
        detail = "the event store is unavailable"
        if _wants_html(request):
            return web.error_page(request, 503, detail)
        return JSONResponse({"detail": detail}, status_code=503)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request) and exc.status_code != 413:
            return web.error_page(request, exc.status_code, str(exc.detail))
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {
                "loc": [str(p) for p in err.get("loc", ())],
                "msg": str(err.get("msg", "invalid")),
                "type": str(err.get("type", "")),
            }
            for err in exc.errors()
        ]
        if _wants_html(request):
            text = "; ".join(f"{'.'.join(p['loc'][1:]) or 'request'}: {p['msg']}" for p in problems)
            return web.error_page(request, 422, text)
        return JSONResponse({"detail": problems}, status_code=422)

    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("eventwire")
    except PackageNotFoundError:
        return "0"
