"""Redis pub/sub: doorbells and ephemeral frames between processes and hosts. At-most-once, like
all pub/sub; the event log makes up for anything lost (see forum/realtime/hub.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import redis.asyncio as redis

from forum.realtime.backends.base import DOORBELL, EPHEMERAL
from forum.redis_names import redis_name

# A publish that cannot reach Redis gives up quickly: posting must not wait for pub/sub.
PUBLISH_TIMEOUT_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 2.0
# Pings on the subscriber connection notice a Redis that went away without a word.
HEALTH_CHECK_SECONDS = 5


class RedisBackend:
    def __init__(self, url: str, forum_id: str) -> None:
        self.url = url
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                           health_check_interval=HEALTH_CHECK_SECONDS)
        # Pub/sub ignores Redis database numbers, so topics are named after the forum: two forums
        # on one Redis never hear each other, whatever their numbers. The number goes in too, as
        # keys are kept apart by it: a copy of the forum's database (staging restored from
        # production's backup, with the same id) on /1 beside production on /0 stays apart.
        number = self._redis.connection_pool.connection_kwargs.get("db", 0)
        self._topics = {topic: redis_name(forum_id, f"{number}:{topic}") for topic in (DOORBELL, EPHEMERAL)}
        self._names = {wire: name for name, wire in self._topics.items()}

    async def connect(self) -> None:
        pass  # connections are made on first use and remade after failures

    async def disconnect(self) -> None:
        await self._redis.aclose()

    async def ping(self) -> None:
        async with asyncio.timeout(PUBLISH_TIMEOUT_SECONDS):
            await self._redis.ping()

    async def publish(self, topic: str, message: str) -> None:
        async with asyncio.timeout(PUBLISH_TIMEOUT_SECONDS):
            await self._redis.publish(self._topics[topic], message)

    async def listen(self) -> AsyncIterator[tuple[str, str]]:
        """Yields until the connection fails, then raises; the hub retries with backoff."""
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(*self._topics.values())
            async for message in pubsub.listen():
                if message and message.get("type") == "message":
                    channel, data = message["channel"], message["data"]
                    channel = channel.decode() if isinstance(channel, bytes) else channel
                    yield (self._names[channel], data.decode() if isinstance(data, bytes) else data)
        finally:
            await pubsub.aclose()
