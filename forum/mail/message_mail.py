"""Private messages by email: a participant who has not read a message
FORUM_EMAIL_DELAY_SECONDS after it was sent gets one email for that conversation, with every
message still unread in it; never the same message twice (conversation_members keeps the mark,
set in the transaction that queues the email). Muted conversations, members who chose Off and
unconfirmed addresses get nothing; a message from someone the member blocked is named, never
quoted."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from forum.clock import as_utc, utcnow
from forum.db import blocks, message_mail
from forum.services import Forum

# Older messages are never emailed: turning email on does not send a backlog.
LOOK_BACK = timedelta(days=1)
QUOTE_MAX = 300


async def email_due_messages(forum: Forum, now: datetime | None = None) -> int:
    """Queue the emails due at `now`; how many were queued."""
    now = now or utcnow()
    delay = timedelta(seconds=forum.settings.email_delay_seconds)
    queued = 0
    async with forum.db.transaction():
        groups: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for row in await message_mail.unread_for_email(forum.db, created_after=now - LOOK_BACK):
            groups[(row["user_id"], row["conversation_id"])].append(row)
        for (user_id, conversation_id), rows in groups.items():
            if now - as_utc(rows[0]["created_at"]) < delay:
                continue  # the oldest is not due: they may yet read it, and what follows joins it
            await _queue_one(forum, user_id, conversation_id, rows)
            await message_mail.mark_emailed(forum.db, conversation_id, user_id, rows[-1]["id"])
            queued += 1
    return queued


async def _queue_one(forum: Forum, user_id: int, conversation_id: int, rows: list[Any]) -> None:
    mailer = forum.mailer
    blocked = {row["id"] for row in await blocks.blocked_by(forum.db, user_id)}
    writers = list(dict.fromkeys(row["author_display_name"] for row in rows))
    first = rows[0]
    title = first["title"]
    subject = (f"{_names(writers)} wrote in “{title}”" if title else
               f"{_names(writers)} sent you a private message" if len(rows) == 1 else
               f"{_names(writers)} sent you {len(rows)} private messages")
    await mailer.queue(
        kind="message", user_id=user_id, to_name=first["member_display_name"],
        to_email=first["member_email"], subject=subject, template="messages",
        context={"name": first["member_display_name"], "writers": _names(writers), "title": title,
                 "count": len(rows), "link": mailer.link(f"/messages/{conversation_id}"),
                 "messages": [{"who": row["author_display_name"],
                               "quote": None if row["author_id"] in blocked else _quote(row["body"])}
                              for row in rows],
                 "settings_link": mailer.link("/settings")},
        unsubscribe_url=mailer.unsubscribe_url(user_id, "notifications"))


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _quote(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= QUOTE_MAX else text[:QUOTE_MAX - 1] + "…"
