"""Full-text search of private messages: an index apart from the posts' (message_search,
migration 0026), SQLite FTS5 or PostgreSQL tsvector as forum/db/search.py keeps for posts,
written in the same transaction as the message.

Who reaches what is decided here, in the query, for every caller: a member finds messages in
the conversations they are in now (not one they left), never one whose author has blocked
them. Newest first, like a conversation, paged by message id.

Each indexed message also carries its readers: the conversation's members when it was
written. The index then finds one member's matches without walking everyone's (a common word
walked every match in the forum: 5.6 s at 500,000 messages for a member with a few old ones,
under 10 ms this way). Readers only narrow the search; the membership join still decides, so
someone who left is out at once. Members are never added to a conversation after it starts;
if they ever are, their ids must be added to its messages' readers here too."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from forum.db import cursors
from forum.db.engine import Database
from forum.db.search import fts5_expression, midnight, tsquery_expression
from forum.search_query import SearchQuery

_READERS_SQLITE = ("(SELECT group_concat('r' || cm.user_id, ' ') FROM conversation_members cm "
                   "WHERE cm.conversation_id = m.conversation_id)")
_READERS_POSTGRES = ("ARRAY(SELECT cm.user_id FROM conversation_members cm "
                     "WHERE cm.conversation_id = m.conversation_id)")


async def index_message(db: Database, message_id: int) -> None:
    """A new text message; messages are never edited, so there is nothing to replace."""
    if db.is_sqlite:
        await db.execute("INSERT INTO message_search (rowid, body, readers) "
                         f"SELECT m.id, m.body, {_READERS_SQLITE} FROM messages m WHERE m.id = :id",
                         {"id": message_id})
    else:
        await db.execute("INSERT INTO message_search (message_id, document, readers) "
                         f"SELECT m.id, to_tsvector('simple', unaccent(m.body)), {_READERS_POSTGRES} "
                         "FROM messages m WHERE m.id = :id", {"id": message_id})


async def rebuild_index(db: Database) -> None:
    """Index every text message afresh (after a copy between engines, whose indexes differ)."""
    await db.execute("DELETE FROM message_search")
    if db.is_sqlite:
        await db.execute("INSERT INTO message_search (rowid, body, readers) "
                         f"SELECT m.id, m.body, {_READERS_SQLITE} FROM messages m WHERE m.kind = 'text'")
    else:
        await db.execute("INSERT INTO message_search (message_id, document, readers) "
                         f"SELECT m.id, to_tsvector('simple', unaccent(m.body)), {_READERS_POSTGRES} "
                         "FROM messages m WHERE m.kind = 'text'")


# Per engine: how a match is tested (words in the body, and the member among the readers),
# and the index's id column (the message id). Ordered by that column, newest first, FTS5 hands
# matches over in order from the cursor on, so the LIMIT stops the walk.
_ENGINE = {
    "sqlite": {"match": "message_search MATCH :match", "id": "s.rowid",
               "source": "message_search s JOIN messages m ON m.id = s.rowid"},
    "postgresql": {"match": "s.document @@ to_tsquery('simple', :match) "
                            "AND s.readers @> ARRAY[CAST(:member AS integer)]",
                   "id": "s.message_id", "source": "message_search s JOIN messages m ON m.id = s.message_id"},
}

_FILTERS = {
    "author": "m.author_id = (SELECT id FROM users WHERE username_key = :author)",
    "since": "m.created_at >= :since",
    "until": "m.created_at < :until",
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
  ORDER BY {id} DESC LIMIT :limit"""


async def search(db: Database, query: SearchQuery, *, member_id: int, since: date | None = None,
                 until: date | None = None, cursor: str | None = None,
                 limit: int = 20) -> tuple[list[Any], str | None]:
    """Messages `member_id` may read that match, newest first; and the next page's cursor."""
    values: dict[str, Any] = {"member": member_id, "limit": limit + 1}
    if db.is_sqlite:  # the words in the body only: a typed "r12" must not match a reader
        values["match"] = f'body : ({fts5_expression(query)}) AND readers : "r{member_id}"'
    else:
        values["match"] = tsquery_expression(query)
    filters: dict[str, Any] = {"author": query.author and query.author.lower(),
                               "since": since and midnight(since),
                               "until": until and midnight(until + timedelta(days=1))}
    values.update({name: value for name, value in filters.items() if value})
    where = "".join(f"AND {_FILTERS[name]} " for name, value in filters.items() if value)
    engine = _ENGINE["sqlite" if db.is_sqlite else "postgresql"]
    if cursor:
        [last_id] = cursors.decode(cursor, 1)
        values["before"] = cursors.id_in(last_id)
        where += f"AND {engine['id']} < :before"
    rows = await db.fetch_all(_SEARCH.format(filters=where, **engine), values)
    next_cursor = cursors.encode(rows[limit - 1]["id"]) if len(rows) > limit else None
    return rows[:limit], next_cursor
