"""Notifications by email, for members who chose Immediately: what is still unread and unseen
FORUM_EMAIL_DELAY_SECONDS after it happened goes out, grouped by thread, at most one email per
member per that delay. The notification row (written with the change that caused it) is the
durable record; marking it emailed and queueing the email share one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from forum.clock import as_utc, utcnow
from forum.db import notification_mail
from forum.mail.digests import send_due_digests
from forum.mail.message_mail import email_due_messages
from forum.services import Forum
from forum.web.templating import thread_url

log = logging.getLogger("forum.mail")

# How often each process looks for notifications to email.
CHECK_EVERY_SECONDS = 30
# Older notifications are never emailed: turning email on does not send a backlog.
LOOK_BACK = timedelta(days=1)


async def email_due_notifications(forum: Forum, now: datetime | None = None) -> int:
    """Queue the emails due at `now`; how many were queued."""
    now = now or utcnow()
    delay = timedelta(seconds=forum.settings.email_delay_seconds)
    queued = 0
    async with forum.db.transaction():
        rows = await notification_mail.due(forum.db, created_before=now - delay,
                                           created_after=now - LOOK_BACK)
        by_member: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            by_member[row["user_id"]].append(row)
        for user_id, items in by_member.items():
            last = as_utc(await notification_mail.last_emailed_at(forum.db, user_id))
            if last is not None and now - last < delay:
                continue  # batched: these wait for the next email, with whatever comes meanwhile
            await _queue_one(forum, user_id, items)
            await notification_mail.mark_emailed(forum.db, [r["id"] for r in items], now)
            queued += 1
    return queued


async def _queue_one(forum: Forum, user_id: int, items: list[Any]) -> None:
    mailer = forum.mailer
    threads: dict[int | None, dict[str, Any]] = {}
    for row in items:
        thread = threads.setdefault(row["thread_id"], {
            "title": row["thread_title"] or "", "link": None, "entries": []})
        if row["thread_id"] is not None:
            thread["link"] = mailer.link(thread_url({"id": row["thread_id"], "slug": row["thread_slug"]}))
        link = (f"{thread['link']}#post-{row['post_id']}" if thread["link"] and row["post_id"]
                else thread["link"] or mailer.link("/notifications"))
        thread["entries"].append({"kind": row["kind"], "who": row["actor_display_name"] or "Someone",
                                "note": row["note"], "title": row["thread_title"] or "", "link": link})
    first = items[0]
    who = first["actor_display_name"] or "Someone"
    subject = (f"Someone welcomed you: {who} replied to your introduction"
               if len(items) == 1 and first["kind"] == "welcome" else
               f"{who} and others in “{first['thread_title']}”"
               if len(threads) == 1 and len(items) > 1 and first["thread_title"] else
               f"New in “{first['thread_title']}”" if len(threads) == 1 and first["thread_title"] else
               f"{len(items)} new notifications on {mailer.forum_name}")
    await mailer.queue(
        kind="notification", user_id=user_id, to_name=first["member_display_name"],
        to_email=first["member_email"], subject=subject, template="notifications",
        context={"name": first["member_display_name"], "threads": list(threads.values()),
                 "settings_link": mailer.link("/settings"),
                 "notifications_link": mailer.link("/notifications")},
        unsubscribe_url=mailer.unsubscribe_url(user_id, "notifications"))


async def email_notifications_periodically(forum: Forum, every: float = CHECK_EVERY_SECONDS) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await email_due_notifications(forum)
            await email_due_messages(forum)
            await send_due_digests(forum)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database may be restarting: try again next round
            log.exception("emailing notifications, messages or digests failed")
