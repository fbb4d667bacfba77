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
import string
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
    """VADER wrapped for the stage; also usable on its own (``ToneScorer().score(text)``).

    :meth:`polarity_scores` equals the library's ``polarity_scores`` on every input (tested on
    every sentence of the news corpora and on random strings of VADER's cue words), computed with
    the library's lexicon, constants and final scoring, but with its per-word rules applied to a
    word list lower-cased once: the library lower-cases the whole sentence again in each negation
    and idiom check, four times per lexicon word, and rebuilds its list of negation words for each
    word it checks. That took two thirds of the stage's time.
    """

    def __init__(self) -> None:
        from vaderSentiment import vaderSentiment as vader_module

        self._vader: Any = vader_module.SentimentIntensityAnalyzer()
        self.lexicon: dict[str, float] = dict(self._vader.lexicon)
        self._emoji = frozenset(self._vader.emojis)
        self._boosters: dict[str, float] = dict(vader_module.BOOSTER_DICT)
        self._special: dict[str, float] = dict(vader_module.SPECIAL_CASES)
        self._negations: frozenset[str] = frozenset(vader_module.NEGATE)
        self._n_scalar: float = vader_module.N_SCALAR
        self._c_incr: float = vader_module.C_INCR

    def polarity_scores(self, text: str) -> dict[str, float]:
        """VADER's ``polarity_scores`` of ``text`` (``neg``, ``neu``, ``pos``, ``compound``).

        A text with an emoji goes through the library itself (it translates emoji to words); a
        word outside the lexicon, a booster and the "kind" of "kind of" get a valence of 0
        without further rules, as in the library's loop.
        """
        if not self._emoji.isdisjoint(text):
            return dict(self._vader.polarity_scores(text))
        stripped = text.strip()
        punctuation = string.punctuation  # what VADER strips from each word
        words: list[str] = []
        for token in stripped.split():
            bare = token.strip(punctuation)
            # a token of two characters or fewer once stripped is kept whole (an emoticon)
            words.append(token if len(bare) <= 2 else bare)
        lowered = [word.lower() for word in words]
        upper = sum(1 for word in words if word.isupper())
        is_cap_diff = 0 < len(words) - upper < len(words)
        boosters, lexicon = self._boosters, self.lexicon
        sentiments: list[float] = []
        last = len(words) - 1
        for i, low in enumerate(lowered):
            if (
                low not in lexicon
                or low in boosters
                or (i < last and low == "kind" and lowered[i + 1] == "of")
            ):
                sentiments.append(0)
                continue
            sentiments.append(self._valence(words, lowered, i, is_cap_diff))
        if "but" in lowered:
            sentiments = self._vader._but_check(words, sentiments)
        return dict(self._vader.score_valence(sentiments, stripped))

    def _valence(self, words: list[str], lowered: list[str], i: int, is_cap_diff: bool) -> float:
        """VADER's ``sentiment_valence`` of the lexicon word ``i``: "no" before it, capitals,
        boosters and negations up to three words before it, "least", and the special idioms."""
        lexicon, n_scalar = self.lexicon, self._n_scalar
        low = lowered[i]
        valence = lexicon[low]
        if low == "no" and i != len(words) - 1 and lowered[i + 1] in lexicon:
            valence = 0.0  # "no" negates the next lexicon word instead of scoring itself
        if (
            (i > 0 and lowered[i - 1] == "no")
            or (i > 1 and lowered[i - 2] == "no")
            or (i > 2 and lowered[i - 3] == "no" and lowered[i - 1] in ("or", "nor"))
        ):
            valence = lexicon[low] * n_scalar
        if is_cap_diff and words[i].isupper():
            valence = valence + self._c_incr if valence > 0 else valence - self._c_incr
        for start_i in range(3):
            before = i - (start_i + 1)
            if i > start_i and lowered[before] not in lexicon:
                scalar = self._scalar(words[before], lowered[before], valence, is_cap_diff)
                if start_i == 1 and scalar != 0:
                    scalar = scalar * 0.95
                if start_i == 2 and scalar != 0:
                    scalar = scalar * 0.9
                valence = valence + scalar
                valence = self._negation(valence, lowered, start_i, i)
                if start_i == 2:
                    valence = self._idioms(valence, lowered, i)
        # "least" before the word negates it, except in "at least" and "very least"
        if i > 1 and lowered[i - 1] not in lexicon and lowered[i - 1] == "least":
            if lowered[i - 2] != "at" and lowered[i - 2] != "very":
                valence = valence * n_scalar
        elif i > 0 and lowered[i - 1] not in lexicon and lowered[i - 1] == "least":
            valence = valence * n_scalar
        return valence

    def _scalar(self, word: str, low: str, valence: float, is_cap_diff: bool) -> float:
        """VADER's ``scalar_inc_dec``: a booster's or dampener's push, away from zero."""
        scalar = self._boosters.get(low)
        if scalar is None:
            return 0.0
        if valence < 0:
            scalar *= -1
        if word.isupper() and is_cap_diff:
            scalar = scalar + self._c_incr if valence > 0 else scalar - self._c_incr
        return scalar

    def _negated(self, low: str) -> bool:
        return low in self._negations or "n't" in low

    def _negation(self, valence: float, lowered: list[str], start_i: int, i: int) -> float:
        """VADER's ``_negation_check`` for the word ``start_i + 1`` places before word ``i``."""
        if start_i == 0:
            if self._negated(lowered[i - 1]):
                valence = valence * self._n_scalar
        elif start_i == 1:
            if lowered[i - 2] == "never" and lowered[i - 1] in ("so", "this"):
                valence = valence * 1.25
            elif lowered[i - 2] == "without" and lowered[i - 1] == "doubt":
                pass
            elif self._negated(lowered[i - 2]):
                valence = valence * self._n_scalar
        else:
            # the library's condition, as its operators group it: (never and so/this two
            # before) or so/this one before
            if (lowered[i - 3] == "never" and lowered[i - 2] in ("so", "this")) or lowered[
                i - 1
            ] in ("so", "this"):
                valence = valence * 1.25
            elif lowered[i - 3] == "without" and "doubt" in (lowered[i - 2], lowered[i - 1]):
                pass
            elif self._negated(lowered[i - 3]):
                valence = valence * self._n_scalar
        return valence

    def _idioms(self, valence: float, lowered: list[str], i: int) -> float:
        """VADER's ``_special_idioms_check`` (word ``i`` has three words before it)."""
        special = self._special
        three, two, one, zero = lowered[i - 3], lowered[i - 2], lowered[i - 1], lowered[i]
        onezero = f"{one} {zero}"
        twoonezero = f"{two} {one} {zero}"
        twoone = f"{two} {one}"
        threetwoone = f"{three} {two} {one}"
        threetwo = f"{three} {two}"
        for sequence in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if sequence in special:
                valence = special[sequence]
                break
        if len(lowered) - 1 > i:
            zeroone = f"{zero} {lowered[i + 1]}"
            if zeroone in special:
                valence = special[zeroone]
        if len(lowered) - 1 > i + 1:
            zeroonetwo = f"{zero} {lowered[i + 1]} {lowered[i + 2]}"
            if zeroonetwo in special:
                valence = special[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in self._boosters:
                valence = valence + self._boosters[n_gram]
        return valence

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
