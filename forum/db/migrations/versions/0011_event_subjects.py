"""events name what they are about, so a take-down can restate them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 'post:12', 'thread:3', 'user:7', 'banner': every logged event that carries what a member
    # wrote names it, so an edit, deletion or hiding can rewrite what a replay would show.
    op.add_column("events", sa.Column("subject", sa.String(40), nullable=True))
    # The member whose name the event shows, so a new display name reaches the old events too.
    op.add_column("events", sa.Column("author_id", sa.Integer, nullable=True))
    op.create_index("ix_events_subject", "events", ["subject"])
    op.create_index("ix_events_author_id", "events", ["author_id"])


def downgrade() -> None:
    op.drop_index("ix_events_author_id", table_name="events")
    op.drop_index("ix_events_subject", table_name="events")
    op.drop_column("events", "author_id")
    op.drop_column("events", "subject")
