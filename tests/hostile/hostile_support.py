"""Helpers of the hostile-input suite: good records to mix in, reading a file, storing it
in a throw-away SQLite store, and running code in a memory-capped subprocess.

Every hostile test follows one pattern: write the bad input (generated at test time into
``tmp_path``; nothing large is committed) next to or among *good* records, read it, and check
(1) the bad part is a ``Reject`` naming source, position and the problem, or a handled article,
(2) time and memory stay bounded, (3) every good record still comes out (and, for a subset, is
stored).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

from eventwire.config import Settings, load_settings
from eventwire.model import Article, Reject
from eventwire.readers import ReadLimits, read, read_stream
from eventwire.storage import IngestStats, count_rows, ingest, open_store

REPO = Path(__file__).resolve().parents[2]

#: Address-space cap for the memory-bounded subprocess checks (the brief: about 3 GB).
MEMORY_CAP = 3 * 1024**3

#: The clean stage alone: the cheap, model-free pipeline used when storing many records.
CLEAN_ONLY = ["eventwire.clean.v1"]

_TOPICS = (
    "the finance minister met union leaders",
    "the coastguard rescued fishermen",
    "the election commission published turnout figures",
    "the foreign ministry summoned the ambassador",
    "farmers blocked a motorway",
    "the central bank held interest rates",
    "a court adjourned the trial",
    "the navy held exercises",
)


def good_body(i: int) -> str:
    """A distinct, clearly English body for good record ``i`` (distinct text gives distinct ids)."""
    topic = _TOPICS[i % len(_TOPICS)]
    return (
        f"On Monday {topic} in district {i}, officials said. "
        f"The talks, the {i + 1}th of the year, ended without an agreement and will resume next week."
    )


def good_record(i: int) -> dict[str, object]:
    return {"id": f"good-{i}", "title": f"Good story {i}", "text": good_body(i)}


def good_line(i: int) -> bytes:
    return json.dumps(good_record(i)).encode("utf-8")


def split(items: Iterable[Article | Reject]) -> tuple[list[Article], list[Reject]]:
    """Articles and rejects of a read, checking that nothing else is yielded."""
    articles: list[Article] = []
    rejects: list[Reject] = []
    for item in items:
        if isinstance(item, Article):
            articles.append(item)
        else:
            assert isinstance(item, Reject), f"unexpected item {type(item).__name__}"
            assert item.reason.strip(), f"reject without a reason: {item!r}"
            rejects.append(item)
    return articles, rejects


def read_file(*paths: Path, limits: ReadLimits | None = None) -> tuple[list[Article], list[Reject]]:
    """Read files or directories through the public :func:`eventwire.readers.read`."""
    return split(read([str(p) for p in paths], limits=limits))


def read_bytes(
    data: bytes, name: str, limits: ReadLimits | None = None
) -> tuple[list[Article], list[Reject]]:
    return split(read_stream(io.BytesIO(data), name, limits=limits))


def good_ids(articles: Iterable[Article]) -> set[str]:
    """The ``good-N`` source ids among ``articles``."""
    return {a.source_id for a in articles if a.source_id and a.source_id.startswith("good-")}


def store_settings(db: Path, stages: Sequence[str] = CLEAN_ONLY) -> Settings:
    return load_settings(
        overrides={"store.url": f"sqlite:///{db}", "pipeline.stages": json.dumps(list(stages))},
        env={},
    )


def store_inputs(
    inputs: Sequence[str | Path], db: Path, stages: Sequence[str] = CLEAN_ONLY
) -> tuple[IngestStats, dict[str, int]]:
    """Ingest ``inputs`` into a fresh SQLite store with the real pipeline coder; row counts."""
    settings = store_settings(db, stages)
    stats = ingest([str(p) for p in inputs], settings)
    store = open_store(settings.store.url)
    try:
        with store.read() as session:
            counts = count_rows(session)
    finally:
        store.close()
    return stats, counts


#: Peak resident size a child reading a hostile input may reach. Standalone these children peak at
#: 250-400 MB; in a full test run the same child has measured up to ~800 MB (the kernel's page
#: accounting varies with what ran before, e.g. transparent huge pages), so the bound is set well
#: above that and far below what reading a 50 MB line or a bomb whole (several GB) would take.
RSS_BOUND_MB = 1200


def run_capped(code: str, *, timeout: float, memory: int = MEMORY_CAP) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter under ``RLIMIT_AS = memory``; its JSON result.

    The code must ``print(json.dumps(...))`` as its last line of output; the result gets the peak
    resident size of the child (``maxrss_mb``) added.
    """
    prelude = textwrap.dedent(
        f"""
        import json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
        """
    )
    epilogue = textwrap.dedent(
        """
        sys.stdout.flush()
        print("MAXRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
        """
    )
    # A minimal environment: variables that earlier tests or libraries leave in this process
    # (Dask sets thread and allocator settings, for one) must not change the child's footprint.
    env = {
        key: os.environ[key]
        for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
        if key in os.environ
    }
    env["PYTHONPATH"] = str(REPO / "src")
    proc = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code) + epilogue],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert lines[-1].startswith("MAXRSS "), proc.stdout[-2000:]
    result: dict[str, object] = json.loads(lines[-2])
    result["maxrss_mb"] = int(lines[-1].split()[1])
    return result
