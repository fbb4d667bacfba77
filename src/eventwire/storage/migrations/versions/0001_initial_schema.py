"""Initial schema: articles and their actors, events, quotes and places; event clusters,
article links (near-duplicates) and rejects.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=True),
        sa.Column("source_id", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("outlet", sa.String(length=255), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "flags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("average_tone", sa.Float(), nullable=True),
        sa.Column("num_events", sa.Integer(), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("minhash", sa.LargeBinary(), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_articles_published"), ["published"], unique=False)

    op.create_table(
        "event_clusters",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("global_id", sa.BigInteger(), nullable=False),
        sa.Column("source_key", sa.Text(), nullable=False),
        sa.Column("target_key", sa.Text(), nullable=False),
        sa.Column("plover_type", sa.String(length=32), nullable=False),
        sa.Column("cameo_root", sa.String(length=4), nullable=False),
        sa.Column("cameo_code", sa.String(length=8), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("num_mentions", sa.Integer(), nullable=False),
        sa.Column("num_sources", sa.Integer(), nullable=False),
        sa.Column("num_articles", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cluster_key", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_clusters")),
        sa.UniqueConstraint("global_id", name=op.f("uq_event_clusters_global_id")),
    )
    with op.batch_alter_table("event_clusters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_clusters_cluster_key"), ["cluster_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_clusters_first_date"), ["first_date"], unique=False
        )

    op.create_table(
        "rejects",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=False),
        sa.Column("article_id", sa.String(length=64), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejects")),
        sa.UniqueConstraint("key", name=op.f("uq_rejects_key")),
    )
    op.create_table(
        "actors",
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kb_id", sa.String(length=128), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("org", sa.String(length=32), nullable=True),
        sa.Column("sector", sa.String(length=16), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "mentions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_actors_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "actor_id", name=op.f("pk_actors")),
    )
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actors_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_actors_kb_id"), ["kb_id"], unique=False)

    op.create_table(
        "article_links",
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("other_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_links_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "other_id", "kind", name=op.f("pk_article_links")),
    )
    with op.batch_alter_table("article_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_links_other_id"), ["other_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=True),
        sa.Column("sentence", sa.Integer(), nullable=False),
        sa.Column("is_root", sa.Boolean(), nullable=False),
        sa.Column("source_actor", sa.String(length=64), nullable=True),
        sa.Column("source_kb", sa.String(length=128), nullable=True),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("source_start", sa.Integer(), nullable=False),
        sa.Column("source_end", sa.Integer(), nullable=False),
        sa.Column("source_country", sa.String(length=8), nullable=True),
        sa.Column("source_org", sa.String(length=32), nullable=True),
        sa.Column("source_sector", sa.String(length=16), nullable=True),
        sa.Column("source_code", sa.String(length=64), nullable=False),
        sa.Column("target_actor", sa.String(length=64), nullable=True),
        sa.Column("target_kb", sa.String(length=128), nullable=True),
        sa.Column("target_text", sa.Text(), nullable=True),
        sa.Column("target_start", sa.Integer(), nullable=True),
        sa.Column("target_end", sa.Integer(), nullable=True),
        sa.Column("target_country", sa.String(length=8), nullable=True),
        sa.Column("target_org", sa.String(length=32), nullable=True),
        sa.Column("target_sector", sa.String(length=16), nullable=True),
        sa.Column("target_code", sa.String(length=64), nullable=True),
        sa.Column("plover_type", sa.String(length=32), nullable=False),
        sa.Column("plover_mode", sa.String(length=64), nullable=True),
        sa.Column(
            "plover_context",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("cameo_code", sa.String(length=8), nullable=False),
        sa.Column("cameo_root", sa.String(length=4), nullable=False),
        sa.Column("goldstein", sa.Float(), nullable=True),
        sa.Column("quad_class", sa.Integer(), nullable=True),
        sa.Column("modality", sa.String(length=16), nullable=False),
        sa.Column("date", sa.String(length=32), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("location_name", sa.Text(), nullable=True),
        sa.Column("location_country", sa.String(length=8), nullable=True),
        sa.Column("location_lat", sa.Float(), nullable=True),
        sa.Column("location_lon", sa.Float(), nullable=True),
        sa.Column("trigger_text", sa.Text(), nullable=False),
        sa.Column("trigger_start", sa.Integer(), nullable=False),
        sa.Column("trigger_end", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("cluster_key", sa.String(length=40), nullable=True),
        sa.Column("cluster_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_events_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["event_clusters.id"],
            name=op.f("fk_events_cluster_id_event_clusters"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("article_id", "event_id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_cameo_code"), ["cameo_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_cluster_key"), ["cluster_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_events_day_article_id_event_id"),
            ["day", "article_id", "event_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_events_modality"), ["modality"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_plover_type"), ["plover_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_source_code"), ["source_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_events_source_country_day"), ["source_country", "day"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_events_target_code"), ["target_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_events_target_country_day"), ["target_country", "day"], unique=False
        )

    op.create_table(
        "places",
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("place_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("geonameid", sa.Integer(), nullable=True),
        sa.Column("feature", sa.String(length=16), nullable=True),
        sa.Column(
            "mentions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_places_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "place_id", name=op.f("pk_places")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_places_country"), ["country"], unique=False)

    op.create_table(
        "quotes",
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("quote_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("direct", sa.Boolean(), nullable=False),
        sa.Column("speaker_actor", sa.String(length=64), nullable=True),
        sa.Column("speaker_name", sa.Text(), nullable=True),
        sa.Column("speaker_text", sa.Text(), nullable=True),
        sa.Column("speaker_start", sa.Integer(), nullable=True),
        sa.Column("speaker_end", sa.Integer(), nullable=True),
        sa.Column("speaker_country", sa.String(length=8), nullable=True),
        sa.Column("speaker_sector", sa.String(length=16), nullable=True),
        sa.Column("cue_text", sa.Text(), nullable=True),
        sa.Column("cue_start", sa.Integer(), nullable=True),
        sa.Column("cue_end", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_quotes_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "quote_id", name=op.f("pk_quotes")),
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quotes_speaker_country"), ["speaker_country"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotes_speaker_country"))

    op.drop_table("quotes")
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_places_country"))

    op.drop_table("places")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_target_country_day"))
        batch_op.drop_index(batch_op.f("ix_events_target_code"))
        batch_op.drop_index(batch_op.f("ix_events_source_country_day"))
        batch_op.drop_index(batch_op.f("ix_events_source_code"))
        batch_op.drop_index(batch_op.f("ix_events_plover_type"))
        batch_op.drop_index(batch_op.f("ix_events_modality"))
        batch_op.drop_index(batch_op.f("ix_events_day_article_id_event_id"))
        batch_op.drop_index(batch_op.f("ix_events_cluster_key"))
        batch_op.drop_index(batch_op.f("ix_events_cluster_id"))
        batch_op.drop_index(batch_op.f("ix_events_cameo_code"))

    op.drop_table("events")
    with op.batch_alter_table("article_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_links_other_id"))

    op.drop_table("article_links")
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actors_kb_id"))
        batch_op.drop_index(batch_op.f("ix_actors_country"))

    op.drop_table("actors")
    op.drop_table("rejects")
    with op.batch_alter_table("event_clusters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_clusters_first_date"))
        batch_op.drop_index(batch_op.f("ix_event_clusters_cluster_key"))

    op.drop_table("event_clusters")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_articles_published"))

    op.drop_table("articles")
