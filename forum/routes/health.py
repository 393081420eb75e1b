"""/healthz: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forum.routes._common import forum_of


async def healthz(request: Request) -> JSONResponse:
    try:
        await forum_of(request).db.fetch_val("SELECT 1")
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "not answering"}, status_code=503)
    return JSONResponse({"status": "ok"})


routes = [Route("/healthz", healthz, name="healthz")]
