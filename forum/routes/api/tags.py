"""API: tag suggestions, a tag's threads, and a thread's tags."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forum.actions import tags as tag_actions
from forum.db import cursors, tags
from forum.routes._common import forum_of
from forum.routes.api._common import ApiError, json_body, require_member, thread_json
from forum.tag_names import MAX_LENGTH, is_valid_name, tag_key
from forum.validation import storable

THREADS_PER_PAGE = 30
SUGGESTIONS = 10


async def suggest_tags(request: Request) -> JSONResponse:
    """Prefix suggestions, most used first: the tag field asks as you type."""
    typed = request.query_params.get("q", "").strip().removeprefix("#")
    if not typed or not storable(typed) or len(typed) > MAX_LENGTH:
        return JSONResponse({"tags": []})
    rows = await tags.suggest(forum_of(request).db, tag_key(typed), SUGGESTIONS)
    return JSONResponse({"tags": [{"name": r["name"], "thread_count": r["thread_count"]} for r in rows]})


async def tag_threads(request: Request) -> JSONResponse:
    db = forum_of(request).db
    name = request.path_params["tag"]
    tag = await tags.by_key(db, tag_key(name)) if is_valid_name(name) else None
    if tag is None:
        raise ApiError(404, "not_found", "No thread carries that tag.")
    try:
        rows, next_cursor = await tags.threads_tagged(db, tag["id"], request.query_params.get("cursor"),
                                                      THREADS_PER_PAGE)
    except cursors.BadCursor as error:
        raise ApiError(400, "invalid", str(error), {"cursor": str(error)}) from None
    carried = await tags.of_threads(db, [r["id"] for r in rows])
    return JSONResponse({"tag": {"name": tag["name"], "thread_count": tag["thread_count"]},
                         "threads": [{**thread_json(r), "tags": [t["name"] for t in carried.get(r["id"], [])]}
                                     for r in rows],
                         "next_cursor": next_cursor})


async def set_thread_tags(request: Request) -> JSONResponse:
    member = await require_member(request)
    data = await json_body(request)
    if "tags" not in data:
        raise ApiError(400, "invalid", "Send the thread's tags as 'tags': a list of names.",
                       {"tags": "is required"})
    carried = await tag_actions.set_thread_tags(forum_of(request), member, request.path_params["thread_id"],
                                                data["tags"])
    return JSONResponse({"tags": [t["name"] for t in carried]})


routes = [
    Route("/tags", suggest_tags, methods=["GET"]),
    Route("/tags/{tag}/threads", tag_threads, methods=["GET"]),
    Route("/threads/{thread_id:id}/tags", set_thread_tags, methods=["PUT"]),
]
