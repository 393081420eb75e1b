"""Queries for emailing unread private messages: which are due, and the mark that stops a
message from being emailed twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import conversation_members, conversations, messages, users

author = users.alias("author")
member = users.alias("member")


async def unread_for_email(db: Database, *, created_after: datetime) -> list[Any]:
    """Every message from someone else that a member has neither read nor been emailed, in
    conversations they have not muted, for members with a confirmed address who have not turned
    email off; by member, conversation and message. Locked for this transaction (PostgreSQL
    skips the rows another process holds)."""
    query = (sa.select(messages.c.id, messages.c.conversation_id, messages.c.body, messages.c.created_at,
                       messages.c.author_id, author.c.display_name.label("author_display_name"),
                       conversations.c.title, conversation_members.c.user_id,
                       member.c.email.label("member_email"),
                       member.c.display_name.label("member_display_name"))
             .join(conversation_members, conversation_members.c.conversation_id == messages.c.conversation_id)
             .join(conversations, conversations.c.id == messages.c.conversation_id)
             .join(author, author.c.id == messages.c.author_id)
             .join(member, member.c.id == conversation_members.c.user_id)
             .where(messages.c.kind == "text", messages.c.author_id != conversation_members.c.user_id,
                    messages.c.id > conversation_members.c.last_read_message_id,
                    messages.c.id > conversation_members.c.emailed_message_id,
                    messages.c.created_at > created_after,
                    conversation_members.c.muted.is_(False),
                    member.c.email.is_not(None), member.c.email_confirmed_at.is_not(None),
                    member.c.email_notifications != "off")
             .order_by(conversation_members.c.user_id, messages.c.conversation_id, messages.c.id)
             .with_for_update(of=conversation_members, skip_locked=True))
    return await db.fetch_all(query)


async def mark_emailed(db: Database, conversation_id: int, user_id: int, up_to: int) -> None:
    await db.execute(conversation_members.update().where(
        conversation_members.c.conversation_id == conversation_id,
        conversation_members.c.user_id == user_id,
        conversation_members.c.emailed_message_id < up_to).values(emailed_message_id=up_to))
