"""The two counts every signed-in page's header shows (unread notifications, unread messages),
read in one statement: each alone was a statement of its own on every page a member opens.
notifications.unread_count and conversations.unread_total say what each count means; the
tests compare this with them."""

from __future__ import annotations

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.raw import RawSelect

HEADER_COUNTS = RawSelect("""
SELECT
  (SELECT count(*) FROM notifications
   WHERE notifications.user_id = ? AND notifications.read_at IS NULL) AS unread_notifications,
  (SELECT count(*) FROM messages
   JOIN conversation_members ON conversation_members.conversation_id = messages.conversation_id
   WHERE conversation_members.user_id = ? AND NOT conversation_members.muted
     AND messages.id > conversation_members.last_read_message_id
     AND messages.author_id != ?) AS unread_messages""",
                          [sa.column("unread_notifications", sa.Integer),
                           sa.column("unread_messages", sa.Integer)])


async def unread(db: Database, user_id: int) -> tuple[int, int]:
    """(unread notifications, unread messages) for the member."""
    row = await HEADER_COUNTS.fetch_one(db, user_id, user_id, user_id)
    assert row is not None  # a SELECT of two counts always answers one row
    return int(row["unread_notifications"]), int(row["unread_messages"])
