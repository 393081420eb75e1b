"""Queries for emailing notifications: which are due (unread, unseen, old enough), and marks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import mail_outbox, notifications, thread_reads, threads, users

actor = users.alias("actor")
member = users.alias("member")


async def due(db: Database, *, created_before: datetime, created_after: datetime) -> list[Any]:
    """Notifications to email now: never emailed, still unread, their post not yet read on the
    thread page, old enough to have been seen, for members who want them at once and have a
    confirmed address. Locked for this transaction (PostgreSQL skips rows another process holds)."""
    seen_on_the_page = sa.exists().where(
        thread_reads.c.user_id == notifications.c.user_id,
        thread_reads.c.thread_id == notifications.c.thread_id,
        thread_reads.c.last_read_post_id >= notifications.c.post_id)
    query = (sa.select(notifications, actor.c.display_name.label("actor_display_name"),
                       threads.c.title.label("thread_title"), threads.c.slug.label("thread_slug"),
                       member.c.email.label("member_email"),
                       member.c.display_name.label("member_display_name"))
             .join(member, member.c.id == notifications.c.user_id)
             .outerjoin(actor, actor.c.id == notifications.c.actor_id)
             .outerjoin(threads, threads.c.id == notifications.c.thread_id)
             .where(notifications.c.emailed_at.is_(None), notifications.c.read_at.is_(None),
                    notifications.c.created_at <= created_before,
                    notifications.c.created_at > created_after,
                    member.c.email.is_not(None), member.c.email_confirmed_at.is_not(None),
                    member.c.email_notifications == "immediately",
                    # Events have their own email, sent at once (forum/mail/event_mail.py).
                    notifications.c.kind != "event",
                    sa.not_(sa.and_(notifications.c.post_id.is_not(None), seen_on_the_page)))
             .order_by(notifications.c.user_id, notifications.c.id)
             .with_for_update(of=notifications, skip_locked=True))
    return await db.fetch_all(query)


async def mark_emailed(db: Database, ids: list[int], now: datetime) -> None:
    await db.execute(notifications.update().where(notifications.c.id.in_(ids)).values(emailed_at=now))


async def last_emailed_at(db: Database, user_id: int) -> Any:
    """When this member's last notification email was queued (None if never)."""
    return await db.fetch_val(sa.select(sa.func.max(mail_outbox.c.created_at)).where(
        mail_outbox.c.user_id == user_id, mail_outbox.c.kind == "notification"))
