"""The event coder's second-round rules, one construction each, on sentences parsed by the real
model: quantifier phrases ("up to 16", "a series of"), acts done by an instrument with no actor
("killed by a roadside bomb"), targets named inside the event phrase, domestic targets of persons
and bodies, and triggers used in a non-political sense.

As in ``test_events_constructions.py`` the actors are built by hand and the lexicon is a small
hand-written one, so each test isolates one rule of :mod:`eventwire.stages.events`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from eventwire.lexicons import Lexicon, Pattern
from eventwire.model import Actor, Article, Event, Mention
from eventwire.stages.events import EventCoder

pytestmark = pytest.mark.slow

# name -> (type, country, org)
ACTORS: dict[str, tuple[str, str | None, str | None]] = {
    "Russia": ("country", "RUS", None),
    "Ukraine": ("country", "UKR", None),
    "Britain": ("country", "GBR", None),
    "Mali": ("country", "MLI", None),
    "President Keita": ("person", "MLI", None),
    "Serb forces": ("group", "SRB", None),
    "Ukrainian advisers": ("agent", "UKR", None),
}

PATTERNS: list[dict[str, Any]] = [
    {
        "id": "T.kidnap",
        "kind": "verb",
        "lemma": "kidnap",
        "target": "dobj",
        "cameo": "181",
        "passive": True,
    },
    {
        "id": "T.kill",
        "kind": "verb",
        "lemma": "kill",
        "target": "dobj",
        "cameo": "190",
        "passive": True,
    },
    {"id": "T.attack", "kind": "verb", "lemma": "attack", "target": "dobj", "cameo": "190"},
    {
        "id": "T.explode.bomb",
        "kind": "verb",
        "lemma": "explode",
        "object": ["bomb"],
        "target": "none",
        "cameo": "183",
    },
    {
        "id": "T.reject.demand",
        "kind": "verb",
        "lemma": "reject",
        "object": ["demand", "offer"],
        "target": "none",
        "cameo": "120",
    },
    {
        "id": "T.extend.curfew",
        "kind": "verb",
        "lemma": "extend",
        "object": ["curfew"],
        "target": "none",
        "cameo": "1323",
    },
]
CLASSES = {
    "QUANTITY": frozenset({"series", "number"}),
    "ATTACK_INSTRUMENT": frozenset({"bomb", "bombing", "device"}),
    "NONPOLITICAL": frozenset({"final", "opera"}),
}


@pytest.fixture(scope="module")
def code() -> Callable[[str], list[Event]]:
    from eventwire.stages.nlp import doc_to_parse, load_spacy

    nlp = load_spacy()
    lexicon = Lexicon("test", [Pattern.model_validate(p) for p in PATTERNS], dict(CLASSES))
    coder = EventCoder(lexicon=lexicon, on_error="raise")

    def run(text: str) -> list[Event]:
        article = Article.create(text, published=datetime(2025, 3, 17, 12, 0))
        article.parse = doc_to_parse(nlp(text))
        article.actors = _actors(text)
        return coder(article).events

    return run


def _actors(text: str) -> list[Actor]:
    out: list[Actor] = []
    taken: list[tuple[int, int]] = []
    for n, (name, (kind, country, org)) in enumerate(
        sorted(ACTORS.items(), key=lambda kv: -len(kv[0])), start=1
    ):
        mentions: list[Mention] = []
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if not any(s < end and start < e for s, e in taken):
                mentions.append(Mention(text=name, start=start, end=end))
                taken.append((start, end))
            start = text.find(name, end)
        if mentions:
            out.append(
                Actor(
                    id=f"A{n}",
                    name=name,
                    type=kind,  # type: ignore[arg-type]
                    country=country,
                    org=org,
                    resolved=True,
                    confidence=0.9,
                    mentions=mentions,
                )
            )
    return out


def _triples(events: list[Event]) -> set[tuple[str | None, str | None, str]]:
    return {
        (
            e.source.country or e.source.org,
            (e.target.country or e.target.org) if e.target else None,
            e.cameo.code,
        )
        for e in events
    }


def test_up_to_quantifier_is_not_a_particle(code: Callable[[str], list[Event]]) -> None:
    events = code("Russia has kidnapped up to 16 Ukrainian advisers from a bazaar.")
    assert _triples(events) == {("RUS", "UKR", "181")}


def test_quantity_noun_passes_its_of_object_to_the_constraint(
    code: Callable[[str], list[Event]],
) -> None:
    assert _triples(code("Serb forces exploded a series of bombs.")) == {("SRB", None, "183")}
    assert code("Serb forces exploded a series of fireworks.") == []


def test_instrument_gives_an_unidentified_source(code: Callable[[str], list[Event]]) -> None:
    events = code("Three Ukrainian advisers were killed by a roadside bomb.")
    assert _triples(events) == {(None, "UKR", "190")}
    assert events[0].source.actor is None and events[0].source.text == "bomb"
    assert "source:instrument" in events[0].reason
    active = code("A car bombing killed two Ukrainian advisers on Sunday.")
    assert _triples(active) == {(None, "UKR", "190")}
    # no instrument, no actor: nothing to code
    assert code("Three Ukrainian advisers were killed.") == []


def test_target_named_inside_the_event_phrase(code: Callable[[str], list[Event]]) -> None:
    assert _triples(code("Britain rejected Russia's demand.")) == {("GBR", "RUS", "120")}
    # the phrase's own actor wins over a country in a location phrase
    events = code("Britain rejected an offer from Russia in Ukraine.")
    assert _triples(events) == {("GBR", "RUS", "120")}


def test_person_may_act_on_own_country_but_country_not_on_itself(
    code: Callable[[str], list[Event]],
) -> None:
    events = code("President Keita extended the curfew in Mali.")
    assert _triples(events) == {("MLI", "MLI", "1323")}
    assert _triples(code("Mali extended the curfew in Mali.")) == {("MLI", None, "1323")}


def test_non_political_sense_codes_no_event(code: Callable[[str], list[Event]]) -> None:
    assert code("Russia attacked Ukraine in the final.") == []
    assert _triples(code("Russia attacked Ukraine.")) == {("RUS", "UKR", "190")}
