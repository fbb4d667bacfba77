"""Ingest the news corpus into SQLite and PostgreSQL and compare.

    python benchmarks/ingest_full.py [--limit N] [--workers N] [--pg URL] [--data DIR]

For each backend: a fresh database (a temporary SQLite file; the PostgreSQL database given by
``--pg`` or ``EVENTWIRE_TEST_PG`` is emptied first, so point it at a scratch database), one full
ingest (articles/s, database size, row counts), then a second ingest of the same input, which must
add nothing. Finally the counts of both backends must match. Exit status 1 when a check fails.
The pipeline is the configured one (``--stages`` narrows it, e.g. for a store-only run).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine

from eventwire.config import Settings, load_settings
from eventwire.model import Article, Reject
from eventwire.readers import read
from eventwire.storage.ingest import ingest_records
from eventwire.storage.repo import count_rows, normalise_url, open_store

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "news"


def records(data: Path, limit: int | None) -> Iterator[Article | Reject]:
    files = sorted(str(p) for p in data.glob("*.jsonl"))
    if not files:
        raise SystemExit(f"no *.jsonl files in {data}")
    stream = read(files)
    return itertools.islice(stream, limit) if limit else stream


def empty_pg(url: str) -> None:
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        meta = MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)
    engine.dispose()


def run_backend(
    name: str, url: str, args: argparse.Namespace, settings: Settings
) -> dict[str, Any]:
    store = open_store(url)
    settings = settings.model_copy(update={"store": settings.store.model_copy(update={"url": url})})
    start = time.monotonic()
    first = ingest_records(
        records(args.data, args.limit), settings, store=store, workers=args.workers
    )
    elapsed = time.monotonic() - start
    with store.read() as session:
        counts = count_rows(session)
    start = time.monotonic()
    second = ingest_records(
        records(args.data, args.limit), settings, store=store, workers=args.workers
    )
    rerun = time.monotonic() - start
    with store.read() as session:
        counts_after = count_rows(session)
    result = {
        "backend": name,
        "read": first.read,
        "stored": first.stored,
        "rejected": first.rejected,
        "seconds": round(elapsed, 1),
        "articles_per_second": round(first.read / elapsed, 2) if elapsed else None,
        "db_bytes": store.size_bytes(),
        "counts": counts,
        "second_run_stored": second.stored,
        "second_run_seconds": round(rerun, 1),
        "second_run_unchanged": counts_after == counts and second.stored == 0,
    }
    store.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="directory of *.jsonl")
    parser.add_argument("--limit", type=int, default=None, help="first N records only")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--pg", default=os.environ.get("EVENTWIRE_TEST_PG"), help="PostgreSQL URL")
    parser.add_argument(
        "--sqlite", type=Path, default=None, help="SQLite file (default: temporary)"
    )
    parser.add_argument("--stages", default=None, help="comma-separated stage names")
    args = parser.parse_args(argv)

    overrides: dict[str, str] = {}
    if args.stages:
        overrides["pipeline.stages"] = json.dumps(args.stages.split(","))
    settings = load_settings(overrides=overrides)

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_path = args.sqlite or Path(tmp) / "bench.db"
        if sqlite_path.exists():
            sqlite_path.unlink()
        results.append(run_backend("sqlite", f"sqlite:///{sqlite_path}", args, settings))
        if args.pg:
            empty_pg(args.pg)
            results.append(run_backend("postgresql", args.pg, args, settings))
        else:
            print("no PostgreSQL URL (--pg or EVENTWIRE_TEST_PG): SQLite only", file=sys.stderr)

    ok = True
    for r in results:
        c = r["counts"]
        print(
            f"{r['backend']:>10}: {r['read']} read, {r['articles_per_second']} articles/s, "
            f"{r['db_bytes'] / 1e6:.1f} MB; articles {c['articles']}, events {c['events']}, "
            f"quotes {c['quotes']}, rejects {c['rejects']}, clusters {c['event_clusters']}, "
            f"links {c['article_links']}; second run stored {r['second_run_stored']} "
            f"in {r['second_run_seconds']} s"
        )
        ok &= bool(r["second_run_unchanged"])
    if len(results) == 2:
        same = results[0]["counts"] == results[1]["counts"]
        print(f"counts match across backends: {same}")
        for key in results[0]["counts"]:
            if results[0]["counts"][key] != results[1]["counts"].get(key):
                print(
                    f"  {key}: sqlite {results[0]['counts'][key]} != postgresql {results[1]['counts'].get(key)}"
                )
        ok &= same
    print(json.dumps(results, indent=2, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
