"""Live delivery through the ASGI `send`: the hub handing each reader a read's events together,
in order, once each, with the loop given turns during a long hand-out. These tests run the app
under a real uvicorn server in the test's own event loop, configured as `forum serve`
configures it, so the hub and its readers can be watched from inside.

(Was tests/test_socket_writer.py, when frames were written straight into uvicorn's protocol
object; the tests of that mechanism went with it, those of behaviour stayed.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import uvicorn

from forum.app import create_app
from forum.cli import WS_MAX_MESSAGE_BYTES
from forum.db import live_log
from forum.db.engine import Database
from forum.realtime import hub as hub_module
from forum.realtime.backends import DOORBELL
from forum.realtime.connection import LiveConnection
from forum.realtime.hub import doorbell
from tests.helpers import api_token, reply, start_thread
from tests.live_helpers import LiveClient
from tests.servers import free_port


class InProcessServer:
    def __init__(self, server: uvicorn.Server, port: int) -> None:
        self.server = server
        self.base_url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/ws"

    @property
    def forum(self) -> Any:
        return self.server.lifespan.state["forum"]

    async def connections_on(self, channel: str, count: int) -> list[LiveConnection]:
        await until(lambda: len(self.forum.hub.subscribers_of(channel)) >= count)
        return list(self.forum.hub.subscribers_of(channel))


async def until(condition: Callable[[], bool], seconds: float = 10) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - the server's state has no event to await
            await asyncio.sleep(0.01)


@pytest.fixture
async def server(settings) -> AsyncIterator[InProcessServer]:
    """The app under uvicorn in this test's event loop, with `forum serve`'s WebSocket settings
    (the protocol uvicorn picks for itself, as `forum serve` lets it)."""
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning",
                            ws_max_size=WS_MAX_MESSAGE_BYTES, lifespan="on")
    instance = uvicorn.Server(config)
    task = asyncio.create_task(instance.serve())
    await until(lambda: instance.started or task.done(), seconds=30)
    assert instance.started, "the server did not start"
    yield InProcessServer(instance, port)
    instance.should_exit = True
    await task


@pytest.fixture
async def http(server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        yield client


async def thread_with_reader(server: InProcessServer, http: httpx.AsyncClient, username: str,
                             compression: str | None = None) -> tuple[Any, str, LiveClient, LiveConnection]:
    """A new thread's author, its channel, one reader subscribed to it and that reader's
    connection on the server."""
    author = await api_token(http, username)
    thread = await start_thread(http, author)
    channel = f"thread:{thread['id']}"
    client = await LiveClient.open(server.ws_url, compression=compression)
    await client.subscribe([channel])
    [connection] = await server.connections_on(channel, 1)
    return author, channel, client, connection


async def log_together(server: InProcessServer, notes: list[tuple[str, int]]) -> None:
    """A test event per (channel, n), committed together so that any read of the log holds
    them all; the commit rings the hub."""
    db = server.forum.db
    async with db.transaction():
        for channel, n in notes:
            await live_log.append(db, channel, "test.note", {"n": n})


@pytest.mark.parametrize("compression", [None, "deflate"], ids=["plain", "deflate"])
async def test_replies_in_a_burst_arrive_once_each_in_order(server, http, compression):
    author, channel, client, connection = await thread_with_reader(server, http, "burst", compression)
    thread_id = int(channel.removeprefix("thread:"))
    bodies = [f"reply number {n} " + "é" * n for n in range(40)]
    posts = await asyncio.gather(*(reply(http, author, thread_id, body) for body in bodies))
    events = await client.receive_events(len(bodies))
    # Each reply once, in the log's order (which on PostgreSQL need not be the posts' order).
    assert sorted(e["data"]["post_id"] for e in events) == sorted(p["id"] for p in posts)
    assert [e["id"] for e in events] == sorted(set(e["id"] for e in events))
    html = "".join(e["data"]["html"] for e in events)
    assert all(body.strip() in html for body in bodies)
    await client.close()


async def test_a_read_of_several_events_is_one_delivery_per_reader(server, http):
    author = await api_token(http, "batched")
    thread = await start_thread(http, author)
    channel = f"thread:{thread['id']}"
    readers = [await LiveClient.open(server.ws_url, compression=None) for _ in range(3)]
    for reader in readers:
        await reader.subscribe([channel])
    connections = await server.connections_on(channel, 3)

    calls: list[list[int]] = []
    original = LiveConnection.deliver_events

    def recording(self: LiveConnection, events: list[tuple[int, str]]) -> None:
        calls.append([event_id for event_id, _ in events])
        original(self, events)

    LiveConnection.deliver_events = recording  # type: ignore[method-assign]
    try:
        await log_together(server, [(channel, n) for n in range(5)])
        for reader in readers:
            events = await reader.receive_events(5)
            assert [e["data"]["n"] for e in events] == list(range(5))
            await reader.close()
    finally:
        LiveConnection.deliver_events = original  # type: ignore[method-assign]
    assert len(calls) == len(connections)
    assert all(len(ids) == 5 and ids == sorted(ids) for ids in calls)


async def test_a_reader_of_two_channels_gets_both_channels_events_merged_in_order(server, http):
    author = await api_token(http, "merged")
    first, second = await start_thread(http, author), await start_thread(http, author, title="Another")
    channels = [f"thread:{first['id']}", f"thread:{second['id']}"]
    both = await LiveClient.open(server.ws_url, compression=None)
    await both.subscribe(channels)
    one = await LiveClient.open(server.ws_url, compression=None)
    await one.subscribe(channels[:1])
    await server.connections_on(channels[0], 2)

    await log_together(server, [(channels[n % 2], n) for n in range(6)])  # alternating channels
    assert [e["data"]["n"] for e in await both.receive_events(6)] == list(range(6))
    assert [e["data"]["n"] for e in await one.receive_events(3)] == [0, 2, 4]
    await both.close()
    await one.close()






class Recorder:
    """A reader held by the hub directly: notes the loop turn each hand-out reached it on."""

    def __init__(self, turn: Callable[[], int], on_first: Callable[[], None] = lambda: None) -> None:
        self.turns: list[int] = []
        self.turn, self.on_first = turn, on_first

    def deliver_events(self, events: list[tuple[int, str]]) -> None:
        if not self.turns:
            self.on_first()
        self.turns.append(self.turn())

    def deliver_frame(self, frame: str) -> None:
        pass


async def loop_turns(count: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        count[0] += 1
        await asyncio.sleep(0)


async def test_a_long_hand_out_gives_the_loop_turns_between_readers(server, http):
    hub = server.forum.hub
    count, stop = [0], asyncio.Event()
    ticker = asyncio.create_task(loop_turns(count, stop))
    readers = [Recorder(lambda: count[0]) for _ in range(3 * hub_module.YIELD_EVERY)]
    channel = "thread:900001"
    for reader in readers:
        hub.subscribe(reader, {channel})
    await log_together(server, [(channel, 1)])
    await until(lambda: all(reader.turns for reader in readers))
    stop.set()
    await ticker
    assert all(len(reader.turns) == 1 for reader in readers)
    # A reply being written gets its turn while the hub is still handing out.
    assert len({reader.turns[0] for reader in readers}) >= 3
    for reader in readers:
        hub.unsubscribe(reader, {channel})


async def test_a_reader_subscribing_again_mid_hand_out_misses_nothing(server, http, monkeypatch):
    """Subscribing to one more channel replays up to the hub's cursor. Were it to run while the
    hub is still handing out the events before that cursor, the reader's share of them would
    count as replayed and be dropped: subscribing waits until the hand-out is over."""
    monkeypatch.setattr(hub_module, "YIELD_EVERY", 1)  # a hand-out as long as it can be
    author, channel, client, connection = await thread_with_reader(server, http, "resubscriber")
    other = f"thread:{(await start_thread(http, author, title='Another'))['id']}"
    hub = server.forum.hub
    for n in range(3):
        seen, subscribe_again = client.last_event_id, []

        def send_subscribe(seen: int = seen, subscribe_again: list = subscribe_again) -> None:
            if connection.last_id == seen:  # the reader's turn in this hand-out is still to come
                subscribe_again.append(asyncio.create_task(
                    client.send({"type": "subscribe", "channels": [other], "since": seen})))

        readers = [Recorder(lambda: 0, send_subscribe) for _ in range(300)]
        for reader in readers:
            hub.subscribe(reader, {channel})
        await log_together(server, [(channel, n)])
        events = await client.receive_events(n + 1)
        assert [e["data"]["n"] for e in events] == list(range(n + 1))
        if subscribe_again:
            await asyncio.gather(*subscribe_again)
            await client.receive_type("subscribed")
        for reader in readers:
            hub.unsubscribe(reader, {channel})
    await client.close()


async def test_events_no_reader_here_follows_are_passed_over_unread(server, http):
    """A process reads every event's heading, but the data only of events on channels its own
    readers follow: with many processes, each would otherwise read and decode them all."""
    _, channel, client, _ = await thread_with_reader(server, http, "passer")
    hub, counts = server.forum.hub, server.forum.hub.counts
    latest = await live_log.latest_id(server.forum.db)
    await until(lambda: hub.cursor >= latest)  # the thread's own events counted before we start
    before = counts.events_passed_over
    await log_together(server, [("thread:900003", 0), (channel, 1), ("thread:900004", 2), (channel, 3)])
    events = await client.receive_events(2)
    assert [e["data"]["n"] for e in events] == [1, 3]
    await until(lambda: counts.events_passed_over - before == 2)
    await client.close()


async def test_typing_on_a_channel_no_reader_here_follows_is_passed_over(server, http):
    _, channel, client, _ = await thread_with_reader(server, http, "typer")
    hub, counts = server.forum.hub, server.forum.hub.counts
    before = counts.frames_passed_over
    await hub.send_ephemeral("thread:900005", {"type": "typing", "channel": "thread:900005", "user": "x"})
    await until(lambda: counts.frames_passed_over == before + 1)
    frame = {"type": "typing", "channel": channel, "user": "someone", "display_name": "Sö Meone"}
    await hub.send_ephemeral(channel, frame)
    assert await client.receive_type("typing") == frame
    assert counts.frames_passed_over == before + 1
    await client.close()


async def test_another_process_s_doorbell_for_channels_followed_nowhere_here_is_passed_over(server, settings):
    """With many processes every process hears every commit's doorbell. One that names only
    channels none of this process's readers follows is passed over: the log is left for the
    next read, and a reader subscribing meanwhile is still handed what was left, at once."""
    hub, counts = server.forum.hub, server.forum.hub.counts
    start = hub.cursor
    elsewhere = Database(settings.database_url)  # another process's writes: no hub of ours wakes
    await elsewhere.connect()
    try:
        async with elsewhere.transaction():
            await live_log.append(elsewhere, "thread:900007", "test.note", {"n": 1})
    finally:
        await elsewhere.disconnect()
    before = counts.doorbells_passed_over
    await hub.backend.publish(DOORBELL, doorbell("another-process", [
        {"channel": "thread:900007", "subject": None}]))
    await until(lambda: counts.doorbells_passed_over == before + 1)
    client = await LiveClient.open(server.ws_url)
    hub.remember_channel("thread:900007")  # a test channel: no thread behind it to check
    await client.subscribe(["thread:900007"], since=start)
    [event] = await client.receive_events(1)
    assert event["data"] == {"n": 1}
    await client.close()


async def test_another_process_s_doorbell_for_a_channel_followed_here_is_answered(server, http, settings):
    _, channel, client, _ = await thread_with_reader(server, http, "answered")
    counts = server.forum.hub.counts
    before = counts.doorbells_passed_over
    elsewhere = Database(settings.database_url)
    await elsewhere.connect()
    try:
        async with elsewhere.transaction():
            await live_log.append(elsewhere, channel, "test.note", {"n": 2})
    finally:
        await elsewhere.disconnect()
    await server.forum.hub.backend.publish(DOORBELL, doorbell("another-process", [
        {"channel": "category:general-chat", "subject": None}, {"channel": channel, "subject": None}]))
    [event] = await client.receive_events(1)
    assert event["data"] == {"n": 2}
    assert counts.doorbells_passed_over == before
    await client.close()
