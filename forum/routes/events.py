"""Event pages: the list (upcoming and past), one event, creating, editing and cancelling them,
registering and cancelling a registration with one button, the attendee list (and its CSV),
and the iCalendar feeds."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum import ics, time_zones
from forum.actions import NotFound, PermissionDenied
from forum.actions import events as event_actions
from forum.clock import as_utc, isoformat, utcnow
from forum.db import channels, events, threads
from forum.routes._common import forum_of, member_of, read_form, render, thread_or_404
from forum.validation import ValidationError

FIELDS = ("title", "body", "starts_at", "ends_at", "timezone", "location", "capacity", "past")


async def _event_or_404(request: Request) -> Any:
    event = await events.by_id(forum_of(request).db, request.path_params["event_id"])
    if event is None:
        raise HTTPException(404, "There is no event at this address.")
    return event


async def _require_moderator(request: Request) -> Any:
    member = await member_of(request)
    if member is None:
        raise HTTPException(403, "Log in as a moderator to see this page.")
    if not (member.is_moderator and member.can_write):
        raise HTTPException(403, "Only moderators can do that.")
    return member


def event_url(event: Any) -> str:
    return f"/events/{event['id']}"


async def panel_context(request: Request, event: Any) -> dict[str, Any]:
    """What the event box on the event page and on its thread page needs."""
    member = await member_of(request)
    mine, position = None, None
    if member and event:
        db = forum_of(request).db
        mine = await events.registration(db, event["id"], member.id)
        if mine is not None and mine["status"] == events.RESERVE:
            position = await events.reserve_position(db, event["id"], mine["id"])
    return {"event": event, "my_registration": mine, "reserve_position": position,
            "event_over": bool(event) and as_utc(event["ends_at"]) <= utcnow()}


async def list_page(request: Request) -> Response:
    db = forum_of(request).db
    past = request.query_params.get("when") == "past"
    rows = await (events.past if past else events.upcoming)(db, utcnow())
    return await render(request, "events/list.html", {"events": rows, "past": past})


async def event_page(request: Request) -> Response:
    db = forum_of(request).db
    event = await _event_or_404(request)
    thread = await thread_or_404(request, event["thread_id"])
    return await render(request, "events/event.html", {
        **await panel_context(request, event), "thread": thread,
        "opening": await events.opening_post(db, event["thread_id"]),
        "channels": await threads.channels_of(db, event["thread_id"])})


def _form_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in FIELDS}
    values["categories"] = [str(v) for v in form.getlist("categories")]
    return values


async def new_event(request: Request) -> Response:
    forum = forum_of(request)
    member = await _require_moderator(request)
    values: dict[str, Any] = {name: "" for name in FIELDS}
    values.update(timezone=time_zones.DEFAULT, categories=["announcements"])
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = _form_values(await read_form(request))
        try:
            event_id, _ = await event_actions.create(forum, member, values)
            return RedirectResponse(f"/events/{event_id}", status_code=303)
        except ValidationError as error:
            errors, status = error.fields, 400
    return await render(request, "events/form.html", {
        "form": values, "errors": errors, "event": None, "zones": time_zones.choices(values["timezone"]),
        "all_channels": await channels.all_channels(forum.db)}, status_code=status)


async def edit_event(request: Request) -> Response:
    forum = forum_of(request)
    member = await _require_moderator(request)
    event = await _event_or_404(request)
    opening = await events.opening_post(forum.db, event["thread_id"])
    values: dict[str, Any] = {
        "title": event["title"], "body": opening["body"] if opening else "",
        "starts_at": time_zones.local_input(as_utc(event["starts_at"]), event["timezone"]),
        "ends_at": time_zones.local_input(as_utc(event["ends_at"]), event["timezone"]),
        "timezone": event["timezone"] or time_zones.DEFAULT, "past": "", "location": event["location"],
        "capacity": "" if event["capacity"] is None else str(event["capacity"]),
        "categories": [c["slug"] for c in await threads.channels_of(forum.db, event["thread_id"])]}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = _form_values(await read_form(request))
        try:
            await event_actions.edit(forum, member, event["id"], values)
            return RedirectResponse(event_url(event), status_code=303)
        except ValidationError as error:
            errors, status = error.fields, 400
    return await render(request, "events/form.html", {
        "form": values, "errors": errors, "event": event, "zones": time_zones.choices(values["timezone"]),
        "all_channels": await channels.all_channels(forum.db)}, status_code=status)


async def cancel_event(request: Request) -> Response:
    """A confirm step (GET) before the event is called off (POST), with a note for everyone told."""
    member = await _require_moderator(request)
    event = await _event_or_404(request)
    note, errors, status = "", {}, 200
    if request.method == "POST":
        note = str((await read_form(request)).get("note", ""))
        try:
            await event_actions.cancel_event(forum_of(request), member, event["id"], note)
            return RedirectResponse(event_url(event), status_code=303)
        except ValidationError as error:
            errors, status = error.fields, 400
    return await render(request, "events/cancel.html", {
        "event": event, "note": note, "errors": errors}, status_code=status)


def _back(form: Any, event: Any) -> str:
    """Back to the page the button was on: the event page or its thread."""
    back = str(form.get("next", ""))
    return back if back.startswith("/") and not back.startswith("//") else event_url(event)


async def register(request: Request) -> Response:
    if request.path_params["verb"] not in ("register", "cancel"):
        raise HTTPException(404, "There is nothing at this address.")
    event = await _event_or_404(request)
    member = await member_of(request)
    if member is None:
        return RedirectResponse(f"/login?next={event_url(event)}", status_code=303)
    form = await read_form(request)
    try:
        if request.path_params["verb"] == "register":
            await event_actions.register(forum_of(request), member, event["id"])
        else:
            await event_actions.cancel(forum_of(request), member, event["id"])
    except ValidationError as error:
        raise HTTPException(400, "; ".join(error.fields.values())) from None
    except PermissionDenied as error:
        raise HTTPException(403, str(error)) from None
    except NotFound as error:
        raise HTTPException(404, str(error)) from None
    return RedirectResponse(_back(form, event), status_code=303)


async def attendees_page(request: Request) -> Response:
    await _require_moderator(request)
    event = await _event_or_404(request)
    rows = await events.attendees(forum_of(request).db, event["id"])
    return await render(request, "events/attendees.html", {
        "event": event, "registered": [r for r in rows if r["status"] == events.REGISTERED],
        "reserve": [r for r in rows if r["status"] == events.RESERVE]})


async def attendees_csv(request: Request) -> Response:
    await _require_moderator(request)
    event = await _event_or_404(request)
    rows = await events.attendees(forum_of(request).db, event["id"])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["status", "position", "username", "display_name", "organisation", "registered_at"])
    place = {events.REGISTERED: 0, events.RESERVE: 0}
    for row in rows:
        place[row["status"]] += 1
        writer.writerow([row["status"], place[row["status"]], row["username"],
                         _csv_safe(row["display_name"]), _csv_safe(row["organisation"]),
                         isoformat(row["created_at"])])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="event-{event["id"]}-attendees.csv"'})


def _csv_safe(value: str) -> str:
    """Text a spreadsheet would run as a formula is quoted as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def _ics_event(request: Request, event: Any) -> dict[str, Any]:
    opening = await events.opening_post(forum_of(request).db, event["thread_id"])
    return {"id": event["id"], "title": event["title"], "starts_at": event["starts_at"],
            "ends_at": event["ends_at"], "location": event["location"],
            "description": opening["body"] if opening else "",
            "url": str(request.url_for("event", event_id=event["id"])),
            "cancelled": event["cancelled_at"] is not None}


def _ics_response(body: str, filename: str) -> Response:
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


async def calendar_feed(request: Request) -> Response:
    rows = await events.upcoming(forum_of(request).db, utcnow())
    calendar_events = [await _ics_event(request, row) for row in rows]
    return _ics_response(ics.calendar(calendar_events, request.url.hostname or "forum", utcnow(),
                                      "Practice Forum events"), "events.ics")


async def calendar_one(request: Request) -> Response:
    event = await _event_or_404(request)
    body = ics.calendar([await _ics_event(request, event)], request.url.hostname or "forum",
                        utcnow(), event["title"])
    return _ics_response(body, f"event-{event['id']}.ics")


routes = [
    Route("/events", list_page, name="events"),
    Route("/events.ics", calendar_feed, name="events_ics"),
    Route("/events/new", new_event, methods=["GET", "POST"], name="new_event"),
    Route("/events/{event_id:id}", event_page, name="event"),
    Route("/events/{event_id:id}.ics", calendar_one, name="event_ics"),
    Route("/events/{event_id:id}/edit", edit_event, methods=["GET", "POST"], name="edit_event"),
    Route("/events/{event_id:id}/attendees", attendees_page, name="event_attendees"),
    Route("/events/{event_id:id}/attendees.csv", attendees_csv, name="event_attendees_csv"),
    Route("/events/{event_id:id}/cancel-event", cancel_event, methods=["GET", "POST"],
          name="cancel_event"),
    Route("/events/{event_id:id}/{verb:str}", register, methods=["POST"], name="event_registration"),
]
