"""The event coder with the packaged lexicon on hand-written sentences: multiword objects that
name another act than their head word ("hunger strike", "tear gas"), the role of a possessor of an
event noun, the charge of an accusation, places that modify protest nouns, stative passives
("is opposed to"), "to" complements parsed as subjects, and vocabulary for concessions, aid,
information sharing and consensus.

Actors are built by hand (as in ``test_events.py``) so only the coder and the lexicon are tested;
the sentences are parsed by the real model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from eventwire.model import Actor, Article, Event, Mention
from eventwire.stages.events import EventCoder

pytestmark = pytest.mark.slow

# name -> (type, country, sector, org)
ACTORS: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "Palestinian prisoners": ("agent", "PSE", "CVL", None),
    "Police": ("agent", None, "COP", None),
    "protesters": ("agent", None, "CVL", None),
    "rebels": ("agent", None, "REB", None),
    "Syria": ("country", "SYR", None, None),
    "Russia": ("country", "RUS", None, None),
    "Russian": ("country", "RUS", None, None),
    "Ukraine": ("country", "UKR", None, None),
    "Britain": ("country", "GBR", None, None),
    "Navalny": ("person", "RUS", "OPP", None),
    "China": ("country", "CHN", None, None),
    "Japan": ("country", "JPN", None, None),
    "Kenya": ("country", "KEN", None, None),
    "France": ("country", "FRA", None, None),
    "Mali": ("country", "MLI", None, None),
    "Serbia": ("country", "SRB", None, None),
    "Baghdad": ("country", "IRQ", None, None),
    "The government": ("agent", None, "GOV", None),
    "the government": ("agent", None, "GOV", None),
    "The parties": ("agent", None, "PTY", None),
    "Israel": ("country", "ISR", None, None),
    "Palestinian workers": ("agent", "PSE", "LAB", None),
}


@pytest.fixture(scope="session")
def nlp() -> Any:
    from eventwire.stages.nlp import load_spacy

    return load_spacy()


@pytest.fixture(scope="session")
def coder() -> EventCoder:
    return EventCoder(on_error="raise")


def _actors(text: str) -> list[Actor]:
    out: list[Actor] = []
    taken: list[tuple[int, int]] = []
    for n, (name, (kind, country, sector, org)) in enumerate(
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
                    type=kind,
                    country=country,
                    sector=sector,
                    org=org,
                    resolved=True,
                    confidence=0.9,
                    mentions=mentions,
                )
            )
    return out


@pytest.fixture(scope="session")
def code(nlp: Any, coder: EventCoder) -> Callable[[str], list[Event]]:
    from eventwire.stages.nlp import doc_to_parse

    def run(text: str) -> list[Event]:
        article = Article.create(text, published=datetime(2025, 3, 17, 12, 0))
        article.parse = doc_to_parse(nlp(text))
        article.actors = _actors(text)
        return coder(article).events

    return run


def _dyads(events: list[Event]) -> set[tuple[str | None, str | None, str]]:
    return {
        (
            e.source.country or e.source.sector,
            (e.target.country or e.target.sector) if e.target else None,
            e.cameo.code,
        )
        for e in events
    }


def _codes(events: list[Event]) -> set[str]:
    return {e.cameo.code for e in events}


# -- multiword objects ------------------------------------------------------------------------


def test_hunger_strike_is_a_protest_not_an_air_strike(code: Callable[[str], list[Event]]) -> None:
    events = code("Palestinian prisoners staged a hunger strike in Israel.")
    assert {e.cameo.code for e in events} == {"142"}


def test_poison_gas_is_a_chemical_weapon_and_tear_gas_riot_control(
    code: Callable[[str], list[Event]],
) -> None:
    assert ("SYR", "REB", "2041") in _dyads(code("Syria used poison gas against the rebels."))
    tear = _dyads(code("Police used tear gas against protesters."))
    assert ("COP", "CVL", "175") in tear
    assert not any(c.startswith("20") for _, _, c in tear)


# -- possessors of event nouns ----------------------------------------------------------------


def test_possessor_of_a_killing_is_the_victim(code: Callable[[str], list[Event]]) -> None:
    events = code("Russia denounced Navalny's killing.")
    assert not any(e.source.text == "Navalny" for e in events)


def test_possessor_of_a_destruction_with_an_of_object_is_the_agent(
    code: Callable[[str], list[Event]],
) -> None:
    events = code("Israel's destruction of homes continued.")
    assert [(e.source.country, e.cameo.code) for e in events] == [("ISR", "1712")]


def test_possessor_of_an_invasion_is_the_agent(code: Callable[[str], list[Event]]) -> None:
    assert ("RUS", "UKR", "190") in _dyads(code("Britain condemned Russia's invasion of Ukraine."))


# -- accusations ------------------------------------------------------------------------------


def test_the_charge_of_an_accusation_is_not_an_event(code: Callable[[str], list[Event]]) -> None:
    events = code("China accused Japan of violating the agreement.")
    assert _dyads(events) == {("CHN", "JPN", "112")}


# -- concessions, aid, information, consensus, mediation -------------------------------------


def test_accepting_demands_is_a_concession(code: Callable[[str], list[Event]]) -> None:
    events = code("The government accepted the demands of the protesters.")
    assert _codes(events) == {"080"}


def test_conceding_to_an_actor(code: Callable[[str], list[Event]]) -> None:
    assert ("GOV", "CVL", "080") in _dyads(code("The government conceded to the protesters."))


def test_allowing_an_actor_to_act_is_a_concession(code: Callable[[str], list[Event]]) -> None:
    events = code("Israel allowed Palestinian workers to enter the city.")
    assert ("ISR", "PSE", "080") in _dyads(events)


def test_donating_money_is_aid(code: Callable[[str], list[Event]]) -> None:
    events = code("Japan donated three hundred tractors to Kenya.")
    assert any(
        e.source.country == "JPN"
        and e.target
        and e.target.country == "KEN"
        and e.cameo.code.startswith("07")
        for e in events
    )


def test_sharing_expertise_is_information_sharing(code: Callable[[str], list[Event]]) -> None:
    assert ("FRA", "MLI", "064") in _dyads(code("France shared its expertise with Mali."))


def test_reaching_a_consensus_is_agreement_not_a_signed_accord(
    code: Callable[[str], list[Event]],
) -> None:
    assert _codes(code("The parties reached a consensus on the budget.")) == {"030"}


def test_opposing_mediation_rejects_it(code: Callable[[str], list[Event]]) -> None:
    events = code("Serbia opposed Russian mediation.")
    assert _codes(events) == {"126"}
    assert events[0].source.country == "SRB"


def test_stative_passive_with_to_is_active(code: Callable[[str], list[Event]]) -> None:
    events = code("Russia is opposed to mediation by Serbia.")
    assert [(e.source.country, e.cameo.code) for e in events] == [("RUS", "126")]


# -- places and protests ----------------------------------------------------------------------


def test_a_place_modifying_a_protest_noun_gives_unnamed_civilians(
    code: Callable[[str], list[Event]],
) -> None:
    events = [e for e in code("Baghdad riots left three people dead.") if e.cameo.root == "14"]
    assert events
    src = events[0].source
    assert (src.actor, src.country, src.sector) == (None, "IRQ", "CVL")
