"""message search: a full-text index of private messages, apart from the posts'

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A table of its own, not rows in post_search: a query on posts can then never reach a
    # private message, whatever its filters. Only text messages ("left" lines say nothing).
    # Each row carries the message's readers (the conversation's members when it was written)
    # so a search walks one member's matches, not everyone's: forum/db/message_search.py.
    if op.get_bind().dialect.name == "sqlite":
        # rowid = message id; readers = "r12 r40", one token per member id.
        op.execute("CREATE VIRTUAL TABLE message_search USING fts5("
                   "body, readers, tokenize = 'unicode61 remove_diacritics 2')")
        op.execute("INSERT INTO message_search (rowid, body, readers) "
                   "SELECT m.id, m.body, (SELECT group_concat('r' || cm.user_id, ' ') "
                   "FROM conversation_members cm WHERE cm.conversation_id = m.conversation_id) "
                   "FROM messages m WHERE m.kind = 'text'")
    else:
        op.execute("CREATE TABLE message_search (message_id INTEGER PRIMARY KEY "
                   "REFERENCES messages (id) ON DELETE CASCADE, document tsvector NOT NULL, "
                   "readers integer[] NOT NULL)")
        op.execute("CREATE INDEX ix_message_search_document ON message_search USING gin (document)")
        op.execute("CREATE INDEX ix_message_search_readers ON message_search USING gin (readers)")
        op.execute("INSERT INTO message_search (message_id, document, readers) "
                   "SELECT m.id, to_tsvector('simple', unaccent(m.body)), ARRAY(SELECT cm.user_id "
                   "FROM conversation_members cm WHERE cm.conversation_id = m.conversation_id) "
                   "FROM messages m WHERE m.kind = 'text'")


def downgrade() -> None:
    op.execute("DROP TABLE message_search")
