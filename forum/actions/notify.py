"""Telling members what concerns them: stored, counted in the header, and sent live on the
member's own channel (user:{id}), which only they may subscribe to."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from forum.db import blocks, live_log, notifications, users
from forum.services import Forum
from forum.text import mentioned_usernames


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


async def notify(forum: Forum, *, user_id: int, kind: str, actor_id: int | None,
                 thread_id: int | None = None, post_id: int | None = None, note: str = "") -> None:
    """Call inside the change's transaction; the caller wakes the hub after commit."""
    if user_id == actor_id:
        return  # nobody is told about their own doing
    notification_id = await notifications.add(forum.db, user_id=user_id, kind=kind, actor_id=actor_id,
                                              thread_id=thread_id, post_id=post_id, note=note)
    await _send(forum, user_id, notification_id)


async def notify_batched(forum: Forum, *, user_id: int, kind: str, actor_id: int, thread_id: int,
                         post_id: int, note: str) -> None:
    """Like `notify`, but while the member has not read the last one of this kind about this
    post, that one is brought up to date instead ("3 people reacted to your post")."""
    if user_id == actor_id:
        return
    existing = await notifications.unread_about_post(forum.db, user_id, kind, post_id)
    if existing is None:
        await notify(forum, user_id=user_id, kind=kind, actor_id=actor_id, thread_id=thread_id,
                     post_id=post_id, note=note)
        return
    await notifications.update(forum.db, existing, actor_id=actor_id, note=note)
    await _send(forum, user_id, existing)


async def _send(forum: Forum, user_id: int, notification_id: int) -> None:
    row = await notifications.by_id(forum.db, notification_id)
    await live_log.append(forum.db, user_channel(user_id), "notification.created", {
        "id": notification_id, "kind": row["kind"],
        "unread": await notifications.unread_count(forum.db, user_id),
        "text": forum.templates.render_fragment("notifications/_text.html", n=row).strip(),
    })


async def known_mentions(forum: Forum, body: str) -> dict[str, Any]:
    """The members an @name in `body` refers to: {lower-cased name: user row}."""
    rows = await users.by_usernames(forum.db, mentioned_usernames(body))
    return {row["username_key"]: row for row in rows}


def mention_links(known: dict[str, Any]) -> dict[str, str]:
    return {key: row["username"] for key, row in known.items()}


async def notify_mentions(forum: Forum, known: dict[str, Any], *, actor_id: int, thread_id: int,
                          post_id: int, skip: Set[int] = frozenset()) -> None:
    # The @name still links; only a member who blocked the writer is not told.
    blockers = await blocks.blockers_of(forum.db, actor_id, [row["id"] for row in known.values()])
    for row in known.values():
        if row["id"] not in skip and row["id"] not in blockers:
            await notify(forum, user_id=row["id"], kind="mention", actor_id=actor_id,
                         thread_id=thread_id, post_id=post_id)
