"""Coder time against NLP time on a seeded sample of shared-corpus articles (target: <= 15%).

Usage: ``python benchmarks/coder_speed.py [--shared PATH] [--n 300] [--seed 13]``
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from eventwire.model import Article
from eventwire.registry import get_stage
from eventwire.stages.events import EventCoder
from eventwire.stages.nlp import NlpStage


def _articles(shared: Path, n: int, seed: int) -> list[Article]:
    pool: list[tuple[str, str]] = []
    for path in sorted((shared / "data/news").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                text = row.get("text") or ""
                if isinstance(text, str) and 200 <= len(text) <= 20_000:
                    pool.append((str(row.get("title") or ""), text))
    rng = random.Random(seed)
    sample = rng.sample(pool, min(n, len(pool)))
    return [Article.create(text, title=title) for title, text in sample]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared"
    )
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    if not (args.shared / "data/news").exists():
        print(f"shared corpus not found at {args.shared}", file=sys.stderr)
        return 2
    articles = _articles(args.shared, args.n, args.seed)
    nlp = NlpStage(on_error="raise")
    actors = get_stage("eventwire.actors.resolver.v1").factory()
    coder = EventCoder(on_error="raise")
    nlp.initialize()
    coder.initialize()
    t0 = time.perf_counter()
    parsed = list(nlp.pipe(articles, batch_size=32))
    t_nlp = time.perf_counter() - t0
    t0 = time.perf_counter()
    resolved = [actors(a) for a in parsed]
    t_actors = time.perf_counter() - t0
    t0 = time.perf_counter()
    coded = [coder(a) for a in resolved]
    t_coder = time.perf_counter() - t0
    n_events = sum(len(a.events) for a in coded)
    chars = sum(len(a.text) for a in articles)
    print(
        json.dumps(
            {
                "articles": len(articles),
                "characters": chars,
                "events": n_events,
                "nlp_s": round(t_nlp, 2),
                "actors_s": round(t_actors, 2),
                "coder_s": round(t_coder, 2),
                "coder_vs_nlp": round(t_coder / t_nlp, 3) if t_nlp else None,
                "target": 0.15,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
