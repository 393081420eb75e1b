"""A member's own account security: change the password, see and end sessions, API tokens."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import accounts
from forum.auth import SESSION_COOKIE, Member
from forum.db import sessions
from forum.devices import device_name
from forum.ratelimit import RateLimited
from forum.routes._common import forum_of, member_of, read_form, render, render_limited
from forum.validation import ValidationError

PASSWORD_PAGE = "/account/password"
SESSIONS_PAGE = "/account/sessions"


def _session_token(request: Request) -> str | None:
    return forum_of(request).signer.unsign_session(request.cookies.get(SESSION_COOKIE))


async def _signed_in(request: Request, page: str) -> Member | Response:
    member = await member_of(request)
    if member is None:
        return RedirectResponse(f"/login?next={page}", status_code=303)
    return member


async def _sessions_page(request: Request, member: Member, *, status_code: int = 200,
                         **context: Any) -> Response:
    db = forum_of(request).db
    current = await sessions.session_id_for(db, _session_token(request))
    rows = await sessions.sessions_of(db, member.id)
    listed = [{**dict(row._mapping), "device": device_name(row["user_agent"]),
               "current": row["id"] == current} for row in rows]
    listed.sort(key=lambda s: not s["current"])  # this session first, then the most recent
    return await render(request, "accounts/sessions.html", {
        "sessions": listed, "tokens": await sessions.api_tokens_of(db, member.id),
        "errors": {}, "done": request.query_params.get("done", ""), **context}, status_code=status_code)


async def password_page(request: Request) -> Response:
    member = await _signed_in(request, PASSWORD_PAGE)
    if isinstance(member, Response):
        return member
    forum = forum_of(request)
    token_count = len(await sessions.api_tokens_of(forum.db, member.id))
    if request.method == "GET":
        return await render(request, "accounts/password.html", {"errors": {}, "token_count": token_count})
    form = await read_form(request)
    keep_tokens = form.get("keep_tokens") == "on"
    try:
        result = await accounts.change_password(
            forum, member, form.get("current_password"), form.get("new_password"),
            form.get("confirm_password"), keep_session=_session_token(request), keep_tokens=keep_tokens)
    except ValidationError as error:
        # Nothing typed into a password field comes back; the tick box does.
        return await render(request, "accounts/password.html", {
            "errors": error.fields, "keep_tokens": keep_tokens, "token_count": token_count},
            status_code=400)
    except RateLimited as error:
        return await render_limited(request, "accounts/password.html",
                                    {"keep_tokens": keep_tokens, "token_count": token_count}, error)
    return await render(request, "accounts/password.html", {
        "errors": {}, "changed": result,
        "token_count": len(await sessions.api_tokens_of(forum.db, member.id))})


async def sessions_page(request: Request) -> Response:
    member = await _signed_in(request, SESSIONS_PAGE)
    if isinstance(member, Response):
        return member
    return await _sessions_page(request, member)


async def _member_for_form(request: Request) -> Member:
    """Check the CSRF token first, then who is asking: a forged form learns nothing."""
    await read_form(request)
    member = await member_of(request)
    if member is None:
        raise HTTPException(401, "Log in to manage your sessions.")
    return member


async def end_session(request: Request) -> Response:
    member = await _member_for_form(request)
    db = forum_of(request).db
    session_id = request.path_params["session_id"]
    ending_this_one = session_id == await sessions.session_id_for(db, _session_token(request))
    if not await sessions.end_session_of(db, member.id, session_id):
        raise HTTPException(404, "You have no session with that number; it may have ended already.")
    if ending_this_one:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
        return response
    return RedirectResponse(f"{SESSIONS_PAGE}?done=session", status_code=303)


async def end_other_sessions(request: Request) -> Response:
    member = await _member_for_form(request)
    await sessions.end_other_sessions(forum_of(request).db, member.id, _session_token(request))
    return RedirectResponse(f"{SESSIONS_PAGE}?done=others", status_code=303)


async def create_token(request: Request) -> Response:
    """A new API token, shown on this one page and never again (only its hash is kept)."""
    form = await read_form(request)
    member = await member_of(request)
    if member is None:
        raise HTTPException(401, "Log in to create an API token.")
    try:
        token = await accounts.create_api_token(forum_of(request), member, form.get("password"))
    except ValidationError as error:
        return await _sessions_page(request, member, status_code=400, errors=error.fields)
    except RateLimited as error:
        response = await _sessions_page(request, member, status_code=429, errors={"password": str(error)})
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    response = await _sessions_page(request, member, new_token=token)
    response.headers["Cache-Control"] = "no-store"  # the token must not linger in a cache
    return response


async def revoke_token(request: Request) -> Response:
    member = await _member_for_form(request)
    token_id = request.path_params["token_id"]
    if not await sessions.revoke_api_token_of(forum_of(request).db, member.id, token_id):
        raise HTTPException(404, "You have no API token with that number; it may be revoked already.")
    return RedirectResponse(f"{SESSIONS_PAGE}?done=token", status_code=303)


routes = [
    Route(PASSWORD_PAGE, password_page, methods=["GET", "POST"], name="account_password"),
    Route(SESSIONS_PAGE, sessions_page, name="account_sessions"),
    Route("/account/sessions/{session_id:id}/end", end_session, methods=["POST"], name="end_session"),
    Route("/account/sessions/end-others", end_other_sessions, methods=["POST"], name="end_other_sessions"),
    Route("/account/tokens", create_token, methods=["POST"], name="create_token"),
    Route("/account/tokens/{token_id:id}/revoke", revoke_token, methods=["POST"], name="revoke_token"),
]
