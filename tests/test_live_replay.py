"""A page that resumes from an old event id (or from 0) replays nothing that was taken down
since: posts as they stand now, deleted and hidden ones as their placeholders, titles, names
and banners in their present words. Against a real `forum serve` and real WebSocket clients."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from forum.clock import utcnow
from forum.db.engine import Database
from tests.helpers import PASSWORD, api_token, reply, start_thread
from tests.live_helpers import LiveClient, session_cookie


@pytest.fixture
async def http(live_server):
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as client:
        yield client


async def make_moderator(http: httpx.AsyncClient, database_url: str, name: str) -> dict[str, str]:
    created = await http.post("/api/v1/users", json={"username": name, "password": PASSWORD})
    assert created.status_code == 201, created.text
    db = Database(database_url)
    await db.connect()
    try:
        await db.execute("UPDATE users SET role = 'moderator' WHERE username = :u", {"u": name})
    finally:
        await db.disconnect()
    return await api_token(http, name, signup=False)


async def replayed(ws_url: str, channels: list[str], since: int = 0,
                   cookie: str | None = None) -> list[dict[str, Any]]:
    """What an anonymous visitor (or the member signed in by `cookie`) resuming from `since` is
    sent before `subscribed`."""
    client = await LiveClient.open(ws_url, cookie=cookie)
    try:
        await client.subscribe(channels, since=since)
        return client.events
    finally:
        await client.close()


async def take_down_posts(http: httpx.AsyncClient, author: dict[str, str], moderator: dict[str, str],
                          thread_id: int) -> dict[str, int]:
    """Four replies: one kept, one hidden, one edited, one deleted by its author."""
    ids = {name: (await reply(http, author, thread_id, words))["id"] for name, words in [
        ("kept", "kept words"), ("hidden", "hidden zebra words"),
        ("edited", "first draft yak"), ("deleted", "deleted walrus words")]}
    response = await http.post(f"/api/v1/posts/{ids['hidden']}/hide", headers=moderator,
                               json={"reason": "off topic"})
    assert response.status_code == 200, response.text
    response = await http.patch(f"/api/v1/posts/{ids['edited']}", headers=author,
                                json={"body": "second draft"})
    assert response.status_code == 200, response.text
    response = await http.delete(f"/api/v1/posts/{ids['deleted']}", headers=author)
    assert response.status_code == 204, response.text
    return ids


TAKEN_DOWN = ("zebra", "yak", "walrus")


async def test_a_replay_carries_each_post_as_it_stands_now(live_server, http, database_url):
    author = await api_token(http, "writer")
    moderator = await make_moderator(http, database_url, "keeper")
    thread = await start_thread(http, author, title="Replays")
    channel = f"thread:{thread['id']}"
    # A reader open all along saw the words as they were written: they were in the log.
    watcher = await LiveClient.open(live_server.ws_url)
    await watcher.subscribe([channel])
    ids = await take_down_posts(http, author, moderator, thread["id"])
    seen_live = json.dumps(await watcher.receive_events(7))
    await watcher.close()
    assert all(word in seen_live for word in TAKEN_DOWN)

    events = await replayed(live_server.ws_url, [channel, "category:general-chat"])
    text = json.dumps(events)
    for word in TAKEN_DOWN:
        assert word not in text
    assert "kept words" in text and "second draft" in text
    # Every event is still replayed, in order, each carrying the post as it now stands.
    about = {name: [e for e in events if e["channel"] == channel and e["data"]["post_id"] == post_id]
             for name, post_id in ids.items()}
    assert [e["event"] for e in about["hidden"]] == ["post.created", "post.hidden"]
    assert [e["event"] for e in about["edited"]] == ["post.created", "post.edited"]
    assert [e["event"] for e in about["deleted"]] == ["post.created", "post.deleted"]
    for name in ("hidden", "edited", "deleted"):
        first, last = about[name]
        assert first["data"]["html"] == last["data"]["html"]
        assert first["data"]["path"] and first["data"]["parent_id"]  # still placed in the tree
    assert "off topic" in about["hidden"][0]["data"]["html"]  # the public reason, in its place
    # The same holds from any point in the log, not only from the start.
    from_middle = json.dumps(await replayed(live_server.ws_url, [channel], since=about["kept"][0]["id"]))
    assert "second draft" in from_middle
    assert not any(word in from_middle for word in TAKEN_DOWN)


async def test_a_replay_shows_titles_names_and_banners_as_they_are_now(live_server, http, database_url):
    moderator = await make_moderator(http, database_url, "keeper")
    created = await http.post("/api/v1/users", json={
        "username": "otterfan", "password": PASSWORD, "display_name": "Olive Otterly"})
    assert created.status_code == 201, created.text
    member = await api_token(http, "otterfan", signup=False)
    thread = await start_thread(http, member, title="Member's thread")
    await reply(http, member, thread["id"], "A reply under the old name")
    start = utcnow() + timedelta(days=5)
    response = await http.post("/api/v1/events", headers=moderator, json={
        "title": "Owl watching day", "body": "Bring binoculars", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(), "location": "online", "capacity": 5,
        "categories": ["general-chat"]})
    assert response.status_code == 201, response.text
    event = response.json()
    response = await http.patch(f"/api/v1/events/{event['id']}", headers=moderator, json={
        "title": "Bird watching day", "body": "Bring binoculars", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(), "location": "online", "capacity": 5})
    assert response.status_code == 200, response.text
    for text in ("Heron sighting at noon", "Event moved to Friday"):
        response = await http.post("/api/v1/banner", headers=moderator, json={"text": text})
        assert response.status_code == 200, response.text
    response = await http.patch("/api/v1/me", headers=member, json={"display_name": "Olive Green"})
    assert response.status_code == 200, response.text

    channels = ["category:general-chat", "category:welcome", "site", f"thread:{thread['id']}",
                f"thread:{event['thread_id']}"]
    events = await replayed(live_server.ws_url, channels)
    text = json.dumps(events, ensure_ascii=False)
    assert "Owl" not in text and "Bird watching day" in text
    assert "Otterly" not in text and "Olive Green" in text
    assert "Heron" not in text and "Event moved to Friday" in text
    # Who joined is told to signed-in members alone, on "members" (was category:welcome).
    members = await replayed(live_server.ws_url, ["members"],
                             cookie=await session_cookie(live_server.base_url, "replay_reader"))
    joined = [e for e in members if e["event"] == "member.joined" and e["data"]["username"] == "otterfan"]
    assert [e["data"]["display_name"] for e in joined] == ["Olive Green"]

    response = await http.delete("/api/v1/banner", headers=moderator)
    assert response.status_code == 204
    site = await replayed(live_server.ws_url, ["site"])
    assert "Event moved" not in json.dumps(site)
    assert {e["event"] for e in site} == {"banner.cleared"}
