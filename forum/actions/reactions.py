"""Reacting to a post with one of the fixed emoji: set, unset or toggle; live to the thread's
readers as `post.reacted`, and the author told in one notification per post, kept current."""

from __future__ import annotations

from typing import Any

from forum.actions import NotFound, PermissionDenied, notify, require_writer
from forum.auth import Member
from forum.clock import utcnow
from forum.db import live_log, posts
from forum.db import reactions as reaction_queries
from forum.ratelimit.limits import REACTIONS_PER_MEMBER
from forum.reactions import BY_NAME, NAMES, summary
from forum.services import Forum
from forum.validation import ValidationError


class UnknownReaction(ValidationError):
    def __init__(self) -> None:
        super().__init__({"emoji": f"Choose one of {', '.join(NAMES)}."})


def check_emoji(value: Any) -> str:
    if not isinstance(value, str) or value not in BY_NAME:
        raise UnknownReaction()
    return value


async def react(forum: Forum, member: Member | None, post_id: int, emoji: Any,
                on: bool | None) -> tuple[str, bool]:
    """Set (`on` True), unset (False) or toggle (None) the member's reaction; returns the
    post's summary as it now stands and whether the member's reaction is now there."""
    member = require_writer(member)
    name = check_emoji(emoji)
    post = await posts.by_id(forum.db, post_id)
    if post is None:
        raise NotFound("No post has that id.")
    if post["deleted_at"] is not None:
        raise NotFound("That post was deleted: it takes no reactions.")
    if post["hidden_at"] is not None:
        raise PermissionDenied("A moderator hid that post: it takes no reactions.")
    await forum.limits.take(f"reaction:{member.id}", REACTIONS_PER_MEMBER,
                            "You are reacting faster than the forum allows.")
    async with forum.db.transaction():
        await reaction_queries.lock_post(forum.db, post_id)  # first: see the module's lock_post
        had = await reaction_queries.has(forum.db, post_id, member.id, name)
        want = (not had) if on is None else on
        if want == had:
            return post["reactions"], had
        if want:
            await reaction_queries.add(forum.db, post_id, member.id, name, utcnow())
        else:
            await reaction_queries.remove(forum.db, post_id, member.id, name)
        stored = await reaction_queries.recount(forum.db, post_id)
        if want:
            people = await reaction_queries.reactors(forum.db, post_id, besides=post["author_id"])
            await notify.notify_batched(forum, user_id=post["author_id"], kind="reaction",
                                        actor_id=member.id, thread_id=post["thread_id"],
                                        post_id=post_id, note=f"{people} people" if people > 1 else "")
        await live_log.append(forum.db, f"thread:{post['thread_id']}", "post.reacted", {
            "thread_id": post["thread_id"], "post_id": post_id, "emoji": name, "added": want,
            "by": member.username, "reactions": [
                {"emoji": r["name"], "count": r["count"], "users": r["users"]} for r in summary(stored)],
            "reactions_html": forum.templates.render_fragment(
                "threads/_reactions.html", post={"id": post_id, "reactions": stored}, mine=frozenset())})
    return stored, want
