"""Rate limits: sliding windows, kept in this process's memory on the embedded default
(limiter.py), and in Redis when the forum runs on it (redis.py), so that every process and
host counts together. Off with FORUM_RATE_LIMITS=off. The limits themselves are in limits.py."""

from __future__ import annotations

from forum.ratelimit.limiter import RateLimited, RateLimiter, refuse


def rate_limiter_for(enabled: bool, broadcast_url: str, forum_id: str) -> RateLimiter:
    """Shared through Redis when the processes share Redis; else this process's own. On Redis
    the keys are named after the forum's id (forum/db/forum_id.py), which every process of one
    forum shares and no other forum does: forums sharing a Redis do not count each other's
    visitors, even when one's secret key was copied from the other."""
    if enabled and broadcast_url.startswith(("redis://", "rediss://")):
        from forum.ratelimit.redis import RedisRateLimiter

        return RedisRateLimiter(broadcast_url, forum_id)
    return RateLimiter(enabled)


__all__ = ["RateLimited", "RateLimiter", "rate_limiter_for", "refuse"]
