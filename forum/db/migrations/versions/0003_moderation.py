"""hiding posts, and the moderation log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("hidden_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("hidden_reason", sa.String(300), nullable=True))
        batch.create_foreign_key("fk_posts_hidden_by_users", "users", ["hidden_by"], ["id"])
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(300), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name="fk_moderation_log_actor_id_users"),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], ondelete="CASCADE",
                                name="fk_moderation_log_thread_id_threads"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE",
                                name="fk_moderation_log_post_id_posts"),
        sa.PrimaryKeyConstraint("id", name="pk_moderation_log"),
    )
    op.create_index("ix_moderation_log_created_at", "moderation_log", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_moderation_log_created_at", "moderation_log")
    op.drop_table("moderation_log")
    with op.batch_alter_table("posts") as batch:
        batch.drop_constraint("fk_posts_hidden_by_users", type_="foreignkey")
        batch.drop_column("hidden_reason")
        batch.drop_column("hidden_by")
        batch.drop_column("hidden_at")
