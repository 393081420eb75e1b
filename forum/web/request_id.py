"""A request id for every HTTP request: taken from a proxy's X-Request-ID when it looks like
one, made up otherwise; sent back as X-Request-ID and stamped on every log line of the request
(forum/logging_setup.py), so nginx's log, the forum's and a member's report meet."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

from starlette.types import Message, Receive, Scope, Send

from forum.web.middleware import HttpMiddleware

# Letters, digits and a little punctuation, short: an id from outside goes into log lines and
# a header, so nothing that could break either (or carry a story) is taken as one.
SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{8,128}")
HEADER = b"x-request-id"

_request_id: ContextVar[str | None] = ContextVar("forum_request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


class RequestIdMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        given = next((value for name, value in scope["headers"] if name == HEADER), None)
        request_id = (given if given is not None and SANE_REQUEST_ID.fullmatch(given)
                      else secrets.token_hex(16).encode())
        # Set in this task's context: the server's access log line, written from within the
        # app's send below, sees it too.
        _request_id.set(request_id.decode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, request_id)]
            await send(message)

        await self.app(scope, receive, send_with_id)
