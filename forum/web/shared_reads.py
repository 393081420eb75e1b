"""Reads every page repeats and almost nothing changes (the channel list, the site banner, a
thread's channels), kept per process until a change touches what they show.

Each read names what it shows, in the event log's words (forum/web/invalidation.py): the banner
read shows `banner`, a thread's channels `thread:12`. An event touching that name, committed
here or read by the hub from another process, drops it; MAX_AGE_SECONDS bounds what a change
logging no event can leave stale, as it does for cached pages. A page that uses a shared read
shows what the read shows, so the page cache drops the page with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Any, TypeVar

from forum.web.invalidation import MAX_AGE_SECONDS, ShowingCache, recording, shows

T = TypeVar("T")
MAX_ENTRIES = 2_000  # a thread's channels are kept per thread: bounded, least recently used out
# Pages of posts are kept weighed by their characters (source and HTML): some 400 pages of 50
# everyday posts. Each holds its rows' other fields besides: count about twice this in memory.
MAX_PAGE_CHARS = 16_000_000
# Whole answers kept as bytes (e.g. a thread's JSON for every member), weighed by their length.
MAX_DOCUMENT_BYTES = 16_000_000


class SharedReads:
    def __init__(self, max_entries: float = MAX_ENTRIES, max_age: float = MAX_AGE_SECONDS,
                 getsizeof: Callable[[Any], float] | None = None) -> None:
        """`getsizeof` weighs a kept answer (then `max_entries` bounds the total weight)."""
        weigh = (lambda kept: getsizeof(kept[0])) if getsizeof is not None else None
        self._reads = ShowingCache(max_entries, max_age, getsizeof=weigh)

    async def get(self, forum: Any, key: Hashable, read: Callable[[], Awaitable[T]],
                  showing: tuple[str, ...],
                  also_showing: Callable[[T], Iterable[str]] | None = None) -> T:
        """`read()`'s answer, kept under `key` while nothing in `showing` changes, nor anything
        `also_showing` names in the answer (e.g. the members whose names a page of posts shows)."""
        found = self._reads.entry(key)
        if found is not None:
            shows(*found[0])
            return found[1][0]
        mark = forum.invalidation.mark()
        value = await read()
        names = (*showing, *also_showing(value)) if also_showing is not None else showing
        shows(*names)
        if forum.invalidation.kept(mark, names):
            self._reads.put(key, (value,), names)  # in a tuple: a read may answer None
        return value

    async def get_recorded(self, forum: Any, key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
        """`read()`'s answer, kept under `key` while nothing changes that the reads it made said
        they show (through `shows`, as shared reads and thread_reads do). An answer whose reads
        named nothing is not kept: nothing could say when it changed."""
        found = self._reads.entry(key)
        if found is not None:
            shows(*found[0])
            return found[1][0]
        mark = forum.invalidation.mark()
        with recording() as shown:
            value = await read()
        shows(*shown)
        if shown and forum.invalidation.kept(mark, shown):
            self._reads.put(key, (value,), shown)
        return value

    def drop(self, names: set[str]) -> None:
        self._reads.drop(names)

    def __len__(self) -> int:
        return len(self._reads)


def weighed_pages() -> SharedReads:
    """Shared reads of pages of posts: (rows, next cursor), weighed by the posts' text."""
    def weight(found: Any) -> float:
        rows = found[0]
        return sum(len(row["html"] or "") + len(row["body"] or "") for row in rows) + 1

    return SharedReads(MAX_PAGE_CHARS, getsizeof=weight)


def weighed_documents() -> SharedReads:
    """Shared reads of finished answers, as bytes, weighed by their length."""
    return SharedReads(MAX_DOCUMENT_BYTES, getsizeof=len)
