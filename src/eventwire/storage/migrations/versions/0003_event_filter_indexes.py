"""Indexes for date-ordered pages of events filtered by PLOVER type or modality.

With a million events, ``/api/events?type=ASSAULT`` had to sort every ASSAULT event before the
first page; these composite indexes give the rows in page order.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_events_plover_type_day_article_id_event_id",
        "events",
        ["plover_type", "day", "article_id", "event_id"],
    )
    op.create_index(
        "ix_events_modality_day_article_id_event_id",
        "events",
        ["modality", "day", "article_id", "event_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_events_modality_day_article_id_event_id", table_name="events")
    op.drop_index("ix_events_plover_type_day_article_id_event_id", table_name="events")
