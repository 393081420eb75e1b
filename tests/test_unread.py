"""Unread, designed with the reply tree: new replies are counted in lists and marked in place
wherever they sit in the tree, with a link to the first; reading clears them."""

from __future__ import annotations

import re

from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from tests.helpers import PASSWORD, make_member, submit


async def test_new_replies_are_counted_marked_in_the_tree_and_cleared_by_reading(client, forum):
    reader = await make_member(forum, "reader")
    writer = await make_member(forum, "writer")
    thread = await thread_actions.create_thread(forum, writer, "Logic models", "Opening", ["tools-methods"])
    early = (await post_actions.reply(forum, writer, thread, "An early reply"))["id"]
    await submit(client, "/login", {"username": "reader", "password": PASSWORD}, "/login")
    listing = (await client.get("/c/tools-methods")).text
    assert "New thread" in listing  # never opened, active since the reader joined
    first_visit = (await client.get(f"/t/{thread}")).text
    assert "New<span" not in first_visit and "Jump to the first new reply" not in first_visit

    # Two replies arrive: one deep in the tree under the early reply, one at the top level.
    nested = (await post_actions.reply(forum, writer, thread, "A nested answer", early))["id"]
    top = (await post_actions.reply(forum, writer, thread, "A new top-level reply"))["id"]
    await post_actions.reply(forum, reader, thread, "My own reply is never new to me")
    listing = (await client.get("/c/tools-methods")).text
    assert "2 new" in listing
    assert "2 new replies" in (await client.get("/")).text
    page = (await client.get(f"/t/{thread}")).text
    new_ids = re.findall(r'class="post depth-\d is-new" id="post-(\d+)"', page)
    assert new_ids == [str(nested), str(top)]  # in reading order, wherever they sit
    assert page.count("since you last read") == 2
    assert f"?at={nested}#post-{nested}" in page.split("Jump to the first new reply")[0].rsplit("href=", 1)[1]
    # Reading cleared them.
    again = (await client.get(f"/t/{thread}")).text
    assert "is-new" not in again and "Jump to the first new reply" not in again
    assert (
        "new"
        not in re.sub(r"<[^>]+>", "", (await client.get("/c/tools-methods")).text).split("Logic models")[1][
            :40
        ]
    )
    assert reader.id != writer.id


async def test_visitors_see_no_unread_markers(client, forum):
    writer = await make_member(forum, "writer")
    thread = await thread_actions.create_thread(forum, writer, "Open", "Body", ["general-chat"])
    await post_actions.reply(forum, writer, thread, "Reply")
    page = (await client.get(f"/t/{thread}")).text
    assert "is-new" not in page and "New thread" not in (await client.get("/c/general-chat")).text
