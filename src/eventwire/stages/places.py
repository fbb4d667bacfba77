"""The places stage: locations named in the text, resolved with the offline gazetteer.

Every GPE, LOC and FAC entity of the parse is looked up in :mod:`eventwire.gazetteer`; mentions of
the same place are grouped into one :class:`~eventwire.model.Place` (ids ``P1``, ``P2``, ... in order
of first mention). Unresolved names are not listed.

A name that acts as an actor in its sentence is not a place *for that mention*:

* the actor stage resolved the span as a metonym ("Washington said" → USA GOV, "Downing Street"
  → GBR GOV): some actor mention covers the entity and the actor's ``reason`` says ``metonym`` —
  unless the name is the object of a verb or preposition ("military assistance with Kiev"): the
  state acts through the name there, but the text still points at the place, so the mention is
  kept (as GDELT geocodes such mentions);
* the entity is the subject of a verb ("Moscow warned", "Russia rejects") or the agent of a
  passive ("was attacked by Russia");
* a country name is a pre-modifier of a noun ("US President", "UK troops"): it classifies the noun
  and names no location.

Ambiguous names prefer the article's countries (those of its actors and of places already named),
then larger populations (see :class:`~eventwire.gazetteer.GeoEntry.score`).

The events stage may leave ``event.location`` with a name but no coordinates; this stage fills
``lat``/``lon`` (and a missing ``country``) from the place of the same name, or from a gazetteer
lookup of that name.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Literal

from ..config import Settings
from ..gazetteer import Gazetteer, GeoEntry, load_gazetteer
from ..kb import name_key
from ..lookup import MentionIndex
from ..model import Article, Entity, Mention, Parse, Place
from ..registry import register_stage
from .base import BaseStage

LOGGER = logging.getLogger(__name__)

__all__ = ["PLACE_LABELS", "PlaceStage", "acts_as_actor"]

#: spaCy entity labels that can name a place.
PLACE_LABELS: frozenset[str] = frozenset({"GPE", "LOC", "FAC"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod"})
_OBLIQUE_DEPS = frozenset({"pobj", "dobj", "dative"})
#: Untagged proper nouns are accepted as city names only for cities at least this large.
_UNTAGGED_MIN_POPULATION = 1_000_000


def _entity_root(parse: Parse, ent: Entity) -> int:
    """The entity token whose head lies outside the entity (its syntactic root)."""
    for i in range(ent.tok_start, ent.tok_end):
        head = parse.tokens[i].head
        if head == i or not ent.tok_start <= head < ent.tok_end:
            return i
    return ent.tok_end - 1


def acts_as_actor(parse: Parse, ent: Entity, *, country: bool) -> str | None:
    """Why the entity is an actor rather than a location here, or ``None`` when it is a place.

    Args:
        parse: the article parse.
        ent: a GPE/LOC/FAC entity.
        country: whether the name resolved to a country (pre-modifier rule applies to countries).
    Returns:
        a short reason (``"subject"``, ``"agent"``, ``"modifier"``) or ``None``.
    """
    root = parse.tokens[_entity_root(parse, ent)]
    head = parse.tokens[root.head]
    if root.dep in _SUBJECT_DEPS and head.pos in {"VERB", "AUX"}:
        return "subject"
    if root.dep == "pobj" and head.text.lower() == "by" and head.dep == "agent":
        return "agent"
    if country and root.dep in _MODIFIER_DEPS and head.pos in {"NOUN", "PROPN"} and head.i > root.i:
        return "modifier"
    return None


def _untagged_names(parse: Parse) -> list[Entity]:
    """Runs of proper nouns that no entity covers, as pseudo-entities with an empty label.

    The small English model misses some place names (an older spelling such as "Kiev" in
    "assistance with Kiev"); such runs are looked up too, but accepted only for well-known places
    (see :func:`_safe_untagged`).
    """
    covered = bytearray(len(parse.tokens))
    for ent in parse.entities:
        covered[ent.tok_start : ent.tok_end] = b"\x01" * (ent.tok_end - ent.tok_start)
    out: list[Entity] = []
    i, n = 0, len(parse.tokens)
    while i < n:
        tok = parse.tokens[i]
        if tok.pos != "PROPN" or covered[i] or not tok.text[:1].isupper():
            i += 1
            continue
        j = i + 1
        while (
            j < n
            and parse.tokens[j].pos == "PROPN"
            and not covered[j]
            and parse.tokens[j].sent == tok.sent
        ):
            j += 1
        last = parse.tokens[j - 1]
        out.append(
            Entity(
                label="",
                text=parse_text(parse, i, j),
                start=tok.start,
                end=last.end,
                tok_start=i,
                tok_end=j,
                sentence=tok.sent,
            )
        )
        i = j
    return out


def _as_untagged(ent: Entity) -> Entity:
    return Entity(
        label="",
        text=ent.text,
        start=ent.start,
        end=ent.end,
        tok_start=ent.tok_start,
        tok_end=ent.tok_end,
        sentence=ent.sentence,
    )


def parse_text(parse: Parse, start: int, end: int) -> str:
    """The text of tokens ``[start, end)`` (single spaces between tokens that were separated)."""
    parts: list[str] = []
    for k in range(start, end):
        tok = parse.tokens[k]
        if parts and parse.tokens[k - 1].end < tok.start:
            parts.append(" ")
        parts.append(tok.text)
    return "".join(parts)


def _safe_untagged(entry: GeoEntry) -> bool:
    """Untagged proper nouns count as places only for countries, curated entries and big cities."""
    return (
        entry.feature == "country"
        or entry.curated
        or entry.capital
        or entry.population >= _UNTAGGED_MIN_POPULATION
    )


def _strip_article(text: str) -> str:
    return text[4:] if text[:4].lower() == "the " else text


@register_stage("eventwire.places.v1", requires=("parse", "actors"), assigns=("places",))
class PlaceStage(BaseStage):
    """Resolve the places named in an article; fill event locations' coordinates."""

    name = "places"
    requires = ("parse", "actors")
    assigns = ("places",)

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        min_population: int = 15_000,
        on_error: Literal["raise", "record"] = "record",
    ) -> None:
        super().__init__(on_error=settings.pipeline.on_error if settings else on_error)
        self.min_population = min_population
        self._gazetteer: Gazetteer | None = None

    def initialize(self) -> None:
        self._gazetteer = load_gazetteer(min_population=self.min_population)

    @property
    def gazetteer(self) -> Gazetteer:
        self._ensure_initialized()
        assert self._gazetteer is not None
        return self._gazetteer

    def process(self, article: Article) -> Article:
        gaz = self.gazetteer
        parse = article.parse
        context = self._context(article)
        places: dict[tuple[object, ...], Place] = {}
        if parse is not None:
            index = MentionIndex.for_article(article)
            candidates = [e for e in parse.entities if e.label in PLACE_LABELS]
            # The small model tags some place names as ORG ("assistance with Kiev"); such
            # entities and untagged proper nouns are accepted only for well-known places.
            candidates += [_as_untagged(e) for e in parse.entities if e.label == "ORG"]
            candidates += _untagged_names(parse)
            candidates.sort(key=lambda e: e.start)
            for ent in candidates:
                entry = gaz.lookup(_strip_article(ent.text), context)
                if entry is None or (ent.label == "" and not _safe_untagged(entry)):
                    continue
                if self._metonym(index, parse, ent) or acts_as_actor(
                    parse, ent, country=entry.feature == "country"
                ):
                    continue
                key = _entry_key(entry)
                place = places.get(key)
                if place is None:
                    place = _new_place(f"P{len(places) + 1}", entry)
                    places[key] = place
                place.mentions.append(
                    Mention(text=ent.text, start=ent.start, end=ent.end, sentence=ent.sentence)
                )
        article.places = list(places.values())
        self._fill_event_locations(article, context)
        return article

    @staticmethod
    def _metonym(index: MentionIndex, parse: Parse, ent: Entity) -> bool:
        if parse.tokens[_entity_root(parse, ent)].dep in _OBLIQUE_DEPS:
            # "assistance with Kiev", "sanctions on Moscow": the state acts through the name, but
            # the text still points at the place (GDELT geocodes such mentions too)
            return False
        for actor, mention in index.overlapping(ent.start, ent.end):
            if (
                "metonym" in actor.reason.lower()
                and mention.start <= ent.start
                and mention.end >= ent.end
            ):
                return True
        return False

    @staticmethod
    def _context(article: Article) -> frozenset[str]:
        counts: Counter[str] = Counter()
        for actor in article.actors:
            if actor.country:
                counts[actor.country] += max(len(actor.mentions), 1)
        for event in article.events:
            if event.location is not None and event.location.country:
                counts[event.location.country] += 1
        return frozenset(counts)

    def _fill_event_locations(self, article: Article, context: frozenset[str]) -> None:
        by_name: dict[str, Place] = {}
        for place in article.places:
            by_name.setdefault(name_key(place.name), place)
            for mention in place.mentions:
                by_name.setdefault(name_key(_strip_article(mention.text)), place)
        for event in article.events:
            loc = event.location
            if loc is None or (loc.lat is not None and loc.lon is not None):
                continue
            known = by_name.get(name_key(_strip_article(loc.name)))
            if known is not None:
                lat, lon, country = known.lat, known.lon, known.country
            else:
                hint = context | {loc.country} if loc.country else context
                entry = self.gazetteer.lookup(_strip_article(loc.name), hint)
                if entry is None:
                    continue
                lat, lon, country = entry.lat, entry.lon, entry.country
            loc.lat, loc.lon = lat, lon
            if loc.country is None:
                loc.country = country


def _entry_key(entry: GeoEntry) -> tuple[object, ...]:
    if entry.geonameid is not None:
        return ("id", entry.geonameid)
    return ("name", entry.name, entry.country, entry.feature)


def _new_place(place_id: str, entry: GeoEntry) -> Place:
    return Place(
        id=place_id,
        name=entry.name,
        country=entry.country,
        lat=round(entry.lat, 5),
        lon=round(entry.lon, 5),
        geonameid=entry.geonameid,
        feature=entry.feature,
    )
