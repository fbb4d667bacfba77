"""The exception tree of eventwire.

::

    EventwireError
    ├── InputError          a record or file could not be read (carries source and position)
    │   └── RecordTooLarge  a record exceeded a size limit
    ├── ConfigError         bad settings or command-line values
    ├── LexiconError        a data file (KB, lexicon, ontology) failed validation (names file and row)
    ├── StageError          a pipeline stage failed on one article (carries the article id)
    │   └── ModelNotFound   the spaCy pipeline is not installed
    └── StoreError          the event store failed (connection, migration, integrity)

Like httpx's ``.request``, an error raised while processing one article carries ``article_id``.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "EventwireError",
    "InputError",
    "LexiconError",
    "ModelNotFound",
    "RecordTooLarge",
    "StageError",
    "StoreError",
]


class EventwireError(Exception):
    """Base class of every error eventwire raises on purpose."""

    def __init__(self, message: str, *, article_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.article_id = article_id


class InputError(EventwireError):
    """A record or file could not be read."""

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        position: int | None = None,
        article_id: str | None = None,
    ) -> None:
        super().__init__(message, article_id=article_id)
        self.source = source
        self.position = position


class RecordTooLarge(InputError):
    """A record (or a decompressed stream) exceeded a configured size limit."""


class ConfigError(EventwireError):
    """Invalid settings or command-line values."""


class LexiconError(EventwireError):
    """A data file failed validation; the message names the file and the row."""

    def __init__(self, message: str, *, path: str = "", row: int | None = None) -> None:
        where = f"{path}:{row}" if row is not None else path
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.row = row


class StageError(EventwireError):
    """A pipeline stage failed on one article."""

    def __init__(self, message: str, *, stage: str = "", article_id: str | None = None) -> None:
        super().__init__(message, article_id=article_id)
        self.stage = stage


class ModelNotFound(StageError):
    """The spaCy English pipeline is not installed."""


class StoreError(EventwireError):
    """The event store failed."""
