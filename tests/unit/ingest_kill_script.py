"""Run an ingest with the fake coder, printing ``committed N`` after each batch and then sleeping,
so that a test can SIGKILL it at chosen points. Usage:

    python ingest_kill_script.py DB_URL JSONL LIMIT BATCH_SIZE SLEEP_SECONDS
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from store_fixtures import fake_coder_factory, read_jsonl, settings_for

from eventwire.model import Reject
from eventwire.storage.ingest import IngestStats, ingest_records


def main(argv: list[str]) -> int:
    url, path, limit, batch, pause = (
        argv[0],
        Path(argv[1]),
        int(argv[2]),
        int(argv[3]),
        float(argv[4]),
    )
    records: list[object] = []
    for i, article in enumerate(read_jsonl(path, limit)):
        records.append(article)
        if i % 7 == 3:
            records.append(Reject(source=path.name, position=i, reason="test reject"))

    def progress(stats: IngestStats) -> None:
        print(f"committed {stats.batches}", flush=True)
        time.sleep(pause)

    stats = ingest_records(
        records,  # type: ignore[arg-type]
        settings_for(url),
        coder_factory=fake_coder_factory,
        batch_size=batch,
        progress=progress,
    )
    print(f"done stored={stats.stored} skipped={stats.skipped_existing}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
