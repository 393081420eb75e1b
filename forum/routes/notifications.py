"""/notifications: what concerns the signed-in member, and marking it read."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from forum.clock import isoformat
from forum.db import cursors, notifications
from forum.ids import id_field, parse_id
from forum.routes._common import forum_of, member_of, read_form, render
from forum.routes.api._common import ApiError, json_body, require_member
from forum.validation import ValidationError


async def notifications_page(request: Request) -> Response:
    member = await member_of(request)
    if member is None:
        return RedirectResponse("/login?next=/notifications", status_code=303)
    rows, next_cursor = await _page(request, member.id)
    return await render(request, "notifications/index.html", {"items": rows, "next_cursor": next_cursor})


async def _page(request: Request, member_id: int) -> tuple[list[Any], str | None]:
    """A page of notifications from ?cursor=; a 400 naming it when it is not one given out."""
    try:
        return await notifications.page_for_user(forum_of(request).db, member_id,
                                                 request.query_params.get("cursor"))
    except cursors.BadCursor as error:
        raise ValidationError({"cursor": str(error)}) from None


async def mark_read_form(request: Request) -> Response:
    member = await member_of(request)
    if member is None:
        return RedirectResponse("/login?next=/notifications", status_code=303)
    form = await read_form(request)
    one = form.get("id")
    # No id: the "Mark all read" button. A bad one is a 400, never "all" by mistake.
    ids = [id_field(one, "id", "a notification id")] if one else None
    await notifications.mark_read(forum_of(request).db, member.id, ids)
    return RedirectResponse("/notifications", status_code=303)


def notification_json(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "kind": row["kind"], "read": row["read_at"] is not None,
            "created_at": isoformat(row["created_at"]), "thread_id": row["thread_id"],
            "post_id": row["post_id"], "actor": row["actor_username"], "note": row["note"]}


async def list_api(request: Request) -> JSONResponse:
    member = await require_member(request, write=False)
    db = forum_of(request).db
    rows, next_cursor = await _page(request, member.id)
    return JSONResponse({"notifications": [notification_json(r) for r in rows],
                         "unread": await notifications.unread_count(db, member.id),
                         "next_cursor": next_cursor})


async def read_api(request: Request) -> JSONResponse:
    member = await require_member(request)
    data = await json_body(request)
    ids = data.get("ids")
    if ids is not None and (not isinstance(ids, list) or not all(
            type(i) is int and parse_id(i) is not None for i in ids)):  # not "1", not True, not 10**30
        raise ApiError(400, "invalid", "ids must be a list of notification ids.",
                       {"ids": "must be a list of whole numbers"})
    db = forum_of(request).db
    await notifications.mark_read(db, member.id, ids)
    return JSONResponse({"unread": await notifications.unread_count(db, member.id)})


routes = [
    Route("/notifications", notifications_page, name="notifications"),
    Route("/notifications/read", mark_read_form, methods=["POST"], name="notifications_read"),
]
api_routes = [
    Route("/notifications", list_api, methods=["GET"]),
    Route("/notifications/read", read_api, methods=["POST"]),
]
