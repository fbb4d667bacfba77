"""Event clusters across articles and near-duplicate links, on SQLite and PostgreSQL."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select
from store_fixtures import BACKENDS, coded_article, dump_tables, make_store, store_url

from eventwire.model import Article
from eventwire.storage.ingest import store_batch
from eventwire.storage.merge import (
    NearDuplicateIndex,
    cameo_base,
    minhash_signature,
    recluster,
    stored_signatures,
)
from eventwire.storage.repo import Store, count_rows, open_store
from eventwire.storage.tables import ArticleLinkRow, EventClusterRow, EventRow

LONG_TEXT = (
    "Protesters gathered outside parliament on Monday to demand the resignation of the interior "
    "minister after a week of clashes between police and students in the capital. Organisers said "
    "more than ten thousand people took part, while police put the number at four thousand. The "
    "minister has refused to step down and blamed opposition parties for the unrest."
)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from make_store(request.param, tmp_path)


def _report(
    n: int, outlet: str, day: str, cameo: str = "163", modality: str = "asserted"
) -> Article:
    """The same sanctions event told by a different outlet in different words."""
    text = (
        f"The British government imposed new sanctions on Russia, officials in London said "
        f"(report {n} by {outlet})."
    )
    return coded_article(
        text=text,
        title=f"Report {n}",
        outlet=outlet,
        url=f"https://{outlet}.example/{n}",
        published=datetime.fromisoformat(day).replace(hour=8, tzinfo=UTC),
        event_date=day,
        cameo=cameo,
        modality=modality,
    )


def make_store_once(backend: str, tmp_path: Path) -> Store:
    tmp_path.mkdir(parents=True, exist_ok=True)
    return open_store(store_url(backend, tmp_path))


def _store(store: Store, *articles: Article) -> None:
    with store.write() as session:
        store_batch(session, list(articles))


def _clusters(store: Store) -> list[EventClusterRow]:
    with store.read() as session:
        return list(session.scalars(select(EventClusterRow).order_by(EventClusterRow.first_date)))


def test_merge_two_articles_same_event_one_cluster(store: Store) -> None:
    a, b = _report(1, "alpha", "2024-03-05"), _report(2, "beta", "2024-03-06", cameo="1631")
    assert a.id != b.id
    _store(store, a, b)
    (cluster,) = _clusters(store)
    assert (cluster.num_articles, cluster.num_sources, cluster.num_mentions) == (2, 2, 2)
    assert (cluster.first_date, cluster.last_date) == (date(2024, 3, 5), date(2024, 3, 6))
    assert cluster.plover_type == "SANCTION" and cluster.cameo_root == "16"
    with store.read() as session:
        assert set(session.scalars(select(EventRow.cluster_id))) == {cluster.id}


def test_merge_incremental_batches_update_cluster(store: Store) -> None:
    _store(store, _report(1, "alpha", "2024-03-05"))
    (first,) = _clusters(store)
    assert first.num_articles == 1
    _store(store, _report(2, "beta", "2024-03-06"), _report(3, "alpha", "2024-03-07"))
    (updated,) = _clusters(store)
    assert updated.id == first.id  # the earliest member is unchanged, so is the id
    assert (updated.num_articles, updated.num_sources) == (3, 2)


def test_merge_result_independent_of_order(tmp_path: Path) -> None:
    reports = [
        _report(i, o, d)
        for i, (o, d) in enumerate(
            [
                ("alpha", "2024-03-05"),
                ("beta", "2024-03-07"),
                ("gamma", "2024-03-06"),
                ("delta", "2024-03-20"),
            ]
        )
    ]
    forward = next(make_store("sqlite", tmp_path / "f"))
    for r in reports:
        _store(forward, r.model_copy(deep=True))
    backward = next(make_store("sqlite", tmp_path / "b"))
    _store(backward, *[r.model_copy(deep=True) for r in reversed(reports)])
    assert dump_tables(forward) == dump_tables(backward)
    assert [c.num_articles for c in _clusters(forward)] == [3, 1]


def test_merge_window_splits_distant_dates(store: Store) -> None:
    _store(store, _report(1, "alpha", "2024-03-05"), _report(2, "beta", "2024-03-09"))
    assert [c.num_articles for c in _clusters(store)] == [1, 1]


def test_merge_different_codes_or_modalities_not_merged(store: Store) -> None:
    _store(
        store,
        _report(1, "alpha", "2024-03-05", cameo="163"),
        _report(2, "beta", "2024-03-05", cameo="164"),  # other base: another event
        _report(3, "gamma", "2024-03-05", modality="negated"),  # never clustered
        _report(4, "delta", "2024-03-05", modality="intent"),
    )
    clusters = _clusters(store)
    assert sorted((c.cameo_code, c.num_articles) for c in clusters) == [("163", 2), ("164", 1)]
    with store.read() as session:
        negated = session.scalars(select(EventRow).where(EventRow.modality == "negated")).one()
    assert negated.cluster_id is None and negated.cluster_key is None


def test_merge_generic_code_joins_nearest_specific_lane(store: Store) -> None:
    _store(
        store,
        _report(1, "alpha", "2024-03-05", cameo="163"),
        _report(2, "beta", "2024-03-06", cameo="160"),
        _report(3, "gamma", "2024-03-05", cameo="164"),
    )
    clusters = {c.cameo_code: c.num_articles for c in _clusters(store)}
    assert sum(clusters.values()) == 3 and len(clusters) == 2
    assert clusters["164"] == 1


def test_merge_cameo_base() -> None:
    assert cameo_base("1631") == "163"
    assert cameo_base("163") == "163"
    assert cameo_base("190") is None
    assert cameo_base("19") is None
    assert cameo_base("0871") == "087"


def test_merge_near_duplicates_linked(store: Store) -> None:
    original = coded_article(
        text=LONG_TEXT + " The British government imposed sanctions on Russia in London."
    )
    copy = coded_article(
        text=LONG_TEXT + " The British government imposed sanctions on Russia in London!",
        url="https://copy.example/1",
        outlet="copycat",
    )
    flagged = coded_article(text="Russia was hit. The British government imposed it, London said.")
    flagged.add_flag("near_duplicate_of", detail=original.id, score=0.9)
    index = NearDuplicateIndex(threshold=0.8, num_perm=64)
    with store.write() as session:
        store_batch(session, [original], index=index)
    index.commit()
    fresh = NearDuplicateIndex(threshold=0.8, num_perm=64)  # a new run rebuilds it from the store
    with store.read() as session:
        assert fresh.load(session) == 1
    with store.write() as session:
        result = store_batch(session, [copy, flagged], index=fresh)
    assert result.links == 2
    with store.read() as session:
        links = {
            (r.article_id, r.other_id, r.kind) for r in session.scalars(select(ArticleLinkRow))
        }
        assert count_rows(session)["article_links"] == 2
    pair = tuple(sorted((original.id, copy.id)))
    assert (pair[0], pair[1], "minhash") in links
    assert (flagged.id, original.id, "flag") in links


def _distinct_groups(n: int) -> list[Article]:
    """``n`` articles whose events fall into ``n`` different clustering groups (targets)."""
    return [
        coded_article(
            text=f"The British government imposed new sanctions on Target{i} on Tuesday in London.",
            url=f"https://news.example.org/g/{i}",
            target=(f"Target{i}", f"T{i:02d}", None, f"Q{1000 + i}"),
        )
        for i in range(n)
    ]


def _recluster_statements(store: Store, n: int) -> tuple[int, int]:
    """(SQL statements, clusters) of recomputing ``n`` groups at once."""
    _store(store, *_distinct_groups(n))
    with store.write() as session:
        keys = [k for k in session.scalars(select(EventRow.cluster_key)) if k is not None]
        statements: list[str] = []

        def count(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
            statements.append(sql)

        sa_event.listen(store.engine, "before_cursor_execute", count)
        try:
            clusters = recluster(session, keys)
        finally:
            sa_event.remove(store.engine, "before_cursor_execute", count)
    return len(statements), clusters


def test_merge_recluster_statements_independent_of_group_count(tmp_path: Path) -> None:
    few = make_store_once("sqlite", tmp_path / "few")
    many = make_store_once("sqlite", tmp_path / "many")
    try:
        few_statements, few_clusters = _recluster_statements(few, 3)
        many_statements, many_clusters = _recluster_statements(many, 12)
    finally:
        few.close()
        many.close()
    assert (few_clusters, many_clusters) == (3, 12)
    # read, delete, insert, update: a fixed handful however many groups (was 4 per group)
    assert few_statements == many_statements <= 6


def test_merge_recluster_in_one_pass_same_rows_as_group_by_group(tmp_path: Path) -> None:
    articles = [
        _report(1, "alpha", "2024-03-01"),
        _report(2, "beta", "2024-03-02", cameo="160"),
        _report(3, "gamma", "2024-03-09"),
        *_distinct_groups(4),
    ]
    together = make_store_once("sqlite", tmp_path / "together")
    one_by_one = make_store_once("sqlite", tmp_path / "one")
    try:
        _store(together, *[a.model_copy(deep=True) for a in articles])
        for article in articles:
            _store(one_by_one, article.model_copy(deep=True))
        assert dump_tables(together) == dump_tables(one_by_one)
    finally:
        together.close()
        one_by_one.close()


def _signature_blobs(n: int) -> dict[str, bytes]:
    texts = {}
    for i in range(n):
        words = " ".join(f"w{(i * 7919 + j * 104729) % 5003}" for j in range(40))
        texts[f"{i:016x}"] = minhash_signature(Article.create(words), 64)
    return {k: v for k, v in texts.items() if v is not None}


def test_merge_near_duplicate_index_rollback_then_same_pairs(store: Store) -> None:
    tail = " The British government imposed sanctions on Russia in London."
    original = coded_article(text=LONG_TEXT + tail)
    copy = coded_article(text=LONG_TEXT + tail + " Police said.", url="https://copy.example/2")
    with store.write() as session:
        store_batch(session, [original])
    index = NearDuplicateIndex(threshold=0.8, num_perm=64)
    with store.read() as session:
        assert index.load(session) == 1
    sig = {copy.id: minhash_signature(copy, 64) or b""}
    with store.read() as session:
        first = index.add_batch(sig, stored_signatures(session))
        index.rollback()
        assert len(index) == 1
        again = index.add_batch(sig, stored_signatures(session))
    assert first == again
    assert [(a, b) for a, b, _ in first] == [tuple(sorted((original.id, copy.id)))]
    assert index.add_batch({}, None) == []


def test_merge_near_duplicate_index_compact() -> None:
    """The index holds band keys only: well under 400 bytes per article, recent insertions not yet
    merged into the sorted arrays included (datasketch's LSH with LeanMinHash values: ~2.2 KB)."""
    blobs = _signature_blobs(3000)
    index = NearDuplicateIndex(threshold=0.8, num_perm=64)
    tracemalloc.start()
    try:
        for start in range(0, len(blobs), 50):
            chunk = dict(list(blobs.items())[start : start + 50])
            index.add_batch(chunk, lambda ids: {i: blobs[i] for i in ids})
            index.commit()
        used = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(index) == len(blobs)
    assert used / len(blobs) < 400
