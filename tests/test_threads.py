"""Threads: starting them in channels, channel listings, the reply tree, editing, deleting."""

from __future__ import annotations

import re

import pytest

from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.db import channels, posts
from tests.helpers import make_member, sign_up, submit


async def _thread_ids_on(client, path):
    html = (await client.get(path)).text
    return [int(n) for n in re.findall(r'id="thread-(\d+)"', html)]


async def test_start_a_thread_in_two_channels_with_the_form(client):
    await sign_up(client, "amy")
    page = await client.get("/c/tools-methods/new")
    assert page.status_code == 200 and "Title" in page.text and "Message" in page.text
    response = await submit(client, "/c/tools-methods/new", {
        "title": "Logic models for small teams", "body": "How do you **start**?",
        "categories": ["tools-methods", "evaluation-impact"]}, "/c/tools-methods/new")
    assert response.status_code == 303
    thread_page = await client.get(response.headers["location"])
    assert "Logic models for small teams" in thread_page.text
    assert "<strong>start</strong>" in thread_page.text
    for slug in ("tools-methods", "evaluation-impact"):
        listing = await client.get(f"/c/{slug}")
        assert "Logic models for small teams" in listing.text
    home = await client.get("/")
    assert "1 thread<" in home.text


async def test_rejected_thread_form_keeps_the_text(client):
    await sign_up(client, "ben")
    long_title = "x" * 201
    response = await submit(client, "/c/general-chat/new", {
        "title": long_title, "body": "My carefully written message £5 “quoted”",
        "categories": ["general-chat"]}, "/c/general-chat/new")
    assert response.status_code == 400
    assert "Keep the title to 200 characters" in response.text
    assert long_title in response.text
    assert "My carefully written message £5 “quoted”" in response.text


async def test_empty_fields_and_no_channel_are_explained(client):
    await sign_up(client, "cat")
    response = await submit(client, "/c/general-chat/new", {"title": " ", "body": ""},
                            "/c/general-chat/new")
    assert response.status_code == 400
    for message in ("Give the thread a title", "Write a message", "Choose at least one channel"):
        assert message in response.text


async def test_anonymous_visitors_are_sent_to_log_in(client):
    response = await client.get("/c/general-chat/new")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_members_cannot_start_threads_in_announcements(forum):
    member = await make_member(forum, "dan")
    with pytest.raises(Exception, match="Only moderators"):
        await thread_actions.create_thread(forum, member, "News", "Body", ["announcements"])


async def test_a_reply_moves_every_counter_it_touches(forum):
    """On PostgreSQL the counters move in one statement; on SQLite in several: same result."""
    import sqlalchemy as sa

    from forum.db.tables import channels as channel_table
    from forum.db.tables import thread_channels, threads, users

    author, replier = await make_member(forum, "opal"), await make_member(forum, "piet")
    thread_id = await thread_actions.create_thread(forum, author, "Counted", "Body",
                                                   ["general-chat", "tools-methods"])
    untouched = await thread_actions.create_thread(forum, author, "Elsewhere", "Body", ["welcome"])
    before = await forum.db.fetch_one(sa.select(users.c.post_count).where(users.c.id == replier.id))
    for n in range(2):
        post = await post_actions.reply(forum, replier, thread_id, f"reply {n}")
    thread = await forum.db.fetch_one(sa.select(threads).where(threads.c.id == thread_id))
    assert thread["reply_count"] == 2 and thread["last_activity_at"] == post["created_at"]
    member = await forum.db.fetch_one(sa.select(users).where(users.c.id == replier.id))
    assert member["post_count"] == before["post_count"] + 2
    assert member["last_active_at"] == post["created_at"]
    placings = await forum.db.fetch_all(
        sa.select(thread_channels.c.thread_id, thread_channels.c.last_activity_at,
                  channel_table.c.slug, channel_table.c.last_activity_at.label("channel_active"))
        .join(channel_table, channel_table.c.id == thread_channels.c.channel_id))
    moved = {(row["thread_id"], row["slug"]) for row in placings
             if row["last_activity_at"] == post["created_at"] and row["channel_active"] == post["created_at"]}
    assert moved == {(thread_id, "general-chat"), (thread_id, "tools-methods")}
    assert all(row["channel_active"] != post["created_at"]
               for row in placings if row["thread_id"] == untouched)


async def test_channel_lists_pinned_first_then_latest_activity(forum, client):
    author = await make_member(forum, "eve")
    moderator = await make_member(forum, "mod", role="moderator")
    ids = [await thread_actions.create_thread(forum, author, f"T{i}", "Body", ["general-chat"])
           for i in range(4)]
    await post_actions.reply(forum, author, ids[0], "bump the oldest")
    await thread_actions.set_flag(forum, moderator, ids[2], "pinned", True)
    assert await _thread_ids_on(client, "/c/general-chat") == [ids[2], ids[0], ids[3], ids[1]]
    listing = (await client.get("/c/general-chat")).text
    assert "Announcement" in listing


async def test_channel_pages_by_cursor(forum, client):
    author = await make_member(forum, "fin")
    created = [await thread_actions.create_thread(forum, author, f"Thread {i}", "Body", ["general-chat"])
               for i in range(35)]
    first = await client.get("/c/general-chat")
    first_ids = [int(n) for n in re.findall(r'id="thread-(\d+)"', first.text)]
    assert first_ids == created[::-1][:30]
    next_link = re.search(r'href="\?cursor=([^"]+)"', first.text).group(1)
    second_ids = await _thread_ids_on(client, f"/c/general-chat?cursor={next_link}")
    assert second_ids == created[::-1][30:]
    assert (await client.get("/c/general-chat?cursor=garbage")).status_code == 400


async def test_reply_tree_nests_to_depth_four_then_flat(forum, client):
    member = await make_member(forum, "gil")
    thread_id = await thread_actions.create_thread(forum, member, "Deep", "Opening", ["general-chat"])
    parent = None
    chain = []
    for level in range(1, 7):
        parent = (await post_actions.reply(forum, member, thread_id, f"level {level}", parent))["id"]
        chain.append(parent)
    sibling = (await post_actions.reply(forum, member, thread_id, "second top-level reply"))["id"]
    rows, _ = await posts.in_thread(forum.db, thread_id, None, 50)
    assert [r["depth"] for r in rows] == [0, 1, 2, 3, 4, 4, 4, 1]
    assert [r["id"] for r in rows][1:] == [*chain, sibling]
    html = (await client.get(f"/t/{thread_id}")).text
    for post_id, depth in zip(chain, [1, 2, 3, 4, 4, 4], strict=True):
        assert f'class="post depth-{depth}" id="post-{post_id}"' in html
    # Levels 5 and 6 sit flat at depth 4, each saying whom it answers.
    assert html.count('class="in-reply-to"') == 2
    assert f"?at={chain[3]}#post-{chain[3]}" in html


async def test_reply_to_a_reply_with_the_form(client, forum):
    await sign_up(client, "hana")
    member = await make_member(forum, "ida")
    thread_id = await thread_actions.create_thread(forum, member, "Question", "Ask", ["general-chat"])
    first = (await post_actions.reply(forum, member, thread_id, "An answer"))["id"]
    page = await client.get(f"/t/{thread_id}")
    assert f'/t/{thread_id}/reply?to={first}' in page.text and ">Reply<" in page.text
    response = await submit(client, f"/t/{thread_id}/reply",
                            {"body": "A reply to the answer", "parent_id": str(first)},
                            f"/t/{thread_id}/reply?to={first}")
    assert response.status_code == 303
    rows, _ = await posts.in_thread(forum.db, thread_id, None, 50)
    assert rows[-1]["parent_id"] == first and rows[-1]["depth"] == 2


async def test_rejected_reply_keeps_the_text(client, forum):
    await sign_up(client, "jay")
    member = await make_member(forum, "kim")
    thread_id = await thread_actions.create_thread(forum, member, "Q", "Ask", ["general-chat"])
    body = "y" * 50_001
    response = await submit(client, f"/t/{thread_id}/reply", {"body": body}, f"/t/{thread_id}")
    assert response.status_code == 400
    assert "Keep the message to 50,000 characters" in response.text and body in response.text


async def test_each_post_shows_author_time_and_edited(client, forum):
    await sign_up(client, "lea", display_name="Lea Lloyd")
    member = (await forum.db.fetch_one("SELECT * FROM users WHERE username = 'lea'"))
    from forum.auth import Member
    lea = Member.from_row(member)
    thread_id = await thread_actions.create_thread(forum, lea, "Mine", "Original", ["general-chat"])
    opening = await posts.opening_post(forum.db, thread_id)
    page = (await client.get(f"/t/{thread_id}")).text
    assert "Lea Lloyd" in page and "<time datetime=" in page and "(edited)" not in page
    response = await submit(client, f"/p/{opening['id']}/edit", {"body": "Changed *words*"},
                            f"/p/{opening['id']}/edit")
    assert response.status_code == 303
    page = (await client.get(f"/t/{thread_id}")).text
    assert "<em>words</em>" in page and "(edited)" in page


async def test_delete_leaves_a_placeholder_and_replies_keep_their_place(client, forum):
    author = await make_member(forum, "max")
    thread_id = await thread_actions.create_thread(forum, author, "T", "Open", ["general-chat"])
    doomed = (await post_actions.reply(forum, author, thread_id, "Regrettable words"))["id"]
    child = (await post_actions.reply(forum, author, thread_id, "A reply below it", doomed))["id"]
    await post_actions.delete(forum, author, doomed)
    page = (await client.get(f"/t/{thread_id}")).text
    assert "Regrettable words" not in page and "This post was deleted" in page
    assert f'class="post depth-2" id="post-{child}"' in page
    api = (await client.get(f"/api/v1/posts/{doomed}")).json()
    assert api["deleted"] is True and api["body"] == "" and api["html"] == ""


async def test_only_the_author_or_a_moderator_may_edit_or_delete(client, forum):
    author = await make_member(forum, "ned")
    thread_id = await thread_actions.create_thread(forum, author, "T", "Open", ["general-chat"])
    post_id = (await post_actions.reply(forum, author, thread_id, "Mine"))["id"]
    await sign_up(client, "olga")
    assert (await client.get(f"/p/{post_id}/edit")).status_code == 403
    page = (await client.get(f"/t/{thread_id}")).text
    assert f"/p/{post_id}/edit" not in page
    moderator = await make_member(forum, "pat", role="moderator")
    await post_actions.edit(forum, moderator, post_id, "Moderated")
    assert (await posts.by_id(forum.db, post_id))["body"] == "Moderated"


async def test_a_locked_thread_takes_no_replies(client, forum):
    author = await make_member(forum, "quin")
    moderator = await make_member(forum, "rae", role="moderator")
    thread_id = await thread_actions.create_thread(forum, author, "T", "Open", ["general-chat"])
    await thread_actions.set_flag(forum, moderator, thread_id, "locked", True)
    await sign_up(client, "sam")
    response = await submit(client, f"/t/{thread_id}/reply", {"body": "Hello?"}, f"/t/{thread_id}/reply")
    assert response.status_code == 403 and "locked" in response.text and "Hello?" in response.text


async def test_a_long_thread_opens_as_a_bounded_slice(client, forum):
    author = await make_member(forum, "tia")
    thread_id = await thread_actions.create_thread(forum, author, "Busy", "Open", ["general-chat"])
    for i in range(120):
        await post_actions.reply(forum, author, thread_id, f"reply number {i}")
    first = (await client.get(f"/t/{thread_id}")).text
    assert first.count('class="post depth') == 50
    assert "reply number 48" in first and "reply number 49" not in first
    after = re.search(r'\?after=([0-9/]+)', first).group(1)
    second = (await client.get(f"/t/{thread_id}?after={after}")).text
    assert second.count('class="post depth') == 50 and "reply number 49" in second
    assert (await client.get(f"/t/{thread_id}?after=bogus")).status_code == 400


async def test_links_to_a_post_open_the_page_at_that_post(client, forum):
    author = await make_member(forum, "uma")
    thread_id = await thread_actions.create_thread(forum, author, "Busy", "Open", ["general-chat"])
    ids = [(await post_actions.reply(forum, author, thread_id, f"reply {i}"))["id"] for i in range(60)]
    page = (await client.get(f"/t/{thread_id}?at={ids[55]}")).text
    assert re.findall(r'id="post-(\d+)"', page)[0] == str(ids[55])


async def test_channel_counters_follow_threads(forum):
    author = await make_member(forum, "val")
    moderator = await make_member(forum, "wyn", role="moderator")
    thread_id = await thread_actions.create_thread(forum, author, "T", "Open", ["general-chat", "welcome"])
    await thread_actions.move(forum, moderator, thread_id, ["tools-methods"])
    counts = {c["slug"]: c["thread_count"] for c in await channels.all_channels(forum.db)}
    assert counts["general-chat"] == 0 and counts["welcome"] == 0 and counts["tools-methods"] == 1


async def test_unknown_thread_and_post_are_404(client):
    assert (await client.get("/t/999")).status_code == 404
    assert (await client.get("/t/999/some-slug")).status_code == 404
    assert (await client.get("/p/999/edit")).status_code == 404
    assert (await client.get("/c/nope")).status_code == 404


async def test_a_thread_may_sit_in_every_channel_a_member_may_use(client, forum):
    # A discussion from the old site was filed under four channels; there is no upper limit.
    await sign_up(client, "eve")
    slugs = [c["slug"] for c in await channels.all_channels(forum.db) if c["slug"] != "announcements"]
    assert len(slugs) >= 4
    response = await submit(client, "/c/general-chat/new", {
        "title": "Theory of change, revisited", "body": "Filed everywhere it belongs.",
        "categories": slugs}, "/c/general-chat/new")
    assert response.status_code == 303, response.text
    for slug in slugs:
        assert "Theory of change, revisited" in (await client.get(f"/c/{slug}")).text
    moderator = await make_member(forum, "mona", role="moderator")
    everything = [c["slug"] for c in await channels.all_channels(forum.db)]
    await thread_actions.create_thread(forum, moderator, "Everywhere", "Body", everything)
