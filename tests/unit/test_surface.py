"""Snapshots of the public surface: the package's ``__all__`` and the stage registry."""

from __future__ import annotations

import eventwire
from eventwire.registry import registered_stages


def test_surface_exported_members() -> None:
    assert eventwire.__all__ == sorted(eventwire.__all__)
    assert set(eventwire.__all__) == {
        "Actor", "Article", "ConfigError", "Event", "EventwireError", "InputError", "LexiconError",
        "ModelNotFound", "Pipeline", "Place", "Quote", "RecordTooLarge", "Reject", "Settings",
        "StageError", "StoreError", "Tone", "__version__", "build_pipeline", "load_settings",
        "process", "read",
    }
    for name in eventwire.__all__:
        assert hasattr(eventwire, name), name


def test_surface_stage_registry_snapshot() -> None:
    stages = registered_stages()
    snapshot = {name: (f.requires, f.assigns) for name, f in stages.items()}
    assert snapshot == {
        "eventwire.clean.v1": (("text",), ("flags", "language")),
        "eventwire.nlp.spacy.v1": (("text",), ("parse",)),
        "eventwire.actors.resolver.v1": (("parse",), ("actors",)),
        "eventwire.events.coder.v1": (("parse", "actors"), ("events",)),
        "eventwire.quotes.v1": (("parse", "actors"), ("quotes",)),
        "eventwire.places.v1": (("parse", "actors"), ("places",)),
        "eventwire.tone.vader.v1": (("text",), ("tone",)),
    }
