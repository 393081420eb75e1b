"""indexes for a million posts: counting new replies, recently active threads

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Unread counts: the replies above a read mark are one range of this index, and it holds
    # all the count needs, so the million-row table itself is not read.
    op.create_index("ix_posts_unread", "posts", ["thread_id", "id", "author_id", "deleted_at"])
    # Unread counts look only at the most recently active threads.
    op.create_index("ix_threads_last_activity_at", "threads", ["last_activity_at"])


def downgrade() -> None:
    op.drop_index("ix_threads_last_activity_at", table_name="threads")
    op.drop_index("ix_posts_unread", table_name="posts")
