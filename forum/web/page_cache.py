"""The anonymous page cache (after Discourse's): thread and channel pages as a visitor who is not
signed in sees them, kept per process and served without touching the database.

A visitor's page differs from another visitor's only by the CSRF token, so the cached body holds
a per-process placeholder in its place, swapped for the visitor's own token on the way out.

A page records the names of what it shows (forum/web/invalidation.py: its thread, its channel, the
threads it lists, their authors, the banner) and is dropped when an event touching one of them
commits: here at once, elsewhere when the hub reads it from the log. MAX_AGE_SECONDS bounds
what a change that logs no event can leave stale. Memory is bounded by bytes and by entry
count, least recently used first out (cachetools).
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import cookie_parser
from starlette.types import Message, Receive, Scope, Send

from forum.auth import CSRF_COOKIE, SESSION_COOKIE
from forum.web.invalidation import MAX_AGE_SECONDS, ShowingCache, recording
from forum.web.middleware import HttpMiddleware

# Which pages: a thread (any page of it) and a channel listing. Answers other than a 200 page
# (a redirect to log in, a 404) pass through uncached.
CACHEABLE_PATH = re.compile(r"^/(t/\d+(/[^/]+)?|c/[^/]+)$")
BANNER_COOKIE = "forum_banner_dismissed"  # the page shows the banner unless this names it
MAX_ENTRIES = 1000
MAX_BYTES = 32 * 1024 * 1024
MAX_ENTRY_BYTES = 1024 * 1024


@dataclass
class Entry:
    headers: list[tuple[bytes, bytes]]
    body: bytes  # with PageCache.slot where the visitor's CSRF token goes


class PageCache:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES,
                 max_age: float = MAX_AGE_SECONDS, timer: Callable[[], float] = time.monotonic) -> None:
        self.slot = secrets.token_hex(32).encode()  # as long as a CSRF token, so lengths hold
        # One budget in bytes; each page weighs its body but at least its share of the budget,
        # so the cache holds at most max_entries pages as well.
        least = max_bytes // max_entries
        self._pages = ShowingCache(max_bytes, max_age, timer=timer,
                                   getsizeof=lambda entry: max(len(entry.body), least))
        self.hits = self.misses = 0
        # Pages being rendered now: later visitors to the same page wait for that render.
        self.filling: dict[Any, asyncio.Event] = {}

    def get(self, key: Any) -> Entry | None:
        entry: Entry | None = self._pages.get(key)
        if entry is None:
            self.misses += 1
        else:
            self.hits += 1
        return entry

    def put(self, key: Any, entry: Entry, shows: set[str] | frozenset[str]) -> None:
        if len(entry.body) <= MAX_ENTRY_BYTES:
            self._pages.put(key, entry, shows)

    def drop(self, names: set[str]) -> None:
        self._pages.drop(names)

    def __len__(self) -> int:
        return len(self._pages)

    @property
    def size_bytes(self) -> int:
        return sum(len(entry.body) for entry in self._pages.values())


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
        mark = forum.invalidation.mark()  # before rendering (see Invalidation.kept)
        entry = cache.get(key)
        if entry is None and (filling := cache.filling.get(key)) is not None:
            await filling.wait()  # one render per page, not one per waiting visitor
            mark = forum.invalidation.mark()
            entry = cache.get(key)
        if entry is not None:
            body = entry.body.replace(cache.slot, token.encode())
            await send({"type": "http.response.start", "status": 200,
                        "headers": [*entry.headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self._fill(forum, cache, scope, receive, send, key, mark, token.encode())

    async def _fill(self, forum: Any, cache: PageCache, scope: Scope, receive: Receive, send: Send,
                    key: Any, mark: int, token: bytes) -> None:
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
            with recording() as shows:
                await self.app(scope, receive, capture)
            if start is not None and start["status"] == 200 and forum.invalidation.kept(mark, shows):
                headers = [(n, v) for n, v in start["headers"] if n != b"content-length"]
                names = {n for n, _ in headers}
                content_type = dict(headers).get(b"content-type", b"")
                if b"set-cookie" not in names and content_type.startswith(b"text/html"):
                    body = b"".join(chunks).replace(token, cache.slot)
                    cache.put(key, Entry(headers, body), shows)
        finally:
            if mine is not None:
                del cache.filling[key]
                mine.set()
