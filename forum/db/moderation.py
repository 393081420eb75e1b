"""Queries for moderation: the log of moderator actions, and hidden posts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.clock import utcnow
from forum.db.engine import Database
from forum.db.tables import moderation_log, posts, threads, users


async def record(db: Database, actor_id: int, action: str, *, thread_id: int | None = None,
                 post_id: int | None = None, reason: str = "") -> None:
    await db.execute(moderation_log.insert().values(
        actor_id=actor_id, action=action, thread_id=thread_id, post_id=post_id,
        reason=reason, created_at=utcnow()))


async def recent(db: Database, limit: int = 50) -> list[Any]:
    query = (sa.select(moderation_log, users.c.username.label("actor_username"),
                       users.c.display_name.label("actor_display_name"),
                       threads.c.title.label("thread_title"), threads.c.slug.label("thread_slug"))
             .join(users, users.c.id == moderation_log.c.actor_id)
             .outerjoin(threads, threads.c.id == moderation_log.c.thread_id)
             .order_by(moderation_log.c.id.desc()).limit(limit))
    return await db.fetch_all(query)


async def set_hidden(db: Database, post_id: int, *, by: int | None, reason: str | None) -> None:
    await db.execute(posts.update().where(posts.c.id == post_id).values(
        hidden_at=utcnow() if by else None, hidden_by=by, hidden_reason=reason))


async def hidden_posts(db: Database, limit: int = 50) -> list[Any]:
    query = (sa.select(posts.c.id, posts.c.thread_id, posts.c.hidden_at, posts.c.hidden_reason,
                       threads.c.title, threads.c.slug, users.c.username.label("author_username"))
             .join(threads, threads.c.id == posts.c.thread_id)
             .join(users, users.c.id == posts.c.author_id)
             .where(posts.c.hidden_at.is_not(None)).order_by(posts.c.hidden_at.desc()).limit(limit))
    return await db.fetch_all(query)
