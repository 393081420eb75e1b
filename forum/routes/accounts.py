"""Sign up, log in, log out, and profiles."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import accounts
from forum.auth import SESSION_COOKIE, SESSION_MAX_AGE_SECONDS
from forum.db import blocks, posts, sessions, users
from forum.ratelimit import RateLimited
from forum.routes._common import forum_of, member_of, read_form, render, render_limited
from forum.services import Forum
from forum.validation import ValidationError
from forum.web.middleware import is_https


def safe_next(value: object) -> str:
    """Only same-site paths: '/t/4' yes; '//evil.example' and 'https://…' no."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


async def start_session(forum: Forum, request: Request, response: Response, user_id: int) -> None:
    """A new session id at every log-in (no fixation); the old one, if any, ends."""
    old = forum.signer.unsign_session(request.cookies.get(SESSION_COOKIE))
    if old:
        await sessions.end_session(forum.db, old)
    token = await sessions.create_session(forum.db, user_id, request.headers.get("user-agent", ""))
    response.set_cookie(SESSION_COOKIE, forum.signer.sign_session(token), max_age=SESSION_MAX_AGE_SECONDS,
                        httponly=True, samesite="lax", secure=is_https(request.scope), path="/")


async def signup(request: Request) -> Response:
    if request.method == "GET":
        return await render(request, "accounts/signup.html", {"form": {}, "errors": {}})
    form = await read_form(request)
    forum = forum_of(request)
    values = {k: str(form.get(k, "")) for k in ("username", "display_name", "password", "email")}
    try:
        member = await accounts.sign_up_from(forum, accounts.client_address(request),
                                             values["username"], values["password"],
                                             values["display_name"], email=values["email"],
                                             # the page asks for it; a form without the field
                                             # (a script) signs up without, as the API may
                                             email_required="email" in form)
    except ValidationError as error:
        values["password"] = ""  # never echo a password back into the page
        return await render(request, "accounts/signup.html",
                            {"form": values, "errors": error.fields}, status_code=400)
    except RateLimited as error:
        values["password"] = ""
        return await render_limited(request, "accounts/signup.html", {"form": values}, error)
    response = RedirectResponse("/welcome", status_code=303)
    await start_session(forum, request, response, member.id)
    return response


async def login(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return await render(request, "accounts/login.html",
                            {"form": {}, "errors": {}, "next": next_path})
    form = await read_form(request)
    forum = forum_of(request)
    username = str(form.get("username", ""))
    try:
        member = await accounts.log_in(forum, accounts.client_address(request), username,
                                       str(form.get("password", "")))
    except RateLimited as error:
        return await render_limited(request, "accounts/login.html", {
            "form": {"username": username}, "next": safe_next(form.get("next"))}, error)
    if member is None:
        return await render(request, "accounts/login.html", {
            "form": {"username": username}, "next": safe_next(form.get("next")),
            "errors": {"password": "That username and password do not match."}}, status_code=400)
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    await start_session(forum, request, response, member.id)
    return response


async def logout(request: Request) -> Response:
    await read_form(request)
    forum = forum_of(request)
    token = forum.signer.unsign_session(request.cookies.get(SESSION_COOKIE))
    if token:
        await sessions.end_session(forum.db, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


async def profile(request: Request) -> Response:
    forum = forum_of(request)
    row = await users.by_username(forum.db, request.path_params["username"])
    if row is None:
        raise HTTPException(404, "No member has that username.")
    viewer = await member_of(request)
    welcomer = await users.by_id(forum.db, row["welcomed_by"]) if row["welcomed_by"] else None
    return await render(request, "accounts/profile.html", {
        "profile": row, "welcomer": welcomer,
        "blocked": viewer is not None and await blocks.is_blocked(forum.db, viewer.id, row["id"]),
        "counts": await users.post_counts(forum.db, row["id"]),
        "recent": await posts.recent_by_author(forum.db, row["id"]),
    })


routes = [
    Route("/signup", signup, methods=["GET", "POST"], name="signup"),
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/u/{username}", profile, name="profile"),
]
