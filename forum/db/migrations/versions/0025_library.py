"""library: resources and case studies, each a thread with fields; following tags and channels

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "library_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("resource_type", sa.String(16), nullable=True),
        sa.Column("link", sa.String(500), server_default="", nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("organisation", sa.String(120), server_default="", nullable=False),
        sa.Column("location", sa.String(120), server_default="", nullable=False),
        sa.Column("what_was_done", sa.Text(), server_default="", nullable=False),
        sa.Column("outcomes", sa.Text(), server_default="", nullable=False),
        sa.Column("contact", sa.String(200), server_default="", nullable=False),
        sa.Column("featured", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], ondelete="CASCADE",
                                name="fk_library_items_thread_id_threads"),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], ondelete="SET NULL",
                                name="fk_library_items_upload_id_uploads"),
        sa.PrimaryKeyConstraint("id", name="pk_library_items"),
        sa.UniqueConstraint("thread_id", name="uq_library_items_thread_id"),
    )
    op.create_index("ix_library_items_kind_id", "library_items", ["kind", "id"])
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_follows_user_id_users"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE", name="fk_follows_tag_id_tags"),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], ondelete="CASCADE",
                                name="fk_follows_channel_id_channels"),
        sa.PrimaryKeyConstraint("id", name="pk_follows"),
        sa.UniqueConstraint("user_id", "tag_id", name="uq_follows_user_id_tag_id"),
        sa.UniqueConstraint("user_id", "channel_id", name="uq_follows_user_id_channel_id"),
    )
    op.create_index("ix_follows_tag_id", "follows", ["tag_id"])
    op.create_index("ix_follows_channel_id", "follows", ["channel_id"])


def downgrade() -> None:
    op.drop_table("follows")
    op.drop_table("library_items")
