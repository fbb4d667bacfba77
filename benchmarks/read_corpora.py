"""Read every shared news corpus end to end through ``eventwire.readers.read`` and print figures.

Usage::

    python benchmarks/read_corpora.py [CORPUS_DIR]

``CORPUS_DIR`` defaults to ``<repo>/../shared/data/news``. For each ``*.jsonl`` file it prints the
number of articles and rejects, the seconds taken and the throughput; then the totals.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from eventwire.model import Article
from eventwire.readers import read

DEFAULT_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "news"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    files = sorted(args.corpus_dir.glob("*.jsonl"))
    if not files:
        print(f"no *.jsonl files in {args.corpus_dir}", file=sys.stderr)
        return 1
    header = f"{'corpus':34} {'articles':>9} {'rejects':>8} {'MB':>7} {'seconds':>8} {'art/s':>8}"
    print(header)
    print("-" * len(header))
    totals = [0, 0, 0.0, 0.0]
    for path in files:
        articles = rejects = 0
        start = time.perf_counter()
        for item in read([str(path)]):
            if isinstance(item, Article):
                articles += 1
            else:
                rejects += 1
                print(f"  reject {item.source}:{item.position}: {item.reason}", file=sys.stderr)
        seconds = time.perf_counter() - start
        size = path.stat().st_size / 1e6
        print(
            f"{path.name:34} {articles:9,d} {rejects:8,d} {size:7.1f} {seconds:8.2f} "
            f"{articles / seconds:8,.0f}"
        )
        totals = [totals[0] + articles, totals[1] + rejects, totals[2] + size, totals[3] + seconds]
    print("-" * len(header))
    print(
        f"{'total':34} {int(totals[0]):9,d} {int(totals[1]):8,d} {totals[2]:7.1f} "
        f"{totals[3]:8.2f} {totals[0] / totals[3]:8,.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
