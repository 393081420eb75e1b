"""The anonymous page cache: visitors share one rendering of a thread or channel page, yet each
gets their own CSRF token, members never get a visitor's page, and no page is stale once a
change is acknowledged (what a change drops: tests/test_page_invalidation.py)."""

from __future__ import annotations

import asyncio

import pytest

from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.auth import CSRF_COOKIE
from forum.db import live_log
from forum.web.page_cache import Entry, PageCache
from tests.conftest import make_client
from tests.helpers import CSRF_META, PASSWORD, make_member, submit


@pytest.fixture
async def thread(forum):
    author = await make_member(forum, "author")
    thread_id = await thread_actions.create_thread(forum, author, "Cached thread", "Opening post",
                                                   ["general-chat"])
    await hub_caught_up(forum)
    return {"id": thread_id, "author": author, "path": f"/t/{thread_id}"}


async def hub_caught_up(forum):  # type: ignore[no-untyped-def]
    """The hub has read every event so far (and dropped the cached pages they touch)."""
    latest = await live_log.latest_id(forum.db)
    async with asyncio.timeout(5), forum.hub.dispatched:
        await forum.hub.dispatched.wait_for(lambda: forum.hub.cursor >= latest)


def cache_of(app):  # type: ignore[no-untyped-def]
    return app._state["page_cache"]


async def test_visitors_share_a_rendering_but_not_a_csrf_token(app, client, other_client, thread):
    cache = cache_of(app)
    first = await client.get(thread["path"])
    hits = cache.hits
    second = await other_client.get(thread["path"])
    assert first.status_code == second.status_code == 200
    assert cache.hits == hits + 1, "the second visitor should get the cached page"
    for visitor, page in ((client, first), (other_client, second)):
        token = CSRF_META.search(page.text).group(1)
        assert token == app.forum.signer.csrf_token(visitor.cookies[CSRF_COOKIE])
    assert CSRF_META.search(first.text).group(1) != CSRF_META.search(second.text).group(1)
    assert first.text.replace(CSRF_META.search(first.text).group(1), "") == \
        second.text.replace(CSRF_META.search(second.text).group(1), "")
    # The token from a cached page works: the visitor can sign up with it.
    signed_up = await other_client.post("/signup", data={
        "username": "visitor", "password": PASSWORD,
        "csrf_token": CSRF_META.search(second.text).group(1)})
    assert signed_up.status_code == 303


async def test_a_reply_shows_at_once_on_a_cached_page(app, client, forum, thread):
    channel_page = await client.get("/c/general-chat")
    assert (await client.get(thread["path"])).status_code == 200
    assert "Fresh words" not in (await client.get(thread["path"])).text
    await post_actions.reply(forum, thread["author"], thread["id"], "Fresh words")
    assert "Fresh words" in (await client.get(thread["path"])).text
    assert "1 reply" in (await client.get("/c/general-chat")).text
    assert "1 reply" not in channel_page.text


async def test_a_reply_from_a_member_shows_to_the_next_visitor(app, client, other_client, thread):
    await client.get(thread["path"])
    await submit(other_client, "/login", {"username": "author", "password": PASSWORD}, "/login")
    posted = await submit(other_client, f"{thread['path']}/reply", {"body": "Said by a member"},
                          f"{thread['path']}/reply")
    assert posted.status_code == 303
    assert "Said by a member" in (await client.get(thread["path"])).text


async def test_members_get_their_own_page(app, client, thread):
    cache = cache_of(app)
    await client.get(thread["path"])  # a visitor's page goes into the cache
    await submit(client, "/login", {"username": "author", "password": PASSWORD}, "/login")
    hits = cache.hits
    page = await client.get(thread["path"])
    assert cache.hits == hits
    assert 'name="viewer" content="author"' in page.text and "Log out" in page.text


async def test_a_new_visitor_gets_a_cookie_and_a_matching_token(app, thread):
    async with make_client(app) as warm:
        await warm.get(thread["path"])
    async with make_client(app) as fresh:
        page = await fresh.get(thread["path"])
        assert CSRF_META.search(page.text).group(1) == app.forum.signer.csrf_token(fresh.cookies[CSRF_COOKIE])


async def test_errors_are_not_cached(app, client):
    cache = cache_of(app)
    assert (await client.get("/t/999999")).status_code == 404
    assert (await client.get("/t/999999/reply")).status_code in (303, 404)
    assert len(cache) == 0


def entry(size: int = 10) -> Entry:
    return Entry([], b"x" * size)


def test_an_entry_goes_when_something_it_shows_changes_or_when_it_is_too_old():
    now = 5.0
    cache = PageCache(max_age=10, timer=lambda: now)
    cache.put("a", entry(), {"thread:1", "user:2"})
    cache.put("b", entry(), {"thread:2"})
    cache.drop({"thread:3", "user:9"})  # shown by neither
    assert cache.get("a") is not None and cache.get("b") is not None
    cache.drop({"user:2"})
    assert cache.get("a") is None and cache.get("b") is not None
    now = 15.5
    assert cache.get("b") is None  # too old


def test_memory_is_bounded_least_recently_used_first():
    cache = PageCache(max_entries=3, max_bytes=100, max_age=1e9)
    for name in "abc":
        cache.put(name, entry(size=30), set())
    assert cache.get("a") is not None  # now the most recently used
    cache.put("d", entry(size=30), set())
    assert len(cache) == 3 and cache.get("b") is None
    cache.put("e", entry(size=60), set())
    assert cache.size_bytes <= 100
    assert cache.get("e") is not None
    cache.put("huge", entry(size=2 * 1024 * 1024), set())
    assert cache.get("huge") is None
