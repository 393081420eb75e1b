"""Baseline (b): the bare Starlette WebSocket broadcast the live fan-out is measured against.

A POST sends one JSON frame to every connected client, and nothing else: no database, no event
log, no queues. Clients send the same subscribe frame they send the forum and get the same
acknowledgement. The frame is the size of the forum's `post.created` frame: like it, its data
carries the post as an HTML fragment (a fixed copy of the forum's markup around the posted body),
so both servers write and their clients read the same number of bytes.
Serve with `python -m bench.baseline_ws PORT` (uvicorn, the settings `forum serve` uses).
It watches its event loop as the forum does (forum/loop_watch.py) and shows it at /metrics.
"""

from __future__ import annotations

import asyncio
import html
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prometheus_client import CollectorRegistry, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from forum.loop_watch import LoopWatch

clients: set[WebSocket] = set()
sequence = 0
registry = CollectorRegistry()
loop_watch = LoopWatch(registry)

# The forum's post fragment (templates/threads/_post.html) as it renders for a reply, with the body
# put in where the forum puts its rendered Markdown.
POST_FRAGMENT = (
    '<article class="post depth-1" id="post-{id}"\n  data-post-id="{id}" data-parent-id="1" '
    'data-path="0000000001/{key}"\n  data-depth="1" data-author="bench" aria-labelledby="post-{id}-by">\n'
    '  <header class="post-head">\n    <span class="avatar" aria-hidden="true">B</span>\n'
    '    <a id="post-{id}-by" class="author" href="/u/bench">bench</a>\n'
    '<span class="badge new-member">New member</span>    <a class="permalink" '
    'href="/t/1/benchmark-thread?at={id}#post-{id}"><time datetime="2026-11-29T18:28:50.819590Z" '
    'title="29 Nov 2026, 18:28 UTC">29 Nov 2026, 18:28 UTC</time></a>\n  </header>\n'
    '  <div class="post-body"><p>{body}</p>\n</div>\n  <footer class="post-actions">\n'
    '    <a class="reply-link" href="/t/1/reply?to={id}">Reply<span class="visually-hidden"> to bench'
    '</span></a>\n    <a class="owner-only" hidden href="/p/{id}/edit">Edit</a>\n'
    '    <a class="owner-only" hidden href="/p/{id}/delete">Delete</a>\n'
    '    <a class="moderator-only" hidden href="/p/{id}/hide">Hide</a>\n'
    '    <a href="/p/{id}/flag">Flag<span class="visually-hidden"> this post for moderators</span></a>\n'
    '  </footer>\n</article>')


async def broadcast(request: Request) -> JSONResponse:
    global sequence
    body = await request.json()
    sequence += 1
    text = html.escape(str(body.get("body", "")))
    frame = json.dumps({"type": "event", "id": sequence, "channel": "thread:1", "event": "post.created",
                        "data": {"thread_id": 1, "post_id": sequence, "parent_id": 1, "author": "bench",
                                 "html": POST_FRAGMENT.format(id=sequence, key=str(sequence).zfill(10),
                                                              body=text)}},
                       ensure_ascii=False, separators=(",", ":"))
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


async def metrics(request: Request) -> Response:
    return Response(generate_latest(registry), media_type="text/plain")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    watch = asyncio.create_task(loop_watch.run())
    yield
    watch.cancel()


app = Starlette(routes=[Route("/broadcast", broadcast, methods=["POST"]), Route("/healthz", healthz),
                        Route("/metrics", metrics), WebSocketRoute("/ws", live)], lifespan=lifespan)


if __name__ == "__main__":
    import uvicorn

    from forum.cli import WS_MAX_MESSAGE_BYTES, WS_PING_SECONDS, WS_PING_TIMEOUT_SECONDS

    uvicorn.run("bench.baseline_ws:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                ws_max_size=WS_MAX_MESSAGE_BYTES, ws_ping_interval=WS_PING_SECONDS,
                ws_ping_timeout=WS_PING_TIMEOUT_SECONDS)
