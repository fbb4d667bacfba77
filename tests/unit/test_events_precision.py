"""Precision rules of the event coder: readings that real news uses in a non-event sense.

Each test pairs a sentence whose trigger must *not* code (a campaign that is an election campaign, a
call that is a naming, a trip to no place, an offer of an opinion, a violent verb with an abstract
object, an attempt, an appeal to nobody, a gathering of things) with, where the rule could
over-reach, a sentence in which the same trigger still codes. The packaged lexicon is used, since
the rules read its word classes (``PREP_BOUND_NOUNS``, ``ABSTRACT_OBJECTS``); the actors are built
by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from eventwire.model import Actor, Article, Event, Mention
from eventwire.stages.events import EventCoder

pytestmark = pytest.mark.slow

# name -> (type, country, sector)
ACTORS: dict[str, tuple[str, str | None, str | None]] = {
    "Britain": ("country", "GBR", None),
    "France": ("country", "FRA", None),
    "Russia": ("country", "RUS", None),
    "Ukraine": ("country", "UKR", None),
    "Japan": ("country", "JPN", None),
    "Mali": ("country", "MLI", None),
    "Clinton": ("person", "USA", "GOV"),
    "Trump": ("person", "USA", "GOV"),
    "Macron": ("person", "FRA", "GOV"),
}


def _actors(text: str) -> list[Actor]:
    out: list[Actor] = []
    for n, (name, (kind, country, sector)) in enumerate(ACTORS.items(), start=1):
        mentions: list[Mention] = []
        start = text.find(name)
        while start >= 0:
            mentions.append(Mention(text=name, start=start, end=start + len(name)))
            start = text.find(name, start + len(name))
        if mentions:
            out.append(
                Actor(
                    id=f"A{n}",
                    name=name,
                    type=kind,
                    country=country,
                    sector=sector,
                    resolved=True,
                    confidence=0.9,
                    mentions=mentions,
                )
            )
    return out


@pytest.fixture(scope="module")
def code() -> Callable[[str], list[Event]]:
    from eventwire.stages.nlp import doc_to_parse, load_spacy

    nlp: Any = load_spacy()
    coder = EventCoder(on_error="raise")

    def run(text: str) -> list[Event]:
        article = Article.create(text, published=datetime(2025, 3, 17, 12, 0))
        article.parse = doc_to_parse(nlp(text))
        article.actors = _actors(text)
        return coder(article).events

    return run


def _codes(events: list[Event]) -> set[str]:
    return {e.cameo.code for e in events}


def _roots(events: list[Event]) -> set[str]:
    return {e.cameo.code[:2] for e in events}


def test_bound_noun_needs_its_preposition(code: Callable[[str], list[Event]]) -> None:
    assert "113" not in _codes(code("Clinton's campaign said the report was false."))
    assert "115" not in _codes(code("In Russia's case, exports fell sharply."))
    assert "050" not in _codes(code("Clinton's support has shrunk in recent days."))
    events = code("Russia's campaign against Ukraine has intensified.")
    assert any(e.cameo.code == "113" and e.target and e.target.country == "UKR" for e in events)


def test_bound_noun_codes_with_its_light_verb(code: Callable[[str], list[Event]]) -> None:
    assert "113" in _codes(code("Britain organised a campaign against Russia."))


def test_call_as_naming_is_no_contact(code: Callable[[str], list[Event]]) -> None:
    assert "041" not in _codes(code("Clinton called for her messages to be made public."))
    assert "041" not in _codes(code("Clinton called Ukraine one of the most competitive places."))
    assert "041" in _codes(code("Trump called Macron on Tuesday."))


def test_visit_needs_a_place_or_actor(code: Callable[[str], list[Event]]) -> None:
    assert "042" not in _codes(code("The French navy travels to contentious sea territories."))
    assert "042" not in _codes(code("Trump went on the record in an interview."))
    events = code("Trump travelled to France on Monday.")
    assert any(e.cameo.code == "042" and e.target and e.target.country == "FRA" for e in events)


def test_offer_of_an_opinion_is_no_pledge(code: Callable[[str], list[Event]]) -> None:
    assert "03" not in _roots(code("Trump also offered his early assessment of the game."))


def test_violent_verb_with_abstract_object_is_figurative(
    code: Callable[[str], list[Event]],
) -> None:
    assert not _roots(code("Russia is fighting poverty and corruption.")) & {"18", "19", "20"}
    assert "1712" not in _codes(code("Clinton is destroying the reputation of this committee."))
    attacked = code("Britain attacked the privatisation plans of France.")
    assert "190" not in _codes(attacked)
    assert "111" in _codes(attacked)
    assert "190" in _codes(code("Russia attacked Ukraine on Monday."))


def test_seeking_to_act_is_no_appeal(code: Callable[[str], list[Event]]) -> None:
    assert "020" not in _codes(code("France sought to blunt the attack on globalization."))


def test_generic_appeal_needs_an_addressee(code: Callable[[str], list[Event]]) -> None:
    assert "020" not in _codes(code("Clinton urged detaching the deficit from inflation."))
    events = code("Britain urged Russia to reconsider.")
    assert any(e.cameo.code == "020" and e.target and e.target.country == "RUS" for e in events)


def test_generic_investigation_needs_an_actor(code: Callable[[str], list[Event]]) -> None:
    assert "090" not in _codes(code("Clinton was studying in a school in Mali."))


def test_gathering_takes_no_object(code: Callable[[str], list[Event]]) -> None:
    assert "044" not in _codes(code("Clinton can easily assemble the votes she needs."))
