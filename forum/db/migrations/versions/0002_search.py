"""full-text search: FTS5 on SQLite, tsvector with a GIN index on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # rowid = post id; the thread title is indexed on the opening post only.
        op.execute("CREATE VIRTUAL TABLE post_search USING fts5("
                   "title, body, tokenize = 'unicode61 remove_diacritics 2')")
        op.execute("INSERT INTO post_search (rowid, title, body) "
                   "SELECT p.id, CASE WHEN p.depth = 0 THEN t.title ELSE '' END, p.body "
                   "FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.deleted_at IS NULL")
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute("CREATE TABLE post_search (post_id INTEGER PRIMARY KEY "
                   "REFERENCES posts (id) ON DELETE CASCADE, document tsvector NOT NULL)")
        op.execute("CREATE INDEX ix_post_search_document ON post_search USING gin (document)")
        op.execute("INSERT INTO post_search (post_id, document) "
                   "SELECT p.id, setweight(to_tsvector('simple', unaccent("
                   "CASE WHEN p.depth = 0 THEN t.title ELSE '' END)), 'A') || "
                   "setweight(to_tsvector('simple', unaccent(p.body)), 'B') "
                   "FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.deleted_at IS NULL")


def downgrade() -> None:
    op.execute("DROP TABLE post_search")
