"""Sliding-window rate limits kept in this process's memory (the embedded default), and what
every limiter shares: the refusal and how it is worded."""

from __future__ import annotations

import math
import time
from collections import deque

# A key with no hit for this long is forgotten; every SWEEP_EVERY hits, stale keys are swept.
FORGET_AFTER_SECONDS = 3600
SWEEP_EVERY = 1000


class RateLimited(Exception):
    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimiter:
    """The windows in this process's memory."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._hits: dict[str, deque[float]] = {}
        self._calls = 0

    def _window(self, key: str, seconds: int, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - seconds:
            hits.popleft()
        return hits

    async def check(self, key: str, limit: tuple[int, int], message: str) -> None:
        """Raise RateLimited if `key` already used its allowance; does not count a hit."""
        if self.enabled:
            self._check(key, limit, message)

    def _check(self, key: str, limit: tuple[int, int], message: str) -> None:
        count, seconds = limit
        now = time.monotonic()
        hits = self._window(key, seconds, now)
        if len(hits) >= count:
            refuse(hits[0] + seconds - now, message)

    async def within(self, key: str, limit: tuple[int, int]) -> bool:
        """True while `key` is under `limit`; counts nothing (for a limit that slows, not refuses)."""
        try:
            await self.check(key, limit, "")
        except RateLimited:
            return False
        return True

    async def hit(self, key: str) -> None:
        if self.enabled:
            self._hit(key)

    def _hit(self, key: str) -> None:
        now = time.monotonic()
        self._hits.setdefault(key, deque()).append(now)
        self._calls += 1
        if self._calls % SWEEP_EVERY == 0:
            stale = [k for k, v in self._hits.items() if not v or v[-1] < now - FORGET_AFTER_SECONDS]
            for k in stale:
                del self._hits[k]

    async def take(self, key: str, limit: tuple[int, int], message: str) -> None:
        """Check and count in one step."""
        if self.enabled:
            self._check(key, limit, message)
            self._hit(key)

    async def close(self) -> None:
        pass


def refuse(retry_after: float, message: str) -> None:
    seconds = max(1, math.ceil(retry_after))
    raise RateLimited(seconds, f"{message} Try again in {_wait(seconds)}.")


def _wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"
