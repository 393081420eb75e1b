"""Reads every page repeats and almost nothing changes (the channel list, the site banner, a
thread's channels), kept per process while nothing has been written.

An entry holds only under the stamp it was read under, the page cache's (forum/web/page_cache.py):
this process's write count and the newest event its hub has read. Any write here, and any
write elsewhere that logs an event, makes a fresh read; MAX_AGE_SECONDS bounds what an
event-less write in another process can leave stale, as it does for cached pages.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from forum.web.page_cache import MAX_AGE_SECONDS, stamp_of

T = TypeVar("T")
MAX_ENTRIES = 2_000  # a thread's channels are kept per thread: bounded, oldest out


class SharedReads:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_age: float = MAX_AGE_SECONDS) -> None:
        self.max_entries, self.max_age = max_entries, max_age
        self._entries: dict[Any, tuple[tuple[int, int], float, Any]] = {}

    async def get(self, forum: Any, key: Any, read: Callable[[], Awaitable[T]]) -> T:
        stamp = stamp_of(forum)
        kept = self._entries.get(key)
        now = time.monotonic()
        if kept is not None and kept[0] == stamp and now - kept[1] < self.max_age:
            return kept[2]
        value = await read()
        if len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries.pop(key, None)  # re-inserted last: the dict's order is the eviction order
        self._entries[key] = (stamp, now, value)
        return value
