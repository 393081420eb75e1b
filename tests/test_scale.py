"""Scale-out: several `forum serve` processes sharing one PostgreSQL and one Redis, with the
same guarantees as one process: nothing lost, nothing twice, in order."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import subprocess

import httpx
import pytest

from forum.db import live_log
from forum.db.engine import Database
from tests.conftest import skip_unless_required
from tests.helpers import api_token, reply, start_thread
from tests.live_helpers import LiveClient, follow_with_drops, session_cookie
from tests.servers import RedisProcess, ServerProcess
from tests.tcp_proxy import TcpProxy
from tests.test_live_replay import TAKEN_DOWN, make_moderator, replayed, take_down_posts

REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL")
REDIS_SKIP = ("multi-process tests need FORUM_TEST_REDIS_URL=redis://host:6379/0 and "
              "FORUM_TEST_POSTGRES_URL; .ci/run sets both")

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        skip_unless_required(REDIS_SKIP)
    return REDIS_URL


@pytest.fixture
def two_servers(database_url, redis_url, tmp_path):
    servers = [ServerProcess(database_url, broadcast_url=redis_url,
                             log_path=tmp_path / f"server{i}.log").start() for i in range(2)]
    yield servers
    for server in servers:
        server.stop()


async def test_a_reply_through_one_process_reaches_a_client_on_the_other(two_servers):
    first, second = two_servers
    async with httpx.AsyncClient(base_url=second.base_url, timeout=30) as http:
        author = await api_token(http, "writer")
        thread = await start_thread(http, author)
        channel = f"thread:{thread['id']}"
        client = await LiveClient.open(first.ws_url)
        await client.subscribe([channel])
        post = await reply(http, author, thread["id"], "Across processes")
        [event] = await client.receive_events(1)
        assert event["data"]["post_id"] == post["id"]
        await client.close()
        # Drop from the first, keep posting, resume on the second: nothing missed, nothing twice.
        missed = [await reply(http, author, thread["id"], f"while away {i}") for i in range(5)]
        resumed = await LiveClient.open(second.ws_url)
        await resumed.subscribe([channel], since=event["id"])
        assert [e["data"]["post_id"] for e in resumed.events] == [p["id"] for p in missed]
        await resumed.close()


async def test_a_private_message_crosses_processes_to_participants_only(two_servers):
    first, second = two_servers
    async with httpx.AsyncClient(base_url=first.base_url, timeout=30) as http:
        ann_cookie = await session_cookie(second.base_url, "ann")
        ben = await api_token(http, "ben")
        conversation_id = (await http.post("/api/v1/conversations", headers=ben,
                                           json={"to": ["ann"], "body": "First"})).json()["id"]
        channel = f"conversation:{conversation_id}"
        listener = await LiveClient.open(second.ws_url, cookie=ann_cookie)
        await listener.subscribe([channel])
        outsider = await LiveClient.open(second.ws_url, cookie=await session_cookie(second.base_url, "cat"))
        await outsider.send({"type": "subscribe", "channels": [channel]})
        assert (await outsider.receive_type("error"))["code"] == "unknown_channel"
        sent = await http.post(f"/api/v1/conversations/{conversation_id}/messages", headers=ben,
                               json={"body": "Across processes"})
        assert sent.status_code == 201
        # "First" may come too: subscribing without `since` starts where this process's hub
        # stood, which can be before it read "First" (its doorbell named a channel no reader
        # here followed then, so the log was left for the next read).
        async with asyncio.timeout(30):
            while not any(e["data"].get("body") == "Across processes" for e in listener.events):
                await listener.receive()
        heard = [(e["event"], e["data"]["id"], e["data"]["body"]) for e in listener.events]
        assert heard[-1] == ("message.created", sent.json()["id"], "Across processes")
        assert [body for _, _, body in heard] in (["Across processes"], ["First", "Across processes"])
        await outsider.send({"type": "subscribe", "channels": [channel]})  # a round trip: anything
        await outsider.receive_type("error")  # sent to it before the answer has arrived by now
        assert "Across processes" not in str(outsider.frames)
        await listener.close()
        await outsider.close()


async def test_presence_and_typing_cross_processes(two_servers):
    first, second = two_servers
    async with httpx.AsyncClient(base_url=first.base_url, timeout=30) as http:
        author = await api_token(http, "opener")
        thread = await start_thread(http, author)
    channel = f"thread:{thread['id']}"
    watcher = await LiveClient.open(first.ws_url)
    await watcher.subscribe([channel])
    typist = await LiveClient.open(second.ws_url, cookie=await session_cookie(second.base_url, "typist"))
    await typist.subscribe([channel])
    assert (await watcher.receive_type("presence"))["users"] == ["typist"]
    await typist.send({"type": "typing", "channel": channel})
    assert (await watcher.receive_type("typing"))["user"] == "typist"
    await typist.close()
    assert (await watcher.receive_type("presence"))["users"] == []
    await watcher.close()


async def test_a_take_down_through_one_process_is_not_replayed_by_the_other(two_servers, database_url):
    first, second = two_servers
    async with httpx.AsyncClient(base_url=second.base_url, timeout=30) as http:
        author = await api_token(http, "writer")
        moderator = await make_moderator(http, database_url, "keeper")
        thread = await start_thread(http, author)
        channel = f"thread:{thread['id']}"
        # The first process hands the replies out live, as written, before they are taken down.
        watcher = await LiveClient.open(first.ws_url)
        await watcher.subscribe([channel])
        await take_down_posts(http, author, moderator, thread["id"])
        seen_live = json.dumps(await watcher.receive_events(7))
        assert all(word in seen_live for word in TAKEN_DOWN)
        await watcher.close()
    replay = json.dumps(await replayed(first.ws_url, [channel]))
    assert "kept words" in replay and "second draft" in replay
    assert not any(word in replay for word in TAKEN_DOWN)


async def test_eight_writers_two_processes_random_drops_lose_nothing(two_servers, database_url):
    """400 events from 8 writers through 2 processes; 6 readers drop and resume at random,
    each time on a randomly chosen process. Each ends with every event once, in id order,
    and exactly the log's ids for the channel."""
    servers = two_servers
    rng = random.Random(6)
    writers = []
    for i in range(8):
        async with _client(servers[i % 2]) as http:
            writers.append(await api_token(http, f"writer{i}"))
    async with _client(servers[0]) as http:
        thread = await start_thread(http, writers[0])
    channel = f"thread:{thread['id']}"
    total, done = 400, asyncio.Event()

    async def write(i: int) -> None:
        async with _client(servers[i % 2]) as http:
            for n in range(total // 8):
                await reply(http, writers[i], thread["id"], f"w{i} #{n}")

    urls = [server.ws_url for server in servers]
    readers = [asyncio.create_task(follow_with_drops(urls, channel, done, rng, stay=(10, 120), wait=15))
               for _ in range(6)]
    await asyncio.sleep(0.3)
    await asyncio.gather(*(write(i) for i in range(8)))
    done.set()
    results = await asyncio.gather(*readers)
    db = Database(database_url)
    await db.connect()
    logged = [row["id"] for row in await live_log.after(db, 0, [channel], limit=10_000)]
    await db.disconnect()
    assert len(logged) == total
    for seen in results:
        assert seen == logged


def _client(server: ServerProcess) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.base_url, timeout=60)


async def test_redis_going_away_and_coming_back(database_url, tmp_path):
    """Posting keeps working and live delivery goes on (the hubs poll the log) while Redis is
    gone; typing, which only travels through Redis, comes back by itself when Redis does."""
    redis = RedisProcess().start()
    servers = [ServerProcess(database_url, broadcast_url=redis.url, log_path=tmp_path / f"s{i}.log").start()
               for i in range(2)]
    try:
        async with _client(servers[1]) as http:
            author = await api_token(http, "steady")
            thread = await start_thread(http, author)
            channel = f"thread:{thread['id']}"
            watcher = await LiveClient.open(servers[0].ws_url)
            await watcher.subscribe([channel])
            redis.stop()
            post = await reply(http, author, thread["id"], "Posted while Redis is down")
            [event] = await watcher.receive_events(1)
            assert event["data"]["post_id"] == post["id"]
            redis.start()
            typist = await LiveClient.open(servers[1].ws_url,
                                           cookie=await session_cookie(servers[1].base_url, "typer"))
            await typist.subscribe([channel])
            async with asyncio.timeout(30):
                while True:  # the hubs reconnect with backoff; keep typing until it crosses
                    await typist.send({"type": "typing", "channel": channel})
                    try:
                        if (await watcher.receive_type("typing", timeout=2.5))["user"] == "typer":
                            break
                    except TimeoutError:
                        continue
            await typist.close()
            await watcher.close()
    finally:
        for server in servers:
            server.stop()
        redis.stop()


async def test_after_redis_restarts_both_processes_deliver_every_reply_to_readers_on_both(
        database_url, tmp_path):
    """Redis stopped and started again under two processes: replies posted before, while it is
    down and straight after it is back reach readers on both processes once each, in order, and
    no reader's connection drops. While it is down the replies go through the first process
    only, so the second's readers hear of them only because its hub reads the log unbidden (it
    polls, and reads again each time its Redis listener retries)."""
    redis = RedisProcess().start()
    servers = [ServerProcess(database_url, broadcast_url=redis.url, log_path=tmp_path / f"s{i}.log").start()
               for i in range(2)]
    try:
        async with _client(servers[0]) as first, _client(servers[1]) as second:
            author = await api_token(first, "through_both")
            thread = await start_thread(first, author)
            channel = f"thread:{thread['id']}"
            readers = [await LiveClient.open(server.ws_url) for server in servers for _ in range(2)]
            for reader in readers:
                await reader.subscribe([channel])
            posted: list[int] = []

            async def through(processes: tuple[httpx.AsyncClient, ...], when: str) -> None:
                for http in processes:
                    post = await reply(http, author, thread["id"], f"{when}, via {http.base_url}")
                    posted.append(post["id"])

            await through((first, second), "Before Redis stops")
            redis.stop()
            for n in range(3):
                await through((first,), f"While Redis is down, {n}")
            for reader in readers:  # before anything else could wake the second process's hub
                await reader.receive_events(len(posted))
            redis.start()
            await through((first, second), "As soon as Redis is back")
            for reader in readers:
                events = await reader.receive_events(len(posted), timeout=30)
                assert [e["data"]["post_id"] for e in events if e["event"] == "post.created"] == posted
                assert [e["id"] for e in events] == sorted({e["id"] for e in events})
                assert reader.connection.close_code is None, "a reader was dropped"
                await reader.close()
    finally:
        for server in servers:
            server.stop()
        redis.stop()


async def test_postgres_going_away_gives_503_and_recovers_without_a_restart(database_url, tmp_path):
    match = re.match(r"postgresql://([^@]+@)?([^:/]+)(?::(\d+))?/(.+)", database_url)
    assert match, database_url
    proxy = await TcpProxy(match.group(2), int(match.group(3) or 5432)).start()
    proxied = f"postgresql://{match.group(1) or ''}127.0.0.1:{proxy.port}/{match.group(4)}"
    # Started from a thread: the proxy runs on this test's event loop, which must keep going.
    server = await asyncio.to_thread(ServerProcess(proxied, log_path=tmp_path / "server.log").start)
    try:
        async with _client(server) as http:
            author = await api_token(http, "patient")
            thread = await start_thread(http, author)
            before = await reply(http, author, thread["id"], "Before the outage")
            await proxy.cut()
            refused = await http.post(f"/api/v1/threads/{thread['id']}/posts", headers=author,
                                      json={"body": "During the outage"})
            assert refused.status_code == 503
            assert refused.json()["error"]["code"] == "unavailable"
            assert (await http.get("/healthz")).status_code == 503
            page = await http.get(f"/t/{thread['id']}")
            assert page.status_code == 503 and "not answering" in page.text
            await proxy.restore()
            async with asyncio.timeout(30):
                while (await http.get("/healthz")).status_code != 200:
                    await asyncio.sleep(0.2)
            after = await reply(http, author, thread["id"], "After the outage")
            posts = (await http.get(f"/api/v1/threads/{thread['id']}")).json()["posts"]
            assert [p["id"] for p in posts[1:]] == [before["id"], after["id"]]
    finally:
        await asyncio.to_thread(server.stop)
        await proxy.cut()


async def test_serve_with_workers_starts_that_many_processes(database_url, redis_url, tmp_path):
    server = ServerProcess(database_url, broadcast_url=redis_url, workers=2,
                           log_path=tmp_path / "server.log").start()
    try:
        children = subprocess.run(["ps", "--ppid", str(server.process.pid), "-o", "pid="],
                                  capture_output=True, text=True).stdout.split()
        assert len(children) >= 2
        async with _client(server) as http:
            author = await api_token(http, "many")
            thread = await start_thread(http, author)
            watchers = [await LiveClient.open(server.ws_url) for _ in range(4)]
            for watcher in watchers:
                await watcher.subscribe([f"thread:{thread['id']}"])
            post = await reply(http, author, thread["id"], "To every worker's clients")
            for watcher in watchers:
                [event] = await watcher.receive_events(1)
                assert event["data"]["post_id"] == post["id"]
                await watcher.close()
    finally:
        server.stop()


async def test_forums_on_different_redis_database_numbers_do_not_hear_each_other(database_url, redis_url):
    """Pub/sub ignores database numbers; the backend must not, or staging hears production, even
    when staging was restored from production's backup and carries its forum id."""
    import secrets

    from forum.realtime.backends import DOORBELL, EPHEMERAL
    from forum.realtime.backends.redis import RedisBackend

    base = re.sub(r"/\d*$", "", redis_url)
    one_id = secrets.token_hex(8)
    ours, neighbour, theirs = (RedisBackend(f"{base}/{n}", one_id) for n in (11, 11, 12))
    heard: dict[str, list] = {"neighbour": [], "theirs": []}

    async def listen(name, backend):
        async for message in backend.listen():
            heard[name].append(message)

    listeners = [asyncio.create_task(listen("neighbour", neighbour)),
                 asyncio.create_task(listen("theirs", theirs))]
    try:
        async with asyncio.timeout(10):
            while len(heard["neighbour"]) < 2:  # publish until the listeners have subscribed
                await ours.publish(DOORBELL, "")
                await ours.publish(EPHEMERAL, '{"channel": "site"}')
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
        assert (DOORBELL, "") in heard["neighbour"]
        assert (EPHEMERAL, '{"channel": "site"}') in heard["neighbour"]
        assert heard["theirs"] == []
    finally:
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        for backend in (ours, neighbour, theirs):
            await backend.disconnect()


async def test_rate_limits_count_across_processes(database_url, redis_url, tmp_path):
    """A new member may post POSTS_PER_NEW_MEMBER times a minute, however many processes
    their requests land on: the processes count together in Redis."""
    import secrets

    from forum.ratelimit.limits import POSTS_PER_NEW_MEMBER

    secret = secrets.token_hex(16)  # one forum, two processes: one database, one secret key
    servers = [ServerProcess(database_url, broadcast_url=redis_url, rate_limits=True, secret_key=secret,
                             log_path=tmp_path / f"limited{i}.log").start() for i in range(2)]
    try:
        clients = [httpx.AsyncClient(base_url=server.base_url, timeout=30) for server in servers]
        author = await api_token(clients[0], "eager")
        thread = await start_thread(clients[0], author)  # the first post of the allowance
        allowed = POSTS_PER_NEW_MEMBER[0]
        for n in range(1, allowed):  # the rest, alternating between the processes
            await reply(clients[n % 2], author, thread["id"], f"post {n + 1} of {allowed}")
        for client in clients:  # each process has seen at most half: alone, each would allow more
            refused = await client.post(f"/api/v1/threads/{thread['id']}/posts", headers=author,
                                        json={"body": "one too many"})
            assert refused.status_code == 429, refused.text
            assert "first day" in refused.json()["error"]["message"]
        for client in clients:
            await client.aclose()
    finally:
        for server in servers:
            server.stop()


async def test_a_change_through_one_process_drops_the_others_cached_visitor_page(two_servers,
                                                                                 database_url):
    """The first process keeps a visitor's thread page until an event about what it shows,
    committed by the second, reaches its hub through the log: a reply, a new display name.
    A change by hand that logs nothing stays unseen meanwhile (so the page was cached)."""
    import time

    from forum.web.invalidation import MAX_AGE_SECONDS

    first, second = two_servers
    database = Database(database_url)
    await database.connect()

    async def retitle_by_hand(thread_id: int, title: str) -> None:
        await database.execute("UPDATE threads SET title = :title WHERE id = :id",
                                {"title": title, "id": thread_id})

    try:
        async with httpx.AsyncClient(base_url=second.base_url, timeout=30) as writer, \
                httpx.AsyncClient(base_url=first.base_url, timeout=30) as visitor:
            author = await api_token(writer, "far_author")
            thread = await start_thread(writer, author, title="Kept across processes")
            path = f"/t/{thread['id']}"
            watcher = await LiveClient.open(first.ws_url)  # its events arrive once the hub read them
            await watcher.subscribe([f"thread:{thread['id']}"])
            await reply(writer, author, thread["id"], "First reply")
            await watcher.receive_events(1)
            assert "First reply" in (await visitor.get(path)).text
            await retitle_by_hand(thread["id"], "Quietly retitled")
            assert "Quietly retitled" not in (await visitor.get(path)).text, "the page is cached"

            await reply(writer, author, thread["id"], "Second reply")
            await watcher.receive_events(2)
            page = (await visitor.get(path)).text
            cached_at = time.monotonic()
            assert "Second reply" in page and "Quietly retitled" in page
            await retitle_by_hand(thread["id"], "Quiet again")
            assert "Quiet again" not in (await visitor.get(path)).text, "the page is cached"

            renamed = await writer.patch("/api/v1/me", headers=author,
                                         json={"display_name": "Renamed Elsewhere"})
            assert renamed.status_code == 200, renamed.text
            async with asyncio.timeout(MAX_AGE_SECONDS):
                while "Renamed Elsewhere" not in (page := (await visitor.get(path)).text):
                    await asyncio.sleep(0.05)  # polling for the condition, not waiting it out
            assert time.monotonic() - cached_at < MAX_AGE_SECONDS, "dropped by the event, not by age"
            assert "Quiet again" in page
            await watcher.close()
    finally:
        await database.disconnect()


async def passed_over(server: ServerProcess, kind: str) -> float:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        text = (await http.get("/metrics")).raise_for_status().text
    [value] = re.findall(rf'^forum_live_passed_over_total{{kind="{kind}"}} (\S+)$', text, re.MULTILINE)
    return float(value)


async def test_a_process_passes_over_replies_none_of_its_readers_follows(database_url, redis_url, tmp_path):
    """Every process hears every commit's doorbell. One none of whose readers follows the
    channels it names reads nothing for it (the log waits for its next read), yet hands its own
    readers' replies out at once, and replays what it left unread to a reader who comes later."""
    writing, passing = [ServerProcess(database_url, broadcast_url=redis_url,
                                      log_path=tmp_path / f"server{i}.log",
                                      extra_env={"FORUM_METRICS_FROM": "127.0.0.1"}).start()
                        for i in range(2)]
    try:
        async with httpx.AsyncClient(base_url=writing.base_url, timeout=30) as http:
            author = await api_token(http, "busy_writer")
            quiet = await start_thread(http, author)
            busy = await start_thread(http, author)
            reader = await LiveClient.open(passing.ws_url)
            await reader.subscribe([f"thread:{quiet['id']}"])
            doorbells, events = await passed_over(passing, "doorbell"), await passed_over(passing, "event")
            busy_posts = [await reply(http, author, busy["id"], f"Busy {i}") for i in range(5)]
            async with asyncio.timeout(10):
                while await passed_over(passing, "event") < events + 2 * len(busy_posts):
                    await asyncio.sleep(0.1)  # the next read of the log counts them
            # Each reply logs an event on its thread and one on its channel: neither followed there.
            assert await passed_over(passing, "doorbell") >= doorbells + len(busy_posts)

            quiet_post = await reply(http, author, quiet["id"], "For the one reader there")
            [event] = await reader.receive_events(1)
            assert event["data"]["post_id"] == quiet_post["id"]

            late = await LiveClient.open(passing.ws_url)
            await late.subscribe([f"thread:{busy['id']}"], since=0)
            replayed = [e["data"]["post_id"] for e in late.events if e["event"] == "post.created"]
            assert replayed == [post["id"] for post in busy_posts]
            await reader.close()
            await late.close()
    finally:
        writing.stop()
        passing.stop()
