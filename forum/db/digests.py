"""Queries for the daily digest: who is due one, and what is new for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import mail_outbox, notifications, posts, thread_reads, threads, users

actor = users.alias("actor")


def _digest_since(user_id: Any, moment: datetime) -> sa.Exists:
    return sa.exists().where(mail_outbox.c.user_id == user_id, mail_outbox.c.kind == "digest",
                             mail_outbox.c.created_at > moment)


async def members_due(db: Database, *, not_since: datetime) -> list[Any]:
    """Members who chose the daily digest, with a confirmed address, sent none since `not_since`."""
    return await db.fetch_all(
        sa.select(users.c.id).where(users.c.email_notifications == "daily", users.c.email.is_not(None),
                                    users.c.email_confirmed_at.is_not(None),
                                    sa.not_(_digest_since(users.c.id, not_since)))
        .order_by(users.c.id))


async def lock_member_if_due(db: Database, user_id: int, *, not_since: datetime) -> Any:
    """The member's row, locked for the transaction (so two processes never both send their
    digest), or None if a digest went meanwhile or they changed their mind."""
    return await db.fetch_one(
        sa.select(users).where(users.c.id == user_id, users.c.email_notifications == "daily",
                               users.c.email_confirmed_at.is_not(None),
                               sa.not_(_digest_since(users.c.id, not_since)))
        .with_for_update())


async def unread_notifications(db: Database, user_id: int, since: datetime) -> list[Any]:
    return await db.fetch_all(
        sa.select(notifications, actor.c.display_name.label("actor_display_name"),
                  threads.c.title.label("thread_title"), threads.c.slug.label("thread_slug"))
        .outerjoin(actor, actor.c.id == notifications.c.actor_id)
        .outerjoin(threads, threads.c.id == notifications.c.thread_id)
        .where(notifications.c.user_id == user_id, notifications.c.read_at.is_(None),
               notifications.c.emailed_at.is_(None), notifications.c.created_at > since)
        .order_by(notifications.c.id).limit(50))


async def new_in_followed_threads(db: Database, user_id: int, since: datetime, limit: int = 20) -> list[Any]:
    """Threads the member has opened, with replies by others they have not read, written since
    `since`: [(thread id, title, slug, how many new)], busiest first."""
    new = sa.func.count(posts.c.id).label("new_replies")
    return await db.fetch_all(
        sa.select(threads.c.id, threads.c.title, threads.c.slug, new)
        .select_from(thread_reads.join(threads, threads.c.id == thread_reads.c.thread_id)
                     .join(posts, posts.c.thread_id == thread_reads.c.thread_id))
        .where(thread_reads.c.user_id == user_id, posts.c.id > thread_reads.c.last_read_post_id,
               posts.c.author_id != user_id, posts.c.deleted_at.is_(None), posts.c.hidden_at.is_(None),
               posts.c.created_at > since)
        .group_by(threads.c.id, threads.c.title, threads.c.slug)
        .order_by(new.desc(), threads.c.id).limit(limit))
