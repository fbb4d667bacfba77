"""Helpers shared by the sub-commands: settings from options, progress, summary, reject sink."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from ..config import Settings, load_settings
from ..errors import ConfigError
from ..model import Reject

__all__ = [
    "ErrorSink",
    "RunStats",
    "make_progress",
    "parse_set_options",
    "print_summary",
    "settings_from_options",
    "stderr_console",
    "track",
]

T = TypeVar("T")


def stderr_console() -> Console:
    return Console(stderr=True)


def parse_set_options(values: Sequence[str]) -> dict[str, str]:
    """``["nlp.batch_size=64"]`` → ``{"nlp.batch_size": "64"}``."""
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value
    return out


def settings_from_options(
    config: Path | None = None,
    set_: Sequence[str] = (),
    actors: Sequence[Path] = (),
    lexicon: Sequence[Path] = (),
    db: str | None = None,
) -> Settings:
    """Settings from the common command-line options (later sources override earlier ones)."""
    overrides = parse_set_options(set_)
    if db:
        overrides["store.url"] = db
    settings = load_settings(config, overrides)
    for path in [*actors, *lexicon]:
        if not Path(path).is_file():
            raise ConfigError(f"no such file: {path}")
    settings.actors_files.extend(str(p) for p in actors)
    settings.lexicon_files.extend(str(p) for p in lexicon)
    return settings


@dataclass
class RunStats:
    """Counts for the summary line at the end of a run."""

    read: int = 0
    coded: int = 0
    skipped: int = 0
    rejected: int = 0
    events: int = 0
    stored: int = 0

    def line(self) -> str:
        parts = [f"read {self.read}", f"coded {self.coded}", f"skipped {self.skipped}", f"rejected {self.rejected}"]
        if self.events:
            parts.append(f"events {self.events}")
        if self.stored:
            parts.append(f"stored {self.stored}")
        return ", ".join(parts)


def print_summary(stats: RunStats, console: Console | None = None) -> None:
    (console or stderr_console()).print(f"[bold]summary:[/bold] {stats.line()}", highlight=False)


def make_progress(quiet: bool = False, console: Console | None = None) -> Progress | None:
    """A progress bar on stderr, or None when quiet or stderr is not a terminal."""
    console = console or stderr_console()
    if quiet or not console.is_terminal:
        return None
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def track(items: Iterable[T], progress: Progress | None, description: str = "coding") -> Iterator[T]:
    """Advance ``progress`` (if any) for each item passing through."""
    if progress is None:
        yield from items
        return
    task = progress.add_task(description, total=None)
    for item in items:
        yield item
        progress.advance(task)


class ErrorSink(AbstractContextManager["ErrorSink"]):
    """Writes rejected records as JSON Lines to a file (or nowhere)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fh: IO[str] | None = None
        self.count = 0

    def __enter__(self) -> ErrorSink:
        if self.path is not None:
            self._fh = sys.stdout if str(self.path) == "-" else self.path.open("w", encoding="utf-8")
        return self

    def write(self, reject: Reject) -> None:
        self.count += 1
        if self._fh is not None:
            self._fh.write(json.dumps(reject.to_dict(), ensure_ascii=False) + "\n")
            self._fh.flush()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fh is not None and self._fh is not sys.stdout:
            self._fh.close()
