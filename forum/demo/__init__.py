"""Load the demo community (content/, read by timeline.py) through the same actions members
use, each run as of the moment it happens, so demo threads carry rendered Markdown, counters,
dates and events like any other. Idempotent: nothing is added twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from forum.actions import events as event_actions
from forum.actions import library as library_actions
from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.actions.accounts import sign_up
from forum.auth import Member
from forum.clock import as_of, utcnow
from forum.db import users
from forum.demo.timeline import Happening, event_times, happenings, members
from forum.services import Forum

# Every demo member's password, so people trying the forum can log in as any of them.
DEMO_PASSWORD = "demo-password"


class _Loading:
    """What the happenings so far have made: members by name, threads and posts by their keys."""

    def __init__(self, forum: Forum, now: datetime) -> None:
        self.forum, self.now = forum, now
        self.members: dict[str, Member] = {}
        self.threads: dict[str, int] = {}
        self.posts: dict[tuple[str, str], int] = {}
        self.events: dict[str, int] = {}

    async def join(self, person: dict[str, Any]) -> None:
        member = await sign_up(self.forum, person["username"], DEMO_PASSWORD, person["display_name"],
                               role=person["role"])
        await users.set_bio(self.forum.db, member.id, person["bio"].strip())
        if person.get("greeter"):  # told of each introduction, as members who opt in are
            await users.update_profile(self.forum.db, member.id, greeter=True)
        self.members[member.username] = member

    async def thread(self, thread: dict[str, Any]) -> None:
        author, body = self.members[thread["author"]], thread["body"].strip()
        if "event" in thread:
            starts, ends = event_times(thread["event"], self.now.date())
            event_id, thread_id = await event_actions.create(self.forum, author, {
                "title": thread["title"], "body": body, "categories": thread["channels"],
                "starts_at": starts.isoformat(), "ends_at": ends.isoformat(),
                "location": thread["event"]["location"], "capacity": thread["event"].get("capacity")})
            self.events[thread["name"]] = event_id
        elif "library" in thread:
            _, thread_id = await library_actions.create_item(self.forum, author, {
                **thread["library"], "title": thread["title"], "body": body,
                "categories": thread["channels"], "tags": thread.get("tags", [])})
        else:
            thread_id = await thread_actions.create_thread(
                self.forum, author, thread["title"], body, thread["channels"],
                introduction=thread.get("introduction", False), tags=thread.get("tags"))
        self.threads[thread["name"]] = thread_id

    async def pin(self, thread: dict[str, Any]) -> None:
        await thread_actions.set_flag(self.forum, self.members[thread["author"]],
                                      self.threads[thread["name"]], "pinned", True)

    async def reply(self, reply: dict[str, Any]) -> None:
        name = reply["thread"]
        parent = self.posts[(name, reply["to"])] if reply.get("to") else None
        post = await post_actions.reply(self.forum, self.members[reply["author"]], self.threads[name],
                                        reply["body"].strip(), parent)
        if reply.get("key"):
            self.posts[(name, reply["key"])] = post["id"]

    async def register(self, registration: dict[str, Any]) -> None:
        await event_actions.register(self.forum, self.members[registration["username"]],
                                       self.events[registration["thread"]])

    async def happen(self, happening: Happening) -> None:
        with as_of(happening.at):
            await getattr(self, happening.kind)(happening.data)


async def load_demo(forum: Forum) -> bool:
    """Returns False when the demo members were already there (nothing is added twice)."""
    if await users.by_username(forum.db, members()[0]["username"]):
        return False
    now = utcnow()
    loading = _Loading(forum, now)
    for happening in happenings(now):
        await loading.happen(happening)
    return True
