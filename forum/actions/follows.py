"""Following tags and channels, and telling followers of each new thread in them."""

from __future__ import annotations

from typing import Any

from forum.actions import NotFound, notify, require_writer
from forum.auth import Member
from forum.clock import utcnow
from forum.db import channels, follows, tags
from forum.services import Forum
from forum.tag_names import is_valid_name, tag_key

KIND = "followed"  # the notification's kind


async def _target(forum: Forum, what: str, name: str) -> dict[str, int]:
    if what == "tag":
        tag = await tags.by_key(forum.db, tag_key(name)) if is_valid_name(name) else None
        if tag is None:
            raise NotFound("No such tag.")
        return {"tag_id": tag["id"]}
    channel = await channels.by_slug(forum.db, name)
    if channel is None:
        raise NotFound("No such channel.")
    return {"channel_id": channel["id"]}


async def set_following(forum: Forum, member: Member | None, what: str, name: str, on: bool) -> None:
    """`what` is "tag" or "channel"; members follow and unfollow for themselves only."""
    member = require_writer(member)
    target = await _target(forum, what, name)
    async with forum.db.transaction():
        if on:
            await follows.follow(forum.db, member.id, utcnow(), **target)
        else:
            await follows.unfollow(forum.db, member.id, **target)


async def notify_followers(forum: Forum, thread_id: int, author_id: int, in_channels: list[Any]) -> None:
    """Inside the new thread's transaction: one notification per follower, naming the tag or
    channel they follow it through."""
    carried = await tags.of_thread(forum.db, thread_id)
    tag_names = {t["id"]: t["name"] for t in carried}
    channel_names = {c["id"]: c["name"] for c in in_channels}
    for row in await follows.followers(forum.db, tag_ids=list(tag_names), channel_ids=list(channel_names)):
        through = f"#{tag_names[row['tag_id']]}" if row["tag_id"] else channel_names[row["channel_id"]]
        await notify.notify(forum, user_id=row["user_id"], kind=KIND, actor_id=author_id,
                            thread_id=thread_id, note=f"in {through}")
