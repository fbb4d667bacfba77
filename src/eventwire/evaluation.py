"""Scoring coded articles against gold standards (``eventwire eval``).

Gold format — one JSON object per article::

    {"id": "...", "text"?: "...", "title"?: "...", "published"?: "...",
     "events": [{"source", "target", "plover", "cameo_root"?, "mode"?, "core"?, "sentence"?}],
     "forbidden": [{"source", "target", "plover", "why"}],
     "quotes": [{"speaker", "text_has"}],
     "persons": [{"name", "country", "role"?}],
     "countries"?: ["GBR", ...]}

Actor specs (``source``/``target``): an ISO3 or organisation code, optionally ``:SECTOR``
(``GBR:GOV``), ``A|B`` for alternatives, ``*`` (or null) for any. CONSULT and COOPERATE match in
either direction. A predicted event counts when its modality is asserted, intent or conditional.
Gold events with ``"core": false`` are optional: finding them is not a false positive, missing them
is not a false negative. ``mode`` is the expected modality (reported, not required for a match).

Also read: the PLOVER gold-standard records (``plover_gsr_cameo_examples.jsonl``: ``text``,
``source``/``target`` lists of ``{actorText, code, sector}``, ``event``) and PETRARCH2 validation
records (``records.jsonl``: ``text``, ``date``, ``expected`` triples with WEIS-era codes, scored
structurally: source and target only). CAMEO country codes are mapped to ISO3 through the KB.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from .errors import InputError
from .model import Article, Event

__all__ = [
    "COUNTED_MODALITIES",
    "EvalReport",
    "GoldArticle",
    "GoldEvent",
    "detect_gold_format",
    "evaluate",
    "load_gold",
    "spec_matches",
]

COUNTED_MODALITIES = frozenset({"asserted", "intent", "conditional"})
SYMMETRIC_TYPES = frozenset({"CONSULT", "COOPERATE"})
#: CAMEO's generic non-state "country" codes: any organisation actor satisfies them.
GENERIC_ORG_CODES = frozenset({"IGO", "NGO", "IMG", "MNC", "UNO"})

GoldFormat = Literal["eventwire", "plover-gsr", "petrarch2"]


@dataclass
class GoldEvent:
    source: str | None
    target: str | None
    plover: str | None
    cameo_root: str | None = None
    mode: str | None = None
    core: bool = True
    sentence: str | None = None
    why: str | None = None


@dataclass
class GoldArticle:
    id: str
    text: str | None = None
    title: str | None = None
    published: datetime | None = None
    events: list[GoldEvent] = field(default_factory=list)
    forbidden: list[GoldEvent] = field(default_factory=list)
    quotes: list[dict[str, str]] = field(default_factory=list)
    persons: list[dict[str, str]] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    structural: bool = False


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def detect_gold_format(record: dict[str, Any]) -> GoldFormat:
    if "expected" in record and "text" in record:
        return "petrarch2"
    if ("event" in record and "textInfo" in record) or (
        "event" in record and isinstance(record.get("source"), list)
    ):
        return "plover-gsr"
    return "eventwire"


#: Country codes of the CAMEO 1.x manual that differ from ISO 3166 and from the Phoenix codes the
#: KB records (the CAMEO-manual example sentences of the PLOVER GSR still use them).
LEGACY_CAMEO_COUNTRIES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM", "GMY": "DEU", "UKG": "GBR"}


def _cameo_to_iso(code: str | None, cameo_map: dict[str, str]) -> str | None:
    if not code or code == "---":
        return None
    code = code.strip().upper()
    return cameo_map.get(code) or LEGACY_CAMEO_COUNTRIES.get(code, code)


def _spec_from_actors(actors: Any, cameo_map: dict[str, str]) -> str | None:
    if not actors:
        return None
    if isinstance(actors, str):
        actors = [{"code": part} for part in actors.split("|")]
    codes = []
    for actor in actors:
        if not isinstance(actor, dict):
            continue
        code = _cameo_to_iso(actor.get("code"), cameo_map)
        if code:
            codes.append(code)
    return "|".join(dict.fromkeys(codes)) or None


def _parse_date(value: Any) -> datetime | None:
    if not value:
        return None
    text = str(value)
    for fmt in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(text[:10] if "-" in text else text[:8], fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _gold_event(data: dict[str, Any]) -> GoldEvent:
    return GoldEvent(
        source=data.get("source"),
        target=data.get("target"),
        plover=data.get("plover"),
        cameo_root=data.get("cameo_root"),
        mode=data.get("mode"),
        core=bool(data.get("core", True)),
        sentence=data.get("sentence"),
        why=data.get("why"),
    )


def _convert(record: dict[str, Any], fmt: GoldFormat, cameo_map: dict[str, str]) -> GoldArticle:
    if fmt == "plover-gsr":
        event = record.get("event_plover_v2_derived") or record.get("event")
        src = _spec_from_actors(record.get("source"), cameo_map)
        tgt = _spec_from_actors(record.get("target"), cameo_map)
        return GoldArticle(
            id=str(record["id"]),
            text=record["text"],
            published=_parse_date(record.get("date")),
            events=[GoldEvent(source=src, target=tgt, plover=event)],
        )
    if fmt == "petrarch2":
        events = [
            GoldEvent(
                source=_cameo_to_iso(e.get("source"), cameo_map),
                target=_cameo_to_iso(e.get("target"), cameo_map),
                plover=None,
                cameo_root=None,
            )
            for e in record.get("expected") or []
        ]
        return GoldArticle(
            id=str(record["id"]),
            text=record["text"],
            published=_parse_date(record.get("date")),
            events=events,
            structural=True,
        )
    return GoldArticle(
        id=str(record["id"]),
        text=record.get("text"),
        title=record.get("title"),
        published=_parse_date(record.get("published")),
        events=[_gold_event(e) for e in record.get("events", [])],
        forbidden=[_gold_event(e) for e in record.get("forbidden", [])],
        quotes=list(record.get("quotes", [])),
        persons=list(record.get("persons", [])),
        countries=list(record.get("countries", [])),
    )


def load_gold(path: str | Path, cameo_map: dict[str, str] | None = None) -> Iterator[GoldArticle]:
    """Read a gold file in any supported format (detected per record)."""
    cameo_map = cameo_map or {}
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON: {exc}", source=str(path), position=n) from exc
            if not isinstance(record, dict) or "id" not in record:
                raise InputError("gold record must be an object with an id", source=str(path), position=n)
            yield _convert(record, detect_gold_format(record), cameo_map)


# ---------------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------------


def _arg_codes(arg: Any) -> tuple[set[str], str | None]:
    if arg is None:
        return set(), None
    codes = {c for c in (arg.country, arg.org) if c}
    return codes, arg.sector


def spec_matches(spec: str | None, arg: Any) -> bool:
    """Does the event argument ``arg`` (EventArg or None) satisfy the gold ``spec``?"""
    if spec is None or spec.strip() in ("", "*"):
        return True
    codes, sector = _arg_codes(arg)
    for alt in spec.split("|"):
        alt = alt.strip()
        if alt == "*":
            return True
        code, _, want_sector = alt.partition(":")
        # A generic CAMEO code (IGO, NGO, IMG...) names a kind of actor: any organisation, or a
        # group without a home country whose sector is that kind (al-Qaeda: IMG), satisfies it.
        generic_org = (
            code.upper() in GENERIC_ORG_CODES
            and arg is not None
            and (bool(arg.org) or (sector or "").upper() == code.upper())
        )
        code_ok = code == "*" or code.upper() in codes or generic_org
        if code_ok and (not want_sector or (sector or "").upper() == want_sector.upper()):
            return True
    return False


def _event_matches(gold: GoldEvent, event: Event, structural: bool = False) -> bool:
    if not structural:
        if gold.plover and gold.plover != "*" and gold.plover != event.plover.type:
            return False
        if gold.cameo_root and gold.cameo_root != event.cameo.root:
            return False
    if spec_matches(gold.source, event.source) and spec_matches(gold.target, event.target):
        return True
    symmetric = structural is False and (gold.plover in SYMMETRIC_TYPES or event.plover.type in SYMMETRIC_TYPES)
    return symmetric and spec_matches(gold.source, event.target) and spec_matches(gold.target, event.source)


@dataclass
class _Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def prf(self) -> dict[str, float | int]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class EvalReport:
    """Figures of one evaluation run."""

    articles: int = 0
    missing: list[str] = field(default_factory=list)
    overall: _Counts = field(default_factory=_Counts)
    by_type: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    forbidden_total: int = 0
    forbidden_violations: list[dict[str, Any]] = field(default_factory=list)
    quotes_total: int = 0
    quotes_found: int = 0
    quotes_correct: int = 0
    persons_total: int = 0
    persons_correct: int = 0
    countries_total: int = 0
    countries_correct: int = 0
    sentences_total: int = 0
    type_correct: int = 0
    args_correct: int = 0
    modality_total: int = 0
    modality_correct: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "articles": self.articles,
            "missing_articles": self.missing,
            "events": self.overall.prf(),
            "by_type": {k: v.prf() for k, v in sorted(self.by_type.items())},
            "forbidden": {"total": self.forbidden_total, "violations": len(self.forbidden_violations),
                          "details": self.forbidden_violations},
            "quotes": {
                "total": self.quotes_total,
                "found": self.quotes_found,
                "attribution_accuracy": round(self.quotes_correct / self.quotes_total, 4) if self.quotes_total else None,
            },
            "actors": {
                "persons_total": self.persons_total,
                "persons_accuracy": round(self.persons_correct / self.persons_total, 4) if self.persons_total else None,
                "countries_total": self.countries_total,
                "countries_accuracy": round(self.countries_correct / self.countries_total, 4) if self.countries_total else None,
            },
            "sentence_level": {
                "sentences": self.sentences_total,
                "event_type_accuracy": round(self.type_correct / self.sentences_total, 4) if self.sentences_total else None,
                "source_target_match": round(self.args_correct / self.sentences_total, 4) if self.sentences_total else None,
            },
            "modality_accuracy": round(self.modality_correct / self.modality_total, 4) if self.modality_total else None,
            "top_errors": self.errors.most_common(10),
        }
        return out


def _norm(text: str) -> str:
    """Case-, accent- and quote-style-insensitive form for matching names and quote snippets."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("“", '"').replace("”", '"'))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _score_quotes(gold: GoldArticle, article: Article, report: EvalReport) -> None:
    for gq in gold.quotes:
        report.quotes_total += 1
        needle = _norm(gq.get("text_has", ""))
        hits = [q for q in article.quotes if needle and needle in _norm(q.text)]
        if not hits:
            report.errors["quote missed"] += 1
            continue
        report.quotes_found += 1
        want = _norm(gq.get("speaker", ""))
        ok = False
        for q in hits:
            sp = q.speaker
            if sp is None:
                continue
            names = [_norm(x) for x in (sp.name, sp.text) if x]
            if any(want and (want in n or n in want) for n in names if n):
                ok = True
            if sp.country and want.upper() == sp.country:
                ok = True
        if ok:
            report.quotes_correct += 1
        else:
            report.errors["quote speaker wrong"] += 1


def _score_actors(gold: GoldArticle, article: Article, report: EvalReport) -> None:
    persons = [a for a in article.actors if a.type == "person"]
    for gp in gold.persons:
        report.persons_total += 1
        want = _norm(gp.get("name", ""))
        found = [a for a in persons if _norm(a.name) == want or want in _norm(a.name)]
        if found and (not gp.get("country") or any(a.country == gp["country"] for a in found)):
            report.persons_correct += 1
        else:
            report.errors["person missed or wrong country"] += 1
    have = {a.country for a in article.actors if a.country}
    for code in gold.countries:
        report.countries_total += 1
        if code in have:
            report.countries_correct += 1
        else:
            report.errors["country missed"] += 1


def score_article(gold: GoldArticle, article: Article, report: EvalReport) -> None:
    """Add one article's figures to ``report``."""
    report.articles += 1
    predicted = [e for e in article.events if e.modality in COUNTED_MODALITIES]
    used: set[int] = set()
    for g in gold.events:
        match = next(
            (i for i, e in enumerate(predicted) if i not in used and _event_matches(g, e, gold.structural)),
            None,
        )
        key = g.plover or "STRUCT"
        if match is not None:
            used.add(match)
            if g.core:
                report.overall.tp += 1
                report.by_type[key].tp += 1
            if g.mode:
                report.modality_total += 1
                report.modality_correct += int(predicted[match].modality == g.mode)
        elif g.core:
            report.overall.fn += 1
            report.by_type[key].fn += 1
            same_type = [e for e in predicted if not g.plover or e.plover.type == g.plover]
            report.errors["missed: no event of that type" if not same_type else "missed: wrong source/target"] += 1
    for i, e in enumerate(predicted):
        if i in used:
            continue
        report.overall.fp += 1
        report.by_type[e.plover.type if not gold.structural else "STRUCT"].fp += 1
        report.errors[f"spurious {e.plover.type}"] += 1
    for f in gold.forbidden:
        report.forbidden_total += 1
        for e in predicted:
            if _event_matches(f, e):
                report.forbidden_violations.append(
                    {"article": gold.id, "event": e.id, "plover": e.plover.type, "why": f.why,
                     "trigger": e.trigger.text, "modality": e.modality}
                )
                break
    # sentence-level figures (one gold event per record, as in the PLOVER GSR)
    if len(gold.events) == 1 and not gold.structural:
        g = gold.events[0]
        report.sentences_total += 1
        typed = [e for e in predicted if e.plover.type == g.plover]
        if typed:
            report.type_correct += 1
            if any(spec_matches(g.source, e.source) and spec_matches(g.target, e.target) for e in typed):
                report.args_correct += 1
    _score_quotes(gold, article, report)
    _score_actors(gold, article, report)


def gold_to_article(gold: GoldArticle) -> Article:
    if gold.text is None:
        raise InputError(f"gold article {gold.id} has no text; pass --input", source=gold.id)
    return Article.create(gold.text, title=gold.title, source="gold", source_id=gold.id, published=gold.published)


def evaluate(
    gold: Iterable[GoldArticle],
    coded: Iterable[Article],
) -> EvalReport:
    """Score ``coded`` articles (matched to gold by ``source_id``, else ``id``) against ``gold``."""
    by_id: dict[str, Article] = {}
    for article in coded:
        by_id[article.source_id or article.id] = article
    report = EvalReport()
    for g in gold:
        found = by_id.get(g.id)
        if found is None:
            report.missing.append(g.id)
            continue
        score_article(g, found, report)
    return report
