"""Throughput of the pipeline against bare spaCy, with and without the store.

    python benchmarks/throughput.py [--n 2000] [--quick] [--seed S] [--pg URL] [--profile 25]

Measures, in one run and on the same fixed seeded sample (``_sample.py``, all six corpora):

    (a) bare spaCy ``nlp.pipe`` with the model and components the NLP stage loads
    (b) the full eventwire pipeline (``Pipeline.pipe``), no storage
    (c) ``ingest`` into a fresh SQLite store (single process)
    (d) ``ingest`` into PostgreSQL (``--pg``, else ``EVENTWIRE_BENCH_PG``, else
        ``EVENTWIRE_TEST_PG``; the database is EMPTIED first — point it at a scratch database)
    (g) with ``--gc-baseline``: (a) under the garbage-collector threshold the pipeline sets while
        it runs (``pipeline.gc_threshold``), to show how much of b/a that setting explains

as articles/s and words/s, the ratios b/a, c/a, d/a (targets: b/a >= 0.85, c/a >= 0.80), the
ingest-only overhead of (c) and (d) over the bare pipeline (c - b) with its parts (coding in the
ingest's own coder, the write transactions, the existence checks, the rest), and the
time of every stage of (b) (exclusive: each stage's ``pipe`` is wrapped and its upstream's time
subtracted; the NLP stage is further split into spaCy and the conversion to our ``Parse``).

This machine is shared and its load changes over minutes, so the variants are interleaved: the
sample is cut into rounds (``--round``, 250 articles) and every round runs a, b, c, d in a rotating
order; each variant's time is the sum over rounds. Model loading and a warm-up are excluded.
``--profile N`` profiles (b) with cProfile in a separate, untimed pass afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine

import eventwire.stages.nlp as nlp_module
from eventwire.config import Settings, load_settings
from eventwire.model import Article, Reject
from eventwire.pipeline import Pipeline, build_pipeline, collector_tuned
from eventwire.storage.ingest import Coder, PipelineCoder, ingest_records
from eventwire.storage.repo import Store, count_rows, normalise_url, open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _sample import DEFAULT_SEED, article_words, sample_articles

TARGETS = {"b/a": 0.85, "c/a": 0.80}


def empty_database(url: str) -> None:
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        meta = MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)
    engine.dispose()


class StageClock:
    """Exclusive time per stage of a pipeline, by wrapping each stage's ``pipe``."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.names = [name.split(".")[1] for name, _ in pipeline.stages]
        self.inclusive = [0.0] * len(self.names)
        self.convert = 0.0
        #: the conversion is timed only while (b) runs: the ingest coders of (c) and (d) call the
        #: same module function
        self.active = False
        for k, (_, stage) in enumerate(pipeline.stages):
            stage.pipe = self._wrap(stage.pipe, k)  # type: ignore[method-assign]
        original = nlp_module.doc_to_parse

        def timed_doc_to_parse(doc: Any, model: str = "") -> Any:
            if not self.active:
                return original(doc, model)
            start = time.perf_counter()
            try:
                return original(doc, model)
            finally:
                self.convert += time.perf_counter() - start

        nlp_module.doc_to_parse = timed_doc_to_parse  # type: ignore[assignment]

    def _wrap(
        self, pipe: Callable[..., Iterator[Article]], k: int
    ) -> Callable[..., Iterator[Article]]:
        def timed(articles: Iterable[Article], batch_size: int = 32) -> Iterator[Article]:
            it = pipe(articles, batch_size=batch_size)
            while True:
                start = time.perf_counter()
                try:
                    article = next(it)
                except StopIteration:
                    self.inclusive[k] += time.perf_counter() - start
                    return
                self.inclusive[k] += time.perf_counter() - start
                yield article

        return timed

    def exclusive(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for k, name in enumerate(self.names):
            own = self.inclusive[k] - (self.inclusive[k - 1] if k else 0.0)
            if name == "nlp":
                out["nlp (spaCy)"] = own - self.convert
                out["nlp (Doc -> Parse)"] = self.convert
            else:
                out[name] = own
        return out


class TimedCoder:
    """A coder that adds up the time spent coding (the rest of an ingest is the store's)."""

    def __init__(self, coder: Coder) -> None:
        self.coder = coder
        self.seconds = 0.0

    def __call__(self, articles: list[Article]) -> list[Article]:
        start = time.perf_counter()
        try:
            return self.coder(articles)
        finally:
            self.seconds += time.perf_counter() - start


def copies(articles: list[Article]) -> list[Article | Reject]:
    return [a.model_copy(deep=True) for a in articles]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="articles in the sample")
    parser.add_argument("--quick", action="store_true", help="a 200-article smoke run")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--data", type=Path, default=None, help="folder of *.jsonl corpora")
    parser.add_argument("--round", type=int, default=250, help="articles per interleaved round")
    parser.add_argument("--pg", default=None, help="PostgreSQL URL for (d); it is emptied")
    parser.add_argument("--no-pg", action="store_true", help="skip (d)")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions of (b)")
    parser.add_argument(
        "--gc-baseline",
        action="store_true",
        help="also time (g): bare spaCy under the pipeline's GC threshold (b/g is reported)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    n = 200 if args.quick else args.n
    round_size = min(args.round, 100) if args.quick else args.round

    settings = load_settings(env={})
    articles = sample_articles(n, args.seed, args.data)
    warm = sample_articles(24, args.seed + 1, args.data)
    words = article_words(articles)
    print(f"sample: {len(articles)} articles, {words} words (seed {args.seed})")

    pg_url = (
        None
        if args.no_pg
        else (
            args.pg or os.environ.get("EVENTWIRE_BENCH_PG") or os.environ.get("EVENTWIRE_TEST_PG")
        )
    )
    tmp = Path(tempfile.mkdtemp(prefix="eventwire-throughput-"))
    stores: dict[str, tuple[Store, Settings, TimedCoder]] = {}
    urls = {"c": f"sqlite:///{tmp / 'bench.db'}"}
    if pg_url:
        empty_database(pg_url)
        urls["d"] = pg_url
    for key, url in urls.items():
        s = settings.model_copy(update={"store": settings.store.model_copy(update={"url": url})})
        coder = TimedCoder(PipelineCoder(s))
        coder([a.model_copy(deep=True) for a in warm])
        coder.seconds = 0.0  # the warm-up (model loading) is not part of the measured coding
        stores[key] = (open_store(url), s, coder)

    nlp = nlp_module.load_spacy(settings.nlp.model)
    max_chars = settings.nlp.max_chars
    list(nlp.pipe([a.text[:max_chars] for a in warm], batch_size=settings.nlp.batch_size))
    pipeline = build_pipeline(settings)
    list(pipeline.pipe([a.model_copy(deep=True) for a in warm]))
    pipeline = build_pipeline(settings)  # a fresh near-duplicate index for the measured run
    list(pipeline.pipe([a.model_copy(deep=True) for a in warm[:2]]))  # initialise, not warm state
    clock = StageClock(pipeline)
    profiler = cProfile.Profile() if args.profile else None

    def run_a(chunk: list[Article | Reject]) -> None:
        texts = [a.text[:max_chars] for a in chunk if isinstance(a, Article)]
        for _ in nlp.pipe(texts, batch_size=settings.nlp.batch_size):
            pass

    def run_g(chunk: list[Article | Reject]) -> None:
        # (a) again, under the garbage-collector threshold the pipeline sets while it runs: how
        # much of b/a the pipeline's own GC setting explains (reported, not a target)
        with collector_tuned(settings.pipeline.gc_threshold):
            run_a(chunk)

    def run_b(chunk: list[Article | Reject]) -> None:
        clock.active = True
        try:
            for _ in pipeline.pipe(a for a in chunk if isinstance(a, Article)):
                pass
        finally:
            clock.active = False

    parts: dict[str, dict[str, float]] = {}

    def run_store(key: str) -> Callable[[list[Article | Reject]], None]:
        store, s, coder = stores[key]
        parts[key] = {"write": 0.0, "check": 0.0}

        def run(chunk: list[Article | Reject]) -> None:
            stats = ingest_records(chunk, s, store=store, coder_factory=lambda _: coder)
            if stats.read != len(chunk):
                raise SystemExit(f"({key}) read {stats.read} of {len(chunk)} articles")
            parts[key]["write"] += stats.write_seconds
            parts[key]["check"] += stats.check_seconds

        return run

    variants: dict[str, Callable[[list[Article | Reject]], None]] = {"a": run_a, "b": run_b}
    if args.gc_baseline:
        variants["g"] = run_g
    for key in stores:
        variants[key] = run_store(key)
    seconds = dict.fromkeys(variants, 0.0)
    order = list(variants)
    chunks = [articles[i : i + round_size] for i in range(0, len(articles), round_size)]
    for r, chunk in enumerate(chunks):
        rotated = order[r % len(order) :] + order[: r % len(order)]
        for key in rotated:
            # every variant gets its own fresh copies (the stages fill the articles in place),
            # made outside the timed region: copying is the harness's work, not the pipeline's
            fresh = copies(chunk)
            start = time.perf_counter()
            variants[key](fresh)
            seconds[key] += time.perf_counter() - start
        done = ", ".join(
            f"{k} {len(articles[: (r + 1) * round_size]) / seconds[k]:.1f}/s" for k in order
        )
        print(f"  round {r + 1}/{len(chunks)}: {done}", flush=True)

    labels = {
        "a": "bare spaCy nlp.pipe",
        "b": "eventwire pipeline, no store",
        "g": "bare spaCy, pipeline's GC setting",
        "c": "ingest -> SQLite",
        "d": "ingest -> PostgreSQL",
    }
    print(f"\n{'variant':34} {'seconds':>8} {'articles/s':>11} {'words/s':>9}")
    for key in order:
        t = seconds[key]
        print(f"({key}) {labels[key]:30} {t:8.1f} {len(articles) / t:11.2f} {words / t:9.0f}")
    ratios = {f"{key}/a": seconds["a"] / seconds[key] for key in order if key != "a"}
    if "g" in seconds:
        ratios["b/g"] = seconds["g"] / seconds["b"]
    print()
    for name, value in ratios.items():
        target = TARGETS.get(name)
        verdict = (
            "" if target is None else (" ok" if value >= target else f" BELOW target {target}")
        )
        print(f"ratio {name} = {value:.3f}{verdict}")

    stage_times = clock.exclusive()
    total_b = sum(stage_times.values())
    print(f"\nper-stage time of (b), exclusive ({total_b:.1f} s measured inside the stages):")
    for name, t in stage_times.items():
        print(
            f"  {name:20} {t:8.2f} s {100 * t / total_b:6.1f} %  {1000 * t / len(articles):7.2f} ms/article"
        )
    overheads: dict[str, float] = {}
    if stores:
        print(
            "\ningest-only overhead (same rounds as (b); coding = the ingest's own pipeline, which "
            "skips the clean stage's near-duplicate index of (b); the store's MinHash signature "
            "is in the rest):"
        )
    for key, (store, _, coder) in stores.items():
        total = seconds[key]
        overheads[key] = total - seconds["b"]
        write, check = parts[key]["write"], parts[key]["check"]
        rest = total - coder.seconds - write - check
        with store.read() as session:
            counts = count_rows(session)
        print(
            f"({key}) {total:.1f} s = coding {coder.seconds:.1f} s (vs (b) {seconds['b']:.1f} s) "
            f"+ writes {write:.1f} s ({100 * write / total:.1f} %) + existence checks {check:.2f} s "
            f"+ rest {rest:.2f} s (signatures, index load, copies); {key} - b = "
            f"{overheads[key]:+.1f} s ({100 * overheads[key] / total:+.1f} % of ({key}))"
        )
        print("    rows: " + ", ".join(f"{t} {c}" for t, c in counts.items()))
        store.close()
    if profiler is not None:
        # a separate, untimed pass: the profiler's overhead must not enter the ratios
        profiled = build_pipeline(settings)
        profiler.enable()
        for _ in profiled.pipe([a.model_copy(deep=True) for a in articles[:round_size]]):
            pass
        profiler.disable()
        print(f"\ncProfile of (b) on {round_size} articles, top {args.profile} by own time:")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "articles": len(articles),
                    "words": words,
                    "seconds": seconds,
                    "ratios": ratios,
                    "stages": stage_times,
                    "store_overhead": overheads,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
