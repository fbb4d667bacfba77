"""``eventwire demo``: the main job on the embedded default.

Codes the bundled example articles (``examples/``), stores them in the default SQLite database
``eventwire.db`` when the store is installed, and starts the web explorer when it is installed
(``--no-serve`` to skip). Without those parts it prints the coded articles.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

__all__ = ["register"]


def _examples_dir() -> Path:
    here = Path.cwd() / "examples"
    if here.is_dir():
        return here
    repo = Path(__file__).resolve().parents[3] / "examples"
    if repo.is_dir():
        return repo
    raise typer.BadParameter("no examples/ directory found; run from the eventwire repository")


def demo(
    path: Annotated[Path | None, typer.Argument(help="Articles to use instead of examples/.")] = None,
    db: Annotated[str, typer.Option("--db", help="Database URL.")] = "sqlite:///eventwire.db",
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the web explorer.")] = True,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """Code the bundled examples, store them and (when available) serve the web explorer."""
    from ..cli import code_cli

    source = str(path or _examples_dir())
    console = Console()
    has_store = importlib.util.find_spec("eventwire.storage.ingest") is not None
    has_web = importlib.util.find_spec("eventwire.api.main") is not None
    if not has_store:
        console.print(f"[bold]eventwire demo[/bold]: coding {source}")
        try:
            code_cli([source], quiet=True)
        except typer.Exit as exc:
            if exc.exit_code not in (0, 1):
                raise
        return
    from ..commands.common import settings_from_options
    from ..storage.ingest import ingest

    settings = settings_from_options(db=db)
    console.print(f"[bold]eventwire demo[/bold]: ingesting {source} into {db}")
    stats = ingest([source], settings)
    console.print(f"ingest: {stats}")
    if serve and has_web:
        import uvicorn

        from ..api.main import create_app

        console.print(f"[bold green]web explorer:[/bold green] http://{host}:{port}/  (Ctrl-C to stop)")
        uvicorn.run(create_app(db), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
