"""Every page answers, for a visitor and for the people allowed to see it."""

from __future__ import annotations

import pytest

from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
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
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/c/%00", "/c/a%00b/new", "/u/%00", "/u/x%00/export", "/u/%ED%A0%80",
                                  "/api/v1/users/%00", "/api/v1/categories/%00/threads"])
async def test_a_name_no_text_column_can_hold_is_a_404(client, path):
    """A NUL (PostgreSQL text refuses it) or half a surrogate pair in a path names nothing."""
    assert (await client.get(path)).status_code == 404


async def test_searching_a_channel_no_text_column_can_hold_is_a_400(client):
    response = await client.get("/search", params={"q": "x", "channel": "a\x00b"})
    assert response.status_code == 400
