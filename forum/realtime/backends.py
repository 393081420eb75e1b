"""Fan-out backends, picked by URL scheme like encode/broadcaster: memory:// for one process,
redis:// for many. A backend only rings bells and carries ephemeral frames (typing, presence);
the event log in the database is the source of truth, so a lost message costs latency, never
an event."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol

# Topics every process of one forum listens on (in Redis, named after the forum).
DOORBELL = "events"      # "the event log grew": read it
EPHEMERAL = "ephemeral"  # typing and presence frames, never stored

BACKEND_QUEUE_SIZE = 10_000


class Backend(Protocol):
    async def connect(self) -> None: ...
    async def disconnect(self) -> None: ...
    async def publish(self, topic: str, message: str) -> None: ...
    async def ping(self) -> None: ...  # raises when the backend cannot be reached (/healthz)
    def listen(self) -> AsyncIterator[tuple[str, str]]: ...


class MemoryBackend:
    """One process: publish hands the message straight to this process's listener."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue(BACKEND_QUEUE_SIZE)

    async def connect(self) -> None:
        pass

    async def disconnect(self) -> None:
        pass

    async def ping(self) -> None:
        pass

    async def publish(self, topic: str, message: str) -> None:
        try:
            self._queue.put_nowait((topic, message))
        except asyncio.QueueFull:
            pass  # a doorbell already waiting says the same; ephemeral frames may drop

    async def listen(self) -> AsyncIterator[tuple[str, str]]:
        while True:
            yield await self._queue.get()


def backend_for(url: str, forum_id: str) -> Backend:
    if url.startswith("memory://"):
        return MemoryBackend()
    if url.startswith(("redis://", "rediss://")):
        from forum.realtime.redis_backend import RedisBackend  # imported only when used

        return RedisBackend(url, forum_id)
    raise ValueError(f"FORUM_BROADCAST_URL must start with memory:// or redis://, not {url!r}")
