"""post revisions, flags, the site banner

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("dismissed_banner_id", sa.Integer(), nullable=True))
    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("edited_by", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE",
                                name="fk_post_revisions_post_id_posts"),
        sa.ForeignKeyConstraint(["edited_by"], ["users.id"], name="fk_post_revisions_edited_by_users"),
        sa.PrimaryKeyConstraint("id", name="pk_post_revisions"),
    )
    op.create_index("ix_post_revisions_post_id", "post_revisions", ["post_id"])
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("resolved_at", Timestamp, nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.String(20), nullable=True),
        sa.Column("note", sa.String(500), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE", name="fk_flags_post_id_posts"),
        sa.ForeignKeyConstraint(["reporter_id"], ["users.id"], name="fk_flags_reporter_id_users"),
        sa.ForeignKeyConstraint(["resolved_by"], ["users.id"], name="fk_flags_resolved_by_users"),
        sa.PrimaryKeyConstraint("id", name="pk_flags"),
    )
    op.create_index("ix_flags_post_id", "flags", ["post_id"])
    op.create_index("ix_flags_resolved_at", "flags", ["resolved_at"])
    op.create_table(
        "banners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("cleared_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_banners_created_by_users"),
        sa.PrimaryKeyConstraint("id", name="pk_banners"),
    )


def downgrade() -> None:
    op.drop_table("banners")
    op.drop_index("ix_flags_resolved_at", "flags")
    op.drop_index("ix_flags_post_id", "flags")
    op.drop_table("flags")
    op.drop_index("ix_post_revisions_post_id", "post_revisions")
    op.drop_table("post_revisions")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("dismissed_banner_id")
