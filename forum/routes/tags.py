"""Tag pages, the tags of a thread, and moderators' renaming and merging."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import NotFound, PermissionDenied
from forum.actions import tags as tag_actions
from forum.db import cursors, follows, tags
from forum.routes._common import (
    forum_of,
    member_of,
    read_form,
    render,
    require_owner_or_moderator,
    thread_or_404,
)
from forum.tag_names import is_valid_name, split_line, tag_key, tag_path
from forum.validation import ValidationError
from forum.web.templating import page_rows, thread_url

THREADS_PER_PAGE = 30


async def tag_or_none(request: Request) -> Any:
    name = request.path_params["tag"]
    return await tags.by_key(forum_of(request).db, tag_key(name)) if is_valid_name(name) else None


async def tag_page(request: Request, errors: dict[str, str] | None = None,
                   form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    forum = forum_of(request)
    tag = await tag_or_none(request)
    if tag is None:
        raise HTTPException(404, "No thread carries that tag.")
    if tag["key"] != tag_key(request.path_params["tag"]):  # renamed or merged: its new page
        return RedirectResponse(tag_path(tag["key"]), status_code=301)
    try:
        rows, next_cursor = await tags.threads_tagged(
            forum.db, tag["id"], request.query_params.get("cursor"), THREADS_PER_PAGE)
    except cursors.BadCursor as error:
        raise HTTPException(400, str(error)) from None
    member = await member_of(request)
    return await render(request, "tags/tag.html", {
        "following": bool(member and await follows.is_following(forum.db, member.id, tag_id=tag["id"])),
        "tag": tag, "threads": page_rows(rows), "next_cursor": next_cursor,
        "first_page": not request.query_params.get("cursor"),
        "errors": errors or {}, "form": form or {}}, status_code=status_code)


async def _moderate(request: Request, verb: str) -> Response:
    forum = forum_of(request)
    form = await read_form(request)
    field = "name" if verb == "rename" else "into"
    value = str(form.get(field, ""))
    action = tag_actions.rename if verb == "rename" else tag_actions.merge
    try:
        key = await action(forum, await member_of(request), request.path_params["tag"], value)
    except PermissionDenied as error:
        raise HTTPException(403, str(error)) from None
    except NotFound as error:
        raise HTTPException(404, str(error)) from None
    except ValidationError as error:
        return await tag_page(request, error.fields, {field: value}, status_code=400)
    return RedirectResponse(tag_path(key), status_code=303)


async def rename_tag(request: Request) -> Response:
    return await _moderate(request, "rename")


async def merge_tag(request: Request) -> Response:
    return await _moderate(request, "merge")


async def thread_tags(request: Request) -> Response:
    """The thread's starter or a moderator changes its tags (a plain form)."""
    forum = forum_of(request)
    thread = await thread_or_404(request, request.path_params["thread_id"])
    member = await member_of(request)
    if member is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    require_owner_or_moderator(member, thread["author_id"],
                               "Only the thread's starter or a moderator can change its tags.")
    current = ", ".join(t["name"] for t in await tags.of_thread(forum.db, thread["id"]))
    context: dict[str, Any] = {"thread": thread, "form": {"tags": current}, "errors": {}}
    if request.method == "GET":
        return await render(request, "tags/edit.html", context)
    form = await read_form(request)
    context["form"] = {"tags": str(form.get("tags", ""))}
    try:
        await tag_actions.set_thread_tags(forum, member, thread["id"], split_line(context["form"]["tags"]))
    except PermissionDenied as error:
        raise HTTPException(403, str(error)) from None
    except ValidationError as error:
        context["errors"] = error.fields
        return await render(request, "tags/edit.html", context, status_code=400)
    return RedirectResponse(thread_url(thread), status_code=303)


routes = [
    Route("/tags/{tag:str}", tag_page, name="tag"),
    Route("/tags/{tag:str}/rename", rename_tag, methods=["POST"], name="rename_tag"),
    Route("/tags/{tag:str}/merge", merge_tag, methods=["POST"], name="merge_tag"),
    Route("/t/{thread_id:id}/tags", thread_tags, methods=["GET", "POST"], name="thread_tags"),
]
