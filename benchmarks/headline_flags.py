"""Rate of ``headline_mismatch`` flags on the shared news corpora (false-flag estimate).

Every flag on these corpora is counted as false, which overstates the rate: some corpus records do
have broken headlines (hex ids as titles, headlines of other stories). Prints per-corpus figures.

    python benchmarks/headline_flags.py [--shared ../shared] [--show 5]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from eventwire.stages.clean import headline_mismatch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--shared", default=str(Path(__file__).resolve().parents[1] / ".." / "shared")
    )
    parser.add_argument("--show", type=int, default=3)
    args = parser.parse_args()
    total = flagged = 0
    for path in sorted((Path(args.shared) / "data" / "news").glob("*.jsonl")):
        n = k = 0
        shown = 0
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if not rec.get("title") or not rec.get("text"):
                    continue
                n += 1
                if headline_mismatch(rec["title"], rec["text"]):
                    k += 1
                    if shown < args.show:
                        print(f"    flagged: {rec['title'][:70]!r} / {rec['text'][:60]!r}")
                        shown += 1
        total += n
        flagged += k
        print(f"{path.name:32s} articles={n:6d} flagged={k:5d} rate={k / max(n, 1):.2%}")
    print(
        f"{'all':32s} articles={total:6d} flagged={flagged:5d} rate={flagged / max(total, 1):.2%}"
    )


if __name__ == "__main__":
    main()
