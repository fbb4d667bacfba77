"""The CI gate: evaluation figures must not fall below the floors pinned in ``baseline.json``.

Raising a floor is a normal commit. Lowering one needs a stated reason: each metric keeps the best
floor ever pinned (``best``); a ``floor`` below ``best`` must carry ``lowered_because``.
Reports are written to ``test-artifacts/eval/<dataset>.json`` for the team's notes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eventwire.commands.eval_cmd import run_eval

from .gold_inputs import build_input

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BASELINE = json.loads((HERE / "baseline.json").read_text("utf-8"))
ARTIFACTS = REPO / "test-artifacts" / "eval"


def _metric(report: dict[str, Any], path: str) -> float:
    node: Any = report
    for part in path.split("."):
        node = node[part]
    return float(node or 0.0)


def _check(dataset: str, report: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{dataset}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    failures = []
    for path, spec in BASELINE[dataset]["floors"].items():
        value = _metric(report, path)
        if value + 1e-9 < spec["floor"]:
            failures.append(f"{dataset} {path} = {value:.4f} < floor {spec['floor']}")
    for path, spec in BASELINE[dataset].get("ceilings", {}).items():
        value = _metric(report, path)
        if value > spec["ceiling"]:
            failures.append(f"{dataset} {path} = {value} > ceiling {spec['ceiling']}")
    assert not failures, "; ".join(failures)


def test_gate_baseline_lowering_needs_a_reason() -> None:
    for dataset, spec in BASELINE.items():
        for path, floor in spec["floors"].items():
            assert 0.0 <= floor["floor"] <= floor["best"] <= 1.0, (dataset, path)
            if floor["floor"] < floor["best"]:
                assert floor.get("lowered_because", "").strip(), f"{dataset} {path}: lowered without a reason"


@pytest.mark.slow
def test_gate_seed_article(tmp_path: Path, seed_article_raw: dict[str, Any]) -> None:
    inp = tmp_path / "seed.jsonl"
    rec = {
        "id": "seed-000",
        "title": seed_article_raw["title"],
        "text": seed_article_raw["text"],
        "published": seed_article_raw["published"].isoformat(),
    }
    inp.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    _check("seed", run_eval(REPO / "tests" / "gold" / "seed.jsonl", inp))


@pytest.mark.slow
def test_gate_dev_gold(tmp_path: Path, shared_dir: Path) -> None:
    gold = REPO / "tests" / "gold" / "dev.jsonl"
    inp = tmp_path / "dev_input.jsonl"
    assert build_input(gold, shared_dir / "data" / "news", inp) == sum(
        1 for line in gold.read_text("utf-8").splitlines() if line.strip()
    )
    _check("dev", run_eval(gold, inp))


@pytest.mark.slow
def test_gate_plover_gsr(shared_dir: Path) -> None:
    _check("plover_gsr", run_eval(shared_dir / "data" / "ontology" / "plover_gsr_cameo_examples.jsonl"))
