"""Blocking a member: from their profile, listed and undone on /settings. The blocked member
can no longer start or continue a private conversation with the blocker (API and forms), and
an @mention of the blocker still links but tells them nothing."""

from __future__ import annotations

from forum.actions import blocks as block_actions
from forum.actions import conversations as conversation_actions
from forum.actions import threads as thread_actions
from forum.auth import Member
from forum.db import blocks, conversations, notifications, posts, users
from tests.helpers import api_token, csrf_token, make_member
from tests.test_message_pages import log_in

REFUSAL = "You can't message this member."


async def test_blocking_from_a_profile_and_unblocking_on_settings(client, forum):
    ann = await make_member(forum, "ann")
    ben = await make_member(forum, "ben")
    await log_in(client, "ann")
    profile = (await client.get("/u/ben")).text
    assert 'action="/u/ben/block"' in profile
    assert 'action="/u/ann/block"' not in (await client.get("/u/ann")).text  # not yourself
    assert (await client.post("/u/ben/block", data={})).status_code == 403  # no CSRF token
    assert not await blocks.is_blocked(forum.db, ann.id, ben.id)
    blocked = await client.post("/u/ben/block", data={"csrf_token": await csrf_token(client, "/u/ben")})
    assert blocked.status_code == 303 and blocked.headers["location"] == "/u/ben"
    assert await blocks.is_blocked(forum.db, ann.id, ben.id)
    assert 'action="/u/ben/unblock"' in (await client.get("/u/ben")).text
    settings = (await client.get("/settings")).text
    assert 'href="/u/ben"' in settings and 'action="/u/ben/unblock"' in settings
    unblocked = await client.post("/u/ben/unblock", data={
        "back": "settings", "csrf_token": await csrf_token(client, "/settings")})
    assert unblocked.status_code == 303 and unblocked.headers["location"] == "/settings"
    assert not await blocks.is_blocked(forum.db, ann.id, ben.id)
    assert 'action="/u/ben/unblock"' not in (await client.get("/settings")).text
    yourself = await client.post("/u/ann/block", data={"csrf_token": await csrf_token(client)})
    assert yourself.status_code == 400
    nobody = await client.post("/u/nobody/block", data={"csrf_token": await csrf_token(client)})
    assert nobody.status_code == 404


async def test_visitors_are_asked_to_log_in(client, forum):
    await make_member(forum, "ben")
    response = await client.post("/u/ben/block", data={"csrf_token": await csrf_token(client)})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_a_blocked_member_cannot_start_or_send_through_the_api(client, forum):
    ann_headers = await api_token(client, "ann")
    ben_headers = await api_token(client, "ben")
    await api_token(client, "cat")
    pair = (await client.post("/api/v1/conversations", headers=ann_headers,
                              json={"to": ["ben"], "body": "Hello"})).json()["id"]
    trio = (await client.post("/api/v1/conversations", headers=ben_headers,
                              json={"to": ["ann", "cat"], "body": "All three"})).json()["id"]
    ann_member = Member.from_row(await users.by_username(forum.db, "ann"))
    await block_actions.block(forum, ann_member, "ben")
    for path, body in [("/api/v1/conversations", {"to": ["ann"], "body": "Again"}),
                       ("/api/v1/conversations", {"to": ["cat", "ann"], "body": "Both"}),
                       (f"/api/v1/conversations/{pair}/messages", {"body": "Still me"}),
                       (f"/api/v1/conversations/{trio}/messages", {"body": "To all"})]:
        refused = await client.post(path, headers=ben_headers, json=body)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["error"]["message"] == REFUSAL
    # Nothing else changes for him: others, and conversations he is not in (still 404).
    assert (await client.post("/api/v1/conversations", headers=ben_headers,
                              json={"to": ["cat"], "body": "Hi cat"})).status_code == 201
    other = (await client.post("/api/v1/conversations", headers=ann_headers,
                               json={"to": ["cat"], "body": "Just us"})).json()["id"]
    assert (await client.post(f"/api/v1/conversations/{other}/messages", headers=ben_headers,
                              json={"body": "x"})).status_code == 404
    # The blocker can still write; once unblocked, he can answer again.
    assert (await client.post(f"/api/v1/conversations/{pair}/messages", headers=ann_headers,
                              json={"body": "From ann"})).status_code == 201
    await block_actions.unblock(forum, ann_member, "ben")
    assert (await client.post(f"/api/v1/conversations/{pair}/messages", headers=ben_headers,
                              json={"body": "Thanks"})).status_code == 201


async def test_a_blocked_member_is_refused_by_the_forms(client, forum):
    ann = await make_member(forum, "ann")
    await make_member(forum, "ben")
    conversation_id = await conversation_actions.start(forum, ann, ["ben"], "", "Hello")
    await block_actions.block(forum, ann, "ben")
    await log_in(client, "ben")
    started = await client.post("/messages", data={"to": "ann", "title": "", "body": "Kept words",
                                                   "csrf_token": await csrf_token(client, "/messages")})
    assert started.status_code == 403
    assert REFUSAL.replace("'", "&#39;") in started.text and "Kept words</textarea>" in started.text
    path = f"/messages/{conversation_id}"
    sent = await client.post(path, data={"body": "Answer", "csrf_token": await csrf_token(client, path)})
    assert sent.status_code == 403 and REFUSAL.replace("'", "&#39;") in sent.text
    stored, _ = await conversations.messages_page(forum.db, conversation_id, None, 10)
    assert [m["body"] for m in stored] == ["Hello"]


async def test_a_mention_of_the_blocker_links_but_does_not_notify(forum):
    ann = await make_member(forum, "ann")
    ben = await make_member(forum, "ben")
    cat = await make_member(forum, "cat")
    await block_actions.block(forum, ann, "ben")
    thread_id = await thread_actions.create_thread(forum, ben, "Hello", "Hi @ann and @cat", ["general-chat"])
    opening = await posts.opening_post(forum.db, thread_id)
    assert 'href="/u/ann"' in opening["html"]  # the mention still links
    assert await notifications.unread_count(forum.db, ann.id) == 0
    assert await notifications.unread_count(forum.db, cat.id) == 1

