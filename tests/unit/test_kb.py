"""Tests of the actor knowledge base (eventwire.kb): bundled data, lookups, user files, errors."""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from eventwire.errors import LexiconError
from eventwire.kb import (
    SECTOR_CODES,
    KnowledgeBase,
    PersonEntry,
    PersonRole,
    load_kb,
    name_key,
)

EU_27 = {
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
}  # fmt: skip
NATO_32 = {
    "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR", "POL", "PRT", "ROU", "SVK",
    "SVN", "ESP", "SWE", "TUR", "GBR", "USA",
}  # fmt: skip
G7 = {"CAN", "FRA", "DEU", "ITA", "JPN", "GBR", "USA"}


def _data_dir() -> Path:
    return Path(str(resources.files("eventwire") / "data" / "actors"))


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Bundled data
# ---------------------------------------------------------------------------------------------


def test_kb_bundled_counts(kb: KnowledgeBase) -> None:
    assert len(kb.countries) >= 240
    assert len(kb.organizations) >= 90
    assert len(kb.groups) >= 60
    distinct_agents = {entry.term for entry in kb.agents.values()}
    assert len(distinct_agents) >= 220


def test_kb_version_names_every_file(kb: KnowledgeBase) -> None:
    for part in ("countries", "organizations", "groups", "agents"):
        assert re.search(rf"(^|;){part}=\d{{4}}\.\d{{1,2}}\.\d+(;|$)", kb.version), kb.version


def test_kb_country_codes_are_iso_or_documented(kb: KnowledgeBase) -> None:
    pycountry = pytest.importorskip("pycountry")
    iso3 = {c.alpha_3 for c in pycountry.countries}
    for code, country in kb.countries.items():
        if code == "XKX":
            continue
        assert code in iso3, code
        assert country.iso2 == pycountry.countries.get(alpha_3=code).alpha_2
    assert iso3 <= set(kb.countries), iso3 - set(kb.countries)


def test_kb_norway_iso2_is_not_a_boolean(kb: KnowledgeBase) -> None:
    norway = kb.country_by_iso2("no")
    assert norway is not None and norway.code == "NOR"


@pytest.mark.parametrize(
    ("org", "expected"), [("EU", EU_27), ("NATO", NATO_32), ("G7", G7)], ids=["eu", "nato", "g7"]
)
def test_kb_org_members_exact(kb: KnowledgeBase, org: str, expected: set[str]) -> None:
    members = kb.organizations[org].members
    assert set(members) == expected
    assert len(members) == len(expected)


def test_kb_org_members_are_known_countries(kb: KnowledgeBase) -> None:
    for org in kb.organizations.values():
        assert set(org.members) <= set(kb.countries), org.code
    assert {"BRA", "RUS", "IND", "CHN", "ZAF", "EGY", "ETH", "IRN", "ARE"} <= set(
        kb.organizations["BRICS"].members
    )
    assert set(kb.organizations["GCC"].members) == {"SAU", "ARE", "KWT", "QAT", "BHR", "OMN"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Emirati", "ARE"),
        ("Danish", "DNK"),
        ("Danes", "DNK"),
        ("Britons", "GBR"),
        ("the United Kingdom", "GBR"),
        ("Great Britain", "GBR"),
        ("British", "GBR"),
        ("U.S.", "USA"),
        ("US", "USA"),
        ("American", "USA"),
        ("Ukrainian", "UKR"),
        ("Burma", "MMR"),
        ("Swaziland", "SWZ"),
        ("Zaire", "COD"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Ivory Coast", "CIV"),
        ("Côte d’Ivoire", "CIV"),
        ("East Timor", "TLS"),
        ("Macedonia", "MKD"),
        ("Kosovo", "XKX"),
        ("THE NETHERLANDS", "NLD"),
    ],
)
def test_kb_country_by_name(kb: KnowledgeBase, text: str, code: str) -> None:
    country = kb.country_by_name(text)
    assert country is not None, text
    assert country.code == code


@pytest.mark.parametrize("text", ["us", "Us", "car", "Washington", "Brussels", "dominica's"])
def test_kb_country_by_name_rejects_non_names(kb: KnowledgeBase, text: str) -> None:
    assert kb.country_by_name(text) is None


def test_kb_every_country_name_resolves_to_its_own_entry(kb: KnowledgeBase) -> None:
    for country in kb.countries.values():
        for name in (country.name, *country.aliases, *country.adjectives, *country.demonyms):
            found = kb.country_by_name(name)
            assert found is not None and found.code == country.code, (name, country.code)


def test_kb_capitals_and_aliases(kb: KnowledgeBase) -> None:
    ukraine = kb.countries["UKR"]
    assert ukraine.capital == "Kyiv"
    assert "Kiev" in ukraine.capital_aliases
    for spelling in ("Kyiv", "Kiev"):
        found = kb.country_by_capital(spelling)
        assert found is not None and found.code == "UKR"


@pytest.mark.parametrize(
    ("text", "kind", "code", "sector"),
    [
        ("Downing Street", "country", "GBR", "GOV"),
        ("Number 10", "country", "GBR", "GOV"),
        ("the Kremlin", "country", "RUS", "GOV"),
        ("the Pentagon", "country", "USA", "MIL"),
        ("the White House", "country", "USA", "GOV"),
        ("Capitol Hill", "country", "USA", "LEG"),
        ("the Élysée", "country", "FRA", "GOV"),
        ("the Elysee", "country", "FRA", "GOV"),
        ("the Bundestag", "country", "DEU", "LEG"),
        ("Kiev", "country", "UKR", "GOV"),
        ("Kyiv", "country", "UKR", "GOV"),
        ("Beijing", "country", "CHN", "GOV"),
        ("Tehran", "country", "IRN", "GOV"),
        ("Brussels", "organization", "EU", "IGO"),
    ],
)
def test_kb_metonyms(kb: KnowledgeBase, text: str, kind: str, code: str, sector: str) -> None:
    match = kb.metonym(text)
    assert match is not None, text
    assert (match.kind, match.code, match.sector) == (kind, code, sector)


def test_kb_every_state_capital_is_a_metonym_unless_ambiguous(kb: KnowledgeBase) -> None:
    states = [c for c in kb.countries.values() if c.kind == "state" and c.capital]
    with_metonym = [c for c in states if kb.metonym(c.capital or "") is not None]
    assert len(with_metonym) >= 180
    assert kb.metonym("Kingston") is None  # Jamaica, Ontario and Norfolk Island


def test_kb_codes_iso2_and_cameo(kb: KnowledgeBase) -> None:
    assert kb.country_by_iso2("gb") is kb.countries["GBR"]
    assert kb.country_by_code("KSV") is kb.countries["XKX"]
    assert kb.country_by_code("TMP") is kb.countries["TLS"]
    assert kb.countries["PRI"].cameo == "USAPRI"
    assert kb.countries["PRI"].parent == "USA"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("the United Nations", "UN"),
        ("U.N.", "UN"),
        ("Nato", "NATO"),
        ("European Union", "EU"),
        ("WHO", "WHO"),
        ("Arab League", "ARAB_LEAGUE"),
        ("Doctors Without Borders", "MSF"),
    ],
)
def test_kb_org_by_name(kb: KnowledgeBase, text: str, code: str) -> None:
    org = kb.org_by_name(text)
    assert org is not None and org.code == code


def test_kb_acronyms_are_case_sensitive(kb: KnowledgeBase) -> None:
    assert kb.org_by_name("who") is None
    assert kb.group_by_name("is") is None
    found = kb.group_by_name("IS")
    assert found is not None and found.code == "ISIS"
    assert name_key("UN") != name_key("un")
    assert name_key("The Kremlin") == name_key("kremlin")


@pytest.mark.parametrize(
    ("text", "code", "sector"),
    [
        ("Hamas", "HAMAS", "INS"),
        ("Ansar Allah", "HOUTHIS", "REB"),
        ("Daesh", "ISIS", "INS"),
        ("Hayat Tahrir al-Sham", "HTS", "INS"),
        ("Rapid Support Forces", "RSF", "REB"),
        ("Sinaloa Cartel", "SINALOA", "CRM"),
        ("Fatah", "FATAH", "PTY"),
        ("Hashd al-Shaabi", "PMF", "UAF"),
    ],
)
def test_kb_group_by_name(kb: KnowledgeBase, text: str, code: str, sector: str) -> None:
    group = kb.group_by_name(text)
    assert group is not None and group.code == code
    assert group.sector == sector


@pytest.mark.parametrize(
    ("term", "sector"),
    [
        ("prime minister", "GOV"),
        ("Foreign Secretary", "GOV"),
        ("defence minister", "GOV"),
        ("defense minister", "GOV"),
        ("troops", "MIL"),
        ("soldiers", "MIL"),
        ("fighter jets", "MIL"),
        ("police", "COP"),
        ("riot police", "COP"),
        ("protesters", "CVL"),
        ("rebels", "REB"),
        ("separatists", "SEP"),
        ("gunmen", "UAF"),
        ("judge", "JUD"),
        ("lawmakers", "LEG"),
        ("MPs", "LEG"),
        ("opposition leader", "OPP"),
        ("businessmen", "BUS"),
        ("journalists", "MED"),
        ("asylum seekers", "REF"),
        ("trade unions", "LAB"),
        ("intelligence agency", "SPY"),
        ("doctors", "HLH"),
        ("teachers", "EDU"),
        ("imam", "REL"),
        ("farmers", "AGR"),
        ("smugglers", "CRM"),
        ("party", "PTY"),
        ("peacekeepers", "PKO"),
    ],
)
def test_kb_agents(kb: KnowledgeBase, term: str, sector: str) -> None:
    entry = kb.agent(term)
    assert entry is not None, term
    assert entry.sector == sector


def test_kb_agent_sectors_cover_the_role_codes(kb: KnowledgeBase) -> None:
    sectors = {entry.sector for entry in kb.agents.values()}
    wanted = {"GOV", "MIL", "COP", "CVL", "REB", "INS", "SEP", "UAF", "JUD", "LEG", "OPP", "BUS"}
    wanted |= {"MED", "REF", "LAB", "SPY", "HLH", "EDU", "REL", "AGR", "CRM", "PTY", "HRI"}
    assert wanted <= sectors
    assert sectors <= SECTOR_CODES


# ---------------------------------------------------------------------------------------------
# Persons
# ---------------------------------------------------------------------------------------------


def test_person_role_partial_dates_expand_to_widest_range() -> None:
    role = PersonRole.model_validate(
        {"role": "minister", "sector": "GOV", "start": "2019", "end": "2024-02"}
    )
    assert role.start == date(2019, 1, 1)
    assert role.end == date(2024, 2, 29)
    assert role.active_on(date(2019, 1, 1))
    assert role.active_on(date(2024, 2, 29))
    assert not role.active_on(date(2024, 3, 1))
    assert not role.active_on(date(2018, 12, 31))
    assert role.active_on(None)


def _starmer() -> PersonEntry:
    return PersonEntry.model_validate(
        {
            "id": "keir-starmer",
            "name": "Keir Starmer",
            "aliases": ["Starmer"],
            "roles": [
                {"role": "leader of the opposition", "country": "GBR", "sector": "OPP",
                 "start": "2020-04-04", "end": "2024-07-05"},
                {"role": "prime minister", "country": "GBR", "sector": "GOV",
                 "start": "2024-07-05"},
                {"role": "party leader", "country": "GBR", "sector": "PTY",
                 "start": "2020-04-04"},
            ],
        }
    )  # fmt: skip


def test_person_role_on_picks_role_of_the_day() -> None:
    person = _starmer()
    assert person.countries == {"GBR"}
    on = person.role_on
    assert (on(date(2022, 1, 1)) or _missing()).sector == "OPP"
    # Handover day: both roles are active, the state office wins.
    assert (on(date(2024, 7, 5)) or _missing()).role == "prime minister"
    assert (on(date(2025, 6, 1)) or _missing()).role == "prime minister"
    assert (on(None) or _missing()).role == "prime minister"
    # Before any role: the most recent role is returned.
    assert (on(date(2001, 1, 1)) or _missing()).role == "prime minister"


def test_person_role_on_prefers_state_office_over_later_party_post() -> None:
    person = PersonEntry.model_validate(
        {
            "id": "pat-example",
            "name": "Pat Example",
            "roles": [
                {"role": "president", "country": "FRA", "sector": "GOV", "start": "2020"},
                {"role": "party chair", "country": "FRA", "sector": "PTY", "start": "2022"},
            ],
        }
    )
    assert (person.role_on(date(2023, 1, 1)) or _missing()).role == "president"
    assert (person.role_on(date(2021, 1, 1)) or _missing()).role == "president"


def _missing() -> PersonRole:
    raise AssertionError("role_on returned None")


def test_person_tsv_rows_are_grouped(tmp_path: Path) -> None:
    data = tmp_path / "actors"
    shutil.copytree(_data_dir(), data)
    (data / "persons.tsv").write_text(
        "# version: 9.9\n# source: test\n# license: CC0-1.0\n# known_gaps: none\n"
        "id\tname\taliases\tcountry\tsector\trole\tstart\tend\torg\n"
        "ann-example\tAnn Example\tExample|A. Example\tGBR\tGOV\tminister\t2020\t2022-06\t\n"
        "ann-example\tAnn Example\tAnnie Example\tGBR\tOPP\topposition leader\t2022-07\t\t\n"
        "bo-sample\tBo Sample\tSample\tNLD\tIGO\tsecretary general\t2024-10-01\t\tNATO\n",
        encoding="utf-8",
    )
    loaded = KnowledgeBase.load(data_dir=data)
    ann = loaded.persons["ann-example"]
    assert ann.aliases == ["Example", "A. Example", "Annie Example"]
    assert [r.sector for r in ann.roles] == ["GOV", "OPP"]
    assert (ann.role_on(date(2021, 5, 1)) or _missing()).role == "minister"
    assert loaded.persons["bo-sample"].roles[0].org == "NATO"
    assert [p.id for p in loaded.persons_by_name("Sample")] == ["bo-sample"]
    assert "persons=9.9" in loaded.version
    extra = _write(
        tmp_path,
        "people.yaml",
        """
        persons:
          - id: cy-sample
            name: Cy Sample
            aliases: [Sample]
            roles: [{role: mayor, country: BEL, sector: GOV, start: 2023}]
        """,
    )
    with_user = KnowledgeBase.load([extra], data_dir=data)
    assert [p.id for p in with_user.persons_by_name("Sample")] == ["cy-sample", "bo-sample"]


def test_person_tsv_bundled_rows_validate(kb: KnowledgeBase) -> None:
    path = _data_dir() / "persons.tsv"
    if not path.is_file():
        pytest.skip("persons.tsv is not present yet")
    rows = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ][1:]
    assert len(rows) >= 600
    assert sum(len(p.roles) for p in kb.persons.values()) == len(rows)
    day = date(2025, 1, 1)
    for person in kb.persons.values():
        role = person.role_on(day)
        assert role is not None and role in person.roles
        assert person.countries <= set(kb.countries)


# ---------------------------------------------------------------------------------------------
# User files
# ---------------------------------------------------------------------------------------------


def test_user_file_extends_and_overrides(tmp_path: Path) -> None:
    extra = _write(
        tmp_path,
        "mine.yaml",
        """
        version: "1.0"
        countries:
          - code: GBR
            iso2: GB
            name: Blighty
            aliases: [United Kingdom]
        organizations:
          - {code: TESTORG, name: Test Organisation, aliases: [TO Group], kind: NGO,
             sector: NGO, members: [FRA, DEU]}
        groups:
          - {code: TESTGRP, name: Test Brigade, country: MLI, sector: REB, kind: armed}
        persons:
          - id: jane-doe
            name: Jane Doe
            aliases: [Doe]
            roles:
              - {role: mayor, country: FRA, sector: GOV, start: 2021-03, end: null}
        agents:
          - {term: troops, sector: COP}
          - {term: wardens, sector: GOV}
        """,
    )
    loaded = KnowledgeBase.load([extra])
    assert (loaded.country_by_name("Blighty") or _no()).code == "GBR"
    assert loaded.countries["GBR"].name == "Blighty"
    assert len(loaded.countries) == len(KnowledgeBase.load().countries)
    assert (loaded.org_by_name("TO Group") or _no()).members == ["FRA", "DEU"]
    assert (loaded.group_by_name("Test Brigade") or _no()).country == "MLI"
    jane = loaded.persons["jane-doe"]
    assert jane.roles[0].start == date(2021, 3, 1) and jane.roles[0].end is None
    assert (loaded.agent("troops") or _no()).sector == "COP"
    assert (loaded.agent("wardens") or _no()).sector == "GOV"
    assert "mine.yaml=1.0" in loaded.version


def _no() -> object:
    raise AssertionError("lookup returned None")


def test_user_file_version_defaults_to_digest(tmp_path: Path) -> None:
    extra = _write(tmp_path, "noversion.yaml", "agents:\n  - {term: wardens, sector: GOV}\n")
    loaded = KnowledgeBase.load([extra])
    assert loaded.version.split(";")[-1].startswith("noversion.yaml=")
    assert len(loaded.version.split("=")[-1]) == 12


def test_load_kb_is_cached_by_path_and_mtime(tmp_path: Path) -> None:
    assert load_kb() is load_kb()
    extra = _write(tmp_path, "cache.yaml", "agents:\n  - {term: wardens, sector: GOV}\n")
    first = load_kb([extra])
    assert load_kb([str(extra)]) is first
    extra.write_text("agents:\n  - {term: wardens, sector: COP}\n", encoding="utf-8")
    stat = extra.stat()
    os.utime(extra, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    second = load_kb([extra])
    assert second is not first
    assert (second.agent("wardens") or _no()).sector == "COP"


# ---------------------------------------------------------------------------------------------
# Validation errors: every message names the file and the line or row
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        (
            "groups:\n  - {code: X1, name: X, sector: REB, kind: armed}\n"
            "  - {code: X2, name: Y, sector: REB, kind: armed, colour: red}\n",
            3,
            "colour",
        ),
        (
            "organizations:\n  - code: X1\n    name: X\n    aliases: not-a-list\n"
            "    kind: IGO\n    sector: IGO\n",
            2,
            "aliases",
        ),
        (
            "agents:\n  - {term: wardens, sector: GOV}\n  - {term: guards, sector: XYZ}\n",
            3,
            "sector",
        ),
        (
            "organizations:\n  - {code: X1, name: X, kind: IGO, sector: IGO, members: [FRA, QQQ]}\n",
            2,
            "QQQ",
        ),
        ("groups:\n  - {code: X1, name: X, country: ZZZ, sector: REB, kind: armed}\n", 2, "ZZZ"),
        (
            "groups:\n  - {code: X1, name: X, sector: REB, kind: armed}\n"
            "  - {code: X1, name: Y, sector: REB, kind: armed}\n",
            3,
            "duplicate",
        ),
        (
            "agents:\n  - {term: wardens, sector: GOV}\n  - {term: Wardens, sector: COP}\n",
            3,
            "duplicate",
        ),
        ("agents:\n  - term: wardens\n    sector: GOV\n    sector: COP\n", 4, "duplicate key"),
        (
            "persons:\n  - id: jane-doe\n    name: Jane Doe\n    roles:\n"
            "      - {role: mayor, sector: GOV, start: 2021-13}\n",
            5,
            "date",
        ),
        (
            "persons:\n  - id: jane-doe\n    name: Jane Doe\n    roles:\n"
            "      - {role: mayor, sector: GOV, start: 2022, end: 2021}\n",
            5,
            "before start",
        ),
        (
            "persons:\n  - id: jane-doe\n    name: Jane Doe\n    roles:\n"
            "      - {role: envoy, sector: GOV, org: NOPE}\n",
            5,
            "NOPE",
        ),
        ("countries:\n  - {code: gbr, name: Lowercase}\n", 2, "three capital letters"),
        ("places:\n  - {name: Atlantis}\n", 1, "unknown top-level"),
        ("agents:\n  - [wardens, GOV]\n", 2, "mapping"),
        ("agents: {term: wardens}\n", 1, "must be a list"),
    ],
    ids=[
        "unknown-key",
        "wrong-type",
        "bad-sector",
        "bad-member-iso3",
        "bad-group-country",
        "duplicate-code",
        "duplicate-agent",
        "duplicate-yaml-key",
        "bad-date",
        "end-before-start",
        "unknown-org",
        "bad-code-format",
        "unknown-section",
        "entry-not-mapping",
        "section-not-list",
    ],
)
def test_user_file_errors_name_file_and_line(
    tmp_path: Path, body: str, line: int, fragment: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        KnowledgeBase.load([path])
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert fragment in message
    assert info.value.path == str(path)
    assert info.value.row == line


def test_user_file_missing_or_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="not found"):
        KnowledgeBase.load([tmp_path / "absent.yaml"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("agents:\n  - {term: [unclosed\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="invalid YAML") as info:
        KnowledgeBase.load([bad])
    assert info.value.path == str(bad)
    assert info.value.row is not None


@pytest.mark.parametrize(
    ("file", "text", "row", "fragment"),
    [
        ("agents.tsv", "guards\tNOPE\t\t\n", 7, "sector"),
        ("agents.tsv", "guards\tGOV\t\t\textra\n", 7, "fields"),
        ("persons.tsv", "jo-x\tJo X\t\tQQQ\tGOV\tminister\t2020\t\t\n", 6, "QQQ"),
        ("persons.tsv", "jo-x\tJo X\t\tGBR\tGOV\tminister\t2020-02-30\t\t\n", 6, "date"),
        ("persons.tsv", "Jo X\tJo X\t\tGBR\tGOV\tminister\t2020\t\t\n", 6, "slug"),
    ],
    ids=["agent-sector", "agent-fields", "person-country", "person-date", "person-id"],
)
def test_bundled_tsv_errors_name_file_and_row(
    tmp_path: Path, file: str, text: str, row: int, fragment: str
) -> None:
    data = tmp_path / "actors"
    shutil.copytree(_data_dir(), data)
    header = "# version: 1\n# source: test\n# license: CC0-1.0\n# known_gaps: none\n"
    columns = (
        "term\tsector\tplural\tnotes\nwardens\tGOV\t\t\n"
        if file == "agents.tsv"
        else "id\tname\taliases\tcountry\tsector\trole\tstart\tend\torg\n"
    )
    target = data / file
    target.write_text(header + columns + text, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        KnowledgeBase.load(data_dir=data)
    assert str(info.value).startswith(f"{target}:{row}: "), str(info.value)
    assert fragment in str(info.value)


def test_bundled_file_header_is_required(tmp_path: Path) -> None:
    data = tmp_path / "actors"
    shutil.copytree(_data_dir(), data)
    target = data / "agents.tsv"
    target.write_text("term\tsector\tplural\tnotes\nwardens\tGOV\t\t\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="header lacks version"):
        KnowledgeBase.load(data_dir=data)


def test_bundled_files_are_required(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="missing"):
        KnowledgeBase.load(data_dir=tmp_path)


def _named_one_by_one(kb: KnowledgeBase, text: str) -> tuple[str, object] | None:
    """The definition of :meth:`KnowledgeBase.named`: the five look-ups in turn."""
    for kind, find in (
        ("metonym", kb.metonym),
        ("country", kb.country_by_name),
        ("organization", kb.org_by_name),
        ("group", kb.group_by_name),
        ("capital", kb.country_by_capital),
    ):
        found = find(text)
        if found is not None:
            return kind, found
    return None


def test_named_equals_the_five_lookups_in_turn(kb: KnowledgeBase) -> None:
    texts: set[str] = {"Kiev", "the Pentagon", "Downing Street", "NATO", "Nato", "UN", "Un", "EU"}
    for country in kb.countries.values():
        texts.update([country.name, country.code, *country.aliases, *country.adjectives])
        texts.update([*country.demonyms, *(m.alias for m in country.metonyms)])
        texts.update(n for n in (country.capital, *country.capital_aliases) if n)
    for org in kb.organizations.values():
        texts.update([org.code, org.name, *org.aliases, *org.metonyms])
    for group in kb.groups.values():
        texts.update([group.code, group.name, *group.aliases])
    texts |= {t.upper() for t in list(texts)} | {t.lower() for t in list(texts)}
    texts |= {"Giraffe Council", "", "  ", "THE"}
    found = 0
    for text in sorted(texts):
        expected = _named_one_by_one(kb, text)
        assert kb.named(text) == expected, text
        found += expected is not None
    assert found > 1000
    # a name that two indexes know goes to the first (a capital that is also a metonym, ...)
    assert kb.named("Washington") == _named_one_by_one(kb, "Washington") is not None
