"""Ingest on Dask: same database as a single-process run, bounded in-flight work, failed
articles stored as rejects.

The fast tests use an in-process cluster (threads) and the fake coder of the store tests. The slow
tests start a real ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 and run the
real pipeline (spaCy model) on them.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from store_fixtures import (
    FakeCoder,
    dump_tables,
    fake_coder_factory,
    news_file,
    read_jsonl,
    settings_for,
)

from eventwire.config import Settings
from eventwire.distributed import (
    ENV_SCHEDULER,
    REJECT_STAGE,
    connect,
    ingest_records_dask,
    scheduler_from_env,
    split_stages,
)
from eventwire.errors import ConfigError
from eventwire.model import Article, Reject
from eventwire.storage.ingest import IngestStats, ingest_records
from eventwire.storage.repo import Store, count_rows, open_store

HERE = Path(__file__).resolve().parent
#: text that makes the test coders fail (never occurs in the news corpora)
POISON = "zqxj-poison-article-zqxj"
CORPORA = ("bbc.jsonl", "polnear.jsonl", "india_police_events.jsonl", "worldwide_newswire.jsonl")


# ---------------------------------------------------------------------------------------------
# Coders the workers import from this module (workers get this folder on PYTHONPATH)
# ---------------------------------------------------------------------------------------------


class RaisingCoder(FakeCoder):
    """Raises on the poisoned article, so its whole batch fails."""

    def __call__(self, articles: list[Article]) -> list[Article]:
        if any(POISON in a.text for a in articles):
            raise RuntimeError("poisoned article")
        return super().__call__(articles)


def raising_coder_factory(settings: Settings) -> RaisingCoder:
    return RaisingCoder()


class CrashingCoder(FakeCoder):
    """Kills the worker process on the poisoned article (as a segfault or OOM kill would)."""

    def __call__(self, articles: list[Article]) -> list[Article]:
        if any(POISON in a.text for a in articles):
            os._exit(17)
        return super().__call__(articles)


def crashing_coder_factory(settings: Settings) -> CrashingCoder:
    return CrashingCoder()


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def mixed_articles(n: int, seed: int = 11) -> list[Article]:
    """``n`` articles drawn (seeded) from four shared news corpora."""
    pool: list[Article] = []
    for name in CORPORA:
        pool.extend(read_jsonl(news_file(name), 60))
    return random.Random(seed).sample(pool, n)


def with_rejects(articles: list[Article]) -> list[Article | Reject]:
    out: list[Article | Reject] = []
    for i, article in enumerate(articles):
        out.append(article)
        if i % 9 == 4:
            out.append(Reject(source="input.jsonl", position=i, reason="unreadable record"))
    out.append(articles[1].model_copy(deep=True))  # the same story twice
    return out


def poisoned(position: int = 7) -> Article:
    text = f"An unremarkable report that the test coders refuse: {POISON}. Nothing else."
    return Article.create(text, title="Poisoned", source="poison.jsonl", position=position)


def copies(records: list[Article | Reject]) -> list[Article | Reject]:
    return [r.model_copy(deep=True) for r in records]


def sqlite_store(path: Path) -> Store:
    return open_store(f"sqlite:///{path}")


# ---------------------------------------------------------------------------------------------
# Fast: in-process cluster
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local_client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        yield client


def test_split_stages_keeps_leading_clean_on_client() -> None:
    stages = ["eventwire.clean.v1", "eventwire.nlp.spacy.v1", "eventwire.tone.vader.v1"]
    assert split_stages(stages) == (["eventwire.clean.v1"], stages[1:])
    assert split_stages(stages[1:]) == ([], stages[1:])


def test_scheduler_from_env() -> None:
    assert scheduler_from_env({ENV_SCHEDULER: " tcp://10.1.2.3:8786 "}) == "tcp://10.1.2.3:8786"
    assert scheduler_from_env({ENV_SCHEDULER: ""}) is None
    assert scheduler_from_env({}) is None


def test_connect_errors_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="not of the form"):
        connect("nonsense")
    with pytest.raises(ConfigError, match="cannot reach"):
        connect("tcp://127.0.0.1:9", timeout=1.0)


def test_dask_ingest_same_database_as_single_process(local_client: Any, tmp_path: Path) -> None:
    records = with_rejects(mixed_articles(40))
    single = sqlite_store(tmp_path / "single.db")
    expected = ingest_records(
        copies(records),
        settings_for(single.url),
        store=single,
        coder_factory=fake_coder_factory,
        batch_size=6,
    )
    dask_store = sqlite_store(tmp_path / "dask.db")
    stats = ingest_records_dask(
        copies(records),
        settings_for(dask_store.url),
        local_client,
        store=dask_store,
        coder_factory=fake_coder_factory,
        batch_size=6,
    )
    assert (stats.read, stats.stored, stats.skipped_existing, stats.rejected) == (
        expected.read,
        expected.stored,
        expected.skipped_existing,
        expected.rejected,
    )
    assert stats.stored == 40 and stats.batches == expected.batches
    assert dump_tables(dask_store) == dump_tables(single)
    again = ingest_records_dask(
        copies(records),
        settings_for(dask_store.url),
        local_client,
        store=dask_store,
        coder_factory=fake_coder_factory,
        batch_size=6,
    )
    assert (again.stored, again.coded, again.skipped_existing) == (0, 0, 41)


def test_dask_failed_article_is_rejected_rest_of_batch_stored(
    local_client: Any, tmp_path: Path
) -> None:
    articles = mixed_articles(12)
    bad = poisoned()
    records: list[Article | Reject] = [*articles[:5], bad, *articles[5:]]
    store = sqlite_store(tmp_path / "dask.db")
    stats = ingest_records_dask(
        records,
        settings_for(store.url),
        local_client,
        store=store,
        coder_factory=raising_coder_factory,
        batch_size=4,
        retries=1,
    )
    assert (stats.read, stats.stored, stats.rejected, stats.rejects_stored) == (13, 12, 1, 1)
    with store.read() as session:
        counts = count_rows(session)
    assert counts["articles"] == 12
    reject = dump_tables(store)["rejects"]
    assert len(reject) == 1
    row = json.dumps(reject[0], default=str)
    assert bad.id in row and REJECT_STAGE in row and "poisoned article" in row


def test_dask_ingest_bounds_work_in_flight(local_client: Any, tmp_path: Path) -> None:
    articles = mixed_articles(60)
    consumed = 0
    worst = 0

    def counting() -> Iterator[Article | Reject]:
        nonlocal consumed
        for article in articles:
            consumed += 1
            yield article

    def on_batch(stats: IngestStats) -> None:
        nonlocal worst
        worst = max(worst, consumed - stats.coded)

    store = sqlite_store(tmp_path / "dask.db")
    stats = ingest_records_dask(
        counting(),
        settings_for(store.url),
        local_client,
        store=store,
        coder_factory=fake_coder_factory,
        batch_size=3,
        window=2,
        progress=on_batch,
    )
    assert stats.stored == 60
    # at most `window` batches read ahead of the writer (plus the one being read)
    assert 0 < worst <= 3 * 3


# ---------------------------------------------------------------------------------------------
# Slow: a real scheduler and two worker processes
# ---------------------------------------------------------------------------------------------


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for proc in reversed(processes):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in reversed(processes):
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 (free ports)."""
    exe = Path(sys.executable).with_name("dask")
    if not exe.exists():
        pytest.skip(f"no dask command next to {sys.executable}")
    tmp = tmp_path_factory.mktemp("dask")
    scheduler_file = tmp / "scheduler.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH", "")) if p)
    # a task that kills two workers is given up (KilledWorker) instead of four times
    env["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = "1"
    processes: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], log: str) -> None:
        with (tmp / log).open("wb") as out:
            processes.append(
                subprocess.Popen(
                    [str(exe), *args],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    try:
        start(
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            "scheduler.log",
        )
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            if time.monotonic() > deadline or processes[0].poll() is not None:
                pytest.fail("dask scheduler did not start: " + (tmp / "scheduler.log").read_text())
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for i in range(2):
            start(
                [
                    "worker",
                    address,
                    "--host",
                    "127.0.0.1",
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--memory-limit",
                    "0",
                    "--death-timeout",
                    "60",
                ],
                f"worker{i}.log",
            )
        client = connect(address, timeout=30)
        try:
            client.wait_for_workers(2, timeout=90)
        finally:
            client.close()
        yield address
    finally:
        _stop(processes)


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_dask_cluster_ingest_identical_to_single_process(dask_cluster: str, tmp_path: Path) -> None:
    records = with_rejects(mixed_articles(50, seed=2024))
    single = sqlite_store(tmp_path / "single.db")
    expected = ingest_records(copies(records), settings_for(single.url), store=single, batch_size=8)
    clustered = sqlite_store(tmp_path / "dask.db")
    stats = ingest_records_dask(
        copies(records), settings_for(clustered.url), dask_cluster, store=clustered, batch_size=8
    )
    assert stats.stored == expected.stored == 50
    assert stats.events == expected.events and stats.links == expected.links
    assert expected.events > 0
    single_rows, dask_rows = dump_tables(single), dump_tables(clustered)
    assert dask_rows.keys() == single_rows.keys()
    for table, rows in single_rows.items():
        assert dask_rows[table] == rows, f"table {table} differs"


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_dask_cluster_article_that_kills_workers_is_rejected(
    dask_cluster: str, tmp_path: Path
) -> None:
    articles = mixed_articles(10)
    bad = poisoned(position=3)
    records: list[Article | Reject] = [*articles[:3], bad, *articles[3:]]
    store = sqlite_store(tmp_path / "dask.db")
    stats = ingest_records_dask(
        records,
        settings_for(store.url),
        dask_cluster,
        store=store,
        coder_factory=crashing_coder_factory,
        batch_size=4,
    )
    assert (stats.stored, stats.rejected, stats.rejects_stored) == (10, 1, 1)
    reject = json.dumps(dump_tables(store)["rejects"], default=str)
    assert bad.id in reject and "KilledWorker" in reject


def test_ingest_scheduler_and_workers_exclude_each_other(tmp_path: Path) -> None:
    from eventwire.storage.ingest import ingest

    with pytest.raises(ConfigError, match="exclude each other"):
        ingest(
            [str(tmp_path)],
            settings_for(f"sqlite:///{tmp_path / 'x.db'}"),
            workers=2,
            scheduler="tcp://127.0.0.1:9",
        )


def test_ingest_cli_reads_scheduler_from_env(tmp_path: Path) -> None:
    import dask
    from typer.testing import CliRunner

    from eventwire.cli import app

    (tmp_path / "a.txt").write_text("Officials met in Geneva on Monday to discuss the ceasefire.\n")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = CliRunner().invoke(
            app,
            ["ingest", str(tmp_path / "a.txt"), "--db", f"sqlite:///{tmp_path / 'x.db'}", "-q"],
            env={ENV_SCHEDULER: "tcp://127.0.0.1:9"},
        )
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_dask_ingest_links_near_duplicates_as_the_single_process(
    local_client: Any, tmp_path: Path
) -> None:
    """With the configured pipeline (its clean stage on the client): a reworded copy of a story
    is linked by the store, and flagged, exactly as in a single-process ingest."""
    base = mixed_articles(6, seed=5)
    story = max(base, key=lambda a: len(a.text))
    reworded = Article.create(
        story.text + " The report was updated on Tuesday.",
        title=story.title,
        source="copies.jsonl",
        position=0,
    )
    records: list[Article | Reject] = [*base, reworded]
    single = sqlite_store(tmp_path / "single.db")
    expected = ingest_records(copies(records), settings_for(single.url), store=single, batch_size=3)
    clustered = sqlite_store(tmp_path / "dask.db")
    stats = ingest_records_dask(
        copies(records), settings_for(clustered.url), local_client, store=clustered, batch_size=3
    )
    assert expected.stored == stats.stored == 7
    assert expected.links == stats.links == 1
    assert dump_tables(clustered) == dump_tables(single)
