"""Third round of event-coder rules (issue #4): intransitive patterns, PLOVER overrides
(resignations are RETREAT), complaints lodged with a forum, troops that arrive, investigators that
are sent, "forced out", administrative restrictions, coordinated objects, unnamed local actors
placed by where they act, unattributed attacks, refugees' origin, "push for X to act", and
states that did not exist yet.

The schema, loader and knowledge-base checks run without the spaCy model; the coder rules need a
parse and are marked ``slow``. Each rule that could over-reach is paired with a sentence in which
the old reading must survive. Actors are built by hand, so the actor resolver plays no part in the
coder tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from eventwire.errors import LexiconError
from eventwire.kb import CountryEntry, load_kb
from eventwire.lexicons import Pattern, load_lexicon
from eventwire.model import Actor, Article, Event, Mention
from eventwire.stages.events import EventCoder

# -- schema and loader (no model) ------------------------------------------------------------


def test_intransitive_needs_a_monadic_verb_pattern() -> None:
    ok = Pattern.model_validate(
        {"id": "V.x", "kind": "verb", "lemma": "march", "target": "none", "cameo": "141",
         "intransitive": True}
    )  # fmt: skip
    assert ok.intransitive
    with pytest.raises(ValidationError, match="intransitive"):
        Pattern.model_validate(
            {"id": "V.y", "kind": "verb", "lemma": "march", "target": "dobj", "cameo": "141",
             "intransitive": True}
        )  # fmt: skip
    with pytest.raises(ValidationError, match="intransitive"):
        Pattern.model_validate(
            {"id": "N.z", "kind": "noun", "lemma": "march", "target": "none", "cameo": "141",
             "intransitive": True}
        )  # fmt: skip


def test_plover_mode_needs_a_plover_type() -> None:
    with pytest.raises(ValidationError, match="plover_mode needs plover"):
        Pattern.model_validate(
            {"id": "V.q", "kind": "verb", "lemma": "quit", "target": "none", "cameo": "0831",
             "plover_mode": "resign"}
        )  # fmt: skip


def _user_lexicon(tmp_path: Path, pattern: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(
        'version: "1"\nsource: test\nlicense: CC0-1.0\npatterns:\n'
        '  - {id: V.ok, kind: verb, lemma: abscond, target: none, cameo: "0831"}\n'
        f"  - {pattern}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("plover: WITHDRAW", "unknown PLOVER type 'WITHDRAW'"),
        ("plover: RETREAT, plover_mode: flee", "RETREAT has no mode 'flee'"),
    ],
)
def test_loader_checks_plover_overrides(tmp_path: Path, override: str, message: str) -> None:
    path = _user_lexicon(
        tmp_path,
        f'{{id: V.bad, kind: verb, lemma: decamp, target: none, cameo: "0831", {override}}}',
    )
    with pytest.raises(LexiconError) as info:
        load_lexicon([path])
    assert message in str(info.value)
    assert info.value.path == str(path)
    assert info.value.row == 2


def test_packaged_resignation_patterns_are_retreat() -> None:
    lex = load_lexicon()
    resign = [p for p in lex.for_lemma("resign", "verb") if p.cameo == "0831"]
    assert resign and all(p.plover == "RETREAT" and p.plover_mode == "resign" for p in resign)
    assert lex.version == "2026.11.4"


def test_country_code_on_uses_independence_day() -> None:
    kb = load_kb()
    assert kb.country_code_on("SSD", date(2000, 1, 1)) == "SDN"
    assert kb.country_code_on("SSD", date(2011, 7, 9)) == "SSD"
    assert kb.country_code_on("SSD", None) == "SSD"
    assert kb.country_code_on("FRA", date(1950, 1, 1)) == "FRA"


def test_country_predecessor_must_be_a_code() -> None:
    with pytest.raises(ValidationError):
        CountryEntry(code="SSD", name="South Sudan", since=date(2011, 7, 9), predecessor="Sudan")


# -- coder rules (model) ---------------------------------------------------------------------

# name -> (type, country, org, sector)
ACTORS: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "Lebanon": ("country", "LBN", None, None),
    "Israeli": ("country", "ISR", None, None),
    "United Nations": ("organization", None, "UN", "IGO"),
    "Russia": ("country", "RUS", None, None),
    "Britain": ("country", "GBR", None, None),
    "Bosnia": ("country", "BIH", None, None),
    "NATO": ("organization", None, "NATO", "MIL"),
    "Jakarta": ("country", "IDN", None, "GOV"),
    "UNHCR": ("organization", None, "UNHCR", "IGO"),
    "Latvia": ("country", "LVA", None, None),
    "Iran": ("country", "IRN", None, None),
    "Vietnamese": ("country", "VNM", None, None),
    "Kampuchean": ("country", "KHM", None, None),
    "Monrovia": ("country", "LBR", None, "GOV"),
    "Paris": ("country", "FRA", None, "GOV"),
    "UK": ("country", "GBR", None, None),
    "US": ("country", "USA", None, None),
    "Akayev": ("person", "KGZ", None, "GOV"),
    "Kyrgyzstan": ("country", "KGZ", None, None),
    "Avril": ("person", "HTI", None, "MIL"),
    "Egypt": ("country", "EGY", None, None),
    "the army": ("agent", None, None, "MIL"),
    "demonstrators": ("agent", None, None, "CVL"),
    "delegation": ("agent", None, None, "GOV"),
    "troops": ("agent", None, None, "MIL"),
    "peacekeeping troops": ("agent", None, None, "MIL"),
    "refugees": ("agent", None, None, "REF"),
    "Darfur rebels": ("agent", None, None, "REB"),
}


def _actors(text: str) -> list[Actor]:
    out: list[Actor] = []
    taken: list[tuple[int, int]] = []
    # longest names first, so that "peacekeeping troops" is not also "troops"
    for n, (name, (kind, country, org, sector)) in enumerate(
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
                    org=org,
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
        return [e for e in coder(article).events if e.modality != "negated"]

    return run


def _types(events: list[Event]) -> set[str]:
    return {e.plover.type for e in events}


def _tgt(e: Event) -> str | None:
    return (e.target.country or e.target.org) if e.target else None


@pytest.mark.slow
def test_intransitive_protest_verb_ignores_a_direct_object(
    code: Callable[[str], list[Event]],
) -> None:
    assert "PROTEST" in _types(
        code("Thousands of demonstrators demonstrated in Monrovia on Monday.")
    )
    assert "PROTEST" not in _types(code("The army demonstrated its resolve in Monrovia on Monday."))


@pytest.mark.slow
def test_resignation_is_retreat_and_agreeing_to_it_is_agree(
    code: Callable[[str], list[Event]],
) -> None:
    done = code("General Avril resigned yesterday.")
    assert [(e.plover.type, e.plover.mode, e.cameo.code) for e in done] == [
        ("RETREAT", "resign", "0831")
    ]
    agreed = code("President Akayev has agreed to resign without returning to Kyrgyzstan.")
    assert [(e.plover.type, e.modality) for e in agreed] == [("AGREE", "intent")]


@pytest.mark.slow
def test_complaint_to_a_forum_targets_the_party_complained_of(
    code: Callable[[str], list[Event]],
) -> None:
    forum = code("Lebanon complained to the United Nations over two Israeli air raids.")
    assert [(e.plover.type, _tgt(e)) for e in forum] == [("ACCUSE", "ISR")]
    direct = code("Britain complained to Russia about the treatment of its diplomats.")
    assert [_tgt(e) for e in direct if e.plover.type == "ACCUSE"] == ["RUS"]


@pytest.mark.slow
def test_arriving_troops_pay_no_visit(code: Callable[[str], list[Event]]) -> None:
    keep = code("The first NATO peacekeeping troops have arrived in Bosnia.")
    assert [(e.plover.type, e.cameo.code, _tgt(e)) for e in keep] == [("AID", "074", "BIH")]
    assert "CONSULT" not in _types(code("Thousands of refugees arrived in Bosnia on Monday."))
    visit = code("The delegation arrived in Paris on Monday.")
    assert [(e.plover.type, e.source.country) for e in visit] == [("CONSULT", None)]


@pytest.mark.slow
def test_personnel_sent_to_investigate_investigate(code: Callable[[str], list[Event]]) -> None:
    events = code(
        "The United Nations has sent 21 military and civilian personnel to Bosnia to investigate "
        "the feasibility of a peacekeeping force."
    )
    asserted = [e for e in events if e.modality == "asserted"]
    assert [(e.cameo.code, _tgt(e)) for e in asserted] == [("090", "BIH")]
    peace = code("The United Nations has sent troops to Bosnia to help the ceasefire.")
    assert [e.cameo.code for e in peace if e.modality == "asserted"] == ["074"]


@pytest.mark.slow
def test_forced_out_of_the_country_is_expulsion(code: Callable[[str], list[Event]]) -> None:
    events = code("Jakarta forced the UN refugee agency, UNHCR, out of the country on Friday.")
    assert [(e.plover.type, e.cameo.code) for e in events] == [("SANCTION", "166")]


@pytest.mark.slow
def test_restrictions_on_a_practice_are_administrative(
    code: Callable[[str], list[Event]],
) -> None:
    eased = code("Latvia cancelled restrictions on the use of the language on national radio.")
    assert [(e.plover.type, e.cameo.code) for e in eased] == [("CONCEDE", "081")]
    lifted = code("Russia lifted sanctions on Iran.")
    assert [(e.plover.type, e.cameo.code, _tgt(e)) for e in lifted] == [("RETREAT", "085", "IRN")]


@pytest.mark.slow
def test_preposition_on_a_coordinated_object(code: Callable[[str], list[Event]]) -> None:
    events = code(
        "Vietnamese forces launched artillery, mortar, and rocket fire against Kampuchean camps."
    )
    assert [(e.plover.type, _tgt(e)) for e in events] == [("ASSAULT", "KHM")]


@pytest.mark.slow
def test_unnamed_local_actors_belong_to_the_place_they_act_in(
    code: Callable[[str], list[Event]],
) -> None:
    events = code("Riot police used tear gas to disperse demonstrators protesting in Monrovia.")
    protest = [e for e in events if e.plover.type == "PROTEST"]
    assert [e.source.country for e in protest] == ["LBR"]


@pytest.mark.slow
def test_unattributed_attack_takes_the_country_of_its_place(
    code: Callable[[str], list[Event]],
) -> None:
    events = code("A roadside bombing near the town of Samarra killed one US soldier on Sunday.")
    assert [(e.plover.type, e.source.actor, e.source.country, _tgt(e)) for e in events] == [
        ("ASSAULT", None, "IRQ", "USA")
    ]


@pytest.mark.slow
def test_push_for_x_to_act_is_an_appeal_to_x(code: Callable[[str], list[Event]]) -> None:
    events = code("The UK is pushing hard for the US support its debt relief plan.")
    assert [(e.plover.type, _tgt(e)) for e in events] == [("REQUEST", "USA")]


@pytest.mark.slow
def test_refugees_come_from_where_they_flee(code: Callable[[str], list[Event]]) -> None:
    events = code(
        "The United Nations will provide food aid to refugees fleeing the civil war in Liberia."
    )
    assert [(e.plover.type, _tgt(e)) for e in events] == [("AGREE", "LBR")]


@pytest.mark.slow
def test_protest_with_no_addressee_targets_its_place(code: Callable[[str], list[Event]]) -> None:
    events = code(
        "Thousands of demonstrators demonstrated in the northern city of Kirkuk on Sunday."
    )
    assert [(e.plover.type, _tgt(e)) for e in events] == [("PROTEST", "IRQ")]


@pytest.mark.slow
def test_place_modifier_unknown_to_the_kb_places_the_actor(
    code: Callable[[str], list[Event]],
) -> None:
    events = code("Egypt accused Darfur rebels of violating the ceasefire.")
    assert [(e.plover.type, _tgt(e)) for e in events] == [("ACCUSE", "SDN")]


@pytest.mark.slow
def test_demand_verb_without_addressee_or_demand_is_no_demand(
    code: Callable[[str], list[Event]],
) -> None:
    assert "REQUEST" not in _types(code("The delegation was pushing back against critics of Egypt."))
    pushed = code("The UK pushed Egypt to release the prisoners.")
    assert [(e.plover.type, _tgt(e)) for e in pushed if e.plover.type == "REQUEST"] == [
        ("REQUEST", "EGY")
    ]


@pytest.mark.slow
def test_state_that_did_not_exist_yet_is_its_predecessor() -> None:
    from eventwire.config import load_settings
    from eventwire.pipeline import build_pipeline

    nlp = build_pipeline(load_settings())
    text = "Rebels shelled Juba on Sunday."
    old = nlp(Article.create(text, published=datetime(1992, 3, 1)))
    new = nlp(Article.create(text, published=datetime(2015, 3, 1)))
    juba_old = {a.country for a in old.actors if a.name == "South Sudan" or "Juba" in a.name}
    juba_new = {a.country for a in new.actors if a.name == "South Sudan" or "Juba" in a.name}
    assert juba_old == {"SDN"}
    assert juba_new == {"SSD"}
