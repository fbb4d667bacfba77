"""Ingest on a Dask cluster: NLP and coding on the workers, one writer (the client).

>>> from eventwire.distributed import ingest_dask
>>> stats = ingest_dask(["news/"], settings, "tcp://10.0.0.5:8786")   # doctest: +SKIP

How the work is cut
    The client reads the input stream (files are read where the client runs, so inputs need not be
    visible to the workers) and cuts it into batches of ``store.batch_size`` articles — the same
    batches, and the same "already stored?" check before coding, as the single-process
    :func:`~eventwire.storage.ingest.ingest`. Batches of read articles, rather than whole input
    files, are the unit of work because the corpora come as a few large JSON Lines files: file
    partitions would give one task per file, uneven and unbounded in size.

Which stages run where
    The leading stages that may hold run state (the clean stage) run on the client; they are
    cheap. They run with the settings of a local ingest (``coding_settings``: the clean stage's
    own near-duplicate index off, as the store's index links near-duplicates), so their flags
    are those of a local run. Everything after them —
    spaCy, actors, events, quotes, places, tone, and the MinHash signature the store needs — runs
    on the workers. Each worker process builds its pipeline, spaCy model included, once and keeps
    it in a module-level cache keyed by a digest of the settings, so every later task reuses it.

Writing
    Results come back through :class:`distributed.as_completed` into a reorder buffer and are
    written by the client, batch after batch in input order, one transaction each, with the same
    :func:`~eventwire.storage.ingest.store_batch` as a local run. So the database ends up with the
    same rows as a single-process run, and it stays resumable and idempotent. At most ``window``
    batches are submitted or waiting to be written at any time, which bounds the memory of the
    client and of the cluster whatever the input size. The database URL never leaves the client.

Failures
    Every task is submitted with ``retries`` (an exception is retried that often); a worker that
    dies mid-task is handled by the scheduler, which reschedules the task until it has killed
    ``distributed.scheduler.allowed-failures`` workers (set it to 1 on the scheduler for "crashes
    a worker twice"). A batch that still fails is split and its articles are submitted one by one;
    an article that fails on its own is stored as a :class:`~eventwire.model.Reject` (stage
    ``code``) with the error, instead of being retried forever, and the rest of the batch is
    stored normally.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import ConfigError, StageError
from .model import Article, Reject
from .storage.ingest import Coder, CoderFactory, IngestStats, coding_settings, store_batch
from .storage.merge import NearDuplicateIndex, minhash_signature
from .storage.repo import Store, existing_ids, open_store

if TYPE_CHECKING:
    from distributed import Client

    from .pipeline import Pipeline

LOGGER = logging.getLogger(__name__)

__all__ = [
    "ENV_SCHEDULER",
    "RUN_STATEFUL_STAGES",
    "WorkerSpec",
    "code_on_worker",
    "connect",
    "ingest_dask",
    "ingest_records_dask",
    "scheduler_from_env",
    "split_stages",
]

#: The environment variable that names the scheduler when ``--scheduler`` is not given.
ENV_SCHEDULER = "EVENTWIRE_DASK"
#: Stage families that keep state across a whole run and so run on the client, in input order.
RUN_STATEFUL_STAGES: tuple[str, ...] = ("eventwire.clean.",)
#: Stage name recorded on the reject of an article that could not be coded on the cluster.
REJECT_STAGE = "code"

#: A ``distributed.Future`` (``distributed`` is only partly typed, so futures are handled as Any).
_Future = Any


def _dist() -> Any:
    """The ``distributed`` module, imported on first use (it is slow to import)."""
    import distributed

    return distributed


def scheduler_from_env(env: Mapping[str, str] | None = None) -> str | None:
    """The scheduler address in ``EVENTWIRE_DASK``, or None when unset or empty."""
    value = (os.environ if env is None else env).get(ENV_SCHEDULER, "").strip()
    return value or None


def connect(address: str, *, timeout: float | None = None) -> Client:
    """Connect to a running Dask scheduler (``tcp://HOST:PORT``).

    Args:
        address: the scheduler's address.
        timeout: seconds to keep trying; None uses Dask's ``distributed.comm.timeouts.connect``
            (30 s unless configured, e.g. ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s``).

    Raises:
        ConfigError: the address is malformed or no scheduler answers in time.
    """
    if "://" not in address and ":" not in address:
        raise ConfigError(f"Dask scheduler address {address!r} is not of the form tcp://HOST:PORT")
    kwargs: dict[str, Any] = {"set_as_default": False}
    if timeout is not None:
        kwargs["timeout"] = timeout
    try:
        client: Client = _dist().Client(address, **kwargs)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    return client


def split_stages(stages: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split configured stage names into (client stages, worker stages): the leading
    :data:`RUN_STATEFUL_STAGES` stay on the client, the rest go to the workers."""
    k = 0
    while k < len(stages) and stages[k].startswith(RUN_STATEFUL_STAGES):
        k += 1
    return list(stages[:k]), list(stages[k:])


# ---------------------------------------------------------------------------------------------
# Worker side
# ---------------------------------------------------------------------------------------------


class _StagesCoder:
    """The configured pipeline without the client's stages."""

    def __init__(self, settings: Settings, stages: Sequence[str]) -> None:
        from .pipeline import build_pipeline

        self.pipeline = build_pipeline(settings, stages=list(stages))
        self.batch_size = settings.nlp.batch_size

    def __call__(self, articles: list[Article]) -> list[Article]:
        return list(self.pipeline.pipe(articles, batch_size=self.batch_size))


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to build its coder: sent with every task (about 1 kB).

    ``settings`` carry no database URL (it is replaced before sending). ``factory`` is a
    module-level :data:`~eventwire.storage.ingest.CoderFactory` importable on the workers, or
    None for the configured pipeline minus the client's stages (``stages``).
    """

    settings: Settings
    stages: tuple[str, ...]
    factory: CoderFactory | None = None
    key: str = field(default="", compare=False)

    @classmethod
    def create(
        cls, settings: Settings, stages: Sequence[str], factory: CoderFactory | None = None
    ) -> WorkerSpec:
        # Workers never see the store; a nested process pool is impossible inside a worker.
        safe = settings.model_copy(
            update={
                "store": settings.store.model_copy(update={"url": ""}),
                "nlp": settings.nlp.model_copy(update={"n_process": 1}),
            }
        )
        name = "" if factory is None else f"{factory.__module__}.{factory.__qualname__}"
        blob = "\n".join([safe.model_dump_json(), name, *stages])
        key = hashlib.sha256(blob.encode("utf-8")).hexdigest()
        return cls(settings=safe, stages=tuple(stages), factory=factory, key=key)

    def build(self) -> Coder:
        if self.factory is not None:
            return self.factory(self.settings)
        return _StagesCoder(self.settings, self.stages)


# One coder per settings digest and worker process, built by the first task that needs it.
_CODERS: dict[str, tuple[threading.Lock, Coder]] = {}
_CODERS_LOCK = threading.Lock()


def _coder_for(spec: WorkerSpec) -> tuple[threading.Lock, Coder]:
    with _CODERS_LOCK:
        entry = _CODERS.get(spec.key)
        if entry is None:
            LOGGER.info("building the eventwire coder in worker process %d", os.getpid())
            entry = (threading.Lock(), spec.build())
            _CODERS[spec.key] = entry
        return entry


def code_on_worker(
    articles: list[Article], spec: WorkerSpec
) -> tuple[list[Article], dict[str, bytes]]:
    """The task: code ``articles`` with the worker's cached coder and compute their MinHash
    signatures. Returns the coded articles (same order, parse dropped) and id → signature."""
    lock, coder = _coder_for(spec)
    # Stages are not thread-safe; a worker with several threads codes one batch at a time
    # (run workers with --nthreads 1 and use processes for parallelism).
    with lock:
        coded = coder(articles)
    num_perm = spec.settings.clean.minhash_perm
    signatures: dict[str, bytes] = {}
    for article in coded:
        article.parse = None
        sig = minhash_signature(article, num_perm)
        if sig is not None:
            signatures[article.id] = sig
    return coded, signatures


# ---------------------------------------------------------------------------------------------
# Client side
# ---------------------------------------------------------------------------------------------


class _TaskFailed(Exception):
    """A task raised (or killed its workers) even after Dask's retries."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class _Batch:
    number: int
    todo: list[Article]
    rejects: list[Reject]
    future: _Future | None = None
    coded: list[Article] | None = None
    signatures: dict[str, bytes] = field(default_factory=dict)


class _DaskIngest:
    """One run: read → check → client stages → submit → reorder → write."""

    def __init__(
        self,
        client: Any,
        store: Store,
        settings: Settings,
        spec: WorkerSpec,
        client_stages: list[str],
        size: int,
        window: int,
        retries: int,
        progress: Callable[[IngestStats], None] | None,
    ) -> None:
        self.client = client
        self.store = store
        self.settings = settings
        self.spec = spec
        self.size = size
        self.window = window
        self.retries = retries
        self.progress = progress
        self.stats = IngestStats()
        self.index = NearDuplicateIndex(
            settings.clean.minhash_threshold, settings.clean.minhash_perm
        )
        self.in_flight: set[str] = set()
        self.pending: dict[int, _Batch] = {}
        self.by_key: dict[str, _Batch] = {}
        self.next_write = 1
        self.client_pipeline: Pipeline | None = None
        if client_stages:
            from .pipeline import Pipeline, build_pipeline

            # Build the whole configured pipeline (checks the stage order, loads nothing yet)
            # and keep the client's part of it, with the settings a local ingest codes with.
            client_settings = coding_settings(settings)
            full = build_pipeline(client_settings)
            self.client_pipeline = Pipeline(
                stages=full.stages[: len(client_stages)], settings=client_settings
            )

    # -- reading -----------------------------------------------------------------------------

    def batches(self, records: Iterable[Article | Reject]) -> Iterator[_Batch]:
        number = 0
        articles: list[Article] = []
        rejects: list[Reject] = []
        for record in records:
            if isinstance(record, Reject):
                self.stats.rejected += 1
                rejects.append(record)
                continue
            self.stats.read += 1
            articles.append(record)
            if len(articles) >= self.size:
                number += 1
                yield self._checked(number, articles, rejects)
                articles, rejects = [], []
        if articles or rejects:
            number += 1
            yield self._checked(number, articles, rejects)

    def _checked(self, number: int, articles: list[Article], rejects: list[Reject]) -> _Batch:
        with self.store.read() as session:
            stored = existing_ids(session, (a.id for a in articles))
        todo: list[Article] = []
        for article in articles:
            if article.id in stored or article.id in self.in_flight:
                self.stats.skipped_existing += 1
                continue
            self.in_flight.add(article.id)
            todo.append(article)
        if todo and self.client_pipeline is not None:
            todo = list(self.client_pipeline.pipe(todo, batch_size=len(todo)))
        return _Batch(number, todo, rejects)

    # -- submitting and collecting -----------------------------------------------------------

    def _submit(self, articles: list[Article], key: str) -> _Future:
        return self.client.submit(
            code_on_worker, articles, self.spec, key=key, pure=False, retries=self.retries
        )

    def run(self, records: Iterable[Article | Reject]) -> IngestStats:
        with self.store.read() as session:
            self.index.load(session)
        completed = _dist().as_completed(loop=self.client.loop)
        token = os.urandom(6).hex()
        for batch in self.batches(records):
            self.pending[batch.number] = batch
            if batch.todo:
                batch.future = self._submit(batch.todo, f"eventwire-code-{token}-{batch.number}")
                self.by_key[batch.future.key] = batch
                completed.add(batch.future)
            else:
                batch.coded = []
            self._write_ready()
            while len(self.pending) >= self.window:
                self._collect(next(completed))
                self._write_ready()
        while self.pending:
            if self.next_write not in self.pending:  # pragma: no cover - defensive
                raise StageError(f"batch {self.next_write} was lost on the cluster")
            head = self.pending[self.next_write]
            if head.coded is None:
                self._collect(next(completed))
            self._write_ready()
        return self.stats

    def _collect(self, future: _Future) -> None:
        batch = self.by_key.pop(future.key)
        try:
            batch.coded, batch.signatures = self._result(future, f"batch {batch.number}")
        except _TaskFailed as failed:
            self._split(batch, failed.error)
        future.release()
        batch.future = None

    @staticmethod
    def _result(future: _Future, what: str) -> tuple[list[Article], dict[str, bytes]]:
        """The task's result; a result lost with a dying worker is recomputed by the scheduler
        and waited for. Task errors become :class:`_TaskFailed`, cancellation a StageError."""
        try:
            result: tuple[list[Article], dict[str, bytes]] = future.result()
        except CancelledError as exc:
            raise StageError(
                f"coding {what} on the cluster was cancelled (lost connection to the scheduler?)"
            ) from exc
        except Exception as exc:
            raise _TaskFailed(exc) from exc
        return result

    def _split(self, batch: _Batch, error: BaseException) -> None:
        """Code a failed batch article by article; articles that fail alone become rejects."""
        LOGGER.warning(
            "batch %d (%d articles) failed on the cluster (%s: %s); retrying its articles one by one",
            batch.number,
            len(batch.todo),
            type(error).__name__,
            error,
        )
        from distributed.scheduler import KilledWorker  # a cluster is running: installed

        token = os.urandom(6).hex()
        singles = [
            self._submit([article], f"eventwire-code-{token}-{batch.number}-{i}")
            for i, article in enumerate(batch.todo)
        ]
        outcomes: list[tuple[list[Article], dict[str, bytes]] | _TaskFailed] = []
        for article, single in zip(batch.todo, singles, strict=True):
            try:
                outcomes.append(self._result(single, f"article {article.id}"))
            except _TaskFailed as failed:
                outcomes.append(failed)
            single.release()
        coded: list[Article] = []
        for n, (article, outcome) in enumerate(zip(batch.todo, outcomes, strict=True)):
            if isinstance(outcome, _TaskFailed) and isinstance(outcome.error, KilledWorker):
                # A worker killed by another article takes the innocent tasks it held with it, and
                # the scheduler counts that death against them too. Now that every single of this
                # batch has ended, retry such an article alone before calling it the culprit.
                alone = self._submit([article], f"eventwire-code-{token}-{batch.number}-{n}-alone")
                try:
                    outcome = self._result(alone, f"article {article.id}")
                except _TaskFailed as failed:
                    outcome = failed
                alone.release()
            if isinstance(outcome, _TaskFailed):
                exc = outcome.error
                reason = f"coding failed on the cluster: {type(exc).__name__}: {exc}"
                LOGGER.error("article %s (%s): %s", article.id, article.source, reason)
                batch.rejects.append(
                    Reject(
                        source=article.source,
                        position=article.position,
                        reason=reason[:500],
                        stage=REJECT_STAGE,
                        article_id=article.id,
                    )
                )
                self.stats.rejected += 1
            else:
                done, sigs = outcome
                coded.extend(done)
                batch.signatures.update(sigs)
        batch.coded = coded

    # -- writing -----------------------------------------------------------------------------

    def _write_ready(self) -> None:
        while True:
            batch = self.pending.get(self.next_write)
            if batch is None or batch.coded is None:
                return
            self._write(batch, batch.coded)
            del self.pending[self.next_write]
            self.next_write += 1

    def _write(self, batch: _Batch, coded: list[Article]) -> None:
        try:
            with self.store.write() as session:
                result = store_batch(
                    session,
                    coded,
                    batch.rejects,
                    index=self.index,
                    signatures=batch.signatures,
                    num_perm=self.settings.clean.minhash_perm,
                )
        except BaseException:
            self.index.rollback()
            raise
        self.index.commit()
        stats = self.stats
        stats.coded += len(coded)
        stats.stored += len(result.new)
        stats.skipped_existing += len(coded) - len(result.new)
        stats.rejects_stored += result.rejects_new
        stats.events += sum(len(a.events) for a in result.new)
        stats.quotes += sum(len(a.quotes) for a in result.new)
        stats.links += result.links
        stats.batches += 1
        self.in_flight.difference_update(a.id for a in batch.todo)
        if self.progress is not None:
            self.progress(stats)


def ingest_records_dask(
    records: Iterable[Article | Reject],
    settings: Settings,
    scheduler: str | Client,
    *,
    store: Store | None = None,
    coder_factory: CoderFactory | None = None,
    batch_size: int | None = None,
    window: int | None = None,
    retries: int = 1,
    progress: Callable[[IngestStats], None] | None = None,
) -> IngestStats:
    """Code a stream of read records on a Dask cluster and store them from this process.

    Args:
        records: articles and rejects, as the readers yield them.
        settings: the settings (``store.url``, ``store.batch_size``, the pipeline, MinHash).
        scheduler: a scheduler address (``tcp://HOST:PORT``) or a connected ``Client``.
        store: an open store; by default ``settings.store.url`` is opened.
        coder_factory: a module-level factory the workers can import, run whole on the workers;
            None (default) runs the configured pipeline, its leading clean stage on the client.
        batch_size: articles per task and per transaction (default ``settings.store.batch_size``).
        window: most batches in flight or awaiting their turn to be written (default: twice the
            cluster's worker threads, at least 2).
        retries: how often Dask retries a task that raised.
        progress: called after every committed batch with the running counts.

    Returns:
        The counts of the run (articles that failed on the cluster count as rejected).

    Raises:
        ConfigError: the scheduler cannot be reached.
        StageError: the cluster lost a task for good (scheduler gone).
        StoreError: a write failed.
    """
    own_client = isinstance(scheduler, str)
    client: Any = connect(scheduler) if isinstance(scheduler, str) else scheduler
    own_store = store is None
    store = store or open_store(settings.store.url)
    try:
        if coder_factory is None:
            client_stages, worker_stages = split_stages(settings.pipeline.stages)
        else:
            client_stages, worker_stages = [], []
        spec = WorkerSpec.create(settings, worker_stages, coder_factory)
        if window is None:
            window = max(2, 2 * sum(client.nthreads().values()))
        run = _DaskIngest(
            client,
            store,
            settings,
            spec,
            client_stages,
            batch_size or settings.store.batch_size,
            max(1, window),
            retries,
            progress,
        )
        return run.run(records)
    finally:
        if own_store:
            store.close()
        if own_client:
            client.close()


def ingest_dask(
    inputs: Sequence[str],
    settings: Settings,
    scheduler: str | Client,
    *,
    store: Store | None = None,
    coder_factory: CoderFactory | None = None,
    batch_size: int | None = None,
    window: int | None = None,
    retries: int = 1,
    progress: Callable[[IngestStats], None] | None = None,
) -> IngestStats:
    """Read ``inputs`` (paths, globs, directories, ``-``) on this machine, code them on the
    Dask cluster at ``scheduler`` and store them; see :func:`ingest_records_dask`."""
    from .readers import read

    return ingest_records_dask(
        read(list(inputs)),
        settings,
        scheduler,
        store=store,
        coder_factory=coder_factory,
        batch_size=batch_size,
        window=window,
        retries=retries,
        progress=progress,
    )
