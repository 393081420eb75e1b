"""API: the library's items, and adding one."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forum.actions import library as library_actions
from forum.clock import isoformat
from forum.routes._common import forum_of
from forum.routes.api._common import ApiError, json_body, require_member
from forum.routes.library import browse
from forum.validation import ValidationError


def item_json(item: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item["id"], "thread_id": item["thread_id"], "kind": item["kind"], "title": item["title"],
        "summary": item["summary"], "tags": [t["name"] for t in item["tags"]], "url": item["url"],
        "reply_count": item["reply_count"], "featured": bool(item["featured"]),
        "created_at": isoformat(item["created_at"])}
    for field in ("link", "organisation", "location", "resource_type", "year", "what_was_done",
                  "outcomes", "contact"):
        if item[field]:
            data[field] = item[field]
    if item["upload_key"]:
        data["upload"] = {"id": item["upload_id"], "url": f"/uploads/{item['upload_key']}",
                          "name": item["upload_name"], "content_type": item["upload_content_type"],
                          "size": item["upload_size"]}
    return data


async def list_items(request: Request) -> JSONResponse:
    try:
        found = await browse(forum_of(request), request.query_params)
    except ValidationError as error:
        raise ApiError(400, "invalid", "; ".join(error.fields.values()), error.fields) from None
    return JSONResponse({"items": [item_json(i) for i in found["items"]],
                         "next_cursor": found["next_cursor"]})


async def create_item(request: Request) -> JSONResponse:
    member = await require_member(request)
    data = await json_body(request)
    item_id, thread_id = await library_actions.create_item(forum_of(request), member, data)
    return JSONResponse({"id": item_id, "thread_id": thread_id}, status_code=201)


routes = [
    Route("/library", list_items, methods=["GET"]),
    Route("/library", create_item, methods=["POST"]),
]
