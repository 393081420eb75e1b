"""API: sign up, tokens, me, profiles, and your own password, sessions and tokens."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forum.actions import accounts, email_address, password_reset
from forum.auth import SESSION_COOKIE
from forum.clock import isoformat
from forum.db import sessions, users
from forum.devices import device_name
from forum.mail.addresses import check_email
from forum.mail.preferences import check_email_notifications
from forum.routes._common import forum_of
from forum.routes.api._common import ApiError, json_body, path_id, require_member, user_json
from forum.validation import storable


async def create_user(request: Request) -> JSONResponse:
    data = await json_body(request)
    member = await accounts.sign_up_from(forum_of(request), accounts.client_address(request),
                                         data.get("username"), data.get("password"),
                                         data.get("display_name"), email=data.get("email"))
    row = await users.by_id(forum_of(request).db, member.id)
    return JSONResponse(user_json(row), status_code=201)


async def create_token(request: Request) -> JSONResponse:
    data = await json_body(request)
    forum = forum_of(request)
    member = await accounts.log_in(forum, accounts.client_address(request), data.get("username"),
                                   data.get("password"))
    if member is None:
        raise ApiError(401, "invalid_credentials", "That username and password do not match.",
                       {"password": "does not match the username"})
    token = await sessions.create_api_token(forum.db, member.id)
    return JSONResponse({"token": token, "username": member.username}, status_code=201)


async def me(request: Request) -> JSONResponse:
    forum = forum_of(request)
    if request.method == "PATCH":
        member = await require_member(request)
        data = await json_body(request)
        # Every field checked before any is written: a refused PATCH changes nothing.
        preference = None
        if "email_notifications" in data:
            preference = check_email_notifications(data["email_notifications"])
        if "email" in data:
            check_email(data["email"])
        await accounts.update_profile(forum, member, data)
        if "email" in data:
            await email_address.change_email(forum, member, data["email"])
        if preference is not None:
            await users.set_email_notifications(forum.db, member.id, preference)
    else:
        member = await require_member(request, write=False)
    row = await users.by_id(forum.db, member.id)
    return JSONResponse(user_json(row, public=False))


async def directory(request: Request) -> JSONResponse:
    from forum.routes.members import directory_query

    rows, next_cursor, _, _ = await directory_query(request)
    return JSONResponse({"users": [user_json(r) for r in rows], "next_cursor": next_cursor})


async def user_profile(request: Request) -> JSONResponse:
    db = forum_of(request).db
    username = request.path_params["username"]
    row = await users.by_username(db, username) if storable(username) else None
    if row is None:
        raise ApiError(404, "not_found", "No member has that username.")
    return JSONResponse({**user_json(row), **await users.post_counts(db, row["id"])})


def _cookie_session(request: Request) -> str | None:
    """The session token when the cookie (not a Bearer token) signed this request in."""
    if not request.scope.get("forum.cookie_auth"):
        return None
    return forum_of(request).signer.unsign_session(request.cookies.get(SESSION_COOKIE))


async def change_password(request: Request) -> JSONResponse:
    member = await require_member(request)
    data = await json_body(request)
    keep_tokens = data.get("keep_tokens", False)
    if not isinstance(keep_tokens, bool):
        raise ApiError(400, "invalid", "keep_tokens must be true or false.",
                       {"keep_tokens": "must be true or false"})
    result = await accounts.change_password(
        forum_of(request), member, data.get("current_password"), data.get("new_password"),
        data.get("confirm_password", data.get("new_password")),
        keep_session=_cookie_session(request), keep_tokens=keep_tokens)
    return JSONResponse(result)


async def my_sessions(request: Request) -> JSONResponse:
    member = await require_member(request, write=False)
    db = forum_of(request).db
    current = await sessions.session_id_for(db, _cookie_session(request))
    rows = await sessions.sessions_of(db, member.id)
    return JSONResponse({"sessions": [
        {"id": r["id"], "created_at": isoformat(r["created_at"]),
         "last_seen_at": isoformat(r["last_seen_at"]),
         "user_agent": r["user_agent"], "device": device_name(r["user_agent"]), "current": r["id"] == current}
        for r in rows]})


async def end_my_session(request: Request) -> Response:
    member = await require_member(request)
    session_id = path_id(request, "session_id")
    if not await sessions.end_session_of(forum_of(request).db, member.id, session_id):
        raise ApiError(404, "not_found", "You have no session with that id.")
    return Response(status_code=204)


async def my_tokens(request: Request) -> JSONResponse:
    member = await require_member(request, write=False)
    rows = await sessions.api_tokens_of(forum_of(request).db, member.id)
    return JSONResponse({"tokens": [
        {"id": r["id"], "created_at": isoformat(r["created_at"]),
         "last_used_at": isoformat(r["last_used_at"])}
        for r in rows]})


async def revoke_my_token(request: Request) -> Response:
    member = await require_member(request)
    token_id = path_id(request, "token_id")
    if not await sessions.revoke_api_token_of(forum_of(request).db, member.id, token_id):
        raise ApiError(404, "not_found", "You have no API token with that id.")
    return Response(status_code=204)


async def ask_password_reset(request: Request) -> JSONResponse:
    data = await json_body(request)
    await password_reset.request_reset(forum_of(request), accounts.client_address(request),
                                       data.get("email"))
    return JSONResponse({"status": "If that address is a member's, a reset link is on its way."},
                        status_code=202)


async def set_password_by_link(request: Request) -> JSONResponse:
    data = await json_body(request)
    done = await password_reset.complete_reset(forum_of(request), request.path_params["token"],
                                               data.get("password"))
    return JSONResponse(done)


routes = [
    Route("/users", create_user, methods=["POST"]),
    Route("/password-reset", ask_password_reset, methods=["POST"]),
    Route("/password-reset/{token}", set_password_by_link, methods=["POST"]),
    Route("/tokens", create_token, methods=["POST"]),
    Route("/me", me, methods=["GET", "PATCH"]),
    Route("/me/password", change_password, methods=["POST"]),
    Route("/me/sessions", my_sessions, methods=["GET"]),
    Route("/me/sessions/{session_id}", end_my_session, methods=["DELETE"]),
    Route("/me/tokens", my_tokens, methods=["GET"]),
    Route("/me/tokens/{token_id}", revoke_my_token, methods=["DELETE"]),
    Route("/users", directory, methods=["GET"]),
    Route("/users/{username}", user_profile, methods=["GET"]),
]
