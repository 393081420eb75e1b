"""API: channels (`/categories` in the API), threads and posts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import reactions as reaction_actions
from forum.actions import threads as thread_actions
from forum.db import channels, cursors, posts, reactions, tags, threads
from forum.reactions import NAMES as REACTION_NAMES
from forum.reactions import api_reactions
from forum.routes._common import forum_of, member_of
from forum.routes.api._common import (
    ApiError,
    int_param,
    json_body,
    post_json,
    require_member,
    thread_json,
)
from forum.validation import storable
from forum.web import thread_reads

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 50


async def channel_list(request: Request) -> JSONResponse:
    """Channels, which the API calls categories (design.md)."""
    rows = await channels.all_channels(forum_of(request).db)
    return JSONResponse([{"slug": r["slug"], "name": r["name"], "description": r["description"],
                          "thread_count": r["thread_count"]} for r in rows])


async def channel_threads(request: Request) -> JSONResponse:
    db = forum_of(request).db
    slug = request.path_params["slug"]
    channel = await channels.by_slug(db, slug) if storable(slug) else None
    if channel is None:
        raise ApiError(404, "not_found", "No channel has that slug.")
    try:
        rows, next_cursor = await threads.in_channel(
            db, channel["id"], request.query_params.get("cursor"), THREADS_PER_PAGE)
    except cursors.BadCursor as error:
        raise ApiError(400, "invalid", str(error), {"cursor": str(error)}) from None
    return JSONResponse({"threads": [thread_json(r) for r in rows], "next_cursor": next_cursor})


async def _thread(request: Request) -> Any:
    thread = await threads.by_id(forum_of(request).db, request.path_params["thread_id"])
    if thread is None:
        raise ApiError(404, "not_found", "No thread has that id.")
    return thread


async def _thread_json_with_channels(request: Request, thread: Any) -> dict[str, Any]:
    db = forum_of(request).db
    in_channels = await threads.channels_of(db, thread["id"])
    return {**thread_json(thread, [c["slug"] for c in in_channels]),
            "tags": [t["name"] for t in await tags.of_thread(db, thread["id"])]}


async def create_thread(request: Request) -> JSONResponse:
    member = await require_member(request)
    data = await json_body(request)
    forum = forum_of(request)
    thread_id = await thread_actions.create_thread(
        forum, member, data.get("title"), data.get("body"), data.get("categories"), tags=data.get("tags"))
    thread = await threads.existing(forum.db, thread_id)
    return JSONResponse(await _thread_json_with_channels(request, thread), status_code=201)


async def get_thread(request: Request) -> Response:
    forum = forum_of(request)
    thread = await thread_reads.thread(forum, request.path_params["thread_id"])
    if thread is None:
        raise ApiError(404, "not_found", "No thread has that id.")
    cursor = request.query_params.get("cursor")
    if cursor and not posts.PATH_PATTERN.fullmatch(cursor):
        raise ApiError(400, "invalid", "cursor is not one this forum gave out",
                       {"cursor": "is not one this forum gave out"})
    rows, next_cursor = await thread_reads.page(forum, thread["id"], cursor, POSTS_PER_PAGE)
    reveal = await _is_moderator(request)
    mine = await _my_reactions(request, rows)

    async def document() -> bytes:
        # Read again (from what thread_reads keep) inside the recording, so that the kept
        # document records everything it shows: the thread, its posts' authors, channels, tags.
        shown_thread = await thread_reads.thread(forum, thread["id"]) or thread
        shown_rows, shown_next = await thread_reads.page(forum, thread["id"], cursor, POSTS_PER_PAGE)
        in_channels = [c["slug"] for c in await thread_reads.channels(forum, thread["id"])]
        thread_tags = [t["name"] for t in await thread_reads.thread_tags(forum, thread["id"])]
        return bytes(JSONResponse({
            "thread": {**thread_json(shown_thread, in_channels), "tags": thread_tags},
            "posts": [post_json(r, reveal_hidden=reveal, mine=mine.get(r["id"], set())) for r in shown_rows],
            "next_cursor": shown_next}).body)

    if mine:  # the asking member's own reactions are marked: not the document others get
        return Response(await document(), media_type="application/json")
    # The same bytes for every member (and, apart, every moderator) until the thread changes.
    body = await forum.documents.get_recorded(forum, ("thread", thread["id"], cursor, reveal), document)
    return Response(body, media_type="application/json")


async def _is_moderator(request: Request) -> bool:
    member = await member_of(request)
    return bool(member and member.is_moderator)


async def _post(request: Request) -> Any:
    post = await posts.by_id(forum_of(request).db, request.path_params["post_id"])
    if post is None:
        raise ApiError(404, "not_found", "No post has that id.")
    return post


async def _my_reactions(request: Request, rows: list[Any]) -> dict[int, set[str]]:
    member = await member_of(request)
    if member is None or not any(row["reactions"] for row in rows):
        return {}
    return await reactions.mine(forum_of(request).db, member.id, [row["id"] for row in rows])


async def get_post(request: Request) -> JSONResponse:
    post = await _post(request)
    mine = await _my_reactions(request, [post])
    return JSONResponse(post_json(post, reveal_hidden=await _is_moderator(request),
                                  mine=mine.get(post["id"], set())))


async def react(request: Request) -> JSONResponse:
    """PUT sets the member's reaction, DELETE takes it back; both answer the post's reactions."""
    member = await require_member(request)
    post = await _post(request)
    emoji = request.path_params["emoji"]
    if emoji not in REACTION_NAMES:
        raise ApiError(404, "not_found", f"No such reaction: use one of {', '.join(REACTION_NAMES)}.")
    stored, _ = await reaction_actions.react(forum_of(request), member, post["id"], emoji,
                                             request.method == "PUT")
    mine = await reactions.mine(forum_of(request).db, member.id, [post["id"]])
    return JSONResponse({"reactions": api_reactions(stored, mine.get(post["id"], set()))})


async def create_post(request: Request) -> JSONResponse:
    member = await require_member(request)
    data = await json_body(request)
    parent_id = data.get("parent_id")
    if parent_id is not None:
        parent_id = int_param(parent_id, "parent_id")
    # The action reads the thread (a 404 when there is none) and returns the new post's row.
    post = await post_actions.reply(forum_of(request), member, request.path_params["thread_id"],
                                    data.get("body"), parent_id)
    return JSONResponse(post_json(post, reveal_hidden=member.is_moderator), status_code=201)


async def change_post(request: Request) -> Response:
    member = await require_member(request)
    post = await _post(request)
    forum = forum_of(request)
    if request.method == "DELETE":
        await post_actions.delete(forum, member, post["id"])
        return Response(status_code=204)
    data = await json_body(request)
    await post_actions.edit(forum, member, post["id"], data.get("body"))
    return JSONResponse(post_json(await posts.by_id(forum.db, post["id"]), reveal_hidden=member.is_moderator))


async def hide_post(request: Request) -> JSONResponse:
    member = await require_member(request)
    post = await _post(request)
    data = await json_body(request)
    await moderation_actions.hide_post(forum_of(request), member, post["id"], data.get("reason"))
    return JSONResponse(post_json(await _post(request), reveal_hidden=True))


async def restore_post(request: Request) -> JSONResponse:
    member = await require_member(request)
    post = await _post(request)
    await moderation_actions.restore_post(forum_of(request), member, post["id"])
    return JSONResponse(post_json(await _post(request), reveal_hidden=True))


def _flag_endpoint(flag: str, value: bool) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def endpoint(request: Request) -> JSONResponse:
        member = await require_member(request)
        thread = await _thread(request)
        await thread_actions.set_flag(forum_of(request), member, thread["id"], flag, value)
        return JSONResponse(await _thread_json_with_channels(request, await _thread(request)))
    return endpoint


async def move_thread(request: Request) -> JSONResponse:
    member = await require_member(request)
    thread = await _thread(request)
    data = await json_body(request)
    await thread_actions.move(forum_of(request), member, thread["id"], data.get("categories"))
    return JSONResponse(await _thread_json_with_channels(request, await _thread(request)))


routes = [
    Route("/categories", channel_list, methods=["GET"]),
    Route("/categories/{slug}/threads", channel_threads, methods=["GET"]),
    Route("/threads", create_thread, methods=["POST"]),
    Route("/threads/{thread_id:id}", get_thread, methods=["GET"]),
    Route("/threads/{thread_id:id}/posts", create_post, methods=["POST"]),
    Route("/threads/{thread_id:id}/pin", _flag_endpoint("pinned", True), methods=["POST"]),
    Route("/threads/{thread_id:id}/unpin", _flag_endpoint("pinned", False), methods=["POST"]),
    Route("/threads/{thread_id:id}/lock", _flag_endpoint("locked", True), methods=["POST"]),
    Route("/threads/{thread_id:id}/unlock", _flag_endpoint("locked", False), methods=["POST"]),
    Route("/threads/{thread_id:id}/move", move_thread, methods=["POST"]),
    Route("/posts/{post_id:id}", get_post, methods=["GET"]),
    Route("/posts/{post_id:id}", change_post, methods=["PATCH", "DELETE"]),
    Route("/posts/{post_id:id}/hide", hide_post, methods=["POST"]),
    Route("/posts/{post_id:id}/restore", restore_post, methods=["POST"]),
    Route("/posts/{post_id:id}/reactions/{emoji}", react, methods=["PUT", "DELETE"]),
]
