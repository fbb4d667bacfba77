"""``eventwire serve``: the HTTP API and the web explorer over a store.

Binds to 127.0.0.1 unless ``--host`` says otherwise. ``POST /api/articles`` is enabled only with a
token (``--token`` or ``EVENTWIRE_TOKEN``); the database comes from ``--db``, ``EVENTWIRE_DB`` or
the settings' ``store.url``.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

from ..errors import EventwireError

__all__ = ["register", "serve"]


def serve(
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (default: EVENTWIRE_DB, else settings store.url)."),
    ] = None,
    host: Annotated[
        str, typer.Option("--host", help="Interface to bind; 0.0.0.0 exposes the server.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Bearer token for POST /api/articles (default: EVENTWIRE_TOKEN; none: disabled).",
        ),
    ] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and the web explorer."""
    import uvicorn

    from ..api.main import TOKEN_ENV, create_app

    console = Console(stderr=True)
    token = token or os.environ.get(TOKEN_ENV) or None
    try:
        app = create_app(db, token=token)
    except EventwireError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]warning:[/yellow] listening on {host}: reachable from other hosts")
    writes = "enabled (bearer token)" if token else "disabled (no token)"
    console.print(
        f"[bold green]eventwire[/bold green] http://{host}:{port}/  · API docs /docs · writes {writes}"
    )
    uvicorn.run(app, host=host, port=port, log_level=log_level)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
