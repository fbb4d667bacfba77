"""Build eval inputs from the shared corpora for gold files that refer to articles by corpus and id."""

from __future__ import annotations

import json
from pathlib import Path


def build_input(gold_path: Path, news_dir: Path, out_path: Path) -> int:
    """Write the corpus records named by ``gold_path`` (``corpus`` + ``id``) to ``out_path`` as
    JSON Lines (the corpus ``id`` becomes the article's ``source_id``). Returns the number written."""
    wanted: dict[str, set[str]] = {}
    for line in gold_path.read_text("utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            wanted.setdefault(rec["corpus"], set()).add(str(rec["id"]))
    n = 0
    with out_path.open("w", encoding="utf-8") as out:
        for corpus, ids in sorted(wanted.items()):
            with (news_dir / corpus).open(encoding="utf-8") as fh:
                for line in fh:
                    rec = json.loads(line)
                    if str(rec.get("id")) in ids:
                        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                        n += 1
    return n
