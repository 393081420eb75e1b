"""The live hub: one per process.

Writers append events to the log inside their transaction; after it commits the database calls
`wake()` (the hub watches the event log's commits: see Database.watch_commits), which reads the
log here and rings the backend's doorbell so every other process reads the log from its cursor
and hands each event to the local subscribers of its channel, in id order. Pub/sub is
at-most-once; the database is not: a lost doorbell is covered by polling, so it costs latency,
never an event. Typing and presence are ephemeral frames sent through the backend as they are.

The doorbell names the channels (and subjects) of the events it rings for, so that a process
none of whose readers follows them does nothing for them but drop the cached pages they touch:
the log is read when one of its own readers' channels rings, or at the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

from forum.db import live_log
from forum.db.engine import Database
from forum.realtime.backends import DOORBELL, EPHEMERAL, Backend
from forum.realtime.counts import LiveCounts
from forum.realtime.envelopes import LEFT_EVENT, event_frame
from forum.realtime.presence import PRESENCE_REFRESH_SECONDS, QUIET_CHANNELS, Presence

log = logging.getLogger("forum.hub")

# A doorbell lost in pub/sub (Redis restarting, say) is made good by polling this often.
POLL_SECONDS = 1.0
# How many events one read of the log takes; a busier log is read in several reads.
READ_BATCH = 500
# A commit of more events than this rings a doorbell that names none of them: every process reads.
DOORBELL_MAX_EVENTS = 20
# The longest the hub rests between reads of a busy log (see _dispatch): the most it adds to
# a reply's way to its readers, and only while replies come faster than they are handed out.
MAX_REST_SECONDS = 0.05
# How many readers the hub hands events to between turns it gives the loop (see _deliver).
YIELD_EVERY = 200
# Pause before retrying after the database or the backend failed, growing to the cap.
RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS = 0.2, 5.0
PRUNE_EVERY_SECONDS = 600
# Channels seen to exist, so that a reconnect storm (every page after a restart) checks each
# thread once, not once per reader. A deleted thread's channel staying "known" is harmless.
KNOWN_CHANNELS_MAX = 50_000


class Subscriber(Protocol):
    def deliver_events(self, events: list[tuple[int, str]]) -> None: ...
    def deliver_frame(self, frame: str) -> None: ...
    def forget_channel(self, channel: str) -> None: ...


class Hub:
    def __init__(self, db: Database, backend: Backend, *, log_max_count: int = 100_000,
                 log_max_age_seconds: int = 7 * 24 * 3600) -> None:
        self.db = db
        self.backend = backend
        self.cursor = 0  # the newest event id handed to local subscribers
        self._subscribers: dict[str, set[Subscriber]] = defaultdict(set)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._log_window = (log_max_count, log_max_age_seconds)
        self.dispatched = asyncio.Condition()  # tests and resumers wait on cursor moves
        self._settled = asyncio.Event()  # clear while events are being handed out
        self._settled.set()
        self.process_id = uuid.uuid4().hex
        self.presence = Presence(process_id=self.process_id)
        # Set when a doorbell rang for channels no reader here follows and the log was left
        # for later: a reader subscribing meanwhile has the log read at once.
        self._behind = False
        self.known_channels: set[str] = set()
        self.counts = LiveCounts()
        self._log_watchers: list[Callable[[list[Any]], None]] = []
        db.watch_commits("live_log", self.wake)

    async def start(self) -> None:
        self.cursor = await live_log.latest_id(self.db)
        await self.backend.connect()
        self._tasks = [asyncio.create_task(self._listen(), name="hub-listen"),
                       asyncio.create_task(self._dispatch(), name="hub-dispatch"),
                       asyncio.create_task(self._prune(), name="hub-prune"),
                       asyncio.create_task(self._refresh_presence(), name="hub-presence")]

    async def stop(self) -> None:
        # The database loops finish their current read rather than being cancelled inside it:
        # a query cut off mid-flight leaves a driver thread calling into a closed loop.
        self._stopping.set()
        self._wake.set()
        for task in self._tasks:
            if task.get_name() == "hub-listen":
                task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self.backend.disconnect()

    # -- writers -------------------------------------------------------------------------
    async def wake(self, rows: list[Any] | None = None) -> None:
        """Called after every commit of this process that appended events (`rows`); another
        process's writes arrive by the doorbell this rings, or by polling."""
        self._wake.set()  # this process reads the log even if the backend is down
        try:
            await self.backend.publish(DOORBELL, doorbell(self.process_id, rows))
        except Exception:  # other processes catch up by polling
            log.warning("could not ring the doorbell; other processes will poll", exc_info=True)

    async def send_ephemeral(self, channel: str, frame: dict[str, Any]) -> None:
        # The channel on a line of its own before the frame, so that a process none of whose
        # readers follow it drops the message without decoding it (see _deliver_ephemeral).
        message = f"{channel}\n" + json.dumps(frame, ensure_ascii=False)
        try:
            await self.backend.publish(EPHEMERAL, message)
        except Exception:
            log.warning("could not send an ephemeral frame", exc_info=True)

    async def announce_presence(self, channel: str) -> None:
        """Tell every process (this one too, by the same road) who is here on `channel`."""
        message = json.dumps({"channel": channel, "presence": self.presence.announcement(channel)},
                             ensure_ascii=False)
        try:
            await self.backend.publish(EPHEMERAL, message)
        except Exception:
            log.warning("could not announce presence", exc_info=True)

    # -- subscribers ---------------------------------------------------------------------
    def subscribe(self, subscriber: Subscriber, channels: set[str]) -> None:
        for channel in channels:
            self._subscribers[channel].add(subscriber)
        if self._behind:  # events left unread may be on these channels: hand them out now
            self._wake.set()

    def unsubscribe(self, subscriber: Subscriber, channels: set[str]) -> None:
        for channel in channels:
            listeners = self._subscribers.get(channel)
            if listeners is not None:
                listeners.discard(subscriber)
                if not listeners:
                    del self._subscribers[channel]

    def remember_channel(self, name: str) -> None:
        if len(self.known_channels) >= KNOWN_CHANNELS_MAX:
            self.known_channels.clear()
        self.known_channels.add(name)

    def watch_log(self, callback: Callable[[list[Any]], None]) -> None:
        """Call `callback` with each read of new events from the log, every process's, before
        they are handed out (the caches drop what they touch: see forum/web/invalidation.py),
        and with what another process's doorbell names (channel and subject only) when the log
        is left for later."""
        self._log_watchers.append(callback)

    def subscribers_of(self, channel: str) -> set[Subscriber]:
        return self._subscribers.get(channel, set())

    # -- loops ---------------------------------------------------------------------------
    async def _listen(self) -> None:
        delay = RETRY_FIRST_SECONDS
        while True:
            try:
                async for topic, message in self.backend.listen():
                    delay = RETRY_FIRST_SECONDS
                    if topic == DOORBELL:
                        self._answer_doorbell(message)
                    elif topic == EPHEMERAL:
                        self._deliver_ephemeral(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("backend listener failed; retrying in %.1fs", delay, exc_info=True)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)
            self._wake.set()  # catch up on whatever rang while we were away

    def _answer_doorbell(self, message: str) -> None:
        """Read the log now if the doorbell rang for a channel a reader here follows (or did not
        say which); otherwise drop what the events touch from the caches, as reading them would,
        and leave the log for the next read. The process that rang read its own events already."""
        sender, _, named = message.partition("\n")
        if sender == self.process_id:
            return
        headings = [{"channel": channel, "subject": subject or None}
                    for channel, _, subject in (line.partition("\t") for line in named.split("\n") if line)]
        if not headings or any(h["channel"] in self._subscribers for h in headings):
            self._wake.set()
            return
        for watcher in self._log_watchers:
            watcher(headings)
        self._behind = True
        self.counts.doorbells_passed_over += 1

    def _deliver_ephemeral(self, message: str) -> None:
        """Presence (a JSON object) is applied whoever listens here: a reader subscribing later
        is told who is there. A typing frame ("channel\nframe") matters only to this process's
        readers of its channel, and is passed over undecoded when there are none."""
        if not message.startswith("{"):
            channel, _, frame = message.partition("\n")
            if channel not in self._subscribers:
                self.counts.frames_passed_over += 1
            elif frame.startswith("{"):  # relayed as it came: the sender serialised it once
                self._send_to(channel, frame)
            else:
                log.warning("dropped a malformed ephemeral message")
            return
        try:
            decoded = json.loads(message)
            channel = decoded["channel"]
            if not self.presence.apply(decoded["presence"]) or channel in QUIET_CHANNELS:
                return
            frame = json.dumps(self.presence.frame(channel), ensure_ascii=False)
        except (ValueError, KeyError, TypeError):
            log.warning("dropped a malformed ephemeral message")
            return
        self._send_to(channel, frame)

    def _send_to(self, channel: str, frame: str) -> None:
        for subscriber in list(self.subscribers_of(channel)):
            subscriber.deliver_frame(frame)

    async def _refresh_presence(self) -> None:
        while not await self._pause(PRESENCE_REFRESH_SECONDS):
            for channel in self.presence.local_channels():
                await self.announce_presence(channel)
            for channel in self.presence.expire(time.monotonic()):
                if channel not in QUIET_CHANNELS:
                    frame = json.dumps(self.presence.frame(channel), ensure_ascii=False)
                    self._send_to(channel, frame)

    async def _dispatch(self) -> None:
        delay = RETRY_FIRST_SECONDS
        loop = asyncio.get_running_loop()
        rest_until = 0.0
        while not self._stopping.is_set():
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
            # lands as the event is set, and stop() would then wait for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()
            # After handing out events the hub rests as long as that took (up to a cap), so a
            # busy log's events go to each reader several to a write, and replies being
            # written get the loop meanwhile. A quiet log is read as soon as it rings.
            wait = rest_until - loop.time()
            if wait > 0 and await self._pause(wait):
                return
            self._wake.clear()
            started = loop.time()
            if self._stopping.is_set():
                return
            try:
                await self.catch_up()
                delay = RETRY_FIRST_SECONDS
                finished = loop.time()
                rest_until = finished + min(finished - started, MAX_REST_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("reading the event log failed; retrying in %.1fs", delay, exc_info=True)
                await self._pause(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)

    async def catch_up(self) -> None:
        """Hand every event after the cursor to its local subscribers, in id order; each gets
        all of one read's events for it in one call (the same list as every reader of its channel)."""
        self._behind = False
        while True:
            rows = await live_log.headings_after(self.db, self.cursor, limit=READ_BATCH)
            for watcher in self._log_watchers:
                watcher(rows)
            events = await self._events_followed_here(rows)
            by_channel: dict[str, list[tuple[int, str]]] = {}
            leavers: list[tuple[str, int]] = []
            for row in rows:
                if row["type"] == LEFT_EVENT:
                    leavers.append((row["channel"], row["author_id"]))
            for row in events:
                if row["channel"] in self._subscribers:
                    # Serialised once for every reader.
                    by_channel.setdefault(row["channel"], []).append((row["id"], event_frame(row)))
            self.counts.events_passed_over += len(rows) - len(events)
            self._settled.clear()
            try:
                if rows:
                    self.cursor = rows[-1]["id"]
                await self._deliver(by_channel)
                self._drop_leavers(leavers)
            finally:
                self._settled.set()
            if rows:
                async with self.dispatched:
                    self.dispatched.notify_all()
            if len(rows) < READ_BATCH:
                return

    async def _events_followed_here(self, headings: list[Any]) -> list[Any]:
        """The whole rows (data too) of the events in `headings` on channels this process's
        readers follow. With many processes each reads every event's heading, but only its
        own readers' events' data: the rest is passed over without a read or a decode.
        A reader may subscribe while this reads: its channel is read too before returning, so
        that the caller, which does not wait from here to handing out, misses none of it."""
        through = headings[-1]["id"] if headings else self.cursor
        read: set[str] = set()
        rows: list[Any] = []
        while True:
            wanted = sorted({h["channel"] for h in headings if h["channel"] in self._subscribers} - read)
            if not wanted:
                break
            read.update(wanted)
            more = await live_log.followed_after(self.db, self.cursor, through, wanted, limit=len(headings))
            rows = sorted([*rows, *more], key=lambda row: row["id"]) if rows else list(more)
        return rows

    def _drop_leavers(self, leavers: list[tuple[str, int]]) -> None:
        """A member who left a conversation hears no more of it, on connections already open
        too (new ones are refused when they subscribe)."""
        for channel, user_id in leavers:
            for subscriber in list(self._subscribers.get(channel, ())):
                if getattr(subscriber, "member_id", None) == user_id:
                    self.unsubscribe(subscriber, {channel})
                    subscriber.forget_channel(channel)

    async def settled(self) -> None:
        """Return once no hand-out is under way. From then until the caller next awaits, every
        event up to `cursor` has reached every subscriber, so a new subscriber's replay can end
        at the cursor."""
        while not self._settled.is_set():
            await self._settled.wait()

    async def _deliver(self, by_channel: dict[str, list[tuple[int, str]]]) -> None:
        """Every reader gets the one list of its channel's events, shared, not a copy: a
        thousand readers' lists alive at once would outlive young-generation collections
        and bring on the slow full ones, mid-delivery. Only a reader of several of these
        channels gets a list of its own, merged in id order.

        Handing out to thousands of readers takes many milliseconds, so the hub gives the loop
        a turn every YIELD_EVERY readers: replies being written meanwhile hold row locks that
        other replies wait on, and must not wait for the whole hand-out to reach the database.
        Subscribing waits for `settled()`, so no reader is left between the cursor and these."""
        batches: dict[Subscriber, list[tuple[int, str]]]
        if len(by_channel) == 1:
            [(channel, events)] = by_channel.items()
            batches = dict.fromkeys(self._subscribers.get(channel, ()), events)
            self.counts.events_handed_out += len(events) * len(batches)
        else:
            batches = {}
            for channel, events in by_channel.items():
                for subscriber in self._subscribers.get(channel, ()):
                    batch = batches.get(subscriber)
                    batches[subscriber] = events if batch is None else sorted(batch + events)
                    self.counts.events_handed_out += len(events)
        for count, (subscriber, events) in enumerate(batches.items(), 1):
            subscriber.deliver_events(events)
            if count % YIELD_EVERY == 0:
                await asyncio.sleep(0)

    async def _pause(self, seconds: float) -> bool:
        """Sleep, waking early when the hub stops; True if it is stopping."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
        return self._stopping.is_set()

    async def _prune(self) -> None:
        max_count, max_age = self._log_window
        while not await self._pause(PRUNE_EVERY_SECONDS):
            try:
                await live_log.prune(self.db, max_count=max_count, max_age_seconds=max_age)
            except Exception:
                log.warning("pruning the event log failed", exc_info=True)


def doorbell(sender: str, rows: list[Any] | None) -> str:
    """The sender's process id, then a line "channel<TAB>subject" per event committed (none when
    there are too many or they are not known: every process then reads the log)."""
    if not rows or len(rows) > DOORBELL_MAX_EVENTS:
        return f"{sender}\n"
    return sender + "".join(f"\n{row['channel']}\t{row['subject'] or ''}" for row in rows)
