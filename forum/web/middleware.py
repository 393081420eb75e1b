"""Pure ASGI middleware: security headers on every response, and a CSRF cookie for every
browser (so even the sign-up and log-in forms carry a token)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum.auth import CSRF_COOKIE
from forum.db.engine import is_unavailable

log = logging.getLogger("forum")

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
CSRF_COOKIE_MAX_AGE = 365 * 24 * 3600


class HttpMiddleware:
    """A middleware for HTTP requests only. Anything else (a WebSocket) goes straight to the
    app inside: `__call__` hands back the inner app's awaitable rather than awaiting it in a
    coroutine of its own, which would stay alive, and be walked by every full garbage
    collection, for as long as the socket is open."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        return self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


def is_https(scope: Scope) -> bool:
    return scope.get("scheme") in ("https", "wss")


class SecurityHeadersMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        new_csrf = None
        # Parsed as Starlette's Request parses cookies (which is how the token is read later),
        # leniently as browsers do: a malformed pair elsewhere does not hide the token.
        cookies: dict[str, str] = {}
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookies.update(cookie_parser(value.decode("latin-1")))
        if not cookies.get(CSRF_COOKIE):
            new_csrf = secrets.token_urlsafe(32)
            scope["forum.csrf_cookie"] = new_csrf

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-security-policy", CONTENT_SECURITY_POLICY)
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", "same-origin")
                headers.setdefault("x-frame-options", "DENY")
                if new_csrf:
                    secure = "; Secure" if is_https(scope) else ""
                    headers.append("set-cookie", f"{CSRF_COOKIE}={new_csrf}; Path=/; HttpOnly; "
                                   f"SameSite=Lax; Max-Age={CSRF_COOKIE_MAX_AGE}{secure}")
            await send(message)

        await self.app(scope, receive, send_with_headers)


LIVE_FROM = "forum.live_from"  # the scope key LiveResumePointMiddleware sets


class LiveResumePointMiddleware(HttpMiddleware):
    """Note the newest event this process's hub has handed out as a request begins: a page
    resumes its live updates from there (base.html's data-last-event-id). Whatever commits
    while the page's reads run is then replayed to it, never skipped, and the page's script
    ignores a replayed event it already shows. (The log's newest id, read when rendering,
    after the page's reads, would skip a reply committed in between.)"""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        forum = scope.get("state", {}).get("forum")
        if forum is not None:
            scope[LIVE_FROM] = forum.hub.cursor
        await self.app(scope, receive, send)


class OneConnectionPerRequestMiddleware(HttpMiddleware):
    """Hold one database connection for a whole HTTP request. `databases` otherwise opens a
    fresh connection for every query (on SQLite, a new file handle and thread each time)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        forum = scope.get("state", {}).get("forum")
        # /healthz checks the database itself, to say in its own answer that it is down.
        if forum is None or scope["path"].startswith("/static/") or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        async with forum.db.connection():
            await self.app(scope, receive, send)


UNAVAILABLE_MESSAGE = ("The forum's database is not answering just now. Nothing you sent was "
                       "saved; please try again in a moment.")


class DatabaseUnavailableMiddleware(HttpMiddleware):
    """A database that is down or restarting gets a clear 503, not a 500 and a dropped
    connection; the pool reconnects by itself when the database is back."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = finished = False

        async def tracking_send(message: Message) -> None:
            nonlocal started, finished
            started = started or message["type"] == "http.response.start"
            finished = message["type"] == "http.response.body" and not message.get("more_body")
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            if not is_unavailable(error):
                raise
            if finished:
                # The answer went out; only handing the connection back failed (the database
                # went away just then). Raising would make the server drop a healthy keep-alive.
                log.warning("database went away after %s %s was answered", scope.get("method"), scope["path"])
                return
            if started:
                raise
            log.warning("database unavailable on %s %s: %s", scope.get("method"), scope["path"], error)
            response: Response
            if scope["path"].startswith("/api/"):
                response = JSONResponse({"error": {"code": "unavailable", "message": UNAVAILABLE_MESSAGE,
                                                   "fields": {}}}, status_code=503)
            else:
                response = HTMLResponse(
                    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Try again soon</title>'
                    f"<h1>Try again in a moment</h1><p>{UNAVAILABLE_MESSAGE}</p></html>", status_code=503)
            response.headers["Retry-After"] = "5"
            await response(scope, receive, send)
