"""One live WebSocket connection: its subscriptions, its bounded send queue, resuming from the
event log, typing and presence. Delivery into a connection never waits: a reader that falls
behind by more than the queue holds is dropped (it reconnects and resumes by id), so one slow
phone cannot delay anyone else."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from typing import Any

from starlette.types import Receive, Send

from forum.auth import Member
from forum.db import channels as channel_queries
from forum.db import conversations, live_log, threads, users
from forum.db import tags as tag_queries
from forum.ids import parse_id
from forum.realtime.envelopes import LIBRARY_CHANNEL, MEMBERS_CHANNEL, dumps, error_frame, event_frame
from forum.realtime.presence import QUIET_CHANNELS, Presence
from forum.services import Forum
from forum.tag_names import is_valid_name
from forum.validation import storable

log = logging.getLogger("forum.ws")

# Frames and bytes waiting to be written to one client. Past either it is not reading: drop it.
SEND_QUEUE_FRAMES = 512
SEND_QUEUE_BYTES = 1024 * 1024
# Live events held while a subscribe replays the log; past this the client is far behind.
REPLAY_BUFFER_FRAMES = 2_000
# A resume further back than this many events gets `reset` (reload) rather than a flood.
MAX_REPLAY_EVENTS = 5_000
MAX_CLIENT_FRAME_BYTES = 16 * 1024
# Event ids past this fit no BIGINT: asked of the database, they overflow in its driver, so they
# are refused here (thread ids go through forum.ids, as every id from outside does).
MAX_EVENT_ID = 2**63 - 1
MAX_CHANNELS = 50
# Typing frames relayed per connection: at most one per this many seconds.
TYPING_INTERVAL_SECONDS = 2.0
# Closing a client that stopped reading must not hang on its full socket.
CLOSE_TIMEOUT_SECONDS = 1.0
CLOSE_TOO_SLOW = 1013  # "try again later": the client reconnects and resumes


class FrameError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class LiveConnection:
    """`send` and `receive` are the endpoint's raw ASGI callables: the hot path (one send per
    frame per reader) skips Starlette's per-message state checks, which cost as much as the
    send itself. Every frame goes out through `send`, as ASGI has it.

    A connection holds no task of its own while all is well: it receives in the endpoint's
    task, and sends from the hub's turn (see _deliver_frame). Only a send that must wait (the
    socket's buffer is full) gets a task, which finishes it and the frames queued behind it,
    and ends when the queue is empty. Ten thousand idle readers are ten thousand of these and
    little else (__slots__: no per-instance dict)."""

    __slots__ = ("forum", "member", "presence", "channels", "last_id", "_receive", "_send",
                 "_pending", "_queued_bytes", "_sender", "_room", "_replay_buffer", "_task",
                 "_cut_off", "_gone", "_last_typing")

    def __init__(self, receive: Receive, send: Send, forum: Forum, member: Member | None,
                 presence: Presence) -> None:
        self.forum = forum
        self.member = member
        self.presence = presence
        self.channels: set[str] = set()
        self.last_id = 0
        self._receive = receive
        self._send = send
        # The task finishing a send that had to wait, and the frames queued behind it (a deque,
        # not an asyncio.Queue: each put must be as cheap as it can be); both None while frames
        # are sent straight away, which is nearly always.
        self._sender: asyncio.Task[None] | None = None
        self._pending: deque[str] | None = None
        self._queued_bytes = 0
        self._room: asyncio.Event | None = None  # made when a replay must wait for room
        self._replay_buffer: list[tuple[int, str]] | None = None
        # The endpoint's task while it receives: cancelled to end a reader that fell too far
        # behind (it may be waiting for a frame that never comes; see run).
        self._task: asyncio.Task[Any] | None = None
        self._cut_off = False  # fell too far behind: nothing more is sent but the close
        self._gone = False  # a send failed: the client has left
        self._last_typing = 0.0

    # -- delivery (called by the hub; never blocks) ------------------------------------
    @property
    def member_id(self) -> int | None:
        return self.member.id if self.member else None

    def forget_channel(self, channel: str) -> None:
        """The hub has taken this connection off `channel` (its member left a conversation)."""
        self.channels.discard(channel)

    def deliver_events(self, events: list[tuple[int, str]]) -> None:
        """Events in id order, every one the hub read for this reader in one read of the log;
        the list is shared with every other reader of the channel, so it is only read here."""
        if self._replay_buffer is not None:
            self._replay_buffer.extend(events)
            if len(self._replay_buffer) > REPLAY_BUFFER_FRAMES:
                self._give_up_on_reader()
            return
        last_id = self.last_id
        for event_id, frame in events:
            if event_id > last_id:  # else already sent by a replay
                last_id = event_id
                if not self._deliver_frame(frame):
                    break
        self.last_id = max(self.last_id, last_id)

    def deliver_frame(self, frame: str) -> None:
        self._deliver_frame(frame)

    def _has_room(self, size: int) -> bool:
        queued = len(self._pending) if self._pending else 0
        return self._queued_bytes + size <= SEND_QUEUE_BYTES and queued < SEND_QUEUE_FRAMES

    def _deliver_frame(self, frame: str) -> bool:
        """Sent at once while nothing waits before it, from the caller's own turn of the event
        loop: a send that finishes without waiting (nearly every one) costs no task and no
        task switch, as a plain broadcast loop's `await send(...)` would not either. Once a
        send must wait, later frames queue behind it. False once nothing more goes out."""
        if self._cut_off or self._gone:
            return False
        pending = self._pending
        if pending is not None:
            if not self._has_room(len(frame)):
                self._give_up_on_reader()
                return False
            pending.append(frame)
            self._queued_bytes += len(frame)
            return True
        sending = self._send({"type": "websocket.send", "text": frame}).__await__()
        try:
            waiting_on = sending.send(None)
        except StopIteration:
            return True
        except Exception:  # the connection is lost; its receive loop hears so and ends
            self._lost_while_sending()
            return False
        self._pending = deque()
        self._sender = asyncio.get_running_loop().create_task(
            self._send_queued(_FinishSend(sending, waiting_on), self._pending), name="ws-send")
        return True

    def _lost_while_sending(self) -> None:
        """The connection was lost while frames waited for it, or a send found it lost. A
        client that leaves says so, and its receive loop ends it before a frame reaches it; one
        that stopped reading says nothing, and the kernel ends its connection (see
        forum/serving.py), maybe before the queue's bound drops it: a reader dropped for not
        reading either way."""
        if self._gone or self._cut_off:
            return
        self._gone = True
        self.forum.hub.counts.readers_dropped += 1
        log.info("a client that stopped reading lost its connection")

    def _give_up_on_reader(self) -> None:
        """Drop this reader: it is `too far behind` and will resume by id when it reconnects."""
        if self._cut_off:
            return
        self._cut_off = True
        if self._pending is not None:
            self._pending.clear()
        self._queued_bytes = 0
        if self._task is not None:
            self._task.cancel()  # see run: the endpoint's task closes the connection

    async def _send_queued(self, unfinished: _FinishSend, pending: deque[str]) -> None:
        send = self._send
        try:
            await unfinished
            while pending:
                frame = pending.popleft()
                self._queued_bytes -= len(frame)
                await send({"type": "websocket.send", "text": frame})
                if self._room is not None:
                    self._room.set()  # a waiting replay checks for room itself
        except Exception:  # the connection is lost; its receive loop hears so and ends
            pending.clear()
            self._queued_bytes = 0
            self._lost_while_sending()
        finally:
            self._sender = self._pending = None
            if self._room is not None:
                self._room.set()

    # -- the connection's life ---------------------------------------------------------
    async def run(self) -> None:
        """Receive and answer the client's frames until it leaves, in the endpoint's task.
        A reader that falls too far behind may be waiting for a frame it never sends, so
        dropping it cancels this task (`_give_up_on_reader`); the cancellation is taken back
        here, and the connection closed with "try again later"."""
        counts = self.forum.hub.counts
        counts.connections += 1
        task = asyncio.current_task()
        try:
            try:
                self._task = task
                await self._receive_loop()
            except asyncio.CancelledError:
                if not self._cut_off or task is None:
                    raise
                task.uncancel()
            finally:
                self._task = None
            if self._cut_off:
                counts.readers_dropped += 1
                log.info("dropping a client that stopped reading")
                await self._close(CLOSE_TOO_SLOW, "too slow: reconnect and resume")
            elif self._sender is not None:  # it left with frames waiting for room in its socket
                self._lost_while_sending()
        finally:
            sender = self._sender
            if sender is not None:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await sender
            counts.connections -= 1
            await self._leave_all()

    async def _close(self, code: int, reason: str) -> None:
        """Send the closing frame, if the socket takes it in time: one that stopped reading
        never will, and the kernel ends its connection (see forum/serving.py)."""
        sender = self._sender
        if sender is not None:  # its frames are dropped; the close goes in their place
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                await self._send({"type": "websocket.close", "code": code, "reason": reason})

    async def _receive_loop(self) -> None:
        receive = self._receive
        while not self._cut_off:
            message = await receive()
            if message["type"] != "websocket.receive":  # websocket.disconnect
                return
            text = message.get("text")
            if text is None and message.get("bytes") is not None:
                text = message["bytes"].decode("utf-8", "replace")
            try:
                await self._handle(text or "")
            except FrameError as error:
                self.deliver_frame(error_frame(error.code, str(error)))
            except Exception:
                # A bug must not silently end the reader's connection: log it, answer, carry on.
                log.exception("could not handle a frame")
                self.deliver_frame(error_frame("server_error", "That frame could not be handled."))

    async def _leave_all(self) -> None:
        self.forum.hub.unsubscribe(self, self.channels)
        if self.member:
            for channel in self.channels:
                if self.presence.leave(channel, self.member):
                    await self.forum.hub.announce_presence(channel)

    # -- client frames -----------------------------------------------------------------
    async def _handle(self, text: str) -> None:
        if len(text.encode()) > MAX_CLIENT_FRAME_BYTES:
            raise FrameError("too_large", f"Frames are limited to {MAX_CLIENT_FRAME_BYTES} bytes.")
        try:
            frame = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested a thousand deep
            raise FrameError("invalid_json", "Frames must be JSON objects.") from None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            raise FrameError("invalid_frame", "Frames must be JSON objects with a 'type'.")
        handler = {"subscribe": self._subscribe, "unsubscribe": self._unsubscribe,
                   "typing": self._typing}.get(frame["type"])
        if handler is None:
            raise FrameError("unknown_type", f"Unknown frame type {frame['type'][:40]!r}.")
        await handler(frame)

    async def _check_channels(self, names: Any) -> list[str]:
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise FrameError("invalid_frame", "'channels' must be a non-empty list of names.")
        names = list(dict.fromkeys(names))
        if len(self.channels | set(names)) > MAX_CHANNELS:
            raise FrameError("too_many_channels", f"Subscribe to at most {MAX_CHANNELS} channels.")
        for name in names:
            if name.startswith("user:"):
                if self.member is None or name != f"user:{self.member.id}":
                    raise FrameError("forbidden", "You can only listen to your own notifications.")
                continue
            if name.startswith("conversation:"):
                # Participants only; anyone else hears the same as for no conversation at all.
                conversation_id = parse_id(name.partition(":")[2])
                if (self.member is None or conversation_id is None or not await conversations.is_member(
                        self.forum.db, conversation_id, self.member.id)):
                    raise FrameError("unknown_channel", f"There is no channel {name[:80]!r}.")
                continue  # was missing: participants were refused too
            if name == MEMBERS_CHANNEL:
                if self.member is None:
                    raise FrameError("forbidden", "Log in to hear who joins.")
                continue
            if not await channel_exists(self.forum, name):
                raise FrameError("unknown_channel", f"There is no channel {name[:80]!r}.")
        return names

    async def _subscribe(self, frame: dict[str, Any]) -> None:
        names = await self._check_channels(frame.get("channels"))
        since = frame.get("since")
        if since is not None and (type(since) is not int or not 0 <= since <= MAX_EVENT_ID):
            raise FrameError("invalid_frame", "'since' must be an event id: a whole number of at least 0.")
        new = [n for n in names if n not in self.channels]
        # Nothing awaits from here until the cursor is read below.
        await self.forum.hub.settled()
        self._replay_buffer = []
        try:
            self.forum.hub.subscribe(self, set(new))
            self.channels.update(new)
            # Every event after the hub's cursor reaches this connection through the hub (it is
            # subscribed already), so that is where a replay ends; no database read needed.
            latest = self.forum.hub.cursor
            if since is not None and since > latest:
                # The client saw events another process dispatched before ours did: do not let
                # our hub hand them over again.
                latest = min(since, await live_log.latest_id(self.forum.db))
            reset = False
            if since is not None:
                reset = not await self._replay(names, since, latest)
            self.last_id = max(self.last_id, latest)
        finally:
            buffered, self._replay_buffer = self._replay_buffer, None
        if reset:
            self.deliver_frame(dumps({"type": "reset"}))
        if buffered:
            self.deliver_events(buffered)
        self.deliver_frame(dumps({"type": "subscribed", "channels": sorted(self.channels),
                                  "last_id": self.last_id}))
        if self.member:
            for channel in new:
                if self.presence.join(channel, self.member):
                    await self.forum.hub.announce_presence(channel)
                elif channel not in QUIET_CHANNELS:
                    self.deliver_frame(dumps(self.presence.frame(channel)))

    async def _replay(self, names: list[str], since: int, latest: int) -> bool:
        """Send every event after `since` on these channels; False if the log no longer
        reaches back that far (or the gap is too large to replay)."""
        if since < await live_log.pruned_through(self.forum.db) or latest - since > MAX_REPLAY_EVENTS:
            return False
        cursor = since
        while True:
            rows = await live_log.after(self.forum.db, cursor, names, limit=500)
            for row in rows:
                frame = event_frame(row)
                while self._pending and not self._has_room(len(frame)):  # a replay waits
                    room = self._room = self._room or asyncio.Event()
                    room.clear()
                    await room.wait()
                self.deliver_frame(frame)
                self.last_id = max(self.last_id, row["id"])
                cursor = row["id"]
            if len(rows) < 500:
                return True

    async def _unsubscribe(self, frame: dict[str, Any]) -> None:
        names = frame.get("channels")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise FrameError("invalid_frame", "'channels' must be a list of names.")
        names = [n for n in names if n in self.channels]
        self.forum.hub.unsubscribe(self, set(names))
        self.channels.difference_update(names)
        if self.member:
            for channel in names:
                if self.presence.leave(channel, self.member):
                    await self.forum.hub.announce_presence(channel)

    async def _typing(self, frame: dict[str, Any]) -> None:
        if self.member is None:
            raise FrameError("forbidden", "Log in to show that you are typing.")
        now = time.monotonic()
        if now - self._last_typing < TYPING_INTERVAL_SECONDS:
            return
        # Looked up afresh: a member suspended while connected loses write rights at once.
        row = await users.by_id(self.forum.db, self.member.id)
        if row is None or row["suspended_at"] is not None:
            raise FrameError("forbidden", "Your account is suspended.")
        channel = frame.get("channel")
        # Conversation channels were checked (participants only) when they were subscribed to.
        if (not isinstance(channel, str) or channel not in self.channels
                or not channel.startswith(("thread:", "conversation:"))):
            raise FrameError("invalid_frame", "'channel' must be a thread or conversation you subscribed to.")
        self._last_typing = now
        await self.forum.hub.send_ephemeral(channel, {
            "type": "typing", "channel": channel, "user": self.member.username,
            "display_name": self.member.display_name})


class _FinishSend:
    """Awaiting this finishes a send coroutine that `_send_now` started and that stopped to
    wait on `waiting_on`, exactly as the task running it would have: it hands each future the
    coroutine waits on to the awaiting task, and passes results and cancellation back in."""

    __slots__ = ("coroutine", "waiting_on")

    def __init__(self, coroutine: Any, waiting_on: Any) -> None:
        self.coroutine = coroutine
        self.waiting_on = waiting_on

    def __await__(self) -> Any:
        coroutine, waiting_on = self.coroutine, self.waiting_on
        while True:
            try:
                yield waiting_on
            except BaseException as error:  # cancelled while waiting: let the send clean up
                try:
                    waiting_on = coroutine.throw(error)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    waiting_on = coroutine.send(None)
                except StopIteration as done:
                    return done.value


async def channel_exists(forum: Forum, name: str) -> bool:
    if name in ("site", LIBRARY_CHANNEL) or name in forum.hub.known_channels:
        return True
    if not storable(name):  # a NUL or half a surrogate pair: no channel, and no query to ask
        return False
    kind, _, key = name.partition(":")
    if kind == "category":
        exists = await channel_queries.by_slug(forum.db, key) is not None
    elif kind == "thread" and (thread_id := parse_id(key)) is not None:
        exists = await threads.by_id(forum.db, thread_id) is not None
    elif kind == "tag" and is_valid_name(key):
        tag = await tag_queries.by_key(forum.db, key)
        exists = tag is not None and tag["key"] == key  # a renamed tag's page listens to its new key
    else:
        return False
    if exists:
        forum.hub.remember_channel(name)
    return exists
