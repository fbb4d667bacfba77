"""Unit tests of the tone stage (VADER; no spaCy model)."""

from __future__ import annotations

import pytest

from eventwire.model import Article, Parse, Sentence
from eventwire.stages.tone import ToneScorer, ToneStage, average_tone, split_sentences


@pytest.fixture(scope="module")
def stage() -> ToneStage:
    return ToneStage(on_error="raise")


def test_tone_split_sentences_regex() -> None:
    text = 'Talks failed. "We are sad," he said! Next?\nNew paragraph'
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "Talks failed.",
        '"We are sad," he said!',
        "Next?",
        "New paragraph",
    ]


def test_tone_average_tone_counts_lexicon_words() -> None:
    lexicon = {"good": 1.9, "bad": -2.5, "war": -2.9}
    tone, pos, neg, words = average_tone("A good deal, a bad war.", lexicon)
    assert (pos, neg, words) == (1, 2, 6)
    assert tone == pytest.approx((1 - 2) / 6 * 100)
    assert average_tone("", lexicon) == (0.0, 0, 0, 0)


def test_tone_positive_and_negative_articles(stage: ToneStage) -> None:
    good = stage(
        Article.create("The leaders praised the historic peace agreement. Everyone celebrated.")
    )
    bad = stage(
        Article.create("The attack killed dozens. Officials condemned the horrific massacre.")
    )
    assert good.tone.compound > 0.3 and good.tone.average_tone > 0
    assert bad.tone.compound < -0.3 and bad.tone.average_tone < 0
    assert len(good.tone.sentences) == 2
    assert good.tone.positive + good.tone.negative + good.tone.neutral == pytest.approx(
        1.0, abs=0.01
    )


def test_tone_uses_parse_sentences_and_mean_compound(stage: ToneStage) -> None:
    text = "Great news today. Terrible losses followed."
    article = Article.create(text)
    article.parse = Parse(
        sentences=[
            Sentence(index=0, start=0, end=17, text=text[:17], tok_start=0, tok_end=0),
            Sentence(index=1, start=18, end=len(text), text=text[18:], tok_start=0, tok_end=0),
        ]
    )
    stage(article)
    scorer = ToneScorer()
    expected = [scorer.sentence(text[:17]).compound, scorer.sentence(text[18:]).compound]
    assert [s.sentence for s in article.tone.sentences] == [0, 1]
    assert article.tone.compound == pytest.approx(sum(expected) / 2, abs=1e-3)


def test_tone_empty_article_is_neutral(stage: ToneStage) -> None:
    article = stage(Article.create("   "))
    assert article.tone.compound == 0.0 and article.tone.sentences == []
