"""Every page answers, for a visitor and for the people allowed to see it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from forum.actions import events as event_actions
from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.db import threads
from tests.helpers import PASSWORD, make_member, submit


@pytest.fixture
async def content(forum):
    author = await make_member(forum, "author")
    await make_member(forum, "mod", role="moderator")
    thread_id = await thread_actions.create_thread(forum, author, "A thread", "Body", ["general-chat"])
    post_id = (await post_actions.reply(forum, author, thread_id, "A reply"))["id"]
    return {"thread": thread_id, "post": post_id}


async def test_public_pages(client, content):
    for path in ("/", "/c/welcome", "/c/general-chat", f"/t/{content['thread']}",
                 f"/t/{content['thread']}/a-thread", "/u/author", "/signup", "/login",
                 "/static/forum.css", "/static/forum.js", "/api/v1/openapi.json"):
        response = await client.get(path)
        assert response.status_code == 200, path


async def test_pages_for_the_author_and_a_moderator(client, content):
    await submit(client, "/login", {"username": "author", "password": PASSWORD}, "/login")
    for path in ("/c/general-chat/new", f"/t/{content['thread']}/reply?to={content['post']}",
                 f"/p/{content['post']}/edit", f"/p/{content['post']}/delete"):
        assert (await client.get(path)).status_code == 200, path
    assert (await client.get(f"/t/{content['thread']}/move")).status_code == 403
    await submit(client, "/logout", {})
    await submit(client, "/login", {"username": "mod", "password": PASSWORD}, "/login")
    page = await client.get(f"/t/{content['thread']}")
    assert "Pin as announcement" in page.text and "Lock" in page.text
    assert (await client.get(f"/t/{content['thread']}/move")).status_code == 200
    moved = await submit(client, f"/t/{content['thread']}/move", {"categories": ["welcome"]},
                         f"/t/{content['thread']}/move")
    assert moved.status_code == 303
    pinned = await submit(client, f"/t/{content['thread']}/pin", {}, f"/t/{content['thread']}")
    assert pinned.status_code == 303
    assert "Announcement" in (await client.get("/c/welcome")).text


async def test_members_cannot_use_moderator_forms(client, content):
    await submit(client, "/login", {"username": "author", "password": PASSWORD}, "/login")
    response = await submit(client, f"/t/{content['thread']}/pin", {}, f"/t/{content['thread']}")
    assert response.status_code == 403


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("path", ["/c/%00", "/c/a%00b/new", "/u/%00", "/u/x%00/export", "/u/%ED%A0%80",
                                  "/api/v1/users/%00", "/api/v1/categories/%00/threads"])
async def test_a_name_no_text_column_can_hold_is_a_404(client, path):
    """A NUL (PostgreSQL text refuses it) or half a surrogate pair in a path names nothing."""
    assert (await client.get(path)).status_code == 404


async def test_searching_a_channel_no_text_column_can_hold_is_a_400(client):
    response = await client.get("/search", params={"q": "x", "channel": "a\x00b"})
    assert response.status_code == 400


# HTML's "valid global date and time string" allows at most three digits of a fraction of a
# second; a `datetime` attribute carrying microseconds is invalid and ignored by validators.
HTML_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})")


async def test_every_time_element_carries_a_valid_html_datetime(client, forum, content):
    moderator = await make_member(forum, "mod2", role="moderator")
    start = datetime.now(UTC) + timedelta(days=3)
    event_id, _ = await event_actions.create(forum, moderator, {
        "title": "Network event", "body": "Come along.", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(), "location": "Online",
        "capacity": 5, "categories": ["general-chat"]})
    reader = await make_member(forum, "reader")
    await moderation_actions.flag_post(forum, reader, content["post"], "Off topic")
    await submit(client, "/login", {"username": "mod2", "password": PASSWORD}, "/login")
    seen = 0
    for path in ("/", "/c/general-chat", f"/t/{content['thread']}", "/u/author", "/members",
                 "/search?q=reply", "/events", f"/events/{event_id}", "/notifications", "/mod"):
        page = await client.get(path)
        assert page.status_code == 200, path
        for value in re.findall(r'<time[^>]*\sdatetime="([^"]*)"', page.text):
            assert HTML_DATETIME.fullmatch(value), f"{path}: {value}"
            seen += 1
    assert seen > 10


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|title)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", html)


async def test_list_separators_have_a_space_on_each_side(client, forum, content):
    moderator = await make_member(forum, "mod3", role="moderator")
    start = datetime.now(UTC) + timedelta(days=3)
    event_id, _ = await event_actions.create(forum, moderator, {
        "title": "Network event", "body": "Come along.", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(), "location": "Online",
        "capacity": 5, "categories": ["general-chat", "welcome"]})
    await moderation_actions.hide_post(forum, moderator, content["post"], "Off topic")
    await submit(client, "/login", {"username": "mod3", "password": PASSWORD}, "/login")
    await client.get(f"/t/{content['thread']}")  # read, so a later reply counts as new
    await post_actions.reply(forum, moderator, content["thread"], "Another reply")
    for path in ("/", "/c/general-chat", f"/t/{content['thread']}", "/u/author", "/members",
                 "/events", f"/events/{event_id}", "/mod"):
        text = visible_text((await client.get(path)).text)
        cramped = re.findall(r"(?s).{0,30}(?:\S·|·\S).{0,10}", text)
        assert not cramped, f"{path}: {cramped}"


async def test_the_icon_is_linked_from_every_page_and_served_at_favicon_ico(client):
    page = (await client.get("/")).text
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert link
    icon = await client.get(link.group(1))
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in icon.text
    favicon = await client.get("/favicon.ico", follow_redirects=True)
    assert favicon.status_code == 200 and favicon.content == icon.content


def description_of(html: str) -> str:
    found = re.findall(r'<meta name="description" content="([^"]*)">', html)
    assert len(found) == 1, found
    return found[0]


async def test_every_page_describes_itself(client, forum):
    author = await make_member(forum, "writer")
    thread_id = await thread_actions.create_thread(
        forum, author, "Logic models", "We **tried** logic models with [three](https://example.org) "
        "small teams & learned a lot. " + "More words follow here. " * 20, ["general-chat"])
    thread_description = description_of((await client.get(f"/t/{thread_id}")).text)
    assert thread_description.startswith("We tried logic models with three small teams &amp; learned")
    assert thread_description.endswith("…") and len(thread_description) < 200
    channel_page = (await client.get("/c/tools-methods")).text
    lede = re.search(r'<p class="lede">([^<]+)</p>', channel_page).group(1)
    assert description_of(channel_page) == lede
    forum_description = description_of((await client.get("/")).text)
    assert "forum" in forum_description.lower()
    for path in ("/login", "/signup", "/events", "/members"):
        assert description_of((await client.get(path)).text) == forum_description, path


async def test_the_header_links_to_the_members_for_everyone(client, content):
    assert '<a href="/members">Members</a>' in (await client.get("/c/general-chat")).text
    await submit(client, "/login", {"username": "author", "password": PASSWORD}, "/login")
    assert '<a href="/members">Members</a>' in (await client.get("/")).text


async def test_the_home_page_shows_the_latest_threads_across_channels(client, forum):
    author = await make_member(forum, "feeder")
    channels = ["general-chat", "tools-methods", "evaluation-impact"]
    ids = [await thread_actions.create_thread(forum, author, f"Thread {i}", "Body", [channels[i % 3]])
           for i in range(12)]
    await post_actions.reply(forum, author, ids[1], "Brings it back to the top")
    home = (await client.get("/")).text
    feed = home.split('id="latest-heading"')[1].split("</section>")[0]
    titles = re.findall(r'<a href="/t/\d+/[^"]+">([^<]+)</a>', feed)
    # Ten, newest activity first: the thread with a new reply leads, the two oldest quiet ones miss out.
    assert titles == ["Thread 1", *[f"Thread {i}" for i in range(11, 2, -1)]]
    first = feed.split("</li>")[0]
    assert '<a href="/c/tools-methods">Tools &amp; Methods</a>' in first and "1 reply" in first
    assert re.search(r'<time datetime="[^"]+Z"', first)
    assert "0 replies" in feed.split("</li>")[1]


async def test_the_latest_feed_reads_down_the_activity_index(forum):
    """One query walking ix_threads_last_activity_at, never a sort of every thread."""
    query = threads.latest_query(10)
    if forum.db.is_sqlite:
        sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row[3]) for row in await forum.db.fetch_all("EXPLAIN QUERY PLAN " + sql))
        walk = plan.split("CORRELATED")[0]  # the subqueries each order one thread's few channels
        assert "USING INDEX ix_threads_last_activity_at" in walk and "TEMP B-TREE" not in walk, plan
    else:
        sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
        async with forum.db.transaction():
            # With so few rows a sequential scan would be cheapest; ask whether the index serves.
            await forum.db.execute("SET LOCAL enable_seqscan = off")
            plan = " ".join(str(row[0]) for row in await forum.db.fetch_all("EXPLAIN " + sql))
        assert "ix_threads_last_activity_at" in plan and "Sort" not in plan.split("Index")[0], plan
