"""The typed document model that flows through every pipeline stage.

One :class:`Article` is created by a reader and handed from stage to stage; each stage fills its own
part (``parse``, ``actors``, ``events``, ``quotes``, ``places``, ``tone``) and never adds ad-hoc keys.
:meth:`Article.to_document` produces the *document object*, the output contract shared by the CLI,
the store, the API and ``eval``::

    {"id", "source", "source_id", "title", "published", "url", "image_url", "language", "flags",
     "actors", "events", "quotes", "places", "tone", "errors"}

The dependency parse produced by the NLP stage is held in the stage-owned :class:`Parse` (plain
slotted dataclasses, cheap to build for every token); it is not part of the document object and is
excluded from JSON serialisation.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DOCUMENT_KEYS",
    "Actor",
    "Article",
    "Cameo",
    "Entity",
    "Event",
    "EventArg",
    "Flag",
    "Location",
    "Mention",
    "Modality",
    "NounChunk",
    "Paragraph",
    "Parse",
    "Place",
    "Plover",
    "Quote",
    "Reject",
    "Sentence",
    "SentenceTone",
    "Span",
    "Speaker",
    "StageErrorRecord",
    "Token",
    "Tone",
    "article_id",
    "normalise_for_id",
]

Modality = Literal["asserted", "intent", "conditional", "hypothetical", "negated", "question"]

DOCUMENT_KEYS: tuple[str, ...] = (
    "id",
    "source",
    "source_id",
    "title",
    "published",
    "url",
    "image_url",
    "language",
    "flags",
    "actors",
    "events",
    "quotes",
    "places",
    "tone",
    "errors",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


# ---------------------------------------------------------------------------------------------
# Small value types
# ---------------------------------------------------------------------------------------------


class Span(_Model):
    """A piece of the article text with character offsets into :attr:`Article.text`."""

    text: str
    start: int
    end: int


class Mention(_Model):
    """One occurrence of an actor or place in the text."""

    text: str
    start: int
    end: int
    sentence: int | None = None


class Flag(_Model):
    """A quality flag, e.g. ``headline_mismatch`` or ``near_duplicate_of`` (detail = other id)."""

    name: str
    detail: str | None = None
    score: float | None = None


class StageErrorRecord(_Model):
    """A problem a stage met on this article that did not stop it (e.g. skipped by the coder)."""

    stage: str
    reason: str


class Paragraph(_Model):
    start: int
    end: int


# ---------------------------------------------------------------------------------------------
# Actors
# ---------------------------------------------------------------------------------------------


class Actor(_Model):
    """An actor of the article: a person, country, organisation, armed group or generic agent.

    ``country`` is an ISO 3166 alpha-3 code (CAMEO quirks documented in the KB), ``org`` an
    international-organisation code, ``sector`` a CAMEO/PLOVER sector code (GOV, MIL, REB, ...).
    """

    id: str
    name: str
    kb_id: str | None = None
    type: Literal["person", "country", "organization", "group", "agent"] = "agent"
    country: str | None = None
    org: str | None = None
    sector: str | None = None
    role: str | None = None
    resolved: bool = False
    confidence: float = 0.0
    reason: str = ""
    mentions: list[Mention] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------


class EventArg(_Model):
    """Source or target of an event: the actor id plus the span and codes used."""

    actor: str | None = None
    text: str
    start: int
    end: int
    country: str | None = None
    org: str | None = None
    sector: str | None = None


class Plover(_Model):
    type: str
    mode: str | None = None
    context: list[str] = Field(default_factory=list)


class Cameo(_Model):
    code: str
    root: str


class Location(_Model):
    name: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


class Event(_Model):
    """One dyadic (or monadic) event with its codes, modality and provenance."""

    id: str
    group: str | None = None
    sentence: int
    source: EventArg
    target: EventArg | None = None
    plover: Plover
    cameo: Cameo
    goldstein: float | None = None
    quad_class: int | None = None
    modality: Modality = "asserted"
    date: str | None = None
    location: Location | None = None
    trigger: Span
    confidence: float = 0.0
    reason: str = ""


# ---------------------------------------------------------------------------------------------
# Quotes, places, tone
# ---------------------------------------------------------------------------------------------


class Speaker(_Model):
    actor: str | None = None
    name: str | None = None
    text: str
    start: int
    end: int
    country: str | None = None
    sector: str | None = None


class Quote(_Model):
    id: str
    text: str
    start: int
    end: int
    direct: bool = True
    speaker: Speaker | None = None
    cue: Span | None = None
    reason: str = ""


class Place(_Model):
    id: str
    name: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = None
    feature: Literal["city", "country", "region", "landmark"] | None = None
    mentions: list[Mention] = Field(default_factory=list)


class SentenceTone(_Model):
    sentence: int
    compound: float


class Tone(_Model):
    """VADER scores for the article plus a GDELT-style average tone on a -100..100 scale."""

    compound: float = 0.0
    positive: float = 0.0
    negative: float = 0.0
    neutral: float = 0.0
    average_tone: float = 0.0
    sentences: list[SentenceTone] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# The parse (owned by the NLP stage, not serialised)
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Token:
    """One token of the parse. ``i`` and ``head`` are article-level token indices; ``start`` and
    ``end`` are character offsets into :attr:`Article.text`."""

    i: int
    text: str
    start: int
    end: int
    lemma: str
    pos: str
    tag: str
    dep: str
    head: int
    sent: int
    ent_type: str = ""
    ent_iob: str = "O"
    morph: str = ""


@dataclass(slots=True)
class Entity:
    label: str
    text: str
    start: int
    end: int
    tok_start: int
    tok_end: int
    sentence: int


@dataclass(slots=True)
class NounChunk:
    text: str
    start: int
    end: int
    tok_start: int
    tok_end: int
    root: int
    sentence: int


@dataclass(slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    tok_start: int
    tok_end: int


@dataclass(slots=True)
class Parse:
    """The dependency parse in the project's own types.

    The NLP stage converts spaCy's ``Doc`` into these so that later stages (and their unit tests)
    need neither spaCy nor a model: a test can build a ``Parse`` by hand.
    """

    tokens: list[Token] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    noun_chunks: list[NounChunk] = field(default_factory=list)
    model: str = ""
    _children: list[list[int]] | None = field(default=None, repr=False)

    def children(self, i: int) -> list[int]:
        """Token indices whose head is token ``i`` (in text order)."""
        kids = self._children
        if kids is None:
            kids = self.children_lists()
        return kids[i]

    def children_lists(self) -> list[list[int]]:
        """:meth:`children` of every token, indexed by token (built once; do not modify)."""
        if self._children is None:
            kids: list[list[int]] = [[] for _ in self.tokens]
            for tok in self.tokens:
                if tok.head != tok.i:
                    kids[tok.head].append(tok.i)
            self._children = kids
        return self._children

    def sentence_tokens(self, index: int) -> list[Token]:
        sent = self.sentences[index]
        return self.tokens[sent.tok_start : sent.tok_end]

    def subtree(self, i: int) -> Iterator[int]:
        """All token indices in the subtree of ``i`` (including ``i``), in text order."""
        stack = [i]
        seen: list[int] = []
        while stack:
            j = stack.pop()
            seen.append(j)
            stack.extend(self.children(j))
        yield from sorted(seen)

    def sentence_at(self, char: int) -> int | None:
        """Index of the sentence containing character offset ``char``."""
        lo, hi = 0, len(self.sentences) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            s = self.sentences[mid]
            if char < s.start:
                hi = mid - 1
            elif char >= s.end:
                lo = mid + 1
            else:
                return mid
        return None


# ---------------------------------------------------------------------------------------------
# Article and Reject
# ---------------------------------------------------------------------------------------------

_WS = re.compile(r"\s+")


def normalise_for_id(text: str) -> str:
    """Normalise text for hashing: NFKC, case-folded, whitespace collapsed."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def article_id(title: str | None, text: str) -> str:
    """A stable article id: the first 16 hex digits of SHA-256 over the normalised body text
    (the title when there is no body), so that the same story read from any format gets the same id."""
    basis = normalise_for_id(text) or normalise_for_id(title or "")
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


class Article(_Model):
    """One news article and everything the stages learn about it."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    id: str
    source: str = ""
    position: int | None = None
    source_id: str | None = None
    title: str | None = None
    text: str = ""
    published: datetime | None = None
    url: str | None = None
    image_url: str | None = None
    outlet: str | None = None
    language: str | None = None
    flags: list[Flag] = Field(default_factory=list)
    paragraphs: list[Paragraph] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    tone: Tone = Field(default_factory=Tone)
    errors: list[StageErrorRecord] = Field(default_factory=list)
    #: what coded this article: stage name -> version of its model or data files
    versions: dict[str, str] = Field(default_factory=dict)
    parse: Parse | None = Field(default=None, exclude=True, repr=False)

    @classmethod
    def create(
        cls,
        text: str,
        *,
        title: str | None = None,
        source: str = "",
        position: int | None = None,
        **fields: Any,
    ) -> Article:
        """Build an article, computing its stable id and paragraph offsets."""
        paragraphs = fields.pop("paragraphs", None)
        if paragraphs is None:
            paragraphs = split_paragraphs(text)
        return cls(
            id=article_id(title, text),
            title=title,
            text=text,
            source=source,
            position=position,
            paragraphs=paragraphs,
            **fields,
        )

    def has_flag(self, name: str) -> bool:
        return any(f.name == name for f in self.flags)

    def add_flag(self, name: str, detail: str | None = None, score: float | None = None) -> None:
        if not self.has_flag(name):
            self.flags.append(Flag(name=name, detail=detail, score=score))

    @property
    def sentences(self) -> list[Sentence]:
        return self.parse.sentences if self.parse is not None else []

    def to_document(self) -> dict[str, Any]:
        """The document object (output contract); timestamps in ISO 8601."""
        data = self.model_dump(mode="json", exclude={"parse"})
        doc = {key: data[key] for key in DOCUMENT_KEYS}
        doc["outlet"] = data["outlet"]
        doc["text"] = data["text"]
        doc["paragraphs"] = data["paragraphs"]
        doc["position"] = data["position"]
        doc["versions"] = data["versions"]
        return doc

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Article:
        """Inverse of :meth:`to_document` (extra keys of older/newer versions are ignored)."""
        known = set(cls.model_fields) - {"parse"}
        return cls.model_validate({k: v for k, v in doc.items() if k in known})


_PARA = re.compile(r"\n\s*\n|\n")


def split_paragraphs(text: str) -> list[Paragraph]:
    """Paragraph offsets: paragraphs are separated by one or more line breaks."""
    out: list[Paragraph] = []
    pos = 0
    for m in _PARA.finditer(text):
        if text[pos : m.start()].strip():
            out.append(_trimmed(text, pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        out.append(_trimmed(text, pos, len(text)))
    return out


def _trimmed(text: str, start: int, end: int) -> Paragraph:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Paragraph(start=start, end=end)


class Reject(_Model):
    """An input record that could not be read: where it came from and why."""

    source: str
    position: int | None = None
    reason: str
    stage: str = "read"
    article_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
