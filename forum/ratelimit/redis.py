"""Rate limits counted in Redis, so that every forum process and host counts together: with N
processes each counting on its own, a limit would be N times looser.

Each key is a sorted set of hit times; a Lua script prunes, counts and adds in one atomic step.
If Redis cannot be reached, the limits fall back to this process's memory (with a warning)
rather than refusing everyone or letting everything through."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

import redis.asyncio as redis
from redis.exceptions import RedisError

from forum.ratelimit.limiter import FORGET_AFTER_SECONDS, RateLimiter, refuse
from forum.redis_names import redis_name

log = logging.getLogger("forum.ratelimit")

# hit() counts without checking: an allowance no key reaches.
NO_ALLOWANCE = 2**31
# A limit check must not hold up a log-in or a reply for long when Redis is unwell.
TIMEOUT_SECONDS = 0.5

# KEYS[1]: the key. ARGV: now, window seconds, allowance, "1" to count this call as a hit,
# a unique member for the hit, seconds to keep the key. Returns -1 if allowed, else the
# seconds until the oldest hit in the window leaves it.
_CHECK_AND_COUNT = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + window - now)
end
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[5])
  redis.call('EXPIRE', KEYS[1], ARGV[6])
end
return '-1'
"""


class RedisRateLimiter(RateLimiter):
    def __init__(self, url: str, forum_id: str) -> None:
        super().__init__(enabled=True)  # the fallback: this process's own windows
        self._prefix = redis_name(forum_id, "rate:")  # then the limit's own key
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS,
                                           socket_timeout=TIMEOUT_SECONDS)
        self._script = self._redis.register_script(_CHECK_AND_COUNT)
        self._warned = False

    async def check(self, key: str, limit: tuple[int, int], message: str) -> None:
        if not await self._run(key, limit, message, count_hit=False):
            await super().check(key, limit, message)

    async def take(self, key: str, limit: tuple[int, int], message: str) -> None:
        if not await self._run(key, limit, message, count_hit=True):
            await super().take(key, limit, message)

    async def hit(self, key: str) -> None:
        """Counted by the same script, with no allowance to reach, pruned to the longest window."""
        if not await self._run(key, (NO_ALLOWANCE, FORGET_AFTER_SECONDS), "", count_hit=True):
            await super().hit(key)

    async def _run(self, key: str, limit: tuple[int, int], message: str, *, count_hit: bool) -> bool:
        """False if Redis could not answer (the caller falls back); raises RateLimited."""
        count, seconds = limit
        now = time.time()
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                wait = await self._script(keys=[self._prefix + key], args=[
                    now, seconds, count, "1" if count_hit else "0", _member(now), FORGET_AFTER_SECONDS])
        except (RedisError, OSError, TimeoutError):
            self._fell_back()
            return False
        self._warned = False
        wait = float(wait)
        if wait >= 0:
            refuse(wait, message)
        return True

    def _fell_back(self) -> None:
        if not self._warned:
            self._warned = True
            log.warning("Redis is out of reach: rate limits count in this process alone until it is back",
                        exc_info=True)

    async def close(self) -> None:
        await self._redis.aclose()


def _member(now: float) -> str:
    return f"{now:.6f}:{uuid.uuid4().hex[:8]}"
