"""message search: a full-text index of private messages, apart from the posts'

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A table of its own, not rows in post_search: a query on posts can then never reach a
    # private message, whatever its filters. Only text messages ("left" lines say nothing).
    if op.get_bind().dialect.name == "sqlite":
        # rowid = message id.
        op.execute("CREATE VIRTUAL TABLE message_search USING fts5("
                   "body, tokenize = 'unicode61 remove_diacritics 2')")
        op.execute("INSERT INTO message_search (rowid, body) "
                   "SELECT id, body FROM messages WHERE kind = 'text'")
    else:
        op.execute("CREATE TABLE message_search (message_id INTEGER PRIMARY KEY "
                   "REFERENCES messages (id) ON DELETE CASCADE, document tsvector NOT NULL)")
        op.execute("CREATE INDEX ix_message_search_document ON message_search USING gin (document)")
        op.execute("INSERT INTO message_search (message_id, document) "
                   "SELECT id, to_tsvector('simple', unaccent(body)) FROM messages WHERE kind = 'text'")


def downgrade() -> None:
    op.execute("DROP TABLE message_search")
