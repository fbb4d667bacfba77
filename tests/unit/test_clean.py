"""The clean stage: headline mismatch, language, near duplicates; error handling of stages."""

from __future__ import annotations

import random
from typing import Any

import pytest

from eventwire.errors import StageError
from eventwire.model import Article
from eventwire.stages.clean import (
    CleanStage,
    MinHashBands,
    detect_language,
    headline_coverage,
    headline_mismatch,
)

BODY = (
    "Britain and France said on Monday they were ready to send troops to help enforce a ceasefire "
    "in Ukraine, while officials in Washington weighed the request. The two governments will meet "
    "military planners in London on Thursday to discuss the details of a possible deployment, "
    "and they are expected to ask other European countries to join the force."
)


def test_clean_headline_coverage_counts_stemmed_content_words() -> None:
    cov, n = headline_coverage("Britain ready to send troops to Ukraine", BODY)
    assert n == 5 and cov == 1.0
    cov, n = headline_coverage("Elections in Brazil", BODY)
    assert n == 2 and cov == 0.0


@pytest.mark.parametrize(
    ("title", "flagged"),
    [
        ("Britain and France ready to send troops to Ukraine", False),
        ("Ceasefire force takes shape", False),
        ("Your guide to what the 2024 Brazil elections mean for the world", True),
        ("Stock markets rally as tech earnings beat forecasts", True),
        ("Hi", False),
    ],
)
def test_clean_headline_mismatch(title: str, flagged: bool) -> None:
    assert headline_mismatch(title, BODY) is flagged
    stage = CleanStage(near_duplicates=False)
    article = stage(Article.create(BODY, title=title))
    assert article.has_flag("headline_mismatch") is flagged


def test_clean_seed_headline_is_flagged(seed_article_raw: dict[str, object]) -> None:
    stage = CleanStage(near_duplicates=False)
    article = stage(Article.create(str(seed_article_raw["text"]), title=str(seed_article_raw["title"])))
    assert article.has_flag("headline_mismatch")
    assert article.language == "en"


def test_clean_tabular_body_is_not_flagged() -> None:
    body = "Shr 45 cts vs 58 cts  Net 1.1 mln vs 829,000  Sales 7.9 mln vs 9.4 mln  Avg shrs 2,332,397"
    assert not headline_mismatch("<CINRAM LTD> 4TH QTR NET PROFIT", body)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (BODY, "en"),
        ("Le gouvernement français a annoncé lundi qu'il était prêt à envoyer des troupes en Ukraine "
         "pour garantir un cessez-le-feu durable, selon le ministre des affaires étrangères.", "fr"),
        ("Die Bundesregierung hat am Montag erklärt, dass sie bereit sei, Truppen in die Ukraine zu "
         "schicken, um einen Waffenstillstand abzusichern.", "de"),
        ("", None),
    ],
)
def test_clean_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


def test_clean_non_english_is_flagged_and_kept() -> None:
    stage = CleanStage(near_duplicates=False)
    art = Article.create(
        "El gobierno español anunció el lunes que está dispuesto a enviar tropas a Ucrania para "
        "garantizar un alto el fuego duradero, según el ministro de asuntos exteriores.",
        title="España",
    )
    out = stage(art)
    assert out.language == "es"
    assert out.has_flag("non_english")


def test_clean_near_duplicates_within_a_run() -> None:
    stage = CleanStage()
    a = Article.create(BODY, title="A")
    b = Article.create(BODY.replace("Thursday", "Friday"), title="B")
    c = Article.create("Completely different text about football results and the league table this weekend " * 3, title="C")
    out = list(stage.pipe([a, b, c]))
    assert not out[0].has_flag("near_duplicate_of")
    dup = [f for f in out[1].flags if f.name == "near_duplicate_of"]
    assert dup and dup[0].detail == a.id
    assert not out[2].has_flag("near_duplicate_of")


class _Boom(CleanStage):
    def process(self, article: Article) -> Article:
        raise ValueError("bad input")


def test_stage_error_recorded_or_raised() -> None:
    art = Article.create(BODY, title="x")
    out = _Boom(near_duplicates=False)(art)
    assert out.errors and out.errors[0].stage == "clean" and "bad input" in out.errors[0].reason
    with pytest.raises(StageError) as info:
        _Boom(near_duplicates=False, on_error="raise")(Article.create(BODY, title="y"))
    assert info.value.article_id == Article.create(BODY, title="y").id


def test_clean_short_english_sentence_is_not_given_a_wrong_language() -> None:
    # langdetect alone calls this Indonesian; a short text needs a confident guess
    assert detect_language("Japan donated 10 million dollars to Kenya.") in (None, "en")
    stage = CleanStage(near_duplicates=False)
    out = stage(Article.create("Japan donated 10 million dollars to Kenya.", title="Aid"))
    assert not out.has_flag("non_english")


def _signatures(n: int, seed: int) -> list[tuple[str, Any]]:
    """``n`` MinHash signatures of word 3-shingle sets, a third of them edited copies of earlier
    ones (from one word changed to most words changed), so that candidates of every strength occur."""
    from datasketch import MinHash

    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(400)]
    docs: list[list[str]] = []
    out: list[tuple[str, Any]] = []
    for i in range(n):
        if docs and rng.random() < 0.35:
            doc = list(rng.choice(docs))
            for _ in range(rng.choice([1, 2, 4, 8, 30])):
                doc[rng.randrange(len(doc))] = rng.choice(vocabulary)
        else:
            doc = [rng.choice(vocabulary) for _ in range(60)]
        docs.append(doc)
        mh = MinHash(num_perm=64, seed=1)
        mh.update_batch([" ".join(doc[j : j + 3]).encode() for j in range(len(doc) - 2)])
        out.append((f"doc{i:05d}", mh))
    return out


def test_clean_minhash_bands_same_candidates_as_datasketch() -> None:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=0.8, num_perm=64)
    bands = MinHashBands(0.8, 64)
    bands.FLUSH_AT = 250  # several merges of recent insertions into the sorted arrays
    hits = 0
    for key, mh in _signatures(600, seed=3):
        expected = set(lsh.query(mh))
        assert bands.query(mh.hashvalues) == expected, key
        hits += bool(expected)
        lsh.insert(key, mh)
        bands.insert(key, mh.hashvalues)
    assert hits > 50  # the edited copies were found, not just an empty index agreeing
    assert len(bands) == 600


def test_clean_minhash_bands_truncate_forgets_recent_ids() -> None:
    signatures = _signatures(40, seed=5)
    bands = MinHashBands(0.8, 64, autoflush=False)
    for key, mh in signatures[:20]:
        bands.insert(key, mh.hashvalues)
    bands.flush()
    for key, mh in signatures[:20]:
        bands.insert(f"again-{key}", mh.hashvalues)
    before = bands.query(signatures[0][1].hashvalues)
    assert {"doc00000", "again-doc00000"} <= before
    bands.truncate(20)
    assert len(bands) == 20
    after = bands.query(signatures[0][1].hashvalues)
    assert after == {key for key in before if not key.startswith("again-")}
    with pytest.raises(ValueError, match="flushed"):
        bands.truncate(10)


def test_clean_near_duplicate_exact_repeat_flagged_with_own_id() -> None:
    stage = CleanStage()
    first, again = Article.create(BODY, title="A"), Article.create(BODY, title="A")
    out = list(stage.pipe([first, again]))
    assert not out[0].has_flag("near_duplicate_of")
    flag = [f for f in out[1].flags if f.name == "near_duplicate_of"]
    assert flag and flag[0].detail == first.id and flag[0].score == 1.0


def test_new_minhash_equals_a_fresh_datasketch_minhash_and_shares_no_state() -> None:
    from datasketch import MinHash

    from eventwire.stages.clean import new_minhash

    shingles = [b"the troops will stay", b"troops will stay in", b"will stay in the region"]
    fresh = MinHash(num_perm=64, seed=1)
    fresh.update_batch(shingles)
    first = new_minhash(64)
    first.update_batch(shingles)
    assert (first.hashvalues == fresh.hashvalues).all()
    second = new_minhash(64)  # the update above did not leak into the cached empty signature
    assert (second.hashvalues == MinHash(num_perm=64, seed=1).hashvalues).all()
    assert not (second.hashvalues == first.hashvalues).all()
    assert len(new_minhash(16).hashvalues) == 16
