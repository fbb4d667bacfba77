"""Latency of ``GET /api/events`` and of the events page over a large synthetic SQLite store.

    .venv/bin/python benchmarks/api_latency.py [--events 1000000] [--repeat 40] [--db PATH]

Builds (or reuses, with ``--db`` pointing at an existing file) a store of synthetic events: the
schema comes from the store's migrations, rows are bulk-inserted with SQLAlchemy Core
``executemany`` in batches (10 events per article). It then times filtered ``/api/events``
requests through the ASGI app in-process (``TestClient``: routing, validation, the query and JSON
serialisation; no network), and the server-rendered ``/events`` page. Prints p50/p95/max per
query kind and writes the figures as JSON to ``benchmarks/out/api_latency.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from eventwire.storage.repo import actor_code, open_store
from eventwire.storage.tables import ArticleRow, EventRow

COUNTRIES = [
    "USA",
    "GBR",
    "FRA",
    "DEU",
    "RUS",
    "UKR",
    "CHN",
    "IND",
    "BRA",
    "ZAF",
    "NGA",
    "EGY",
    "ISR",
    "IRN",
    "TUR",
    "POL",
    "JPN",
    "KOR",
    "AUS",
    "CAN",
    "MEX",
    "ARG",
    "SAU",
    "PAK",
    "IDN",
]
SECTORS = [None, "GOV", "MIL", "REB", "BUS", "MED"]
TYPES = [
    ("AGREE", "033", 1),
    ("CONSULT", "040", 1),
    ("SUPPORT", "051", 1),
    ("COOPERATE", "061", 2),
    ("AID", "073", 2),
    ("REQUEST", "020", 1),
    ("ACCUSE", "112", 3),
    ("REJECT", "120", 3),
    ("THREATEN", "138", 3),
    ("PROTEST", "141", 4),
    ("SANCTION", "163", 4),
    ("ASSAULT", "190", 4),
    ("COERCE", "172", 4),
    ("MOBILIZE", "150", 4),
]
MODALITIES = ["asserted"] * 6 + ["intent", "conditional", "negated", "hypothetical"]
TRIGGERS = [
    "met",
    "attacked",
    "pledged",
    "accused",
    "signed",
    "rejected",
    "warned",
    "sent",
    "protested",
    "shelled",
]
START = date(2020, 1, 1)
DAYS = 5 * 365


def build(db: Path, n_events: int, seed: int = 7) -> float:
    """Create the store at ``db`` with ``n_events`` synthetic events; returns seconds taken."""
    rng = random.Random(seed)
    store = open_store(f"sqlite:///{db}")
    started = time.perf_counter()
    per_article = 10
    n_articles = n_events // per_article
    batch_articles = 5000
    now = datetime.now(UTC)
    with store.write() as session:
        for first in range(0, n_articles, batch_articles):
            arts: list[dict[str, Any]] = []
            evs: list[dict[str, Any]] = []
            for a in range(first, min(first + batch_articles, n_articles)):
                aid = f"{a:016x}"
                day = START + timedelta(days=rng.randrange(DAYS))
                published = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
                arts.append(
                    {
                        "id": aid,
                        "source": "synthetic",
                        "title": f"Synthetic report {a}",
                        "text": "",
                        "flags": [],
                        "num_events": per_article,
                        "document": {},
                        "published": published,
                        "stored_at": now,
                        "average_tone": 0.0,
                    }
                )
                for e in range(per_article):
                    src, tgt = rng.sample(COUNTRIES, 2)
                    s_sec, t_sec = rng.choice(SECTORS), rng.choice(SECTORS)
                    ptype, cameo, quad = rng.choice(TYPES)
                    trig = rng.choice(TRIGGERS)
                    evs.append(
                        {
                            "article_id": aid,
                            "event_id": f"E{e + 1}",
                            "sentence": e,
                            "is_root": e == 0,
                            "source_text": src,
                            "source_start": 0,
                            "source_end": 3,
                            "source_country": src,
                            "source_sector": s_sec,
                            "source_code": actor_code(src, None, s_sec),
                            "source_kb": src,
                            "target_text": tgt,
                            "target_start": 10,
                            "target_end": 13,
                            "target_country": tgt,
                            "target_sector": t_sec,
                            "target_code": actor_code(tgt, None, t_sec),
                            "target_kb": tgt,
                            "plover_type": ptype,
                            "plover_context": [],
                            "cameo_code": cameo,
                            "cameo_root": cameo[:2],
                            "quad_class": quad,
                            "modality": rng.choice(MODALITIES),
                            "date": day.isoformat(),
                            "day": day,
                            "trigger_text": trig,
                            "trigger_start": 5,
                            "trigger_end": 5 + len(trig),
                            "confidence": 0.5,
                            "reason": "synthetic",
                        }
                    )
            session.execute(insert(ArticleRow), arts)
            session.execute(insert(EventRow), evs)
    seconds = time.perf_counter() - started
    store.close()
    return seconds


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def measure(db: Path, repeat: int, seed: int = 11) -> dict[str, dict[str, float]]:
    from fastapi.testclient import TestClient

    from eventwire.api.main import create_app

    rng = random.Random(seed)
    client = TestClient(create_app(f"sqlite:///{db}"))

    def day() -> str:
        return (START + timedelta(days=rng.randrange(DAYS - 60))).isoformat()

    kinds: dict[str, Any] = {
        "first page (no filter)": lambda: {},
        "country": lambda: {"country": rng.choice(COUNTRIES)},
        "actor prefix (GBRGOV)": lambda: {"actor": rng.choice(COUNTRIES) + "GOV"},
        "type": lambda: {"type": rng.choice(TYPES)[0]},
        "cameo prefix": lambda: {"cameo": rng.choice(TYPES)[1][:2]},
        "modality": lambda: {"modality": rng.choice(["intent", "conditional"])},
        "date range (30 days)": lambda: (
            lambda d: {
                "since": d,
                "until": (date.fromisoformat(d) + timedelta(days=30)).isoformat(),
            }
        )(day()),
        "country + type + since": lambda: {
            "country": rng.choice(COUNTRIES),
            "type": rng.choice(TYPES)[0],
            "since": day(),
        },
        "text": lambda: {"text": rng.choice(TRIGGERS)},
        "oldest first": lambda: {"order": "date"},
    }
    results: dict[str, dict[str, float]] = {}
    client.get("/api/events", params={"limit": 1})  # warm caches
    for name, make in kinds.items():
        times: list[float] = []
        for _ in range(repeat):
            params = {"limit": 100, **make()}
            t0 = time.perf_counter()
            response = client.get("/api/events", params=params)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.text
        results[name] = _summary(times)
        print(
            f"  /api/events {name:<26} p50 {results[name]['p50_ms']:8.1f} ms   p95 {results[name]['p95_ms']:8.1f} ms"
        )
    # a deep page: follow next_cursor five times
    times = []
    for _ in range(max(3, repeat // 5)):
        cursor = None
        for _page in range(5):
            params: dict[str, Any] = {"limit": 100, "country": rng.choice(COUNTRIES)}
            if cursor:
                params["cursor"] = cursor
            t0 = time.perf_counter()
            body = client.get("/api/events", params=params).json()
            times.append((time.perf_counter() - t0) * 1000)
            cursor = body["next_cursor"]
    results["cursor pages (country)"] = _summary(times)
    print(
        f"  /api/events {'cursor pages (country)':<26} p50 {results['cursor pages (country)']['p50_ms']:8.1f} ms   p95 {results['cursor pages (country)']['p95_ms']:8.1f} ms"
    )
    for name, params in (("events page", {}), ("events page, country", {"country": "UKR"})):
        times = []
        for _ in range(max(5, repeat // 2)):
            t0 = time.perf_counter()
            response = client.get("/events", params=params)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        results[name] = _summary(times)
        print(
            f"  /events     {name:<26} p50 {results[name]['p50_ms']:8.1f} ms   p95 {results[name]['p95_ms']:8.1f} ms"
        )
    return results


def _summary(times: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(_percentile(times, 0.95), 2),
        "max_ms": round(max(times), 2),
        "n": len(times),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--db", type=Path, default=Path("benchmarks/out/api_latency.db"))
    args = parser.parse_args(argv)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    build_seconds = None
    if not args.db.exists():
        print(f"building {args.events:,} synthetic events in {args.db} ...")
        build_seconds = build(args.db, args.events)
        print(f"  built in {build_seconds:.1f} s")
    store = open_store(f"sqlite:///{args.db}")
    with store.read() as session:
        n = int(session.scalar(select(func.count()).select_from(EventRow)) or 0)
    store.close()
    print(f"store: {n:,} events, {args.db.stat().st_size / 1e6:.0f} MB")
    results = measure(args.db, args.repeat)
    out = args.db.with_name("api_latency.json")
    out.write_text(
        json.dumps({"events": n, "build_seconds": build_seconds, "results": results}, indent=2),
        "utf-8",
    )
    worst = max(r["p95_ms"] for k, r in results.items() if not k.startswith("events page"))
    print(f"worst /api/events p95: {worst:.1f} ms (target 100 ms); figures in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
