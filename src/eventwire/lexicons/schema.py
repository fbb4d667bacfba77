"""Pydantic schemas for the ontology tables and the event pattern lexicon.

The data files under ``eventwire/data/ontology`` and ``eventwire/data/lexicon`` are validated against
these models when they are loaded (see :mod:`eventwire.lexicons.load`); unknown keys are rejected.

Pattern semantics (the contract with the event coder):

* ``kind: verb`` - ``lemma`` is the governing verb (spaCy lemma, lowercase). ``particle`` is a
  required phrasal particle (``crack down``), ``prep``/``preps`` a preposition that must attach to the
  head (``meet with``). ``object`` constrains the head lemma of the direct object; when the pattern
  has ``preps`` and the target is *not* that preposition's object (``target`` is ``none``/``dobj``/
  ``iobj``), ``object`` constrains the preposition's object instead ("call *for* sanctions",
  "accuse X *of* corruption", "threaten X *with* sanctions" keeps the dobj as target and checks the
  with-object); :meth:`Pattern.object_slot` says which. ``target`` names the dependent that supplies the target
  actor: ``dobj``, ``pobj`` (object of one of ``preps``), ``iobj``, or ``none`` (monadic event, no
  target). ``passive`` allows the pattern to fire in the passive voice ("X was attacked by Y":
  source = agent, target = subject). ``intransitive: true`` (only with ``target: none``) makes
  the pattern fire only when the verb has no direct object: the monadic reading of a verb that
  also has a transitive sense ("the talks *collapsed*" vs "*collapsed* the coalition").
* ``plover``/``plover_mode`` override the PLOVER type and mode that the CAMEO code's ontology row
  gives, for acts that PLOVER v2 files elsewhere than the CAMEO-to-PLOVER table (a resignation is
  CAMEO 0831 but PLOVER RETREAT, mode ``resign``); they apply only while the event keeps the
  pattern's own code (an intended or refused act takes the type of its 03x/12x code). The loader
  checks them against ``plover.yaml``.
* ``kind: noun`` - ``lemma`` is an event noun. ``object`` constrains the head of its ``of`` phrase
  ("suspension of *aid*"); ``preps`` name the preposition whose object is the target ("sanctions
  *on* Iran"); ``target: poss`` means the possessor is the *target* ("Navalny's arrest"), otherwise a
  possessor is read as the source ("Russia's invasion"). ``light_verbs`` lists verbs whose subject
  becomes the source when the noun is their object ("impose sanctions", "hold talks").
* Multiword lemmas and object members are written with ``-`` or a space (``hunger-strike``,
  ``car-bomb``, ``de-escalate``, ``air-defense``); they match a head word whose preceding tokens
  (compounds, hyphen parts) supply the other words - see ``Lexicon.for_phrase`` and the
  ``modifiers`` argument of ``Lexicon.object_matches``.
* Object classes are referenced as ``@NAME`` and defined in ``classes.yaml`` (or a user file) as
  ``NAME: [lemma, ..., "@OTHER"]``.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "CLASS_NAME_RE",
    "CODE_RE",
    "CameoCode",
    "ClassesFile",
    "LexiconFile",
    "ModalityRow",
    "Pattern",
    "PloverFile",
    "PloverType",
]

CODE_RE = re.compile(r"^[0-9]{2,4}$")
CLASS_NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_LEMMA_RE = re.compile(r"^[a-z0-9][a-z0-9'\-]*(?: [a-z0-9][a-z0-9'\-]*)*$")
_ID_RE = re.compile(r"^[A-Za-z0-9_.\-:]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CameoCode(_Strict):
    """One CAMEO event code with its scores and PLOVER mapping."""

    code: str
    level: Literal["root", "base", "sub"]
    root: str
    name: str
    goldstein: float | None
    goldstein_source: str = ""
    quad_class: int = Field(ge=1, le=4)
    quad_class_gdelt: int = Field(ge=1, le=4)
    plover_type: str | None
    plover_mode: str | None
    plover_context: list[str]
    plover_source: str = ""

    @field_validator("code", "root")
    @classmethod
    def _code_shape(cls, value: str) -> str:
        if not CODE_RE.match(value):
            raise ValueError(f"not a CAMEO code: {value!r}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CameoCode:
        expected = {"root": 2, "base": 3, "sub": 4}[self.level]
        if len(self.code) != expected:
            raise ValueError(f"level {self.level} needs a {expected}-digit code, got {self.code!r}")
        if not self.code.startswith(self.root) or len(self.root) != 2:
            raise ValueError(f"root {self.root!r} does not prefix code {self.code!r}")
        if self.plover_type is None and (self.plover_mode or self.plover_context):
            raise ValueError("plover_mode/plover_context given without plover_type")
        return self


class PloverType(_Strict):
    """One of the 16 PLOVER v2 event types."""

    name: str
    definition: str
    quad: str
    score: float | None
    modes: dict[str, float | None]
    recipient_required: bool = False


class PloverFile(_Strict):
    """``data/ontology/plover.yaml``."""

    version: str
    source: str
    license: str
    known_gaps: str
    quads: dict[str, list[str]]
    types: list[PloverType]
    contexts: list[str]


class ModalityRow(_Strict):
    """One row of ``data/ontology/modality_maps.tsv``."""

    action_code: str
    intent_code: str | None
    refusal_code: str | None
    note: str | None = None


class Pattern(_Strict):
    """One event pattern of the lexicon; ``id`` becomes the event's ``reason``."""

    id: str
    kind: Literal["verb", "noun"]
    lemma: str
    particle: str | None = None
    prep: str | None = None
    preps: tuple[str, ...] = ()
    object: list[str] | None = None
    target: Literal["dobj", "pobj", "iobj", "none", "poss"]
    cameo: str
    passive: bool = False
    light_verbs: list[str] = Field(default_factory=list)
    intransitive: bool = False
    plover: str | None = None
    plover_mode: str | None = None
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError(f"id {value!r} may only use letters, digits and . _ - :")
        return value

    @field_validator("lemma", "particle")
    @classmethod
    def _lowercase(cls, value: str | None) -> str | None:
        if value is not None and not _LEMMA_RE.match(value):
            raise ValueError(f"{value!r} must be a lowercase lemma")
        return value

    @field_validator("light_verbs")
    @classmethod
    def _lowercase_list(cls, value: list[str]) -> list[str]:
        for item in value:
            if not _LEMMA_RE.match(item):
                raise ValueError(f"light verb {item!r} must be a lowercase lemma")
        return value

    @field_validator("object")
    @classmethod
    def _object_items(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("object must be null or a non-empty list")
        for item in value:
            if item.startswith("@"):
                if not CLASS_NAME_RE.match(item[1:]):
                    raise ValueError(f"bad class reference {item!r}")
            elif not _LEMMA_RE.match(item):
                raise ValueError(f"object lemma {item!r} must be lowercase")
        return value

    @field_validator("cameo")
    @classmethod
    def _cameo_shape(cls, value: str) -> str:
        if not CODE_RE.match(value):
            raise ValueError(f"cameo must be a 2-4 digit code string, got {value!r}")
        return value

    @model_validator(mode="after")
    def _normalise(self) -> Pattern:
        preps = self.preps
        if self.prep is not None:
            parsed = tuple(p.strip() for p in self.prep.split("|"))
            if any(not p or not _LEMMA_RE.match(p) for p in parsed):
                raise ValueError(f"prep {self.prep!r} must be lowercase words separated by '|'")
            if preps and preps != parsed:
                raise ValueError("prep and preps disagree")
            preps = parsed
        if self.target == "pobj" and not preps:
            raise ValueError("target 'pobj' requires prep")
        if self.kind == "verb" and self.target == "poss":
            raise ValueError("target 'poss' is only for noun patterns")
        if self.kind == "noun" and self.target in ("dobj", "iobj"):
            raise ValueError("noun patterns take their target from pobj, poss or none")
        if self.kind == "verb" and self.light_verbs:
            raise ValueError("light_verbs is only for noun patterns")
        if self.intransitive and (self.kind != "verb" or self.target != "none"):
            raise ValueError("intransitive is only for verb patterns with target 'none'")
        if self.intransitive and self.object is not None:
            raise ValueError("an intransitive pattern cannot constrain a direct object")
        if self.plover_mode is not None and self.plover is None:
            raise ValueError("plover_mode needs plover")
        object.__setattr__(self, "preps", preps)
        return self

    def object_slot(self) -> Literal["dobj", "prep", "of"] | None:
        """Which dependent the ``object`` constraint applies to (``None`` when unconstrained).

        * ``"of"`` - noun patterns: the head of the noun's ``of`` phrase ("suspension of *aid*").
        * ``"prep"`` - verb patterns with ``preps`` whose target is not that preposition's object:
          the object of one of ``preps`` ("call for *sanctions*", "accuse X of *corruption*",
          "provide X with *weapons*").
        * ``"dobj"`` - every other verb pattern: the direct object (the subject in the passive).
        """
        if self.object is None:
            return None
        if self.kind == "noun":
            return "of"
        if self.preps and self.target != "pobj":
            return "prep"
        return "dobj"

    def specificity(self) -> int:
        """Rank patterns of one lemma: more constraints give a higher number.

        An object constraint weighs most, then a particle, then a preposition; a more specific
        CAMEO code breaks ties.
        """
        score = 0
        if self.object is not None:
            score += 100 - min(len(self.object), 50)
        if self.particle is not None:
            score += 60
        if self.preps:
            score += 30
        if self.target != "none":
            score += 5
        return score * 10 + len(self.cameo)


class LexiconFile(_Strict):
    """One lexicon YAML file (default data or a user ``--lexicon`` file)."""

    version: str
    source: str
    license: str
    known_gaps: str | list[str] | None = None
    classes: dict[str, list[str]] = Field(default_factory=dict)
    patterns: list[dict[str, object]] = Field(default_factory=list)

    @field_validator("classes")
    @classmethod
    def _class_names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name in value:
            if not CLASS_NAME_RE.match(name):
                raise ValueError(f"class name {name!r} must be UPPER_CASE (used as @{name})")
        return value


ClassesFile = LexiconFile
