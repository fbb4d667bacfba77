"""The tone stage: VADER sentiment per sentence and for the article, plus a GDELT-style tone.

Scores (all from the installed ``vaderSentiment`` package, nothing downloaded):

* ``sentences[k].compound`` — VADER's compound score of sentence ``k`` (sentences from the NLP parse;
  without a parse a simple punctuation regex splits the text, see :func:`split_sentences`).
* ``compound`` — the **mean of the sentence compounds**. VADER's compound normalises a sum of
  valences, so on a whole article it saturates towards ±1 and stops telling articles apart; the
  sentence mean stays on the same -1..1 scale and is comparable across article lengths.
* ``positive`` / ``negative`` / ``neutral`` — VADER's proportions, averaged over the sentences
  weighted by their word counts (so they still sum to ~1).
* ``average_tone`` — GDELT's "Tone": (positive words − negative words) / all words × 100, on
  -100..100, where a word is positive or negative by its valence in VADER's lexicon (no negation
  or booster handling, as in GDELT's word-count tone).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from ..config import Settings
from ..model import Article, SentenceTone, Tone
from ..registry import register_stage
from .base import BaseStage

LOGGER = logging.getLogger(__name__)

__all__ = ["ToneScorer", "ToneStage", "average_tone", "split_sentences"]

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before whitespace,
# or at a line break; good enough as the fallback when no parse is available.
_SENT_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentence character spans with a regex (fallback without a parse).

    Args:
        text: the article text.
    Returns:
        ``(start, end)`` offsets of the non-empty sentences, whitespace trimmed.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        _append_trimmed(text, pos, m.start() if text[m.start()].isspace() else m.end(), spans)
        pos = m.end()
    _append_trimmed(text, pos, len(text), spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))


def average_tone(text: str, lexicon: dict[str, float]) -> tuple[float, int, int, int]:
    """GDELT-style tone of ``text``: (positive − negative words) / words × 100.

    Args:
        text: any text.
        lexicon: word → valence (VADER's lexicon, lower-case keys).
    Returns:
        ``(tone, positive_words, negative_words, words)``; tone is 0.0 for a text without words.
    """
    found = _WORD.findall(text)
    total = len(found)
    # the words are ASCII letters, apostrophes and hyphens: lower-cased in one call
    words = " ".join(found).lower().replace("’", "'").split(" ") if found else []
    pos = neg = 0
    for word, count in Counter(words).items():
        valence = lexicon.get(word)
        if valence is None:
            continue
        if valence > 0:
            pos += count
        elif valence < 0:
            neg += count
    if total == 0:
        return 0.0, 0, 0, 0
    return (pos - neg) / total * 100.0, pos, neg, total


@dataclass(frozen=True, slots=True)
class _SentScore:
    compound: float
    pos: float
    neg: float
    neu: float
    words: int


class ToneScorer:
    """VADER wrapped for the stage; also usable on its own (``ToneScorer().score(text)``)."""

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import (
            BOOSTER_DICT,
            SentimentIntensityAnalyzer,
            SentiText,
        )

        self._vader: Any = SentimentIntensityAnalyzer()
        self._senti_text: Any = SentiText
        self.lexicon: dict[str, float] = dict(self._vader.lexicon)
        self._emoji = frozenset(self._vader.emojis)
        self._boosters: frozenset[str] = frozenset(BOOSTER_DICT)

    def polarity_scores(self, text: str) -> dict[str, float]:
        """VADER's ``polarity_scores``, equal to the library's result on every input
        (``tests/unit/test_tone.py``), without its per-character emoji translation when the text
        holds no emoji (it then leaves the text unchanged) and without calling its per-word rules
        for words outside its lexicon, which give them a valence of 0 (boosters, negations and
        punctuation only scale lexicon words). A news sentence holds few lexicon words, and about
        35% hold none."""
        if not self._emoji.isdisjoint(text):
            return dict(self._vader.polarity_scores(text))
        stripped = text.strip()
        senti = self._senti_text(stripped)
        words = senti.words_and_emoticons
        vader, boosters, lexicon = self._vader, self._boosters, self.lexicon
        sentiments: list[float] = []
        last = len(words) - 1
        for i, item in enumerate(words):
            lowered = item.lower()
            # boosters and "kind of" only modify their neighbours (VADER's own loop)
            if (
                lowered not in lexicon
                or lowered in boosters
                or (i < last and lowered == "kind" and words[i + 1].lower() == "of")
            ):
                sentiments.append(0)
                continue
            sentiments = vader.sentiment_valence(0, senti, item, i, sentiments)
        sentiments = vader._but_check(words, sentiments)
        return dict(vader.score_valence(sentiments, stripped))

    def sentence(self, text: str) -> _SentScore:
        scores = self.polarity_scores(text)
        words = len(_WORD.findall(text))
        return _SentScore(
            compound=float(scores["compound"]),
            pos=float(scores["pos"]),
            neg=float(scores["neg"]),
            neu=float(scores["neu"]),
            words=words,
        )

    def score(self, text: str, sentences: list[tuple[int, int]] | None = None) -> Tone:
        """Score ``text``; ``sentences`` are character spans (regex split when ``None``).

        Args:
            text: the article text.
            sentences: sentence spans into ``text``.
        Returns:
            the :class:`~eventwire.model.Tone` of the text.
        """
        spans = split_sentences(text) if sentences is None else sentences
        per: list[SentenceTone] = []
        compounds: list[float] = []
        pos = neg = neu = 0.0
        weight = 0
        for index, (start, end) in enumerate(spans):
            chunk = text[start:end]
            if not chunk.strip():
                continue
            s = self.sentence(chunk)
            per.append(SentenceTone(sentence=index, compound=round(s.compound, 4)))
            compounds.append(s.compound)
            w = max(s.words, 1)
            pos += s.pos * w
            neg += s.neg * w
            neu += s.neu * w
            weight += w
        tone_value, _, _, _ = average_tone(text, self.lexicon)
        if not compounds:
            return Tone(average_tone=round(tone_value, 4), sentences=per)
        return Tone(
            compound=round(sum(compounds) / len(compounds), 4),
            positive=round(pos / weight, 4),
            negative=round(neg / weight, 4),
            neutral=round(neu / weight, 4),
            average_tone=round(tone_value, 4),
            sentences=per,
        )


@register_stage("eventwire.tone.vader.v1", requires=("text",), assigns=("tone",))
class ToneStage(BaseStage):
    """Fill ``article.tone`` with VADER scores (see the module docstring for the definitions)."""

    name = "tone"
    requires = ("text",)
    assigns = ("tone",)

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        on_error: Literal["raise", "record"] = "record",
    ) -> None:
        super().__init__(on_error=settings.pipeline.on_error if settings else on_error)
        self._scorer: ToneScorer | None = None

    def initialize(self) -> None:
        self._scorer = ToneScorer()

    def process(self, article: Article) -> Article:
        assert self._scorer is not None
        if not article.text.strip():
            article.tone = Tone()
            return article
        spans: list[tuple[int, int]] | None = None
        if article.parse is not None and article.parse.sentences:
            spans = [(s.start, s.end) for s in article.parse.sentences]
        article.tone = self._scorer.score(article.text, spans)
        return article
