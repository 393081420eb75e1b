"""Queries on notifications."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.clock import utcnow
from forum.db import cursors
from forum.db.engine import Database
from forum.db.tables import notifications, threads, users

actor = users.alias("actor")
PER_PAGE = 50


async def add(db: Database, *, user_id: int, kind: str, actor_id: int | None,
              thread_id: int | None = None, post_id: int | None = None, note: str = "") -> int:
    return await db.execute(notifications.insert().values(
        user_id=user_id, kind=kind, actor_id=actor_id, thread_id=thread_id, post_id=post_id,
        note=note[:300], created_at=utcnow()))


async def for_user(db: Database, user_id: int, limit: int = PER_PAGE) -> list[Any]:
    return (await page_for_user(db, user_id, None, limit))[0]


async def page_for_user(db: Database, user_id: int, cursor: str | None,
                        limit: int = PER_PAGE) -> tuple[list[Any], str | None]:
    """A member's notifications, newest first, a keyset page at a time (the cursor is the last
    id shown); raises cursors.BadCursor for a cursor this forum did not give out."""
    query = (sa.select(notifications, actor.c.username.label("actor_username"),
                       actor.c.display_name.label("actor_display_name"),
                       threads.c.title.label("thread_title"), threads.c.slug.label("thread_slug"))
             .outerjoin(actor, actor.c.id == notifications.c.actor_id)
             .outerjoin(threads, threads.c.id == notifications.c.thread_id)
             .where(notifications.c.user_id == user_id)
             .order_by(notifications.c.id.desc()).limit(limit + 1))
    if cursor:
        [last_id] = cursors.decode(cursor, 1)
        query = query.where(notifications.c.id < cursors.id_in(last_id))
    rows = await db.fetch_all(query)
    next_cursor = cursors.encode(rows[limit - 1]["id"]) if len(rows) > limit else None
    return rows[:limit], next_cursor


async def by_id(db: Database, notification_id: int) -> Any:
    query = (sa.select(notifications, actor.c.username.label("actor_username"),
                       actor.c.display_name.label("actor_display_name"),
                       threads.c.title.label("thread_title"), threads.c.slug.label("thread_slug"))
             .outerjoin(actor, actor.c.id == notifications.c.actor_id)
             .outerjoin(threads, threads.c.id == notifications.c.thread_id)
             .where(notifications.c.id == notification_id))
    return await db.fetch_one(query)


async def unread_count(db: Database, user_id: int) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(notifications).where(
        notifications.c.user_id == user_id, notifications.c.read_at.is_(None)))


async def mark_read(db: Database, user_id: int, ids: list[int] | None = None) -> None:
    """Mark these (or all) of the member's notifications read; others' are never touched."""
    query = notifications.update().where(notifications.c.user_id == user_id,
                                         notifications.c.read_at.is_(None))
    if ids is not None:
        query = query.where(notifications.c.id.in_(ids))
    await db.execute(query.values(read_at=utcnow()))


async def unread_about_post(db: Database, user_id: int, kind: str, post_id: int) -> int | None:
    """The member's unread notification of this kind about this post, if any: reactions update
    it rather than add one each."""
    return await db.fetch_val(sa.select(notifications.c.id).where(
        notifications.c.user_id == user_id, notifications.c.kind == kind,
        notifications.c.post_id == post_id, notifications.c.read_at.is_(None)).limit(1))


async def update(db: Database, notification_id: int, *, actor_id: int | None, note: str) -> None:
    await db.execute(notifications.update().where(notifications.c.id == notification_id).values(
        actor_id=actor_id, note=note[:300], created_at=utcnow()))
