"""``eventwire watch``: poll news feeds, sitemaps and pages on a schedule (see :mod:`eventwire.watch`).

The command is thin: it parses options into a :class:`~eventwire.watch.Watcher`, installs the
SIGINT/SIGTERM handlers (the first signal finishes the current batch and stops; a second one
interrupts at once), prints one status line per round on stderr and each alert as one JSON line
on stdout (or POSTs it with ``--webhook``).
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer
from rich.console import Console

from ..errors import ConfigError, EventwireError
from .common import settings_from_options

__all__ = ["register", "watch_cli"]


def watch_cli(
    sources_file: Annotated[
        Path,
        typer.Argument(help="Sources: YAML list of {url, kind, every, rate} or one URL a line."),
    ],
    every: Annotated[
        str, typer.Option("--every", help="Polling interval: 30s, 15m, 2h (sources may override).")
    ] = "15m",
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (default: settings store.url, env EVENTWIRE_DB)."),
    ] = None,
    alert: Annotated[
        list[str] | None,
        typer.Option(
            "--alert",
            help="Alert filter, e.g. 'type=ASSAULT,country=UKR' or '--type ASSAULT'; repeatable.",
        ),
    ] = None,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="POST each alert as JSON to this URL.")
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="Run one round and exit.")] = False,
    max_rounds: Annotated[
        int | None, typer.Option("--max-rounds", min=1, help="Stop after N rounds.")
    ] = None,
    rate: Annotated[
        str, typer.Option("--rate", help="Least time between requests to one host (e.g. 1s).")
    ] = "1s",
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds per HTTP request.")
    ] = 20.0,
    retries: Annotated[
        int, typer.Option("--retries", min=0, help="Retries after a 5xx or network error.")
    ] = 3,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", min=1024, help="Largest response accepted, in bytes.")
    ] = 10_000_000,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", min=1, help="Articles per transaction.")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Settings file (TOML).")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a setting: KEY=VALUE (dotted key).")
    ] = None,
) -> None:
    """Watch feeds, sitemaps and pages: store new articles as they appear, alert on events."""
    from ..fetch import FetchSettings
    from ..watch import RoundStats, Watcher, WebhookSink, load_sources, parse_alert, parse_interval

    err = Console(stderr=True)
    try:
        settings = settings_from_options(config, set_ or [], (), (), db)
        sources = load_sources(sources_file)
        interval = parse_interval(every)
        if interval <= 0:
            raise ConfigError("--every must be positive")
        rules = [parse_alert(text) for text in alert or []]
        fetch_settings = FetchSettings(
            timeout=timeout,
            deadline=max(timeout * 3, 30.0),
            retries=retries,
            rate=parse_interval(rate),
            max_bytes=max_bytes,
        )
        sink = WebhookSink(webhook) if webhook else None
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc

    def print_alert(payload: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    try:
        watcher = Watcher(
            sources,
            settings,
            every=interval,
            fetch_settings=fetch_settings,
            alerts=rules,
            on_alert=sink if sink is not None else print_alert,
            batch_size=batch_size,
        )
    except EventwireError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if watcher.stopping:
            raise KeyboardInterrupt
        err.print(
            f"{signal.Signals(signum).name}: stopping after the current batch", highlight=False
        )
        watcher.stop()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}

    def on_round(stats: RoundStats) -> None:
        err.print(stats.line(), highlight=False)

    err.print(
        f"watching {len(sources)} sources every {every} (database {watcher.store!r})",
        highlight=False,
    )
    try:
        watcher.run(max_rounds=1 if once else max_rounds, on_round=on_round)
    except EventwireError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    except KeyboardInterrupt as exc:
        err.print("interrupted", highlight=False)
        raise typer.Exit(130) from exc
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        watcher.close()
        if sink is not None:
            sink.close()
    err.print(f"stopped after {watcher.rounds} rounds", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``watch`` to the ``eventwire`` app."""
    app.command("watch")(watch_cli)
