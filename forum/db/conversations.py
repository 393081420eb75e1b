"""Queries on private conversations, their members and messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from forum.db import message_search
from forum.db.engine import Database
from forum.db.tables import conversation_members, conversations, messages, users

MESSAGE_COLUMNS = [messages.c.id, messages.c.conversation_id, messages.c.author_id, messages.c.kind,
                   messages.c.body,
                   messages.c.html, messages.c.created_at,
                   users.c.username.label("author_username"),
                   users.c.display_name.label("author_display_name")]


async def create(db: Database, created_by: int, title: str, member_ids: list[int], now: datetime) -> int:
    conversation_id = await db.execute(conversations.insert().values(
        title=title, created_by=created_by, created_at=now, last_message_at=now))
    await db.execute_many(conversation_members.insert(), [
        {"conversation_id": conversation_id, "user_id": user_id} for user_id in member_ids])
    return conversation_id


async def add_message(db: Database, conversation_id: int, author_id: int, body: str, html: str,
                      now: datetime, kind: str = "text") -> int:
    message_id = await db.execute(messages.insert().values(
        conversation_id=conversation_id, author_id=author_id, body=body, html=html, created_at=now,
        kind=kind))
    await db.execute(conversations.update().where(conversations.c.id == conversation_id)
                     .values(last_message_at=now))
    await mark_read(db, conversation_id, author_id, message_id)  # your own message is read
    if kind == "text":  # a "left" line says nothing to find
        await message_search.index_message(db, message_id)
    return message_id


async def for_member(db: Database, conversation_id: int, user_id: int) -> Any:
    """The conversation, if this member is in it; None for anyone else, so nobody else can
    learn it exists."""
    return await db.fetch_one(
        sa.select(conversations, conversation_members.c.last_read_message_id, conversation_members.c.muted)
        .join(conversation_members, conversation_members.c.conversation_id == conversations.c.id)
        .where(conversations.c.id == conversation_id, conversation_members.c.user_id == user_id))


async def is_member(db: Database, conversation_id: int, user_id: int) -> bool:
    return await db.fetch_val(sa.select(conversation_members.c.user_id).where(
        conversation_members.c.conversation_id == conversation_id,
        conversation_members.c.user_id == user_id)) is not None


async def participants(db: Database, conversation_id: int) -> list[Any]:
    return await db.fetch_all(
        sa.select(users.c.id, users.c.username, users.c.display_name, conversation_members.c.muted)
        .join(conversation_members, conversation_members.c.user_id == users.c.id)
        .where(conversation_members.c.conversation_id == conversation_id).order_by(users.c.username))


async def participants_of(db: Database, conversation_ids: list[int]) -> dict[int, list[Any]]:
    """The people in each of several conversations at once (a page of search results)."""
    found: dict[int, list[Any]] = {conversation_id: [] for conversation_id in conversation_ids}
    if conversation_ids:
        for row in await db.fetch_all(
                sa.select(conversation_members.c.conversation_id, users.c.id, users.c.display_name)
                .join(users, users.c.id == conversation_members.c.user_id)
                .where(conversation_members.c.conversation_id.in_(conversation_ids))
                .order_by(users.c.username)):
            found[row["conversation_id"]].append(row)
    return found


async def list_for(db: Database, user_id: int, limit: int = 100) -> list[Any]:
    """The member's conversations, latest message first, each with how many messages are new."""
    unread = (sa.select(sa.func.count()).select_from(messages)
              .where(messages.c.conversation_id == conversations.c.id,
                     messages.c.id > conversation_members.c.last_read_message_id,
                     messages.c.author_id != user_id)
              .scalar_subquery())
    return await db.fetch_all(
        sa.select(conversations, unread.label("unread"), conversation_members.c.muted)
        .join(conversation_members, conversation_members.c.conversation_id == conversations.c.id)
        .where(conversation_members.c.user_id == user_id)
        .order_by(conversations.c.last_message_at.desc(), conversations.c.id.desc()).limit(limit))


async def messages_page(db: Database, conversation_id: int, before: int | None,
                        limit: int) -> tuple[list[Any], int | None]:
    """The newest `limit` messages before the cursor, oldest first; and the next cursor."""
    query = (sa.select(*MESSAGE_COLUMNS).join(users, users.c.id == messages.c.author_id)
             .where(messages.c.conversation_id == conversation_id)
             .order_by(messages.c.id.desc()).limit(limit + 1))
    if before is not None:
        query = query.where(messages.c.id < before)
    rows = await db.fetch_all(query)
    next_cursor = rows[limit - 1]["id"] if len(rows) > limit else None
    return list(reversed(rows[:limit])), next_cursor


async def page_showing(db: Database, conversation_id: int, message_id: int, limit: int) -> int | None:
    """The `before` cursor of a page of `limit` messages with `message_id` in its middle (a
    search result's link); None when the message is on the newest page."""
    newer = await db.fetch_all(
        sa.select(messages.c.id)
        .where(messages.c.conversation_id == conversation_id, messages.c.id > message_id)
        .order_by(messages.c.id).limit(limit))
    return newer[limit // 2 - 1]["id"] if len(newer) == limit else None


async def message_by_id(db: Database, message_id: int) -> Any:
    return await db.fetch_one(sa.select(*MESSAGE_COLUMNS).join(users, users.c.id == messages.c.author_id)
                              .where(messages.c.id == message_id))


async def mark_read(db: Database, conversation_id: int, user_id: int, message_id: int) -> None:
    """Read up to `message_id`; never backwards."""
    await db.execute(conversation_members.update().where(
        conversation_members.c.conversation_id == conversation_id,
        conversation_members.c.user_id == user_id,
        conversation_members.c.last_read_message_id < message_id).values(last_read_message_id=message_id))


async def unread_total(db: Database, user_id: int) -> int:
    """Messages from others the member has not read yet, over all their conversations: the
    count beside "Messages" in the header."""
    return await db.fetch_val(
        sa.select(sa.func.count()).select_from(messages)
        .join(conversation_members, conversation_members.c.conversation_id == messages.c.conversation_id)
        .where(conversation_members.c.user_id == user_id, conversation_members.c.muted.is_(False),
               messages.c.id > conversation_members.c.last_read_message_id,
               messages.c.author_id != user_id)) or 0


async def remove_member(db: Database, conversation_id: int, user_id: int) -> None:
    await db.execute(conversation_members.delete().where(
        conversation_members.c.conversation_id == conversation_id, conversation_members.c.user_id == user_id))


async def set_muted(db: Database, conversation_id: int, user_id: int, muted: bool) -> None:
    await db.execute(conversation_members.update().where(
        conversation_members.c.conversation_id == conversation_id,
        conversation_members.c.user_id == user_id).values(muted=muted))
