"""The actor resolver: normalisation, fuzzy/phonetic person matching and resolution on parses.

Most tests build the parse by hand (``spacy.blank`` vocab + ``doc_to_parse``), so they need no
model; the KB is the bundled one plus a small persons file written here, so that they do not depend
on who happens to be in the bundled persons table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import pytest

from eventwire.kb import AGENT_FILE, COUNTRY_FILE, GROUP_FILE, ORG_FILE, KnowledgeBase
from eventwire.model import Actor, Article
from eventwire.registry import get_stage
from eventwire.stages.actors import (
    FUZZY_WITH_CONTEXT,
    FUZZY_WITHOUT_CONTEXT,
    SINGLE_TOKEN_MARGIN,
    US_STATE_ABBREVIATIONS,
    ActorResolver,
    PersonMatcher,
    name_score,
    name_tokens,
    normalise_name,
    phonetic_keys,
)
from eventwire.stages.nlp import doc_to_parse

PERSONS_YAML = """\
version: test
persons:
  - id: test-lammy
    name: David Lammy
    roles:
      - {role: Foreign Secretary, country: GBR, sector: GOV, start: 2024-07-05, end: 2025-09-05}
      - {role: Deputy Prime Minister, country: GBR, sector: GOV, start: 2025-09-05}
  - id: test-starmer
    name: Keir Starmer
    roles: [{role: Prime Minister, country: GBR, sector: GOV, start: 2024-07-05}]
  - id: test-cameron
    name: David Cameron
    roles:
      - {role: Prime Minister, country: GBR, sector: GOV, start: 2010-05-11, end: 2016-07-13}
      - {role: Foreign Secretary, country: GBR, sector: GOV, start: 2023-11-13, end: 2024-07-05}
  - id: test-putin
    name: Vladimir Putin
    roles: [{role: President, country: RUS, sector: GOV, start: 2012-05-07}]
  - id: test-vance
    name: JD Vance
    aliases: [J.D. Vance]
    roles: [{role: Vice President, country: USA, sector: GOV, start: 2025-01-20}]
  - id: test-smith-a
    name: John Smith
    roles: [{role: Prime Minister, country: AUS, sector: GOV, start: 2001-01-01, end: 2003-01-01}]
  - id: test-smith-b
    name: John Smith
    roles: [{role: Finance Minister, country: NZL, sector: GOV, start: 2020-01-01}]
  - id: test-abdullah-ii
    name: Abdullah II
    roles: [{role: King, country: JOR, sector: GOV, start: 1999-02-07}]
  - id: test-jafar-hassan
    name: Jafar Hassan
    roles: [{role: Prime Minister, country: JOR, sector: GOV, start: 2024-09-15}]
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The bundled countries, organisations, groups and agents; the persons of this module only."""
    folder: Path = tmp_path_factory.mktemp("kb")
    bundled = resources.files("eventwire") / "data" / "actors"
    for name in (COUNTRY_FILE, ORG_FILE, GROUP_FILE, AGENT_FILE):
        (folder / name).write_bytes(bundled.joinpath(name).read_bytes())
    persons = folder / "test-persons.yaml"
    persons.write_text(PERSONS_YAML, encoding="utf-8")
    return KnowledgeBase.load([persons], data_dir=folder)


@pytest.fixture(scope="module")
def resolver(kb: KnowledgeBase) -> ActorResolver:
    stage = ActorResolver(kb=kb, on_error="raise")
    stage.initialize()
    return stage


@pytest.fixture(scope="module")
def matcher(resolver: ActorResolver) -> PersonMatcher:
    return resolver.persons


Tok = tuple[str, str, str, int]  # word, POS, dependency label, head (index in the sentence)


def parsed(
    sentences: Sequence[Sequence[Tok]],
    ents: Sequence[tuple[int, int, str]] = (),
    published: datetime | None = datetime(2025, 3, 17),
) -> Article:
    """An article whose parse is built by hand: one list of tokens per sentence.

    ``ents`` are (start, end, label) over article-level token indices. Punctuation attaches
    without a space before it.
    """
    import spacy
    from spacy.tokens import Doc, Span

    words: list[str] = []
    heads: list[int] = []
    deps: list[str] = []
    pos: list[str] = []
    starts: list[bool] = []
    for sentence in sentences:
        offset = len(words)
        for k, (word, tag, dep, head) in enumerate(sentence):
            words.append(word)
            pos.append(tag)
            deps.append(dep)
            heads.append(offset + head)
            starts.append(k == 0)
    spaces = [
        (i + 1 < len(words) and pos[i + 1] != "PUNCT" and words[i + 1] != "'s")
        for i in range(len(words))
    ]
    tags = [
        "NNS" if w.endswith("s") and p == "NOUN" else "NN" for w, p in zip(words, pos, strict=True)
    ]
    doc = Doc(
        spacy.blank("en").vocab,
        words=words,
        spaces=spaces,
        heads=heads,
        deps=deps,
        pos=pos,
        tags=tags,
        lemmas=[w.lower() for w in words],
        sent_starts=starts,
    )
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
    article = Article.create(doc.text, published=published)
    article.parse = doc_to_parse(doc, "hand")
    return article


def actor_at(actors: Sequence[Actor], text: str, occurrence: int = 0) -> Actor | None:
    """The actor with a mention whose text is ``text`` (the n-th such mention in the article)."""
    hits = sorted(
        ((m.start, a) for a in actors for m in a.mentions if m.text == text), key=lambda h: h[0]
    )
    return hits[occurrence][1] if len(hits) > occurrence else None


# ---------------------------------------------------------------------------------------------
# Normalisation and similarity
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sir Keir Starmer", "keir starmer"),
        ("Starmer's", "starmer"),
        ("Starmer’s", "starmer"),
        ("the Rt Hon Dr. Jane Doe", "rt hon dr jane doe"),
        ("Dr. Jane Doe", "jane doe"),
        ("J.D. Vance", "jd vance"),
        ("Recep Tayyip Erdoğan", "recep tayyip erdogan"),
        ("Jean-Yves Le Drian", "jean yves le drian"),
        ("  Mrs   Theresa  May ", "theresa may"),
        ("-Rate", "rate"),
    ],
)
def test_actors_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_actors_name_tokens_accepts_token_lists() -> None:
    assert name_tokens(["Sir", "Keir", "Starmer’s"]) == ["keir", "starmer"]
    assert name_tokens("Mr") == []


def test_actors_phonetic_keys_agree_on_transliterations() -> None:
    assert phonetic_keys("lammy")[0] == phonetic_keys("lami")[0]
    assert phonetic_keys("keir")[0] == phonetic_keys("kire")[0]
    assert phonetic_keys("") == ("", "")


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("david lami", "david lammy"),
        ("kire starmer", "keir starmer"),
        ("wladimir poutine", "vladimir putin"),
        ("vladimir poutin", "vladimir putin"),
        ("d lammy", "david lammy"),
        ("zelenskiy", "zelensky"),
    ],
)
def test_actors_name_score_accepts_noisy_spellings(query: str, form: str) -> None:
    assert name_score(query.split(), form.split()) >= FUZZY_WITH_CONTEXT


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("tom harlow", "david lammy"),
        ("david miliband", "david lammy"),
        ("keith vaz", "keir starmer"),
        ("liam", "lammy"),
    ],
)
def test_actors_name_score_rejects_other_names(query: str, form: str) -> None:
    threshold = FUZZY_WITH_CONTEXT + (SINGLE_TOKEN_MARGIN if " " not in query else 0.0)
    assert name_score(query.split(), form.split()) < threshold


# ---------------------------------------------------------------------------------------------
# Person matching
# ---------------------------------------------------------------------------------------------


def test_actors_person_exact_and_normalised(matcher: PersonMatcher) -> None:
    exact = matcher.match("Keir Starmer")
    assert exact is not None and exact.person.id == "test-starmer" and exact.method == "exact-alias"
    normal = matcher.match("Sir Keir Starmer's")
    assert (
        normal is not None and normal.person.id == "test-starmer" and normal.method == "normalised"
    )
    dotted = matcher.match("JD. Vance")
    assert dotted is not None and dotted.person.id == "test-vance"


def test_actors_person_fuzzy_needs_context_for_looser_threshold(matcher: PersonMatcher) -> None:
    with_context = matcher.match("David Lami", countries=["GBR"], day=date(2025, 3, 17))
    assert with_context is not None
    assert with_context.person.id == "test-lammy" and with_context.method == "fuzzy"
    assert with_context.role is not None and with_context.role.role == "Foreign Secretary"
    # a spelling between the two thresholds: found with the right country, not with a wrong one
    noisy = "Davod Lemmi"
    assert (
        FUZZY_WITH_CONTEXT
        <= name_score(name_tokens(noisy), ["david", "lammy"])
        < FUZZY_WITHOUT_CONTEXT
    )
    found = matcher.match(noisy, countries=["GBR"])
    assert found is not None and found.person.id == "test-lammy"
    assert matcher.match(noisy, countries=["FRA"]) is None
    assert matcher.match(noisy) is None


def test_actors_person_unknown_name_does_not_match(matcher: PersonMatcher) -> None:
    assert matcher.match("Tom Harlow", countries=["GBR"]) is None
    assert matcher.match("Priya Raman", countries=["GBR"], sector="GOV") is None


def test_actors_person_date_prefers_role_holder(matcher: PersonMatcher) -> None:
    # two John Smiths: the one in office on the day wins, and the country context wins
    on_day = matcher.match("John Smith", day=date(2024, 1, 1))
    assert on_day is not None and on_day.person.id == "test-smith-b"
    by_country = matcher.match("John Smith", countries=["AUS"], day=date(2024, 1, 1))
    assert by_country is not None and by_country.person.id == "test-smith-a"


def test_actors_person_role_on_article_date(matcher: PersonMatcher) -> None:
    later = matcher.match("David Lammy", day=date(2025, 10, 1))
    assert later is not None and later.role is not None
    assert later.role.role == "Deputy Prime Minister"


# ---------------------------------------------------------------------------------------------
# Resolution on hand-built parses
# ---------------------------------------------------------------------------------------------


def test_actors_coordination_gives_each_country_its_own_mention(resolver: ActorResolver) -> None:
    article = parsed(
        [
            [
                ("Britain", "PROPN", "nsubj", 5),
                (",", "PUNCT", "punct", 0),
                ("France", "PROPN", "conj", 0),
                ("and", "CCONJ", "cc", 2),
                ("Australia", "PROPN", "conj", 2),
                ("said", "VERB", "ROOT", 5),
                (".", "PUNCT", "punct", 5),
            ]
        ],
        ents=[(0, 1, "GPE"), (2, 3, "GPE"), (4, 5, "GPE")],
    )
    actors = resolver(article).actors
    assert [(a.id, a.country, a.type) for a in actors] == [
        ("A1", "GBR", "country"),
        ("A2", "FRA", "country"),
        ("A3", "AUS", "country"),
    ]
    assert [a.mentions[0].text for a in actors] == ["Britain", "France", "Australia"]
    assert all(a.sector is None and a.resolved for a in actors)


def test_actors_context_and_fuzzy_name_then_surname_and_pronoun(resolver: ActorResolver) -> None:
    article = parsed(
        [
            [
                ("British", "ADJ", "amod", 2),
                ("Foreign", "PROPN", "compound", 2),
                ("Minister", "PROPN", "compound", 4),
                ("David", "PROPN", "compound", 4),
                ("Lami", "PROPN", "nsubj", 5),
                ("spoke", "VERB", "ROOT", 5),
                (".", "PUNCT", "punct", 5),
            ],
            [
                ("He", "PRON", "nsubj", 1),
                ("stressed", "VERB", "ROOT", 1),
                ("unity", "NOUN", "dobj", 1),
                (".", "PUNCT", "punct", 1),
            ],
            [
                ("Lami", "PROPN", "nsubj", 1),
                ("left", "VERB", "ROOT", 1),
                (".", "PUNCT", "punct", 1),
            ],
        ],
        ents=[(0, 1, "NORP"), (3, 5, "PERSON"), (11, 12, "PERSON")],
    )
    actors = resolver(article).actors
    assert len(actors) == 1
    lammy = actors[0]
    assert (lammy.kb_id, lammy.country, lammy.sector) == ("test-lammy", "GBR", "GOV")
    assert lammy.reason.startswith("fuzzy:jw=") and "context:GBR GOV" in lammy.reason
    assert [m.text for m in lammy.mentions] == ["David Lami", "He", "Lami"]
    assert [m.sentence for m in lammy.mentions] == [0, 1, 2]


def test_actors_unknown_person_kept_with_context(resolver: ActorResolver) -> None:
    article = parsed(
        [
            [
                ("French", "ADJ", "amod", 1),
                ("minister", "NOUN", "compound", 3),
                ("Amelie", "PROPN", "compound", 3),
                ("Vautrin", "PROPN", "nsubj", 4),
                ("said", "VERB", "ROOT", 4),
                (".", "PUNCT", "punct", 4),
            ]
        ],
        ents=[(0, 1, "NORP"), (2, 4, "PERSON")],
    )
    (actor,) = resolver(article).actors
    assert actor.type == "person" and not actor.resolved
    assert (actor.country, actor.sector, actor.role) == ("FRA", "GOV", "minister")
    assert actor.reason.startswith("context-only")


def test_actors_institution_head_is_never_a_person(resolver: ActorResolver) -> None:
    article = parsed(
        [
            [
                ("the", "DET", "det", 2),
                ("Harlow", "PROPN", "compound", 2),
                ("House", "PROPN", "nsubj", 3),
                ("said", "VERB", "ROOT", 3),
                (".", "PUNCT", "punct", 3),
            ]
        ],
        ents=[(0, 3, "PERSON")],
    )
    assert resolver(article).actors == []


def test_actors_capital_acts_as_subject_but_not_as_location(resolver: ActorResolver) -> None:
    article = parsed(
        [
            [
                ("Washington", "PROPN", "nsubj", 1),
                ("said", "VERB", "ROOT", 1),
                (".", "PUNCT", "punct", 1),
            ],
            [
                ("Talks", "NOUN", "nsubj", 1),
                ("began", "VERB", "ROOT", 1),
                ("in", "ADP", "prep", 1),
                ("London", "PROPN", "pobj", 2),
                (".", "PUNCT", "punct", 1),
            ],
        ],
        ents=[(0, 1, "GPE"), (6, 7, "GPE")],
    )
    (actor,) = resolver(article).actors
    assert (actor.country, actor.sector, actor.reason) == ("USA", "GOV", "metonym")
    assert actor.mentions[0].text == "Washington"


def test_actors_agents_with_nationality_possessor_and_coordination(resolver: ActorResolver) -> None:
    article = parsed(
        [
            [
                ("Keir", "PROPN", "compound", 1),
                ("Starmer", "PROPN", "nsubj", 2),
                ("spoke", "VERB", "ROOT", 2),
                (".", "PUNCT", "punct", 2),
            ],
            [
                ("Starmer", "PROPN", "poss", 3),
                ("'s", "PART", "case", 0),
                ("press", "NOUN", "compound", 3),
                ("secretary", "NOUN", "nsubj", 8),
                ("and", "CCONJ", "cc", 3),
                ("Israeli", "ADJ", "amod", 7),
                ("and", "CCONJ", "cc", 5),
                ("troops", "NOUN", "conj", 3),
                ("left", "VERB", "ROOT", 8),
                (".", "PUNCT", "punct", 8),
            ],
            [
                ("British", "ADJ", "amod", 3),
                ("and", "CCONJ", "cc", 0),
                ("French", "ADJ", "conj", 0),
                ("officials", "NOUN", "nsubj", 4),
                ("met", "VERB", "ROOT", 4),
                (".", "PUNCT", "punct", 4),
            ],
        ],
        ents=[
            (0, 2, "PERSON"),
            (4, 5, "PERSON"),
            (9, 10, "NORP"),
            (14, 15, "NORP"),
            (16, 17, "NORP"),
        ],
    )
    actors = resolver(article).actors
    secretary = actor_at(actors, "Starmer's press secretary")
    assert secretary is not None
    assert (secretary.type, secretary.country, secretary.sector) == ("agent", "GBR", "GOV")
    starmer = actor_at(actors, "Starmer")
    assert starmer is not None and starmer.kb_id == "test-starmer"
    assert len(starmer.mentions) == 2
    troops = actor_at(actors, "Israeli and troops")
    assert troops is not None and (troops.country, troops.sector) == ("ISR", "MIL")
    british = actor_at(actors, "British and French officials")
    french = actor_at(actors, "French officials")
    assert british is not None and french is not None and british is not french
    assert (british.country, british.sector) == ("GBR", "GOV")
    assert (french.country, french.sector) == ("FRA", "GOV")
    assert "coordination" in british.reason


def test_actors_definite_role_links_to_latest_holder(resolver: ActorResolver) -> None:
    article = parsed(
        [
            [
                ("Keir", "PROPN", "compound", 1),
                ("Starmer", "PROPN", "nsubj", 2),
                ("spoke", "VERB", "ROOT", 2),
                (".", "PUNCT", "punct", 2),
            ],
            [
                ("The", "DET", "det", 2),
                ("prime", "ADJ", "amod", 2),
                ("minister", "NOUN", "nsubj", 3),
                ("left", "VERB", "ROOT", 3),
                (".", "PUNCT", "punct", 3),
            ],
        ],
        ents=[(0, 2, "PERSON")],
    )
    (starmer,) = resolver(article).actors
    assert [m.text for m in starmer.mentions] == ["Keir Starmer", "prime minister"]


def test_actors_ids_are_deterministic_and_in_order_of_first_mention(
    resolver: ActorResolver,
) -> None:
    sentences: list[list[Tok]] = [
        [
            ("Russia", "PROPN", "nsubj", 1),
            ("warned", "VERB", "ROOT", 1),
            ("Ukraine", "PROPN", "dobj", 1),
            (".", "PUNCT", "punct", 1),
        ],
        [
            ("Ukraine", "PROPN", "nsubj", 1),
            ("replied", "VERB", "ROOT", 1),
            (".", "PUNCT", "punct", 1),
        ],
    ]
    ents = [(0, 1, "GPE"), (2, 3, "GPE"), (4, 5, "GPE")]
    first = resolver(parsed(sentences, ents)).actors
    second = resolver(parsed(sentences, ents)).actors
    assert [a.model_dump() for a in first] == [a.model_dump() for a in second]
    assert [(a.id, a.country, len(a.mentions)) for a in first] == [
        ("A1", "RUS", 1),
        ("A2", "UKR", 2),
    ]


def test_actors_article_without_parse_has_no_actors(resolver: ActorResolver) -> None:
    article = Article.create("Nothing parsed.")
    assert resolver(article).actors == []


def test_actors_stage_is_registered() -> None:
    factory = get_stage("eventwire.actors.resolver.v1")
    assert factory.factory is ActorResolver
    assert factory.requires == ("parse",) and factory.assigns == ("actors",)


# ---------------------------------------------------------------------------------------------
# The canonical seed article (machine-translated, with garbled names), real model and KB
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_actors(seed_article_raw: dict[str, object], nlp_stage: object) -> list[Actor]:
    article = Article.create(
        str(seed_article_raw["text"]),
        title=str(seed_article_raw["title"]),
        published=seed_article_raw["published"],
    )
    nlp_stage(article)  # type: ignore[operator]
    return ActorResolver(on_error="raise")(article).actors


def _by_kb(actors: Sequence[Actor], kb_id: str, sector: str | None = None) -> Actor:
    found = [a for a in actors if a.kb_id == kb_id and (sector is None or a.sector == sector)]
    assert len(found) == 1, [(a.name, a.kb_id, a.sector) for a in actors]
    return found[0]


@pytest.mark.slow
def test_actors_seed_persons_with_garbled_names_and_pronouns(seed_actors: list[Actor]) -> None:
    lammy = _by_kb(seed_actors, "david-lammy")
    assert (lammy.type, lammy.country, lammy.sector, lammy.resolved) == (
        "person",
        "GBR",
        "GOV",
        True,
    )
    texts = [m.text for m in lammy.mentions]
    assert texts.count("Lami") == 3 and "David Lami" in texts
    assert "He" in texts and "he" in texts  # "He stressed ...", "... that he had a meeting"
    starmer = _by_kb(seed_actors, "keir-starmer")
    assert (starmer.country, starmer.sector) == ("GBR", "GOV")
    assert {"Kire Starmer", "Starmer", "Prime Minister"} <= {m.text for m in starmer.mentions}
    for kb_id, country in (("vladimir-putin", "RUS"), ("jd-vance", "USA"), ("donald-trump", "USA")):
        person = _by_kb(seed_actors, kb_id)
        assert (person.country, person.sector) == (country, "GOV")


@pytest.mark.slow
def test_actors_seed_countries_metonyms_and_organisations(seed_actors: list[Actor]) -> None:
    named = {a.kb_id for a in seed_actors if a.type == "country" and a.sector is None}
    assert named == {
        "GBR", "FRA", "AUS", "UKR", "DNK", "SWE", "RUS", "BEL", "DEU", "USA", "IRL", "LUX",
        "FIN", "POL", "CAN", "NZL", "JPN",
    }  # fmt: skip
    kyiv = _by_kb(seed_actors, "UKR", "GOV")
    assert [m.text for m in kyiv.mentions] == ["Kiev"]
    downing = _by_kb(seed_actors, "GBR", "GOV")
    assert [m.text for m in downing.mentions] == ["Downing -Rate"]
    assert {a.org for a in seed_actors if a.type == "organization"} >= {"G7", "EU", "NATO"}
    # "in Washington" and "in London" are places, not actors
    assert not any(m.text in ("Washington", "London") for a in seed_actors for m in a.mentions)


@pytest.mark.slow
def test_actors_seed_invents_no_person(seed_actors: list[Actor]) -> None:
    persons = {a.kb_id for a in seed_actors if a.type == "person"}
    assert persons == {"david-lammy", "keir-starmer", "vladimir-putin", "jd-vance", "donald-trump"}
    house = [a for a in seed_actors for m in a.mentions if "House" in m.text]
    assert all(a.type == "agent" and a.country == "GBR" for a in house)


@pytest.mark.slow
def test_actors_seed_agents(seed_actors: list[Actor]) -> None:
    def agent(text: str) -> Actor:
        hits = [a for a in seed_actors if any(m.text == text for m in a.mentions)]
        assert len(hits) == 1, text
        return hits[0]

    assert (agent("British officials").country, agent("British officials").sector) == ("GBR", "GOV")
    secretary = agent("Starmer’s press secretary")
    assert (secretary.country, secretary.sector) == ("GBR", "GOV")
    assert agent("press -secretary") is secretary
    diplomat = agent("one EU diplomat")
    assert (diplomat.org, diplomat.sector) == ("EU", "GOV")
    assert agent("Military planners").sector == "MIL"
    eu = agent("EU countries")
    assert eu.org == "EU"


def _dateline_article(place: Sequence[Tok], modifier: str | None = None) -> Article:
    """ "<PLACE>: Police detained [<modifier>] protesters." built by hand."""
    n = len(place)
    tokens: list[Tok] = [*place, (":", "PUNCT", "punct", n + 2)]
    tokens.append(("Police", "NOUN", "nsubj", n + 2))
    tokens.append(("detained", "VERB", "ROOT", n + 2))
    if modifier is not None:
        tokens.append((modifier, "ADJ", "amod", n + 4))
    last = len(tokens)
    tokens.append(("protesters", "NOUN", "dobj", n + 2))
    tokens.append((".", "PUNCT", "punct", n + 2))
    assert tokens[last][0] == "protesters"
    return parsed([tokens], ents=[(0, n, "GPE")])


def test_actors_dateline_gives_domestic_agents_the_home_country(resolver: ActorResolver) -> None:
    place: list[Tok] = [("NEW", "PROPN", "compound", 1), ("DELHI", "PROPN", "npadvmod", 4)]
    actors = resolver(_dateline_article(place)).actors
    police = actor_at(actors, "Police")
    protesters = actor_at(actors, "protesters")
    assert police is not None and protesters is not None
    assert (police.country, police.sector) == ("IND", "COP")
    assert (protesters.country, protesters.sector) == ("IND", "CVL")
    assert police.reason.endswith("+context:dateline")
    assert police.confidence <= 0.45


def test_actors_dateline_city_from_the_gazetteer(resolver: ActorResolver) -> None:
    place: list[Tok] = [("AHMEDABAD", "PROPN", "npadvmod", 3)]
    actors = resolver(_dateline_article(place)).actors
    police = actor_at(actors, "Police")
    assert police is not None and police.country == "IND"


def test_actors_foreign_agents_do_not_take_the_home_country(resolver: ActorResolver) -> None:
    place: list[Tok] = [("NEW", "PROPN", "compound", 1), ("DELHI", "PROPN", "npadvmod", 4)]
    actors = resolver(_dateline_article(place, "foreign")).actors
    foreign = actor_at(actors, "foreign protesters")
    assert foreign is not None and foreign.country is None


def test_actors_without_dateline_or_country_mentions_agents_stay_uncoded(
    resolver: ActorResolver,
) -> None:
    article = parsed(
        [
            [
                ("Police", "NOUN", "nsubj", 1),
                ("detained", "VERB", "ROOT", 1),
                ("protesters", "NOUN", "dobj", 1),
                (".", "PUNCT", "punct", 1),
            ]
        ]
    )
    police = actor_at(resolver(article).actors, "Police")
    assert police is not None and police.country is None and police.sector == "COP"


def test_actors_party_state_tag_gives_country_and_legislature(resolver: ActorResolver) -> None:
    article = parsed(
        [
            [
                ("Sen.", "PROPN", "compound", 2),
                ("Maria", "PROPN", "compound", 2),
                ("Lopez", "PROPN", "nsubj", 7),
                ("(", "PUNCT", "punct", 2),
                ("D-Ohio", "PROPN", "appos", 2),
                (")", "PUNCT", "punct", 2),
                ("has", "AUX", "aux", 7),
                ("spoken", "VERB", "ROOT", 7),
                (".", "PUNCT", "punct", 7),
            ]
        ],
        ents=[(1, 3, "PERSON")],
    )
    actor = actor_at(resolver(article).actors, "Maria Lopez")
    assert actor is not None and actor.type == "person" and not actor.resolved
    assert (actor.country, actor.sector) == ("USA", "LEG")


def test_actors_person_regnal_numeral_may_be_left_out(matcher: PersonMatcher) -> None:
    found = matcher.match(["abdullah"], role="king")
    assert found is not None and found.person.id == "test-abdullah-ii"
    exact = matcher.match("Abdullah II")
    assert exact is not None and exact.method == "exact-alias"


def test_actors_explicit_country_beats_a_namesake_of_another_country(
    matcher: PersonMatcher,
) -> None:
    namesake = matcher.match(["hassan"])
    assert namesake is not None and namesake.person.id == "test-jafar-hassan"
    assert matcher.match(["hassan"], countries=["MAR"]) is None  # "King Hassan of Morocco"
    same = matcher.match(["hassan"], countries=["JOR"])
    assert same is not None and same.person.id == "test-jafar-hassan"


def test_actors_of_country_after_a_name_is_its_context(resolver: ActorResolver) -> None:
    article = parsed(
        [
            [
                ("King", "PROPN", "compound", 1),
                ("Hassan", "PROPN", "nsubj", 4),
                ("of", "ADP", "prep", 1),
                ("Morocco", "PROPN", "pobj", 2),
                ("spoke", "VERB", "ROOT", 4),
                (".", "PUNCT", "punct", 4),
            ]
        ],
        ents=[(1, 2, "PERSON"), (3, 4, "GPE")],
    )
    actors = resolver(article).actors
    king = actor_at(actors, "Hassan")
    assert king is not None and king.kb_id is None  # not Jordan's Jafar Hassan
    assert (king.type, king.country, king.sector) == ("person", "MAR", "GOV")


def test_actors_titled_person_takes_the_only_country_of_the_sentence(
    resolver: ActorResolver,
) -> None:
    def article(country: list[Tok]) -> Article:
        return parsed(
            [
                [
                    ("President", "PROPN", "compound", 2),
                    ("Askar", "PROPN", "compound", 2),
                    ("Akayevski", "PROPN", "nsubj", 3),
                    ("left", "VERB", "ROOT", 3),
                    *country,
                    (".", "PUNCT", "punct", 3),
                ]
            ],
            ents=[
                (1, 3, "PERSON"),
                *[(4 + n, 5 + n, "GPE") for n, tok in enumerate(country) if tok[1] == "PROPN"],
            ],
        )

    kyrgyzstan: list[Tok] = [("Kyrgyzstan", "PROPN", "dobj", 3)]
    one = actor_at(resolver(article(kyrgyzstan)).actors, "Askar Akayevski")
    assert one is not None and one.country == "KGZ" and one.reason.endswith("+context:sentence")
    two = resolver(
        article(
            [
                ("Kyrgyzstan", "PROPN", "dobj", 3),
                ("and", "CCONJ", "cc", 4),
                ("Kazakhstan", "PROPN", "conj", 4),
            ]
        )
    ).actors
    person = actor_at(two, "Askar Akayevski")
    assert person is not None and person.country is None  # two countries: no guess


def test_actors_domestic_agent_in_a_country(resolver: ActorResolver) -> None:
    def article(head: str) -> Article:
        return parsed(
            [
                [
                    (head, "NOUN", "compound", 1),
                    ("forces", "NOUN", "nsubj", 4),
                    ("in", "ADP", "prep", 1),
                    ("Guinea", "PROPN", "pobj", 2),
                    ("fired", "VERB", "ROOT", 4),
                    (".", "PUNCT", "punct", 4),
                ]
            ],
            ents=[(3, 4, "GPE")],
        )

    security = actor_at(resolver(article("Security")).actors, "Security forces")
    assert security is not None and (security.country, security.sector) == ("GIN", "COP")
    peacekeeping = actor_at(resolver(article("peacekeeping")).actors, "peacekeeping forces")
    assert peacekeeping is not None and peacekeeping.country is None  # not domestic


def test_actors_nationality_before_a_non_actor_head_is_the_country(
    resolver: ActorResolver,
) -> None:
    article = parsed(
        [
            [
                ("Serbia", "PROPN", "nsubj", 1),
                ("rejected", "VERB", "ROOT", 1),
                ("an", "DET", "det", 4),
                ("Australian", "ADJ", "amod", 4),
                ("ultimatum", "NOUN", "dobj", 1),
                (".", "PUNCT", "punct", 1),
            ]
        ],
        ents=[(0, 1, "GPE"), (3, 4, "NORP")],
    )
    actor = actor_at(resolver(article).actors, "Australian")
    assert actor is not None and (actor.type, actor.country, actor.sector) == (
        "country",
        "AUS",
        None,
    )
    assert actor.reason == "nationality-modifier"


def test_actors_us_state_abbreviations() -> None:
    assert {"ny", "calif", "tex", "wva", "dc"} <= US_STATE_ABBREVIATIONS
    assert "london" not in US_STATE_ABBREVIATIONS


def test_actors_party_state_tag_with_abbreviated_state(resolver: ActorResolver) -> None:
    article = parsed(
        [
            [
                ("Sen.", "PROPN", "compound", 2),
                ("Maria", "PROPN", "compound", 2),
                ("Lopez", "PROPN", "nsubj", 7),
                ("(", "PUNCT", "punct", 2),
                ("D-N.Y.", "PROPN", "appos", 2),
                (")", "PUNCT", "punct", 2),
                ("has", "AUX", "aux", 7),
                ("spoken", "VERB", "ROOT", 7),
                (".", "PUNCT", "punct", 7),
            ]
        ],
        ents=[(1, 3, "PERSON")],
    )
    actor = actor_at(resolver(article).actors, "Maria Lopez")
    assert actor is not None and (actor.country, actor.sector) == ("USA", "LEG")


def test_actors_regnal_numeral_or_initial_is_no_surname() -> None:
    # "Juan Carlos I" in the shipped KB: the numeral must not make every stray "I" a king
    # (spaCy reads "Jamiat-i-Islami leader ..." as a person name containing "i")
    from eventwire.kb import load_kb

    shipped = PersonMatcher(load_kb())
    assert shipped.match("I") is None
    assert shipped.match(["i"]) is None
    found = shipped.match("Juan Carlos")
    assert found is not None and found.person.id == "juan-carlos-i"


def test_actors_person_country_pools_do_not_change_matches() -> None:
    """The matcher caches each tuple of context countries' candidates; a match must not depend
    on which names were matched before (the persons found by sound are added to a copy)."""
    from eventwire.kb import load_kb

    kb = load_kb()
    queries = [
        ("David Lami", ("GBR",)),
        ("Volodymir Zelenski", ("UKR",)),
        ("Emanuel Macrone", ("FRA", "GBR")),
        # found by sound under GBR; the next spelling does not sound like him, so a pool that kept
        # him from the previous call would match it
        ("Emanuel Macrone", ("GBR",)),
        ("Emmanuel Macroz", ("GBR",)),
        ("Vladimir Poutine", ("RUS",)),
        ("Olaf Sholz", ("DEU",)),
        ("Kier Starmer", ("GBR",)),
        ("Donald Trumpp", ("USA",)),
        ("Tom Harlow", ("GBR",)),
        ("Zelenskyy", ("UKR", "RUS")),
    ]
    expected = [
        PersonMatcher(kb).match(name, countries=list(countries)) for name, countries in queries
    ]
    assert sum(found is not None for found in expected) >= 5  # the fuzzy path is exercised
    shared = PersonMatcher(kb)
    for _ in range(2):  # the second round reads every pool from the cache
        for (name, countries), want in zip(
            [*queries, *queries[::-1]], [*expected, *expected[::-1]], strict=True
        ):
            got = shared.match(name, countries=list(countries))
            assert (got and (got.person.id, got.score)) == (want and (want.person.id, want.score))
