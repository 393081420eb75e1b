"""Follow and unfollow buttons for tags and channels: plain forms, no script needed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import NotFound, PermissionDenied
from forum.actions.follows import set_following
from forum.routes._common import forum_of, member_of, read_form
from forum.tag_names import tag_path


def _endpoint(what: str, on: bool) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        await read_form(request)
        name = request.path_params["name"]
        try:
            await set_following(forum_of(request), await member_of(request), what, name, on)
        except PermissionDenied as error:
            raise HTTPException(403, str(error)) from None
        except NotFound as error:
            raise HTTPException(404, str(error)) from None
        return RedirectResponse(tag_path(name) if what == "tag" else f"/c/{name}", status_code=303)
    return endpoint


routes = [
    Route("/tags/{name:str}/follow", _endpoint("tag", True), methods=["POST"], name="follow_tag"),
    Route("/tags/{name:str}/unfollow", _endpoint("tag", False), methods=["POST"], name="unfollow_tag"),
    Route("/c/{name:str}/follow", _endpoint("channel", True), methods=["POST"], name="follow_channel"),
    Route("/c/{name:str}/unfollow", _endpoint("channel", False), methods=["POST"], name="unfollow_channel"),
]
