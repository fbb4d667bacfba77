"""Live monitoring: poll news feeds, sitemaps and pages on a schedule and store what is new.

A :class:`Watcher` runs *rounds*. Each round polls the sources that are due, with a conditional GET
(the ETag and Last-Modified of the last complete poll), so an unchanged feed costs one 304. Of the
pages a feed or sitemap lists, those already handled are skipped *before* fetching: a link whose
URL is stored (``articles.url``) or was handled in an earlier round, or a feed entry whose content
id is stored. The new pages are fetched (see :mod:`eventwire.readers.urls`), coded and stored
through :func:`eventwire.storage.ingest.ingest_records`, so the API and the web explorer, which
read the same database, see them at once. Failures are stored as rejects and the watch goes on.

**State** lives in the store's database, in two tables of this module (``watch_sources``: the
validators and last poll of each source URL; ``watch_links``: every linked page handled, with its
outcome). The store has no generic key-value table, so these tables are defined here on their own
SQLAlchemy metadata and created with ``create_all``; keeping them in the database (rather than in
a file beside it) makes the state follow the data to PostgreSQL, lets several hosts share it and
keeps it consistent with the articles it describes.

**Restarts lose and duplicate nothing.** A source's validators are saved only after every record
of its poll has been committed, so a source interrupted mid-way is fetched in full next time; its
pages already stored are then skipped by URL, and an article stored but not yet marked handled is
skipped by its content id inside the ingest. :meth:`Watcher.stop` (SIGINT/SIGTERM in
``eventwire watch``) ends the round after the page being fetched: the batch in progress is coded
and committed, and no further page is fetched.

**Alerts**: each :class:`AlertRule` is an :class:`~eventwire.storage.repo.EventFilter`; after a
round, every event of the articles stored in that round that matches a rule is handed to
``on_alert`` as JSON (``eventwire watch`` prints it or POSTs it to a webhook). Delivery is at most
once: an alert of a round interrupted between its commit and its alerts is not repeated.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shlex
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from .config import Settings
from .errors import ConfigError
from .fetch import Fetcher, FetchError, FetchSettings, is_url
from .model import Article, Reject
from .readers.urls import Link, SourceKind, discover, fetch_link_detailed
from .storage.ingest import Coder, IngestStats, ingest_records, pipeline_coder
from .storage.repo import EventFilter, Store, existing_ids, open_store, query_events
from .storage.tables import ArticleRow

__all__ = [
    "MODALITIES",
    "AlertRule",
    "RoundStats",
    "Source",
    "WatchState",
    "Watcher",
    "WebhookSink",
    "load_sources",
    "parse_alert",
    "parse_interval",
]

LOGGER = logging.getLogger(__name__)

MODALITIES = ("asserted", "intent", "conditional", "hypothetical", "negated", "question")

#: A linked page that failed transiently (5xx, timeout, network) is tried in this many rounds.
MAX_ATTEMPTS = 3
#: Sitemap indexes are followed this deep.
MAX_DEPTH = 3

# ---------------------------------------------------------------------------------------------
# Intervals and the sources file
# ---------------------------------------------------------------------------------------------

_INTERVAL_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smh]?)", re.IGNORECASE)
_UNIT = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_interval(value: str | float | int) -> float:
    """Seconds from ``"90"``, ``"30s"``, ``"15m"``, ``"2h"`` or ``"1h30m"`` (or a number).

    Raises:
        ConfigError: the value is not a positive interval.
    """
    if isinstance(value, bool):
        raise ConfigError(f"invalid interval {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip().replace(" ", "")
        pos, seconds = 0, 0.0
        while pos < len(text):
            match = _INTERVAL_PART.match(text, pos)
            if match is None or match.end() == pos:
                raise ConfigError(f"invalid interval {value!r}: use e.g. 30s, 15m, 2h or 1h30m")
            seconds += float(match.group(1)) * _UNIT[match.group(2).lower()]
            pos = match.end()
        if not text:
            raise ConfigError("empty interval")
    if seconds < 0:
        raise ConfigError(f"invalid interval {value!r}: must not be negative")
    return seconds


@dataclass(frozen=True)
class Source:
    """One watched URL.

    Attributes:
        url: the feed, sitemap or page.
        kind: ``feed``, ``sitemap``, ``page`` or ``auto`` (decided from the response).
        every: its polling interval in seconds (``None``: the watcher's).
        rate: the least seconds between requests to its host (``None``: the fetcher's).
    """

    url: str
    kind: SourceKind = "auto"
    every: float | None = None
    rate: float | None = None


class _SourceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    kind: Literal["auto", "feed", "sitemap", "page"] = "auto"
    every: str | float | None = None
    rate: str | float | None = None

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        value = value.strip()
        if not is_url(value):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value


def load_sources(path: str | Path) -> list[Source]:
    """Read a sources file: YAML or a plain list of URLs.

    YAML: a list (or ``{sources: [...]}``) whose items are URLs or mappings
    ``{url, kind: feed|sitemap|page (default auto), every: 15m, rate: 2s}``. Plain text: one URL a
    line; blank lines and ``#`` comments ignored. A URL listed twice is kept once (the first).

    Raises:
        ConfigError: the file cannot be read or an item is invalid (the message names the item).
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc}") from exc
    lines = [ln.strip() for ln in text.splitlines()]
    plain = [ln for ln in lines if ln and not ln.startswith("#")]
    items: list[Any]
    if plain and all(is_url(ln) and " " not in ln for ln in plain):
        items = plain
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
        if isinstance(data, dict) and "sources" in data:
            data = data["sources"]
        if data is None:
            data = []
        if not isinstance(data, list):
            raise ConfigError(f"{path}: expected a list of sources (or a 'sources:' list)")
        items = data
    sources: list[Source] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        raw = {"url": item} if isinstance(item, str) else item
        try:
            entry = _SourceEntry.model_validate(raw)
            every = parse_interval(entry.every) if entry.every is not None else None
            rate = parse_interval(entry.rate) if entry.rate is not None else None
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'item'}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"{path}: source {number}: {problems}") from exc
        except ConfigError as exc:
            raise ConfigError(f"{path}: source {number}: {exc.message}") from exc
        if every is not None and every <= 0:
            raise ConfigError(f"{path}: source {number}: 'every' must be positive")
        if entry.url in seen:
            continue
        seen.add(entry.url)
        sources.append(Source(url=entry.url, kind=entry.kind, every=every, rate=rate))
    if not sources:
        raise ConfigError(f"{path}: no sources")
    return sources


# ---------------------------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertRule:
    """An alert: the filter as written and the :class:`EventFilter` it means."""

    text: str
    filter: EventFilter


_ALERT_KEYS = {
    "type": "plover_type",
    "plover_type": "plover_type",
    "actor": "actor",
    "country": "country",
    "cameo": "cameo",
    "modality": "modalities",
    "text": "text",
    "since": "since",
    "until": "until",
}


def parse_alert(text: str) -> AlertRule:
    """Parse an alert filter. Two spellings, the same keys as ``eventwire events``:

    * ``type=ASSAULT,country=UKR`` (``modality=asserted|intent`` for alternatives);
    * ``--type ASSAULT --country UKR`` (``--modality`` repeatable).

    Keys: ``type``, ``actor``, ``country``, ``cameo``, ``modality``, ``text``, ``since``, ``until``.

    Raises:
        ConfigError: an unknown key, a key without value, a bad modality, CAMEO code or date.
    """
    pairs: list[tuple[str, str]] = []
    body = text.strip()
    if not body:
        raise ConfigError("empty alert filter")
    if body.startswith("--"):
        try:
            words = shlex.split(body)
        except ValueError as exc:
            raise ConfigError(f"alert {text!r}: {exc}") from exc
        i = 0
        while i < len(words):
            word = words[i]
            if not word.startswith("--"):
                raise ConfigError(f"alert {text!r}: expected an option, got {word!r}")
            key, eq, value = word[2:].partition("=")
            if not eq:
                if i + 1 >= len(words):
                    raise ConfigError(f"alert {text!r}: --{key} needs a value")
                value = words[i + 1]
                i += 1
            pairs.append((key, value))
            i += 1
    else:
        for part in body.split(","):
            key, eq, value = part.partition("=")
            if not eq:
                raise ConfigError(f"alert {text!r}: expected KEY=VALUE, got {part.strip()!r}")
            pairs.append((key.strip(), value.strip()))
    values: dict[str, Any] = {}
    modalities: list[str] = []
    for key, value in pairs:
        name = _ALERT_KEYS.get(key.strip().lower().replace("-", "_"))
        if name is None:
            known = ", ".join(sorted({k for k in _ALERT_KEYS if k != "plover_type"}))
            raise ConfigError(f"alert {text!r}: unknown key {key!r} (known: {known})")
        if not value:
            raise ConfigError(f"alert {text!r}: {key} needs a value")
        if name == "modalities":
            for m in value.split("|"):
                m = m.strip().lower()
                if m not in MODALITIES:
                    raise ConfigError(f"alert {text!r}: unknown modality {m!r}")
                modalities.append(m)
        elif name == "cameo" and not value.isdigit():
            raise ConfigError(f"alert {text!r}: cameo expects digits, got {value!r}")
        elif name in ("since", "until"):
            try:
                values[name] = date.fromisoformat(value)
            except ValueError as exc:
                raise ConfigError(f"alert {text!r}: {key} expects YYYY-MM-DD") from exc
        else:
            values[name] = value
    return AlertRule(text=text, filter=EventFilter(modalities=tuple(modalities), **values))


class WebhookSink:
    """POSTs alerts as JSON to a webhook URL (one request per event; failures logged, not fatal).

    Args:
        url: the ``http(s)://`` receiver.
        retries: extra attempts after a network error or 5xx.
        timeout: seconds per request.
        client: an ``httpx.Client`` to use (built here otherwise).
    """

    def __init__(
        self,
        url: str,
        *,
        retries: int = 2,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        if not is_url(url):
            raise ConfigError(f"webhook must be an http(s) URL, got {url!r}")
        from .fetch import user_agent

        self.url = url
        self.retries = retries
        self.delivered = 0
        self.failed = 0
        self._own = client is None
        self._client = client or httpx.Client(timeout=timeout, headers={"User-Agent": user_agent()})

    def __call__(self, payload: dict[str, Any]) -> None:
        for attempt in range(self.retries + 1):
            try:
                response = self._client.post(self.url, json=payload)
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 400:
                    self.delivered += 1
                    return
                problem = f"HTTP {response.status_code}"
                if response.status_code < 500:
                    break
            if attempt < self.retries:
                time.sleep(0.5 * 2**attempt)
        self.failed += 1
        LOGGER.warning("webhook %s: alert not delivered (%s)", self.url, problem)

    def close(self) -> None:
        if self._own:
            self._client.close()


# ---------------------------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------------------------

_METADATA = MetaData()

SOURCES_TABLE = Table(
    "watch_sources",
    _METADATA,
    Column("key", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_polled", DateTime(timezone=True)),
    Column("last_status", Text),
    Column("polls", Integer, nullable=False, default=0),
)

LINKS_TABLE = Table(
    "watch_links",
    _METADATA,
    Column("key", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("status", String(16), nullable=False),  # stored | rejected | retry
    Column("article_id", String(32)),
    Column("reason", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)


def _key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(frozen=True)
class LinkOutcome:
    """How one linked page went: stored, rejected for good, or worth another try."""

    url: str
    source: str
    status: Literal["stored", "rejected", "retry"]
    article_id: str | None = None
    reason: str | None = None


class WatchState:
    """The watch tables in the store's database (see the module docstring)."""

    def __init__(self, store: Store, *, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.store = store
        self.max_attempts = max_attempts
        _METADATA.create_all(store.engine, checkfirst=True)

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified of the last complete poll of ``url``."""
        with self.store.read() as session:
            row = session.execute(
                select(SOURCES_TABLE.c.etag, SOURCES_TABLE.c.last_modified).where(
                    SOURCES_TABLE.c.key == _key(url)
                )
            ).first()
        return (row[0], row[1]) if row is not None else (None, None)

    def save_polls(self, polls: dict[str, tuple[str | None, str | None, str]]) -> None:
        """Record complete polls: url → (etag, last_modified, status)."""
        if not polls:
            return
        now = datetime.now(UTC)
        with self.store.write() as session:
            for url, (etag, modified, status) in polls.items():
                key = _key(url)
                values = {"last_polled": now, "last_status": status}
                if status != "unchanged":
                    values.update(etag=etag, last_modified=modified)
                present = session.execute(
                    select(SOURCES_TABLE.c.polls).where(SOURCES_TABLE.c.key == key)
                ).first()
                if present is None:
                    session.execute(
                        insert(SOURCES_TABLE).values(
                            key=key,
                            url=url,
                            polls=1,
                            etag=etag,
                            last_modified=modified,
                            last_polled=now,
                            last_status=status,
                        )
                    )
                else:
                    session.execute(
                        update(SOURCES_TABLE)
                        .where(SOURCES_TABLE.c.key == key)
                        .values(polls=present[0] + 1, **values)
                    )

    def handled(self, links: Sequence[Link]) -> set[str]:
        """URLs among ``links`` not to fetch again: stored (by URL, or a feed entry's content id),
        rejected for good, or failed ``max_attempts`` times."""
        urls = list(dict.fromkeys(link.url for link in links))
        done: set[str] = set()
        with self.store.read() as session:
            by_key = {_key(u): u for u in urls}
            for chunk in _chunks(list(by_key)):
                rows = session.execute(
                    select(LINKS_TABLE.c.key, LINKS_TABLE.c.status, LINKS_TABLE.c.attempts).where(
                        LINKS_TABLE.c.key.in_(chunk)
                    )
                )
                for key, status, attempts in rows:
                    if status != "retry" or attempts >= self.max_attempts:
                        done.add(by_key[key])
            for chunk in _chunks(urls):
                done.update(
                    u
                    for u in session.scalars(
                        select(ArticleRow.url).where(ArticleRow.url.in_(chunk))
                    )
                    if u is not None
                )
            entry_ids = {link.entry.id: link.url for link in links if link.entry is not None}
            for stored in existing_ids(session, entry_ids):
                done.add(entry_ids[stored])
        return done

    def record_links(self, outcomes: Iterable[LinkOutcome]) -> None:
        """Record the outcome of fetched links (after their articles were committed)."""
        latest = {o.url: o for o in outcomes}
        if not latest:
            return
        now = datetime.now(UTC)
        with self.store.write() as session:
            for outcome in latest.values():
                key = _key(outcome.url)
                attempts = session.scalar(
                    select(LINKS_TABLE.c.attempts).where(LINKS_TABLE.c.key == key)
                )
                values = {
                    "status": outcome.status,
                    "article_id": outcome.article_id,
                    "reason": outcome.reason,
                    "last_seen": now,
                }
                if attempts is None:
                    session.execute(
                        insert(LINKS_TABLE).values(
                            key=key,
                            url=outcome.url,
                            source=outcome.source,
                            attempts=1,
                            first_seen=now,
                            **values,
                        )
                    )
                else:
                    session.execute(
                        update(LINKS_TABLE)
                        .where(LINKS_TABLE.c.key == key)
                        .values(attempts=attempts + 1, **values)
                    )

    def link_rows(self, session: Session) -> list[dict[str, Any]]:
        """Every handled link (for inspection and tests)."""
        return [dict(r._mapping) for r in session.execute(select(LINKS_TABLE))]


# ---------------------------------------------------------------------------------------------
# The watcher
# ---------------------------------------------------------------------------------------------


@dataclass
class RoundStats:
    """What one round did."""

    round: int
    polled: int = 0
    unchanged: int = 0
    known: int = 0
    fetched: int = 0
    new_articles: int = 0
    events: int = 0
    failures: int = 0
    alerts: int = 0
    stopped: bool = False
    seconds: float = 0.0

    def line(self) -> str:
        """The status line printed after the round."""
        text = (
            f"round {self.round}: {self.polled} polled ({self.unchanged} unchanged), "
            f"{self.fetched} pages fetched, {self.known} known skipped, "
            f"{self.new_articles} new articles, {self.events} events, "
            f"{self.failures} failures, {self.alerts} alerts in {self.seconds:.1f}s"
        )
        return text + (" (stopped)" if self.stopped else "")

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class _CapturingCoder:
    """Wraps the coder to learn which articles a round coded (for the alerts)."""

    def __init__(self, inner: Coder) -> None:
        self.inner = inner
        self.ids: list[str] = []

    def __call__(self, articles: list[Article]) -> list[Article]:
        coded = self.inner(articles)
        self.ids.extend(a.id for a in coded)
        return coded


@dataclass
class _Round:
    stats: RoundStats
    polls: dict[str, tuple[str | None, str | None, str]] = field(default_factory=dict)
    links: list[LinkOutcome] = field(default_factory=list)


class Watcher:
    """Polls sources in rounds and stores what is new (see the module docstring).

    Args:
        sources: the watched URLs.
        settings: the settings (``store.url``, the pipeline, ``store.batch_size``).
        every: the default polling interval in seconds.
        store: an open store (``settings.store.url`` is opened otherwise, and closed by
            :meth:`close`).
        fetcher: the HTTP fetcher (built from ``fetch_settings`` otherwise).
        fetch_settings: settings of the fetcher built here.
        alerts: alert rules.
        on_alert: receives each alert payload (an event record's JSON plus ``alerts``: the texts
            of the rules it matched).
        coder: codes a batch of articles (default: the configured pipeline, built once).
        batch_size: articles per transaction (default ``settings.store.batch_size``).
        max_attempts: rounds in which a transiently failing page is tried.
        clock: wall-clock seconds, for scheduling.
    """

    def __init__(
        self,
        sources: Sequence[Source],
        settings: Settings,
        *,
        every: float = 900.0,
        store: Store | None = None,
        fetcher: Fetcher | None = None,
        fetch_settings: FetchSettings | None = None,
        alerts: Sequence[AlertRule] = (),
        on_alert: Callable[[dict[str, Any]], None] | None = None,
        coder: Coder | None = None,
        batch_size: int | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if every <= 0:
            raise ConfigError("the polling interval must be positive")
        self.sources = list(sources)
        self.settings = settings
        self.every = every
        self._own_store = store is None
        self.store = store or open_store(settings.store.url)
        self._own_fetcher = fetcher is None
        self.fetcher = fetcher or Fetcher(fetch_settings)
        for source in self.sources:
            if source.rate is not None:
                self.fetcher.set_rate(source.url, source.rate)
        self.state = WatchState(self.store, max_attempts=max_attempts)
        self.alerts = list(alerts)
        self.on_alert = on_alert
        self._coder = coder
        self.batch_size = batch_size
        self._clock = clock
        self._next_due: dict[str, float] = {}
        self._stop = threading.Event()
        self.rounds = 0

    # -- control -----------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the watcher to stop after the current page and batch (thread- and signal-safe)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def close(self) -> None:
        """Close the fetcher and store this watcher opened."""
        if self._own_fetcher:
            self.fetcher.close()
        if self._own_store:
            self.store.close()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- scheduling --------------------------------------------------------------------------

    def due(self, now: float | None = None) -> list[Source]:
        """The sources whose interval has passed (all of them before the first round)."""
        now = self._clock() if now is None else now
        return [s for s in self.sources if self._next_due.get(s.url, now) <= now]

    def seconds_to_next(self, now: float | None = None) -> float:
        """Seconds until the next source is due (0 when one is due now)."""
        now = self._clock() if now is None else now
        nexts = [self._next_due.get(s.url, now) for s in self.sources]
        return max(0.0, min(nexts) - now) if nexts else self.every

    def run(
        self,
        *,
        max_rounds: int | None = None,
        on_round: Callable[[RoundStats], None] | None = None,
    ) -> list[RoundStats]:
        """Run rounds until :meth:`stop` or ``max_rounds``, sleeping until a source is due.

        Returns:
            The stats of every round run.
        """
        done: list[RoundStats] = []
        while not self.stopping and (max_rounds is None or len(done) < max_rounds):
            if done:
                self._stop.wait(self.seconds_to_next())
                if self.stopping:
                    break
            stats = self.run_round()
            done.append(stats)
            if on_round is not None:
                on_round(stats)
        return done

    def run_rounds(self, count: int) -> list[RoundStats]:
        """Run ``count`` rounds back to back, polling every source in each (no waiting); for
        tests and one-off catch-ups."""
        out = []
        for _ in range(count):
            if self.stopping:
                break
            out.append(self.run_round(due_only=False))
        return out

    # -- one round ---------------------------------------------------------------------------

    def _coder_factory(self, settings: Settings) -> Coder:
        if self._coder is None:
            self._coder = pipeline_coder(settings)
        return self._coder

    def run_round(self, *, due_only: bool = True) -> RoundStats:
        """Poll the due sources (every source when ``due_only`` is false) once, store the new
        articles and send the alerts."""
        started = time.monotonic()
        self.rounds += 1
        current = _Round(RoundStats(round=self.rounds))
        due = self.due() if due_only else list(self.sources)
        now = self._clock()
        for source in due:
            self._next_due[source.url] = now + (source.every or self.every)
        coder = _CapturingCoder(self._coder_factory(self.settings))
        ingest: IngestStats = ingest_records(
            self._records(due, current),
            self.settings,
            store=self.store,
            coder_factory=lambda _settings: coder,
            batch_size=self.batch_size,
        )
        # Everything yielded above is committed now: record what was handled.
        self.state.record_links(current.links)
        self.state.save_polls(current.polls)
        stats = current.stats
        stats.new_articles = ingest.stored
        stats.events = ingest.events
        stats.failures = ingest.rejected
        stats.stopped = self.stopping
        if self.alerts and coder.ids:
            stats.alerts = self._send_alerts(coder.ids)
        stats.seconds = time.monotonic() - started
        LOGGER.info("%s", stats.line())
        return stats

    def _records(self, due: Sequence[Source], current: _Round) -> Iterator[Article | Reject]:
        for source in due:
            if self.stopping:
                return
            complete = yield from self._poll(source.url, source.kind, source.url, current, 0)
            if not complete:
                return

    def _poll(
        self, url: str, kind: SourceKind, origin: str, current: _Round, depth: int
    ) -> Generator[Article | Reject, None, bool]:
        """Yield the new records of one source URL; return whether it was polled completely."""
        stats = current.stats
        etag, modified = self.state.validators(url)
        listing = discover(url, self.fetcher, kind=kind, etag=etag, last_modified=modified)
        stats.polled += 1
        if listing.error is not None:
            LOGGER.warning("%s: %s", url, listing.error.message)
            yield from listing.records
            return True
        if listing.not_modified:
            stats.unchanged += 1
            current.polls[url] = (etag, modified, "unchanged")
            return True
        yield from listing.records
        handled = self.state.handled(listing.links) if listing.links else set()
        for link in listing.links:
            if link.url in handled:
                stats.known += 1
                continue
            if self.stopping:
                return False
            handled.add(link.url)
            record, error = fetch_link_detailed(link, self.fetcher)
            stats.fetched += 1
            current.links.append(_outcome(link, origin, record, error))
            yield record
        for child in listing.children:
            if self.stopping:
                return False
            if depth + 1 >= MAX_DEPTH:
                yield Reject(source=child, reason=f"sitemap index nested deeper than {MAX_DEPTH}")
                continue
            complete = yield from self._poll(child, "sitemap", origin, current, depth + 1)
            if not complete:
                return False
        current.polls[url] = (listing.etag, listing.last_modified, listing.kind or "ok")
        return True

    def _send_alerts(self, article_ids: Sequence[str]) -> int:
        payloads: dict[tuple[str, str], dict[str, Any]] = {}
        with self.store.read() as session:
            for article_id in dict.fromkeys(article_ids):
                for rule in self.alerts:
                    flt = replace(rule.filter, article_id=article_id)
                    for record in query_events(session, flt, limit=None, order="date"):
                        key = (record.article_id, record.event_id)
                        payload = payloads.get(key)
                        if payload is None:
                            payload = payloads[key] = {**record.to_dict(), "alerts": []}
                        payload["alerts"].append(rule.text)
        for payload in payloads.values():
            if self.on_alert is not None:
                self.on_alert(payload)
            else:
                LOGGER.warning("alert: %s", json.dumps(payload, ensure_ascii=False))
        return len(payloads)


def _outcome(
    link: Link, origin: str, record: Article | Reject, error: FetchError | None
) -> LinkOutcome:
    if isinstance(record, Article):
        return LinkOutcome(link.url, origin, "stored", article_id=record.id)
    status: Literal["rejected", "retry"] = (
        "retry" if error is not None and error.transient else "rejected"
    )
    return LinkOutcome(link.url, origin, status, reason=record.reason)
