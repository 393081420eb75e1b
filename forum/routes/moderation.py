"""Moderators' pages: hiding and restoring posts, and /mod with the log of every action."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import moderation as moderation_actions
from forum.db import moderation, posts, threads
from forum.routes._common import forum_of, member_of, read_form, render
from forum.routes.threads import post_url
from forum.validation import ValidationError


async def _require_moderator_page(request: Request) -> None:
    member = await member_of(request)
    if member is None:
        raise HTTPException(403, "Log in as a moderator to see this page.")
    if not (member.is_moderator and member.can_write):
        raise HTTPException(403, "Only moderators can do that.")


async def hide_post(request: Request) -> Response:
    await _require_moderator_page(request)
    forum = forum_of(request)
    post = await posts.by_id(forum.db, request.path_params["post_id"])
    if post is None or post["deleted_at"] is not None:
        raise HTTPException(404, "There is no post at this address.")
    thread = await threads.by_id(forum.db, post["thread_id"])
    form, errors, status = {"reason": ""}, {}, 200
    if request.method == "POST":
        submitted = await read_form(request)
        form = {"reason": str(submitted.get("reason", ""))}
        try:
            await moderation_actions.hide_post(forum, await member_of(request), post["id"], form["reason"])
            return RedirectResponse(post_url(thread, post["id"]), status_code=303)
        except ValidationError as error:
            errors, status = error.fields, 400
    return await render(request, "moderation/hide.html", {
        "post": post, "thread": thread, "form": form, "errors": errors}, status_code=status)


async def restore_post(request: Request) -> Response:
    await _require_moderator_page(request)
    await read_form(request)
    forum = forum_of(request)
    post = await posts.by_id(forum.db, request.path_params["post_id"])
    if post is None:
        raise HTTPException(404, "There is no post at this address.")
    await moderation_actions.restore_post(forum, await member_of(request), post["id"])
    thread = await threads.by_id(forum.db, post["thread_id"])
    return RedirectResponse(post_url(thread, post["id"]), status_code=303)


async def moderation_page(request: Request) -> Response:
    await _require_moderator_page(request)
    db = forum_of(request).db
    return await render(request, "moderation/index.html", {
        "log": await moderation.recent(db), "hidden": await moderation.hidden_posts(db)})


routes = [
    Route("/mod", moderation_page, name="moderation"),
    Route("/p/{post_id:int}/hide", hide_post, methods=["GET", "POST"], name="hide_post"),
    Route("/p/{post_id:int}/restore", restore_post, methods=["POST"], name="restore_post"),
]
