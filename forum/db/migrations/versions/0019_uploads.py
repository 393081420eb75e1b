"""uploads: files and pictures members attach to posts

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("display_key", sa.String(80), nullable=True),
        sa.Column("display_width", sa.Integer(), nullable=True),
        sa.Column("display_height", sa.Integer(), nullable=True),
        sa.Column("thumbnail_key", sa.String(80), nullable=True),
        sa.Column("original_name", sa.String(200), nullable=False),
        sa.Column("alt", sa.String(500), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_uploads_owner_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
    )
    op.create_index("ix_uploads_key", "uploads", ["key"])
    op.create_index("ix_uploads_display_key", "uploads", ["display_key"])
    op.create_index("ix_uploads_thumbnail_key", "uploads", ["thumbnail_key"])
    op.create_index("ix_uploads_owner_id_created_at", "uploads", ["owner_id", "created_at"])


def downgrade() -> None:
    op.drop_table("uploads")
