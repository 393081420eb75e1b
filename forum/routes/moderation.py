"""Moderators' pages: hiding and restoring posts, and /mod with the log of every action."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import PermissionDenied
from forum.actions import moderation as moderation_actions
from forum.db import message_reports, moderation, posts
from forum.ids import id_field
from forum.routes._common import (
    BANNER_COOKIE,
    forum_of,
    member_of,
    read_form,
    render,
    require_owner_or_moderator,
    thread_or_404,
)
from forum.routes._reason_form import reason_page
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
    thread = await thread_or_404(request, post["thread_id"])
    member = await member_of(request)
    return await reason_page(
        request, "moderation/hide.html", {"post": post, "thread": thread},
        lambda reason: moderation_actions.hide_post(forum, member, post["id"], reason),
        then=post_url(thread, post["id"]))


async def restore_post(request: Request) -> Response:
    await _require_moderator_page(request)
    await read_form(request)
    forum = forum_of(request)
    post = await posts.by_id(forum.db, request.path_params["post_id"])
    if post is None:
        raise HTTPException(404, "There is no post at this address.")
    await moderation_actions.restore_post(forum, await member_of(request), post["id"])
    thread = await thread_or_404(request, post["thread_id"])
    return RedirectResponse(post_url(thread, post["id"]), status_code=303)


async def moderation_page(request: Request) -> Response:
    await _require_moderator_page(request)
    return await _moderation_page(request, {})


async def _moderation_page(request: Request, extra: dict, status_code: int = 200) -> Response:
    db = forum_of(request).db
    return await render(request, "moderation/index.html", {
        "log": await moderation.recent(db), "hidden": await moderation.hidden_posts(db),
        "flags": await moderation.open_flags(db), "reports": await message_reports.open_reports(db),
        "current_banner": await moderation.current_banner(db),
        "flag_errors": {}, "banner_errors": {}, "banner_text": "", **extra}, status_code=status_code)


routes = [
    Route("/mod", moderation_page, name="moderation"),
    Route("/p/{post_id:id}/hide", hide_post, methods=["GET", "POST"], name="hide_post"),
    Route("/p/{post_id:id}/restore", restore_post, methods=["POST"], name="restore_post"),
]


# -- flags -----------------------------------------------------------------------------
async def flag_post(request: Request) -> Response:
    forum = forum_of(request)
    member = await member_of(request)
    post = await posts.by_id(forum.db, request.path_params["post_id"])
    if post is None or post["deleted_at"] is not None:
        raise HTTPException(404, "There is no post at this address.")
    if member is None:
        return RedirectResponse(f"/login?next=/p/{post['id']}/flag", status_code=303)
    thread = await thread_or_404(request, post["thread_id"])
    return await reason_page(
        request, "moderation/flag.html", {"post": post, "thread": thread},
        lambda reason: moderation_actions.flag_post(forum, member, post["id"], reason))


async def resolve_flag(request: Request) -> Response:
    await _require_moderator_page(request)
    submitted = await read_form(request)
    forum = forum_of(request)
    try:
        await moderation_actions.resolve_flag(
            forum, await member_of(request), request.path_params["flag_id"],
            submitted.get("resolution"), submitted.get("note"))
    except ValidationError as error:
        errors = {"flag_errors": {request.path_params["flag_id"]: error.fields}}
        return await _moderation_page(request, errors, status_code=400)
    return RedirectResponse("/mod", status_code=303)


# -- the banner ------------------------------------------------------------------------
async def banner(request: Request) -> Response:
    await _require_moderator_page(request)
    submitted = await read_form(request)
    forum = forum_of(request)
    member = await member_of(request)
    if submitted.get("clear"):
        await moderation_actions.clear_banner(forum, member)
    else:
        try:
            await moderation_actions.set_banner(forum, member, submitted.get("text"))
        except ValidationError as error:
            return await _moderation_page(request, {"banner_errors": error.fields,
                                                    "banner_text": str(submitted.get("text", ""))},
                                          status_code=400)
    return RedirectResponse("/mod", status_code=303)


async def dismiss_banner(request: Request) -> Response:
    """Members' choice is kept on their account; visitors' in a cookie."""
    submitted = await read_form(request)
    forum = forum_of(request)
    banner_id = id_field(submitted.get("banner_id"), "banner_id", "a banner id")
    response = RedirectResponse(safe_back(request), status_code=303)
    member = await member_of(request)
    if member:
        await moderation.dismiss_banner(forum.db, member.id, banner_id)
    else:
        response.set_cookie(BANNER_COOKIE, str(banner_id), max_age=365 * 24 * 3600, httponly=True,
                            samesite="lax", path="/")
    return response


def safe_back(request: Request) -> str:
    from urllib.parse import urlparse

    referer = urlparse(request.headers.get("referer", ""))
    same_site = referer.netloc in ("", request.headers.get("host", ""))
    local = referer.path.startswith("/") and not referer.path.startswith("//")
    return referer.path if same_site and local else "/"


# -- members ---------------------------------------------------------------------------
async def member_action(request: Request) -> Response:
    submitted = await read_form(request)
    forum = forum_of(request)
    member = await member_of(request)
    username, action = request.path_params["username"], request.path_params["action"]
    try:
        if action in ("suspend", "unsuspend"):
            await moderation_actions.set_suspended(forum, member, username, action == "suspend")
        elif action == "role":
            await moderation_actions.set_role(forum, member, username, submitted.get("role"))
        else:
            raise HTTPException(404, "There is nothing at this address.")
    except PermissionDenied as error:
        raise HTTPException(403, str(error)) from None
    return RedirectResponse(f"/u/{username}", status_code=303)


# -- revisions -------------------------------------------------------------------------
HISTORY_REFUSAL = "Only the author and moderators can see a post's history."


async def post_history(request: Request) -> Response:
    forum = forum_of(request)
    post = await posts.by_id(forum.db, request.path_params["post_id"])
    if post is None:
        raise HTTPException(404, "There is no post at this address.")
    member = await member_of(request)
    if member is None:
        raise HTTPException(403, HISTORY_REFUSAL)
    require_owner_or_moderator(member, post["author_id"], HISTORY_REFUSAL)
    thread = await thread_or_404(request, post["thread_id"])
    return await render(request, "moderation/history.html", {
        "post": post, "thread": thread, "revisions": await moderation.revisions_of(forum.db, post["id"])})


routes += [
    Route("/p/{post_id:id}/flag", flag_post, methods=["GET", "POST"], name="flag_post"),
    Route("/p/{post_id:id}/history", post_history, name="post_history"),
    Route("/mod/flags/{flag_id:id}", resolve_flag, methods=["POST"], name="resolve_flag"),
    Route("/mod/banner", banner, methods=["POST"], name="banner"),
    Route("/banner/dismiss", dismiss_banner, methods=["POST"], name="dismiss_banner"),
    Route("/u/{username}/{action}", member_action, methods=["POST"], name="member_action"),
]
