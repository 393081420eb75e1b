"""OPTIONS, and the Allow header of every 405, from the whole route table. Several route entries
may serve one path (GET and POST /api/v1/events are two, as are the thread page at /t/1/lock
and the moderators' POST there), and Starlette's 405 names only the methods of the first entry
it tried; its OPTIONS was that same 405."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum.web.middleware import HttpMiddleware


def allowed_methods(routes: Sequence[BaseRoute], scope: Scope) -> set[str]:
    """Every method some route takes at this scope's path (through mounts: the API)."""
    methods: set[str] = set()
    for route in routes:
        match, child_scope = route.matches(scope)
        if match == Match.NONE:
            continue
        if isinstance(route, Mount):
            methods |= allowed_methods(route.routes, {**scope, **child_scope})
        elif isinstance(route, Route) and route.methods:
            methods |= route.methods
    return methods


def allow_header(methods: set[str]) -> str:
    return ", ".join(sorted(methods | {"OPTIONS"}))


class AllowedMethodsMiddleware(HttpMiddleware):
    """Answers OPTIONS on any path a route serves (204, with Allow), and puts the full Allow on
    each 405. Anything else passes by untouched: the table is read only for these two."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        super().__init__(app)
        self.routes = routes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The router writes the matched route into the scope as it goes: keep the request's own.
        request_scope = dict(scope)
        if scope["method"] == "OPTIONS":
            methods = allowed_methods(self.routes, request_scope)
            if methods:
                answer = Response(status_code=204, headers={"Allow": allow_header(methods)})
                await answer(scope, receive, send)
                return
            await self.app(scope, receive, send)  # no route there: the app's own 404
            return

        async def send_full_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = allowed_methods(self.routes, {**request_scope, "method": "OPTIONS"})
                MutableHeaders(scope=message)["Allow"] = allow_header(methods)
            await send(message)

        await self.app(scope, receive, send_full_allow)
