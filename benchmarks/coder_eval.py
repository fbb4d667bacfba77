"""Evaluate the event coder on two public gold sets (shared data, not shipped with eventwire).

1. PLOVER GSR (``data/ontology/plover_gsr_cameo_examples.jsonl``): 322 CAMEO-manual example
   sentences coded in PLOVER. Actors are built from the gold actor texts *without* their roles
   (every gold source and target text becomes an actor with its code), which isolates the coder's
   syntax, lexicon and modality from the actor resolver. Reported: event-type accuracy (the most
   confident event, and any event, has the gold PLOVER v2 type), and source/target match (the event
   of the gold type, else the most confident one, has a gold source; its target is a gold target, or
   both are empty).
2. PETRARCH2 validation records (``data/petrarch2-validation/records.jsonl``): fictional actors
   resolved with the validation actor dictionary; codes there are WEIS, so only structure is
   scored: (source, target) pairs by their first three letters, compounds included, and null
   records (no event expected).

Usage: ``python benchmarks/coder_eval.py [--shared PATH] [--errors N]``
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from eventwire.model import Actor, Article, Event, Mention
from eventwire.stages.events import EventCoder
from eventwire.stages.nlp import doc_to_parse, load_spacy

_ORG_CODES = {"IGO", "NGO", "MNC", "IMG", "NGM", "UNO", "EUR", "NATO"}


def _default_shared() -> Path:
    return Path(__file__).resolve().parents[1].parent / "shared"


def _mentions(text: str, name: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text, flags=re.IGNORECASE):
        out.append((m.start(), m.end()))
    return out


def _build_actors(text: str, entries: Iterable[tuple[str, str, str | None]]) -> list[Actor]:
    """One actor per distinct (name, code); longer names claim their text first."""
    actors: list[Actor] = []
    taken: list[tuple[int, int]] = []
    for n, (name, code, sector) in enumerate(
        sorted(set(entries), key=lambda e: -len(e[0])), start=1
    ):
        spans = [
            s for s in _mentions(text, name) if not any(s[0] < e and b < s[1] for b, e in taken)
        ]
        if not spans:
            continue
        taken.extend(spans)
        prefix = code[:3].upper()
        is_org = prefix in _ORG_CODES
        actors.append(
            Actor(
                id=f"A{n}",
                name=name,
                type="organization" if is_org else "country",
                country=None if is_org else prefix,
                org=code.upper() if is_org else None,
                sector=sector or (code[3:6].upper() if len(code) >= 6 else None),
                resolved=True,
                confidence=0.9,
                mentions=[Mention(text=text[s:e], start=s, end=e) for s, e in spans],
            )
        )
    return actors


def _code_articles(
    coder: EventCoder, nlp: Any, items: list[tuple[str, list[Actor]]]
) -> list[list[Event]]:
    out: list[list[Event]] = []
    docs = nlp.pipe([t for t, _ in items], batch_size=64)
    for (text, actors), doc in zip(items, docs, strict=True):
        article = Article.create(text, published=datetime(2000, 1, 1))
        article.parse = doc_to_parse(doc)
        article.actors = actors
        out.append(coder(article).events)
    return out


def _as_list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def eval_gsr(shared: Path, coder: EventCoder, nlp: Any, errors: Counter[str]) -> dict[str, float]:
    rows = [
        json.loads(x) for x in (shared / "data/ontology/plover_gsr_cameo_examples.jsonl").open()
    ]
    items = []
    for r in rows:
        entries = [
            (a["actorText"], a["code"], a.get("sector"))
            for a in _as_list(r.get("source")) + _as_list(r.get("target"))
            if a.get("actorText") and a.get("code")
        ]
        items.append((r["text"], _build_actors(r["text"], entries)))
    t0 = time.perf_counter()
    results = _code_articles(coder, nlp, items)
    elapsed = time.perf_counter() - t0
    top_ok = any_ok = st_ok = src_ok = 0
    for r, events in zip(rows, results, strict=True):
        gold = r.get("event_plover_v2_derived") or r["event"]
        gsrc = {a["actorText"].lower() for a in _as_list(r.get("source"))}
        gtgt = {a["actorText"].lower() for a in _as_list(r.get("target"))}
        if not events:
            errors["gsr: no event"] += 1
            continue
        top = max(events, key=lambda e: e.confidence)
        top_ok += top.plover.type == gold
        of_type = [e for e in events if e.plover.type == gold]
        any_ok += bool(of_type)
        if not of_type:
            errors[f"gsr: type {gold} coded as {top.plover.type}"] += 1
        best = max(of_type or events, key=lambda e: e.confidence)
        s_ok = best.source.text.lower() in gsrc or any(
            best.source.text.lower() in g or g in best.source.text.lower() for g in gsrc
        )
        t_text = best.target.text.lower() if best.target else None
        t_ok = (t_text is None and not gtgt) or (
            t_text is not None and any(t_text in g or g in t_text for g in gtgt)
        )
        src_ok += s_ok
        st_ok += s_ok and t_ok
        if not s_ok:
            errors["gsr: wrong source"] += 1
        elif not t_ok:
            errors["gsr: missing target" if t_text is None else "gsr: wrong/extra target"] += 1
    n = len(rows)
    return {
        "records": n,
        "type_accuracy_top": top_ok / n,
        "type_accuracy_any": any_ok / n,
        "source_match": src_ok / n,
        "source_target_match": st_ok / n,
        "seconds": elapsed,
    }


def _petrarch_actors(path: Path) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    current: str | None = None
    pending: list[str] = []
    entry = re.compile(r"^([^\[<#;]+?)\s*\[([~A-Za-z0-9]+)\]")
    for raw in path.read_text("utf-8", errors="replace").splitlines():
        line = raw.split("#")[0].strip()
        if not line or line.startswith("<"):
            continue
        if line.startswith("+"):
            if current is not None:
                names.append((line[1:].strip().replace("_", " "), current))
            continue
        m = entry.match(line)
        if m:
            current = m.group(2).lstrip("~").upper()
            names.append((m.group(1).strip().replace("_", " "), current))
            pending.clear()
    return [(n, c) for n, c in names if len(n) > 1]


def eval_petrarch(
    shared: Path, coder: EventCoder, nlp: Any, errors: Counter[str]
) -> dict[str, float]:
    base = shared / "data/petrarch2-validation"
    rows = [json.loads(x) for x in (base / "records.jsonl").open()]
    names = _petrarch_actors(base / "validation_dictionaries/PETR.Validate.actors.txt")
    items = []
    for r in rows:
        text = r["text"]
        entries = [(n, c, None) for n, c in names if n.lower() in text.lower()]
        items.append((text, _build_actors(text, entries)))
    results = _code_articles(coder, nlp, items)
    tp = n_pred = n_gold = exact = null_ok = null_n = 0
    for r, events in zip(rows, results, strict=True):
        gold = {(t["source"][:3], (t["target"] or "---")[:3]) for t in r["expected"]}
        pred = {
            (
                (e.source.country or e.source.org or "---")[:3],
                ((e.target.country or e.target.org or "---")[:3]) if e.target else "---",
            )
            for e in events
        }
        if not r["expected"]:
            null_n += 1
            null_ok += not pred
            if pred:
                errors["petrarch: event on a null record"] += 1
            continue
        n_gold += len(gold)
        n_pred += len(pred)
        hit = gold & pred
        tp += len(hit)
        exact += gold == pred
        if not pred:
            errors["petrarch: no event"] += 1
        elif not hit:
            srcs = {s for s, _ in gold}
            if any(s in srcs for s, _ in pred):
                errors["petrarch: right source, wrong target"] += 1
            else:
                errors["petrarch: wrong source"] += 1
        elif len(hit) < len(gold):
            errors["petrarch: compound partly coded"] += 1
    p = tp / n_pred if n_pred else 0.0
    rec = tp / n_gold if n_gold else 0.0
    return {
        "records": len(rows),
        "pair_precision": p,
        "pair_recall": rec,
        "pair_f1": 2 * p * rec / (p + rec) if p + rec else 0.0,
        "exact_pair_sets": exact / max(1, len(rows) - null_n),
        "null_records_correct": f"{null_ok}/{null_n}",  # type: ignore[dict-item]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=_default_shared())
    parser.add_argument("--errors", type=int, default=10)
    args = parser.parse_args(argv)
    if not (args.shared / "data").exists():
        print(f"shared data not found at {args.shared}", file=sys.stderr)
        return 2
    nlp = load_spacy()
    coder = EventCoder(on_error="raise")
    errors: Counter[str] = Counter()
    gsr = eval_gsr(args.shared, coder, nlp, errors)
    pet = eval_petrarch(args.shared, coder, nlp, errors)
    print(
        "PLOVER GSR:",
        json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in gsr.items()}),
    )
    print(
        "PETRARCH2 records:",
        json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in pet.items()}),
    )
    print(f"top {args.errors} error kinds:")
    for kind, count in errors.most_common(args.errors):
        print(f"  {count:4d}  {kind}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
