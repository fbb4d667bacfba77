"""``eventwire eval``: score the pipeline against a gold standard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["register", "run_eval"]


def run_eval(
    gold_path: Path,
    input_path: Path | None = None,
    settings: Any = None,
) -> dict[str, Any]:
    """Run the pipeline on the gold articles (or ``input_path``) and return the report as a dict."""
    from ..evaluation import evaluate, gold_to_article, load_gold
    from ..kb import load_kb
    from ..model import Article
    from ..pipeline import build_pipeline

    kb = load_kb(tuple(settings.actors_files) if settings else ())
    cameo_map = {c.cameo: c.code for c in kb.countries.values() if c.cameo and c.cameo != c.code}
    gold = list(load_gold(gold_path, cameo_map))
    if input_path is not None:
        from ..readers import read

        wanted = {g.id for g in gold}
        articles = [a for a in read([str(input_path)]) if isinstance(a, Article) and (a.source_id or a.id) in wanted]
    else:
        articles = [gold_to_article(g) for g in gold]
    pipeline = build_pipeline(settings)
    coded = list(pipeline.pipe(articles))
    report = evaluate(gold, coded).to_dict()
    report["gold"] = str(gold_path)
    return report


def _print(report: dict[str, Any], console: Console) -> None:
    ev = report["events"]
    console.print(
        f"[bold]{report['gold']}[/bold]: {report['articles']} articles; events P={ev['precision']:.3f} "
        f"R={ev['recall']:.3f} F1={ev['f1']:.3f} (tp {ev['tp']}, fp {ev['fp']}, fn {ev['fn']})"
    )
    table = Table(title="by PLOVER type")
    for col in ("type", "P", "R", "F1", "tp", "fp", "fn"):
        table.add_column(col)
    for name, v in report["by_type"].items():
        table.add_row(name, f"{v['precision']:.2f}", f"{v['recall']:.2f}", f"{v['f1']:.2f}", str(v["tp"]), str(v["fp"]), str(v["fn"]))
    console.print(table)
    fb = report["forbidden"]
    console.print(f"forbidden readings: {fb['violations']} violations of {fb['total']}")
    for d in fb["details"]:
        console.print(f"  [red]violation[/red] {d['article']}: {d['plover']} ({d['modality']}) '{d['trigger']}' — {d['why']}")
    q = report["quotes"]
    if q["total"]:
        console.print(f"quotes: found {q['found']}/{q['total']}, attribution accuracy {q['attribution_accuracy']}")
    a = report["actors"]
    if a["persons_total"] or a["countries_total"]:
        console.print(f"actors: persons accuracy {a['persons_accuracy']}, countries accuracy {a['countries_accuracy']}")
    s = report["sentence_level"]
    if s["sentences"]:
        console.print(
            f"sentence level: event-type accuracy {s['event_type_accuracy']}, source/target match {s['source_target_match']}"
        )
    if report["missing_articles"]:
        console.print(f"[yellow]missing articles:[/yellow] {len(report['missing_articles'])}")
    console.print("top error kinds: " + "; ".join(f"{k} ({n})" for k, n in report["top_errors"]))


def eval_cli(
    gold: Annotated[Path, typer.Option("--gold", help="Gold file (eventwire gold JSONL, PLOVER GSR or PETRARCH2 records).", exists=True, dir_okay=False)],
    input_path: Annotated[Path | None, typer.Option("--input", help="Articles to code (matched by source_id to gold id).", exists=True)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    actors: Annotated[list[Path] | None, typer.Option("--actors")] = None,
    lexicon: Annotated[list[Path] | None, typer.Option("--lexicon")] = None,
) -> None:
    """Report precision, recall and F1 (overall and per PLOVER type), actor and quote accuracy and
    forbidden-reading violations."""
    from .common import settings_from_options

    settings = settings_from_options(actors=actors or [], lexicon=lexicon or [])
    report = run_eval(gold, input_path, settings)
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print(report, Console())


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_cli)
