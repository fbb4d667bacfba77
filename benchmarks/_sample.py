"""The fixed, seeded benchmark sample shared by ``throughput.py``, ``memory.py`` and ``scale.py``.

Articles are drawn from every ``*.jsonl`` corpus in ``<repo>/../shared/data/news`` (read-only
shared data, never needed by the package itself): each corpus is shuffled with a seeded RNG and the
sample takes one article from each corpus in turn (a corpus that runs out drops out), so that any
``n`` mixes all six corpora and the same ``n`` and seed always give the same articles in the same
order. The raw JSON lines are kept, so a sample can be written to a file for ``eventwire ingest``
or read in memory with the package's own JSON Lines reader.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from eventwire.model import Article, Reject
from eventwire.readers import read_stream

__all__ = [
    "DEFAULT_SEED",
    "article_words",
    "news_dir",
    "sample_articles",
    "sample_lines",
    "write_sample",
]

DEFAULT_SEED = 20240501
REPO = Path(__file__).resolve().parents[1]


def news_dir(path: Path | None = None) -> Path:
    """The shared news corpora (``<repo>/../shared/data/news`` unless ``path`` is given)."""
    found = (path or REPO / ".." / "shared" / "data" / "news").resolve()
    if not any(found.glob("*.jsonl")):
        raise SystemExit(f"no *.jsonl corpora in {found}; pass --data DIR")
    return found


def sample_lines(n: int, seed: int = DEFAULT_SEED, data: Path | None = None) -> list[str]:
    """``n`` raw JSON lines, round-robin over the seeded-shuffled corpora."""
    pools: list[list[str]] = []
    for path in sorted(news_dir(data).glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            lines = [line.rstrip("\n") for line in handle if line.strip()]
        random.Random(f"{seed}:{path.name}").shuffle(lines)
        pools.append(lines)
    out: list[str] = []
    depth = 0
    while len(out) < n and any(depth < len(pool) for pool in pools):
        for pool in pools:
            if depth < len(pool) and len(out) < n:
                out.append(pool[depth])
        depth += 1
    return out


def write_sample(path: Path, n: int, seed: int = DEFAULT_SEED, data: Path | None = None) -> Path:
    """Write the sample of ``n`` articles to ``path`` as JSON Lines; returns ``path``."""
    path.write_text("\n".join(sample_lines(n, seed, data)) + "\n", encoding="utf-8")
    return path


def sample_articles(
    n: int, seed: int = DEFAULT_SEED, data: Path | None = None, source: str = "sample.jsonl"
) -> list[Article]:
    """The sample read by the package's JSON Lines reader (rejects, if any, are dropped)."""
    blob = ("\n".join(sample_lines(n, seed, data)) + "\n").encode("utf-8")
    records: list[Article | Reject] = list(read_stream(io.BytesIO(blob), source, fmt="jsonl"))
    return [r for r in records if isinstance(r, Article)]


def article_words(articles: list[Article]) -> int:
    """Whitespace words of title and text, as the corpus README counts them."""
    return sum(len((a.title or "").split()) + len(a.text.split()) for a in articles)
