"""Ingest: idempotent, resumable after SIGKILL, same result on SQLite and PostgreSQL and with
several worker processes. Uses a fast fake coder; the NLP pipeline is not needed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_fixtures import (
    BACKENDS,
    FakeCoder,
    dump_tables,
    fake_coder_factory,
    make_store,
    news_file,
    read_jsonl,
    settings_for,
    store_url,
)

from eventwire.model import Article, Reject
from eventwire.storage.ingest import IngestStats, ingest_records
from eventwire.storage.repo import Store, count_rows, open_store

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "ingest_kill_script.py"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from make_store(request.param, tmp_path)


def _records(n: int = 30) -> list[Article | Reject]:
    articles = read_jsonl(news_file("polnear.jsonl"), n)
    out: list[Article | Reject] = []
    for i, a in enumerate(articles):
        out.append(a)
        if i % 10 == 5:
            out.append(Reject(source="polnear.jsonl", position=i, reason="test reject"))
    out.append(articles[0].model_copy(deep=True))  # the same story twice in one input
    return out


def _ingest(store: Store, records: list[Article | Reject], **kw: object) -> IngestStats:
    return ingest_records(
        [r.model_copy(deep=True) for r in records],
        settings_for(store.url),
        store=store,
        coder_factory=fake_coder_factory,
        batch_size=7,
        **kw,  # type: ignore[arg-type]
    )


def test_ingest_idempotent_second_run_adds_nothing(store: Store) -> None:
    records = _records()
    first = _ingest(store, records)
    assert (first.read, first.stored, first.skipped_existing, first.rejected) == (31, 30, 1, 3)
    with store.read() as session:
        counts = count_rows(session)
    assert counts["articles"] == 30 and counts["events"] == 30 and counts["rejects"] == 3
    before = dump_tables(store)
    second = _ingest(store, records)
    assert (second.stored, second.coded, second.skipped_existing) == (0, 0, 31)
    assert dump_tables(store) == before


def test_ingest_skips_existing_before_coding(store: Store) -> None:
    records = _records(10)
    _ingest(store, records)
    calls: list[int] = []

    class CountingCoder(FakeCoder):
        def __call__(self, articles: list[Article]) -> list[Article]:
            calls.append(len(articles))
            return super().__call__(articles)

    ingest_records(
        [r.model_copy(deep=True) for r in records],
        settings_for(store.url),
        store=store,
        coder_factory=lambda s: CountingCoder(),
        batch_size=4,
    )
    assert sum(calls) == 0


def test_ingest_same_counts_on_both_backends(tmp_path: Path) -> None:
    if not os.environ.get("EVENTWIRE_TEST_PG"):
        pytest.skip("EVENTWIRE_TEST_PG is not set: no PostgreSQL to compare with")
    records = _records()
    dumps = []
    for backend in ("sqlite", "postgresql"):
        store = open_store(store_url(backend, tmp_path))
        _ingest(store, records)
        with store.read() as session:
            counts = count_rows(session)
        dumps.append((counts, dump_tables(store)))
        store.close()
    assert dumps[0][0] == dumps[1][0]
    assert dumps[0][0]["event_clusters"] > 0
    assert dumps[0][1]["event_clusters"] == dumps[1][1]["event_clusters"]
    assert dumps[0][1]["events"] == dumps[1][1]["events"]


def test_ingest_workers_same_database(tmp_path: Path) -> None:
    records = _records()
    single = next(make_store("sqlite", tmp_path / "one"))
    _ingest(single, records)
    multi = next(make_store("sqlite", tmp_path / "many"))
    stats = _ingest(multi, records, workers=2)
    assert stats.stored == 30
    assert dump_tables(single) == dump_tables(multi)


def _run_script(
    url: str,
    data: Path,
    *,
    pause: float,
    kill_after: int | None = None,
    kill_at: float | None = None,
) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), url, str(data), "30", "5", str(pause)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    if kill_after is not None:
        seen = 0
        for line in proc.stdout:
            if line.startswith("committed"):
                seen += 1
                if seen == kill_after:
                    break
        proc.send_signal(signal.SIGKILL)
    elif kill_at is not None:
        time.sleep(kill_at)
        proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    if kill_after is None and kill_at is None:
        assert proc.returncode == 0, err
    return out


@pytest.mark.parametrize("backend", BACKENDS)
def test_ingest_resume_after_sigkill_identical(backend: str, tmp_path: Path) -> None:
    data = news_file("worldwide_newswire.jsonl")
    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    assert "done stored=30" in _run_script(reference_url, data, pause=0)
    reference = open_store(reference_url)
    expected = dump_tables(reference)
    reference.close()
    rng = random.Random(20240305)
    plans: list[dict[str, float | int]] = [{"kill_after": 1}, {"kill_after": 2}, {"kill_after": 3}]
    plans.append({"kill_at": rng.uniform(0.8, 2.0)})
    for number, plan in enumerate(plans):
        url = store_url(backend, tmp_path / f"run{number}")
        _run_script(url, data, pause=0.15, **plan)  # type: ignore[arg-type]
        out = _run_script(url, data, pause=0)
        assert "done" in out
        store = open_store(url)
        got = dump_tables(store)
        store.close()
        assert got == expected, f"resume after {plan} differs"


def test_ingest_stats_split_time_into_coding_writing_checking(store: Store) -> None:
    """The run's time is split so that benchmarks can report the store's own overhead."""

    class SlowCoder(FakeCoder):
        def __call__(self, articles: list[Article]) -> list[Article]:
            time.sleep(0.05)
            return super().__call__(articles)

    stats = ingest_records(
        [r.model_copy(deep=True) for r in _records(12)],
        settings_for(store.url),
        store=store,
        coder_factory=lambda s: SlowCoder(),
        batch_size=4,
    )
    assert stats.batches == 4  # 13 articles (the last a repeat, skipped uncoded) in fours
    assert stats.code_seconds >= 0.05 * 3
    assert stats.write_seconds > 0 and stats.check_seconds > 0
    assert stats.code_seconds + stats.write_seconds + stats.check_seconds <= stats.seconds
    figures = stats.as_dict()
    assert figures["code_seconds"] == round(stats.code_seconds, 3)
    assert {"write_seconds", "check_seconds"} <= set(figures)
