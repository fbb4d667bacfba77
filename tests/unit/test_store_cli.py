"""``eventwire ingest``, ``events`` and ``export`` through the Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from store_fixtures import coded_article
from typer.testing import CliRunner

from eventwire.cli import app
from eventwire.storage.ingest import store_batch
from eventwire.storage.repo import count_rows, open_store

RUNNER = CliRunner()


def test_store_cli_ingest_is_idempotent(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    lines = [
        json.dumps(
            {
                "title": f"Story {i}",
                "text": f"Officials met in Paris on day {i} to talk about trade.",
            }
        )
        for i in range(5)
    ]
    data.write_text("\n".join([*lines, "{not json"]) + "\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    args = [
        "ingest",
        str(data),
        "--db",
        db,
        "-q",
        "--set",
        'pipeline.stages=["eventwire.clean.v1"]',
    ]
    first = RUNNER.invoke(app, args)
    assert first.exit_code == 1, first.output  # one rejected record
    second = RUNNER.invoke(app, args)
    assert second.exit_code == 1
    assert "skipped-existing 5" in second.output
    store = open_store(db)
    with store.read() as session:
        counts = count_rows(session)
    store.close()
    assert (counts["articles"], counts["rejects"]) == (5, 1)


def test_store_cli_events_and_export(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'q.db'}"
    store = open_store(db)
    with store.write() as session:
        store_batch(session, [coded_article()])
    store.close()
    listed = RUNNER.invoke(app, ["events", "--db", db, "--country", "GBR", "--format", "jsonl"])
    assert listed.exit_code == 0, listed.output
    (obj,) = [json.loads(line) for line in listed.output.splitlines() if line.startswith("{")]
    assert obj["event"]["cameo"]["code"] == "163"
    none = RUNNER.invoke(app, ["events", "--db", db, "--type", "ASSAULT", "--format", "jsonl"])
    assert none.exit_code == 0 and "{" not in none.output
    bad = RUNNER.invoke(app, ["events", "--db", db, "--since", "yesterday"])
    assert bad.exit_code == 2
    out = tmp_path / "g.tsv"
    exported = RUNNER.invoke(app, ["export", "--format", "gdelt", "--out", str(out), "--db", db])
    assert exported.exit_code == 0, exported.output
    df = pd.read_csv(out, sep="\t", header=None, dtype=str, keep_default_na=False)
    assert df.shape == (1, 61)
