"""The daily digest, for members who chose it: their unread notifications and the new replies
in threads they follow (those they have opened), at most one email a day, none when there is
nothing new."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from forum.clock import as_utc, utcnow
from forum.db import digests, notification_mail
from forum.services import Forum
from forum.web.templating import thread_url

DAY = timedelta(days=1)


async def send_due_digests(forum: Forum, now: datetime | None = None) -> int:
    """Queue every digest due at `now`; how many were queued."""
    now = now or utcnow()
    queued = 0
    for member in await digests.members_due(forum.db, not_since=now - DAY):
        queued += await _digest_for(forum, member["id"], now)
    return queued


async def _digest_for(forum: Forum, user_id: int, now: datetime) -> int:
    mailer = forum.mailer
    async with forum.db.transaction():
        member = await digests.lock_member_if_due(forum.db, user_id, not_since=now - DAY)
        if member is None:
            return 0
        since = now - DAY
        if joined := as_utc(member["created_at"]):
            since = max(since, joined)
        found = await digests.unread_notifications(forum.db, user_id, since)
        followed = await digests.new_in_followed_threads(forum.db, user_id, since)
        if not found and not followed:
            return 0
        entries = [_entry(mailer, row) for row in found if row["kind"] != "event"]
        threads = [{"title": row["title"], "count": row["new_replies"],
                    "link": mailer.link(thread_url({"id": row["id"], "slug": row["slug"]}))}
                   for row in followed]
        if not entries and not threads:
            return 0
        await mailer.queue(
            kind="digest", user_id=user_id, to_name=member["display_name"], to_email=member["email"],
            subject=f"Your day on {mailer.forum_name}", template="digest",
            context={"name": member["display_name"], "entries": entries, "threads": threads,
                     "settings_link": mailer.link("/settings"),
                     "notifications_link": mailer.link("/notifications")},
            unsubscribe_url=mailer.unsubscribe_url(user_id, "notifications"))
        await notification_mail.mark_emailed(forum.db, [row["id"] for row in found], now)
    return 1


def _entry(mailer: Any, row: Any) -> dict[str, Any]:
    link = mailer.link("/notifications")
    if row["thread_id"] is not None:
        link = mailer.link(thread_url({"id": row["thread_id"], "slug": row["thread_slug"]}))
        if row["post_id"]:
            link += f"#post-{row['post_id']}"
    return {"kind": row["kind"], "who": row["actor_display_name"] or "Someone", "note": row["note"],
            "title": row["thread_title"] or "", "link": link}
