"""Reads kept across requests until a change to what they show commits (forum/web/shared_reads.py),
and where a page's live updates resume from (LiveResumePointMiddleware)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.actions.moderation import BANNER_SUBJECT
from forum.db import live_log, moderation
from forum.db import reads as reads_db
from forum.db.engine import Database
from forum.web.shared_reads import SharedReads
from tests.helpers import make_member


class CountingRead:
    def __init__(self, db: Database) -> None:
        self.db, self.calls = db, 0

    async def __call__(self) -> Any:
        self.calls += 1
        return await moderation.current_banner(self.db)


def shared_reads(forum: Any, **options: Any) -> SharedReads:
    reads = SharedReads(**options)
    forum.invalidation.register(reads)  # as the forum's own is
    return reads


async def get_banner(forum: Any, reads: SharedReads, read: CountingRead) -> Any:
    banner = await reads.get(forum, "banner", read, showing=(BANNER_SUBJECT,))
    return banner["text"] if banner else None


async def test_a_read_is_kept_until_a_change_to_what_it_shows_commits(forum):
    reads, read = shared_reads(forum), CountingRead(forum.db)
    moderator = await make_member(forum, "banner_mod", role="moderator")
    assert await get_banner(forum, reads, read) is None
    # A read mark, a session and a reply write rows, but nothing about the banner.
    thread_id = await thread_actions.create_thread(forum, moderator, "T", "Body", ["general-chat"])
    await reads_db.mark_read(forum.db, moderator.id, thread_id, 1)
    await post_actions.reply(forum, moderator, thread_id, "A reply")
    assert await get_banner(forum, reads, read) is None
    assert read.calls == 1
    await moderation_actions.set_banner(forum, moderator, "Set here")
    assert await get_banner(forum, reads, read) == "Set here"
    assert read.calls == 2


async def test_an_event_read_by_the_hub_makes_a_fresh_read(forum, settings):
    reads, read = shared_reads(forum), CountingRead(forum.db)
    moderator = await make_member(forum, "far_mod", role="moderator")
    await get_banner(forum, reads, read)
    assert await get_banner(forum, reads, read) is None
    assert read.calls == 1  # kept
    other = Database(settings.database_url)  # as another process would write: not our commits
    await other.connect()
    try:
        async with other.transaction():
            await moderation.set_banner(other, "Set elsewhere", moderator.id)
            await live_log.append(other, "site", "banner.set", {}, subject=BANNER_SUBJECT)
        newest = await live_log.latest_id(other)
    finally:
        await other.disconnect()
    # Until this process's hub reads the event (it polls, so when is not ours to say) the kept
    # read may stand; once it has, the next read is fresh.
    await forum.hub.wake()
    async with forum.hub.dispatched:
        await asyncio.wait_for(forum.hub.dispatched.wait_for(lambda: forum.hub.cursor >= newest), 10)
    assert await get_banner(forum, reads, read) == "Set elsewhere"
    assert read.calls == 2


async def test_an_eventless_write_shows_within_the_age_bound(forum, settings):
    reads, read = shared_reads(forum, max_age=0.2), CountingRead(forum.db)
    moderator = await make_member(forum, "quiet_mod", role="moderator")
    await get_banner(forum, reads, read)
    async with forum.db.transaction():  # by hand: no event logged
        await moderation.set_banner(forum.db, "Quietly set", moderator.id)
    assert await get_banner(forum, reads, read) is None
    await asyncio.sleep(0.25)
    assert await get_banner(forum, reads, read) == "Quietly set"


async def test_entries_are_bounded(forum):
    reads = shared_reads(forum, max_entries=3)
    for n in range(10):
        async def read(n: int = n) -> int:
            return n
        assert await reads.get(forum, ("thread channels", n), read, showing=(f"thread:{n}",)) == n
    assert len(reads) == 3


async def test_a_banner_shows_on_the_next_page(client, forum):
    moderator = await make_member(forum, "banner_mod", role="moderator")
    assert "Maintenance tonight" not in (await client.get("/")).text
    await moderation_actions.set_banner(forum, moderator, "Maintenance tonight")
    assert "Maintenance tonight" in (await client.get("/")).text


async def test_a_page_resumes_live_updates_from_where_the_hub_stood_as_it_began(client, forum):
    """An event committed but not yet handed out when the page was asked for is after the
    page's resume point, so the page's live connection replays it instead of skipping it."""
    await forum.hub.stop()  # the hub's cursor stands still for the test
    before = forum.hub.cursor
    async with forum.db.transaction():
        await live_log.append(forum.db, "site", "test.note", {})
    newest = await live_log.latest_id(forum.db)
    assert newest > before
    page = (await client.get("/")).text
    [resume_from] = re.findall(r'data-last-event-id="(\d+)"', page)
    assert int(resume_from) == before
