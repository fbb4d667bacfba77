"""The command line: `eventwire code` output formats, errors file, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventwire.cli import app

runner = CliRunner()
CLEAN_ONLY = ["--set", 'pipeline.stages=["eventwire.clean.v1"]']


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_cli_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("code", "demo", "eval", "ingest", "events", "export"):
        assert command in result.output


def test_cli_code_jsonl_and_rejects(tmp_path: Path) -> None:
    good = json.dumps({"id": "a1", "title": "Troops sent", "text": "The army sent troops to the border on Monday."})
    src = _write(tmp_path, "in.jsonl", good + "\n{broken json\n" + good.replace("a1", "a2") + "\n")
    errors = tmp_path / "errors.jsonl"
    result = runner.invoke(app, ["code", str(src), "--format", "jsonl", "--errors", str(errors), "-q", *CLEAN_ONLY])
    assert result.exit_code == 1, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [d["source_id"] for d in lines] == ["a1", "a2"]
    for doc in lines:
        assert {"id", "flags", "actors", "events", "quotes", "places", "tone", "errors"} <= set(doc)
    rejects = [json.loads(line) for line in errors.read_text().splitlines()]
    assert len(rejects) == 1 and rejects[0]["position"] == 2 and rejects[0]["source"].endswith("in.jsonl")
    assert "read 2" in result.stderr and "rejected 1" in result.stderr


def test_cli_code_all_good_exits_zero(tmp_path: Path) -> None:
    src = _write(tmp_path, "a.jsonl", json.dumps({"title": "t", "text": "Protesters marched in the capital."}) + "\n")
    result = runner.invoke(app, ["code", str(src), "--format", "json", "-q", *CLEAN_ONLY])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    assert doc["title"] == "t"


@pytest.mark.parametrize(
    "args",
    [
        ["code"],
        ["code", "x.jsonl", "--format", "xml"],
        ["code", "x.jsonl", "--set", "novalue"],
        ["nonsense-command"],
    ],
)
def test_cli_usage_errors_exit_two(args: list[str]) -> None:
    assert runner.invoke(app, args).exit_code == 2


@pytest.mark.slow
def test_cli_code_seed_article_json(shared_dir: Path) -> None:
    seed = shared_dir / "seeds" / "000_3d0455d412e793cd.txt"
    result = runner.invoke(app, ["code", str(seed), "--format", "json", "-q"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    assert doc["title"] == "Your guide to what the US 2024 elections are for Washington and the world"
    assert doc["published"] == "2025-03-17T19:27:00"
    assert doc["image_url"].startswith("https://www.ft.com/__origami/service/image/v2/images/raw/")
    body = seed.read_text("utf-8").strip().split("\n")
    assert doc["text"].startswith("Britain, France and Australia")
    assert "ft.com" not in doc["text"] and "2025-03-17 19:27" not in doc["text"]
    assert doc["text"].rstrip().endswith(body[-3].strip())
    assert "headline_mismatch" in [f["name"] for f in doc["flags"]]
    assert doc["language"] == "en"
    assert doc["events"] and doc["actors"] and doc["quotes"] and doc["places"]
