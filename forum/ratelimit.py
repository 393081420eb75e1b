"""Rate limits: sliding windows kept in this process's memory (so each worker counts on its
own; with N workers a limit is at most N times looser). Off with FORUM_RATE_LIMITS=off."""

from __future__ import annotations

import math
import time
from collections import deque

# (how many, per how many seconds)
SIGNUPS_PER_ADDRESS = (5, 3600)
FAILED_LOGINS_PER_ACCOUNT = (5, 900)
FAILED_LOGINS_PER_ADDRESS = (20, 900)
POSTS_PER_MEMBER = (10, 60)
POSTS_PER_NEW_MEMBER = (3, 60)  # in their first day: spam accounts are young
NEW_MEMBER_SECONDS = 24 * 3600
# Keys not touched for this long are forgotten, so memory stays bounded.
FORGET_AFTER_SECONDS = 3600
SWEEP_EVERY = 1000


class RateLimited(Exception):
    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimiter:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._hits: dict[str, deque[float]] = {}
        self._calls = 0

    def _window(self, key: str, seconds: int, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - seconds:
            hits.popleft()
        return hits

    def check(self, key: str, limit: tuple[int, int], message: str) -> None:
        """Raise RateLimited if `key` already used its allowance; does not count a hit."""
        if not self.enabled:
            return
        count, seconds = limit
        now = time.monotonic()
        hits = self._window(key, seconds, now)
        if len(hits) >= count:
            retry_after = max(1, math.ceil(hits[0] + seconds - now))
            raise RateLimited(retry_after, f"{message} Try again in {_wait(retry_after)}.")

    def hit(self, key: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        self._hits.setdefault(key, deque()).append(now)
        self._calls += 1
        if self._calls % SWEEP_EVERY == 0:
            stale = [k for k, v in self._hits.items() if not v or v[-1] < now - FORGET_AFTER_SECONDS]
            for k in stale:
                del self._hits[k]

    def take(self, key: str, limit: tuple[int, int], message: str) -> None:
        self.check(key, limit, message)
        self.hit(key)


def _wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"
