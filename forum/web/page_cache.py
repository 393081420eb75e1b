"""The anonymous page cache (after Discourse's): thread and channel pages as a visitor who is not
signed in sees them, kept per process and served without touching the database.

A visitor's page differs from another visitor's only by the CSRF token, so the cached body holds
a per-process placeholder in its place, swapped for the visitor's own token on the way out.

An entry is valid only for the "stamp" it was rendered under: how many writes this process has
made (Database.writes, moved after each commit) and the newest event the hub has read from the
log (moved by every process's writes). Any write by this process therefore invalidates every
entry before the write is acknowledged, and other processes' writes within a poll of the event
log; MAX_AGE_SECONDS bounds what an event-less write elsewhere (a display name, say) can leave
stale. Memory is bounded by entry count and total bytes, least recently used first out.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from starlette.requests import cookie_parser
from starlette.types import Message, Receive, Scope, Send

from forum.auth import CSRF_COOKIE, SESSION_COOKIE
from forum.web.middleware import HttpMiddleware

# Which pages: a thread (any page of it) and a channel listing. Answers other than a 200 page
# (a redirect to log in, a 404) pass through uncached.
CACHEABLE_PATH = re.compile(r"^/(t/\d+(/[^/]+)?|c/[^/]+)$")
BANNER_COOKIE = "forum_banner_dismissed"  # the page shows the banner unless this names it
MAX_AGE_SECONDS = 10.0
MAX_ENTRIES = 1000
MAX_BYTES = 32 * 1024 * 1024
MAX_ENTRY_BYTES = 1024 * 1024


def stamp_of(forum: Any) -> tuple[int, int]:
    """This process's write count and the newest event its hub has read. Taken before
    reading: a write committing meanwhile moves it, so what was read before that write is
    never kept under the stamp that follows it."""
    return (forum.db.writes, forum.hub.cursor)


@dataclass
class Entry:
    stamp: tuple[int, int]
    stored_at: float
    headers: list[tuple[bytes, bytes]]
    body: bytes  # with PageCache.slot where the visitor's CSRF token goes


class PageCache:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES,
                 max_age: float = MAX_AGE_SECONDS) -> None:
        self.max_entries, self.max_bytes, self.max_age = max_entries, max_bytes, max_age
        self.slot = secrets.token_hex(32).encode()  # as long as a CSRF token, so lengths hold
        self._entries: OrderedDict[Any, Entry] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0
        # Pages being rendered now: later visitors to the same page wait for that render.
        self.filling: dict[Any, asyncio.Event] = {}

    def get(self, key: Any, stamp: tuple[int, int]) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None and (entry.stamp != stamp or time.monotonic() - entry.stored_at > self.max_age):
            self._drop(key)
            entry = None
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return entry

    def put(self, key: Any, entry: Entry) -> None:
        if len(entry.body) > MAX_ENTRY_BYTES:
            return
        self._drop(key)
        self._entries[key] = entry
        self._bytes += len(entry.body)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: Any) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry.body)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes


class PageCacheMiddleware(HttpMiddleware):
    """Sits inside the security-headers middleware (which sets a first visitor's CSRF cookie)
    and outside the per-request database connection, so a hit costs no connection at all.
    The cache itself lives in the lifespan state, beside the forum it caches pages of."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.get("state", {})
        forum, cache = state.get("forum"), state.get("page_cache")
        if (scope["method"] != "GET" or forum is None or cache is None
                or not CACHEABLE_PATH.match(scope["path"])):
            await self.app(scope, receive, send)
            return
        cookies: dict[str, str] = {}
        for name, value in scope["headers"]:
            if name == b"authorization":
                await self.app(scope, receive, send)
                return
            if name == b"cookie":
                cookies.update(cookie_parser(value.decode("latin-1")))
        if cookies.get(SESSION_COOKIE):  # possibly a member: their page is their own
            await self.app(scope, receive, send)
            return
        token = forum.signer.csrf_token(scope.get("forum.csrf_cookie") or cookies.get(CSRF_COOKIE, ""))
        key = (scope["path"], scope.get("query_string", b""), cookies.get(BANNER_COOKIE, ""))
        stamp = stamp_of(forum)  # before rendering (see stamp_of)
        entry = cache.get(key, stamp)
        if entry is None and (filling := cache.filling.get(key)) is not None:
            await filling.wait()  # one render per page, not one per waiting visitor
            stamp = stamp_of(forum)
            entry = cache.get(key, stamp)
        if entry is not None:
            body = entry.body.replace(cache.slot, token.encode())
            await send({"type": "http.response.start", "status": 200,
                        "headers": [*entry.headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self._fill(cache, scope, receive, send, key, stamp, token.encode())

    async def _fill(self, cache: PageCache, scope: Scope, receive: Receive, send: Send, key: Any,
                    stamp: tuple[int, int], token: bytes) -> None:
        mine = None
        if key not in cache.filling:
            mine = cache.filling[key] = asyncio.Event()
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                # A copy: the middleware outside adds its own headers to the message in place.
                start = {"status": message["status"], "headers": list(message.get("headers", []))}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
            if start is not None and start["status"] == 200:
                headers = [(n, v) for n, v in start["headers"] if n != b"content-length"]
                names = {n for n, _ in headers}
                content_type = dict(headers).get(b"content-type", b"")
                if b"set-cookie" not in names and content_type.startswith(b"text/html"):
                    body = b"".join(chunks).replace(token, cache.slot)
                    cache.put(key, Entry(stamp, time.monotonic(), headers, body))
        finally:
            if mine is not None:
                del cache.filling[key]
                mine.set()
