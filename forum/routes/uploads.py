"""GET /uploads/{key}: the stored files. Re-encoded pictures show inline; every other file
downloads, never renders, whatever a browser would guess from its bytes. Keys name contents,
so a file never changes under its URL and may be cached for a year."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.actions import NotFound
from forum.db import uploads
from forum.routes._common import forum_of
from forum.storage import KEY

# A file opened on its own, by mistake or by a crafted link, may run nothing and load nothing.
FILE_POLICY = "default-src 'none'; sandbox"
YEAR = 365 * 24 * 3600


def disposition(inline: bool, name: str) -> str:
    kind = "inline" if inline else "attachment"
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


async def serve_upload(request: Request) -> Response:
    key = request.path_params["key"]
    forum = forum_of(request)
    row = await uploads.by_key(forum.db, key) if KEY.fullmatch(key) else None
    data = await forum.uploads.read(key) if row is not None else None
    if row is None or data is None:
        raise NotFound("No file has that address: it may have been removed.")
    picture = row["width"] is not None
    content_type = row["content_type"]
    return Response(data, media_type=content_type, headers={
        "content-disposition": disposition(picture, row["original_name"]),
        "content-security-policy": FILE_POLICY,
        "x-content-type-options": "nosniff",
        "cache-control": f"public, max-age={YEAR}, immutable",
    })


routes = [Route("/uploads/{key}", serve_upload, methods=["GET", "HEAD"], name="upload")]
