"""API: events (list, create, edit, cancel) and registering for them."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.actions import events as event_actions
from forum.clock import isoformat, utcnow
from forum.db import events
from forum.routes._common import forum_of
from forum.routes.api._common import ApiError, json_body, require_member


def event_json(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "thread_id": row["thread_id"], "title": row["title"],
            "starts_at": isoformat(row["starts_at"]), "ends_at": isoformat(row["ends_at"]),
            "location": row["location"], "capacity": row["capacity"], "timezone": row["timezone"],
            "registered": row["registered"], "reserve": row["reserve"],
            "seats_left": events.seats_left(row), "url": f"/events/{row['id']}",
            "cancelled": row["cancelled_at"] is not None, "cancel_note": row["cancel_note"]}


async def list_events(request: Request) -> JSONResponse:
    db = forum_of(request).db
    when = request.query_params.get("when", "upcoming")
    if when not in ("upcoming", "past"):
        raise ApiError(400, "invalid", "when must be upcoming or past.", {"when": "upcoming or past"})
    rows = await (events.past if when == "past" else events.upcoming)(db, utcnow())
    return JSONResponse({"events": [event_json(r) for r in rows]})


async def create_event(request: Request) -> JSONResponse:
    member = await require_member(request)
    data = await json_body(request)
    event_id, _ = await event_actions.create(forum_of(request), member, data)
    return JSONResponse(event_json(await events.by_id(forum_of(request).db, event_id)), status_code=201)


async def one_event(request: Request) -> JSONResponse:
    forum = forum_of(request)
    event_id = request.path_params["event_id"]
    if request.method == "PATCH":
        member = await require_member(request)
        await event_actions.edit(forum, member, event_id, await json_body(request))
    row = await events.by_id(forum.db, event_id)
    if row is None:
        raise ApiError(404, "not_found", "No event has that id.")
    return JSONResponse(event_json(row))


async def cancel_event(request: Request) -> JSONResponse:
    member = await require_member(request)
    forum = forum_of(request)
    data = await json_body(request)
    await event_actions.cancel_event(forum, member, request.path_params["event_id"], data.get("note"))
    return JSONResponse(event_json(await events.by_id(forum.db, request.path_params["event_id"])))


async def registration(request: Request) -> Response:
    member = await require_member(request)
    forum = forum_of(request)
    event_id = request.path_params["event_id"]
    if request.method == "DELETE":
        await event_actions.cancel(forum, member, event_id)
        return Response(status_code=204)
    return JSONResponse(await event_actions.register(forum, member, event_id), status_code=201)


routes = [
    Route("/events", list_events, methods=["GET"]),
    Route("/events", create_event, methods=["POST"]),
    Route("/events/{event_id:id}", one_event, methods=["GET", "PATCH"]),
    Route("/events/{event_id:id}/cancel", cancel_event, methods=["POST"]),
    Route("/events/{event_id:id}/registration", registration, methods=["POST", "DELETE"]),
]
