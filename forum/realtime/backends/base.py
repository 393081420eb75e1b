"""What every fan-out backend offers, and the topics the processes of one forum share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

# Topics every process of one forum listens on (in Redis, named after the forum).
DOORBELL = "live_log"    # "the live log grew": read it
EPHEMERAL = "ephemeral"  # typing and presence frames, never stored

BACKEND_QUEUE_SIZE = 10_000


class Backend(Protocol):
    async def connect(self) -> None: ...
    async def disconnect(self) -> None: ...
    async def publish(self, topic: str, message: str) -> None: ...
    async def ping(self) -> None: ...  # raises when the backend cannot be reached (/healthz)
    def listen(self) -> AsyncIterator[tuple[str, str]]: ...
