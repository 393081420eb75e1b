"""Live updates over /ws against a real `forum serve` process and real WebSocket clients."""

from __future__ import annotations

import asyncio
import json
import random

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from forum.db import live_log
from forum.db.engine import Database
from tests.helpers import api_token, reply, start_thread
from tests.live_helpers import LiveClient, StalledClient, follow_with_drops, session_cookie


@pytest.fixture
async def http(live_server):
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as client:
        yield client


@pytest.fixture
async def author(http):
    return await api_token(http, "writer")


async def test_subscribe_answers_with_the_last_event_id(live_server, http, author):
    thread = await start_thread(http, author)
    client = await LiveClient.open(live_server.ws_url)
    subscribed = await client.subscribe([f"thread:{thread['id']}", "category:general-chat"])
    assert subscribed["channels"] == ["category:general-chat", f"thread:{thread['id']}"]
    assert subscribed["last_id"] >= 1
    await client.close()


async def test_a_reply_reaches_every_subscriber_with_its_html(live_server, http, author):
    thread = await start_thread(http, author)
    clients = [await LiveClient.open(live_server.ws_url) for _ in range(3)]
    for client in clients:
        await client.subscribe([f"thread:{thread['id']}"])
    post = await reply(http, author, thread["id"], "Hello **everyone**")
    for client in clients:
        [event] = await client.receive_events(1)
        assert event["event"] == "post.created" and event["channel"] == f"thread:{thread['id']}"
        assert event["data"]["post_id"] == post["id"]
        assert f'id="post-{post["id"]}"' in event["data"]["html"]
        assert "<strong>everyone</strong>" in event["data"]["html"]
        await client.close()


async def test_channel_subscribers_see_new_threads_and_bumps(live_server, http, author):
    client = await LiveClient.open(live_server.ws_url)
    await client.subscribe(["category:tools-methods"])
    thread = await start_thread(http, author, title="Survey tools", categories=["tools-methods"])
    await reply(http, author, thread["id"], "A reply bumps it")
    created, bumped = await client.receive_events(2)
    assert created["event"] == "thread.created" and "Survey tools" in created["data"]["html"]
    assert bumped["event"] == "post.created" and bumped["data"]["reply_count"] == 1
    await client.close()


async def test_resume_with_since_gets_exactly_the_missed_events(live_server, http, author):
    thread = await start_thread(http, author)
    channel = f"thread:{thread['id']}"
    client = await LiveClient.open(live_server.ws_url)
    await client.subscribe([channel])
    await reply(http, author, thread["id"], "seen")
    [seen] = await client.receive_events(1)
    await client.close()
    missed = [await reply(http, author, thread["id"], f"missed {i}") for i in range(20)]
    other = await start_thread(http, author)  # events on other channels are not replayed
    await reply(http, author, other["id"], "elsewhere")

    resumed = await LiveClient.open(live_server.ws_url)
    subscribed = await resumed.subscribe([channel], since=seen["id"])
    assert [e["data"]["post_id"] for e in resumed.events] == [p["id"] for p in missed]
    ids = [e["id"] for e in resumed.events]
    assert ids == sorted(set(ids)) and subscribed["last_id"] >= ids[-1]
    after = await reply(http, author, thread["id"], "live again")
    [*_, live] = await resumed.receive_events(21)
    assert live["data"]["post_id"] == after["id"]
    await resumed.close()


async def test_a_stopping_server_closes_every_live_socket_with_service_restart(live_server, http, author):
    """`forum serve` stopping (SIGTERM, as a deploy does) closes each live socket with 1012,
    "service restart", which is what tells a page to spread its first retry over seconds
    (static/src/forum.js). Each reader resumes on the restarted server, on the same port and
    database, from the last id it saw: what was posted meanwhile arrives once, in order."""
    thread = await start_thread(http, author)
    channel = f"thread:{thread['id']}"
    readers = [await LiveClient.open(live_server.ws_url) for _ in range(5)]
    for reader in readers:
        await reader.subscribe([channel])
    await reply(http, author, thread["id"], "Before the restart")
    for reader in readers:
        await reader.receive_events(1)

    await asyncio.to_thread(live_server.stop)
    for reader in readers:
        async with asyncio.timeout(10):
            await reader.connection.wait_closed()
        assert reader.connection.close_code == 1012
    await asyncio.to_thread(live_server.start)
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as again:
        missed = [await reply(again, author, thread["id"], f"While away {n}") for n in range(3)]
    for reader in readers:
        resumed = await LiveClient.open(live_server.ws_url)
        await resumed.subscribe([channel], since=reader.last_event_id)
        assert [e["data"]["post_id"] for e in resumed.events] == [p["id"] for p in missed]
        await resumed.close()


async def test_edits_deletions_pins_locks_and_moves_are_events(live_server, http, author):
    from tests.helpers import PASSWORD

    thread = await start_thread(http, author)
    post = await reply(http, author, thread["id"], "first version")
    moderator_name = "moderator1"
    await http.post("/api/v1/users", json={"username": moderator_name, "password": PASSWORD})
    db = Database(live_server.database_url)
    await db.connect()
    await db.execute("UPDATE users SET role = 'moderator' WHERE username = :u", {"u": moderator_name})
    await db.disconnect()
    moderator = await api_token(http, moderator_name, signup=False)
    client = await LiveClient.open(live_server.ws_url)
    await client.subscribe([f"thread:{thread['id']}"])
    await http.patch(f"/api/v1/posts/{post['id']}", headers=author, json={"body": "second version"})
    await http.delete(f"/api/v1/posts/{post['id']}", headers=author)
    for action in ("pin", "unpin", "lock", "unlock"):
        response = await http.post(f"/api/v1/threads/{thread['id']}/{action}", headers=moderator)
        assert response.status_code == 200
    await http.post(f"/api/v1/threads/{thread['id']}/move", headers=moderator,
                    json={"categories": ["values-principles"]})
    events = await client.receive_events(7)
    assert [e["event"] for e in events] == [
        "post.edited", "post.deleted", "thread.pinned", "thread.unpinned", "thread.locked",
        "thread.unlocked", "thread.moved"]
    assert "second version" in events[0]["data"]["html"]
    assert "This post was deleted" in events[1]["data"]["html"]
    assert events[6]["data"]["to"] == ["values-principles"]
    await client.close()


async def test_bad_frames_get_errors_and_the_connection_stays_up(live_server, http, author):
    thread = await start_thread(http, author)
    client = await LiveClient.open(live_server.ws_url)
    for frame, code in [
        ("this is not json", "invalid_json"),
        ("[1, 2]", "invalid_frame"),
        ({"type": "dance"}, "unknown_type"),
        ({"type": "subscribe", "channels": ["category:no-such"]}, "unknown_channel"),
        ({"type": "subscribe", "channels": ["thread:999999"]}, "unknown_channel"),
        ({"type": "subscribe", "channels": ["nonsense"]}, "unknown_channel"),
        ({"type": "subscribe", "channels": "thread:1"}, "invalid_frame"),
        ({"type": "subscribe", "channels": [f"thread:{thread['id']}"], "since": -1}, "invalid_frame"),
        (json.dumps({"type": "subscribe", "pad": "x" * 20_000}), "too_large"),
    ]:
        await client.send(frame)
        error = await client.receive()
        assert error["type"] == "error" and error["code"] == code, (frame, error)
        assert error["message"]
    subscribed = await client.subscribe([f"thread:{thread['id']}"])
    assert subscribed["type"] == "subscribed"
    await client.close()


async def test_typing_needs_a_member_and_reaches_others(live_server, http, author):
    thread = await start_thread(http, author)
    channel = f"thread:{thread['id']}"
    anonymous = await LiveClient.open(live_server.ws_url)
    await anonymous.subscribe([channel])
    await anonymous.send({"type": "typing", "channel": channel})
    refused = await anonymous.receive_type("error")
    assert refused["code"] == "forbidden"

    cookie = await session_cookie(live_server.base_url, "typist")
    typist = await LiveClient.open(live_server.ws_url, cookie=cookie)
    await typist.subscribe([channel])
    presence = await anonymous.receive_type("presence")
    assert presence["users"] == ["typist"]
    await typist.send({"type": "typing", "channel": channel})
    typing = await anonymous.receive_type("typing")
    assert typing == {"type": "typing", "channel": channel, "user": "typist", "display_name": "typist"}
    await typist.close()
    gone = await anonymous.receive_type("presence")
    assert gone["users"] == []
    await anonymous.close()


async def test_live_frames_are_not_compressed_though_the_client_offers_it(live_server):
    """Browsers offer permessage-deflate on every socket; the server declines, so 10,000 readers
    do not each keep a compressor and compress every frame again (forum/cli.py)."""
    client = await LiveClient.open(live_server.ws_url, compression="deflate")
    try:
        offered = client.connection.request.headers.get("Sec-WebSocket-Extensions", "")
        assert "permessage-deflate" in offered
        assert client.connection.response.headers.get("Sec-WebSocket-Extensions") is None
        assert (await client.subscribe(["site"]))["type"] == "subscribed"
    finally:
        await client.connection.close()


async def test_the_handshake_checks_origin(live_server):
    with pytest.raises(InvalidStatus) as refused:
        await LiveClient.open(live_server.ws_url, origin="https://evil.example")
    assert refused.value.response.status_code == 403
    same_site = await LiveClient.open(live_server.ws_url, origin=live_server.base_url)
    await same_site.subscribe(["category:welcome"])
    await same_site.close()


async def test_an_old_since_gets_reset(live_server, http, author):
    thread = await start_thread(http, author)
    for i in range(3):
        await reply(http, author, thread["id"], f"r{i}")
    db = Database(live_server.database_url)
    await db.connect()
    await live_log.prune(db, max_count=1, max_age_seconds=3600)
    await db.disconnect()
    client = await LiveClient.open(live_server.ws_url)
    await client.send({"type": "subscribe", "channels": [f"thread:{thread['id']}"], "since": 1})
    assert (await client.receive())["type"] == "reset"
    assert (await client.receive())["type"] == "subscribed"
    await client.close()


async def test_random_drops_and_resumes_during_a_burst_lose_nothing(live_server, http):
    """4 writers post 240 replies at once; 5 readers drop and resume at random throughout.
    (The minute-long fault test and bench/ carry the heavier load.)"""
    writers = [await api_token(http, f"burst{i}") for i in range(4)]
    thread = await start_thread(http, writers[0])
    channel = f"thread:{thread['id']}"
    total = 240
    done = asyncio.Event()
    rng = random.Random(20261122)

    async def write(headers, count):
        for i in range(count):
            await reply(http, headers, thread["id"], f"burst {i}")

    readers = [asyncio.create_task(follow_with_drops([live_server.ws_url], channel, done, rng))
               for _ in range(5)]
    await asyncio.sleep(0.2)
    await asyncio.gather(*(write(h, total // 4) for h in writers))
    done.set()
    results = await asyncio.gather(*readers)

    db = Database(live_server.database_url)
    await db.connect()
    logged = [row["id"] for row in await live_log.after(db, 0, [channel], limit=10_000)]
    await db.disconnect()
    assert len(logged) == total
    for seen in results:
        assert seen == logged, "every reader has every event once, in order"


async def test_a_stalled_client_is_dropped_without_delaying_others(live_server, http, author):
    thread = await start_thread(http, author)
    channel = f"thread:{thread['id']}"
    stalled = StalledClient(live_server.port)
    await stalled.subscribe([channel])
    reader = await LiveClient.open(live_server.ws_url)
    await reader.subscribe([channel])
    big = "x" * 40_000  # 200 events of 40 KB: far more than one client's send queue holds
    # The reader reads as the replies go out, as a page does (frames are not compressed: one
    # that read nothing until the end would itself be 8 MB behind, and rightly dropped).
    receiving = asyncio.create_task(reader.receive_events(200, timeout=120))
    for i in range(200):
        await reply(http, author, thread["id"], f"{i} {big}")
    events = await receiving
    assert len(events) == 200
    assert await stalled.was_dropped(), "the stalled client was cut off, not waited for"
    await reader.close()


async def test_a_stalled_client_loses_its_tcp_connection_without_having_to_read(
        live_server, http, author):
    """Dropping a reader that stopped reading must free the server's socket too: the closing
    frame cannot reach a full socket, so the server cuts the connection rather than wait."""
    import psutil

    thread = await start_thread(http, author)
    stalled = StalledClient(live_server.port)
    await stalled.subscribe([f"thread:{thread['id']}"])
    address = stalled.sock.getsockname()
    server = psutil.Process(live_server.process.pid)

    def still_connected() -> bool:
        return any(c.raddr and tuple(c.raddr) == address and c.status == psutil.CONN_ESTABLISHED
                   for c in server.net_connections(kind="tcp"))

    try:
        assert still_connected()
        big = "x" * 40_000
        for i in range(100):
            await reply(http, author, thread["id"], f"{i} {big}")
        async with asyncio.timeout(20):
            while still_connected():  # noqa: ASYNC110 - another process's sockets have no event
                await asyncio.sleep(0.1)
    finally:
        stalled.sock.close()


async def test_a_member_suspended_while_connected_loses_typing_at_once(live_server, http, author):
    thread = await start_thread(http, author)
    channel = f"thread:{thread['id']}"
    cookie = await session_cookie(live_server.base_url, "soon_suspended")
    typist = await LiveClient.open(live_server.ws_url, cookie=cookie)
    await typist.subscribe([channel])
    db = Database(live_server.database_url)
    await db.connect()
    await db.execute("UPDATE users SET suspended_at = CURRENT_TIMESTAMP WHERE username = 'soon_suspended'")
    await db.disconnect()
    await typist.send({"type": "typing", "channel": channel})
    refused = await typist.receive_type("error")
    assert refused["code"] == "forbidden" and "suspended" in refused["message"]
    await typist.close()
