"""Load the demo community (forum/demo_content.py) through the same actions members use,
so demo threads carry rendered Markdown, counters and events like any other. Idempotent."""

from __future__ import annotations

from typing import Any

from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.actions.accounts import sign_up
from forum.auth import Member
from forum.db import users
from forum.demo_content import MEMBERS, THREADS
from forum.services import Forum

# Every demo member's password, so people trying the forum can log in as any of them.
DEMO_PASSWORD = "demo-password"


async def load_demo(forum: Forum) -> bool:
    """Returns False when the demo members were already there (nothing is added twice)."""
    if await users.by_username(forum.db, MEMBERS[0]["username"]):
        return False
    members: dict[str, Member] = {}
    for person in MEMBERS:
        member = await sign_up(forum, person["username"], DEMO_PASSWORD, person["display_name"],
                               role=person["role"])
        await users.set_bio(forum.db, member.id, person["bio"])
        members[member.username] = member
    for thread in THREADS:
        author = members[thread["author"]]
        thread_id = await thread_actions.create_thread(
            forum, author, thread["title"], thread["body"], thread["channels"])
        if thread.get("pinned"):
            moderator = author if author.is_moderator else members[MEMBERS[0]["username"]]
            await thread_actions.set_flag(forum, moderator, thread_id, "pinned", True)
        await _replies(forum, members, thread_id, None, thread.get("replies", []))
    return True


async def _replies(forum: Forum, members: dict[str, Member], thread_id: int,
                   parent_id: int | None, replies: list[dict[str, Any]]) -> None:
    for reply in replies:
        post = await post_actions.reply(forum, members[reply["author"]], thread_id,
                                        reply["body"], parent_id)
        await _replies(forum, members, thread_id, post["id"], reply.get("replies", []))
