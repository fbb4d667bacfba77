"""Exports: GDELT 2.0 TSV (61 columns, loads with pandas), Parquet schema, CSV, JSONL, PLOVER."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from store_fixtures import BACKENDS, coded_article, make_store, shared_dir

from eventwire.errors import ConfigError
from eventwire.storage.exports import EVENT_SCHEMA, GDELT_COLUMNS, export_events, gdelt_quad_class
from eventwire.storage.ingest import store_batch
from eventwire.storage.repo import EventFilter, Store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    store = next(make_store(request.param, tmp_path))
    a = coded_article()
    b = coded_article(
        text="The British government imposed fresh sanctions on Russia, London officials said again.",
        title="More sanctions",
        url="https://second.example/2",
        outlet="second",
        published=datetime(2024, 3, 6, 7, tzinfo=UTC),
        event_date="2024-03-06",
        cameo="1631",
    )
    c = coded_article(
        text="Chinese troops did not attack India, officials in Delhi said on Friday.",
        title="No attack",
        url="https://third.example/3",
        outlet="third",
        cameo="190",
        plover="ASSAULT",
        modality="negated",
        event_date="2024-03-01",
        source=("Chinese troops", "CHN", "MIL", "Q148"),
        target=("India", "IND", None, "Q668"),
        trigger="attack",
        place="Delhi",
    )
    with store.write() as session:
        store_batch(session, [a, b, c])
    yield store
    store.close()


def _gdelt_names() -> list[str]:
    base = shared_dir()
    path = base / "data" / "gdelt" / "events_v2_columns.txt" if base else None
    if path is None or not path.is_file():
        pytest.skip("shared GDELT column list not available")
    return [line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_exports_gdelt_columns_match_reference() -> None:
    assert list(GDELT_COLUMNS) == _gdelt_names()


def test_exports_gdelt_quad_class_matches_sample() -> None:
    base = shared_dir()
    sample = base / "data" / "gdelt" / "events_v2_sample.tsv" if base else None
    if sample is None or not sample.is_file():
        pytest.skip("shared GDELT sample not available")
    df = pd.read_csv(
        sample, sep="\t", header=None, names=_gdelt_names(), dtype=str, keep_default_na=False
    )
    for root, quad in zip(df["EventRootCode"], df["QuadClass"], strict=True):
        assert gdelt_quad_class(root) == int(quad)
    assert [gdelt_quad_class(r) for r in ("09", "14", "15", "20")] == [2, 3, 4, 4]


def test_exports_gdelt_loads_with_pandas(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "events.tsv"
    with store.read() as session:
        assert export_events(session, "gdelt", out) == 1  # one cluster; the negated event is out
    df = pd.read_csv(
        out, sep="\t", header=None, names=_gdelt_names(), dtype=str, keep_default_na=False
    )
    assert df.shape == (1, 61)
    row = df.iloc[0]
    assert (row["SQLDATE"], row["MonthYear"], row["Year"], row["FractionDate"]) == (
        "20240305",
        "202403",
        "2024",
        "2024.1781",
    )
    assert (row["Actor1Code"], row["Actor1CountryCode"], row["Actor1Type1Code"]) == (
        "GBRGOV",
        "GBR",
        "GOV",
    )
    assert (row["Actor2Code"], row["Actor2CountryCode"]) == ("RUS", "RUS")
    # the most frequent code of the cluster; on a tie the most specific
    assert (row["EventCode"], row["EventBaseCode"], row["EventRootCode"]) == ("1631", "163", "16")
    assert (row["QuadClass"], row["GoldsteinScale"]) == ("4", "-8.0")
    assert (row["NumMentions"], row["NumSources"], row["NumArticles"]) == ("2", "2", "2")
    assert float(row["AvgTone"]) == pytest.approx(-3.5)
    assert (row["ActionGeo_Type"], row["ActionGeo_CountryCode"], row["ActionGeo_FeatureID"]) == (
        "4",
        "UK",
        "2643743",
    )
    assert row["ActionGeo_FullName"] == "London, United Kingdom"
    assert row["Actor1Geo_Type"] == "0" and row["IsRootEvent"] == "1"
    assert row["DATEADDED"] == "20240305093000"
    assert row["SOURCEURL"] == "https://news.example.org/a/1"
    assert int(row["GLOBALEVENTID"]) > 0


def test_exports_gdelt_all_modalities(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "all.tsv"
    with store.read() as session:
        assert export_events(session, "gdelt", out, all_modalities=True) == 2
    rows = [line.split("\t") for line in out.read_text("utf-8").splitlines()]
    assert all(len(r) == 61 for r in rows)
    assert {r[26] for r in rows} == {"1631", "190"}


def test_exports_parquet_schema(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "events.parquet"
    with store.read() as session:
        assert export_events(session, "parquet", out) == 2
    table = pq.read_table(out)
    assert table.schema.equals(EVENT_SCHEMA, check_metadata=False)
    rows = table.to_pylist()
    assert [r["cameo_code"] for r in rows] == ["163", "1631"]
    assert rows[0]["plover_context"] == ["economic", "diplomatic"]
    assert rows[0]["article_published"] == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    assert rows[0]["cluster_id"] == rows[1]["cluster_id"] is not None


def test_exports_parquet_empty_has_schema(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "none.parquet"
    with store.read() as session:
        assert export_events(session, "parquet", out, EventFilter(country="FRA")) == 0
    assert pq.read_table(out).schema.equals(EVENT_SCHEMA, check_metadata=False)


def test_exports_csv_and_jsonl(store: Store, tmp_path: Path) -> None:
    with store.read() as session:
        assert export_events(session, "csv", tmp_path / "e.csv", EventFilter(cameo="1631")) == 1
        assert export_events(session, "jsonl", tmp_path / "e.jsonl", all_modalities=True) == 3
        assert export_events(session, "plover", tmp_path / "p.jsonl") == 2
    with (tmp_path / "e.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == EVENT_SCHEMA.names
    assert (rows[0]["cameo_code"], rows[0]["plover_context"], rows[0]["is_root"]) == (
        "1631",
        "economic;diplomatic",
        "1",
    )
    objs = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text("utf-8").splitlines()]
    assert {o["event"]["modality"] for o in objs} == {"asserted", "negated"}
    assert [o["event"]["trigger"]["text"] for o in objs] == ["attack", "imposed", "imposed"]
    plover = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text("utf-8").splitlines()]
    first = plover[0]
    assert {
        "id",
        "date",
        "actor",
        "recipient",
        "event",
        "mode",
        "context",
        "event_loc",
        "quad_code",
    } <= set(first)
    assert (
        first["date"],
        first["actor"],
        first["recipient"],
        first["event"],
        first["quad_code"],
    ) == ("2024-03-05", ["GBRGOV"], ["RUS"], "SANCTION", 4)


def test_exports_rejects_bad_requests(store: Store, tmp_path: Path) -> None:
    with store.read() as session:
        with pytest.raises(ConfigError):
            export_events(session, "xml", tmp_path / "x")
        with pytest.raises(ConfigError):
            export_events(session, "parquet", "-")
