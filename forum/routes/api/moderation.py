"""API: flags, the moderation queue, the banner, suspending members and setting roles."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.actions import moderation as moderation_actions
from forum.clock import isoformat
from forum.db import moderation, posts
from forum.routes._common import forum_of
from forum.routes.api._common import ApiError, json_body, require_member
from forum.validation import storable


async def flag_post(request: Request) -> JSONResponse:
    member = await require_member(request)
    data = await json_body(request)
    flag_id = await moderation_actions.flag_post(forum_of(request), member,
                                                 request.path_params["post_id"], data.get("reason"))
    return JSONResponse({"id": flag_id, "post_id": request.path_params["post_id"]}, status_code=201)


async def list_flags(request: Request) -> JSONResponse:
    member = await require_member(request, write=False)
    if not member.is_moderator:
        raise ApiError(403, "forbidden", "Only moderators can see the flag queue.")
    rows = await moderation.open_flags(forum_of(request).db)
    return JSONResponse({"flags": [{"id": r["id"], "post_id": r["post_id"], "thread_id": r["thread_id"],
                                    "reason": r["reason"], "reporter": r["reporter_username"],
                                    "created_at": isoformat(r["created_at"])} for r in rows]})


async def resolve_flag(request: Request) -> JSONResponse:
    member = await require_member(request)
    data = await json_body(request)
    await moderation_actions.resolve_flag(forum_of(request), member, request.path_params["flag_id"],
                                          data.get("resolution"), data.get("note"))
    return JSONResponse({"id": request.path_params["flag_id"], "resolved": True})


async def banner(request: Request) -> Response:
    forum = forum_of(request)
    if request.method == "GET":
        current = await moderation.current_banner(forum.db)
        return JSONResponse({"banner": {"id": current["id"], "text": current["text"]} if current else None})
    member = await require_member(request)
    if request.method == "DELETE":
        await moderation_actions.clear_banner(forum, member)
        return Response(status_code=204)
    data = await json_body(request)
    await moderation_actions.set_banner(forum, member, data.get("text"))
    current = await moderation.current_banner(forum.db)
    return JSONResponse({"banner": {"id": current["id"], "text": current["text"]}})


async def member_action(request: Request) -> JSONResponse:
    member = await require_member(request)
    username, action = request.path_params["username"], request.url.path.rsplit("/", 1)[1]
    if not storable(username):
        raise ApiError(404, "not_found", "No member has that username.")
    forum = forum_of(request)
    if action == "role":
        data = await json_body(request)
        await moderation_actions.set_role(forum, member, username, data.get("role"))
    else:
        await moderation_actions.set_suspended(forum, member, username, action == "suspend")
    return JSONResponse({"username": username, "done": action})


async def revisions(request: Request) -> JSONResponse:
    member = await require_member(request, write=False)
    db = forum_of(request).db
    post = await posts.by_id(db, request.path_params["post_id"])
    if post is None:
        raise ApiError(404, "not_found", "No post has that id.")
    if not member.owns_or_moderates(post["author_id"]):
        raise ApiError(403, "forbidden", "Only the author and moderators can see a post's history.")
    rows = await moderation.revisions_of(db, post["id"])
    return JSONResponse({"revisions": [{"body": r["body"], "edited_by": r["editor_username"],
                                        "created_at": isoformat(r["created_at"])} for r in rows]})


routes = [
    Route("/posts/{post_id:id}/flag", flag_post, methods=["POST"]),
    Route("/posts/{post_id:id}/revisions", revisions, methods=["GET"]),
    Route("/flags", list_flags, methods=["GET"]),
    Route("/flags/{flag_id:id}/resolve", resolve_flag, methods=["POST"]),
    Route("/banner", banner, methods=["GET", "POST", "DELETE"]),
    Route("/users/{username}/suspend", member_action, methods=["POST"]),
    Route("/users/{username}/unsuspend", member_action, methods=["POST"]),
    Route("/users/{username}/role", member_action, methods=["POST"]),
]
