"""Unit tests of the gazetteer and the places stage (hand-built parses, no spaCy model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventwire.errors import LexiconError
from eventwire.gazetteer import Gazetteer, load_centroids, load_gazetteer, load_place_rows
from eventwire.model import (
    Actor,
    Article,
    Cameo,
    Entity,
    Event,
    EventArg,
    Location,
    Mention,
    Parse,
    Plover,
    Sentence,
    Span,
    Token,
)
from eventwire.stages.places import PlaceStage, acts_as_actor

Spec = tuple[str, str, str, int]


def build(specs: list[Spec], ents: list[tuple[int, int, str]]) -> tuple[str, Parse]:
    text = ""
    tokens: list[Token] = []
    for i, (word, pos, dep, head) in enumerate(specs):
        if text and word not in {".", ","}:
            text += " "
        start = len(text)
        text += word
        tokens.append(
            Token(
                i=i,
                text=word,
                start=start,
                end=len(text),
                lemma=word.lower(),
                pos=pos,
                tag="",
                dep=dep,
                head=i + head,
                sent=0,
            )
        )
    entities = [
        Entity(
            label=label,
            text=text[tokens[a].start : tokens[b - 1].end],
            start=tokens[a].start,
            end=tokens[b - 1].end,
            tok_start=a,
            tok_end=b,
            sentence=0,
        )
        for a, b, label in ents
    ]
    sent = Sentence(index=0, start=0, end=len(text), text=text, tok_start=0, tok_end=len(tokens))
    return text, Parse(tokens=tokens, sentences=[sent], entities=entities)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def stage() -> PlaceStage:
    s = PlaceStage(on_error="raise")
    s.initialize()
    s._initialized = True
    return s


@pytest.mark.parametrize(
    ("name", "context", "country", "feature"),
    [
        ("Kiev", (), "UKR", "city"),
        ("Kyiv", (), "UKR", "city"),
        ("London", (), "GBR", "city"),
        ("London", ("CAN",), "GBR", "city"),
        ("Birmingham", (), "GBR", "city"),
        ("Birmingham", ("USA",), "USA", "city"),
        ("Hyderabad", ("PAK",), "PAK", "city"),
        ("Washington", ("GBR",), "USA", "city"),
        ("Paris", ("USA",), "FRA", "city"),
        ("the Gaza Strip", (), "PSE", "region"),
        ("West Bank", (), "PSE", "region"),
        ("Donbass", (), "UKR", "region"),
        ("Crimea", (), "UKR", "region"),
        ("Odessa", (), "UKR", "city"),
        ("Ukraine", (), "UKR", "country"),
        ("Britain", (), "GBR", "country"),
        ("Luxembourg", (), "LUX", "country"),
        ("Texas", (), "USA", "region"),
    ],
)
def test_places_gazetteer_lookup(
    gaz: Gazetteer, name: str, context: tuple[str, ...], country: str, feature: str
) -> None:
    entry = gaz.lookup(name, context)
    assert entry is not None
    assert (entry.country, entry.feature) == (country, feature)


def test_places_gazetteer_coordinates_and_unknown(gaz: Gazetteer) -> None:
    kyiv = gaz.lookup("Kiev")
    assert kyiv is not None and kyiv.name == "Kyiv" and kyiv.geonameid == 703448
    assert kyiv.lat == pytest.approx(50.45, abs=0.1) and kyiv.lon == pytest.approx(30.52, abs=0.1)
    ukraine = gaz.country("UKR")
    assert ukraine is not None and 44 < ukraine.lat < 53 and 22 < ukraine.lon < 41
    assert gaz.lookup("Narnia-upon-Thames") is None


def test_places_centroid_file_rejects_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    path.write_text(
        "# version: 1\n# source: t\n# license: t\n# known_gaps: t\niso3\tlat\tlon\nFRA\t46.2\t2.2\nDEU\t95\t10\n",
        encoding="utf-8",
    )
    with pytest.raises(LexiconError) as info:
        load_centroids(path)
    assert info.value.row == 7 and str(path) in str(info.value)


def test_places_place_file_requires_header(tmp_path: Path) -> None:
    path = tmp_path / "p.tsv"
    path.write_text(
        "name\taliases\tcountry\tlat\tlon\tfeature\tgeonameid\nX\t\tFRA\t1\t1\tregion\t\n",
        encoding="utf-8",
    )
    with pytest.raises(LexiconError, match="header"):
        load_place_rows(path)


# Washington said talks in London were useful .
WASHINGTON: list[Spec] = [
    ("Washington", "PROPN", "nsubj", 1),
    ("said", "VERB", "ROOT", 0),
    ("talks", "NOUN", "nsubj", 4),
    ("in", "ADP", "prep", -1),
    ("London", "PROPN", "pobj", -1),
    ("were", "AUX", "ccomp", -4),
    ("useful", "ADJ", "acomp", -1),
    (".", "PUNCT", "punct", -6),
]


def test_places_subject_is_actor_not_place(stage: PlaceStage) -> None:
    text, parse = build(WASHINGTON, [(0, 1, "GPE"), (4, 5, "GPE")])
    assert acts_as_actor(parse, parse.entities[0], country=False) == "subject"
    assert acts_as_actor(parse, parse.entities[1], country=False) is None
    article = Article.create(text)
    article.parse = parse
    stage(article)
    assert [(p.id, p.name, p.country, p.feature) for p in article.places] == [
        ("P1", "London", "GBR", "city")
    ]
    assert article.places[0].mentions[0].text == "London"


def test_places_metonym_mention_is_skipped(stage: PlaceStage) -> None:
    # Paris and London objected .  -- the actor stage says "London" is a metonym here
    specs: list[Spec] = [
        ("Paris", "PROPN", "nsubj", 3),
        ("and", "CCONJ", "cc", -1),
        ("London", "PROPN", "conj", -2),
        ("objected", "VERB", "ROOT", 0),
        (".", "PUNCT", "punct", -1),
    ]
    text, parse = build(specs, [(0, 1, "GPE"), (2, 3, "GPE")])
    start = text.index("London")
    article = Article.create(text)
    article.parse = parse
    article.actors = [
        Actor(
            id="A1",
            name="United Kingdom",
            type="country",
            country="GBR",
            sector="GOV",
            reason="metonym",
            mentions=[Mention(text="London", start=start, end=start + 6)],
        )
    ]
    stage(article)
    assert article.places == []
    article.actors[0].reason = "capital-as-place"
    stage(article)
    assert [p.name for p in article.places] == ["London"]


def test_places_metonym_as_object_of_preposition_is_kept(stage: PlaceStage) -> None:
    # They shared intelligence with Kiev .
    specs: list[Spec] = [
        ("They", "PRON", "nsubj", 1),
        ("shared", "VERB", "ROOT", 0),
        ("intelligence", "NOUN", "dobj", -1),
        ("with", "ADP", "prep", -2),
        ("Kiev", "PROPN", "pobj", -1),
        (".", "PUNCT", "punct", -4),
    ]
    text, parse = build(specs, [(4, 5, "GPE")])
    start = text.index("Kiev")
    article = Article.create(text)
    article.parse = parse
    article.actors = [
        Actor(
            id="A1",
            name="Ukraine",
            type="country",
            country="UKR",
            sector="GOV",
            reason="metonym",
            mentions=[Mention(text="Kiev", start=start, end=start + 4)],
        )
    ]
    stage(article)
    assert [(p.name, p.country) for p in article.places] == [("Kyiv", "UKR")]


def test_places_country_modifier_is_not_a_place(stage: PlaceStage) -> None:
    # US troops arrived in Poland .
    specs: list[Spec] = [
        ("US", "PROPN", "compound", 1),
        ("troops", "NOUN", "nsubj", 1),
        ("arrived", "VERB", "ROOT", 0),
        ("in", "ADP", "prep", -1),
        ("Poland", "PROPN", "pobj", -1),
        (".", "PUNCT", "punct", -3),
    ]
    text, parse = build(specs, [(0, 1, "GPE"), (4, 5, "GPE")])
    article = Article.create(text)
    article.parse = parse
    stage(article)
    assert [(p.name, p.feature) for p in article.places] == [("Poland", "country")]


def test_places_untagged_old_spelling_is_found(stage: PlaceStage) -> None:
    # aid to Kiev ended .   ("Kiev" tagged ORG by the model)
    specs: list[Spec] = [
        ("aid", "NOUN", "nsubj", 3),
        ("to", "ADP", "prep", -1),
        ("Kiev", "PROPN", "pobj", -1),
        ("ended", "VERB", "ROOT", 0),
        (".", "PUNCT", "punct", -1),
    ]
    text, parse = build(specs, [(2, 3, "ORG")])
    article = Article.create(text)
    article.parse = parse
    stage(article)
    assert [(p.name, p.country, p.geonameid) for p in article.places] == [("Kyiv", "UKR", 703448)]


def test_places_fill_event_location(stage: PlaceStage) -> None:
    text, parse = build(WASHINGTON, [(0, 1, "GPE"), (4, 5, "GPE")])
    article = Article.create(text)
    article.parse = parse
    arg = EventArg(text="Washington", start=0, end=10)
    trigger = Span(text="said", start=11, end=15)
    article.events = [
        Event(
            id="E1",
            sentence=0,
            source=arg,
            plover=Plover(type="CONSULT"),
            cameo=Cameo(code="040", root="04"),
            trigger=trigger,
            location=Location(name="London"),
        ),
        Event(
            id="E2",
            sentence=0,
            source=arg,
            plover=Plover(type="CONSULT"),
            cameo=Cameo(code="040", root="04"),
            trigger=trigger,
            location=Location(name="Kiev", country="UKR"),
        ),
    ]
    stage(article)
    first, second = (e.location for e in article.events)
    assert (
        first is not None and first.country == "GBR" and first.lat == pytest.approx(51.51, abs=0.05)
    )
    assert (
        second is not None
        and second.lat == pytest.approx(50.45, abs=0.05)
        and second.country == "UKR"
    )
