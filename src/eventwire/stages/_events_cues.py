"""The modality cue lists of the event coder (``data/lexicon/modality.yaml``), validated at load."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..errors import LexiconError

__all__ = ["MODALITY_FILE", "ModalityCues", "load_cues"]

MODALITY_FILE = "modality.yaml"


def _lower_words(values: list[str]) -> frozenset[str]:
    out: set[str] = set()
    for value in values:
        if not isinstance(value, str) or not value.strip() or value != value.strip().lower():
            raise ValueError(f"cue {value!r} must be a non-empty lowercase word or phrase")
        out.add(value)
    return frozenset(out)


class ModalityCues(BaseModel):
    """Cue words for modality; every list is a set of lowercase lemmas (phrases use a space)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    source: str
    license: str
    known_gaps: str
    intent_verbs: frozenset[str]
    infinitive_intent_verbs: frozenset[str] = frozenset()
    intent_adjectives: frozenset[str]
    intent_nouns: frozenset[str]
    intent_auxiliaries: frozenset[str]
    refusal_verbs: frozenset[str]
    conditional_when_negated: frozenset[str]
    negators: frozenset[str]
    negating_prepositions: frozenset[str]
    negating_verbs: frozenset[str]
    #: negating verbs whose cooperative complement is a refusal ("failed to reach agreement")
    failure_verbs: frozenset[str] = frozenset()
    hedges: frozenset[str]
    hypothetical_markers: frozenset[str]
    temporal_markers: frozenset[str]
    conditional_markers: frozenset[str]
    conditional_verbs: frozenset[str]
    speech_verbs: frozenset[str]
    collective_heads: frozenset[str]
    member_prepositions: frozenset[str]

    @field_validator(
        "intent_verbs",
        "infinitive_intent_verbs",
        "intent_adjectives",
        "intent_nouns",
        "intent_auxiliaries",
        "refusal_verbs",
        "conditional_when_negated",
        "negators",
        "negating_prepositions",
        "negating_verbs",
        "failure_verbs",
        "hedges",
        "hypothetical_markers",
        "temporal_markers",
        "conditional_markers",
        "conditional_verbs",
        "speech_verbs",
        "collective_heads",
        "member_prepositions",
        mode="before",
    )
    @classmethod
    def _words(cls, value: object) -> frozenset[str]:
        if not isinstance(value, list):
            raise ValueError("must be a list of lowercase words")
        return _lower_words(value)


def _parse(name: str, text: str) -> ModalityCues:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise LexiconError(f"invalid YAML: {exc}", path=name, row=row) from exc
    if not isinstance(raw, dict):
        raise LexiconError(
            "the modality file must be a mapping with version/source/license", path=name
        )
    try:
        return ModalityCues.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        row = _row_of(text, str(first["loc"][0])) if first["loc"] else None
        raise LexiconError(f"{where}: {first['msg']}", path=name, row=row) from exc


def _row_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number
    return None


@lru_cache(maxsize=4)
def load_cues(path: str | None = None) -> ModalityCues:
    """Load and validate the modality cues (the packaged file, or ``path``).

    Raises:
        LexiconError: the file is unreadable or invalid (the message names file and row).
    """
    if path is None:
        name = f"eventwire/data/lexicon/{MODALITY_FILE}"
        text = (
            resources.files("eventwire")
            .joinpath(f"data/lexicon/{MODALITY_FILE}")
            .read_text("utf-8")
        )
    else:
        name = path
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise LexiconError(f"cannot read modality file: {exc.strerror}", path=path) from exc
    return _parse(name, text)
