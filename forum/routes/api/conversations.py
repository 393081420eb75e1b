"""API: private conversations. Anyone not in a conversation gets 404, as if it did not exist."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.actions import conversations as conversation_actions
from forum.actions import message_reports as report_actions
from forum.actions.conversations import message_json
from forum.clock import isoformat
from forum.db import conversations
from forum.ids import parse_id
from forum.routes._common import forum_of
from forum.routes.api._common import ApiError, json_body, require_member

MESSAGES_PER_PAGE = 50


async def start(request: Request) -> JSONResponse:
    member = await require_member(request)
    data = await json_body(request)
    conversation_id = await conversation_actions.start(forum_of(request), member, data.get("to"),
                                                       data.get("title"), data.get("body"))
    return JSONResponse({"id": conversation_id}, status_code=201)


async def list_mine(request: Request) -> JSONResponse:
    member = await require_member(request, write=False)
    db = forum_of(request).db
    rows = await conversations.list_for(db, member.id)
    return JSONResponse({"conversations": [{
        "id": row["id"], "title": row["title"],
        "participants": [p["username"] for p in await conversations.participants(db, row["id"])],
        "last_message_at": isoformat(row["last_message_at"]), "unread": row["unread"]} for row in rows]})


async def read(request: Request) -> JSONResponse:
    """A page of messages, newest last; reading the newest page marks them read."""
    member = await require_member(request, write=False)
    db = forum_of(request).db
    conversation = await conversations.for_member(db, request.path_params["conversation_id"], member.id)
    if conversation is None:
        raise ApiError(404, "not_found", "No conversation has that id.")
    cursor = request.query_params.get("cursor")
    before = parse_id(cursor) if cursor else None
    if cursor and before is None:
        raise ApiError(400, "invalid", "cursor is not one this forum gave out",
                       {"cursor": "is not one this forum gave out"})
    rows, next_cursor = await conversations.messages_page(db, conversation["id"], before, MESSAGES_PER_PAGE)
    if rows and before is None:
        await conversations.mark_read(db, conversation["id"], member.id, rows[-1]["id"])
    return JSONResponse({
        "conversation": {"id": conversation["id"], "title": conversation["title"],
                         "participants": [p["username"] for p in await conversations.participants(
                             db, conversation["id"])],
                         "last_message_at": isoformat(conversation["last_message_at"])},
        "messages": [message_json(row) for row in rows],
        "next_cursor": str(next_cursor) if next_cursor else None})


async def send(request: Request) -> JSONResponse:
    member = await require_member(request)
    data = await json_body(request)
    message = await conversation_actions.send(forum_of(request), member,
                                              request.path_params["conversation_id"], data.get("body"))
    return JSONResponse(message_json(message), status_code=201)


async def mark_read(request: Request) -> JSONResponse:
    """Read up to `up_to` (an open page saw a message arrive live); answers the header count.
    A change of state, so a cookie needs the CSRF header; suspended members may still read."""
    member = await require_member(request)
    db = forum_of(request).db
    conversation = await conversations.for_member(db, request.path_params["conversation_id"], member.id)
    if conversation is None:
        raise ApiError(404, "not_found", "No conversation has that id.")
    up_to = (await json_body(request)).get("up_to")
    if type(up_to) is not int or parse_id(up_to) is None:
        raise ApiError(400, "invalid", "up_to must be a message id.", {"up_to": "must be a message id"})
    await conversations.mark_read(db, conversation["id"], member.id, up_to)
    return JSONResponse({"unread": await conversations.unread_total(db, member.id)})


async def leave(request: Request) -> Response:
    member = await require_member(request)
    await conversation_actions.leave(forum_of(request), member, request.path_params["conversation_id"])
    return Response(status_code=204)


async def mute(request: Request) -> JSONResponse:
    member = await require_member(request)
    muted = (await json_body(request)).get("muted")
    if type(muted) is not bool:
        raise ApiError(400, "invalid", "muted must be true or false.", {"muted": "must be true or false"})
    await conversation_actions.mute(forum_of(request), member, request.path_params["conversation_id"], muted)
    return JSONResponse({"muted": muted})


async def report(request: Request) -> JSONResponse:
    """One message to the moderators' queue, with the reporter's reason; the rest stays private."""
    member = await require_member(request)
    data = await json_body(request)
    report_id = await report_actions.report(forum_of(request), member, request.path_params["conversation_id"],
                                            request.path_params["message_id"], data.get("reason"))
    return JSONResponse({"id": report_id}, status_code=201)


routes = [
    Route("/conversations", start, methods=["POST"]),
    Route("/conversations", list_mine, methods=["GET"]),
    Route("/conversations/{conversation_id:id}", read, methods=["GET"]),
    Route("/conversations/{conversation_id:id}/messages", send, methods=["POST"]),
    Route("/conversations/{conversation_id:id}/read", mark_read, methods=["POST"]),
    Route("/conversations/{conversation_id:id}/leave", leave, methods=["POST"]),
    Route("/conversations/{conversation_id:id}/mute", mute, methods=["POST"]),
    Route("/conversations/{conversation_id:id}/messages/{message_id:id}/report", report, methods=["POST"]),
]
