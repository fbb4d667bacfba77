"""The actor knowledge base: countries, organisations, armed groups, persons and agent nouns.

The KB is data, not code. It is read from the package data files under ``data/actors/``::

    countries.yaml      every country and territory (ISO 3166 alpha-3 codes, names, adjectives,
                        demonyms, capitals, metonyms such as "the Kremlin" -> RUS GOV)
    organizations.yaml  international organisations (UN, EU, NATO, ...) with members
    groups.yaml         non-state armed, political and criminal groups
    persons.tsv         office holders, one row per person-role with dates (optional)
    agents.tsv          role nouns ("troops", "prime minister") -> sector code

and, optionally, from users' own YAML files (``--actors FILE``) whose top-level sections
``countries``, ``organizations``, ``groups``, ``persons`` and ``agents`` extend the bundled data
or override entries with the same key (the whole entry is replaced). Every file is validated with
pydantic at load; problems raise :class:`~eventwire.errors.LexiconError` naming the file and the
line (YAML) or row (TSV).

Name matching (``country_by_name``, ``org_by_name``, ...) is case-insensitive, accent- and
apostrophe-insensitive and ignores a leading "the", with one exception: an alias written entirely
in capitals ("US", "UN", "WHO", "IS", "CAR") only matches text in capitals, so the pronoun "us" or
the word "who" never resolve to an actor. Spell-outs such as "Nato" are listed as separate aliases.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from eventwire.errors import LexiconError

__all__ = [
    "AGENT_FILE",
    "COUNTRY_FILE",
    "GROUP_FILE",
    "ORG_FILE",
    "PERSON_FILE",
    "SECTOR_CODES",
    "SPECIAL_COUNTRY_CODES",
    "AgentEntry",
    "CountryEntry",
    "GroupEntry",
    "KnowledgeBase",
    "Metonym",
    "MetonymMatch",
    "OrgEntry",
    "PersonEntry",
    "PersonRole",
    "load_kb",
    "name_key",
]

LOGGER = logging.getLogger(__name__)

_T = TypeVar("_T")

COUNTRY_FILE = "countries.yaml"
ORG_FILE = "organizations.yaml"
GROUP_FILE = "groups.yaml"
PERSON_FILE = "persons.tsv"
AGENT_FILE = "agents.tsv"

#: CAMEO actor-type codes accepted as a ``sector`` (primary and secondary roles, the
#: international types used as sectors, and PETRARCH's PTY/REL/PPL). MED is CAMEO's *media*.
SECTOR_CODES: frozenset[str] = frozenset(
    {
        # primary roles
        "COP", "GOV", "INS", "JUD", "MIL", "OPP", "REB", "SEP", "SPY", "UAF",
        # secondary roles
        "AGR", "BUS", "CRM", "CVL", "DEV", "EDU", "ELI", "ENV", "HLH", "HRI", "LAB", "LEG",
        "MED", "MOD", "RAD", "REF", "PTY", "REL", "PPL",
        # international / transnational types
        "IGO", "IMG", "INT", "MNC", "NGM", "NGO", "PKO", "SET", "UIS",
    }
)  # fmt: skip

#: Output country codes that are not official ISO 3166-1 alpha-3 but are used on purpose.
SPECIAL_COUNTRY_CODES: Mapping[str, str] = {
    "XKX": "Kosovo: user-assigned code used by the EU, IMF and World Bank (CAMEO: KSV)",
}

ORG_KINDS: frozenset[str] = frozenset({"IGO", "NGO", "MNC", "IMG", "NGM"})
GROUP_KINDS: frozenset[str] = frozenset({"armed", "political", "criminal"})
COUNTRY_KINDS: frozenset[str] = frozenset({"state", "territory", "disputed"})

_HEADER_KEYS = ("version", "source", "license", "known_gaps")
_SECTIONS = ("countries", "organizations", "groups", "persons", "agents")
_CODE3 = re.compile(r"^[A-Z]{3}$")
_ISO2 = re.compile(r"^[A-Z]{2}$")
_ORG_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_]*$")
_CAMEO = re.compile(r"^[A-Z]{3}(?:[A-Z]{3})*$")
_PERSON_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_TSV_HEADER = re.compile(r"^#\s*([a-z_]+)\s*:(.*)$")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&-]*[A-Z0-9]$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "‐": "-", "–": "-"})

# Sectors of state office rank above opposition/armed roles, which rank above party and other
# roles, when a person holds several roles on the same day (see PersonEntry.role_on).
_SECTOR_RANK: Mapping[str, int] = {
    **dict.fromkeys(("GOV", "IGO", "MIL", "JUD", "LEG", "SPY", "COP"), 3),
    **dict.fromkeys(("OPP", "REB", "INS", "SEP", "UAF", "IMG"), 2),
}


# ---------------------------------------------------------------------------------------------
# Name keys
# ---------------------------------------------------------------------------------------------


def name_key(text: str, *, exact_acronyms: bool = True) -> str:
    """Return the lookup key of a name as written in the KB or in an article.

    Args:
        text: a name, alias, adjective or metonym.

        exact_acronyms: when False, all-capitals text is folded like any other text (used as a
            fallback for headlines written in capitals).

    Returns:
        ``"=" + text`` for an all-capitals acronym (matched case-sensitively), otherwise the
        case-folded, accent-stripped text with normalised apostrophes and whitespace and without
        a leading "the ".
    """
    cleaned = " ".join(text.translate(_APOSTROPHES).split())
    if cleaned.lower().startswith("the ") and len(cleaned) > 4:
        cleaned = cleaned[4:]
    if exact_acronyms and len(cleaned) >= 2 and _ACRONYM.match(cleaned):
        return "=" + cleaned
    if cleaned.isascii():  # NFKD leaves ASCII unchanged and it has no combining marks
        return cleaned.casefold()
    decomposed = unicodedata.normalize("NFKD", cleaned)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


@functools.lru_cache(maxsize=32768)
def _lookup_keys(text: str) -> tuple[str, str | None]:
    """The key of ``text`` and, for all-capitals text, its case-folded fallback key.

    Cached: the resolver looks the same span up in five indexes (countries, capitals, metonyms,
    organisations, groups), and the same names recur across articles; the key computation
    (Unicode decomposition) was a sixth of the resolver's time.
    """
    key = name_key(text)
    return key, (name_key(text, exact_acronyms=False) if key.startswith("=") else None)


def _lookup(index: Mapping[str, _T], text: str) -> _T | None:
    """Look ``text`` up; all-capitals text that is no known acronym is retried case-folded."""
    key, folded = _lookup_keys(text)
    found = index.get(key)
    if found is None and folded is not None:
        found = index.get(folded)
    return found


# ---------------------------------------------------------------------------------------------
# Entry models
# ---------------------------------------------------------------------------------------------


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _check_sector(value: str) -> str:
    if value not in SECTOR_CODES:
        raise ValueError(f"unknown sector code {value!r} (expected one of the CAMEO actor types)")
    return value


def _check_names(values: list[str]) -> list[str]:
    for item in values:
        if not item.strip():
            raise ValueError("empty name in list")
    return values


class Metonym(_Entry):
    """A name that stands for a state when it acts ("the Kremlin" -> the Russian government)."""

    alias: str = Field(min_length=1)
    sector: str

    _sector = field_validator("sector")(_check_sector)


class CountryEntry(_Entry):
    """A country or territory; ``code`` is the output code (ISO 3166 alpha-3 or documented)."""

    code: str
    iso2: str | None = None
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    adjectives: list[str] = Field(default_factory=list)
    demonyms: list[str] = Field(default_factory=list)
    capital: str | None = None
    capital_aliases: list[str] = Field(default_factory=list)
    metonyms: list[Metonym] = Field(default_factory=list)
    cameo: str | None = None
    kind: Literal["state", "territory", "disputed"] = "state"
    parent: str | None = None
    #: independence day of a state that split from ``predecessor``: before it, the state's names
    #: and capital denote the predecessor (Juba is in Sudan before 2011-07-09)
    since: date | None = None
    predecessor: str | None = None

    _names = field_validator("aliases", "adjectives", "demonyms", "capital_aliases")(_check_names)

    @field_validator("code", "parent", "predecessor")
    @classmethod
    def _code3(cls, value: str | None) -> str | None:
        if value is not None and not _CODE3.match(value):
            raise ValueError(f"country code {value!r} is not three capital letters")
        return value

    @field_validator("iso2")
    @classmethod
    def _iso2(cls, value: str | None) -> str | None:
        if value is not None and not _ISO2.match(value):
            raise ValueError(f"iso2 code {value!r} is not two capital letters")
        return value

    @field_validator("cameo")
    @classmethod
    def _cameo(cls, value: str | None) -> str | None:
        if value is not None and not _CAMEO.match(value):
            raise ValueError(f"CAMEO code {value!r} is not a sequence of 3-letter codes")
        return value


class OrgEntry(_Entry):
    """An international organisation (IGO, NGO, multinational or militarised group)."""

    code: str
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    kind: str
    sector: str
    cameo: str | None = None
    members: list[str] = Field(default_factory=list)
    headquarters: str | None = None
    metonyms: list[str] = Field(default_factory=list)

    _sector = field_validator("sector")(_check_sector)
    _names = field_validator("aliases", "metonyms")(_check_names)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _ORG_CODE.match(value):
            raise ValueError(f"organisation code {value!r} must be capitals, digits and '_'")
        return value

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in ORG_KINDS:
            raise ValueError(f"organisation kind {value!r} not in {sorted(ORG_KINDS)}")
        return value

    @field_validator("cameo")
    @classmethod
    def _cameo(cls, value: str | None) -> str | None:
        if value is not None and not _CAMEO.match(value):
            raise ValueError(f"CAMEO code {value!r} is not a sequence of 3-letter codes")
        return value

    @field_validator("members")
    @classmethod
    def _members(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _CODE3.match(value):
                raise ValueError(f"member code {value!r} is not three capital letters")
        if len(set(values)) != len(values):
            raise ValueError("duplicate member codes")
        return values


class GroupEntry(_Entry):
    """A non-state armed, political or criminal group."""

    code: str
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    country: str | None = None
    sector: str
    kind: str
    active_from: int | None = Field(default=None, ge=1800, le=2100)
    active_to: int | None = Field(default=None, ge=1800, le=2100)
    cameo: str | None = None
    notes: str | None = None

    _sector = field_validator("sector")(_check_sector)
    _names = field_validator("aliases")(_check_names)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _ORG_CODE.match(value):
            raise ValueError(f"group code {value!r} must be capitals, digits and '_'")
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is not None and not _CODE3.match(value):
            raise ValueError(f"country code {value!r} is not three capital letters")
        return value

    @field_validator("cameo")
    @classmethod
    def _cameo(cls, value: str | None) -> str | None:
        if value is not None and not _CAMEO.match(value):
            raise ValueError(f"CAMEO code {value!r} is not a sequence of 3-letter codes")
        return value

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in GROUP_KINDS:
            raise ValueError(f"group kind {value!r} not in {sorted(GROUP_KINDS)}")
        return value


def _parse_partial_date(value: object, *, end: bool) -> date | None:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD; a partial end date expands to its last day."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    match = _PARTIAL_DATE.match(value.strip())
    if match is None:
        raise ValueError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    year = int(match.group(1))
    month_text, day_text = match.group(2), match.group(3)
    try:
        if day_text is not None:
            return date(year, int(month_text), int(day_text))
        if month_text is not None:
            month = int(month_text)
            if not end:
                return date(year, month, 1)
            following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
            return date.fromordinal(following.toordinal() - 1)
    except ValueError as exc:
        raise ValueError(f"invalid date {value!r}: {exc}") from None
    return date(year, 12, 31) if end else date(year, 1, 1)


class PersonRole(_Entry):
    """One office or position of a person, with its dates (``end`` None = still in office)."""

    role: str = Field(min_length=1)
    country: str | None = None
    sector: str
    org: str | None = None
    start: date | None = None
    end: date | None = None

    _sector = field_validator("sector")(_check_sector)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is not None and not _CODE3.match(value):
            raise ValueError(f"country code {value!r} is not three capital letters")
        return value

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, value: object) -> date | None:
        return _parse_partial_date(value, end=False)

    @field_validator("end", mode="before")
    @classmethod
    def _end(cls, value: object) -> date | None:
        return _parse_partial_date(value, end=True)

    @model_validator(mode="after")
    def _ordered(self) -> PersonRole:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def active_on(self, day: date | None) -> bool:
        """Whether the role was held on ``day`` (inclusive); ``None`` means "any day" -> True.

        Partial dates in the data were expanded to the widest range when loaded
        ("2024" as a start is 1 January, as an end 31 December).
        """
        if day is None:
            return True
        if self.start is not None and day < self.start:
            return False
        return self.end is None or day <= self.end


class PersonEntry(_Entry):
    """A person with all their roles; ``id`` is a stable slug such as ``keir-starmer``."""

    id: str
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    roles: list[PersonRole] = Field(min_length=1)

    _names = field_validator("aliases")(_check_names)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _PERSON_ID.match(value):
            raise ValueError(f"person id {value!r} must be a lower-case slug")
        return value

    def role_on(self, day: date | None) -> PersonRole | None:
        """Return the role held on ``day``, or the most recent role if none was held then.

        Among several roles held that day the most senior sector wins (state office over
        opposition/armed roles over party and other roles), then the latest start, then the
        narrowest date range. With ``day`` None, roles still held (no end) are preferred.
        """
        if not self.roles:
            return None
        active = [role for role in self.roles if role.active_on(day)]
        if active:

            def key(role: PersonRole) -> tuple[int, int, int, int]:
                current = 1 if (day is not None or role.end is None) else 0
                start = role.start.toordinal() if role.start else 0
                span = (role.end or date.max).toordinal() - start
                return (current, _SECTOR_RANK.get(role.sector, 1), start, -span)

            return max(active, key=key)

        def recency(role: PersonRole) -> tuple[int, int]:
            end = role.end.toordinal() if role.end else date.max.toordinal()
            return (end, role.start.toordinal() if role.start else 0)

        return max(self.roles, key=recency)

    @property
    def countries(self) -> set[str]:
        """Every country code found on the person's roles."""
        return {role.country for role in self.roles if role.country}


class AgentEntry(_Entry):
    """A role noun ("troops", "foreign minister") and the sector it denotes."""

    term: str = Field(min_length=1)
    sector: str
    plural: str | None = None
    notes: str | None = None

    _sector = field_validator("sector")(_check_sector)


class MetonymMatch(_Entry):
    """Result of :meth:`KnowledgeBase.metonym`: which actor a place-like name stands for."""

    kind: Literal["country", "organization"]
    code: str
    sector: str
    alias: str


# ---------------------------------------------------------------------------------------------
# File reading
# ---------------------------------------------------------------------------------------------


class _Mapping(dict[str, Any]):
    """A YAML mapping that remembers the (1-based) line where it starts."""

    line: int = 0


class _Sequence(list[Any]):
    """A YAML sequence that remembers the (1-based) line where it and each item start."""

    line: int = 0
    item_lines: list[int] | None = None


class _DuplicateKey(Exception):
    def __init__(self, key: object, line: int) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.line = line


# libyaml's parser is ten times faster than the pure-Python one; both give the same result.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _YamlLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader with line-numbered mappings, duplicate-key errors and YAML 1.2 booleans.

    YAML 1.1 reads ``NO`` (Norway's ISO code), ``yes``, ``on`` and ``off`` as booleans; only
    ``true``/``false`` are booleans here.
    """


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    result = _Mapping()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> _Sequence:
    result = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_YamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_YamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read_yaml(path: Path, label: str) -> _Mapping:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LexiconError(f"cannot read actor file: {exc}", path=label) from exc
    except UnicodeDecodeError as exc:
        raise LexiconError(
            f"actor file is not UTF-8 text (byte {exc.start}: {exc.reason})", path=label
        ) from None
    try:
        data = yaml.load(text, Loader=_YamlLoader)
    except _DuplicateKey as exc:
        raise LexiconError(str(exc), path=label, row=exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise LexiconError(f"invalid YAML: {exc}", path=label, row=row) from None
    if data is None:
        data = _Mapping()
    if not isinstance(data, _Mapping):
        raise LexiconError("top level must be a mapping of sections", path=label, row=1)
    return data


@dataclass(frozen=True)
class _TsvRow:
    line: int
    values: dict[str, str]


def _read_tsv(
    path: Path, label: str, columns: Sequence[str]
) -> tuple[dict[str, str], list[_TsvRow]]:
    """Read a TSV with ``# key: value`` header lines, a column row and data rows."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LexiconError(f"cannot read actor file: {exc}", path=label) from exc
    header: dict[str, str] = {}
    rows: list[_TsvRow] = []
    seen_columns = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            match = _TSV_HEADER.match(line)
            if not seen_columns and match is not None:
                header[match.group(1)] = match.group(2).strip()
            continue
        fields = line.split("\t")
        if not seen_columns:
            if [f.strip() for f in fields] != list(columns):
                raise LexiconError(
                    f"column header must be {'<TAB>'.join(columns)!r}, got {line!r}",
                    path=label,
                    row=number,
                )
            seen_columns = True
            continue
        if len(fields) > len(columns):
            raise LexiconError(
                f"{len(fields)} fields, expected at most {len(columns)}", path=label, row=number
            )
        fields += [""] * (len(columns) - len(fields))
        rows.append(_TsvRow(number, {c: f.strip() for c, f in zip(columns, fields, strict=True)}))
    if not seen_columns:
        raise LexiconError("no column header row", path=label)
    return header, rows


def _check_header(header: Mapping[str, Any], label: str, *, required: bool) -> str:
    """Validate the file header; return the version string."""
    missing = [key for key in _HEADER_KEYS if key not in header]
    if required and missing:
        raise LexiconError(f"header lacks {', '.join(missing)}", path=label, row=1)
    version = header.get("version")
    if version is not None and not isinstance(version, str | int | float):
        raise LexiconError("header 'version' must be a string", path=label, row=1)
    return str(version) if version is not None else ""


def _error_line(raw: object, loc: Sequence[int | str], default: int) -> int:
    """The line of the deepest mapping on an error's location path."""
    line = default
    node = raw
    for part in loc:
        if isinstance(node, _Mapping):
            line = node.line or line
        if isinstance(node, Mapping) and part in node:  # noqa: SIM114 - narrows differently
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
    if isinstance(node, _Mapping):
        line = node.line or line
    return line


_M = TypeVar("_M", bound=BaseModel)


def _validate(
    model: type[_M], raw: object, *, label: str, where: str, line: int, extra: str = ""
) -> _M:
    if not isinstance(raw, Mapping):
        raise LexiconError(
            f"{where}: entry must be a mapping, got {type(raw).__name__}", path=label, row=line
        )
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "entry"
        msg = first["msg"].removeprefix("Value error, ")
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        row = _error_line(raw, first["loc"], line)
        raise LexiconError(f"{where}{extra}: {loc}: {msg}{more}", path=label, row=row) from None


def _item_line(seq: object, index: int, default: int) -> int:
    """The line of item ``index`` of a YAML sequence (scalars carry no line of their own)."""
    if isinstance(seq, _Sequence) and seq.item_lines and index < len(seq.item_lines):
        return seq.item_lines[index]
    return default


def _line_of(raw: object, default: int) -> int:
    return raw.line if isinstance(raw, _Mapping | _Sequence) and raw.line else default


def _key_text(raw: object, key: str) -> str:
    if isinstance(raw, Mapping) and key in raw:
        return f" ({raw[key]!r})"
    return ""


# ---------------------------------------------------------------------------------------------
# The knowledge base
# ---------------------------------------------------------------------------------------------


#: what :meth:`KnowledgeBase.named` finds
NamedEntry = MetonymMatch | CountryEntry | OrgEntry | GroupEntry


def _index(entries: Iterable[tuple[str, _T]], target: dict[str, _T]) -> None:
    """Add name -> entry pairs; an earlier claim of the same key is replaced (later files win)."""
    for name, entry in entries:
        key = name_key(name)
        if key:
            target[key] = entry


class KnowledgeBase:
    """The loaded actor KB with name indexes.

    Build it with :meth:`load` (or the cached :func:`load_kb`); the dicts are keyed by code
    (countries, organisations, groups), by id (persons) and by lower-cased term (agents, with
    plural forms also indexed).
    """

    version: str
    countries: dict[str, CountryEntry]
    organizations: dict[str, OrgEntry]
    groups: dict[str, GroupEntry]
    persons: dict[str, PersonEntry]
    agents: dict[str, AgentEntry]

    def __init__(self) -> None:
        self.version = ""
        self.countries = {}
        self.organizations = {}
        self.groups = {}
        self.persons = {}
        self.agents = {}
        self.sources: list[str] = []
        self._versions: list[str] = []
        self._country_names: dict[str, CountryEntry] = {}
        self._iso2: dict[str, CountryEntry] = {}
        self._cameo: dict[str, CountryEntry] = {}
        self._capitals: dict[str, CountryEntry] = {}
        self._metonyms: dict[str, MetonymMatch] = {}
        self._org_names: dict[str, OrgEntry] = {}
        self._group_names: dict[str, GroupEntry] = {}
        self._person_names: dict[str, list[PersonEntry]] = {}
        self._any_names: dict[str, tuple[int, str, NamedEntry]] = {}
        self._agent_terms: dict[str, AgentEntry] = {}
        # Which source (0 = bundled data, 1.. = user files in order) last defined each person.
        self._person_source: dict[str, int] = {}
        self._source_index = 0

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def load(
        cls, extra: Sequence[str | Path] = (), *, data_dir: Path | None = None
    ) -> KnowledgeBase:
        """Load the bundled KB (or the one in ``data_dir``) and then each user file in order.

        Args:
            extra: user YAML files with any of the sections ``countries``, ``organizations``,
                ``groups``, ``persons``, ``agents``; later files override earlier entries.
            data_dir: a directory holding the five KB files instead of the package data
                (``persons.tsv`` may be absent).

        Returns:
            The validated knowledge base.

        Raises:
            LexiconError: a file is missing or fails validation (file and line in the message).
        """
        kb = cls()
        if data_dir is not None:
            kb._load_bundled(Path(data_dir))
        else:
            with resources.as_file(resources.files("eventwire") / "data" / "actors") as folder:
                kb._load_bundled(Path(folder))
        for item in extra:
            kb._load_user_file(Path(item))
        kb._reindex()
        kb.version = ";".join(kb._versions)
        return kb

    def _load_bundled(self, folder: Path) -> None:
        for name, section in (
            (COUNTRY_FILE, "countries"),
            (ORG_FILE, "organizations"),
            (GROUP_FILE, "groups"),
        ):
            path = folder / name
            label = str(path)
            if not path.is_file():
                raise LexiconError("KB file is missing", path=label)
            data = _read_yaml(path, label)
            unknown = sorted(set(data) - set(_HEADER_KEYS) - {section})
            if unknown:
                raise LexiconError(f"unknown top-level keys {unknown}", path=label, row=1)
            version = _check_header(data, label, required=True)
            self._versions.append(f"{section}={version}")
            self._merge_section(section, data.get(section), label, _line_of(data, 1))
            self.sources.append(label)
        agent_path = folder / AGENT_FILE
        if not agent_path.is_file():
            raise LexiconError("KB file is missing", path=str(agent_path))
        self._load_agent_tsv(agent_path)
        person_path = folder / PERSON_FILE
        if person_path.is_file():
            self._load_person_tsv(person_path)
        else:
            LOGGER.info("no %s in %s; loading without persons", PERSON_FILE, folder)

    def _load_user_file(self, path: Path) -> None:
        self._source_index += 1
        label = str(path)
        if not path.is_file():
            raise LexiconError("actor file not found", path=label)
        data = _read_yaml(path, label)
        unknown = sorted(set(data) - set(_HEADER_KEYS) - set(_SECTIONS))
        if unknown:
            raise LexiconError(
                f"unknown top-level keys {unknown} (expected {', '.join(_SECTIONS)} and header "
                f"keys {', '.join(_HEADER_KEYS)})",
                path=label,
                row=1,
            )
        version = _check_header(data, label, required=False)
        if not version:
            version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        self._versions.append(f"{path.name}={version}")
        for section in _SECTIONS:
            if section in data:
                self._merge_section(section, data[section], label, _line_of(data, 1))
        self.sources.append(label)

    def _merge_section(self, section: str, raw: object, label: str, line: int) -> None:
        if raw is None:
            return
        if not isinstance(raw, list):
            raise LexiconError(f"section {section!r} must be a list", path=label, row=line)
        handler = {
            "countries": self._merge_countries,
            "organizations": self._merge_orgs,
            "groups": self._merge_groups,
            "persons": self._merge_persons,
            "agents": self._merge_agents,
        }[section]
        handler(raw, label, line)

    def _require_country(self, code: str | None, label: str, where: str, line: int) -> None:
        if code is not None and code not in self.countries and code not in SPECIAL_COUNTRY_CODES:
            raise LexiconError(f"{where}: unknown country code {code!r}", path=label, row=line)

    def _merge_countries(self, raw: list[object], label: str, line: int) -> None:
        seen: set[str] = set()
        parsed: list[tuple[CountryEntry, int, str]] = []
        for index, item in enumerate(raw):
            row = _line_of(item, _item_line(raw, index, line))
            where = f"countries[{index}]"
            entry = _validate(
                CountryEntry,
                item,
                label=label,
                where=where,
                line=row,
                extra=_key_text(item, "code"),
            )
            if entry.code in seen:
                raise LexiconError(
                    f"{where}: duplicate country code {entry.code!r}", path=label, row=row
                )
            seen.add(entry.code)
            self.countries[entry.code] = entry
            parsed.append((entry, row, where))
        for entry, row, where in parsed:
            self._require_country(entry.parent, label, f"{where} parent", row)

    def _merge_orgs(self, raw: list[object], label: str, line: int) -> None:
        seen: set[str] = set()
        for index, item in enumerate(raw):
            row = _line_of(item, _item_line(raw, index, line))
            where = f"organizations[{index}]"
            entry = _validate(
                OrgEntry, item, label=label, where=where, line=row, extra=_key_text(item, "code")
            )
            if entry.code in seen:
                raise LexiconError(
                    f"{where}: duplicate organisation code {entry.code!r}", path=label, row=row
                )
            seen.add(entry.code)
            for member in entry.members:
                self._require_country(member, label, f"{where} ({entry.code}) members", row)
            self.organizations[entry.code] = entry

    def _merge_groups(self, raw: list[object], label: str, line: int) -> None:
        seen: set[str] = set()
        for index, item in enumerate(raw):
            row = _line_of(item, _item_line(raw, index, line))
            where = f"groups[{index}]"
            entry = _validate(
                GroupEntry, item, label=label, where=where, line=row, extra=_key_text(item, "code")
            )
            if entry.code in seen:
                raise LexiconError(
                    f"{where}: duplicate group code {entry.code!r}", path=label, row=row
                )
            seen.add(entry.code)
            self._require_country(entry.country, label, f"{where} ({entry.code}) country", row)
            self.groups[entry.code] = entry

    def _check_person(
        self, person: PersonEntry, raw: object, label: str, where: str, line: int
    ) -> None:
        for number, role in enumerate(person.roles):
            row = _error_line(raw, ("roles", number), line)
            self._require_country(role.country, label, f"{where} roles[{number}]", row)
            if role.org is not None and role.org not in self.organizations:
                raise LexiconError(
                    f"{where} roles[{number}]: unknown organisation {role.org!r}",
                    path=label,
                    row=row,
                )

    def _merge_persons(self, raw: list[object], label: str, line: int) -> None:
        seen: set[str] = set()
        for index, item in enumerate(raw):
            row = _line_of(item, _item_line(raw, index, line))
            where = f"persons[{index}]"
            entry = _validate(
                PersonEntry, item, label=label, where=where, line=row, extra=_key_text(item, "id")
            )
            if entry.id in seen:
                raise LexiconError(
                    f"{where}: duplicate person id {entry.id!r}", path=label, row=row
                )
            seen.add(entry.id)
            self._check_person(entry, item, label, f"{where} ({entry.id})", row)
            self.persons.pop(entry.id, None)
            self.persons[entry.id] = entry
            self._person_source[entry.id] = self._source_index

    def _merge_agents(self, raw: list[object], label: str, line: int) -> None:
        seen: set[str] = set()
        for index, item in enumerate(raw):
            row = _line_of(item, _item_line(raw, index, line))
            where = f"agents[{index}]"
            entry = _validate(
                AgentEntry, item, label=label, where=where, line=row, extra=_key_text(item, "term")
            )
            self._add_agent(entry, seen, label, where, row)

    def _add_agent(
        self, entry: AgentEntry, seen: set[str], label: str, where: str, row: int
    ) -> None:
        key = entry.term.casefold()
        if key in seen:
            raise LexiconError(f"{where}: duplicate agent term {entry.term!r}", path=label, row=row)
        seen.add(key)
        self._agent_terms[key] = entry

    def _load_agent_tsv(self, path: Path) -> None:
        label = str(path)
        header, rows = _read_tsv(path, label, ("term", "sector", "plural", "notes"))
        version = _check_header(header, label, required=True)
        self._versions.append(f"agents={version}")
        seen: set[str] = set()
        for row in rows:
            raw = {k: (v or None) for k, v in row.values.items()}
            entry = _validate(
                AgentEntry,
                raw,
                label=label,
                where="agent",
                line=row.line,
                extra=f" ({row.values['term']!r})",
            )
            self._add_agent(entry, seen, label, "agent", row.line)
        self.sources.append(label)

    def _load_person_tsv(self, path: Path) -> None:
        label = str(path)
        columns = ("id", "name", "aliases", "country", "sector", "role", "start", "end", "org")
        header, rows = _read_tsv(path, label, columns)
        version = _check_header(header, label, required=True)
        self._versions.append(f"persons={version}")
        grouped: dict[str, tuple[str, list[str], list[object], int]] = {}
        for row in rows:
            values = row.values
            if not values["id"] or not values["name"]:
                raise LexiconError("id and name are required", path=label, row=row.line)
            role_raw = {
                "role": values["role"],
                "country": values["country"] or None,
                "sector": values["sector"],
                "org": values["org"] or None,
                "start": values["start"] or None,
                "end": values["end"] or None,
            }
            role = _validate(
                PersonRole,
                role_raw,
                label=label,
                where="role",
                line=row.line,
                extra=f" ({values['id']!r})",
            )
            self._require_country(role.country, label, f"role ({values['id']!r})", row.line)
            if role.org is not None and role.org not in self.organizations:
                raise LexiconError(
                    f"role ({values['id']!r}): unknown organisation {role.org!r}",
                    path=label,
                    row=row.line,
                )
            aliases = [a.strip() for a in values["aliases"].split("|") if a.strip()]
            if values["id"] not in grouped:
                grouped[values["id"]] = (values["name"], [], [], row.line)
            name, known, roles, _first = grouped[values["id"]]
            if values["name"] != name:
                aliases.append(values["name"])
            known.extend(a for a in aliases if a not in known and a != name)
            roles.append(role)
        for person_id, (name, aliases, roles, first_line) in grouped.items():
            entry = _validate(
                PersonEntry,
                {"id": person_id, "name": name, "aliases": aliases, "roles": roles},
                label=label,
                where="person",
                line=first_line,
                extra=f" ({person_id!r})",
            )
            self.persons[entry.id] = entry
        self.sources.append(label)

    def _reindex(self) -> None:
        agents: dict[str, AgentEntry] = {}
        for entry in self._agent_terms.values():
            if entry.plural:
                agents.setdefault(entry.plural.casefold(), entry)
        # A term row always wins over another row's plural form.
        agents.update(self._agent_terms)
        self.agents = agents

        self._country_names.clear()
        self._iso2.clear()
        self._cameo.clear()
        self._capitals.clear()
        self._metonyms.clear()
        for country in self.countries.values():
            _index(
                (
                    (n, country)
                    for n in (
                        country.name,
                        country.code,
                        *country.aliases,
                        *country.adjectives,
                        *country.demonyms,
                    )
                ),
                self._country_names,
            )
            if country.iso2:
                self._iso2[country.iso2] = country
            self._cameo[country.cameo or country.code] = country
            if country.capital:
                _index(
                    ((n, country) for n in (country.capital, *country.capital_aliases)),
                    self._capitals,
                )
        # Organisation metonyms first so that a country's own metonyms win a shared name.
        for org in self.organizations.values():
            for alias in org.metonyms:
                self._metonyms[name_key(alias)] = MetonymMatch(
                    kind="organization", code=org.code, sector=org.sector, alias=alias
                )
        for country in self.countries.values():
            for metonym in country.metonyms:
                self._metonyms[name_key(metonym.alias)] = MetonymMatch(
                    kind="country", code=country.code, sector=metonym.sector, alias=metonym.alias
                )

        self._org_names.clear()
        for org in self.organizations.values():
            _index(((n, org) for n in (org.code, org.name, *org.aliases)), self._org_names)
        self._group_names.clear()
        for group in self.groups.values():
            _index(
                ((n, group) for n in (group.code, group.name, *group.aliases)), self._group_names
            )
        # every key of the five name indexes with the first index that has it, in the order in
        # which :meth:`named` tries them
        self._any_names.clear()
        for rank, (kind, names) in enumerate(self._named_indexes()):
            for key, found in names.items():
                if key not in self._any_names:
                    self._any_names[key] = (rank, kind, found)
        self._person_names.clear()
        # Persons from later files come first, so a user's entry wins a shared name.
        ranked = sorted(self.persons.values(), key=lambda p: -self._person_source.get(p.id, 0))
        for person in ranked:
            for name in {name_key(n) for n in (person.name, *person.aliases)}:
                self._person_names.setdefault(name, []).append(person)

    # -- lookups ---------------------------------------------------------------------------

    def country_by_name(self, text: str) -> CountryEntry | None:
        """Find a country by name, code, alias, adjective or demonym ("Danish" -> DNK).

        Matching follows :func:`name_key`: case-insensitive, "the " stripped, acronyms exact.
        Capitals and metonyms are not names of the country (see :meth:`metonym`).
        """
        return _lookup(self._country_names, text)

    def country_by_iso2(self, iso2: str) -> CountryEntry | None:
        """Find a country by its ISO 3166-1 alpha-2 code (case-insensitive)."""
        return self._iso2.get(iso2.strip().upper())

    def country_by_code(self, code: str) -> CountryEntry | None:
        """Find a country by output code or by CAMEO code ("KSV" -> XKX, "TMP" -> TLS)."""
        code = code.strip().upper()
        return self.countries.get(code) or self._cameo.get(code)

    def country_code_on(self, code: str, day: date | None) -> str:
        """The state that ``code`` denoted on ``day``: the predecessor of a state that did not
        exist yet (SSD -> SDN before 2011-07-09), else ``code`` itself (also without a day)."""
        entry = self.countries.get(code)
        if day is None or entry is None or entry.since is None or entry.predecessor is None:
            return code
        return entry.predecessor if day < entry.since else code

    def country_by_capital(self, text: str) -> CountryEntry | None:
        """Find the country whose capital (or a spelling of it) is ``text`` ("Kiev" -> UKR)."""
        return _lookup(self._capitals, text)

    def metonym(self, text: str) -> MetonymMatch | None:
        """Resolve a name standing for a state or organisation ("the Pentagon" -> USA MIL)."""
        return _lookup(self._metonyms, text)

    def _named_indexes(self) -> tuple[tuple[str, Mapping[str, NamedEntry]], ...]:
        return (
            ("metonym", self._metonyms),
            ("country", self._country_names),
            ("organization", self._org_names),
            ("group", self._group_names),
            ("capital", self._capitals),
        )

    def named(self, text: str) -> tuple[str, NamedEntry] | None:
        """What ``text`` names, trying :meth:`metonym`, :meth:`country_by_name`,
        :meth:`org_by_name`, :meth:`group_by_name` and :meth:`country_by_capital` in this order:
        the kind (``metonym``, ``country``, ``organization``, ``group`` or ``capital``) and the
        entry of the first that finds it, in one look-up of a merged index (two for all-capitals
        text). Equal to calling the five in turn (``tests/unit/test_kb.py``).
        """
        key, folded = _lookup_keys(text)
        best = self._any_names.get(key)
        if folded is not None:
            other = self._any_names.get(folded)
            if other is not None and (best is None or other[0] < best[0]):
                best = other
        return None if best is None else (best[1], best[2])

    def org_by_name(self, text: str) -> OrgEntry | None:
        """Find an international organisation by code, name or alias."""
        return _lookup(self._org_names, text)

    def group_by_name(self, text: str) -> GroupEntry | None:
        """Find a non-state group by code, name or alias."""
        return _lookup(self._group_names, text)

    def persons_by_name(self, text: str) -> list[PersonEntry]:
        """All persons whose name or an alias matches ``text`` (surnames may be shared).

        Persons defined in user files come before bundled ones, then in file order.
        """
        return list(_lookup(self._person_names, text) or ())

    def agent(self, term: str) -> AgentEntry | None:
        """Find an agent noun by term or plural (case-insensitive, whitespace-normalised)."""
        return self.agents.get(" ".join(term.split()).casefold())

    def iter_names(self) -> Iterator[tuple[str, str, str]]:
        """Yield ``(name, kind, key)`` for every indexed surface form (for gazetteer matchers).

        ``kind`` is one of country, capital, metonym, organization, group, person; ``key`` is
        the code or person id it resolves to.
        """
        for country in self.countries.values():
            for name in (country.name, *country.aliases, *country.adjectives, *country.demonyms):
                yield name, "country", country.code
            if country.capital:
                for name in (country.capital, *country.capital_aliases):
                    yield name, "capital", country.code
            for metonym in country.metonyms:
                yield metonym.alias, "metonym", country.code
        for org in self.organizations.values():
            for name in (org.code, org.name, *org.aliases):
                yield name, "organization", org.code
            for name in org.metonyms:
                yield name, "metonym", org.code
        for group in self.groups.values():
            for name in (group.code, group.name, *group.aliases):
                yield name, "group", group.code
        for person in self.persons.values():
            for name in (person.name, *person.aliases):
                yield name, "person", person.id


# ---------------------------------------------------------------------------------------------
# Cached loading
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _load_cached(key: tuple[tuple[str, int], ...]) -> KnowledgeBase:
    return KnowledgeBase.load([path for path, _mtime in key])


def load_kb(extra: Sequence[str | Path] = ()) -> KnowledgeBase:
    """Load the bundled KB plus user files, reusing an earlier load of the same files.

    The cache key is the tuple of ``(resolved path, mtime)`` of the user files, so an edited
    file is read again; the default KB (no user files) is loaded once per process.
    """
    key: list[tuple[str, int]] = []
    for item in extra:
        path = Path(item).resolve()
        try:
            mtime = path.stat().st_mtime_ns
        except OSError as exc:
            raise LexiconError(f"actor file not found: {exc}", path=str(item)) from exc
        key.append((str(path), mtime))
    return _load_cached(tuple(key))
