"""The event store on SQLite and PostgreSQL: schema, round trip, queries, rejects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from store_fixtures import BACKENDS, coded_article, make_store

from eventwire.errors import ConfigError
from eventwire.model import Article, Reject
from eventwire.storage.repo import (
    EventFilter,
    Store,
    actor_code,
    count_rows,
    load_article,
    normalise_url,
    query_events,
    save_articles,
    save_rejects,
)
from eventwire.storage.tables import ArticleRow, Base, EventRow


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from make_store(request.param, tmp_path)


def test_store_url_normalised_to_psycopg() -> None:
    assert normalise_url("postgresql://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
    with pytest.raises(ConfigError):
        normalise_url("mysql://u@h/db")
    with pytest.raises(ConfigError):
        normalise_url("not a url")


def test_store_migrations_match_models(store: Store) -> None:
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = set(inspect(conn).get_table_names())
    assert diffs == []
    assert {
        "articles",
        "actors",
        "events",
        "quotes",
        "places",
        "event_clusters",
        "article_links",
        "rejects",
        "alembic_version",
    } <= tables


def test_store_sqlite_pragmas(tmp_path: Path) -> None:
    store = next(make_store("sqlite", tmp_path))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()


def test_store_reopen_is_idempotent(store: Store) -> None:
    with store.write() as session:
        save_articles(session, [coded_article()])
    store.upgrade()  # opening again runs `upgrade head`, which must be a no-op
    with store.read() as session:
        assert count_rows(session)["articles"] == 1


def test_store_round_trip_document_identical(store: Store) -> None:
    article = coded_article()
    with store.write() as session:
        assert [a.id for a in save_articles(session, [article])] == [article.id]
    with store.read() as session:
        loaded = load_article(session, article.id)
        assert load_article(session, "0" * 16) is None
    assert loaded is not None
    assert loaded.to_document() == article.to_document()
    assert loaded == Article.from_document(article.to_document())


def test_store_rows_hold_every_part(store: Store) -> None:
    article = coded_article()
    with store.write() as session:
        save_articles(session, [article])
    with store.read() as session:
        counts = count_rows(session)
        ev = session.scalars(select(EventRow)).one()
        row = session.get(ArticleRow, article.id)
    assert counts["articles"] == counts["events"] == counts["quotes"] == counts["places"] == 1
    assert counts["actors"] == 2
    assert (ev.source_code, ev.target_code, ev.source_kb, ev.target_kb) == (
        "GBRGOV",
        "RUS",
        "Q6066",
        "Q159",
    )
    assert (ev.cameo_code, ev.cameo_root, ev.plover_type, ev.modality) == (
        "163",
        "16",
        "SANCTION",
        "asserted",
    )
    assert ev.day == date(2024, 3, 5) and ev.is_root is True
    assert ev.plover_context == ["economic", "diplomatic"]
    assert row is not None and row.flags[0]["name"] == "headline_mismatch"
    published = row.published if row.published.tzinfo else row.published.replace(tzinfo=UTC)
    assert published == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)


def test_store_save_skips_existing_and_repeats(store: Store) -> None:
    article = coded_article()
    with store.write() as session:
        assert len(save_articles(session, [article, article])) == 1
    with store.write() as session:
        assert save_articles(session, [article]) == []
    with store.read() as session:
        assert count_rows(session)["events"] == 1


def test_store_failed_batch_leaves_nothing(store: Store) -> None:
    article = coded_article()
    with pytest.raises(RuntimeError), store.write() as session:
        save_articles(session, [article])
        raise RuntimeError("crash inside the transaction")
    with store.read() as session:
        assert count_rows(session)["articles"] == 0


def test_store_rejects_deduplicated(store: Store) -> None:
    rejects = [
        Reject(source="a.jsonl", position=3, reason="invalid JSON"),
        Reject(source="a.jsonl", position=3, reason="invalid JSON"),
        Reject(source="a.jsonl", position=None, reason="truncated gzip"),
        Reject(source="a.jsonl", position=4, reason="invalid JSON"),
    ]
    with store.write() as session:
        assert save_rejects(session, rejects) == 3
    with store.write() as session:
        assert save_rejects(session, rejects[2:]) == 0
    with store.read() as session:
        assert count_rows(session)["rejects"] == 3


def test_store_actor_code_cameo_style() -> None:
    assert actor_code("GBR", None, "GOV") == "GBRGOV"
    assert actor_code(None, "UNO", "IGO") == "IGOUNO"
    assert actor_code("USA", None, None) == "USA"
    assert actor_code(None, None, None) == ""


def _three_articles() -> list[Article]:
    a = coded_article()
    b = coded_article(
        text="Chinese troops attacked positions in India on Monday, witnesses said. It was bloody.",
        title="Clash on the border",
        url="https://other.example.com/b",
        outlet="other",
        published=datetime(2024, 5, 1, tzinfo=UTC),
        event_date="2024-04-29",
        cameo="190",
        plover="ASSAULT",
        modality="negated",
        source=("Chinese troops", "CHN", "MIL", "Q148"),
        target=("India", "IND", None, "Q668"),
        trigger="attacked",
        place="India",
    )
    c = coded_article(
        text="The British government will impose sanctions on Russia, officials in London said today.",
        title="Sanctions planned",
        url="https://third.example.net/c",
        outlet="third",
        published=datetime(2024, 6, 10, tzinfo=UTC),
        event_date=None,
        cameo="1631",
        modality="intent",
        trigger="impose",
    )
    return [a, b, c]


def test_store_query_events_filters(store: Store) -> None:
    arts = _three_articles()
    with store.write() as session:
        save_articles(session, arts)
    with store.read() as session:

        def ids(**kw: object) -> list[str]:
            return [r.article_id for r in query_events(session, EventFilter(**kw), limit=None)]  # type: ignore[arg-type]

        assert ids() == [arts[2].id, arts[1].id, arts[0].id]  # newest day first
        assert ids(actor="GBR") == [arts[2].id, arts[0].id]
        assert ids(actor="GBRGOV") == [arts[2].id, arts[0].id]
        assert ids(actor="Q159") == [arts[2].id, arts[0].id]
        assert ids(country="RUS") == [arts[2].id, arts[0].id]
        assert ids(plover_type="sanction") == [arts[2].id, arts[0].id]
        assert ids(cameo="163") == [arts[2].id, arts[0].id]
        assert ids(cameo="1631") == [arts[2].id]
        assert ids(cameo="%") == []  # LIKE wildcards are escaped
        assert ids(modalities=("negated",)) == [arts[1].id]
        assert ids(since=date(2024, 4, 1), until=date(2024, 5, 31)) == [arts[1].id]
        assert ids(text="sanctions planned") == [arts[2].id]
        assert ids(text="BRITISH imposed") == [arts[0].id]
        # the undated intent event takes its article's publication day
        rec = query_events(session, EventFilter(modalities=("intent",)))[0]
        assert rec.day == date(2024, 6, 10)
        assert rec.to_event() == arts[2].events[0]
        assert rec.article["url"] == "https://third.example.net/c"


def test_store_query_events_cursor_pages(store: Store) -> None:
    arts = _three_articles()
    with store.write() as session:
        save_articles(session, arts)
    with store.read() as session:
        for order in ("date", "-date"):
            full = [r.article_id for r in query_events(session, limit=None, order=order)]  # type: ignore[arg-type]
            paged: list[str] = []
            cursor = None
            while True:
                page = query_events(session, limit=2, cursor=cursor, order=order)  # type: ignore[arg-type]
                if not page:
                    break
                paged += [r.article_id for r in page]
                cursor = page[-1].cursor
            assert paged == full and len(full) == 3
        with pytest.raises(ConfigError):
            query_events(session, cursor="garbage!")
