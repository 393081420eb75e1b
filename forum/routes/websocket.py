"""The live endpoint /ws: checks the handshake's Origin, then hands the socket to a
LiveConnection for its whole life."""

from __future__ import annotations

from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from forum.realtime.connection import LiveConnection
from forum.routes._common import forum_of, member_of


def origin_allowed(websocket: WebSocket, allowed: tuple[str, ...]) -> bool:
    """Browsers always send Origin; a page on another site must not ride our cookies
    (cross-site WebSocket hijacking). Non-browser clients send none and carry no cookies."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    if allowed:
        return origin in allowed
    host = websocket.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


class LiveEndpoint:
    """A plain ASGI endpoint rather than a Starlette websocket function, so the connection
    can use the server's own `receive` and `send` (see LiveConnection)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        forum = forum_of(websocket)
        if not origin_allowed(websocket, forum.settings.allowed_origins):
            await websocket.close(code=1008)  # before accept: the handshake is refused with 403
            return
        member = await member_of(websocket)
        await websocket.accept()
        await LiveConnection(receive, send, forum, member, forum.hub.presence).run()


routes = [WebSocketRoute("/ws", LiveEndpoint(), name="live")]
