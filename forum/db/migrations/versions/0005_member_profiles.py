"""member profiles: organisation, location, activity for the directory

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("organisation", sa.String(120), server_default="", nullable=False))
        batch.add_column(sa.Column("location", sa.String(120), server_default="", nullable=False))
        batch.add_column(sa.Column("post_count", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_users_created_at", "users", ["created_at"])
    op.create_index("ix_users_last_active_at", "users", ["last_active_at"])
    # Existing members' activity, from what they have written so far.
    op.execute("UPDATE users SET post_count = (SELECT COUNT(*) FROM posts "
               "WHERE posts.author_id = users.id AND posts.deleted_at IS NULL), "
               "last_active_at = (SELECT MAX(created_at) FROM posts WHERE posts.author_id = users.id)")


def downgrade() -> None:
    op.drop_index("ix_users_last_active_at", "users")
    op.drop_index("ix_users_created_at", "users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_active_at")
        batch.drop_column("post_count")
        batch.drop_column("location")
        batch.drop_column("organisation")
