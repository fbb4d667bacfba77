"""The line of stages that turns read articles into coded document objects."""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import platform
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from .config import Settings, load_settings
from .errors import ConfigError
from .model import Article, Reject
from .registry import Stage, get_stage

LOGGER = logging.getLogger(__name__)

__all__ = [
    "READER_FIELDS",
    "Pipeline",
    "build_pipeline",
    "collector_tuned",
    "freeze_loaded_data",
    "process",
    "tune_allocator",
]

#: Fields every reader fills; stages may require them without an earlier stage assigning them.
READER_FIELDS: frozenset[str] = frozenset(
    {"id", "source", "source_id", "title", "text", "published", "url", "image_url", "language", "paragraphs"}
)


@dataclass
class Pipeline:
    """An ordered list of stages, checked for ``requires``/``assigns`` order at construction."""

    stages: list[tuple[str, Stage]]
    settings: Settings
    names: list[str] = field(default_factory=list)
    #: Before the first article of :meth:`pipe`, initialise every stage and move what is alive
    #: then (models, knowledge base, lexicons, gazetteer: ~500,000 objects) out of the cyclic
    #: garbage collector's reach with :func:`gc.freeze`, once per process (see
    #: :func:`freeze_loaded_data`). Set to False in a host program that must keep every object
    #: collectable; it also leaves the collector's thresholds alone (see :func:`collector_tuned`).
    freeze_gc: bool = True
    _prepared: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        self.names = [name for name, _ in self.stages]
        available = set(READER_FIELDS)
        for name, _ in self.stages:
            factory = get_stage(name)
            missing = [r for r in factory.requires if r not in available]
            if missing:
                raise ConfigError(
                    f"stage {name} requires {', '.join(missing)}, which no earlier stage assigns "
                    f"(order: {' -> '.join(self.names)})"
                )
            available.update(factory.assigns)

    def __call__(self, article: Article) -> Article:
        for _, stage in self.stages:
            article = stage(article)
        return article

    def pipe(self, articles: Iterable[Article], batch_size: int | None = None) -> Iterator[Article]:
        """Run all stages over a stream of articles, lazily and in batches."""
        size = batch_size or self.settings.nlp.batch_size
        stream: Iterable[Article] = self._prepared_stream(articles)
        for _, stage in self.stages:
            stream = stage.pipe(stream, batch_size=size)
        threshold = self.settings.pipeline.gc_threshold if self.freeze_gc else 0
        with collector_tuned(threshold):
            for article in stream:
                article.parse = None  # the parse is stage-internal state; free it once coded
                yield article

    def _prepared_stream(self, articles: Iterable[Article]) -> Iterator[Article]:
        """``articles``, with the stages initialised (and the loaded data frozen) before the first."""
        for article in articles:
            if not self._prepared:
                for _, stage in self.stages:
                    initialize = getattr(stage, "_ensure_initialized", None)
                    if initialize is not None:
                        initialize()
                if self.freeze_gc:
                    freeze_loaded_data()
                if self.settings.pipeline.tune_malloc:
                    tune_allocator()
                self._prepared = True
            yield article

    def pipe_records(
        self, records: Iterable[Article | Reject], batch_size: int | None = None
    ) -> Iterator[Article | Reject]:
        """Like :meth:`pipe`, but passes rejects through in stream order (approximately: a
        reject is yielded when it is met, articles when their batch is done)."""
        rejects: deque[Reject] = deque()

        def articles_only() -> Iterator[Article]:
            for record in records:
                if isinstance(record, Reject):
                    rejects.append(record)
                else:
                    yield record

        for article in self.pipe(articles_only(), batch_size=batch_size):
            while rejects:
                yield rejects.popleft()
            yield article
        yield from rejects


_FROZEN: list[bool] = [False]


def freeze_loaded_data() -> None:
    """Exempt every object alive now from the cyclic garbage collector, once per process.

    The stages' models and data (knowledge base, lexicons, gazetteer, language profiles) are
    hundreds of thousands of long-lived objects. Each parse creates and drops tens of thousands of
    tokens, which soon trigger full collections, and every full collection traversed all of that
    data again: about 5% of the pipeline's time. Reference counting still frees frozen objects; only
    reference cycles among them would never be collected, hence a collection first, so that
    garbage is not frozen with the live data.
    """
    if _FROZEN[0]:
        return
    gc.collect()
    gc.freeze()
    _FROZEN[0] = True


class _CollectorTuning:
    """Who holds the raised threshold (:func:`collector_tuned`), and what it replaced."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.saved: tuple[int, int, int] | None = None


_TUNING = _CollectorTuning()


@contextmanager
def collector_tuned(young: int) -> Iterator[None]:
    """Raise the garbage collector's generation-0 threshold to ``young`` inside the block.

    A parse allocates tens of thousands of container objects (spaCy's and our tokens) that die by
    reference counting; at Python's default threshold (700 net allocations) they trigger several
    young collections per article and a full one every few dozen articles, which together cost
    about 1% of the pipeline's time while finding almost no cyclic garbage (a few hundred objects
    per thousand articles). The setting is process-wide: nested or concurrent blocks share it, and
    the thresholds found at the first entry are restored when the last block exits. A threshold
    below the current one, or 0, changes nothing.
    """
    if young <= 0:
        yield
        return
    with _TUNING.lock:
        if _TUNING.depth == 0:
            saved = gc.get_threshold()
            _TUNING.saved = saved
            if young > saved[0]:
                gc.set_threshold(young, saved[1], saved[2])
        _TUNING.depth += 1
    try:
        yield
    finally:
        with _TUNING.lock:
            _TUNING.depth -= 1
            if _TUNING.depth == 0 and _TUNING.saved is not None:
                gc.set_threshold(*_TUNING.saved)
                _TUNING.saved = None


#: glibc ``mallopt`` parameters (``malloc.h``) and the values :func:`tune_allocator` sets
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: the largest value glibc accepts on 64-bit systems
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 256 * 1024 * 1024
_TUNED: list[bool] = [False]


def tune_allocator() -> bool:
    """Make glibc's malloc keep the memory of one batch for the next, once per process.

    Each spaCy batch allocates, then frees, tens of megabytes of arrays (the parser's features,
    about 4 KiB per token). By default glibc serves the larger ones with fresh ``mmap`` calls
    and gives freed memory at the top of the heap back to the kernel, so every batch faulted its
    working memory in again, page by page: about 600 page faults per article in the pipeline and
    8-10% of the run time (system time, and the user time of touching fresh pages). With blocks
    up to 32 MiB served from the heap (``M_MMAP_THRESHOLD``) and up to 256 MiB of free heap kept
    (``M_TRIM_THRESHOLD``), the next batch reuses the pages: about 15 faults per article. The peak
    memory stays that of the largest batch; the resident size no longer drops between batches.

    Returns whether the settings were applied (False off glibc, e.g. on macOS or musl, or when
    ``MALLOC_TRIM_THRESHOLD_``/``MALLOC_MMAP_THRESHOLD_`` are set: the user's choice wins).
    """
    if os.environ.get("MALLOC_TRIM_THRESHOLD_") or os.environ.get("MALLOC_MMAP_THRESHOLD_"):
        return False
    if _TUNED[0]:
        return True
    if sys.platform != "linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        applied = bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
            libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
        )
    except (OSError, AttributeError):  # no such library or symbol
        return False
    _TUNED[0] = applied
    if applied:
        LOGGER.debug("malloc: mmap threshold %d, trim threshold %d", MMAP_THRESHOLD, TRIM_THRESHOLD)
    return applied


def build_pipeline(
    settings: Settings | None = None,
    *,
    stages: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
) -> Pipeline:
    """Instantiate the configured stages (``settings.pipeline.stages`` unless ``stages`` is given)."""
    settings = settings or load_settings()
    names = [n for n in (stages or settings.pipeline.stages) if n not in exclude]
    built: list[tuple[str, Stage]] = []
    for name in names:
        factory = get_stage(name)
        built.append((name, factory.factory(settings)))
    return Pipeline(stages=built, settings=settings)


def process(
    inputs: Iterable[str], settings: Settings | None = None
) -> Iterator[Article | Reject]:
    """Read ``inputs`` (paths, globs, directories, ``-``) and code every article."""
    from .readers import read

    pipeline = build_pipeline(settings)
    yield from pipeline.pipe_records(read(inputs), batch_size=pipeline.settings.nlp.batch_size)
