"""Content checks for the bundled person-role dictionary ``data/actors/persons.tsv``.

``test_kb.py`` checks that the loader validates the file; these tests check the data itself:
size, coverage of the states that dominate political news, unambiguous aliases and a sample of
office-holder facts with their dates.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from eventwire.kb import KnowledgeBase, PersonEntry, PersonRole, name_key

G20 = {
    "ARG", "AUS", "BRA", "CAN", "CHN", "DEU", "FRA", "GBR", "IDN", "IND", "ITA", "JPN", "KOR",
    "MEX", "RUS", "SAU", "TUR", "USA", "ZAF",
}  # fmt: skip
EU = {
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
}  # fmt: skip
NATO_OUTSIDE_EU = {"ALB", "CAN", "GBR", "ISL", "MKD", "MNE", "NOR", "TUR", "USA"}
CONFLICT = {
    "UKR", "RUS", "BLR", "ISR", "PSE", "IRN", "IRQ", "SYR", "LBN", "YEM", "AFG", "PAK", "IND",
    "PRK", "KOR", "TWN", "SDN", "SSD", "ETH", "SOM", "COD", "RWA", "NGA", "MLI", "BFA", "NER",
    "LBY", "EGY", "SAU", "ARE", "QAT", "TUR", "VEN", "COL", "MMR", "ARM", "AZE", "GEO", "SRB",
    "XKX",
}  # fmt: skip
LEADER_ROLES = {
    "president", "prime minister", "chancellor", "king", "queen", "emir", "sultan", "monarch",
    "supreme leader", "premier", "taoiseach", "transitional president", "acting president",
    "chairman of the sovereignty council", "chairman of the presidential leadership council",
    "president of the palestinian authority", "head of the chechen republic", "grand duke",
}  # fmt: skip


def _persons_path() -> Path:
    return Path(str(resources.files("eventwire") / "data" / "actors" / "persons.tsv"))


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    if not _persons_path().is_file():
        pytest.skip("persons.tsv is not present")
    return KnowledgeBase.load()


def _person(kb: KnowledgeBase, person_id: str) -> PersonEntry:
    assert person_id in kb.persons, f"{person_id} missing from persons.tsv"
    return kb.persons[person_id]


def _role_on(kb: KnowledgeBase, person_id: str, day: date) -> PersonRole:
    role = _person(kb, person_id).role_on(day)
    assert role is not None
    assert role.active_on(day), f"{person_id} holds no role on {day}"
    return role


def _data_rows() -> list[list[str]]:
    lines = _persons_path().read_text("utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return rows[1:]


def test_persons_file_size_and_header(kb: KnowledgeBase) -> None:
    text = _persons_path().read_text("utf-8")
    header = [line for line in text.splitlines() if line.startswith("# ")]
    for key in ("version", "source", "license", "known_gaps"):
        assert any(line.startswith(f"# {key}: ") for line in header), key
    rows = _data_rows()
    assert len(rows) >= 700
    assert all(len(row) == 9 for row in rows)
    assert len(kb.persons) >= 500
    assert sum(len(p.roles) for p in kb.persons.values()) == len(rows)
    assert any(part.startswith("persons=") for part in kb.version.split(";"))


def test_persons_no_duplicate_role_rows() -> None:
    keys = [(row[0], row[5], row[6]) for row in _data_rows()]
    assert len(keys) == len(set(keys))


def test_persons_every_name_resolves_to_one_person(kb: KnowledgeBase) -> None:
    owners: dict[str, set[str]] = {}
    for person in kb.persons.values():
        for form in (person.name, *person.aliases):
            owners.setdefault(name_key(form), set()).add(person.id)
    shared = {form: ids for form, ids in owners.items() if len(ids) > 1}
    assert shared == {}
    assert [p.id for p in kb.persons_by_name("Zelenskyy")] == ["volodymyr-zelensky"]
    assert [p.id for p in kb.persons_by_name("erdogan")] == ["recep-tayyip-erdogan"]


@pytest.mark.parametrize(
    "surname",
    [
        "Bush",
        "Clinton",
        "Rice",
        "Kim",
        "Lee",
        "Khan",
        "Singh",
        "Sharif",
        "Gandhi",
        "Stoltenberg",
        "Mitsotakis",
        "Papandreou",
        "McCain",
        "Johnson",
    ],
)
def test_persons_shared_surnames_are_not_aliases(kb: KnowledgeBase, surname: str) -> None:
    assert kb.persons_by_name(surname) == []


def test_persons_roles_fall_in_the_covered_period(kb: KnowledgeBase) -> None:
    for person in kb.persons.values():
        assert any(
            (role.end is None or role.end >= date(1979, 1, 1))
            and (role.start is None or role.start <= date(2026, 12, 31))
            for role in person.roles
        ), person.id
        for role in person.roles:
            assert role.start is not None, person.id
            assert role.role == role.role.lower(), person.id
            if role.org is not None:
                assert role.sector == "IGO", (person.id, role.role)


def test_persons_cover_g20_eu_nato_and_conflict_states(kb: KnowledgeBase) -> None:
    leaders: set[str] = set()
    for person in kb.persons.values():
        for role in person.roles:
            if role.role.startswith(tuple(LEADER_ROLES)) and role.country:
                leaders.add(role.country)
    missing = (G20 | EU | NATO_OUTSIDE_EU | CONFLICT) - leaders
    assert missing == set()


def test_persons_sample_facts(kb: KnowledgeBase) -> None:
    day = date(2025, 3, 1)
    assert _role_on(kb, "keir-starmer", day).role == "prime minister"
    assert _role_on(kb, "keir-starmer", date(2022, 6, 1)).sector == "OPP"
    assert _role_on(kb, "david-lammy", day).role == "foreign secretary"
    assert _role_on(kb, "david-lammy", date(2025, 10, 1)).role == "deputy prime minister"
    assert _role_on(kb, "yvette-cooper", date(2025, 10, 1)).role == "foreign secretary"
    trump = _person(kb, "donald-trump")
    assert [r.start for r in trump.roles if r.role == "president"] == [
        date(2017, 1, 20),
        date(2025, 1, 20),
    ]
    assert not any(r.active_on(date(2022, 6, 1)) for r in trump.roles)
    assert _role_on(kb, "jd-vance", day).role == "vice president"
    assert _role_on(kb, "marco-rubio", day).role == "secretary of state"
    assert _role_on(kb, "pete-hegseth", day).role == "secretary of defense"
    assert _role_on(kb, "vladimir-putin", date(2010, 1, 1)).role == "prime minister"
    assert _role_on(kb, "vladimir-putin", day).role == "president"
    assert _role_on(kb, "andrei-belousov", day).role == "defence minister"
    assert _role_on(kb, "volodymyr-zelensky", day).country == "UKR"
    rutte = _role_on(kb, "mark-rutte", day)
    assert (rutte.org, rutte.sector, rutte.country) == ("NATO", "IGO", "NLD")
    assert _role_on(kb, "mark-rutte", date(2015, 1, 1)).role == "prime minister"
    assert _role_on(kb, "ursula-von-der-leyen", day).org == "EC"
    assert _role_on(kb, "antonio-guterres", day).org == "UN"
    assert _role_on(kb, "kaja-kallas", day).country == "EST"


def test_persons_non_state_leaders(kb: KnowledgeBase) -> None:
    nasrallah = _role_on(kb, "hassan-nasrallah", date(2020, 1, 1))
    assert (nasrallah.sector, nasrallah.country) == ("REB", "LBN")
    assert _role_on(kb, "ahmed-al-sharaa", date(2020, 1, 1)).sector == "REB"
    assert _role_on(kb, "ahmed-al-sharaa", date(2025, 6, 1)).role == "president"
    assert _role_on(kb, "abdul-malik-al-houthi", date(2024, 1, 1)).sector == "REB"
    assert _role_on(kb, "mohamed-hamdan-dagalo", date(2024, 1, 1)).sector == "REB"
    assert _role_on(kb, "mohamed-hamdan-dagalo", date(2020, 1, 1)).sector == "GOV"
    assert _role_on(kb, "hibatullah-akhundzada", date(2019, 1, 1)).sector == "REB"
    assert _role_on(kb, "hibatullah-akhundzada", date(2023, 1, 1)).sector == "GOV"
    assert [p.id for p in kb.persons_by_name("Hemedti")] == ["mohamed-hamdan-dagalo"]
