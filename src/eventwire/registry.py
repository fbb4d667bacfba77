"""Versioned names → stage factories.

A stage registers under a versioned name (``eventwire.actors.resolver.v1``) with the article fields
it ``requires`` and ``assigns``, so that the pipeline can check the order of its stages before
running anything (as spaCy's ``analyze_pipes`` does).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from .errors import ConfigError
from .model import Article

__all__ = ["STAGES", "Stage", "StageFactory", "get_stage", "register_stage", "registered_stages"]


F = TypeVar("F", bound=Callable[..., Any])


@runtime_checkable
class Stage(Protocol):
    """A pipeline stage: a callable ``Article -> Article`` with a batched ``pipe``."""

    name: str

    def __call__(self, article: Article) -> Article: ...

    def pipe(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Article]: ...


@dataclass(frozen=True)
class StageFactory:
    name: str
    factory: Callable[..., Any]
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    module: str


STAGES: dict[str, StageFactory] = {}

# Modules that register the built-in stages; imported lazily so that importing eventwire stays cheap.
_BUILTIN_MODULES: dict[str, str] = {
    "eventwire.clean.v1": "eventwire.stages.clean",
    "eventwire.nlp.spacy.v1": "eventwire.stages.nlp",
    "eventwire.actors.resolver.v1": "eventwire.stages.actors",
    "eventwire.events.coder.v1": "eventwire.stages.events",
    "eventwire.quotes.v1": "eventwire.stages.quotes",
    "eventwire.places.v1": "eventwire.stages.places",
    "eventwire.tone.vader.v1": "eventwire.stages.tone",
}


def register_stage(
    name: str, *, requires: Iterable[str] = (), assigns: Iterable[str] = ()
) -> Callable[[F], F]:
    """Class/function decorator registering a stage factory under a versioned name."""

    def decorator(factory: F) -> F:
        STAGES[name] = StageFactory(
            name=name,
            factory=factory,
            requires=tuple(requires),
            assigns=tuple(assigns),
            module=getattr(factory, "__module__", ""),
        )
        return factory

    return decorator


def get_stage(name: str) -> StageFactory:
    """The factory registered under ``name`` (importing the built-in module that defines it)."""
    if name not in STAGES and name in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[name])
    try:
        return STAGES[name]
    except KeyError:
        known = ", ".join(sorted(set(STAGES) | set(_BUILTIN_MODULES)))
        raise ConfigError(f"unknown stage {name!r}; known stages: {known}") from None


def registered_stages() -> dict[str, StageFactory]:
    """All stages, the built-in ones imported."""
    for name in _BUILTIN_MODULES:
        get_stage(name)
    return dict(STAGES)


def make_stage(name: str, *args: Any, **config: Any) -> Stage:
    """Instantiate the stage registered under ``name``."""
    stage: Stage = get_stage(name).factory(*args, **config)
    return stage
