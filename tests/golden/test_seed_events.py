"""Golden test: the seed article through the real NLP, actor resolver and event coder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from eventwire.model import Article, Event
from eventwire.registry import get_stage

pytestmark = pytest.mark.slow

SEED = "seeds/000_3d0455d412e793cd.txt"


def _shared() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared"
        if (candidate / SEED).exists():
            return candidate
    pytest.skip("shared seed data not available")


def _read_seed() -> Article:
    lines = (_shared() / SEED).read_text("utf-8").splitlines()
    title, stamp = lines[0], lines[-1]
    body = "\n".join(lines[1:-2])
    return Article.create(
        body, title=title, image_url=lines[-2], published=datetime.fromisoformat(stamp)
    )


def _pipeline(*, lexicon_files: tuple[str, ...] = ()) -> Article:
    from eventwire.config import load_settings

    settings = load_settings()
    settings.lexicon_files = list(lexicon_files)
    article = _read_seed()
    for name in (
        "eventwire.nlp.spacy.v1",
        "eventwire.actors.resolver.v1",
        "eventwire.events.coder.v1",
    ):
        stage = get_stage(name).factory(settings)
        article = stage(article)
    assert not article.errors, article.errors
    return article


@pytest.fixture(scope="module")
def events() -> list[Event]:
    return _pipeline().events


def _find(events: list[Event], ptype: str, source: str, target: str | None = None) -> list[Event]:
    return [
        e
        for e in events
        if e.plover.type == ptype
        and e.source.country == source
        and (target is None or (e.target is not None and e.target.country == target))
    ]


@pytest.mark.parametrize("country", ["GBR", "FRA", "AUS", "DNK", "SWE"])
def test_seed_intent_to_send_forces(events: list[Event], country: str) -> None:
    found = _find(events, "AGREE", country, "UKR")
    assert any(e.modality == "intent" and e.cameo.root == "03" for e in found), found


@pytest.mark.parametrize("country", ["IRL", "LUX", "BEL"])
def test_seed_conditional_agreement(events: list[Event], country: str) -> None:
    assert any(e.modality == "conditional" for e in _find(events, "AGREE", country, "UKR"))


def test_seed_threat_of_sanctions(events: list[Event]) -> None:
    found = _find(events, "THREATEN", "GBR", "RUS")
    assert any(e.cameo.root == "13" for e in found), found


def test_seed_lammy_vance_meeting(events: list[Event]) -> None:
    found = _find(events, "CONSULT", "GBR", "USA")
    assert found
    meeting = found[0]
    assert meeting.date in {"2025-03-15", "2025-03-16"}
    assert meeting.location is not None and meeting.location.country == "USA"


def test_seed_us_suspension_of_aid(events: list[Event]) -> None:
    assert _find(events, "SANCTION", "USA", "UKR") or _find(events, "REJECT", "USA", "UKR")


def test_seed_refused_air_cover(events: list[Event]) -> None:
    found = _find(events, "REJECT", "USA")
    assert any(e.modality == "asserted" and e.cameo.root == "12" for e in found), found


def test_seed_no_pledge_by_finland_or_poland(events: list[Event]) -> None:
    for country in ("FIN", "POL"):
        assert not [
            e
            for e in _find(events, "AGREE", country)
            if e.modality in {"asserted", "intent", "conditional"}
        ]


def test_seed_russian_rejection_is_not_asserted(events: list[Event]) -> None:
    assert not [e for e in _find(events, "REJECT", "RUS") if e.modality == "asserted"]
    assert [e for e in _find(events, "REJECT", "RUS") if e.modality == "hypothetical"]


def test_seed_no_us_agreement(events: list[Event]) -> None:
    assert not [e for e in _find(events, "AGREE", "USA") if e.modality != "negated"]


def test_seed_event_contract(events: list[Event]) -> None:
    assert [e.id for e in events] == [f"E{n}" for n in range(1, len(events) + 1)]
    for e in events:
        assert e.plover.type and e.cameo.code.startswith(e.cameo.root)
        assert 0.0 <= e.confidence <= 1.0 and e.reason and e.group
        assert e.quad_class in {1, 2, 3, 4}
        assert e.date is not None


def test_seed_planners_meeting_date_is_next_thursday(tmp_path: Path) -> None:
    # The shipped lexicon codes bare "discuss" as CAMEO 014 (no PLOVER type); a user pattern makes
    # the planners' meeting an event so that its date can be checked.
    extra = tmp_path / "discuss.yaml"
    extra.write_text(
        "version: test\nsource: test\nlicense: test\npatterns:\n"
        "  - {id: TEST.discuss, kind: verb, lemma: discuss, target: none, cameo: '040'}\n",
        "utf-8",
    )
    article = _pipeline(lexicon_files=(str(extra),))
    found = [e for e in article.events if e.reason.startswith("TEST.discuss")]
    assert found and all(e.date == "2025-03-20" for e in found)
    assert found[0].location is not None and found[0].location.name == "London"
