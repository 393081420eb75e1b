"""Private conversations as pages: /messages lists the member's own and starts new ones;
/messages/{id} reads one a page at a time and replies. Anyone not in a conversation is
told it does not exist, whatever their role."""

from __future__ import annotations

import re
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import PermissionDenied
from forum.actions import conversations as conversation_actions
from forum.auth import Member
from forum.db import conversations
from forum.ids import parse_id
from forum.routes._common import forum_of, member_of, read_form, render
from forum.validation import ValidationError

MESSAGES_PER_PAGE = 50
NOT_FOUND = "There is no conversation at this address."


def _login(path: str) -> Response:
    return RedirectResponse(f"/login?next={path}", status_code=303)


def others_names(people: list[Any], viewer: Member) -> str:
    """What an untitled conversation is called: the people in it besides the viewer."""
    others = [p["display_name"] for p in people if p["id"] != viewer.id]
    return ", ".join(others) or "Only you"


async def inbox(request: Request) -> Response:
    member = await member_of(request)
    if member is None:
        return _login("/messages")
    form = {"to": request.query_params.get("to", ""), "title": "", "body": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        submitted = await read_form(request)
        form = {key: str(submitted.get(key, "")) for key in ("to", "title", "body")}
        try:
            conversation_id = await conversation_actions.start(
                forum_of(request), member, [n for n in re.split(r"[\s,]+", form["to"]) if n],
                form["title"], form["body"])
            return RedirectResponse(f"/messages/{conversation_id}", status_code=303)
        except ValidationError as error:
            errors, status = error.fields, 400
        except PermissionDenied as error:  # refused, with what was typed kept
            errors, status = {"to": str(error)}, 403
    db = forum_of(request).db
    items = []
    for row in await conversations.list_for(db, member.id):
        people = await conversations.participants(db, row["id"])
        items.append({**row._mapping, "names": others_names(people, member)})
    return await render(request, "messages/index.html",
                        {"items": items, "form": form, "errors": errors}, status_code=status)


async def conversation_page(request: Request) -> Response:
    conversation_id = request.path_params["conversation_id"]
    member = await member_of(request)
    if member is None:
        return _login(f"/messages/{conversation_id}")
    forum = forum_of(request)
    conversation = await conversations.for_member(forum.db, conversation_id, member.id)
    if conversation is None:
        raise HTTPException(404, NOT_FOUND)
    form, errors, status = {"body": ""}, {}, 200
    if request.method == "POST":
        submitted = await read_form(request)
        form = {"body": str(submitted.get("body", ""))}
        try:
            message = await conversation_actions.send(forum, member, conversation_id, form["body"])
            return RedirectResponse(f"/messages/{conversation_id}#message-{message['id']}", status_code=303)
        except ValidationError as error:
            errors, status = error.fields, 400
        except PermissionDenied as error:
            errors, status = {"body": str(error)}, 403
    cursor = request.query_params.get("before")
    before = parse_id(cursor) if cursor else None
    if cursor and before is None:
        raise ValidationError({"before": "is not a page this forum gave out"})
    if (at := request.query_params.get("at")) and not cursor:  # a search result's link
        message_id = parse_id(at)
        if message_id is None:
            raise ValidationError({"at": "is not a message this forum gave out"})
        before = await conversations.page_showing(forum.db, conversation_id, message_id, MESSAGES_PER_PAGE)
    rows, older = await conversations.messages_page(forum.db, conversation_id, before, MESSAGES_PER_PAGE)
    if rows:  # read up to what was shown; never backwards (an older page changes nothing)
        await conversations.mark_read(forum.db, conversation_id, member.id, rows[-1]["id"])
    return await render(request, "messages/conversation.html", {
        "conversation": conversation, "messages": rows, "older_cursor": older, "newest": before is None,
        "names": others_names(await conversations.participants(forum.db, conversation_id), member),
        "form": form, "errors": errors}, status_code=status)


async def leave(request: Request) -> Response:
    conversation_id = request.path_params["conversation_id"]
    member = await member_of(request)
    if member is None:
        return _login(f"/messages/{conversation_id}")
    await read_form(request)
    await conversation_actions.leave(forum_of(request), member, conversation_id)
    return RedirectResponse("/messages", status_code=303)


async def mute(request: Request) -> Response:
    conversation_id = request.path_params["conversation_id"]
    member = await member_of(request)
    if member is None:
        return _login(f"/messages/{conversation_id}")
    submitted = await read_form(request)
    await conversation_actions.mute(forum_of(request), member, conversation_id, submitted.get("muted") == "1")
    return RedirectResponse(f"/messages/{conversation_id}", status_code=303)


routes = [
    Route("/messages", inbox, methods=["GET", "POST"], name="messages"),
    Route("/messages/{conversation_id:id}", conversation_page, methods=["GET", "POST"], name="conversation"),
    Route("/messages/{conversation_id:id}/leave", leave, methods=["POST"], name="leave_conversation"),
    Route("/messages/{conversation_id:id}/mute", mute, methods=["POST"], name="mute_conversation"),
]
