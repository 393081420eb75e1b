"""Hide and restore posts: moderators only, with a public reason, logged, live."""

from __future__ import annotations

from typing import Any

from forum.actions import NotFound, require_moderator
from forum.actions.live import post_html
from forum.auth import Member
from forum.db import event_log, moderation, posts, threads
from forum.services import Forum
from forum.validation import ValidationError

REASON_MAX = 300


def check_reason(value: Any) -> str:
    reason = " ".join(value.split()) if isinstance(value, str) else ""
    if not reason:
        raise ValidationError({"reason": "Give a reason; members will see it in place of the post."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason to {REASON_MAX} characters."})
    return reason


async def _post(forum: Forum, post_id: int) -> Any:
    post = await posts.by_id(forum.db, post_id)
    if post is None or post["deleted_at"] is not None:
        raise NotFound("No such post.")
    return post


async def hide_post(forum: Forum, member: Member | None, post_id: int, reason: Any) -> None:
    member = require_moderator(member)
    post = await _post(forum, post_id)
    clean_reason = check_reason(reason)
    await _set_hidden(forum, member, post, clean_reason, hidden=True)


async def restore_post(forum: Forum, member: Member | None, post_id: int) -> None:
    member = require_moderator(member)
    post = await _post(forum, post_id)
    if post["hidden_at"] is None:
        return
    await _set_hidden(forum, member, post, "", hidden=False)


async def _set_hidden(forum: Forum, member: Member, post: Any, reason: str, *, hidden: bool) -> None:
    async with forum.db.transaction():
        await moderation.set_hidden(forum.db, post["id"], by=member.id if hidden else None,
                                    reason=reason if hidden else None)
        await moderation.record(forum.db, member.id, "hide_post" if hidden else "restore_post",
                                thread_id=post["thread_id"], post_id=post["id"], reason=reason)
        changed = await posts.by_id(forum.db, post["id"])
        thread = await threads.by_id(forum.db, post["thread_id"])
        await event_log.append(forum.db, f"thread:{post['thread_id']}",
                               "post.hidden" if hidden else "post.restored", {
                                   "thread_id": post["thread_id"], "post_id": post["id"],
                                   "html": post_html(forum, changed, thread)})
    await forum.hub.wake()
