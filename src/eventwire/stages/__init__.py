"""Pipeline stages, one module each: clean, nlp, actors, events, quotes, places, tone."""

from .base import BaseStage

__all__ = ["BaseStage"]
