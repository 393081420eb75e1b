"""Fan-out backends, picked by URL scheme like encode/broadcaster: memory:// for one process
(memory.py), redis:// for many (redis.py, imported only when used). A backend only rings bells
and carries ephemeral frames (typing, presence); the event log in the database is the source of
truth, so a lost message costs latency, never an event."""

from __future__ import annotations

from forum.realtime.backends.base import DOORBELL, EPHEMERAL, Backend
from forum.realtime.backends.memory import MemoryBackend

__all__ = ["DOORBELL", "EPHEMERAL", "Backend", "MemoryBackend", "backend_for"]


def backend_for(url: str, forum_id: str) -> Backend:
    if url.startswith("memory://"):
        return MemoryBackend()
    if url.startswith(("redis://", "rediss://")):
        from forum.realtime.backends.redis import RedisBackend  # imported only when used

        return RedisBackend(url, forum_id)
    raise ValueError(f"FORUM_BROADCAST_URL must start with memory:// or redis://, not {url!r}")
