"""API: sign up, tokens, me, profiles."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forum.actions import accounts
from forum.db import sessions, users
from forum.routes._common import forum_of
from forum.routes.api._common import ApiError, json_body, require_member, user_json


async def create_user(request: Request) -> JSONResponse:
    data = await json_body(request)
    member = await accounts.sign_up_from(forum_of(request), accounts.client_address(request),
                                         data.get("username"), data.get("password"),
                                         data.get("display_name"))
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
    if request.method == "PATCH":
        member = await require_member(request)
        await accounts.update_profile(forum_of(request), member, await json_body(request))
    else:
        member = await require_member(request, write=False)
    row = await users.by_id(forum_of(request).db, member.id)
    return JSONResponse(user_json(row, public=False))


async def directory(request: Request) -> JSONResponse:
    from forum.routes.members import directory_query

    rows, next_cursor, _, _ = await directory_query(request)
    return JSONResponse({"users": [user_json(r) for r in rows], "next_cursor": next_cursor})


async def user_profile(request: Request) -> JSONResponse:
    db = forum_of(request).db
    row = await users.by_username(db, request.path_params["username"])
    if row is None:
        raise ApiError(404, "not_found", "No member has that username.")
    return JSONResponse({**user_json(row), **await users.post_counts(db, row["id"])})


routes = [
    Route("/users", create_user, methods=["POST"]),
    Route("/tokens", create_token, methods=["POST"]),
    Route("/me", me, methods=["GET", "PATCH"]),
    Route("/users", directory, methods=["GET"]),
    Route("/users/{username}", user_profile, methods=["GET"]),
]
