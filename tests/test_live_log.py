"""The event log: written in the change's own transaction, ids in commit order, a bounded window."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from forum.actions import accounts as account_actions
from forum.actions import events as event_actions
from forum.actions import library as library_actions
from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import tags as tag_actions
from forum.actions import threads as thread_actions
from forum.clock import utcnow
from forum.db import live_log
from forum.db.engine import Database
from forum.db.tables import live_log as live_log_table
from forum.realtime.envelopes import EVENT_TYPES
from tests.helpers import make_member


async def _types(forum):
    return [(row["channel"], row["type"]) for row in await live_log.after(forum.db, 0)]


async def test_every_change_writes_its_event(forum):
    author = await make_member(forum, "ada")
    moderator = await make_member(forum, "mod", role="moderator")
    thread_id = await thread_actions.create_thread(forum, author, "T", "Body", ["general-chat"])
    post_id = (await post_actions.reply(forum, author, thread_id, "reply"))["id"]
    await moderation_actions.hide_post(forum, moderator, post_id, "off topic")
    await moderation_actions.restore_post(forum, moderator, post_id)
    await post_actions.edit(forum, author, post_id, "edited")
    await post_actions.delete(forum, author, post_id)
    for flag, value in [("pinned", True), ("pinned", False), ("locked", True), ("locked", False)]:
        await thread_actions.set_flag(forum, moderator, thread_id, flag, value)
    await thread_actions.move(forum, moderator, thread_id, ["tools-methods"])
    await moderation_actions.set_banner(forum, moderator, "Event on Friday")
    # Clearing restates the earlier banner events as cleared (a replay shows no old banner),
    # so what setting it logged is read before.
    banner_types = {t for c, t in await _types(forum) if c == "site"}
    await moderation_actions.clear_banner(forum, moderator)
    start = utcnow() + timedelta(days=3)
    event_id, _ = await event_actions.create(forum, moderator, {
        "title": "Network event", "body": "Come along", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(), "location": "online",
        "capacity": 10, "categories": ["general-chat"]})
    await event_actions.register(forum, author, event_id)
    # Changes pages show but no live update patches in: logged so cached pages go.
    await account_actions.update_profile(forum, author, {"display_name": "Ada L."})
    await tag_actions.set_thread_tags(forum, author, thread_id, ["surveys", "maps"])
    await tag_actions.rename(forum, moderator, "surveys", "survey-design")
    await tag_actions.merge(forum, moderator, "maps", "survey-design")
    item_id, _ = await library_actions.create_item(forum, author, {
        "kind": "case_study", "title": "A case", "body": "What we did", "categories": ["general-chat"]})
    await library_actions.update_item(forum, author, item_id, {"organisation": "An org"})
    await library_actions.set_featured(forum, moderator, item_id, True)
    on_thread = [t for c, t in await _types(forum) if c == f"thread:{thread_id}"]
    assert on_thread == ["post.created", "post.hidden", "post.restored", "post.edited",
                         "post.deleted", "thread.pinned", "thread.unpinned", "thread.locked",
                         "thread.unlocked", "thread.moved", "thread.tagged"]
    assert (f"user:{author.id}", "member.renamed") in await _types(forum)
    assert {t for c, t in await _types(forum) if c == "tag:surveys"} == {"tag.renamed"}
    assert {t for c, t in await _types(forum) if c == "tag:maps"} == {"tag.merged"}
    seen = {t for _, t in await _types(forum)} | banner_types
    assert seen == set(EVENT_TYPES)


async def test_a_rolled_back_change_leaves_no_event(forum):
    before = await live_log.latest_id(forum.db)
    with pytest.raises(RuntimeError):
        async with forum.db.transaction():
            await live_log.append(forum.db, "thread:1", "post.created", {"html": "<p>x</p>"})
            raise RuntimeError("the write failed after the event was appended")
    assert await live_log.latest_id(forum.db) == before


async def test_events_round_trip_through_json(forum):
    author = await make_member(forum, "bel")
    await thread_actions.create_thread(forum, author, "Café “quotes” £5 😀", "Body", ["general-chat"])
    [row] = [r for r in await live_log.after(forum.db, 0) if r["type"] == "thread.created"]
    data = live_log.decode_data(row)
    assert data["title"] == "Café “quotes” £5 😀" and "Café “quotes” £5 😀" in data["html"]


async def test_pruning_keeps_a_window_by_count_and_age(forum):
    for i in range(10):
        async with forum.db.transaction():
            await live_log.append(forum.db, "thread:1", "post.created", {"i": i})
    await live_log.prune(forum.db, max_count=4, max_age_seconds=3600)
    remaining = await live_log.after(forum.db, 0)
    assert [live_log.decode_data(r)["i"] for r in remaining] == [6, 7, 8, 9]
    assert await live_log.pruned_through(forum.db) == remaining[0]["id"] - 1
    old = utcnow() - timedelta(days=30)
    await forum.db.execute(live_log_table.update().where(live_log_table.c.id <= remaining[1]["id"])
                           .values(created_at=old))
    await live_log.prune(forum.db, max_count=100, max_age_seconds=3600)
    assert [live_log.decode_data(r)["i"] for r in await live_log.after(forum.db, 0)] == [8, 9]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_readers_never_see_an_id_before_a_smaller_one_commits(forum, database_url):
    """The classic hole: PostgreSQL sequences hand out ids at insert, and transactions commit
    in any order. 8 writers hold their transactions open for random times after appending,
    while a reader polls; it must never see id N and later discover a smaller id."""
    writers_db = [Database(database_url) for _ in range(8)]
    for db in writers_db:
        await db.connect()
    rng = random.Random(7)
    stop = asyncio.Event()
    delivered: list[int] = []

    async def write(db: Database) -> None:
        for _ in range(25):
            async with db.transaction():
                await live_log.append(db, "thread:1", "post.created", {})
                delay = rng.random() / 100
                db.before_commit(lambda delay=delay: asyncio.sleep(delay))  # id drawn, then commit late

    async def read() -> None:
        """What the hub does: read after the cursor, move the cursor past what it read."""
        cursor = 0
        while True:
            finished = stop.is_set()
            for row in await live_log.after(forum.db, cursor, limit=100_000):
                delivered.append(row["id"])
                cursor = row["id"]
            if finished:
                return
            await asyncio.sleep(0.001)

    reader = asyncio.create_task(read())
    await asyncio.gather(*(write(db) for db in writers_db))
    stop.set()
    await reader
    for db in writers_db:
        await db.disconnect()
    logged = [row["id"] for row in await live_log.after(forum.db, 0, limit=1000)]
    assert len(logged) == 200
    assert delivered == logged, "an id committed after the reader had passed it was skipped"


async def test_work_after_commit_runs_once_and_never_after_a_rollback(forum):
    ran: list[str] = []

    async def note() -> None:
        ran.append("ran")

    with pytest.raises(RuntimeError):
        async with forum.db.transaction():
            forum.db.after_commit(note)
            raise RuntimeError("rolled back")
    assert ran == []
    async with forum.db.transaction():
        forum.db.after_commit(note)
        async with forum.db.transaction():  # nested: the outermost commit runs it
            forum.db.after_commit(note)
        assert ran == []
    assert ran == ["ran"]


async def test_the_hub_is_woken_by_the_commit_itself(forum):
    """No action wakes the hub by hand: appending an event is enough, once committed."""
    async with forum.db.transaction():
        await live_log.append(forum.db, "thread:1", "test.note", {})
    newest = await live_log.latest_id(forum.db)
    async with forum.hub.dispatched:  # well within the hub's one-second poll
        await asyncio.wait_for(forum.hub.dispatched.wait_for(lambda: forum.hub.cursor >= newest), 0.5)


def _event_start(days: int) -> dict[str, str]:
    start = utcnow() + timedelta(days=days)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}


async def test_an_event_and_its_thread_are_written_together(forum, database_url):
    moderator = await make_member(forum, "mod", role="moderator")
    fields = {"title": "Network event", "body": "Come along", "location": "online",
              "capacity": 10, "categories": ["general-chat"], **_event_start(3)}
    event_id, thread_id = await event_actions.create(forum, moderator, fields)
    # The channel row announced live already shows the event's date.
    [created] = [r for r in await live_log.after(forum.db, 0) if r["type"] == "thread.created"]
    assert 'class="event-date"' in live_log.decode_data(created)["html"]

    # The database refuses the event row: the thread written before it in the action goes too.
    if forum.db.is_sqlite:
        await forum.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON events "
                               "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    else:
        await forum.db.execute("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                               "$$ BEGIN RAISE EXCEPTION 'refused'; END $$")
        await forum.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON events "
                               "FOR EACH ROW EXECUTE FUNCTION refuse()")
    try:
        threads_before = await forum.db.fetch_val("SELECT count(*) FROM threads")
        events_before = await live_log.latest_id(forum.db)
        with pytest.raises(Exception, match="refused"):
            await event_actions.create(forum, moderator, {**fields, "title": "Never written"})
        assert await forum.db.fetch_val("SELECT count(*) FROM threads") == threads_before
        assert await live_log.latest_id(forum.db) == events_before
    finally:
        await forum.db.execute("DROP TRIGGER refuse" + ("" if forum.db.is_sqlite else " ON events"))
        if not forum.db.is_sqlite:
            await forum.db.execute("DROP FUNCTION refuse()")
