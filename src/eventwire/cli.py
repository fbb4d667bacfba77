"""The ``eventwire`` command line (Typer + rich).

Commands: ``code`` (here), ``ingest``/``events``/``export`` (store), ``serve`` (API and web
explorer), ``eval`` (gold-standard evaluation), ``watch`` (live monitoring) and ``demo``; each
lives in a module of :mod:`eventwire.commands` and is registered when that module is installed.

Exit codes: 0 when every record was read, 1 when some records were rejected, 2 for usage errors.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from .commands.common import (
    ErrorSink,
    RunStats,
    make_progress,
    print_summary,
    settings_from_options,
)
from .errors import ConfigError, EventwireError
from .model import Article, Reject

__all__ = ["app", "code", "main"]

LOGGER = logging.getLogger(__name__)

app = typer.Typer(
    name="eventwire",
    help="Turn news articles into structured, traceable political event data (PLOVER and CAMEO).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_COMMAND_MODULES = (
    "eventwire.commands.store_cmds",
    "eventwire.commands.serve_cmd",
    "eventwire.commands.eval_cmd",
    "eventwire.commands.watch_cmd",
    "eventwire.commands.demo_cmd",
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


ConfigOpt = Annotated[Path | None, typer.Option("--config", help="Settings file (TOML) overriding the defaults.")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="Override a setting: KEY=VALUE (dotted key).")]
ActorsOpt = Annotated[list[Path] | None, typer.Option("--actors", help="Extra actor KB file (YAML); repeatable.")]
LexiconOpt = Annotated[list[Path] | None, typer.Option("--lexicon", help="Extra pattern lexicon file (YAML); repeatable.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
ErrorsOpt = Annotated[Path | None, typer.Option("--errors", help="Write rejected records as JSON Lines to FILE.")]


def code(
    inputs: Sequence[str],
    *,
    settings: Any = None,
    on_article: Any = None,
    on_reject: Any = None,
) -> RunStats:
    """Read and code ``inputs``; call ``on_article(article)`` / ``on_reject(reject)`` per record."""
    from .pipeline import build_pipeline
    from .readers import read

    pipeline = build_pipeline(settings)
    stats = RunStats()
    for record in pipeline.pipe_records(read(inputs)):
        if isinstance(record, Reject):
            stats.rejected += 1
            if on_reject:
                on_reject(record)
            continue
        stats.read += 1
        if any(e.reason.startswith("skipped") for e in record.errors):
            stats.skipped += 1
        else:
            stats.coded += 1
        stats.events += len(record.events)
        if on_article:
            on_article(record)
    return stats


def _print_table(article: Article, console: Console) -> None:
    head = f"[bold]{article.title or '(no title)'}[/bold]\n"
    head += f"id {article.id}  source {article.source}"
    if article.published:
        head += f"  published {article.published.isoformat()}"
    if article.language:
        head += f"  language {article.language}"
    if article.flags:
        head += "\nflags: " + ", ".join(
            f.name + (f" ({f.detail})" if f.detail else "") for f in article.flags
        )
    console.print(Panel(head, expand=True))
    if article.actors:
        table = Table(title="Actors", show_lines=False)
        for col in ("id", "name", "country", "org", "sector", "role", "resolved", "mentions"):
            table.add_column(col)
        for a in article.actors:
            table.add_row(
                a.id, a.name, a.country or "", a.org or "", a.sector or "", a.role or "",
                "yes" if a.resolved else "no", str(len(a.mentions)),
            )
        console.print(table)
    if article.events:
        table = Table(title="Events")
        for col in ("id", "source", "type", "cameo", "target", "modality", "date", "trigger"):
            table.add_column(col)
        for e in article.events:
            src = e.source.country or e.source.org or e.source.text
            tgt = (e.target.country or e.target.org or e.target.text) if e.target else ""
            table.add_row(
                e.id, src, e.plover.type, e.cameo.code, tgt, e.modality, e.date or "", e.trigger.text
            )
        console.print(table)
    if article.quotes:
        table = Table(title="Quotes")
        table.add_column("speaker")
        table.add_column("quote")
        for q in article.quotes:
            who = q.speaker.name or q.speaker.text if q.speaker else "?"
            table.add_row(who or "?", (q.text[:117] + "...") if len(q.text) > 120 else q.text)
        console.print(table)
    for err in article.errors:
        console.print(f"[yellow]{err.stage}:[/yellow] {err.reason}")


@app.command("code")
def code_cli(
    inputs: Annotated[list[str], typer.Argument(help="Files, directories, globs, URLs or - for stdin.")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    errors: ErrorsOpt = None,
    quiet: QuietOpt = False,
    actors: ActorsOpt = None,
    lexicon: LexiconOpt = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Code articles and print one document object per article."""
    try:
        settings = settings_from_options(config, set_ or [], actors or [], lexicon or [])
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc
    out = Console(soft_wrap=False) if fmt is OutputFormat.table else None
    err_console = Console(stderr=True)
    buffered: list[dict[str, Any]] = []
    progress = make_progress(quiet, err_console)

    with ErrorSink(errors) as sink:

        def on_article(article: Article) -> None:
            if progress is not None:
                progress.advance(task)
            if fmt is OutputFormat.jsonl:
                sys.stdout.write(json.dumps(article.to_document(), ensure_ascii=False) + "\n")
                sys.stdout.flush()
            elif fmt is OutputFormat.json:
                buffered.append(article.to_document())
            else:
                assert out is not None
                _print_table(article, out)

        def on_reject(reject: Reject) -> None:
            sink.write(reject)
            err_console.print(
                f"[red]rejected[/red] {reject.source}"
                + (f" #{reject.position}" if reject.position is not None else "")
                + f": {reject.reason}",
                highlight=False,
            )

        if progress is not None:
            progress.start()
            task = progress.add_task("coding", total=None)
        try:
            stats = code(inputs, settings=settings, on_article=on_article, on_reject=on_reject)
        except EventwireError as exc:
            err_console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
        finally:
            if progress is not None:
                progress.stop()
    if fmt is OutputFormat.json:
        payload: Any = buffered[0] if len(buffered) == 1 else buffered
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    print_summary(stats, err_console)
    if stats.rejected:
        raise typer.Exit(1)


def _register_commands() -> None:
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(app)


_register_commands()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``eventwire`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app(args=list(argv) if argv is not None else None, prog_name="eventwire")
