"""How much time the actor resolver adds to the NLP stage.

Samples articles (seeded) from the news corpora in ``<repo>/../shared/data/news/*.jsonl``, parses
them with the NLP stage (batched, as the pipeline does) and then resolves their actors, timing both.
The target is a resolver time of at most 10% of the NLP time.

Usage::

    python benchmarks/actor_speed.py [--n 300] [--seed 7] [--shared PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from eventwire.model import Article
from eventwire.stages.actors import ActorResolver
from eventwire.stages.nlp import NlpStage

REPO = Path(__file__).resolve().parents[1]


def sample_articles(news_dir: Path, n: int, seed: int) -> list[Article]:
    """``n`` articles drawn with a seeded RNG from every JSONL file of ``news_dir``."""
    records: list[dict[str, object]] = []
    for path in sorted(news_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    records.append(json.loads(line))
    rng = random.Random(seed)
    chosen = rng.sample(records, min(n, len(records)))
    articles = []
    for record in chosen:
        text = str(record.get("text") or "")
        title = record.get("title")
        articles.append(Article.create(text, title=str(title) if title else None))
    return articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="number of articles (default 300)")
    parser.add_argument("--seed", type=int, default=7, help="sampling seed (default 7)")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args(argv)
    news_dir = args.shared / "data" / "news"
    if not news_dir.is_dir():
        print(f"news corpora not found under {news_dir}", file=sys.stderr)
        return 2
    articles = sample_articles(news_dir, args.n, args.seed)

    nlp = NlpStage(on_error="raise")
    resolver = ActorResolver(on_error="raise")
    nlp.pipe([Article.create("Warm-up sentence for the parser.")]).__next__()
    resolver(nlp(Article.create("British officials met Russian troops in Kyiv.")))

    started = time.perf_counter()
    parsed = list(nlp.pipe(articles))
    nlp_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for article in parsed:
        resolver(article)
    resolver_seconds = time.perf_counter() - started

    tokens = sum(len(a.parse.tokens) for a in parsed if a.parse is not None)
    actors = sum(len(a.actors) for a in parsed)
    ratio = resolver_seconds / nlp_seconds if nlp_seconds else float("inf")
    print(f"articles           {len(parsed)} (seed {args.seed}), {tokens} tokens, {actors} actors")
    print(f"nlp stage          {nlp_seconds:8.2f} s  ({tokens / nlp_seconds:,.0f} tokens/s)")
    print(
        f"actor resolver     {resolver_seconds:8.2f} s  ({tokens / resolver_seconds:,.0f} tokens/s)"
    )
    print(f"resolver / nlp     {ratio:8.1%}  (target <= 10%)")
    return 0 if ratio <= 0.10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
