"""Pure ASGI middleware: security headers on every response, and a CSRF cookie for every
browser (so even the sign-up and log-in forms carry a token)."""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum.auth import CSRF_COOKIE

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


def is_https(scope: Scope) -> bool:
    return scope.get("scheme") in ("https", "wss")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        new_csrf = None
        cookies = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                try:
                    cookies.load(value.decode("latin-1"))
                except Exception:  # a malformed cookie header is the browser's problem
                    pass
        if CSRF_COOKIE not in cookies or not cookies[CSRF_COOKIE].value:
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


class OneConnectionPerRequestMiddleware:
    """Hold one database connection for a whole HTTP request. `databases` otherwise opens a
    fresh connection for every query (on SQLite, a new file handle and thread each time)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        forum = scope.get("state", {}).get("forum")
        if scope["type"] != "http" or forum is None or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        async with forum.db.connection():
            await self.app(scope, receive, send)
