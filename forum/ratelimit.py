"""Rate limits: sliding windows, kept in this process's memory on the embedded default, and in
Redis when the forum runs on it (forum/ratelimit_redis.py), so that every process and host
counts together. Off with FORUM_RATE_LIMITS=off."""

from __future__ import annotations

import math
import time
from collections import deque

# (how many, per how many seconds)
SIGNUPS_PER_ADDRESS = (5, 3600)
# Failed log-ins refuse per (account, address) and per address, never per account alone:
# a stranger's guesses would lock the owner out. Past the per-account ceiling each attempt
# waits SLOW_LOGIN_SECONDS instead, and the owner is told.
FAILED_LOGINS_PER_ACCOUNT_AND_ADDRESS = (5, 900)
FAILED_LOGINS_PER_ADDRESS = (20, 900)
FAILED_LOGINS_PER_ACCOUNT = (50, 3600)
SLOW_LOGIN_SECONDS = 1.0
# Mail a stranger can make the forum send: confirmation links and password resets.
EMAIL_CHANGES_PER_ACCOUNT = (5, 3600)
PASSWORD_RESETS_PER_EMAIL = (3, 3600)
PASSWORD_RESETS_PER_ACCOUNT = (3, 3600)
PASSWORD_RESETS_PER_ADDRESS = (20, 3600)
POSTS_PER_MEMBER = (10, 60)
POSTS_PER_NEW_MEMBER = (3, 60)  # in their first day: spam accounts are young
NEW_MEMBER_SECONDS = 24 * 3600
# Reactions are cheap to give and each one tells the post's author: a click-storm is a flood.
REACTIONS_PER_MEMBER = (30, 60)
# Private messages reach people directly, so they count apart from posts and as strictly.
MESSAGES_PER_MEMBER = (10, 60)
UPLOADS_PER_MEMBER = (20, 60)
# Each member may upload this many of the largest files a day (FORUM_UPLOAD_MAX_BYTES each).
UPLOAD_DAILY_QUOTA_FILES = 20
# Keys not touched for this long are forgotten, so memory stays bounded.
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


def rate_limiter_for(enabled: bool, broadcast_url: str, forum_id: str) -> RateLimiter:
    """Shared through Redis when the processes share Redis; else this process's own. On Redis
    the keys are named after the forum's id (forum/db/forum_id.py), which every process of one
    forum shares and no other forum does: forums sharing a Redis do not count each other's
    visitors, even when one's secret key was copied from the other."""
    if enabled and broadcast_url.startswith(("redis://", "rediss://")):
        from forum.ratelimit_redis import RedisRateLimiter

        return RedisRateLimiter(broadcast_url, forum_id)
    return RateLimiter(enabled)


def _wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"
