"""Private conversations through the API: only participants see them; everyone else gets 404."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from forum.db import moderation, sessions, users
from tests.helpers import api_token, make_member
from tests.live_helpers import LiveClient, session_cookie


@pytest.fixture
async def talk(client):
    ann = await api_token(client, "ann")
    ben = await api_token(client, "ben")
    started = await client.post("/api/v1/conversations", headers=ann,
                                json={"to": ["ben"], "title": "Plans", "body": "Hello **Ben**"})
    assert started.status_code == 201, started.text
    return ann, ben, started.json()["id"]


async def test_participants_read_and_write_with_unread_counts(client, talk):
    ann, ben, conversation_id = talk
    listed = (await client.get("/api/v1/conversations", headers=ben)).json()["conversations"]
    assert [(c["id"], c["participants"], c["unread"]) for c in listed] == [
        (conversation_id, ["ann", "ben"], 1)]
    page = (await client.get(f"/api/v1/conversations/{conversation_id}", headers=ben)).json()
    assert [m["author"] for m in page["messages"]] == ["ann"]
    assert "<strong>Ben</strong>" in page["messages"][0]["html"]
    assert (await client.get("/api/v1/conversations", headers=ben)).json()["conversations"][0]["unread"] == 0
    sent = await client.post(f"/api/v1/conversations/{conversation_id}/messages", headers=ben,
                             json={"body": "Hi"})
    assert sent.status_code == 201 and sent.json()["author"] == "ben"
    assert (await client.get("/api/v1/conversations", headers=ann)).json()["conversations"][0]["unread"] == 1


@pytest.mark.parametrize("role", ["member", "moderator", "admin"])
async def test_anyone_else_gets_404_on_every_route(client, forum, talk, role):
    _, _, conversation_id = talk
    outsider = await make_member(forum, f"out{role}", role=role)
    headers = {"Authorization": "Bearer " + await sessions.create_api_token(forum.db, outsider.id)}
    read = await client.get(f"/api/v1/conversations/{conversation_id}", headers=headers)
    write = await client.post(f"/api/v1/conversations/{conversation_id}/messages", headers=headers,
                              json={"body": "Let me in"})
    assert read.status_code == 404 and write.status_code == 404
    assert (await client.get("/api/v1/conversations", headers=headers)).json() == {"conversations": []}
    visitor = await client.get(f"/api/v1/conversations/{conversation_id}")
    assert visitor.status_code == 401


async def test_a_suspended_participant_reads_but_cannot_write(client, forum, talk):
    _, ben, conversation_id = talk
    await moderation.set_suspended(forum.db, (await users.by_username(forum.db, "ben"))["id"], True)
    assert (await client.get(f"/api/v1/conversations/{conversation_id}", headers=ben)).status_code == 200
    refused = await client.post(f"/api/v1/conversations/{conversation_id}/messages", headers=ben,
                                json={"body": "Still here"})
    assert refused.status_code == 403
    assert (await client.post("/api/v1/conversations", headers=ben,
                              json={"to": ["ann"], "body": "New"})).status_code == 403


async def test_participants_are_capped_and_must_exist(client, forum, talk):
    ann, _, _ = talk
    unknown = await client.post("/api/v1/conversations", headers=ann, json={"to": ["nobody"], "body": "Hi"})
    assert unknown.status_code == 400 and "nobody" in unknown.json()["error"]["fields"]["to"]
    for n in range(20):
        await make_member(forum, f"many{n}")
    crowd = await client.post("/api/v1/conversations", headers=ann,
                              json={"to": [f"many{n}" for n in range(20)], "body": "Hi all"})
    assert crowd.status_code == 400 and "at most 20" in crowd.json()["error"]["fields"]["to"]


async def test_only_participants_may_listen_live(live_server):
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as http:
        ann = await api_token(http, "ann")
        await api_token(http, "ben")
        conversation_id = (await http.post("/api/v1/conversations", headers=ann,
                                           json={"to": ["ben"], "body": "First"})).json()["id"]
        channel = f"conversation:{conversation_id}"
        outsider_cookie = await session_cookie(live_server.base_url, "outsider")
        outsider = await LiveClient.open(live_server.ws_url, cookie=outsider_cookie)
        await outsider.send({"type": "subscribe", "channels": [channel]})
        refused = await outsider.receive_type("error")
        assert refused["code"] == "unknown_channel"
        await outsider.close()
        participant = await LiveClient.open(live_server.ws_url, cookie=await session_cookie(
            live_server.base_url, "cat"))
        cat = await api_token(http, "cat", signup=False)
        conversation_id = (await http.post("/api/v1/conversations", headers=ann,
                                           json={"to": ["cat"], "body": "First"})).json()["id"]
        await participant.subscribe([f"conversation:{conversation_id}"])
        await http.post(f"/api/v1/conversations/{conversation_id}/messages", headers=cat,
                        json={"body": "Yes"})
        # "First" may come too: subscribing without `since` starts where the hub stood, which
        # can be before ann's first message was read from the log.
        async with asyncio.timeout(30):
            while not any(e["data"].get("body") == "Yes" for e in participant.events):
                await participant.receive()
        heard = [(e["event"], e["data"]["body"]) for e in participant.events]
        assert heard in ([("message.created", "Yes")],
                         [("message.created", "First"), ("message.created", "Yes")])
        await participant.close()
