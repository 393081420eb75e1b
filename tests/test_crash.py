"""Crash safety: `forum serve` killed with SIGKILL in the middle of a burst of replies keeps
every reply it acknowledged, and comes back with posts, counters and the event log in step.

The guarantee: a 201 means the reply is committed. On PostgreSQL that is the server's own
durability; on SQLite the file is in WAL mode with synchronous=FULL (set on every connection in
forum/db/engine.py), so a commit survives a killed process and also a power cut."""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa

from forum.db import live_log
from forum.db.engine import Database
from forum.db.tables import notifications, posts, threads, users
from tests.helpers import api_token, start_thread
from tests.live_helpers import LiveClient
from tests.servers import ServerProcess

# The issue asks for 1,000 replies, killed after 300-500 acknowledgements. On a loaded 2-core
# machine that is minutes per engine; FORUM_TEST_CRASH_REPLIES scales it (the kill stays at 30-50%).
TOTAL_REPLIES = int(os.environ.get("FORUM_TEST_CRASH_REPLIES", "1000"))
WRITERS = 8
KILL_AFTER_ACKS = (TOTAL_REPLIES * 3 // 10, TOTAL_REPLIES // 2)
CATEGORIES = ["general-chat", "tools-methods"]


@dataclass(frozen=True)
class Sent:
    writer: int
    body: str
    parent_id: int | None  # None: a reply to the opening post


@dataclass
class Burst:
    """What the writers know: each 201 by post id, and each request that got no answer."""
    acked: dict[int, Sent] = field(default_factory=dict)
    unanswered: list[Sent] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # an answer other than 201: a bug


async def _write(http: httpx.AsyncClient, headers: dict[str, str], thread_id: int, writer: int,
                 sequence: range, burst: Burst, on_ack: Any = None) -> None:
    """Replies until `sequence` ends or the server stops answering; every other reply nests
    under this writer's previous acknowledged one, so parents are checked too."""
    parent_id = None
    for n in sequence:
        sent = Sent(writer, f"Writer {writer}, reply {n}: *kept* ✓ {writer}.{n}",
                    parent_id if n % 2 else None)
        try:
            response = await http.post(f"/api/v1/threads/{thread_id}/posts", headers=headers,
                                       json={"body": sent.body, "parent_id": sent.parent_id})
        except httpx.TransportError:
            burst.unanswered.append(sent)
            return
        if response.status_code != 201:
            burst.refused.append(f"{response.status_code} {response.text[:200]}")
            return
        parent_id = response.json()["id"]
        burst.acked[parent_id] = sent
        if on_ack:
            on_ack()


async def test_a_killed_server_keeps_every_acknowledged_reply(live_server: ServerProcess, database_url):
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as http:
        opener = await api_token(http, "opener")
        thread = await start_thread(http, opener, title="Crash test", categories=CATEGORIES)
        writers = [await api_token(http, f"writer{i}") for i in range(WRITERS)]
    channels = [f"thread:{thread['id']}", *(f"category:{slug}" for slug in CATEGORIES)]

    # Phase 1: 8 writers aim for 1,000 replies; the server is killed after 300-500 of them.
    burst = Burst()
    kill_at = random.Random(11).randint(*KILL_AFTER_ACKS)

    def count_ack() -> None:
        if len(burst.acked) == kill_at:
            live_server.kill()

    share = TOTAL_REPLIES // WRITERS
    clients = [httpx.AsyncClient(base_url=live_server.base_url, timeout=30) for _ in range(WRITERS)]
    await asyncio.gather(*(_write(clients[i], writers[i], thread["id"], i, range(share), burst, count_ack)
                           for i in range(WRITERS)))
    for client in clients:
        await client.aclose()
    assert not burst.refused, burst.refused
    assert live_server.process.poll() is not None, "the server was killed mid-burst"
    assert len(burst.acked) >= kill_at and burst.unanswered

    # Phase 2: restart on the same database; everything acknowledged is there, the rest is
    # there whole or not at all.
    await asyncio.to_thread(live_server.start)
    replies = await _check_consistent(database_url, thread["id"], channels, burst)
    if database_url.startswith("sqlite"):
        db = Database(database_url)
        await db.connect()
        assert await db.fetch_val("PRAGMA integrity_check") == "ok"
        assert await db.fetch_val("PRAGMA journal_mode") == "wal"
        assert await db.fetch_val("PRAGMA synchronous") == 2, "FULL: a commit is fsynced before the 201"
        await db.disconnect()

    # A client resuming from the very start gets exactly the log: no hole where the kill was.
    watcher = await LiveClient.open(live_server.ws_url)
    await watcher.subscribe(channels, since=0)
    logged = await _logged(database_url, channels)
    assert [e["id"] for e in watcher.events] == [row["id"] for row in logged]
    assert sorted(e["data"]["post_id"] for e in watcher.events
                  if e["event"] == "post.created" and e["channel"] == channels[0]) == sorted(replies)

    # Phase 3: the restarted server takes the rest of the burst, and the watcher sees it live
    # (read as it comes: a watcher that stopped reading would rightly be dropped as too slow).
    reading = asyncio.create_task(_read_forever(watcher))
    remaining = TOTAL_REPLIES - len(replies)
    more = Burst()
    shares = [remaining // WRITERS + (i < remaining % WRITERS) for i in range(WRITERS)]
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as http:
        await asyncio.gather(*(_write(http, writers[i], thread["id"], i, range(share, share + n), more)
                               for i, n in enumerate(shares)))
    assert not more.refused and not more.unanswered, (more.refused, more.unanswered)
    burst.acked.update(more.acked)
    replies = await _check_consistent(database_url, thread["id"], channels, burst)
    assert len(replies) == TOTAL_REPLIES
    everything = await _logged(database_url, channels)
    reading.cancel()  # safe: websockets loses no message to a cancelled recv
    await watcher.receive_events(len(everything), timeout=60)
    assert [e["id"] for e in watcher.events] == [row["id"] for row in everything]
    await watcher.close()


async def _read_forever(client: LiveClient) -> None:
    while True:
        await client.receive(timeout=3600)


async def _logged(database_url: str, channels: list[str]) -> list[Any]:
    db = Database(database_url)
    await db.connect()
    try:
        return await live_log.after(db, 0, channels, limit=100_000)
    finally:
        await db.disconnect()


async def _check_consistent(database_url: str, thread_id: int, channels: list[str],
                            burst: Burst) -> dict[int, Any]:
    """Posts, counters and the event log agree with each other and with what the writers were
    told; the replies present, by id."""
    db = Database(database_url)
    await db.connect()
    try:
        rows = await db.fetch_all(sa.select(posts).where(posts.c.thread_id == thread_id))
        opening = next(row for row in rows if row["depth"] == 0)
        replies = {row["id"]: row for row in rows if row["depth"] > 0}

        for post_id, sent in burst.acked.items():
            row = replies.get(post_id)
            assert row is not None, f"acknowledged reply {post_id} ({sent.body!r}) is gone"
            assert (row["body"], row["parent_id"]) == (sent.body, sent.parent_id or opening["id"])
        by_body = {row["body"]: row for row in replies.values()}
        assert len(by_body) == len(replies), "a reply was stored twice"
        for sent in burst.unanswered:  # present whole or absent; its event is checked below
            if sent.body in by_body:
                assert by_body[sent.body]["parent_id"] == (sent.parent_id or opening["id"])
        sent_bodies = {s.body for s in burst.acked.values()} | {s.body for s in burst.unanswered}
        assert set(by_body) <= sent_bodies, "a reply nobody sent"

        # The log: one post.created per reply present on each of its channels, no event for a
        # reply that is not there, ids strictly increasing.
        logged = await live_log.after(db, 0, channels, limit=100_000)
        ids = [row["id"] for row in logged]
        assert ids == sorted(set(ids))
        created = Counter((row["channel"], live_log.decode_data(row)["post_id"])
                          for row in logged if row["type"] == "post.created")
        assert all(count == 1 for count in created.values()), "an event logged twice"
        for channel in channels:
            assert {post_id for c, post_id in created if c == channel} == set(replies), channel

        # Counters kept in the posting transaction match the rows.
        thread = await db.fetch_one(sa.select(threads).where(threads.c.id == thread_id))
        assert thread["reply_count"] == len(replies)
        # Set by whichever reply committed last: the time of a reply that is there, not of one
        # rolled back by the kill. (Not always the newest time: `now` is read before the lock.)
        assert thread["last_activity_at"] in {row["created_at"] for row in rows}
        authors = Counter(row["author_id"] for row in rows)
        counted = await db.fetch_all(sa.select(users.c.id, users.c.post_count)
                                     .where(users.c.id.in_(list(authors))))
        assert {row["id"]: row["post_count"] for row in counted} == dict(authors)
        assert await db.fetch_val("SELECT count(*) FROM post_search") == len(rows)
        # The opener is told of every reply to the opening post, in the table and in the log.
        told = await db.fetch_val(sa.select(sa.func.count()).select_from(notifications)
                                  .where(notifications.c.user_id == opening["author_id"]))
        to_opening = sum(1 for row in replies.values() if row["parent_id"] == opening["id"])
        user_channel = f"user:{opening['author_id']}"
        assert told == to_opening == len(await live_log.after(db, 0, [user_channel], limit=100_000))
        return replies
    finally:
        await db.disconnect()
