"""The common base of the stages: per-article error handling for batch runs.

A stage implements :meth:`BaseStage.process` for one article. :meth:`BaseStage.pipe` applies it to a
stream; when ``on_error == "record"`` an exception on one article is written into that article's
``errors`` and the article goes on down the line (spaCy's ``set_error_handler`` idea), so one bad
article never stops a batch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import ClassVar, Literal

from ..errors import StageError
from ..model import Article, StageErrorRecord

LOGGER = logging.getLogger(__name__)

__all__ = ["BaseStage"]


class BaseStage:
    """Base class: subclasses set ``name`` and implement :meth:`process`."""

    name: ClassVar[str] = "stage"
    #: article fields this stage needs (checked by the pipeline) and fills
    requires: ClassVar[tuple[str, ...]] = ()
    assigns: ClassVar[tuple[str, ...]] = ()

    def __init__(self, on_error: Literal["raise", "record"] = "record") -> None:
        self.on_error = on_error
        self._initialized = False

    def initialize(self) -> None:
        """Load models and data files. Called once, lazily, before the first article."""

    def _ensure_initialized(self) -> None:
        if not self._initialized:
            self.initialize()
            self._initialized = True

    def process(self, article: Article) -> Article:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, article: Article) -> Article:
        self._ensure_initialized()
        return self._guarded(article)

    def _guarded(self, article: Article) -> Article:
        try:
            return self.process(article)
        except Exception as exc:
            return self.handle_error(article, exc)

    def handle_error(self, article: Article, exc: BaseException) -> Article:
        if self.on_error == "raise":
            if isinstance(exc, StageError):
                raise exc
            raise StageError(
                f"{self.name} failed: {type(exc).__name__}: {exc}", stage=self.name, article_id=article.id
            ) from exc
        LOGGER.warning("stage %s failed on article %s: %r", self.name, article.id, exc)
        article.errors.append(
            StageErrorRecord(stage=self.name, reason=f"{type(exc).__name__}: {exc}")
        )
        return article

    def pipe(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Article]:
        self._ensure_initialized()
        for article in articles:
            yield self._guarded(article)
