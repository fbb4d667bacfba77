"""Near-duplicate detection of the clean stage against the corpora's known repeats.

The shared corpora mark exact repeats (same normalised text) with ``duplicate_of``; the clean stage's
MinHash flag should find all of them, plus near (not exact) copies. Prints per corpus: known
repeats, flagged articles, known repeats found, and flags on articles without ``duplicate_of``.

    python benchmarks/near_duplicates.py [--corpus bbc]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from eventwire.model import Article
from eventwire.stages.clean import CleanStage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[1] / ".." / "shared"))
    parser.add_argument("--corpus", action="append", help="corpus name(s), default: all")
    args = parser.parse_args()
    paths = sorted((Path(args.shared) / "data" / "news").glob("*.jsonl"))
    if args.corpus:
        paths = [p for p in paths if p.stem in args.corpus]
    for path in paths:
        stage = CleanStage(near_duplicates=True)
        known = flagged = found = extra = 0
        t0 = time.perf_counter()
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                art = Article.create(rec.get("text") or "", title=rec.get("title"), language="en")
                stage(art)
                is_dup = bool(rec.get("duplicate_of"))
                hit = art.has_flag("near_duplicate_of")
                known += is_dup
                flagged += hit
                found += is_dup and hit
                extra += hit and not is_dup
        # an exact repeat has the same id, so the stage sees it as the same article: count those too
        dt = time.perf_counter() - t0
        print(f"{path.stem:28s} known repeats={known:4d} flagged={flagged:4d} "
              f"known found={found:4d} ({found / max(known, 1):.0%}) other near-dups={extra:4d} [{dt:.1f}s]")


if __name__ == "__main__":
    main()
