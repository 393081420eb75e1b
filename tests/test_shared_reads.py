"""Reads kept across requests while nothing is written (forum/web/shared_reads.py), and where a
page's live updates resume from (LiveResumePointMiddleware)."""

from __future__ import annotations

import asyncio
import re

from forum.db import channels, live_log, moderation
from forum.db.engine import Database
from forum.web.shared_reads import SharedReads
from tests.helpers import make_member


class CountingRead:
    def __init__(self, db: Database) -> None:
        self.db, self.calls = db, 0

    async def __call__(self) -> list[str]:
        self.calls += 1
        return [row["name"] for row in await channels.all_channels(self.db)]


async def rename_first_channel(db: Database, name: str) -> None:
    await db.execute("UPDATE channels SET name = :name WHERE id = (SELECT MIN(id) FROM channels)",
                     {"name": name})


async def test_a_read_is_kept_until_this_process_writes(forum):
    reads, read = SharedReads(), CountingRead(forum.db)
    first = await reads.get(forum, "channels", read)
    assert await reads.get(forum, "channels", read) is first
    assert read.calls == 1
    async with forum.db.transaction():
        await rename_first_channel(forum.db, "Renamed here")
    assert "Renamed here" in await reads.get(forum, "channels", read)
    assert read.calls == 2


async def test_an_event_read_by_the_hub_makes_a_fresh_read(forum, settings):
    reads, read = SharedReads(), CountingRead(forum.db)
    await reads.get(forum, "channels", read)
    other = Database(settings.database_url)  # as another process would write: not our counter
    await other.connect()
    try:
        async with other.transaction():
            await rename_first_channel(other, "Renamed elsewhere")
            await live_log.append(other, "site", "channels.changed", {})
        newest = await live_log.latest_id(other)
    finally:
        await other.disconnect()
    await forum.hub.wake()
    async with forum.hub.dispatched:
        await asyncio.wait_for(forum.hub.dispatched.wait_for(lambda: forum.hub.cursor >= newest), 10)
    assert read.calls == 1
    assert "Renamed elsewhere" in await reads.get(forum, "channels", read)
    assert read.calls == 2


async def test_an_eventless_write_elsewhere_shows_within_the_age_bound(forum, settings):
    reads, read = SharedReads(max_age=0.2), CountingRead(forum.db)
    await reads.get(forum, "channels", read)
    other = Database(settings.database_url)
    await other.connect()
    try:
        await rename_first_channel(other, "Quietly renamed")
    finally:
        await other.disconnect()
    assert "Quietly renamed" not in await reads.get(forum, "channels", read)
    await asyncio.sleep(0.25)
    assert "Quietly renamed" in await reads.get(forum, "channels", read)


async def test_entries_are_bounded(forum):
    reads = SharedReads(max_entries=3)
    for n in range(10):
        async def read(n: int = n) -> int:
            return n
        assert await reads.get(forum, ("thread channels", n), read) == n
    assert len(reads._entries) == 3


async def test_a_banner_and_a_renamed_channel_show_on_the_next_page(client, forum):
    moderator = await make_member(forum, "banner_mod", role="moderator")
    assert "Renamed for the page" not in (await client.get("/")).text
    async with forum.db.transaction():
        await rename_first_channel(forum.db, "Renamed for the page")
        await moderation.set_banner(forum.db, "Maintenance tonight", moderator.id)
    page = (await client.get("/")).text
    assert "Renamed for the page" in page and "Maintenance tonight" in page


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
