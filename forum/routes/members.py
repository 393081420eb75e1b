"""The member directory at /members, and editing your own profile."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions.accounts import update_profile
from forum.db import cursors, users
from forum.routes._common import forum_of, member_of, read_form, render
from forum.validation import ValidationError

MEMBERS_PER_PAGE = 30


async def directory_query(request: Request) -> tuple[list, str | None, str, str]:
    q = request.query_params.get("q", "").replace("\x00", "").strip()[:60]  # PostgreSQL refuses NUL
    sort = request.query_params.get("sort", "joined")
    if sort not in users.DIRECTORY_SORTS:
        raise ValidationError({"sort": "Sort by joined, active or name."})
    try:
        rows, next_cursor = await users.directory(forum_of(request).db, q=q, sort=sort,
                                                  cursor=request.query_params.get("cursor"),
                                                  limit=MEMBERS_PER_PAGE)
    except cursors.BadCursor as error:
        raise ValidationError({"cursor": str(error)}) from None
    return rows, next_cursor, q, sort


async def members_page(request: Request) -> Response:
    try:
        rows, next_cursor, q, sort = await directory_query(request)
    except ValidationError as error:
        raise HTTPException(400, "; ".join(error.fields.values())) from None
    return await render(request, "members/directory.html", {
        "members": rows, "next_cursor": next_cursor, "q": q, "sort": sort,
        "total": await users.count(forum_of(request).db)})


async def edit_profile(request: Request) -> Response:
    member = await member_of(request)
    if member is None or member.username.lower() != request.path_params["username"].lower():
        raise HTTPException(403, "You can only edit your own profile.")
    forum = forum_of(request)
    row = await users.by_id(forum.db, member.id)
    form = {k: row[k] for k in ("display_name", "bio", "organisation", "location", "greeter")}
    errors, status = {}, 200
    if request.method == "POST":
        submitted = await read_form(request)
        form = {k: str(submitted.get(k, "")) for k in form}
        form["greeter"] = submitted.get("greeter") == "on"  # an unticked box sends nothing
        try:
            await update_profile(forum, member, form)
            return RedirectResponse(f"/u/{member.username}", status_code=303)
        except ValidationError as error:
            errors, status = error.fields, 400
    return await render(request, "members/edit_profile.html", {"form": form, "errors": errors},
                        status_code=status)


routes = [
    Route("/members", members_page, name="members"),
    Route("/u/{username}/edit", edit_profile, methods=["GET", "POST"], name="edit_profile"),
]
