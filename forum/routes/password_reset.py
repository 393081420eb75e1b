"""/password-reset: ask for a link by email, then set a new password through it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.actions import password_reset
from forum.actions.accounts import client_address
from forum.ratelimit import RateLimited
from forum.routes._common import forum_of, read_form, render, render_limited
from forum.validation import ValidationError


async def ask(request: Request) -> Response:
    if request.method == "GET":
        return await render(request, "accounts/password_reset.html", {"form": {}, "errors": {}})
    form = await read_form(request)
    typed = str(form.get("email", ""))
    try:
        await password_reset.request_reset(forum_of(request), client_address(request), typed)
    except ValidationError as error:
        return await render(request, "accounts/password_reset.html",
                            {"form": {"email": typed}, "errors": error.fields}, status_code=400)
    except RateLimited as error:
        return await render_limited(request, "accounts/password_reset.html",
                                    {"form": {"email": typed}}, error)
    # The same page whether or not the address is a member's.
    return await render(request, "accounts/password_reset.html", {"sent_to": typed.strip(), "errors": {}})


async def set_password(request: Request) -> Response:
    forum = forum_of(request)
    token = request.path_params["token"]
    page = "accounts/password_reset_set.html"
    if request.method == "GET":
        live = await password_reset.link_is_live(forum, token)
        return await render(request, page, {"token": token, "live": live, "errors": {}},
                            status_code=200 if live else 400)
    form = await read_form(request)
    try:
        done = await password_reset.complete_reset(forum, token, form.get("password"))
    except ValidationError as error:
        live = "token" not in error.fields
        return await render(request, page, {"token": token, "live": live, "errors": error.fields},
                            status_code=400)
    response = await render(request, page, {"token": token, "done": done, "errors": {}})
    response.headers["Cache-Control"] = "no-store"
    return response


routes = [
    Route("/password-reset", ask, methods=["GET", "POST"], name="password_reset"),
    Route("/password-reset/{token}", set_password, methods=["GET", "POST"], name="password_reset_set"),
]
