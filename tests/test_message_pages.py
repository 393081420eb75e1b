"""Private conversations as pages: /messages, /messages/{id}, "Send a message" on a profile,
and the header's count; live on a real server: new messages, typing and the count."""

from __future__ import annotations

import re

import httpx
import pytest

from forum.actions import conversations as conversation_actions
from forum.db import conversations
from tests.helpers import PASSWORD, csrf_token, make_member, submit
from tests.live_helpers import LiveClient, session_cookie
from tests.test_page_cache import hub_caught_up


async def log_in(client: httpx.AsyncClient, username: str) -> None:
    response = await submit(client, "/login", {"username": username, "password": PASSWORD}, "/login")
    assert response.status_code == 303, response.text


async def test_starting_a_conversation_from_a_profile(client, forum):
    await make_member(forum, "ann")
    await make_member(forum, "ben")
    await log_in(client, "ann")
    profile = (await client.get("/u/ben")).text
    assert 'href="/messages?to=ben"' in profile and "Send a message" in profile
    assert "Send a message" not in (await client.get("/u/ann")).text  # not to yourself
    page = (await client.get("/messages?to=ben")).text
    assert 'name="to" value="ben"' in page
    started = await client.post("/messages", data={"to": "ben", "title": "Plans", "body": "Hello **Ben**",
                                                   "csrf_token": await csrf_token(client, "/messages")})
    assert started.status_code == 303
    shown = (await client.get(started.headers["location"])).text
    assert "<h1>Plans</h1>" in shown and "<strong>Ben</strong>" in shown


async def test_a_refused_form_keeps_what_was_typed(client, forum):
    await make_member(forum, "ann")
    await log_in(client, "ann")
    refused = await client.post("/messages", data={"to": "nobody, ann", "title": "T", "body": "Kept <words>",
                                                   "csrf_token": await csrf_token(client, "/messages")})
    assert refused.status_code == 400
    assert "No member is called nobody." in refused.text
    assert "Kept &lt;words&gt;</textarea>" in refused.text and 'value="nobody, ann"' in refused.text
    assert (await client.post("/messages", data={"to": "ann", "body": "x"})).status_code == 403  # no CSRF


async def test_the_list_newest_first_with_unread_counts_and_the_header(client, forum):
    ann = await make_member(forum, "ann")
    ben = await make_member(forum, "ben")
    await make_member(forum, "cat")
    older = await conversation_actions.start(forum, ann, ["ben"], "Older", "One")
    await conversation_actions.send(forum, ann, older, "Two")
    newer = await conversation_actions.start(forum, ann, ["ben", "cat"], "", "Three")
    await log_in(client, "ben")
    page = (await client.get("/messages")).text
    assert page.index(f'href="/messages/{newer}">ann, cat<') < page.index(f'href="/messages/{older}">Older<')
    assert re.search(rf'/messages/{older}">Older</a>\s*<span class="badge">2 new', page)
    assert 'class="message-count">3<' in page
    read = (await client.get(f"/messages/{older}")).text
    assert read.index("One") < read.index("Two")  # oldest first
    assert 'class="message-count">1<' in read  # reading marked it read, before the header counted
    await conversation_actions.send(forum, ben, older, "My own")  # your own message is never unread
    assert 'class="message-count">1<' in (await client.get("/messages")).text


async def test_a_long_conversation_a_page_at_a_time(client, forum):
    ann = await make_member(forum, "ann")
    await make_member(forum, "ben")
    conversation_id = await conversation_actions.start(forum, ann, ["ben"], "Long", "Message 0")
    for n in range(1, 60):
        await conversations.add_message(forum.db, conversation_id, ann.id, f"Message {n}",
                                        f"<p>Message {n}</p>", (await conversations.message_by_id(
                                            forum.db, 1))["created_at"])
    ben_id = (await conversations.participants(forum.db, conversation_id))[1]["id"]
    await log_in(client, "ben")
    latest = (await client.get(f"/messages/{conversation_id}")).text
    assert "Message 59" in latest and "Message 10<" in latest and "Message 9<" not in latest
    older = re.search(r'href="(/messages/\d+\?before=\d+)"', latest).group(1)
    earlier = (await client.get(older)).text
    assert "Message 0<" in earlier and "Message 9<" in earlier and "Message 10<" not in earlier
    assert "Latest messages" in earlier
    assert (await client.get(f"/messages/{conversation_id}?before=x")).status_code == 400
    assert await conversations.unread_total(forum.db, ben_id) == 0


async def test_replying_by_form(client, forum):
    ann = await make_member(forum, "ann")
    await make_member(forum, "ben")
    conversation_id = await conversation_actions.start(forum, ann, ["ben"], "", "Hi")
    await log_in(client, "ben")
    path = f"/messages/{conversation_id}"
    sent = await client.post(path, data={"body": "Hello *Ann*", "csrf_token": await csrf_token(client, path)})
    assert sent.status_code == 303 and sent.headers["location"].startswith(path + "#message-")
    assert "<em>Ann</em>" in (await client.get(path)).text
    empty = await client.post(path, data={"body": " ", "csrf_token": await csrf_token(client, path)})
    assert empty.status_code == 400 and 'class="field-error"' in empty.text


@pytest.mark.parametrize("role", ["member", "moderator", "admin"])
async def test_anyone_else_gets_404_on_every_page(client, forum, role):
    ann = await make_member(forum, "ann")
    await make_member(forum, "ben")
    conversation_id = await conversation_actions.start(forum, ann, ["ben"], "Secret plans", "Private words")
    await make_member(forum, "other", role=role)
    await log_in(client, "other")
    # Pages carry the hub's cursor (where live updates resume): let it stand still between them.
    await hub_caught_up(forum)
    path = f"/messages/{conversation_id}"
    read = await client.get(path)
    write = await client.post(path, data={"body": "Let me in", "csrf_token": await csrf_token(client)})
    missing = await client.get("/messages/999999")
    assert read.status_code == write.status_code == missing.status_code == 404
    assert read.text.replace(path, "") == missing.text.replace("/messages/999999", "")  # nothing told apart
    listed = (await client.get("/messages")).text
    assert "Secret plans" not in listed and "Private words" not in listed
    stored, _ = await conversations.messages_page(forum.db, conversation_id, None, 10)
    assert stored[-1]["body"] == "Private words"  # it is there: the 404 is the rule, not a miss


async def test_visitors_are_asked_to_log_in(client, forum):
    ann = await make_member(forum, "ann")
    await make_member(forum, "ben")
    conversation_id = await conversation_actions.start(forum, ann, ["ben"], "", "Hi")
    for path in ("/messages", f"/messages/{conversation_id}"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={path}"


async def test_live_messages_typing_and_the_count(live_server):
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as http:
        ann_cookie = await session_cookie(live_server.base_url, "ann", "Ann")
        ben_cookie = await session_cookie(live_server.base_url, "ben", "Ben")
        page = await http.get("/messages", headers={"Cookie": ann_cookie})
        token = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text).group(1)
        ann = {"Cookie": ann_cookie, "X-CSRF-Token": token}
        started = await http.post("/api/v1/conversations", headers=ann, json={"to": ["ben"], "body": "First"})
        conversation_id = started.json()["id"]
        ben_page = await http.get(f"/messages/{conversation_id}", headers={"Cookie": ben_cookie})
        assert f'data-channel="conversation:{conversation_id}"' in ben_page.text
        ben_id = int(re.search(r'data-channel="user:(\d+)"', ben_page.text).group(1))
        channel = f"conversation:{conversation_id}"
        ben_socket = await LiveClient.open(live_server.ws_url, cookie=ben_cookie)
        ann_socket = await LiveClient.open(live_server.ws_url, cookie=ann_cookie)
        await ben_socket.subscribe([channel, f"user:{ben_id}"])
        await ann_socket.subscribe([channel])
        await ann_socket.send({"type": "typing", "channel": channel})
        typing = await ben_socket.receive_type("typing")
        assert (typing["channel"], typing["user"], typing["display_name"]) == (channel, "ann", "Ann")
        sent = await http.post(f"/api/v1/conversations/{conversation_id}/messages", headers=ann,
                               json={"body": "Are you **there**?"})
        assert sent.status_code == 201
        created, unread = await ben_socket.receive_events(2)
        assert created["event"] == "message.created" and created["channel"] == channel
        fragment = created["data"]["fragment"]
        assert 'id="message-' in fragment and "<strong>there</strong>" in fragment
        assert unread["event"] == "message.unread" and unread["channel"] == f"user:{ben_id}"
        assert unread["data"] == {"conversation_id": conversation_id, "unread": 1}
        # The open page marks it read as it arrives, with the CSRF header a cookie needs.
        ben_token = re.search(r'name="csrf-token" content="([0-9a-f]+)"', ben_page.text).group(1)
        read_url = f"/api/v1/conversations/{conversation_id}/read"
        assert (await http.post(read_url, headers={"Cookie": ben_cookie},
                                json={"up_to": created["data"]["id"]})).status_code == 403
        read = await http.post(read_url, headers={"Cookie": ben_cookie, "X-CSRF-Token": ben_token},
                               json={"up_to": created["data"]["id"]})
        assert read.json() == {"unread": 0}
        assert (await http.post(read_url, headers=ann, json={"up_to": "x"})).status_code == 400
        await ann_socket.close()
        await ben_socket.close()
