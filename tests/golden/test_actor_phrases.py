"""Golden phrases: a short sentence, a target span in it, and the actor code expected there.

The phrases live in ``actor_phrases.tsv`` (sentence, target, expected); every row runs through the
real spaCy model and the bundled KB. Expected values are written as ``<country> <sector> [k=v ...]``
with ``-`` for "none" and ``*`` for "any sector", or ``none`` when the target must not be an actor
(a place such as "in Washington", a nationality adjective that qualifies a thing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from eventwire.model import Actor, Article

TABLE = Path(__file__).with_name("actor_phrases.tsv")
PUBLISHED = datetime(2025, 3, 17)


@dataclass(frozen=True)
class Case:
    line: int
    sentence: str
    target: str
    expected: str


def _cases() -> list[Case]:
    cases = []
    for number, line in enumerate(TABLE.read_text("utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        sentence, target, expected = line.split("\t")
        cases.append(Case(number, sentence, target, expected))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def resolved() -> dict[str, Article]:
    """Every distinct sentence of the table parsed (one batch) and resolved, once per module."""
    from eventwire.stages.actors import ActorResolver
    from eventwire.stages.nlp import NlpStage

    sentences = sorted({case.sentence for case in CASES})
    nlp = NlpStage(on_error="raise")
    resolver = ActorResolver(on_error="raise")
    articles = [Article.create(s, published=PUBLISHED) for s in sentences]
    out = {}
    for article in nlp.pipe(articles, batch_size=256):
        out[article.text] = resolver(article)
    return out


def _actor_on(article: Article, target: str) -> Actor | None:
    """The actor whose mention overlaps the target most tightly (shortest overlapping mention)."""
    start = article.text.index(target)
    end = start + len(target)
    best: tuple[int, Actor] | None = None
    for actor in article.actors:
        for mention in actor.mentions:
            if mention.start < end and mention.end > start:
                size = mention.end - mention.start
                if best is None or size < best[0]:
                    best = (size, actor)
    return best[1] if best else None


def test_actor_phrases_table_is_large_enough() -> None:
    assert len(CASES) >= 300
    assert len({(c.sentence, c.target) for c in CASES}) == len(CASES), "duplicate rows"


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[f"L{c.line}:{c.target}" for c in CASES])
def test_actor_phrase(case: Case, resolved: dict[str, Article]) -> None:
    article = resolved[case.sentence]
    actor = _actor_on(article, case.target)
    summary = [(a.name, a.type, a.country, a.org, a.sector, a.kb_id) for a in article.actors]
    if case.expected == "none":
        assert actor is None, f"{case.target!r} should not be an actor: {summary}"
        return
    assert actor is not None, f"no actor on {case.target!r}: {summary}"
    country, sector, *pairs = case.expected.split()
    assert actor.country == (None if country == "-" else country), summary
    if sector != "*":
        assert actor.sector == (None if sector == "-" else sector), summary
    for pair in pairs:
        key, _, value = pair.partition("=")
        field = {"kb": "kb_id"}.get(key, key)
        assert getattr(actor, field) == value, f"{key}: {summary}"
