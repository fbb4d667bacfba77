"""Second round of event-coder rules (issue #4): reported intent, negated concessions, object
control, appeal content, stative "in" passives and event nouns that news only mentions.

Each rule is paired, where it could over-reach, with a sentence in which the old reading must
survive. The packaged lexicon is used (the rules read its word classes and modality cues); the
actors are built by hand, so the actor resolver's data plays no part.
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
    "Syria": ("country", "SYR", None),
    "Israel": ("country", "ISR", None),
    "Egypt": ("country", "EGY", None),
    "Japan": ("country", "JPN", None),
    "Mali": ("country", "MLI", None),
    "Obama": ("person", "USA", "GOV"),
    "Schiff": ("person", "USA", "LEG"),
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


def _by_root(events: list[Event], root: str) -> list[Event]:
    return [e for e in events if e.cameo.root == root]


def _src(e: Event) -> str | None:
    return e.source.country or e.source.org


def _tgt(e: Event) -> str | None:
    return (e.target.country or e.target.org) if e.target else None


# -- reported "would" ------------------------------------------------------------------------


def test_reported_would_is_intent(code: Callable[[str], list[Event]]) -> None:
    events = code("Russia said it would boycott the elections in Ukraine.")
    assert [(_src(e), e.cameo.root, e.modality) for e in events] == [("RUS", "13", "intent")]


def test_would_without_speech_verb_stays_hypothetical(code: Callable[[str], list[Event]]) -> None:
    events = code("Russia would attack Ukraine.")
    assert [e.modality for e in _by_root(events, "19")] == ["hypothetical"]


def test_reported_would_with_if_clause_is_conditional(code: Callable[[str], list[Event]]) -> None:
    events = code("Russia said it would attack Ukraine if Britain sent troops.")
    attacks = _by_root(events, "13") + _by_root(events, "19")
    assert attacks and all(e.modality in {"conditional", "hypothetical"} for e in attacks)


# -- negated concessions are refusals -------------------------------------------------------


def test_will_not_accept_refugees_is_a_refusal(code: Callable[[str], list[Event]]) -> None:
    events = code("Syria will not accept refugees from Ukraine.")
    assert [(_src(e), e.cameo.root, e.modality) for e in events] == [("SYR", "12", "asserted")]


def test_said_would_not_meet_demands_is_a_refusal(code: Callable[[str], list[Event]]) -> None:
    events = code("Britain said it would not meet the demands of Russia.")
    rejections = _by_root(events, "12")
    assert rejections and _src(rejections[0]) == "GBR"
    assert not _by_root(events, "08")


def test_failed_to_reach_agreement_is_a_refusal(code: Callable[[str], list[Event]]) -> None:
    events = code("Israel and Syria failed to reach agreement on the border.")
    assert {(_src(e), e.cameo.code) for e in events} == {("ISR", "127"), ("SYR", "127")}


def test_negated_conflict_stays_negated(code: Callable[[str], list[Event]]) -> None:
    # refusing to attack has no CAMEO code: the attack is coded as negated, not as a rejection
    events = code("Russia will not attack Ukraine.")
    assert events and not _by_root(events, "12")
    assert all(e.modality == "negated" for e in events)


# -- object control through "on" ------------------------------------------------------------


def test_call_on_x_to_act_gives_x_the_goal(code: Callable[[str], list[Event]]) -> None:
    events = code("Schiff called on Obama to retaliate against Russia.")
    appeals = _by_root(events, "02")
    assert [(_src(e), _tgt(e)) for e in appeals] == [("USA", "USA")]
    threats = _by_root(events, "13")
    assert threats and all(
        e.source.text == "Obama" and e.modality == "hypothetical" for e in threats
    )


# -- the content of an appeal or demand -----------------------------------------------------


def test_demand_that_codes_the_demand_not_its_content(code: Callable[[str], list[Event]]) -> None:
    events = code("Egypt demanded that Israel release the prisoners.")
    assert [(_src(e), _tgt(e), e.cameo.root) for e in events] == [("EGY", "ISR", "10")]


def test_reported_act_after_say_is_still_coded(code: Callable[[str], list[Event]]) -> None:
    events = code("Egypt said that Israel released the prisoners.")
    assert any(_src(e) == "ISR" and e.cameo.root == "08" for e in events)


def test_declaration_demanding_speaks_for_its_issuer(code: Callable[[str], list[Event]]) -> None:
    events = code("Britain issued a declaration demanding the resignation of the president.")
    assert [(_src(e), e.cameo.root) for e in events] == [("GBR", "10")]


# -- stative "in" passives ------------------------------------------------------------------


def test_engaged_in_talks_has_the_subject_as_actor(code: Callable[[str], list[Event]]) -> None:
    events = code("Russia was engaged in talks with Ukraine.")
    assert any(_src(e) == "RUS" and e.cameo.root == "04" for e in events)


def test_killed_in_riots_names_no_rioter(code: Callable[[str], list[Event]]) -> None:
    events = code("Ten soldiers from Mali were killed in ethnic riots.")
    assert not _by_root(events, "14")


# -- event nouns only mentioned -------------------------------------------------------------


def test_mentioned_event_noun_without_target_is_no_event(
    code: Callable[[str], list[Event]],
) -> None:
    assert not code("The Britain talks covered a range of topics.")
    assert not code("Syria's diplomatic missions were closed for the holiday.")


def test_event_noun_with_target_or_light_verb_still_codes(
    code: Callable[[str], list[Event]],
) -> None:
    assert any(
        _src(e) == "RUS" and _tgt(e) == "UKR" for e in code("Russia's invasion of Ukraine failed.")
    )
    assert any(
        _src(e) == "GBR" and _tgt(e) == "FRA" for e in code("Britain held talks with France.")
    )


def test_noun_reading_with_its_preposition_wins(code: Callable[[str], list[Event]]) -> None:
    events = code("Britain held talks with France.")
    assert all("bare" not in e.reason for e in events)
    events = code("Britain held talks in London.")
    assert events and all(".with" not in e.reason.split(" | ")[0] for e in events)


# -- an event noun predicated of the subject through a preposition is reported, not mentioned --


def test_noun_predicated_of_the_subject_is_kept(code: Callable[[str], list[Event]]) -> None:
    events = code("Britain and France are active in discussions about a peacekeeping presence.")
    consults = _by_root(events, "04")
    assert sorted(_src(e) or "" for e in consults) == ["FRA", "GBR"]
    assert all(e.modality == "asserted" for e in consults)


def test_noun_with_only_a_modifier_source_is_still_a_mention(
    code: Callable[[str], list[Event]],
) -> None:
    events = code("The Japan talks were mentioned in a footnote of the report.")
    assert _by_root(events, "04") == []
