"""Block and Unblock: plain forms on a member's profile, and the list on /settings."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import blocks as block_actions
from forum.routes._common import forum_of, member_of, read_form


async def _change(request: Request, blocking: bool) -> Response:
    submitted = await read_form(request)  # the CSRF token first
    username = request.path_params["username"]
    member = await member_of(request)
    if member is None:
        return RedirectResponse(f"/login?next=/u/{username}", status_code=303)
    change = block_actions.block if blocking else block_actions.unblock
    await change(forum_of(request), member, username)
    # Back where the button was: the settings list, or the profile (never an address typed in).
    back = "/settings" if submitted.get("back") == "settings" else f"/u/{username}"
    return RedirectResponse(back, status_code=303)


async def block(request: Request) -> Response:
    return await _change(request, True)


async def unblock(request: Request) -> Response:
    return await _change(request, False)


routes = [
    Route("/u/{username}/block", block, methods=["POST"], name="block_member"),
    Route("/u/{username}/unblock", unblock, methods=["POST"], name="unblock_member"),
]
