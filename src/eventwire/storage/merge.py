"""Merging across articles: near-duplicate links and event clusters.

Near-duplicates
    An article flagged ``near_duplicate_of`` by the clean stage is linked to the article the flag
    names (kind ``flag``). Independently, the store keeps a MinHash signature of every article's
    normalised text (word 3-shingles) and finds pairs through a MinHash LSH index (datasketch's
    bands), rebuilt in memory from the stored signatures when ingest starts and holding only the
    band keys (the candidates' signatures are read back from the store); a pair is linked (kind
    ``minhash``) when the LSH reports it and the estimated Jaccard similarity reaches
    ``clean.minhash_threshold``. Both criteria are symmetric, so the links do not depend on the
    order in which articles arrive.

Event clusters
    Events that are the same real-world event reported in several articles form one cluster.
    Candidates share a *group*: the same source and target identity (country, organisation and
    knowledge-base id; the normalised text when none is known), the same PLOVER type and the same
    CAMEO root; only asserted, intent and conditional events take part. Within a group, events are
    split into *lanes* of compatible CAMEO codes: codes with the same three-digit base share a lane;
    a generic code (``190``, ``19``) joins the lane of the nearest-dated specific event within the
    window (ties: the smaller base), else a lane of its own. Within a lane, events sorted by day are
    cut into clusters wherever two consecutive days are more than ``window_days`` apart or a
    cluster would span more than ``max_span_days``. Events without any date stay single.

    The clusters of a group are a function of the set of its stored events alone, and a cluster's
    id is a hash of its group, lane and earliest member, so the final database is the same whatever
    the ingest order or batch boundaries. Each batch recomputes the groups it touched, which is how
    tomorrow's articles extend today's clusters. ``docs/store.md`` justifies the window.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt
from datasketch import MinHash
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from ..model import Article, normalise_for_id
from ..stages.clean import MinHashBands, new_minhash
from .repo import arg_key, core_table, insert_ignore, to_utc
from .tables import ArticleLinkRow, ArticleRow, EventClusterRow, EventRow

LOGGER = logging.getLogger(__name__)

__all__ = [
    "ClusterPolicy",
    "NearDuplicateIndex",
    "SignatureLookup",
    "cameo_base",
    "link_near_duplicates",
    "minhash_signature",
    "recluster",
    "stored_signatures",
]

_WORD = re.compile(r"\w+")
SHINGLE_WORDS = 3


# ---------------------------------------------------------------------------------------------
# Near-duplicates
# ---------------------------------------------------------------------------------------------


@cache
def _scheme() -> tuple[str, np.dtype[Any]]:
    """The hashing scheme of the installed datasketch (``legacy`` before 2.0) and its dtype."""
    probe = MinHash(num_perm=1, seed=1)
    return str(getattr(probe, "scheme", "legacy")), np.asarray(probe.hashvalues).dtype


def minhash_signature(article: Article, num_perm: int) -> bytes | None:
    """The MinHash signature of the article's normalised text (word 3-shingles), as bytes: an
    8-byte tag naming datasketch's hashing scheme, then the hash values as little-endian uint64."""
    words = _WORD.findall(normalise_for_id(article.text or article.title or ""))
    if not words:
        return None
    if len(words) < SHINGLE_WORDS:
        shingles = {" ".join(words)}
    else:
        shingles = {
            " ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
        }
    mh = new_minhash(num_perm)
    mh.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    tag = _scheme()[0].encode("ascii")[:8].ljust(8, b"\0")
    return tag + bytes(np.asarray(mh.hashvalues, dtype="<u8").tobytes())


def _hashvalues(blob: bytes, num_perm: int) -> npt.NDArray[np.uint64] | None:
    """The hash values of a stored signature; ``None`` when it was made by another datasketch
    hashing scheme or with another ``num_perm`` (not comparable, so ignored)."""
    if blob[:8].rstrip(b"\0").decode("ascii", "replace") != _scheme()[0]:
        return None
    values = np.frombuffer(blob[8:], dtype="<u8")
    if values.shape[0] != num_perm:
        return None
    return values


#: fetches the stored signatures of some article ids (id → signature bytes)
SignatureLookup = Callable[[list[str]], dict[str, bytes]]


def stored_signatures(session: Session) -> SignatureLookup:
    """A :data:`SignatureLookup` reading ``articles.minhash`` in ``session`` (500 ids a query)."""

    def lookup(ids: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for i in range(0, len(ids), 500):
            stmt = select(ArticleRow.id, ArticleRow.minhash).where(
                ArticleRow.id.in_(ids[i : i + 500])
            )
            found.update((k, v) for k, v in session.execute(stmt) if v is not None)
        return found

    return lookup


class NearDuplicateIndex:
    """The LSH over the stored signatures (one per writer process).

    Only the band keys are held in memory (:class:`~eventwire.stages.clean.MinHashBands`, about
    130 bytes per stored article); the signatures stay in the store and the few that a candidate
    pair needs are fetched to compute its similarity. :meth:`add_batch` inserts a batch's
    signatures tentatively; call :meth:`commit` once the batch's transaction is committed or
    :meth:`rollback` if it failed.
    """

    def __init__(self, threshold: float, num_perm: int) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._bands = MinHashBands(threshold, num_perm, autoflush=False)
        self._committed = 0

    def __len__(self) -> int:
        return len(self._bands)

    def load(self, session: Session) -> int:
        """Insert every stored signature. Returns how many were loaded."""
        stmt = select(ArticleRow.id, ArticleRow.minhash).where(ArticleRow.minhash.is_not(None))
        loaded = 0
        for article_id, blob in session.execute(stmt.execution_options(yield_per=2000)):
            values = _hashvalues(blob, self.num_perm) if blob is not None else None
            if values is not None:
                self._bands.insert(article_id, values)
                loaded += 1
                self._bands.maybe_flush()
        self.commit()
        return loaded

    def add_batch(
        self, signatures: dict[str, bytes], lookup: SignatureLookup | None = None
    ) -> list[tuple[str, str, float]]:
        """Insert ``signatures`` (id → bytes; ids not indexed yet) and return the near-duplicate
        pairs they form, with the smaller id first, among themselves and with everything indexed
        before. ``lookup`` fetches the signatures of earlier articles that LSH proposes as
        candidates (without it such candidates cannot be scored and are dropped)."""
        added: dict[str, npt.NDArray[np.uint64]] = {}
        for article_id in sorted(signatures):
            values = _hashvalues(signatures[article_id], self.num_perm)
            if values is None or article_id in added:
                continue
            self._bands.insert(article_id, values)
            added[article_id] = values
        candidates: set[tuple[str, str]] = set()
        for article_id, values in added.items():
            for other in self._bands.query(values):
                if other != article_id:
                    candidates.add((min(article_id, other), max(article_id, other)))
        wanted = sorted({x for pair in candidates for x in pair if x not in added})
        known: dict[str, npt.NDArray[np.uint64]] = dict(added)
        if wanted and lookup is not None:
            for other, blob in lookup(wanted).items():
                values = _hashvalues(blob, self.num_perm)
                if values is not None:
                    known[other] = values
        pairs: list[tuple[str, str, float]] = []
        for a, b in sorted(candidates):
            if a not in known or b not in known:
                continue
            # MinHash.jaccard: the share of equal hash values
            score = float(np.count_nonzero(known[a] == known[b])) / self.num_perm
            if score >= self.threshold:
                pairs.append((a, b, round(score, 4)))
        return pairs

    def commit(self) -> None:
        # only committed ids are ever flushed, so a rollback can drop the recent ones
        self._bands.maybe_flush()
        self._committed = len(self._bands)

    def rollback(self) -> None:
        self._bands.truncate(self._committed)


def link_near_duplicates(
    session: Session,
    articles: Sequence[Article],
    signatures: dict[str, bytes],
    index: NearDuplicateIndex | None,
) -> int:
    """Store the near-duplicate links of newly stored ``articles``. Returns the links written."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for article in articles:
        for flag in article.flags:
            if flag.name == "near_duplicate_of" and flag.detail and flag.detail != article.id:
                rows[(article.id, flag.detail, "flag")] = {
                    "article_id": article.id,
                    "other_id": flag.detail,
                    "kind": "flag",
                    "score": flag.score,
                }
    if index is not None:
        batch = {a.id: signatures[a.id] for a in articles if a.id in signatures}
        for a, b, score in index.add_batch(batch, stored_signatures(session)):
            rows[(a, b, "minhash")] = {
                "article_id": a,
                "other_id": b,
                "kind": "minhash",
                "score": score,
            }
    insert_ignore(session, ArticleLinkRow, list(rows.values()))
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Event clusters
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterPolicy:
    """How close in time two reports must be to count as the same event (see docs/store.md)."""

    window_days: int = 2
    max_span_days: int = 7


DEFAULT_POLICY = ClusterPolicy()


def cameo_base(code: str) -> str | None:
    """The three-digit base of a specific CAMEO code; ``None`` for a root-level generic code
    (``19``, ``190``), which is compatible with every code of its root."""
    if len(code) >= 3 and code[2] != "0":
        return code[:3]
    return None


@dataclass
class _Member:
    article_id: str
    event_id: str
    cameo_code: str
    day: date | None
    outlet: str
    published: datetime | None
    source_key: str
    target_key: str
    plover_type: str
    cameo_root: str

    @property
    def sort_key(self) -> tuple[date, str, str]:
        return (self.day or date.min, self.article_id, self.event_id)


def _outlet(outlet: str | None, url: str | None, source: str | None) -> str:
    if outlet:
        return outlet.casefold()
    if url:
        host = urlsplit(url).netloc.casefold()
        if host:
            return host.removeprefix("www.")
    return (source or "").casefold()


def _lanes(members: list[_Member], policy: ClusterPolicy) -> dict[str, list[_Member]]:
    lanes: dict[str, list[_Member]] = {}
    specific = [m for m in members if cameo_base(m.cameo_code) is not None and m.day is not None]
    for m in members:
        base = cameo_base(m.cameo_code)
        if base is None and m.day is not None:
            near = [
                (abs((s.day - m.day).days), cameo_base(s.cameo_code) or "", s)
                for s in specific
                if s.day is not None and abs((s.day - m.day).days) <= policy.window_days
            ]
            if near:
                base = min(near, key=lambda t: (t[0], t[1]))[1]
        lanes.setdefault(base or "", []).append(m)
    return lanes


def _split(lane: list[_Member], policy: ClusterPolicy) -> list[list[_Member]]:
    clusters: list[list[_Member]] = []
    current: list[_Member] = []
    for m in sorted(lane, key=lambda x: x.sort_key):
        if m.day is None:
            clusters.append([m])
            continue
        if current:
            start, prev = current[0].day, current[-1].day
            assert start is not None and prev is not None
            if (m.day - prev).days > policy.window_days or (
                m.day - start
            ).days > policy.max_span_days:
                clusters.append(current)
                current = []
        current.append(m)
    if current:
        clusters.append(current)
    return clusters


def _cluster_row(key: str, lane: str, members: list[_Member]) -> dict[str, Any]:
    first = min(members, key=lambda m: m.sort_key)
    basis = "\x1f".join(
        (key, lane, first.day.isoformat() if first.day else "", first.article_id, first.event_id)
    )
    cluster_id = hashlib.sha1(basis.encode("utf-8")).hexdigest()[:20]
    codes = Counter(m.cameo_code for m in members)
    code = min(codes, key=lambda c: (-codes[c], -len(c), c))
    days = [m.day for m in members if m.day is not None]
    seen = [p for p in (m.published for m in members) if p is not None]
    return {
        "id": cluster_id,
        "global_id": int(cluster_id[:13], 16),
        "cluster_key": key,
        "source_key": first.source_key,
        "target_key": first.target_key,
        "plover_type": first.plover_type,
        "cameo_root": first.cameo_root,
        "cameo_code": code,
        "first_date": min(days) if days else None,
        "last_date": max(days) if days else None,
        "num_mentions": len(members),
        "num_sources": len({m.outlet for m in members}),
        "num_articles": len({m.article_id for m in members}),
        "first_seen": min(seen) if seen else None,
        "last_seen": max(seen) if seen else None,
    }


def compute_clusters(
    key: str, members: list[_Member], policy: ClusterPolicy = DEFAULT_POLICY
) -> list[tuple[dict[str, Any], list[_Member]]]:
    """The clusters of one group: (cluster row, members) pairs."""
    out: list[tuple[dict[str, Any], list[_Member]]] = []
    for lane, lane_members in sorted(_lanes(members, policy).items()):
        for cluster in _split(lane_members, policy):
            out.append((_cluster_row(key, lane, cluster), cluster))
    return out


def _load_groups(session: Session, keys: list[str]) -> dict[str, list[_Member]]:
    """The stored events of the groups ``keys`` (one query per 500 keys)."""
    columns = (
        EventRow.cluster_key,
        EventRow.article_id,
        EventRow.event_id,
        EventRow.cameo_code,
        EventRow.cameo_root,
        EventRow.plover_type,
        EventRow.day,
        EventRow.source_country,
        EventRow.source_org,
        EventRow.source_kb,
        EventRow.source_text,
        EventRow.target_country,
        EventRow.target_org,
        EventRow.target_kb,
        EventRow.target_text,
        ArticleRow.outlet,
        ArticleRow.url,
        ArticleRow.source,
        ArticleRow.published,
    )
    groups: dict[str, list[_Member]] = {key: [] for key in keys}
    for i in range(0, len(keys), 500):
        stmt = (
            select(*columns)
            .join(ArticleRow, ArticleRow.id == EventRow.article_id)
            .where(EventRow.cluster_key.in_(keys[i : i + 500]))
        )
        for r in session.execute(stmt):
            groups[r.cluster_key].append(
                _Member(
                    article_id=r.article_id,
                    event_id=r.event_id,
                    cameo_code=r.cameo_code,
                    day=r.day,
                    outlet=_outlet(r.outlet, r.url, r.source),
                    published=to_utc(r.published),
                    source_key=arg_key(r.source_country, r.source_org, r.source_kb, r.source_text),
                    target_key=arg_key(r.target_country, r.target_org, r.target_kb, r.target_text),
                    plover_type=r.plover_type,
                    cameo_root=r.cameo_root,
                )
            )
    return groups


def recluster(session: Session, keys: Iterable[str], policy: ClusterPolicy = DEFAULT_POLICY) -> int:
    """Recompute the clusters of the groups ``keys``. Returns the number of clusters written.

    A handful of statements per batch whatever the number of groups: the groups' events are read
    in one query, their old clusters deleted in one, the new ones inserted in one and every event
    of the groups assigned its cluster in one executemany (each event of a group belongs to
    exactly one of its new clusters, so no event keeps a stale cluster id).
    """
    ordered = sorted(set(keys))
    if not ordered:
        return 0
    groups = _load_groups(session, ordered)
    rows: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    for key in ordered:
        for row, members in compute_clusters(key, groups[key], policy):
            rows.append(row)
            assignments.extend(
                {"b_article_id": m.article_id, "b_event_id": m.event_id, "b_cluster_id": row["id"]}
                for m in members
            )
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        session.execute(delete(EventClusterRow).where(EventClusterRow.cluster_key.in_(chunk)))
    if rows:
        session.execute(insert(core_table(EventClusterRow)), rows)
        session.execute(_ASSIGN_CLUSTER, assignments)
    return len(rows)


_EVENTS = core_table(EventRow)
#: one executemany over the events of the recomputed groups (a Core UPDATE by primary key: the
#: ORM's bulk update of mapped objects does per-row bookkeeping that the store does not need)
_ASSIGN_CLUSTER = (
    update(_EVENTS)
    .where(
        _EVENTS.c.article_id == bindparam("b_article_id"),
        _EVENTS.c.event_id == bindparam("b_event_id"),
    )
    .values(cluster_id=bindparam("b_cluster_id"))
)
