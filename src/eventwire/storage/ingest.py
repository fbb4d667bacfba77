"""Idempotent, resumable ingest: read, code and store articles in batches.

Each batch is one transaction: its new articles with all their rows, its rejects, the near-duplicate
links and the recomputed event clusters commit together or not at all. Articles already stored are
skipped *before* coding (one existence query per batch), and rejects are deduplicated by
(source, position, reason), so re-running an ingest adds nothing and an ingest killed at any moment
and re-run ends in the same database as an uninterrupted run.

With ``workers > 1`` the coding runs in a pool of processes, each building the pipeline once; the
parent stays the single writer and writes batches in input order.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.pool import AsyncResult, Pool
from typing import Protocol

from sqlalchemy.orm import Session

from ..config import Settings
from ..errors import ConfigError
from ..model import Article, Reject
from .merge import NearDuplicateIndex, link_near_duplicates, minhash_signature, recluster
from .repo import Store, cluster_key, existing_ids, open_store, save_articles, save_rejects

LOGGER = logging.getLogger(__name__)

__all__ = [
    "BatchResult",
    "Coder",
    "CoderFactory",
    "IngestStats",
    "PipelineCoder",
    "ingest",
    "ingest_records",
    "pipeline_coder",
    "store_batch",
]


class Coder(Protocol):
    """Codes a batch of articles (returns them coded, same order)."""

    def __call__(self, articles: list[Article]) -> list[Article]: ...


#: Builds a coder from the settings; must be a module-level callable (it is sent to workers).
CoderFactory = Callable[[Settings], Coder]


def coding_settings(settings: Settings) -> Settings:
    """The settings an ingest codes with: a copy with the clean stage's near-duplicate index off.

    Near-duplicates are linked by the store's own MinHash index over everything stored (order-
    independent); the clean stage's per-process index would make flags depend on which worker saw
    which article first, and a Dask or pooled run would store other flags than a local one.
    """
    settings = settings.model_copy(deep=True)
    settings.clean.near_duplicates = False
    return settings


class PipelineCoder:
    """The default coder: the configured pipeline of stages (with :func:`coding_settings`)."""

    def __init__(self, settings: Settings) -> None:
        from ..pipeline import build_pipeline

        settings = coding_settings(settings)
        self.pipeline = build_pipeline(settings)
        self.batch_size = settings.nlp.batch_size

    def __call__(self, articles: list[Article]) -> list[Article]:
        return list(self.pipeline.pipe(articles, batch_size=self.batch_size))


def pipeline_coder(settings: Settings) -> Coder:
    """The default :data:`CoderFactory`."""
    return PipelineCoder(settings)


@dataclass
class IngestStats:
    """Counts of one ingest run."""

    read: int = 0
    coded: int = 0
    stored: int = 0
    skipped_existing: int = 0
    rejected: int = 0
    rejects_stored: int = 0
    events: int = 0
    quotes: int = 0
    links: int = 0
    batches: int = 0
    #: seconds spent coding in this process (0 when workers code), storing committed batches
    #: (the write transactions) and checking which articles are stored already
    code_seconds: float = 0.0
    write_seconds: float = 0.0
    check_seconds: float = 0.0
    started: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    @property
    def articles_per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "read": self.read,
            "coded": self.coded,
            "stored": self.stored,
            "skipped_existing": self.skipped_existing,
            "rejected": self.rejected,
            "rejects_stored": self.rejects_stored,
            "events": self.events,
            "quotes": self.quotes,
            "links": self.links,
            "batches": self.batches,
            "code_seconds": round(self.code_seconds, 3),
            "write_seconds": round(self.write_seconds, 3),
            "check_seconds": round(self.check_seconds, 3),
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Batch:
    number: int
    todo: list[Article]
    rejects: list[Reject]


# ---------------------------------------------------------------------------------------------
# Worker side (also used in-process when workers == 1)
# ---------------------------------------------------------------------------------------------

_WORKER_CODER: Coder | None = None
_WORKER_PERM = 64


def _init_worker(factory: CoderFactory, settings: Settings) -> None:
    global _WORKER_CODER, _WORKER_PERM
    _WORKER_CODER = factory(settings)
    _WORKER_PERM = settings.clean.minhash_perm


def _code(
    coder: Coder, articles: list[Article], num_perm: int
) -> tuple[list[Article], dict[str, bytes]]:
    coded = coder(articles)
    signatures: dict[str, bytes] = {}
    for article in coded:
        article.parse = None
        sig = minhash_signature(article, num_perm)
        if sig is not None:
            signatures[article.id] = sig
    return coded, signatures


def _code_in_worker(articles: list[Article]) -> tuple[list[Article], dict[str, bytes]]:
    if _WORKER_CODER is None:  # pragma: no cover - the pool initializer always runs first
        raise RuntimeError("worker not initialised")
    return _code(_WORKER_CODER, articles, _WORKER_PERM)


# ---------------------------------------------------------------------------------------------
# The parent: reading, the existence check, writing
# ---------------------------------------------------------------------------------------------


def _batches(
    records: Iterable[Article | Reject],
    store: Store,
    size: int,
    stats: IngestStats,
    in_flight: set[str],
) -> Iterator[_Batch]:
    number = 0
    articles: list[Article] = []
    rejects: list[Reject] = []

    def flush() -> _Batch:
        nonlocal number, articles, rejects
        start = time.perf_counter()
        with store.read() as session:
            stored = existing_ids(session, (a.id for a in articles))
        stats.check_seconds += time.perf_counter() - start
        todo: list[Article] = []
        for article in articles:
            if article.id in stored or article.id in in_flight:
                stats.skipped_existing += 1
                continue
            in_flight.add(article.id)
            todo.append(article)
        number += 1
        batch = _Batch(number, todo, rejects)
        articles, rejects = [], []
        return batch

    for record in records:
        if isinstance(record, Reject):
            stats.rejected += 1
            rejects.append(record)
            continue
        stats.read += 1
        articles.append(record)
        if len(articles) >= size:
            yield flush()
    if articles or rejects:
        yield flush()


@dataclass(frozen=True)
class BatchResult:
    """What :func:`store_batch` wrote."""

    new: list[Article]
    rejects_new: int
    links: int
    clusters: int


def store_batch(
    session: Session,
    articles: Sequence[Article],
    rejects: Sequence[Reject] = (),
    *,
    index: NearDuplicateIndex | None = None,
    signatures: dict[str, bytes] | None = None,
    num_perm: int = 64,
    now: datetime | None = None,
) -> BatchResult:
    """Store one batch inside the caller's transaction: new articles (existing ones skipped),
    rejects, near-duplicate links and the recomputed clusters of every group the batch touched.

    ``signatures`` (article id → MinHash bytes) are computed here when not given.
    """
    now = now or datetime.now(UTC)
    if signatures is None:
        signatures = {}
        for article in articles:
            sig = minhash_signature(article, num_perm)
            if sig is not None:
                signatures[article.id] = sig
    new = save_articles(session, articles, now=now, minhashes=signatures)
    rejects_new = save_rejects(session, rejects, now=now)
    links = link_near_duplicates(session, new, signatures, index)
    keys = {key for article in new for key in _cluster_keys(article) if key is not None}
    clusters = recluster(session, keys)
    return BatchResult(new, rejects_new, links, clusters)


def _write(
    store: Store,
    batch: _Batch,
    coded: list[Article],
    signatures: dict[str, bytes],
    index: NearDuplicateIndex,
    stats: IngestStats,
) -> None:
    start = time.perf_counter()
    try:
        with store.write() as session:
            result = store_batch(session, coded, batch.rejects, index=index, signatures=signatures)
    except BaseException:
        index.rollback()
        raise
    index.commit()
    stats.write_seconds += time.perf_counter() - start
    stats.coded += len(coded)
    stats.stored += len(result.new)
    stats.skipped_existing += len(coded) - len(result.new)
    stats.rejects_stored += result.rejects_new
    stats.events += sum(len(a.events) for a in result.new)
    stats.quotes += sum(len(a.quotes) for a in result.new)
    stats.links += result.links
    stats.batches += 1


def _cluster_keys(article: Article) -> list[str | None]:
    kb_of = {a.id: a.kb_id for a in article.actors}
    out: list[str | None] = []
    for ev in article.events:
        source_kb = kb_of.get(ev.source.actor) if ev.source.actor else None
        target_kb = kb_of.get(ev.target.actor) if ev.target and ev.target.actor else None
        out.append(cluster_key(ev, source_kb, target_kb))
    return out


def ingest_records(
    records: Iterable[Article | Reject],
    settings: Settings,
    *,
    store: Store | None = None,
    coder_factory: CoderFactory = pipeline_coder,
    workers: int = 1,
    batch_size: int | None = None,
    progress: Callable[[IngestStats], None] | None = None,
) -> IngestStats:
    """Code and store a stream of read records.

    Args:
        records: articles and rejects, as the readers yield them.
        settings: the settings (``store.url``, ``store.batch_size``, the pipeline, MinHash).
        store: an open store; by default ``settings.store.url`` is opened.
        coder_factory: builds the coder once per process (default: the configured pipeline).
        workers: processes that code in parallel (1: code in this process).
        batch_size: articles per batch and transaction (default ``settings.store.batch_size``).
        progress: called after every committed batch with the running counts.

    Returns:
        The counts of the run.
    """
    own_store = store is None
    store = store or open_store(settings.store.url)
    size = batch_size or settings.store.batch_size
    stats = IngestStats()
    index = NearDuplicateIndex(settings.clean.minhash_threshold, settings.clean.minhash_perm)
    with store.read() as session:
        index.load(session)
    in_flight: set[str] = set()
    try:
        if workers <= 1:
            coder = coder_factory(settings)
            for batch in _batches(records, store, size, stats, in_flight):
                start = time.perf_counter()
                coded, sigs = (
                    _code(coder, batch.todo, settings.clean.minhash_perm)
                    if batch.todo
                    else ([], {})
                )
                stats.code_seconds += time.perf_counter() - start
                _write(store, batch, coded, sigs, index, stats)
                in_flight.difference_update(a.id for a in batch.todo)
                if progress is not None:
                    progress(stats)
        else:
            _run_pool(
                records,
                settings,
                store,
                size,
                stats,
                index,
                in_flight,
                coder_factory,
                workers,
                progress,
            )
    finally:
        if own_store:
            store.close()
    return stats


def _run_pool(
    records: Iterable[Article | Reject],
    settings: Settings,
    store: Store,
    size: int,
    stats: IngestStats,
    index: NearDuplicateIndex,
    in_flight: set[str],
    coder_factory: CoderFactory,
    workers: int,
    progress: Callable[[IngestStats], None] | None,
) -> None:
    ctx = multiprocessing.get_context("spawn")
    pending: deque[tuple[_Batch, AsyncResult[tuple[list[Article], dict[str, bytes]]] | None]] = (
        deque()
    )
    pool: Pool | None = None

    def drain_one() -> None:
        batch, result = pending.popleft()
        coded, sigs = result.get() if result is not None else ([], {})
        _write(store, batch, coded, sigs, index, stats)
        in_flight.difference_update(a.id for a in batch.todo)
        if progress is not None:
            progress(stats)

    try:
        for batch in _batches(records, store, size, stats, in_flight):
            if batch.todo and pool is None:
                # started on the first batch with work, so that a re-run with nothing new is cheap
                pool = ctx.Pool(
                    workers, initializer=_init_worker, initargs=(coder_factory, settings)
                )
            result = (
                pool.apply_async(_code_in_worker, (batch.todo,)) if batch.todo and pool else None
            )
            pending.append((batch, result))
            while len(pending) >= 2 * workers:
                drain_one()
        while pending:
            drain_one()
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def ingest(
    inputs: Sequence[str],
    settings: Settings,
    *,
    store: Store | None = None,
    coder_factory: CoderFactory = pipeline_coder,
    workers: int = 1,
    batch_size: int | None = None,
    progress: Callable[[IngestStats], None] | None = None,
    scheduler: str | None = None,
) -> IngestStats:
    """Read ``inputs`` (paths, globs, directories, ``-``), code and store them.

    See :func:`ingest_records` for the arguments and guarantees. With ``scheduler``
    (``tcp://HOST:PORT``) the coding runs on that Dask cluster instead of locally and this process
    stays the single writer (see :mod:`eventwire.distributed`); ``workers`` must then be 1.
    """
    from ..readers import read

    if scheduler is not None:
        if workers > 1:
            raise ConfigError(
                "--workers and --scheduler exclude each other: the cluster's workers do the coding"
            )
        from ..distributed import ingest_dask

        return ingest_dask(
            inputs,
            settings,
            scheduler,
            store=store,
            coder_factory=None if coder_factory is pipeline_coder else coder_factory,
            batch_size=batch_size,
            progress=progress,
        )
    return ingest_records(
        read(list(inputs)),
        settings,
        store=store,
        coder_factory=coder_factory,
        workers=workers,
        batch_size=batch_size,
        progress=progress,
    )
