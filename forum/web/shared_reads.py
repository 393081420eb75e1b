"""Reads every page repeats and almost nothing changes (the channel list, the site banner, a
thread's channels), kept per process until a change touches what they show.

Each read names what it shows, in the event log's words (forum/web/invalidation.py): the banner
read shows `banner`, a thread's channels `thread:12`. An event touching that name, committed
here or read by the hub from another process, drops it; MAX_AGE_SECONDS bounds what a change
logging no event can leave stale, as it does for cached pages. A page that uses a shared read
shows what the read shows, so the page cache drops the page with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from forum.web.invalidation import MAX_AGE_SECONDS, ShowingCache, shows

T = TypeVar("T")
MAX_ENTRIES = 2_000  # a thread's channels are kept per thread: bounded, least recently used out


class SharedReads:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_age: float = MAX_AGE_SECONDS) -> None:
        self._reads = ShowingCache(max_entries, max_age)

    async def get(self, forum: Any, key: Hashable, read: Callable[[], Awaitable[T]],
                  showing: tuple[str, ...]) -> T:
        """`read()`'s answer, kept under `key` while nothing in `showing` changes."""
        shows(*showing)
        kept = self._reads.get(key)
        if kept is not None:
            return kept[0]
        mark = forum.invalidation.mark()
        value = await read()
        if forum.invalidation.kept(mark, showing):
            self._reads.put(key, (value,), showing)  # in a tuple: a read may answer None
        return value

    def drop(self, names: set[str]) -> None:
        self._reads.drop(names)

    def __len__(self) -> int:
        return len(self._reads)
