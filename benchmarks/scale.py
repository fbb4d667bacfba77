"""Scale-out: ingest with one Dask worker, with two, and with the local ``--workers 2`` pool.

    python benchmarks/scale.py [--n 2000] [--quick] [--seed S] [--skip-single]

All runs code the same fixed seeded sample (``_sample.py``) into a fresh SQLite store each:

    single   ``ingest_records`` in this process (the reference)
    dask-1   ``ingest_records_dask`` on a local cluster of 1 worker process x 1 thread
    dask-2   the same with 2 worker processes (target: >= 1.7 x dask-1)
    pool-2   ``ingest_records(workers=2)``: the local process pool

Worker start-up and model loading are excluded for the Dask runs (every worker codes a warm-up
batch through ``Client.run`` first); the pool starts its processes inside ``ingest_records``, so
its time includes that start-up, which is reported separately (``pool start-up``, measured as the
time to the first committed batch minus a batch's coding time). The row counts of every run must
match the reference. On a machine with N cores, the client (reading, the clean stage, writing)
shares them with the workers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from eventwire.config import Settings, load_settings
from eventwire.distributed import WorkerSpec, code_on_worker, ingest_records_dask, split_stages
from eventwire.model import Article, Reject
from eventwire.storage.ingest import IngestStats, ingest_records
from eventwire.storage.repo import count_rows, open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _sample import DEFAULT_SEED, article_words, sample_articles

TARGET = 1.7


def copies(articles: list[Article]) -> list[Article | Reject]:
    return [a.model_copy(deep=True) for a in articles]


def with_url(settings: Settings, url: str) -> Settings:
    return settings.model_copy(update={"store": settings.store.model_copy(update={"url": url})})


def run_dask(
    workers: int, articles: list[Article], warm: list[Article], settings: Settings, db: Path
) -> tuple[float, dict[str, int]]:
    from distributed import Client, LocalCluster

    s = with_url(settings, f"sqlite:///{db}")
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        spec = WorkerSpec.create(s, split_stages(s.pipeline.stages)[1])
        client.run(code_on_worker, [a.model_copy(deep=True) for a in warm], spec)
        store = open_store(s.store.url)
        start = time.perf_counter()
        stats = ingest_records_dask(copies(articles), s, client, store=store)
        elapsed = time.perf_counter() - start
        with store.read() as session:
            counts = count_rows(session)
        store.close()
    check(stats, len(articles))
    return elapsed, counts


def run_local(
    workers: int, articles: list[Article], settings: Settings, db: Path
) -> tuple[float, float, dict[str, int]]:
    s = with_url(settings, f"sqlite:///{db}")
    store = open_store(s.store.url)
    first: list[float] = []
    start = time.perf_counter()

    def on_batch(stats: IngestStats) -> None:
        if not first:
            first.append(time.perf_counter() - start)

    stats = ingest_records(copies(articles), s, store=store, workers=workers, progress=on_batch)
    elapsed = time.perf_counter() - start
    with store.read() as session:
        counts = count_rows(session)
    store.close()
    check(stats, len(articles))
    return elapsed, (first[0] if first else 0.0), counts


def check(stats: IngestStats, n: int) -> None:
    if stats.read != n:
        raise SystemExit(f"read {stats.read} of {n} articles")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="articles in the sample")
    parser.add_argument("--quick", action="store_true", help="a 200-article smoke run")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--data", type=Path, default=None, help="folder of *.jsonl corpora")
    parser.add_argument("--skip-single", action="store_true", help="no in-process reference run")
    args = parser.parse_args(argv)
    n = 200 if args.quick else args.n
    settings = load_settings(env={})
    articles = sample_articles(n, args.seed, args.data)
    warm = sample_articles(8, args.seed + 1, args.data)
    words = article_words(articles)
    print(f"sample: {len(articles)} articles, {words} words (seed {args.seed})", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="eventwire-scale-"))
    seconds: dict[str, float] = {}
    counts: dict[str, dict[str, int]] = {}
    notes: dict[str, str] = {}
    if not args.skip_single:
        from eventwire.pipeline import build_pipeline

        list(build_pipeline(settings).pipe(copies(warm)))  # type: ignore[arg-type]  # model load
        seconds["single"], _, counts["single"] = run_local(1, articles, settings, tmp / "single.db")
        print(f"  single: {seconds['single']:.1f} s", flush=True)
    for workers in (1, 2):
        name = f"dask-{workers}"
        seconds[name], counts[name] = run_dask(
            workers, articles, warm, settings, tmp / f"{name}.db"
        )
        print(f"  {name}: {seconds[name]:.1f} s", flush=True)
    seconds["pool-2"], first, counts["pool-2"] = run_local(2, articles, settings, tmp / "pool.db")
    notes["pool-2"] = f"incl. pool start-up; first batch committed after {first:.1f} s"
    print(f"  pool-2: {seconds['pool-2']:.1f} s", flush=True)

    print(f"\n{'run':8} {'seconds':>8} {'articles/s':>11} {'words/s':>9}")
    for name, t in seconds.items():
        print(f"{name:8} {t:8.1f} {n / t:11.2f} {words / t:9.0f}  {notes.get(name, '')}")
    speedup = seconds["dask-1"] / seconds["dask-2"]
    verdict = "ok" if speedup >= TARGET else f"BELOW target {TARGET}"
    print(f"\ndask-2 / dask-1 speed-up: {speedup:.2f}x ({verdict})")
    print(f"pool-2 / dask-1 speed-up: {seconds['dask-1'] / seconds['pool-2']:.2f}x")
    if "single" in seconds:
        print(f"dask-1 / single: {seconds['single'] / seconds['dask-1']:.2f}x")
    reference: Any = next(iter(counts.values()))
    mismatched = [name for name, c in counts.items() if c != reference]
    print(
        "row counts: " + ("identical in every run" if not mismatched else f"DIFFER: {mismatched}")
    )
    return 0 if speedup >= TARGET and not mismatched else 1


if __name__ == "__main__":
    raise SystemExit(main())
