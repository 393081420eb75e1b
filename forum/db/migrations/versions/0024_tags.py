"""tags: threads carry tags, chosen or written as #tag

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("thread_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["merged_into"], ["tags.id"], name="fk_tags_merged_into_tags"),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
        sa.UniqueConstraint("key", name="uq_tags_key"),
    )
    op.create_table(
        "thread_tags",
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE",
                                name="fk_thread_tags_tag_id_tags"),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], ondelete="CASCADE",
                                name="fk_thread_tags_thread_id_threads"),
        sa.PrimaryKeyConstraint("tag_id", "thread_id", name="pk_thread_tags"),
    )
    op.create_index("ix_thread_tags_listing", "thread_tags", ["tag_id", "last_activity_at", "thread_id"])
    op.create_index("ix_thread_tags_thread", "thread_tags", ["thread_id"])


def downgrade() -> None:
    op.drop_table("thread_tags")
    op.drop_table("tags")
