"""The clean stage: quality flags set before any NLP.

* ``headline_mismatch`` — the headline does not belong to the body (a common scraping fault: the
  page's title or a neighbouring teaser was captured instead of the article's own headline). The
  evidence is *content-word coverage*: the share of the headline's content words (stop words
  removed, crude prefix stemming so that "elections" meets "election") found in the lead (first
  60 words) and in the whole body. Real headlines summarise the lead, so they almost always share
  a key word with it; a headline is flagged when it has at least three content words, none of them
  in the lead and at most ``clean.headline_mismatch_threshold`` of them anywhere in the body, and
  the body is prose (tabular bodies such as earnings tables legitimately share no words).
  Measured on the 28k shared news articles, see ``benchmarks/headline_flags.py``.
* ``language`` — the article's language when the reader did not give one. A cheap stop-word test
  recognises English without a model; otherwise ``langdetect`` (seeded, so deterministic) decides.
  Non-English articles are kept, flagged ``non_english`` and skipped by the English NLP stage.
* ``near_duplicate_of`` — MinHash (datasketch) over word 5-shingles with an LSH index kept for the
  run; an article that shares an LSH band with an earlier one (the bands are datasketch's, tuned to
  ``clean.minhash_threshold``) is flagged with that article's id; an exact repeat (same normalised
  text, hence the same id) is flagged with its own id and score 1.0. The index is
  :class:`MinHashBands`: one 64-bit key per band in sorted numpy arrays, about 130 bytes per
  article, where datasketch's ``MinHashLSH`` with the ``MinHash`` objects took several kilobytes.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..config import Settings
from ..model import Article
from ..registry import register_stage
from .base import BaseStage

__all__ = [
    "CleanStage",
    "MinHashBands",
    "detect_language",
    "headline_coverage",
    "headline_mismatch",
    "new_minhash",
]

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)

# A compact English stop list: function words and news boilerplate that say nothing about topic.
_STOP = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "us", "new", "says", "say", "said", "may", "might", "must", "shall", "one", "two", "three", "four", "five", "first", "last", "next", "year", "years", "week", "day", "today", "yesterday", "tomorrow", "mr", "mrs", "ms", "dr", "its", "it's", "can't", "won't", "don't", "get", "gets", "got", "make", "makes", "made", "live", "update", "updates", "latest", "news", "report", "reports", "video", "watch", "read", "via"]
)

_ENGLISH_MARKERS = frozenset(
    ["the", "of", "and", "to", "in", "is", "that", "for", "it", "was", "on", "with", "as", "by", "at", "from", "this", "be", "are", "have", "has", "not", "which"]
)


def _stem(word: str) -> str:
    word = word.casefold().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return word[:6] if len(word) > 6 else word


def _content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w.casefold() not in _STOP and len(w) > 1]


def headline_coverage(title: str, body: str) -> tuple[float, int]:
    """Share of the headline's content words found in the body, and how many there were."""
    words = {_stem(w) for w in _content_words(title)}
    if not words:
        return 1.0, 0
    body_stems = set(map(_stem, set(_WORD.findall(body))))  # each distinct word stemmed once
    found = sum(1 for w in words if w in body_stems)
    return found / len(words), len(words)


def _is_prose(text: str) -> bool:
    words = [w.casefold() for w in _WORD.findall(text[:3000])]
    if len(words) < 20:
        return False
    return sum(1 for w in words if w in _STOP) / len(words) >= 0.2


def headline_mismatch(title: str, body: str, threshold: float = 0.25) -> bool:
    """True when ``title`` looks like the headline of another article (see module doc)."""
    coverage, n = headline_coverage(title, body)
    if n < 3 or coverage > threshold:
        return False
    lead = " ".join(body.split()[:60])
    lead_coverage, _ = headline_coverage(title, lead)
    return lead_coverage == 0.0 and _is_prose(body)


def _looks_english(text: str) -> bool:
    words = [w.casefold() for w in _WORD.findall(text[:2000])]
    if len(words) < 8:
        return False
    hits = sum(1 for w in words if w in _ENGLISH_MARKERS)
    return hits / len(words) >= 0.12


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` (``zh-cn`` style for Chinese), or None if undecidable."""
    if not text.strip():
        return None
    if _looks_english(text):
        return "en"
    from langdetect import DetectorFactory, LangDetectException, detect_langs

    DetectorFactory.seed = 0
    try:
        guesses = detect_langs(text[:3000])
    except LangDetectException:
        return None
    if not guesses:
        return None
    best = guesses[0]
    # character n-gram guesses on a sentence or two are unreliable ("Japan donated 10 million
    # dollars to Kenya." comes out as Indonesian): a short text needs a confident guess
    words = len(_WORD.findall(text[:3000]))
    if words < SHORT_TEXT_WORDS and best.prob < 0.95:
        return None
    return str(best.lang)


#: Texts with fewer words than this need a confident language guess (else: unknown language).
SHORT_TEXT_WORDS = 40


def _shingles(text: str, k: int = 5) -> list[bytes]:
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) < k:
        return [" ".join(words).encode("utf-8")] if words else []
    return [" ".join(words[i : i + k]).encode("utf-8") for i in range(len(words) - k + 1)]


@functools.cache
def _empty_minhash(num_perm: int) -> Any:
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=1)


def new_minhash(num_perm: int) -> Any:
    """An empty ``datasketch.MinHash(num_perm=num_perm, seed=1)``.

    Copied from a cached empty one: the constructor draws its ``num_perm`` permutations from a
    seeded random generator on every call, fifteen times the cost of the copy.
    """
    return _empty_minhash(num_perm).copy()


class MinHashBands:
    """A compact LSH index: which stored ids share at least one band with a MinHash signature.

    The bands (``b`` bands of ``r`` hash values) are those datasketch's ``MinHashLSH`` chooses for
    ``threshold`` and ``num_perm``, so the candidates are the ones it would return. Each band is
    reduced to one 64-bit key (BLAKE2b of the band's index and values); keys live in two parallel
    sorted numpy arrays (key, ordinal of the id) plus a small dict of recent insertions that
    :meth:`flush` merges in. Per article that is ``b`` x 12 bytes and the id string, so an index of
    a million articles takes ~130 MB instead of several GB. The signatures themselves are not kept:
    callers that need the similarity fetch them (the store keeps them).
    """

    #: recent insertions merged into the sorted arrays once there are this many band keys
    FLUSH_AT = 5_000

    def __init__(self, threshold: float, num_perm: int, *, autoflush: bool = True) -> None:
        from datasketch import MinHashLSH

        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.num_perm = num_perm
        self.hashranges: list[tuple[int, int]] = [(int(a), int(b)) for a, b in lsh.hashranges]
        self.autoflush = autoflush
        self._ids: list[str] = []
        self._keys: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)
        self._ords: npt.NDArray[np.int32] = np.empty(0, dtype=np.int32)
        self._recent: dict[int, list[int]] = {}
        self._recent_keys = 0

    def __len__(self) -> int:
        return len(self._ids)

    def band_keys(self, hashvalues: npt.NDArray[Any]) -> list[int]:
        """The 64-bit key of every band of a signature (``num_perm`` hash values)."""
        values = np.asarray(hashvalues, dtype="<u8")
        if values.shape[0] != self.num_perm:
            raise ValueError(f"expected {self.num_perm} hash values, got {values.shape[0]}")
        keys: list[int] = []
        for band, (start, end) in enumerate(self.hashranges):
            digest = hashlib.blake2b(
                values[start:end].tobytes(), digest_size=8, person=band.to_bytes(4, "little")
            ).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
        return keys

    def insert(self, key: str, hashvalues: npt.NDArray[Any]) -> None:
        """Index the signature ``hashvalues`` under ``key`` (an id may be inserted once)."""
        ordinal = len(self._ids)
        self._ids.append(key)
        for band_key in self.band_keys(hashvalues):
            self._recent.setdefault(band_key, []).append(ordinal)
        self._recent_keys += len(self.hashranges)
        if self.autoflush:
            self.maybe_flush()

    def query(self, hashvalues: npt.NDArray[Any]) -> set[str]:
        """The ids that share at least one band with ``hashvalues``."""
        keys = self.band_keys(hashvalues)
        found: set[int] = set()
        if self._keys.shape[0]:
            wanted = np.asarray(keys, dtype=np.int64)
            lo = np.searchsorted(self._keys, wanted, side="left")
            hi = np.searchsorted(self._keys, wanted, side="right")
            for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
                if b > a:
                    found.update(self._ords[a:b].tolist())
        for band_key in keys:
            found.update(self._recent.get(band_key, ()))
        return {self._ids[o] for o in found}

    def flush(self) -> None:
        """Merge the recent insertions into the sorted arrays (O(n), no re-sort of old keys)."""
        if not self._recent:
            return
        keys: list[int] = []
        ords: list[int] = []
        for band_key, ordinals in self._recent.items():
            keys.extend([band_key] * len(ordinals))
            ords.extend(ordinals)
        new_keys = np.asarray(keys, dtype=np.int64)
        order = np.argsort(new_keys, kind="stable")
        new_keys = new_keys[order]
        new_ords = np.asarray(ords, dtype=np.int32)[order]
        at = np.searchsorted(self._keys, new_keys, side="right")
        self._keys = np.insert(self._keys, at, new_keys)
        self._ords = np.insert(self._ords, at, new_ords)
        self._recent.clear()
        self._recent_keys = 0

    def maybe_flush(self) -> None:
        """:meth:`flush` once the recent insertions hold :attr:`FLUSH_AT` band keys."""
        if self._recent_keys >= self.FLUSH_AT:
            self.flush()

    def truncate(self, size: int) -> None:
        """Forget every id inserted after the first ``size`` (not yet flushed ones only)."""
        if size >= len(self._ids):
            return
        if self._ords.shape[0] and int(self._ords.max()) >= size:
            raise ValueError("cannot truncate entries that were already flushed")
        for band_key in list(self._recent):
            kept = [o for o in self._recent[band_key] if o < size]
            if kept:
                self._recent[band_key] = kept
            else:
                del self._recent[band_key]
        self._recent_keys = sum(len(v) for v in self._recent.values())
        del self._ids[size:]

    def ids(self) -> Iterable[str]:
        """The indexed ids, in insertion order."""
        return iter(self._ids)


@register_stage(
    "eventwire.clean.v1", requires=("text",), assigns=("flags", "language")
)
class CleanStage(BaseStage):
    """Set ``headline_mismatch``, ``language``/``non_english`` and ``near_duplicate_of`` flags."""

    name = "clean"
    requires = ("text",)
    assigns = ("flags", "language")

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        headline_mismatch_threshold: float | None = None,
        minhash_threshold: float | None = None,
        minhash_perm: int | None = None,
        near_duplicates: bool | None = None,
        on_error: Literal["raise", "record"] = "record",
    ) -> None:
        super().__init__(on_error=settings.pipeline.on_error if settings else on_error)
        cfg = settings.clean if settings else None
        self.threshold = (
            headline_mismatch_threshold
            if headline_mismatch_threshold is not None
            else (cfg.headline_mismatch_threshold if cfg else 0.25)
        )
        self.minhash_threshold = minhash_threshold or (cfg.minhash_threshold if cfg else 0.8)
        self.minhash_perm = minhash_perm or (cfg.minhash_perm if cfg else 64)
        self.near_duplicates = (
            near_duplicates if near_duplicates is not None else (cfg.near_duplicates if cfg else True)
        )
        self._bands: MinHashBands | None = None

    def initialize(self) -> None:
        if self.near_duplicates:
            self._bands = MinHashBands(self.minhash_threshold, self.minhash_perm)
        # langdetect loads its 55 language profiles (~88,000 lists of floats) on its first call.
        # Loaded here, they are part of the data the pipeline exempts from the cyclic garbage
        # collector before the first article (``gc.freeze``); loaded by the first non-English
        # article, every later full collection traversed them again.
        from langdetect.detector_factory import init_factory

        init_factory()

    def process(self, article: Article) -> Article:
        self._flag_headline(article)
        self._flag_language(article)
        if self.near_duplicates:
            self._flag_near_duplicate(article)
        return article

    def _flag_headline(self, article: Article) -> None:
        if not article.title or not article.text.strip():
            return
        if headline_mismatch(article.title, article.text, self.threshold):
            coverage, n = headline_coverage(article.title, article.text)
            article.add_flag(
                "headline_mismatch",
                detail=f"none of {n} headline content words in the lead, {coverage:.0%} in the body",
                score=round(coverage, 3),
            )

    def _flag_language(self, article: Article) -> None:
        if article.language is None:
            article.language = detect_language(article.text or article.title or "")
        if article.language and not article.language.lower().startswith("en"):
            article.add_flag("non_english", detail=article.language)

    def _flag_near_duplicate(self, article: Article) -> None:
        if self._bands is None:
            self.initialize()
        assert self._bands is not None
        shingles = _shingles(article.text)
        if not shingles:
            return
        mh = new_minhash(self.minhash_perm)
        mh.update_batch(shingles)
        hits = self._bands.query(mh.hashvalues)
        if article.id in hits:
            # the same normalised text (hence the same id) was seen earlier in this run; the id
            # is in the index already, so it is not inserted again
            article.add_flag("near_duplicate_of", detail=article.id, score=1.0)
            return
        if hits:
            article.add_flag("near_duplicate_of", detail=sorted(hits)[0])
        self._bands.insert(article.id, mh.hashvalues)
