"""how far each member has read each thread

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "thread_reads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("last_read_post_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_thread_reads_user_id_users"),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], ondelete="CASCADE",
                                name="fk_thread_reads_thread_id_threads"),
        sa.PrimaryKeyConstraint("user_id", "thread_id", name="pk_thread_reads"),
    )


def downgrade() -> None:
    op.drop_table("thread_reads")
