"""POST /api/v1/preview: Markdown rendered exactly as a post would be, for the composer's
Preview button. Nothing is stored, so no sign-in is needed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forum.actions import uploads
from forum.routes._common import forum_of
from forum.routes.api._common import ApiError, json_body
from forum.text import render_markdown
from forum.validation import BODY_MAX


async def preview(request: Request) -> JSONResponse:
    body = (await json_body(request)).get("body")
    if not isinstance(body, str):  # "" is fine: an empty composer previews as nothing
        raise ApiError(400, "invalid", "body must be text.", {"body": "must be text"})
    if len(body) > BODY_MAX:
        message = f"must be at most {BODY_MAX:,} characters"
        raise ApiError(400, "invalid", f"body {message}.", {"body": message})
    shown = await uploads.named_in(forum_of(request), body)
    return JSONResponse({"html": render_markdown(body, None, shown)})


routes = [Route("/preview", preview, methods=["POST"])]
