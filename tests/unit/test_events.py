"""The event coder, one construction at a time, on sentences parsed by the real spaCy model.

Actors are built by hand (each name's mentions found in the text) and the pattern lexicon is a
small hand-written one, so these tests exercise the coder's syntax and modality logic without
depending on the actor resolver or on the shipped lexicon's contents.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from eventwire.errors import LexiconError
from eventwire.lexicons import Lexicon, Pattern
from eventwire.model import Actor, Article, Event, Mention
from eventwire.stages._events_cues import load_cues
from eventwire.stages.events import EventCoder

# name -> (type, country, sector, org)
ACTORS: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "Britain": ("country", "GBR", None, None),
    "France": ("country", "FRA", None, None),
    "Australia": ("country", "AUS", None, None),
    "Germany": ("country", "DEU", None, None),
    "Ukraine": ("country", "UKR", None, None),
    "Kyiv": ("country", "UKR", "GOV", None),
    "Russia": ("country", "RUS", None, None),
    "Syria": ("country", "SYR", None, None),
    "Turkey": ("country", "TUR", None, None),
    "Estonia": ("country", "EST", None, None),
    "Mali": ("country", "MLI", None, None),
    "Ireland": ("country", "IRL", None, None),
    "Finland": ("country", "FIN", None, None),
    "Japan": ("country", "JPN", None, None),
    "US": ("country", "USA", None, None),
    "NATO": ("organization", None, "IGO", "NATO"),
    "Trump": ("person", "USA", "GOV", None),
}

PATTERNS: list[dict[str, Any]] = [
    {
        "id": "T.attack",
        "kind": "verb",
        "lemma": "attack",
        "target": "dobj",
        "cameo": "190",
        "passive": True,
    },
    {
        "id": "T.send.troops",
        "kind": "verb",
        "lemma": "send",
        "object": ["@TROOPS"],
        "prep": "to",
        "target": "pobj",
        "cameo": "074",
    },
    {
        "id": "T.send.weapons",
        "kind": "verb",
        "lemma": "send",
        "object": ["weapon", "arm"],
        "prep": "to",
        "target": "pobj",
        "cameo": "072",
    },
    {"id": "T.accuse", "kind": "verb", "lemma": "accuse", "target": "dobj", "cameo": "112"},
    {"id": "T.respond", "kind": "verb", "lemma": "respond", "target": "none", "cameo": "010"},
    {
        "id": "T.talks",
        "kind": "noun",
        "lemma": "talk",
        "prep": "with",
        "target": "pobj",
        "cameo": "040",
        "light_verbs": ["hold", "have"],
    },
    {
        "id": "T.suspension.aid",
        "kind": "noun",
        "lemma": "suspension",
        "object": ["aid"],
        "prep": "to",
        "target": "pobj",
        "cameo": "1621",
    },
    {"id": "T.meet", "kind": "verb", "lemma": "meet", "target": "dobj", "cameo": "036"},
]
CLASSES = {"TROOPS": frozenset({"troop", "soldier", "force", "peacekeeper"})}


@pytest.fixture(scope="session")
def nlp() -> Any:
    from eventwire.stages.nlp import load_spacy

    return load_spacy()


@pytest.fixture(scope="session")
def coder() -> EventCoder:
    lexicon = Lexicon("test", [Pattern.model_validate(p) for p in PATTERNS], dict(CLASSES))
    return EventCoder(lexicon=lexicon, on_error="raise")


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
                    org=org,  # type: ignore[arg-type]
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


def _triples(events: list[Event]) -> set[tuple[str | None, str | None, str, str]]:
    return {
        (
            e.source.country or e.source.org,
            e.target.country if e.target else None,
            e.cameo.code,
            e.modality,
        )
        for e in events
    }


pytestmark = pytest.mark.slow


def test_events_simple_dyad(code: Callable[[str], list[Event]]) -> None:
    events = code("Turkey attacked Syria.")
    assert _triples(events) == {("TUR", "SYR", "190", "asserted")}
    e = events[0]
    assert e.id == "E1" and e.plover.type == "ASSAULT" and e.cameo.root == "19"
    assert e.trigger.text == "attacked" and e.reason.startswith("T.attack")
    assert 0.0 < e.confidence <= 1.0 and e.quad_class == 4 and e.goldstein is not None


def test_events_coordinated_sources_share_a_group(code: Callable[[str], list[Event]]) -> None:
    events = code("Britain, France and Australia attacked Syria.")
    assert _triples(events) == {(c, "SYR", "190", "asserted") for c in ("GBR", "FRA", "AUS")}
    assert len({e.group for e in events}) == 1
    assert [e.id for e in events] == ["E1", "E2", "E3"]


def test_events_coordinated_targets(code: Callable[[str], list[Event]]) -> None:
    events = code("Turkey attacked Syria and Mali.")
    assert _triples(events) == {
        ("TUR", "SYR", "190", "asserted"),
        ("TUR", "MLI", "190", "asserted"),
    }


def test_events_passive_with_agent(code: Callable[[str], list[Event]]) -> None:
    assert _triples(code("Syria was attacked by Turkey on Monday.")) == {
        ("TUR", "SYR", "190", "asserted")
    }


def test_events_complement_chain_with_pronoun_gives_intent(
    code: Callable[[str], list[Event]],
) -> None:
    events = code(
        "Britain and France have indicated that they were ready to send troops to Ukraine."
    )
    assert _triples(events) == {("GBR", "UKR", "0334", "intent"), ("FRA", "UKR", "0334", "intent")}
    assert all(e.plover.type == "AGREE" for e in events)
    assert all("intent:ready" in e.reason for e in events)


def test_events_future_auxiliary_is_intent(code: Callable[[str], list[Event]]) -> None:
    assert _triples(code("Germany will send troops to Mali.")) == {("DEU", "MLI", "0334", "intent")}


def test_events_refusal_is_a_reject_event(code: Callable[[str], list[Event]]) -> None:
    events = code("Trump has refused to send weapons to Ukraine.")
    assert len(events) == 1
    e = events[0]
    assert (e.source.country, e.target.country if e.target else None) == ("USA", "UKR")
    assert e.plover.type == "REJECT" and e.cameo.root == "12" and e.modality == "asserted"


def test_events_negation(code: Callable[[str], list[Event]]) -> None:
    assert _triples(code("Germany did not send troops to Mali.")) == {
        ("DEU", "MLI", "074", "negated")
    }


def test_events_without_negates(code: Callable[[str], list[Event]]) -> None:
    events = code("Finland held talks with Russia without sending troops to Ukraine.")
    assert ("FIN", "RUS", "040", "asserted") in _triples(events)
    assert ("FIN", "UKR", "074", "negated") in _triples(events)


def test_events_not_ruling_out_is_conditional_intent(code: Callable[[str], list[Event]]) -> None:
    assert _triples(code("Ireland did not rule out sending troops to Ukraine.")) == {
        ("IRL", "UKR", "0334", "conditional")
    }


def test_events_depending_on_is_conditional(code: Callable[[str], list[Event]]) -> None:
    events = code("Germany will send troops to Mali, depending on a vote in parliament.")
    assert _triples(events) == {("DEU", "MLI", "0334", "conditional")}


def test_events_if_clause_is_hypothetical(code: Callable[[str], list[Event]]) -> None:
    events = code("NATO warned that if Russia attacks Estonia, the alliance will respond.")
    assert ("RUS", "EST", "190", "hypothetical") in _triples(events)
    assert not any(e.modality == "asserted" and e.cameo.code == "190" for e in events)


def test_events_when_clause_in_present_is_hypothetical(code: Callable[[str], list[Event]]) -> None:
    events = code("Germany said that when Russia attacks Estonia, NATO must be ready.")
    assert _triples(events) == {("RUS", "EST", "190", "hypothetical")}


def test_events_hedge_is_hypothetical(code: Callable[[str], list[Event]]) -> None:
    assert _triples(code("Turkey could attack Syria.")) == {("TUR", "SYR", "190", "hypothetical")}


def test_events_question(code: Callable[[str], list[Event]]) -> None:
    assert _triples(code("Did Turkey attack Syria?")) == {("TUR", "SYR", "190", "question")}


def test_events_reported_speech_codes_the_reported_act_only(
    code: Callable[[str], list[Event]],
) -> None:
    events = code("Germany said Russia attacked Ukraine.")
    assert _triples(events) == {("RUS", "UKR", "190", "asserted")}


def test_events_accusation_codes_the_speech_act_too(code: Callable[[str], list[Event]]) -> None:
    triples = _triples(code("Germany accused Russia of attacking Ukraine."))
    assert ("DEU", "RUS", "112", "asserted") in triples


def test_events_nominal_event_with_arguments(code: Callable[[str], list[Event]]) -> None:
    events = code("The US suspension of aid to Kyiv hurt the army.")
    assert _triples(events) == {("USA", "UKR", "1621", "asserted")}
    assert events[0].trigger.text == "suspension"


def test_events_light_verb_date_and_location(code: Callable[[str], list[Event]]) -> None:
    events = code(
        "On Monday, Britain said France had held talks with Germany in Paris over the weekend."
    )
    assert _triples(events) == {("FRA", "DEU", "040", "asserted")}
    e = events[0]
    assert e.date == "2025-03-15"
    assert e.location is not None and e.location.name == "Paris" and e.location.country == "FRA"


def test_events_future_weekday_resolves_forward(code: Callable[[str], list[Event]]) -> None:
    events = code("Britain will hold talks with France in London on Thursday.")
    assert events and events[0].date == "2025-03-20"
    assert events[0].location is not None and events[0].location.country == "GBR"


def test_events_no_date_expression_uses_publication_day(code: Callable[[str], list[Event]]) -> None:
    assert code("Turkey attacked Syria.")[0].date == "2025-03-17"


def test_events_relative_clause_subject(code: Callable[[str], list[Event]]) -> None:
    assert ("TUR", "SYR", "190", "asserted") in _triples(
        code("Turkey, which attacked Syria last week, denied it.")
    )


def test_events_relative_clause_object(code: Callable[[str], list[Event]]) -> None:
    assert ("TUR", "SYR", "190", "asserted") in _triples(
        code("Syria, which Turkey attacked last week, protested.")
    )


def test_events_source_must_be_an_actor(code: Callable[[str], list[Event]]) -> None:
    assert code("Unknown gunmen attacked a village.") == []


def test_events_no_parse_gives_no_events(coder: EventCoder) -> None:
    article = Article.create("Turkey attacked Syria.")
    assert coder(article).events == []


def test_events_modality_file_is_validated(tmp_path: Path) -> None:
    bad = tmp_path / "modality.yaml"
    bad.write_text(
        "version: '1'\nsource: x\nlicense: x\nknown_gaps: x\nintent_verbs: [Plan]\n", "utf-8"
    )
    with pytest.raises(LexiconError) as info:
        load_cues(str(bad))
    assert "modality.yaml" in str(info.value)
