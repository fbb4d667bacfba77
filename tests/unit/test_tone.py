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


def _average_tone_word_by_word(text: str, lexicon: dict[str, float]) -> tuple[float, int, int, int]:
    """The definition, one regex match at a time (what :func:`average_tone` must equal)."""
    import re

    pos = neg = total = 0
    for m in re.finditer(r"[A-Za-z][A-Za-z'’-]*", text):
        total += 1
        valence = lexicon.get(m.group().lower().replace("’", "'"))
        pos += valence is not None and valence > 0
        neg += valence is not None and valence < 0
    return ((pos - neg) / total * 100.0 if total else 0.0), pos, neg, total


@pytest.mark.parametrize(
    "text",
    [
        "İstanbul's GOOD news: it isn't bad—won’t be, the KELVIN \u212a sign aside.",
        "Don’t WORRY, don't worry: a well-being well‐being test!",
        "12 345 ... ---",
    ],
)
def test_tone_average_tone_equals_the_word_by_word_definition(text: str) -> None:
    lexicon = ToneScorer().lexicon
    assert average_tone(text, lexicon) == _average_tone_word_by_word(text, lexicon)
    assert average_tone(text, lexicon)[1] + average_tone(text, lexicon)[2] > 0 or "12" in text


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


@pytest.mark.parametrize(
    "text",
    [
        "The ministers met in Geneva on Tuesday.",  # no lexicon word: the shortcut
        "  The talks ended at 5 p.m. on Friday !!!  ",  # punctuation alone scales nothing
        "",
        "...",
        "The summit was a great success.",
        "The attack killed 12 people and wounded dozens.",
        "It was not a bad deal, but the terms were HORRIBLE!!",
        "No progress, no hope.",
        "They were kind of pleased :)",
        "Talks collapsed \U0001f620 after the vote.",  # an emoji: the library's own path
        "Officials said the least they could do was help.",
    ],
)
def test_tone_polarity_scores_equal_vader(text: str) -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    scorer = ToneScorer()
    assert scorer.polarity_scores(text) == SentimentIntensityAnalyzer().polarity_scores(text)


def test_tone_polarity_scores_equal_vader_on_cue_word_strings() -> None:
    """Random strings of VADER's cue words: negations, boosters, idioms, "no", "least", "but",
    capitals and punctuation, in every order the rules distinguish."""
    import random

    from vaderSentiment.vaderSentiment import (
        BOOSTER_DICT,
        NEGATE,
        SPECIAL_CASES,
        SentimentIntensityAnalyzer,
    )

    words = [*SPECIAL_CASES, *BOOSTER_DICT, *NEGATE]
    words += [
        "good",
        "bad",
        "GOOD",
        "BAD",
        "great",
        "war",
        "peace",
        "never",
        "so",
        "this",
        "without",
        "doubt",
        "least",
        "at",
        "very",
    ]
    words += [
        "no",
        "NO",
        "nor",
        "or",
        "but",
        "BUT",
        "kind",
        "of",
        "the",
        "!",
        "??",
        ":)",
        "good!",
        "'bad'",
        "isn't",
        "NOT",
    ]
    rng = random.Random(8)
    scorer, vader = ToneScorer(), SentimentIntensityAnalyzer()
    differ = []
    for _ in range(5000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 9)))
        if scorer.polarity_scores(text) != vader.polarity_scores(text):
            differ.append(text)
    assert differ == []


def test_tone_polarity_scores_equal_vader_on_news() -> None:
    from pathlib import Path

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    news = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "news"
    files = sorted(news.glob("*.jsonl"))
    if not files:
        pytest.skip("shared news corpora not available")
    import json

    scorer, vader = ToneScorer(), SentimentIntensityAnalyzer()
    checked = shortcut = 0
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for _, line in zip(range(20), handle, strict=False):
                text = str(json.loads(line).get("text") or "")
                assert average_tone(text, scorer.lexicon) == _average_tone_word_by_word(
                    text, scorer.lexicon
                )
                for start, end in split_sentences(text):
                    sentence = text[start:end]
                    assert scorer.polarity_scores(sentence) == vader.polarity_scores(sentence), (
                        sentence
                    )
                    checked += 1
                    shortcut += scorer.polarity_scores(sentence)["neu"] == 1.0
    assert checked > 500 and shortcut > 50  # both paths were exercised
