"""What a change invalidates in the visitor page cache (forum/web/invalidation.py): a cached page is
dropped when an event about something it shows commits, and only then. A read mark or a session
touch leaves every page cached; a reply in one thread leaves another thread's page cached; every
kind of change a visitor can see shows on the next visitor's page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forum.actions import accounts as account_actions
from forum.actions import events as event_actions
from forum.actions import library as library_actions
from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import reactions as reaction_actions
from forum.actions import tags as tag_actions
from forum.actions import threads as thread_actions
from forum.db import live_log, posts
from forum.web.invalidation import Invalidation, ShowingCache, names_touched, row_of
from tests.helpers import PASSWORD, make_member, submit
from tests.test_page_cache import cache_of, hub_caught_up


@pytest.fixture
async def world(forum):  # type: ignore[no-untyped-def]
    """Two threads in General Chat, one also in Tools & Methods; a member and a moderator."""
    author = await make_member(forum, "author")
    moderator = await make_member(forum, "moderator", role="moderator")
    a = await thread_actions.create_thread(forum, author, "Thread A", "Opening of A",
                                           ["general-chat", "tools-methods"], tags=["survey"])
    b = await thread_actions.create_thread(forum, author, "Thread B", "Opening of B", ["general-chat"])
    await hub_caught_up(forum)
    opening = await posts.opening_post(forum.db, a)
    return {"author": author, "moderator": moderator, "a": f"/t/{a}", "a_id": a, "b": f"/t/{b}",
            "b_id": b, "a_opening": opening["id"]}


async def cached(app, client, path: str) -> str:  # type: ignore[no-untyped-def]
    """The page, as a visitor gets it, once it is in the cache (the second visit is a hit).
    First the hub reads the events so far: reading them drops what they touch again."""
    cache = cache_of(app)
    await hub_caught_up(app.forum)
    await client.get(path)
    hits = cache.hits
    page = await client.get(path)
    assert cache.hits == hits + 1, f"{path} should be served from the cache"
    return page.text


async def is_hit(app, client, path: str) -> bool:  # type: ignore[no-untyped-def]
    cache = cache_of(app)
    hits = cache.hits
    await client.get(path)
    return cache.hits == hits + 1


# -- what invalidates nothing ----------------------------------------------------------------
async def test_a_read_mark_and_a_session_touch_leave_cached_pages_alone(app, client, other_client,
                                                                         forum, world):
    await cached(app, client, world["a"])
    await cached(app, client, "/c/general-chat")
    # A member logs in (a session written), reads thread A (a read mark) and the channel.
    await submit(other_client, "/login", {"username": "author", "password": PASSWORD}, "/login")
    assert (await other_client.get(world["a"])).status_code == 200
    assert (await other_client.get("/c/general-chat")).status_code == 200
    await hub_caught_up(forum)
    assert await is_hit(app, client, world["a"])
    assert await is_hit(app, client, "/c/general-chat")


async def test_a_reply_in_one_thread_leaves_another_threads_page_cached(app, client, forum, world):
    await cached(app, client, world["b"])
    await post_actions.reply(forum, world["author"], world["a_id"], "Only in A")
    await hub_caught_up(forum)  # the hub has read the reply's events too
    assert await is_hit(app, client, world["b"])


async def test_a_reply_drops_its_thread_and_every_channel_page_it_is_in(app, client, forum, world):
    for path in (world["a"], "/c/general-chat", "/c/tools-methods", "/c/welcome"):
        await cached(app, client, path)
    await post_actions.reply(forum, world["author"], world["a_id"], "Fresh in A")
    # At once: before the hub has read the log, the committing process dropped them.
    assert "Fresh in A" in (await client.get(world["a"])).text
    for channel in ("general-chat", "tools-methods"):
        page = (await client.get(f"/c/{channel}")).text
        assert "1 reply" in page, channel
    assert await is_hit(app, client, "/c/welcome"), "a channel the thread is not in stays cached"


async def test_a_reaction_or_an_edit_in_a_listed_thread_leaves_the_channel_page_cached(app, client, forum,
                                                                                     world):
    """A channel page shows each thread's row (title, starter, replies, last activity), not
    its posts: what happens inside a thread and leaves the row as it was drops only the thread."""
    reply = await post_actions.reply(forum, world["author"], world["a_id"], "A reply to react to")
    await cached(app, client, "/c/general-chat")
    await reaction_actions.react(forum, world["moderator"], reply["id"], "heart", True)
    await post_actions.edit(forum, world["author"], reply["id"], "A reply, edited")
    await hub_caught_up(forum)
    assert await is_hit(app, client, "/c/general-chat")
    assert "A reply, edited" in (await client.get(world["a"])).text  # the thread's own page went


async def test_a_new_thread_or_reply_in_the_channel_still_drops_its_page(app, client, forum, world):
    await cached(app, client, "/c/general-chat")
    await thread_actions.create_thread(forum, world["author"], "Thread C", "Opening of C", ["general-chat"])
    assert "Thread C" in (await client.get("/c/general-chat")).text
    await cached(app, client, "/c/general-chat")
    await post_actions.reply(forum, world["author"], world["b_id"], "A reply in B")
    assert "1 reply" in (await client.get("/c/general-chat")).text


# -- every kind of visible change shows on the next visitor's page ---------------------------
async def test_a_pin_and_a_lock_show(app, client, forum, world):
    badge = '<span class="badge">Announcement</span>'
    assert badge not in await cached(app, client, world["a"])
    assert badge not in await cached(app, client, "/c/tools-methods")
    await thread_actions.set_flag(forum, world["moderator"], world["a_id"], "pinned", True)
    assert badge in (await client.get(world["a"])).text
    assert badge in (await client.get("/c/tools-methods")).text
    await cached(app, client, world["a"])
    await thread_actions.set_flag(forum, world["moderator"], world["a_id"], "locked", True)
    assert '<p class="notice" id="lock-notice" role="note">' in (await client.get(world["a"])).text
    assert "Locked" in (await client.get("/c/tools-methods")).text


async def test_a_move_shows(app, client, forum, world):
    assert "Thread B" not in await cached(app, client, "/c/values-principles")
    await cached(app, client, world["b"])
    await thread_actions.move(forum, world["moderator"], world["b_id"], ["values-principles"])
    assert "Thread B" in (await client.get("/c/values-principles")).text
    assert "Thread B" not in (await client.get("/c/general-chat")).text
    assert 'href="/c/values-principles">Values' in (await client.get(world["b"])).text


async def test_an_edit_a_hide_and_a_delete_show(app, client, forum, world):
    reply = await post_actions.reply(forum, world["author"], world["a_id"], "Words as first written")
    await cached(app, client, world["a"])
    await post_actions.edit(forum, world["author"], reply["id"], "Words as edited")
    assert "Words as edited" in (await client.get(world["a"])).text
    await cached(app, client, world["a"])
    await moderation_actions.hide_post(forum, world["moderator"], reply["id"], "Off topic here")
    assert "Hidden by a moderator: Off topic here" in (await client.get(world["a"])).text
    other = await post_actions.reply(forum, world["author"], world["a_id"], "Soon gone")
    await cached(app, client, world["a"])
    await post_actions.delete(forum, world["author"], other["id"])
    assert "This post was deleted." in (await client.get(world["a"])).text


async def test_a_banner_shows(app, client, forum, world):
    await cached(app, client, world["a"])
    await cached(app, client, "/c/general-chat")
    await moderation_actions.set_banner(forum, world["moderator"], "Maintenance tonight")
    assert "Maintenance tonight" in (await client.get(world["a"])).text
    assert "Maintenance tonight" in (await client.get("/c/general-chat")).text
    await moderation_actions.clear_banner(forum, world["moderator"])
    assert "Maintenance tonight" not in (await client.get(world["a"])).text


async def test_a_new_display_name_shows(app, client, forum, world):
    await cached(app, client, world["a"])
    await cached(app, client, "/c/general-chat")
    await account_actions.update_profile(forum, world["author"], {"display_name": "Renamed Author"})
    assert "Renamed Author" in (await client.get(world["a"])).text
    assert "Renamed Author" in (await client.get("/c/general-chat")).text


async def test_a_new_display_name_shows_where_a_post_answers_one_on_an_earlier_page(app, client, forum,
                                                                                   world):
    """Past the deepest level a reply says whom it answers ("in reply to Name"); on a page that
    starts there, the one answered has no post of their own."""
    answered = await make_member(forum, "answered")
    parent = world["a_opening"]
    for depth in range(1, 5):  # down to the deepest level, the last of it by the one answered
        who = answered if depth == 4 else world["author"]
        parent = (await post_actions.reply(forum, who, world["a_id"], f"Depth {depth}", parent))["id"]
    deep = await post_actions.reply(forum, world["author"], world["a_id"], "Answering", parent)
    path = f"{world['a']}?at={deep['id']}"
    page = await cached(app, client, path)
    assert f'#post-{parent}">{answered.display_name}</a></span>' in page  # in reply to them
    assert "Depth 4" not in page  # the one answered has no post on this page
    await account_actions.update_profile(forum, answered, {"display_name": "Newly Named"})
    assert f'#post-{parent}">Newly Named</a></span>' in (await client.get(path)).text


async def test_a_reaction_shows(app, client, forum, world):
    page = await cached(app, client, world["a"])
    assert 'class="reaction-count"' not in page
    await reaction_actions.react(forum, world["moderator"], world["a_opening"], "heart", True)
    assert 'class="reaction-count"' in (await client.get(world["a"])).text


async def test_a_library_items_new_details_show(app, client, forum, world):
    item_id, thread_id = await library_actions.create_item(forum, world["author"], {
        "kind": "case_study", "title": "A case", "body": "What we did", "categories": ["general-chat"],
        "organisation": "First Org"})
    path = f"/t/{thread_id}"
    assert "First Org" in await cached(app, client, path)
    await library_actions.update_item(forum, world["author"], item_id, {"organisation": "Second Org"})
    assert "Second Org" in (await client.get(path)).text


async def test_new_tags_and_a_renamed_tag_show(app, client, forum, world):
    assert "#survey" in await cached(app, client, world["a"])
    await tag_actions.set_thread_tags(forum, world["author"], world["a_id"], ["survey", "logic-models"])
    assert "#logic-models" in (await client.get(world["a"])).text
    await cached(app, client, world["a"])
    await tag_actions.rename(forum, world["moderator"], "survey", "surveys")
    assert "#surveys" in (await client.get(world["a"])).text


async def test_an_events_seats_and_details_show(app, client, forum, world):
    start = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    event_id, thread_id = await event_actions.create(forum, world["moderator"], {
        "title": "Network event", "body": "Come along", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(), "location": "Community Hall, Leeds",
        "capacity": 5, "categories": ["announcements"]})
    path = f"/t/{thread_id}"
    assert "5 of 5 seats left" in await cached(app, client, path)
    await event_actions.register(forum, world["author"], event_id)
    assert "4 of 5 seats left" in (await client.get(path)).text
    await cached(app, client, path)
    await event_actions.edit(forum, world["moderator"], event_id, {
        "title": "Network event", "body": "Come along", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(), "location": "Town Library, York",
        "capacity": 5})
    assert "Town Library, York" in (await client.get(path)).text
    await cached(app, client, "/c/announcements")
    await event_actions.cancel_event(forum, world["moderator"], event_id, "Snowed in")
    assert "Cancelled" in (await client.get(path)).text
    assert "Cancelled" in (await client.get("/c/announcements")).text


def test_what_was_read_before_a_change_committed_is_not_kept():
    invalidation = Invalidation()
    before = invalidation.mark()
    invalidation.touch({"thread:1"})
    assert not invalidation.kept(before, {"thread:1", "banner"})
    assert invalidation.kept(before, {"thread:2", "banner"})
    assert invalidation.kept(invalidation.mark(), {"thread:1"})


async def test_the_hub_passes_over_what_this_process_dropped_at_commit():
    """A local change drops its pages at commit; a page rendered since is fresh, and the hub
    reading the same events back must not drop it again. Another process's events still do."""
    invalidation = Invalidation()
    pages = ShowingCache(10, 60)
    invalidation.register(pages)
    pages.put("thread 1", "before", {"thread:1"})
    await invalidation.committed([{"id": 7, "channel": "thread:1", "subject": "post:2"}])
    assert pages.get("thread 1") is None
    pages.put("thread 1", "after", {"thread:1"})
    invalidation.events([{"id": 7, "channel": "thread:1", "subject": "post:2"}])
    assert pages.get("thread 1") == "after"
    invalidation.events([{"id": 8, "channel": "thread:1", "subject": "post:3"}])  # not ours
    assert pages.get("thread 1") is None
    # Read by the hub before the commit's own callback ran: dropped then, and not remembered.
    pages.put("thread 1", "later", {"thread:1"})
    invalidation.events([{"id": 9, "channel": "thread:1", "subject": "post:4"}])
    await invalidation.committed([{"id": 9, "channel": "thread:1", "subject": "post:4"}])
    pages.put("thread 1", "latest", {"thread:1"})
    invalidation.events([{"id": 10, "channel": "thread:2", "subject": None}])
    assert pages.get("thread 1") == "latest"


async def test_committed_events_reach_the_caches_with_the_ids_the_hub_reads(forum, world):
    seen: list[dict] = []

    async def watch(rows: list[dict]) -> None:
        seen.extend(rows)

    forum.db.watch_commits("live_log", watch)
    await post_actions.reply(forum, world["author"], world["a_id"], "Counted")
    logged = await live_log.headings_after(forum.db, 0)
    assert [row["id"] for row in seen] == [row["id"] for row in logged[-len(seen):]]
    assert [(row["channel"], row["type"]) for row in seen] == \
        [(row["channel"], row["type"]) for row in logged[-len(seen):]]
    assert len(seen) == 3  # the thread's and its two channels' post.created


def test_private_channels_touch_nothing_a_page_shows():
    assert names_touched("user:7", None) == set()  # a notification
    assert names_touched("user:7", "user:7") == {"user:7", row_of("user:7")}  # a new display name
    assert names_touched("thread:3", "post:9") == {"thread:3", "post:9", row_of("post:9")}
    assert row_of("thread:3") not in names_touched("thread:3", "post:9")  # the thread's row stands


def test_another_process_s_doorbell_drops_what_it_names_before_the_log_is_read():
    """A doorbell names its events' channels and subjects but no ids (forum/realtime/hub.py):
    a process that leaves the log for later still drops what they touch at once, and reading
    the same events later drops them again rather than passing over them."""
    from forum.web.invalidation import MAX_AGE_SECONDS, ShowingCache

    invalidation, cache = Invalidation(), ShowingCache(10, MAX_AGE_SECONDS)
    invalidation.register(cache)
    cache.put("page of thread 1", "<html>", {"thread:1"})
    cache.put("page of thread 2", "<html>", {"thread:2"})
    invalidation.events([{"channel": "thread:1", "subject": "post:5"}])
    assert cache.get("page of thread 1") is None
    assert cache.get("page of thread 2") == "<html>"
    cache.put("page of thread 1", "<html>", {"thread:1"})
    invalidation.events([{"id": 7, "channel": "thread:1", "subject": "post:5"}])
    assert cache.get("page of thread 1") is None
