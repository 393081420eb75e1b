"""Baseline (a) for the page benchmarks: a bare Starlette + Jinja2 app serving the same thread
pages (50 posts; one plain, one with reactions on every post), the same channel page and the
same 50 posts as JSON, all from memory. No database, no sessions, no middleware: what the stack
itself costs for answers of this size. bench/pages.py writes the data (taken from the forum's
own database, and the JSON document from the forum's own `GET /api/v1/threads/{id}`) to a JSON
file named by BENCH_PAGE_DATA, and starts this module with uvicorn exactly as `forum serve`
does (see `serve`)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
TEMPLATES.env.autoescape = True
TEMPLATES.env.trim_blocks = True
TEMPLATES.env.lstrip_blocks = True


def _load() -> dict[str, Any]:
    path = os.environ.get("BENCH_PAGE_DATA")
    return json.loads(Path(path).read_text()) if path else {"thread_pages": {}, "api": {}, "channel": {},
                                                             "threads": [], "channels": []}


DATA = _load()


async def thread_page(request: Request) -> Response:
    page = DATA["thread_pages"].get(str(request.path_params["thread_id"]))
    if page is None:
        raise HTTPException(404)
    return TEMPLATES.TemplateResponse(request, "thread.html", {
        "thread": page["thread"], "posts": page["posts"], "channels": DATA["channels"],
        "csrf_token": DATA["csrf_token"], "last_event_id": DATA["last_event_id"]})


async def thread_json(request: Request) -> Response:
    """The least work for the same JSON: the forum's document, serialised again by the standard
    json module on every request (Starlette's JSONResponse, as the forum's API uses)."""
    document = DATA["api"].get(str(request.path_params["thread_id"]))
    if document is None:
        raise HTTPException(404)
    return JSONResponse(document)


async def channel_page(request: Request) -> Response:
    if request.path_params["slug"] != DATA["channel"].get("slug"):
        raise HTTPException(404)
    return TEMPLATES.TemplateResponse(request, "channel.html", {
        "channel": DATA["channel"], "threads": DATA["threads"], "next_cursor": DATA["next_cursor"],
        "channels": DATA["channels"], "csrf_token": DATA["csrf_token"],
        "last_event_id": DATA["last_event_id"]})


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(routes=[
    Route("/t/{thread_id:int}/{slug:str}", thread_page),
    Route("/api/v1/threads/{thread_id:int}", thread_json),
    Route("/c/{slug}", channel_page),
    Route("/healthz", healthz),
])


def serve(port: int) -> None:
    """uvicorn with `forum serve`'s own settings: one worker, the same automatic loop and HTTP
    implementation, the same log level (so no access log)."""
    import uvicorn

    from forum.cli import WS_MAX_MESSAGE_BYTES, WS_PING_SECONDS, WS_PING_TIMEOUT_SECONDS

    uvicorn.run("bench.baseline_pages:app", host="127.0.0.1", port=port, workers=1,
                proxy_headers=True, log_level="warning", ws_max_size=WS_MAX_MESSAGE_BYTES,
                ws_ping_interval=WS_PING_SECONDS, ws_ping_timeout=WS_PING_TIMEOUT_SECONDS)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8001)
    serve(parser.parse_args().port)
