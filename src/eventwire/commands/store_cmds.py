"""``eventwire ingest``, ``eventwire events`` and ``eventwire export``: the event store commands.

The commands are thin: they parse options and call :func:`eventwire.storage.ingest.ingest`,
:func:`eventwire.storage.repo.query_events` and :func:`eventwire.storage.exports.export_events`.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ..errors import ConfigError, EventwireError
from .common import RunStats, make_progress, print_summary, settings_from_options

__all__ = ["events_cli", "export_cli", "ingest_cli", "register"]

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: settings store.url, env EVENTWIRE_DB)."),
]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="Settings file (TOML).")]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", help="Override a setting: KEY=VALUE (dotted key).")
]
ActorOpt = Annotated[
    str | None,
    typer.Option("--actor", help="Actor code prefix (GBR, GBRGOV, IGOUNO) or knowledge-base id."),
]
CountryOpt = Annotated[
    str | None, typer.Option("--country", help="ISO 3166 alpha-3 of source, target or location.")
]
TypeOpt = Annotated[str | None, typer.Option("--type", help="PLOVER event type, e.g. ASSAULT.")]
CameoOpt = Annotated[str | None, typer.Option("--cameo", help="CAMEO code prefix, e.g. 19 or 163.")]
ModalityOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--modality",
        help="asserted, intent, conditional, hypothetical, negated or question; repeatable.",
    ),
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="Events on or after DATE (YYYY-MM-DD).")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="Events on or before DATE (YYYY-MM-DD).")
]
TextOpt = Annotated[
    str | None, typer.Option("--text", help="Words that must all occur (trigger, actors, title).")
]

_MODALITIES = ("asserted", "intent", "conditional", "hypothetical", "negated", "question")


class EventsFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


class ExportFormatOpt(StrEnum):
    gdelt = "gdelt"
    plover = "plover"
    parquet = "parquet"
    csv = "csv"
    jsonl = "jsonl"


def _settings(db: str | None, config: Path | None = None, set_: list[str] | None = None) -> Any:
    try:
        return settings_from_options(config, set_ or [], (), (), db)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{option} expects YYYY-MM-DD, got {value!r}") from exc


def _filters(
    actor: str | None,
    country: str | None,
    plover_type: str | None,
    cameo: str | None,
    modality: list[str] | None,
    since: str | None,
    until: str | None,
    text: str | None,
) -> Any:
    from ..storage.repo import EventFilter

    modalities = tuple(m.strip().lower() for m in modality or [])
    unknown = [m for m in modalities if m not in _MODALITIES]
    if unknown:
        raise typer.BadParameter(
            f"unknown modality {', '.join(unknown)}; use {', '.join(_MODALITIES)}"
        )
    if cameo is not None and not cameo.isdigit():
        raise typer.BadParameter(f"--cameo expects digits, got {cameo!r}")
    return EventFilter(
        actor=actor,
        country=country,
        plover_type=plover_type,
        cameo=cameo,
        modalities=modalities,
        since=_day(since, "--since"),
        until=_day(until, "--until"),
        text=text,
    )


def ingest_cli(
    inputs: Annotated[list[str], typer.Argument(help="Files, directories, globs or - for stdin.")],
    db: DbOpt = None,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="Processes for NLP and coding.")
    ] = 1,
    batch_size: Annotated[
        int | None,
        typer.Option("--batch-size", min=1, help="Articles per transaction (store.batch_size)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    actors: Annotated[
        list[Path] | None, typer.Option("--actors", help="Extra actor KB file; repeatable.")
    ] = None,
    lexicon: Annotated[
        list[Path] | None, typer.Option("--lexicon", help="Extra pattern lexicon; repeatable.")
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            envvar="EVENTWIRE_DASK",
            help="Code on this Dask cluster (tcp://HOST:PORT); this process stays the only writer.",
        ),
    ] = None,
) -> None:
    """Read, code and store articles. Idempotent: stored articles are skipped before coding."""
    from ..storage.ingest import IngestStats, ingest

    try:
        settings = settings_from_options(config, set_ or [], actors or [], lexicon or [], db)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc
    err = Console(stderr=True)
    progress = make_progress(quiet, err)
    task = None
    if progress is not None:
        progress.start()
        task = progress.add_task("ingesting", total=None)

    def on_batch(stats: IngestStats) -> None:
        if progress is not None and task is not None:
            progress.update(task, completed=stats.read + stats.rejected)

    try:
        stats = ingest(
            inputs,
            settings,
            workers=workers,
            batch_size=batch_size,
            progress=on_batch,
            scheduler=scheduler or None,
        )
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc
    except EventwireError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        if progress is not None:
            progress.stop()
    print_summary(
        RunStats(
            read=stats.read,
            coded=stats.coded,
            skipped=stats.skipped_existing,
            rejected=stats.rejected,
            events=stats.events,
            stored=stats.stored,
        ),
        err,
    )
    err.print(
        f"skipped-existing {stats.skipped_existing}, rejects stored {stats.rejects_stored}, "
        f"near-duplicate links {stats.links}, {stats.articles_per_second:.1f} articles/s",
        highlight=False,
    )
    if stats.rejected:
        raise typer.Exit(1)


def events_cli(
    actor: ActorOpt = None,
    country: CountryOpt = None,
    plover_type: TypeOpt = None,
    cameo: CameoOpt = None,
    modality: ModalityOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    text: TextOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most events to show.")] = 50,
    fmt: Annotated[EventsFormat, typer.Option("--format", "-f")] = EventsFormat.table,
    db: DbOpt = None,
) -> None:
    """List stored events, newest first."""
    from ..storage.repo import open_store, query_events

    filters = _filters(actor, country, plover_type, cameo, modality, since, until, text)
    if not filters.modalities:
        # the default view, like the exports, leaves out hypothetical, negated and question events
        from ..storage.repo import EXPORT_MODALITIES

        filters = dataclasses.replace(filters, modalities=EXPORT_MODALITIES)
    settings = _settings(db)
    try:
        store = open_store(settings.store.url)
        with store.read() as session:
            records = query_events(session, filters, limit=limit)
        store.close()
    except EventwireError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if fmt is EventsFormat.jsonl:
        for record in records:
            sys.stdout.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
    elif fmt is EventsFormat.csv:
        rows = [record.flat() for record in records]
        writer = csv.writer(sys.stdout, lineterminator="\n")
        if rows:
            writer.writerow(list(rows[0]))
            for row in rows:
                writer.writerow(["" if v is None else v for v in row.values()])
    else:
        table = Table(title=f"{len(records)} events")
        for col in ("day", "source", "type", "cameo", "target", "modality", "trigger", "article"):
            table.add_column(col, overflow="ellipsis", no_wrap=col != "article")
        for r in records:
            c = r.columns
            table.add_row(
                r.day.isoformat() if r.day else "",
                c["source_code"] or c["source_text"],
                c["plover_type"],
                c["cameo_code"],
                (c["target_code"] or c["target_text"] or ""),
                c["modality"],
                c["trigger_text"],
                str(r.article.get("title") or r.article_id),
            )
        Console().print(table)


def export_cli(
    fmt: Annotated[ExportFormatOpt, typer.Option("--format", "-f", help="Export format.")],
    out: Annotated[str, typer.Option("--out", "-o", help="Output file (- for stdout).")],
    actor: ActorOpt = None,
    country: CountryOpt = None,
    plover_type: TypeOpt = None,
    cameo: CameoOpt = None,
    modality: ModalityOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    text: TextOpt = None,
    all_modalities: Annotated[
        bool,
        typer.Option("--all-modalities", help="Include hypothetical, negated and question events."),
    ] = False,
    db: DbOpt = None,
) -> None:
    """Export events as GDELT 2.0 TSV (one row per event cluster), PLOVER JSONL, Parquet, CSV
    or JSONL."""
    from ..storage.exports import export_events
    from ..storage.repo import open_store

    filters = _filters(actor, country, plover_type, cameo, modality, since, until, text)
    settings = _settings(db)
    err = Console(stderr=True)
    try:
        store = open_store(settings.store.url)
        with store.read() as session:
            count = export_events(session, fmt.value, out, filters, all_modalities=all_modalities)
        store.close()
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc
    except EventwireError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    unit = "clusters" if fmt is ExportFormatOpt.gdelt else "events"
    err.print(f"exported {count} {unit} as {fmt.value} to {out}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``ingest``, ``events`` and ``export`` to the ``eventwire`` app."""
    app.command("ingest")(ingest_cli)
    app.command("events")(events_cli)
    app.command("export")(export_cli)
