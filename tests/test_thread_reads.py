"""What a signed-in member reads of a thread is shared and kept (forum/web/thread_reads.py, and
the thread's JSON in forum.documents), and every kind of change shows on the member's next
page and next `GET /api/v1/threads/{id}`: kept reads are dropped by the events the change
logs, at its commit (forum/web/invalidation.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.actions import accounts as account_actions
from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import reactions as reaction_actions
from forum.actions import tags as tag_actions
from forum.actions import threads as thread_actions
from forum.db import posts
from forum.db.posts import MAX_DEPTH
from forum.routes.threads import POSTS_PER_PAGE
from tests.helpers import PASSWORD, api_token, make_member, submit


@pytest.fixture
async def world(forum, client, other_client):  # type: ignore[no-untyped-def]
    """A thread by `author` with a reply by `replier`; `reader` signed in on `client` (pages)
    and with a token (API); a moderator with a token."""
    author = await make_member(forum, "author")
    replier = await make_member(forum, "replier")
    moderator = await make_member(forum, "moderator", role="moderator")
    await make_member(forum, "reader")
    thread_id = await thread_actions.create_thread(forum, author, "Kept thread", "Opening words",
                                                   ["general-chat"], tags=["survey"])
    opening = await posts.opening_post(forum.db, thread_id)
    answer = await post_actions.reply(forum, replier, thread_id, "An answer", opening["id"])
    response = await submit(client, "/login", {"username": "reader", "password": PASSWORD}, "/login")
    assert response.status_code == 303
    return {"author": author, "replier": replier, "moderator": moderator, "thread_id": thread_id,
            "path": f"/t/{thread_id}", "api": f"/api/v1/threads/{thread_id}", "opening": opening["id"],
            "answer": answer["id"],
            "reader": await api_token(other_client, "reader", signup=False),
            "moderator_token": await api_token(other_client, "moderator", signup=False)}


async def document(client: httpx.AsyncClient, world: dict[str, Any], token: str = "reader") -> dict[str, Any]:
    response = await client.get(world["api"], headers=world[token])
    assert response.status_code == 200, response.text
    return response.json()


async def kept_document(forum, client, world, token: str = "reader") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The member's JSON, once it is kept: the second ask is answered from forum.documents."""
    first = await document(client, world, token)
    assert len(forum.documents) >= 1, "the thread's JSON should be kept for the next member"
    assert await document(client, world, token) == first
    return first


async def test_members_share_one_kept_document_and_page_rows(forum, client, other_client, world):
    before = await kept_document(forum, other_client, world)
    assert [p["body"] for p in before["posts"]] == ["Opening words", "An answer"]
    kept = len(forum.documents)
    other = await api_token(other_client, "second-reader")
    assert (await other_client.get(world["api"], headers=other)).json() == before
    assert len(forum.documents) == kept, "a second member gets the same kept document"
    assert (await client.get(world["path"])).status_code == 200
    assert len(forum.thread_pages) >= 1


async def test_a_reply_shows_to_members(forum, client, other_client, world):
    await kept_document(forum, other_client, world)
    assert "A later reply" not in (await client.get(world["path"])).text
    await post_actions.reply(forum, world["replier"], world["thread_id"], "A later reply")
    assert "A later reply" in [p["body"] for p in (await document(other_client, world))["posts"]]
    assert "A later reply" in (await client.get(world["path"])).text


async def test_an_edit_a_hide_and_a_delete_show_to_members_and_moderators(forum, client, other_client, world):
    await kept_document(forum, other_client, world)
    await kept_document(forum, other_client, world, "moderator_token")
    await post_actions.edit(forum, world["replier"], world["answer"], "An answer, edited")
    assert (await document(other_client, world))["posts"][1]["body"] == "An answer, edited"
    await moderation_actions.hide_post(forum, world["moderator"], world["answer"], "Off topic")
    as_member = (await document(other_client, world))["posts"][1]
    as_moderator = (await document(other_client, world, "moderator_token"))["posts"][1]
    assert (as_member["hidden"], as_member["body"]) == (True, "")
    assert (as_moderator["hidden"], as_moderator["body"]) == (True, "An answer, edited")
    assert "An answer, edited" not in (await client.get(world["path"])).text
    await moderation_actions.restore_post(forum, world["moderator"], world["answer"])
    await post_actions.delete(forum, world["replier"], world["answer"])
    assert (await document(other_client, world))["posts"][1]["deleted"] is True


async def test_a_new_display_name_shows_on_posts_and_in_reply_to(forum, client, other_client, world):
    """At the deepest level a reply says whom it answers ("in reply to <name>"), and its parent
    may be on the page before: that page's rows show the parent's author too."""
    for n in range(POSTS_PER_PAGE - 2 - MAX_DEPTH):
        await post_actions.reply(forum, world["replier"], world["thread_id"], f"Filler {n}")
    parent = None
    for _ in range(MAX_DEPTH):  # the author's chain ends the first page, at the deepest level
        deeper = await post_actions.reply(forum, world["author"], world["thread_id"], "Deeper", parent)
        parent = deeper["id"]
    last_on_first_page = await posts.by_id(forum.db, parent)
    deepest = (await post_actions.reply(forum, world["replier"], world["thread_id"], "Deepest", parent))["id"]
    second_page = f'{world["path"]}?after={last_on_first_page["path"]}'
    await kept_document(forum, other_client, world)

    async def in_reply_to() -> str:
        page = (await client.get(second_page)).text
        assert 'id="post-' + str(parent) + '"' not in page, "the parent should be on the first page"
        article = page.split(f'id="post-{deepest}"')[1].split("</article>")[0]
        return article.split('class="in-reply-to"')[1].split("</span>")[0]

    assert "Renamed Author" not in await in_reply_to()
    assert "Renamed Author" not in await in_reply_to()  # kept
    await account_actions.update_profile(forum, world["author"], {"display_name": "Renamed Author"})
    shown = await document(other_client, world)
    assert shown["posts"][0]["author_display_name"] == "Renamed Author"
    assert shown["thread"]["author_display_name"] == "Renamed Author"
    assert "Renamed Author" in await in_reply_to()


async def test_reactions_show_with_the_members_own_marked(forum, client, other_client, world):
    await kept_document(forum, other_client, world)
    await reaction_actions.react(forum, world["replier"], world["opening"], "heart", True)
    shown = (await document(other_client, world))["posts"][0]["reactions"]
    assert shown == [{"emoji": "heart", "count": 1, "mine": False}]
    # The reader reacts through the API: their own document marks it, others' do not.
    response = await other_client.put(f"/api/v1/posts/{world['opening']}/reactions/heart",
                                      headers=world["reader"])
    assert response.status_code in (200, 201, 204), response.text
    assert (await document(other_client, world))["posts"][0]["reactions"] == [
        {"emoji": "heart", "count": 2, "mine": True}]
    assert (await document(other_client, world, "moderator_token"))["posts"][0]["reactions"] == [
        {"emoji": "heart", "count": 2, "mine": False}]


async def test_tags_title_pin_and_lock_show(forum, client, other_client, world):
    await kept_document(forum, other_client, world)
    await tag_actions.set_thread_tags(forum, world["author"], world["thread_id"], ["survey", "logic-models"])
    assert (await document(other_client, world))["thread"]["tags"] == ["logic-models", "survey"]
    await tag_actions.rename(forum, world["moderator"], "survey", "surveys")
    assert "surveys" in (await document(other_client, world))["thread"]["tags"]
    await thread_actions.set_flag(forum, world["moderator"], world["thread_id"], "pinned", True)
    await thread_actions.set_flag(forum, world["moderator"], world["thread_id"], "locked", True)
    shown = (await document(other_client, world))["thread"]
    assert (shown["pinned"], shown["locked"]) == (True, True)
    assert '<p class="notice" id="lock-notice" role="note">' in (await client.get(world["path"])).text
