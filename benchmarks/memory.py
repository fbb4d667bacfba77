"""Peak memory of ``eventwire ingest``: is it flat in the input size (streaming)?

    python benchmarks/memory.py [--sizes 1000 10000] [--quick] [--seed S] [--workers N]

For each size, the fixed seeded sample (``_sample.py``) is written to a JSON Lines file and
``python -m eventwire ingest FILE --db sqlite:///...`` runs on it in a subprocess, with a fresh
database. The child's peak RSS comes from ``os.wait4`` (``ru_maxrss``, the kernel's own high-water
mark); /proc/PID/status is polled as well to show the RSS over time (at 10 %, 50 % and 100 % of the
run), so that a slow leak shows as a slope even when the peak is dominated by the model. Target:
the peak at the largest size within 10 % of the peak at the smallest.

    python benchmarks/memory.py --trace 2000 [--frames 12] [--top 20]

``--trace N`` explains a slope instead: it ingests the N-article sample *in this process*, streamed
from the file by the package's reader (the harness holds no articles), starts ``tracemalloc`` after
the batch that crosses 25 % of the input (model loading and warm-up are over by then, and tracing
slows spaCy several times over) and snapshots after the last batch: what the snapshot holds is
what was allocated during the last 75 % and is still alive, i.e. the growth, printed grouped by
traceback, with the RSS and traced memory after every batch. Allocations outside Python's
allocator (SQLite's page cache, BLAS) show in the RSS only.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _sample import DEFAULT_SEED, write_sample

TARGET = 0.10


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def measure(path: Path, db: Path, workers: int) -> dict[str, float]:
    """Run ``eventwire ingest`` on ``path``; peak RSS (MiB), RSS timeline, seconds."""
    cmd = [sys.executable, "-m", "eventwire", "ingest", str(path), "--db", f"sqlite:///{db}", "-q"]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    samples: list[tuple[float, int]] = []
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            value = rss_kib(proc.pid)
            if value is not None:
                samples.append((time.monotonic() - start, value))
            done.wait(0.25)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    poller.join()
    elapsed = time.monotonic() - start
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: some records were rejected, which is not a failure here
        raise SystemExit(f"ingest failed ({code}):\n{stderr}")

    def at(fraction: float) -> float:
        cutoff = elapsed * fraction
        before = [kib for t, kib in samples if t <= cutoff]
        return max(before) / 1024 if before else 0.0

    def now(fraction: float) -> float:
        # the RSS at that moment (not the high-water mark): the steady state after the start-up
        # peak of model loading and the first batches, whose slope is the leak
        cutoff = elapsed * fraction
        before = [kib for t, kib in samples if t <= cutoff]
        return before[-1] / 1024 if before else 0.0

    return {
        "peak_mib": usage.ru_maxrss / 1024,
        "rss_10": at(0.10),
        "rss_50": at(0.50),
        "rss_100": at(1.0),
        "now_50": now(0.50),
        "now_95": now(0.95),
        "seconds": elapsed,
        "summary": stderr.strip().splitlines()[-1] if stderr.strip() else "",  # type: ignore[dict-item]
    }


def trace(n: int, seed: int, data: Path | None, frames: int, top: int) -> int:
    """Ingest ``n`` articles in this process under tracemalloc; print what grew from 25 % to 100 %."""
    from eventwire.config import load_settings
    from eventwire.readers import read
    from eventwire.storage.ingest import IngestStats, ingest_records

    tmp = Path(tempfile.mkdtemp(prefix="eventwire-memtrace-"))
    path = write_sample(tmp / f"sample-{n}.jsonl", n, seed, data)
    settings = load_settings(env={})
    url = f"sqlite:///{tmp / 'events.db'}"
    settings = settings.model_copy(update={"store": settings.store.model_copy(update={"url": url})})
    begin = max(1, n // 4)
    snapshot: list[tracemalloc.Snapshot] = []
    start = time.monotonic()

    def on_batch(stats: IngestStats) -> None:
        done = stats.read + stats.rejected
        if done >= begin and not tracemalloc.is_tracing():
            gc.collect()
            tracemalloc.start(frames)
        traced = tracemalloc.get_traced_memory()[0] / 2**20
        rss = (rss_kib(os.getpid()) or 0) / 1024
        print(
            f"  {time.monotonic() - start:7.1f} s  {done:6d} records  RSS {rss:7.1f} MiB  "
            f"traced {traced:7.1f} MiB",
            flush=True,
        )

    stats = ingest_records(read([str(path)]), settings, progress=on_batch)
    if not tracemalloc.is_tracing():
        raise SystemExit("too few batches to start tracing; use a larger N")
    gc.collect()
    snapshot.append(
        tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    )
    tracemalloc.stop()
    print(f"ingest: {stats.as_dict()}")
    grown = snapshot[0].statistics("traceback")
    total = sum(st.size for st in grown)
    print(
        f"\nstill allocated at the end, allocated after record {begin} of {n}: "
        f"{total / 2**20:.2f} MiB ({total / (n - begin):.0f} bytes per record); "
        f"top {top} by traceback:"
    )
    for st in grown[:top]:
        print(f"\n{st.size / 1024:10.1f} KiB {st.count:8d} blocks")
        for line in st.traceback.format(limit=frames, most_recent_first=True):
            print(f"    {line}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--quick", action="store_true", help="200 and 400 articles")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--data", type=Path, default=None, help="folder of *.jsonl corpora")
    parser.add_argument("--workers", type=int, default=1, help="ingest --workers")
    parser.add_argument(
        "--parallel",
        action="store_true",
        help="run the sizes at the same time (peaks stay per run)",
    )
    parser.add_argument("--trace", type=int, default=0, help="tracemalloc N articles in-process")
    parser.add_argument("--frames", type=int, default=12, help="traceback depth for --trace")
    parser.add_argument("--top", type=int, default=20, help="tracebacks shown by --trace")
    args = parser.parse_args(argv)
    if args.trace:
        return trace(args.trace, args.seed, args.data, args.frames, args.top)
    sizes = [200, 400] if args.quick else sorted(args.sizes)
    tmp = Path(tempfile.mkdtemp(prefix="eventwire-memory-"))
    results: dict[int, dict[str, float]] = {}
    paths = {n: write_sample(tmp / f"sample-{n}.jsonl", n, args.seed, args.data) for n in sizes}

    def run(n: int) -> None:
        results[n] = measure(paths[n], tmp / f"events-{n}.db", args.workers)

    if args.parallel:
        threads = [threading.Thread(target=run, args=(n,)) for n in sizes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for n in sizes:
            run(n)
    for n in sizes:
        if n not in results:
            raise SystemExit(f"the run with {n} articles failed")
        result = results[n]
        print(
            f"{n:6d} articles: peak RSS {result['peak_mib']:7.1f} MiB "
            f"(RSS at 10% {result['rss_10']:.1f}, 50% {result['rss_50']:.1f}, "
            f"100% {result['rss_100']:.1f} MiB), {result['seconds']:.0f} s, "
            f"{n / result['seconds']:.1f} articles/s",
            flush=True,
        )
        print(
            f"        current RSS at 50% {result['now_50']:.1f} MiB, at 95% {result['now_95']:.1f} "
            f"MiB: {1024 * (result['now_95'] - result['now_50']) / (0.45 * n):+.1f} KiB per "
            f"article in the steady state (time-based, so approximate)",
            flush=True,
        )
        print(f"        {result['summary']}", flush=True)
    small, large = results[sizes[0]], results[sizes[-1]]
    growth = large["peak_mib"] / small["peak_mib"] - 1
    verdict = "ok (flat)" if growth <= TARGET else f"NOT flat (target <= {TARGET:.0%})"
    print(
        f"\npeak RSS {sizes[-1]} vs {sizes[0]} articles: {growth:+.1%} "
        f"({large['peak_mib'] - small['peak_mib']:+.1f} MiB) -> {verdict}"
    )
    per_k = (large["peak_mib"] - small["peak_mib"]) / ((sizes[-1] - sizes[0]) / 1000)
    print(f"slope: {per_k:+.2f} MiB per 1000 articles")
    return 0 if growth <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
