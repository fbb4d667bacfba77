"""eventwire: raw news articles in, structured and traceable political event data out.

Quick use::

    from eventwire import build_pipeline, read
    pipeline = build_pipeline()
    for article in pipeline.pipe(a for a in read(["news.jsonl"]) if isinstance(a, Article)):
        print(article.to_document()["events"])
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from .config import Settings, load_settings
from .errors import (
    ConfigError,
    EventwireError,
    InputError,
    LexiconError,
    ModelNotFound,
    RecordTooLarge,
    StageError,
    StoreError,
)
from .model import Actor, Article, Event, Place, Quote, Reject, Tone
from .pipeline import Pipeline, build_pipeline, process

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())


def read(inputs: Iterable[str]) -> Iterator[Article | Reject]:
    """Read articles from paths, globs, directories or ``-`` (see :mod:`eventwire.readers`)."""
    from .readers import read as _read

    return _read(inputs)


__all__ = [
    "Actor",
    "Article",
    "ConfigError",
    "Event",
    "EventwireError",
    "InputError",
    "LexiconError",
    "ModelNotFound",
    "Pipeline",
    "Place",
    "Quote",
    "RecordTooLarge",
    "Reject",
    "Settings",
    "StageError",
    "StoreError",
    "Tone",
    "__version__",
    "build_pipeline",
    "load_settings",
    "process",
    "read",
]
