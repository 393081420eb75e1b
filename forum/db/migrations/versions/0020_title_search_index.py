"""suggestions: an index of thread titles alone on PostgreSQL

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The search box suggests threads by title. The tsvector's GIN index holds title and body
    # words alike (weights are checked row by row), so a word found only in bodies was checked
    # post by post. This index holds the title part ('A') alone. SQLite needs nothing: FTS5
    # keeps the title as a column of its own.
    if op.get_bind().dialect.name != "sqlite":
        op.execute("CREATE INDEX ix_post_search_titles ON post_search "
                   "USING gin (ts_filter(document, '{a}'))")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP INDEX ix_post_search_titles")
