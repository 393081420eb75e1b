"""A page whose form sends something to the moderators with a reason (a flag, a message report,
a post hidden): shown, or posted, sent, and either thanked on the page or redirected."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forum.routes._common import read_form, render
from forum.validation import ValidationError


async def reason_page(request: Request, template: str, context: dict[str, Any],
                      send: Callable[[str], Awaitable[Any]], then: str | None = None) -> Response:
    """`send` takes the reason as typed (the action checks it); once sent, the page says so
    (`done`), or redirects to `then`. A refused reason comes back with its error, kept."""
    form, errors, status, done = {"reason": ""}, {}, 200, False
    if request.method == "POST":
        submitted = await read_form(request)
        form = {"reason": str(submitted.get("reason", ""))}
        try:
            await send(form["reason"])
            if then is not None:
                return RedirectResponse(then, status_code=303)
            done = True
        except ValidationError as error:
            errors, status = error.fields, 400
    return await render(request, template, {**context, "form": form, "errors": errors, "done": done},
                        status_code=status)
