"""One process: the embedded default (memory://)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from forum.realtime.backends.base import BACKEND_QUEUE_SIZE


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
