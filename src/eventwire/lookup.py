"""Find the actor (or place) behind a span of text, for stages that come after the resolver.

The resolver records every mention of every actor with character offsets; the coder and the quote
stage ask "which actor does the token at this offset belong to?". :class:`MentionIndex` answers that
with a sorted interval list (bisect), so lookups cost O(log n) per token.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from .model import Actor, Article, Mention

__all__ = ["MentionIndex"]


class MentionIndex:
    """Interval index over the mentions of the article's actors."""

    def __init__(self, actors: Sequence[Actor]) -> None:
        spans: list[tuple[int, int, int, Actor, Mention]] = []
        for actor in actors:
            for mention in actor.mentions:
                # longer mentions first at equal start, so the most specific (shortest) wins below
                spans.append((mention.start, -mention.end, len(spans), actor, mention))
        spans.sort(key=lambda s: (s[0], s[1], s[2]))
        self._spans = spans
        self._starts = [s[0] for s in spans]
        self._max_len = max((-s[1] - s[0] for s in spans), default=0)

    @classmethod
    def for_article(cls, article: Article) -> MentionIndex:
        return cls(article.actors)

    def at(self, char: int) -> tuple[Actor, Mention] | None:
        """The actor whose mention covers character ``char`` (the shortest such mention)."""
        best: tuple[Actor, Mention] | None = None
        best_len = 1 << 30
        hi = bisect_right(self._starts, char)
        lo = bisect_right(self._starts, char - self._max_len - 1)
        for start, neg_end, _, actor, mention in self._spans[lo:hi]:
            end = -neg_end
            if start <= char < end and end - start < best_len:
                best, best_len = (actor, mention), end - start
        return best

    def overlapping(self, start: int, end: int) -> list[tuple[Actor, Mention]]:
        """All (actor, mention) pairs whose mention overlaps ``[start, end)``, in text order."""
        hi = bisect_right(self._starts, end - 1)
        lo = bisect_right(self._starts, start - self._max_len - 1)
        out = []
        for s, neg_end, _, actor, mention in self._spans[lo:hi]:
            if s < end and -neg_end > start:
                out.append((actor, mention))
        return out
