"""Leaving a conversation (gone from your list, out of earshot, the others told) and muting
one (no header count or live nudge from it)."""

from __future__ import annotations

import asyncio

import httpx

from forum.actions import conversations as conversation_actions
from forum.actions.notify import user_channel
from forum.db import conversations, live_log
from tests.helpers import api_token, csrf_token, make_member
from tests.live_helpers import LiveClient, session_cookie
from tests.test_message_pages import log_in


async def test_leaving_by_form(client, forum):
    ann = await make_member(forum, "ann")
    ben = await make_member(forum, "ben")
    await make_member(forum, "cat")
    conversation_id = await conversation_actions.start(forum, ann, ["ben", "cat"], "Trio", "Hello both")
    await log_in(client, "ann")
    path = f"/messages/{conversation_id}"
    left = await client.post(f"{path}/leave", data={"csrf_token": await csrf_token(client, path)})
    assert left.status_code == 303 and left.headers["location"] == "/messages"
    assert "Trio" not in (await client.get("/messages")).text
    assert (await client.get(path)).status_code == 404
    people = await conversations.participants(forum.db, conversation_id)
    assert [p["username"] for p in people] == ["ben", "cat"]
    shown, _ = await conversations.messages_page(forum.db, conversation_id, None, 10)
    assert [m["kind"] for m in shown] == ["text", "left"]
    await client.post("/logout", data={"csrf_token": await csrf_token(client)})
    await log_in(client, "ben")
    assert "ann left the conversation" in (await client.get(path)).text
    await conversation_actions.send(forum, ben, conversation_id, "Just us now")
    assert await conversations.unread_total(forum.db, ann.id) == 0


async def test_a_leaver_hears_nothing_more_on_an_open_connection(live_server):
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as http:
        ann_cookie = await session_cookie(live_server.base_url, "ann")
        ann = await api_token(http, "ann", signup=False)
        ben = await api_token(http, "ben")
        conversation_id = (await http.post("/api/v1/conversations", headers=ben,
                                           json={"to": ["ann"], "body": "First"})).json()["id"]
        channel = f"conversation:{conversation_id}"
        listener = await LiveClient.open(live_server.ws_url, cookie=ann_cookie)
        # A public channel beside it: what is logged there after "Secret" arrives after anything
        # logged before it, so once it is here, "Secret" would have been too.
        await listener.subscribe([channel, "category:general-chat"])
        url = f"/api/v1/conversations/{conversation_id}"
        assert (await http.post(f"{url}/leave", headers=ann)).status_code == 204
        await listener.receive_events(2)  # the "left" line and the leaving itself
        await http.post(f"{url}/messages", headers=ben, json={"body": "Secret"})
        after = await http.post("/api/v1/threads", headers=ben, json={
            "title": "Logged after the secret", "body": "Public", "categories": ["general-chat"]})
        assert after.status_code == 201
        async with asyncio.timeout(30):
            while not any(e["event"] == "thread.created" for e in listener.events):
                await listener.receive()
        await listener.send({"type": "typing", "channel": channel})
        refused = await listener.receive_type("error")
        assert refused["code"] == "invalid_frame"
        assert "Secret" not in str(listener.frames)
        again = await http.get(f"/api/v1/conversations/{conversation_id}", headers=ann)
        assert again.status_code == 404
        await listener.close()


async def test_muting_stops_the_count_and_the_nudge(client, forum):
    ann = await make_member(forum, "ann")
    ben = await make_member(forum, "ben")
    conversation_id = await conversation_actions.start(forum, ann, ["ben"], "", "One")
    assert await conversations.unread_total(forum.db, ben.id) == 1
    await conversation_actions.mute(forum, ben, conversation_id, True)
    assert await conversations.unread_total(forum.db, ben.id) == 0
    before = len(await live_log.after(forum.db, 0, [user_channel(ben.id)]))
    await conversation_actions.send(forum, ann, conversation_id, "Two")
    assert len(await live_log.after(forum.db, 0, [user_channel(ben.id)])) == before
    await log_in(client, "ben")
    path = f"/messages/{conversation_id}"
    assert "Muted" in (await client.get("/messages")).text
    await client.post(f"{path}/mute", data={"muted": "0", "csrf_token": await csrf_token(client, path)})
    assert await conversations.unread_total(forum.db, ben.id) == 0  # the page above read it
    await conversation_actions.send(forum, ann, conversation_id, "Three")
    assert await conversations.unread_total(forum.db, ben.id) == 1
    headers = {"Authorization": "Bearer x"}
    assert (await client.post(f"/api/v1/conversations/{conversation_id}/mute", headers=headers,
                              json={"muted": True})).status_code == 401
