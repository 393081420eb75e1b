"""Full-text search of private messages: an index apart from the posts' (message_search,
migration 0026), SQLite FTS5 or PostgreSQL tsvector as forum/db/search.py keeps for posts,
written in the same transaction as the message.

Who reaches what is decided here, in the query, for every caller: a member finds messages in
the conversations they are in now (not one they left), never one whose author has blocked
them. Newest first, like a conversation, paged by message id."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from forum.db import cursors
from forum.db.engine import Database
from forum.db.search import fts5_expression, midnight, tsquery_expression
from forum.search_query import SearchQuery


async def index_message(db: Database, message_id: int, body: str) -> None:
    """A new text message; messages are never edited, so there is nothing to replace."""
    if db.is_sqlite:
        await db.execute("INSERT INTO message_search (rowid, body) VALUES (:id, :body)",
                         {"id": message_id, "body": body})
    else:
        await db.execute("INSERT INTO message_search (message_id, document) "
                         "VALUES (:id, to_tsvector('simple', unaccent(:body)))",
                         {"id": message_id, "body": body})


async def rebuild_index(db: Database) -> None:
    """Index every text message afresh (after a copy between engines, whose indexes differ)."""
    await db.execute("DELETE FROM message_search")
    if db.is_sqlite:
        await db.execute("INSERT INTO message_search (rowid, body) "
                         "SELECT id, body FROM messages WHERE kind = 'text'")
    else:
        await db.execute("INSERT INTO message_search (message_id, document) "
                         "SELECT id, to_tsvector('simple', unaccent(body)) FROM messages WHERE kind = 'text'")


# Ordered by the index's own id column (the message id), newest first: FTS5 then hands over
# matches in that order and the LIMIT stops the walk, where ORDER BY m.id sorted every match.
_MATCH = {
    "sqlite": ("message_search s JOIN messages m ON m.id = s.rowid", "message_search MATCH :match",
               "s.rowid"),
    "postgresql": ("message_search s JOIN messages m ON m.id = s.message_id",
                   "s.document @@ to_tsquery('simple', :match)", "s.message_id"),
}

_FILTERS = {
    "author": "m.author_id = (SELECT id FROM users WHERE username_key = :author)",
    "since": "m.created_at >= :since",
    "until": "m.created_at < :until",
    "before": "{order} < :before",  # the cursor, on the index's column so FTS5 starts there
}

# The member's own membership row is the gate: leaving deletes it, so a leaver reaches nothing.
_SEARCH = """SELECT m.id, m.conversation_id, m.html, m.created_at, c.title,
    u.username AS author, u.display_name AS author_display_name
  FROM {source}
  JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.user_id = :member
  JOIN conversations c ON c.id = m.conversation_id
  JOIN users u ON u.id = m.author_id
  WHERE {match} AND m.kind = 'text'
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = m.author_id AND b.blocked_id = :member)
    {filters}
  ORDER BY {order} DESC LIMIT :limit"""


async def search(db: Database, query: SearchQuery, *, member_id: int, since: date | None = None,
                 until: date | None = None, cursor: str | None = None,
                 limit: int = 20) -> tuple[list[Any], str | None]:
    """Messages `member_id` may read that match, newest first; and the next page's cursor."""
    values: dict[str, Any] = {"member": member_id, "limit": limit + 1}
    values["match"] = fts5_expression(query) if db.is_sqlite else tsquery_expression(query)
    filters: dict[str, Any] = {"author": query.author and query.author.lower(),
                               "since": since and midnight(since),
                               "until": until and midnight(until + timedelta(days=1)), "before": None}
    if cursor:
        [last_id] = cursors.decode(cursor, 1)
        filters["before"] = cursors.id_in(last_id)
    where = "".join(f"AND {_FILTERS[name]} " for name, value in filters.items() if value)
    values.update({name: value for name, value in filters.items() if value})
    source, match, order = _MATCH["sqlite" if db.is_sqlite else "postgresql"]
    sql = _SEARCH.format(source=source, match=match, filters=where, order=order).replace("{order}", order)
    rows = await db.fetch_all(sql, values)
    next_cursor = cursors.encode(rows[limit - 1]["id"]) if len(rows) > limit else None
    return rows[:limit], next_cursor
