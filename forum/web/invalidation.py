"""What a change invalidates: the rule shared by the page cache, shared reads and anything
else that keeps what it read.

A cached entry records the names of what it shows, in the event log's own words: a thread page
shows `thread:12`, its authors `user:7`, its tags `tag:surveys` and the site's `banner`; a channel
page shows `category:general-chat` and each listed thread's row, `row_of("thread:12")`, which
only events about the thread (their subject) touch: a reaction, an edit or seats taken in a
thread leave its row as it was. Every change logs events (see forum/db/live_log.py), and an
event touches its channel and its subject (and the subject's row); an entry is dropped
when an event touching a name it shows commits: in this process right at commit, before the
change is acknowledged (Database.watch_commits), and in every other process when its hub reads
the event from the log (this process's hub passes over the events it dropped at commit: a page
rendered again since is already fresh). A read mark or a session touch logs nothing and so drops nothing.
A write that logs no event (a change made by hand in the database) shows once the entry
ages out (MAX_AGE_SECONDS).

Was: one counter of this process's writes and the hub's cursor, so any write at all, a read
mark included, emptied every cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from cachetools import TTLCache

# The longest a cached entry is kept: what bounds a change that logged no event.
MAX_AGE_SECONDS = 10.0
# Channels only their member(s) may hear: what happens there (a notification, an unread
# message) shows on no visitor's page, so it touches nothing, though `user:7` also names a
# member whose name pages show (a new name is logged with that subject: see update_profile).
PRIVATE_CHANNEL_KINDS = frozenset({"user", "conversation", "members"})
# How many recently touched names are remembered to refuse a render that read before them;
# past it the record starts again, and renders begun before that are not kept (see `kept`).
TOUCHED_REMEMBERED = 100_000

_SHOWN: ContextVar[set[str] | None] = ContextVar("forum_shown", default=None)


def row_of(subject: str) -> str:
    """The name a listing records for an item it lists by its row alone (a channel page, each
    thread): touched by events about the item, not by everything said on its channel."""
    return f"row of {subject}"


def names_touched(channel: str, subject: str | None) -> set[str]:
    """The names an event about `subject` on `channel` touches."""
    names = {subject, row_of(subject)} if subject else set()
    if channel.partition(":")[0] not in PRIVATE_CHANNEL_KINDS:
        names.add(channel)
    return names


def shows(*names: str) -> None:
    """Say that what is being rendered now shows these (a no-op outside a cached render)."""
    shown = _SHOWN.get()
    if shown is not None:
        shown.update(names)


@contextmanager
def recording() -> Iterator[set[str]]:
    """Record what the enclosed render shows: the set `shows` fills."""
    shown: set[str] = set()
    token = _SHOWN.set(shown)
    try:
        yield shown
    finally:
        _SHOWN.reset(token)


class Droppable(Protocol):
    def drop(self, names: set[str]) -> None:
        """Forget every entry that shows any of `names`."""


class Invalidation:
    """One per process: tells every registered cache what changed."""

    def __init__(self) -> None:
        self._caches: list[Droppable] = []
        self._touches = 0  # how many times names were touched, ever
        self._touched: dict[str, int] = {}  # name -> _touches when it was last touched
        self._forgotten_through = 0  # touches up to this one are no longer in _touched
        # This process's events, dropped at commit, that the hub has not read back yet; the hub
        # has read every id up to _read_through (it reads in order).
        self._dropped_at_commit: set[int] = set()
        self._read_through = 0

    def register(self, cache: Droppable) -> None:
        self._caches.append(cache)

    def mark(self) -> int:
        """Take before reading what will be kept; hand to `kept` when storing it."""
        return self._touches

    def kept(self, mark: int, names: Iterable[str]) -> bool:
        """Whether what was read after `mark` and shows `names` may be kept: nothing it shows
        was touched since (a change committed while it was being read would be lost)."""
        if mark == self._touches:
            return True
        if mark < self._forgotten_through:
            return False
        return all(self._touched.get(name, 0) <= mark for name in names)

    def touch(self, names: set[str]) -> None:
        if not names:
            return
        self._touches += 1
        if len(self._touched) + len(names) > TOUCHED_REMEMBERED:
            self._touched.clear()
            self._forgotten_through = self._touches - 1
        for name in names:
            self._touched[name] = self._touches
        for cache in self._caches:
            cache.drop(names)

    def events(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """For Hub.watch_log: events read from the log, every process's, in order of id; or the
        headings another process's doorbell names (no id: the log is read later)."""
        names: set[str] = set()
        for row in rows:
            event_id = row.get("id")
            if event_id is None:
                names |= names_touched(row["channel"], row["subject"])
                continue
            self._read_through = max(self._read_through, event_id)
            if event_id in self._dropped_at_commit:
                self._dropped_at_commit.discard(event_id)
            else:
                names |= names_touched(row["channel"], row["subject"])
        self._dropped_at_commit = {i for i in self._dropped_at_commit if i > self._read_through}
        self.touch(names)

    async def committed(self, rows: list[Any]) -> None:
        """For Database.watch_commits("live_log", ...): the events a transaction of this process
        just committed (each with its id). An id the hub has read already was dropped then."""
        names: set[str] = set()
        for row in rows:
            names |= names_touched(row["channel"], row["subject"])
        self.touch(names)
        self._dropped_at_commit.update(row["id"] for row in rows if row["id"] > self._read_through)


class ShowingCache:
    """A cachetools TTLCache (least recently used out past `maxsize`, every entry out after
    `ttl` seconds) whose entries record the names of what they show, so that a change can drop
    exactly those. `getsizeof` weighs a value (default 1: `maxsize` counts entries)."""

    def __init__(self, maxsize: float, ttl: float, getsizeof: Callable[[Any], float] | None = None,
                 timer: Callable[[], float] = time.monotonic) -> None:
        weigh = (lambda kept: getsizeof(kept[1])) if getsizeof is not None else None
        self._entries: TTLCache[Hashable, tuple[frozenset[str], Any]] = TTLCache(
            maxsize, ttl, timer=timer, getsizeof=weigh)
        self._weigh = weigh
        self._showing: dict[str, set[Hashable]] = {}
        self._puts_since_sweep = 0

    def get(self, key: Hashable) -> Any:
        kept = self._entries.get(key)
        return None if kept is None else kept[1]

    def entry(self, key: Hashable) -> tuple[frozenset[str], Any] | None:
        """(the names it shows, the value), or None."""
        return self._entries.get(key)

    def put(self, key: Hashable, value: Any, names: Iterable[str]) -> None:
        kept = (frozenset(names), value)
        if self._weigh is not None and self._weigh(kept) > self._entries.maxsize:
            return  # cachetools refuses what outweighs the whole cache
        self._entries[key] = kept
        for name in kept[0]:
            self._showing.setdefault(name, set()).add(key)
        self._puts_since_sweep += 1
        if self._puts_since_sweep > max(len(self._entries), 64):
            self._sweep()

    def drop(self, names: set[str]) -> None:
        for name in names:
            for key in self._showing.pop(name, ()):
                self._entries.pop(key, None)

    def _sweep(self) -> None:
        """Forget the keys cachetools has evicted or expired meanwhile (it does not say which),
        so the index stays the size of the cache."""
        self._showing = {}
        for key, (names, _) in list(self._entries.items()):
            for name in names:
                self._showing.setdefault(name, set()).add(key)
        self._puts_since_sweep = 0

    def values(self) -> list[Any]:
        return [value for _, value in self._entries.values()]

    def __len__(self) -> int:
        return len(self._entries)
