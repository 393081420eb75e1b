"""Baseline (b): the bare Starlette WebSocket broadcast the live fan-out is measured against.

A POST sends one JSON frame to every connected client, and nothing else: no database, no event
log, no queues. Clients send the same subscribe frame they send the forum and get the same
acknowledgement, and the frame carries the posted body so it is the size of the forum's.
Serve with `python -m bench.baseline_ws PORT` (uvicorn, the settings `forum serve` uses).
"""

from __future__ import annotations

import json
import sys

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

clients: set[WebSocket] = set()
sequence = 0


async def broadcast(request: Request) -> JSONResponse:
    global sequence
    body = await request.json()
    sequence += 1
    frame = json.dumps({"type": "event", "id": sequence, "channel": "thread:1", "event": "post.created",
                        "data": {"body": body.get("body", "")}}, ensure_ascii=False)
    for client in list(clients):
        try:
            await client.send_text(frame)
        except Exception:
            clients.discard(client)
    return JSONResponse({"id": sequence}, status_code=201)


async def live(websocket: WebSocket) -> None:
    await websocket.accept()
    clients.add(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            if '"subscribe"' in text:
                acknowledgement = {"type": "subscribed", "channels": [], "last_id": sequence}
                await websocket.send_text(json.dumps(acknowledgement))
    except WebSocketDisconnect:
        pass
    finally:
        clients.discard(websocket)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/broadcast", broadcast, methods=["POST"]), Route("/healthz", healthz),
                        WebSocketRoute("/ws", live)])


if __name__ == "__main__":
    import uvicorn

    from forum.cli import WS_MAX_MESSAGE_BYTES, WS_PING_SECONDS, WS_PING_TIMEOUT_SECONDS

    uvicorn.run("bench.baseline_ws:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                ws_max_size=WS_MAX_MESSAGE_BYTES, ws_ping_interval=WS_PING_SECONDS,
                ws_ping_timeout=WS_PING_TIMEOUT_SECONDS)
