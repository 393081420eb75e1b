"""API: upload a file or picture (multipart: `file`, and `alt` for a picture)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forum.actions import uploads as upload_actions
from forum.routes._common import body_up_to, forum_of
from forum.routes._form_body import parse_form_with_files
from forum.routes.api._common import ApiError, require_member
from forum.storage import size_in_words
from forum.validation import ValidationError

# Room for the multipart framing and the alt text around the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024


def too_large_message(limit: int) -> str:
    return f"Files are limited to {size_in_words(limit)}; that one is larger. Nothing was kept."


def upload_json(row: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": row["id"], "url": f"/uploads/{row['key']}",
                            "content_type": row["content_type"], "size": row["size"],
                            "name": row["original_name"], "alt": row["alt"]}
    if row["width"] is not None:
        data.update(width=row["width"], height=row["height"],
                    thumbnail_url=f"/uploads/{row['thumbnail_key']}",
                    display_url=f"/uploads/{row['display_key']}")
    return data


async def create_upload(request: Request) -> JSONResponse:
    member = await require_member(request)
    forum = forum_of(request)
    limit = forum.settings.upload_max_bytes
    body = await body_up_to(request, limit + FORM_OVERHEAD_BYTES, too_large_message(limit))
    form, files = parse_form_with_files(request.headers, body, {"file"})
    if len(files) != 1:
        raise ValidationError({"file": "Send exactly one file, as the multipart field 'file'."})
    alt = form.get("alt")
    if alt is not None and not isinstance(alt, str):
        raise ApiError(400, "invalid", "alt must be text.", {"alt": "must be text"})
    row = await upload_actions.upload(forum, member, files[0].data, files[0].name, alt)
    return JSONResponse(upload_json(row), status_code=201)


routes = [Route("/uploads", create_upload, methods=["POST"], name="create_upload")]
