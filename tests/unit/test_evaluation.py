"""Scoring against gold: spec matching, P/R/F1, forbidden readings, quotes, actors, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventwire.errors import InputError
from eventwire.evaluation import (
    GoldArticle,
    GoldEvent,
    detect_gold_format,
    evaluate,
    load_gold,
    spec_matches,
)
from eventwire.model import Actor, Article, Cameo, Event, EventArg, Plover, Quote, Span, Speaker


def _arg(country: str | None = None, org: str | None = None, sector: str | None = None) -> EventArg:
    return EventArg(text="x", start=0, end=1, country=country, org=org, sector=sector)


def _event(eid: str, src: EventArg, tgt: EventArg | None, ptype: str, root: str, modality: str = "asserted") -> Event:
    return Event(
        id=eid, sentence=0, source=src, target=tgt, plover=Plover(type=ptype), cameo=Cameo(code=root + "0", root=root),
        modality=modality, trigger=Span(text="t", start=0, end=1),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("spec", "arg", "ok"),
    [
        ("GBR", _arg("GBR", sector="GOV"), True),
        ("GBR:GOV", _arg("GBR", sector="GOV"), True),
        ("GBR:MIL", _arg("GBR", sector="GOV"), False),
        ("FRA|GBR", _arg("GBR"), True),
        ("*", None, True),
        (None, _arg("USA"), True),
        ("EU", _arg(org="EU"), True),
        ("IGO", _arg(org="NATO"), True),
        ("IGO", _arg("USA"), False),
        ("IMG", _arg(sector="IMG"), True),  # a transnational group (no home country)
        ("IMG", _arg(sector="REB"), False),
        ("IMG", _arg("AFG", sector="GOV"), False),
        ("USA", None, False),
    ],
)
def test_evaluation_spec_matches(spec: str | None, arg: EventArg | None, ok: bool) -> None:
    assert spec_matches(spec, arg) is ok


def _article(events: list[Event], **kw: object) -> Article:
    art = Article.create("Some text.", title="t", source_id="g1")
    art.events = events
    for k, v in kw.items():
        setattr(art, k, v)
    return art


def test_evaluation_precision_recall_forbidden_and_symmetry() -> None:
    gold = GoldArticle(
        id="g1",
        events=[
            GoldEvent("GBR", "UKR", "AGREE", cameo_root="03", mode="intent"),
            GoldEvent("USA", "GBR", "CONSULT"),
            GoldEvent("FRA", "UKR", "AID"),
            GoldEvent("DEU", "*", "SUPPORT", core=False),
        ],
        forbidden=[GoldEvent("RUS", "*", "REJECT", why="hypothetical")],
    )
    predicted = [
        _event("E1", _arg("GBR"), _arg("UKR"), "AGREE", "03", "intent"),
        _event("E2", _arg("GBR"), _arg("USA"), "CONSULT", "04"),  # reversed: symmetric type still matches
        _event("E3", _arg("RUS"), None, "REJECT", "12", "asserted"),  # forbidden + false positive
        _event("E4", _arg("RUS"), None, "REJECT", "12", "hypothetical"),  # not counted
        _event("E5", _arg("DEU"), None, "SUPPORT", "05"),  # optional gold: neither tp nor fp
    ]
    report = evaluate([gold], [_article(predicted)]).to_dict()
    ev = report["events"]
    assert (ev["tp"], ev["fp"], ev["fn"]) == (2, 1, 1)
    assert ev["precision"] == pytest.approx(2 / 3, abs=1e-3) and ev["recall"] == pytest.approx(2 / 3, abs=1e-3)
    assert report["by_type"]["AID"]["fn"] == 1 and report["by_type"]["REJECT"]["fp"] == 1
    assert report["forbidden"]["violations"] == 1 and report["forbidden"]["details"][0]["event"] == "E3"
    assert report["modality_accuracy"] == 1.0


def test_evaluation_quotes_persons_countries_and_missing() -> None:
    gold = GoldArticle(
        id="g1",
        quotes=[{"speaker": "David Lammy", "text_has": "more cards to play"}, {"speaker": "EU diplomat", "text_has": "nobody wants"}],
        persons=[{"name": "David Lammy", "country": "GBR"}, {"name": "JD Vance", "country": "USA"}],
        countries=["GBR", "UKR"],
    )
    quotes = [
        Quote(id="Q1", text="We have more cards to play", start=0, end=5,
              speaker=Speaker(name="David Lammy", text="Lammy", start=0, end=5)),
        Quote(id="Q2", text="Nobody wants war", start=0, end=5, speaker=Speaker(name="Lammy", text="Lammy", start=0, end=5)),
    ]
    actors = [Actor(id="A1", name="David Lammy", type="person", country="GBR"), Actor(id="A2", name="Ukraine", country="UKR")]
    other = GoldArticle(id="absent")
    report = evaluate([gold, other], [_article([], quotes=quotes, actors=actors)]).to_dict()
    assert report["quotes"] == {"total": 2, "found": 2, "attribution_accuracy": 0.5}
    assert report["actors"]["persons_accuracy"] == 0.5 and report["actors"]["countries_accuracy"] == 1.0
    assert report["missing_articles"] == ["absent"]


def test_evaluation_reads_all_gold_formats(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    records = [
        {"id": "a", "text": "x", "events": [{"source": "GBR", "target": "UKR", "plover": "AGREE"}]},
        {"id": "b", "text": "Japan met Hungary.", "event": "CONSULT", "source": [{"actorText": "Japan", "code": "JAP"}],
         "target": [{"actorText": "Hungary", "code": "HUN"}], "textInfo": {}, "date": "2000-01-01"},
        {"id": "c", "text": "Arnor attacked Gondor.", "date": "19950101", "expected": [{"source": "ARN", "target": "GON", "code": "190"}]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    assert [detect_gold_format(r) for r in records] == ["eventwire", "plover-gsr", "petrarch2"]
    gold = list(load_gold(path, {"JAP": "JPN"}))
    assert gold[1].events[0].source == "JPN" and gold[1].events[0].plover == "CONSULT"
    assert gold[2].structural and gold[2].events[0].target == "GON"
    assert gold[2].published is not None and gold[2].published.year == 1995


def test_evaluation_bad_gold_line_names_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a"}\n{oops\n')
    with pytest.raises(InputError) as info:
        list(load_gold(path))
    assert info.value.position == 2
