"""Speed of the quotes, places and tone stages relative to the NLP stage.

Usage::

    python benchmarks/qpt_speed.py [--n 300] [--seed 13] [--shared PATH]

Samples ``n`` articles (seeded, without duplicates) from the shared news corpora, parses them with
the NLP stage (timed, ``pipe`` with the configured batch size), runs the actor stage (untimed: it
produces the stages' input), then times quotes + places + tone on the same articles. Model and data
loading (``initialize``) are excluded from both timings. Target: the three stages together take at
most 10% of the NLP time.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from eventwire.model import Article
from eventwire.registry import get_stage

REPO = Path(__file__).resolve().parents[1]
CORPORA = (
    "polnear.jsonl",
    "bbc.jsonl",
    "worldwide_newswire.jsonl",
    "reuters21578.jsonl",
    "india_police_events.jsonl",
)


def sample(shared: Path, n: int, seed: int) -> list[Article]:
    records: list[dict[str, Any]] = []
    for name in CORPORA:
        path = shared / "data" / "news" / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if not rec.get("duplicate_of") and len(rec.get("text") or "") > 200:
                    records.append(rec)
    rng = random.Random(seed)
    chosen = rng.sample(records, min(n, len(records)))
    return [Article.create(r["text"], title=r.get("title")) for r in chosen]


def _init(name: str) -> Any:
    stage = get_stage(name).factory()
    stage._ensure_initialized()
    return stage


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--shared", type=Path, default=REPO / ".." / "shared")
    args = parser.parse_args(argv)
    articles = sample(args.shared, args.n, args.seed)
    if not articles:
        print("no shared corpus found", file=sys.stderr)
        return 1
    words = sum(len(a.text.split()) for a in articles)
    nlp = _init("eventwire.nlp.spacy.v1")
    actors = _init("eventwire.actors.resolver.v1")
    timed = {
        name: _init(name)
        for name in ("eventwire.quotes.v1", "eventwire.places.v1", "eventwire.tone.vader.v1")
    }

    t0 = time.perf_counter()
    parsed = list(nlp.pipe(articles))
    t_nlp = time.perf_counter() - t0
    parsed = [actors(a) for a in parsed]

    per_stage = dict.fromkeys(timed, 0.0)
    for article in parsed:
        for name, stage in timed.items():
            t = time.perf_counter()
            stage(article)
            per_stage[name] += time.perf_counter() - t
    t_qpt = sum(per_stage.values())
    errors = sum(1 for a in parsed for e in a.errors if e.stage in {"quotes", "places", "tone"})
    quotes = sum(len(a.quotes) for a in parsed)
    places = sum(len(a.places) for a in parsed)

    print(f"articles {len(articles)}  words {words}  (seed {args.seed})")
    print(f"nlp      {t_nlp:8.2f} s  ({words / t_nlp:,.0f} words/s)")
    for name, secs in per_stage.items():
        print(f"{name:24s} {secs:8.3f} s  {secs / t_nlp * 100:5.1f}% of nlp")
    print(f"quotes+places+tone {t_qpt:8.3f} s = {t_qpt / t_nlp * 100:.1f}% of nlp (target <= 10%)")
    print(f"found {quotes} quotes, {places} places; stage errors {errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
