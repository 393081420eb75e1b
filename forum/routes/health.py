"""/healthz: 200 when every dependency answers; 503 naming the ones that do not (the
database, and Redis when FORUM_BROADCAST_URL names one), for a load balancer and a person."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forum.routes._common import forum_of

# Long enough for a busy database, short enough for a load balancer's own timeout.
CHECK_SECONDS = 2.0


async def answers(check: Awaitable[object]) -> bool:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            await check
    except Exception:
        return False
    return True


async def healthz(request: Request) -> JSONResponse:
    forum = forum_of(request)
    checks = {"database": forum.db.fetch_val("SELECT 1")}
    if forum.settings.broadcast_url.startswith("redis"):
        checks["redis"] = forum.hub.backend.ping()
    results = dict(zip(checks, await asyncio.gather(*map(answers, checks.values())), strict=True))
    body: dict[str, object] = {name: "ok" if up else "not answering" for name, up in results.items()}
    down = [name for name, up in results.items() if not up]
    if down:
        return JSONResponse({"status": "unavailable", "down": down, **body}, status_code=503)
    return JSONResponse({"status": "ok", **body})


routes = [Route("/healthz", healthz, name="healthz")]
