"""/settings: a member's own email address and email notifications, with links to the
password and sessions pages (forum/routes/account_security.py)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import email_address
from forum.auth import Member
from forum.db import blocks, users
from forum.mail.preferences import EMAIL_NOTIFICATIONS, check_email_notifications
from forum.ratelimit import RateLimited
from forum.routes._common import forum_of, member_of, read_form, render
from forum.validation import ValidationError

SETTINGS_PAGE = "/settings"


async def _settings_page(request: Request, member: Member, *, status_code: int = 200,
                         **context: Any) -> Response:
    db = forum_of(request).db
    row = await users.by_id(db, member.id)
    return await render(request, "settings/settings.html", {
        "account": row, "blocked_members": await blocks.blocked_by(db, member.id),
        "choices": EMAIL_NOTIFICATIONS, "errors": {}, "form": {},
        "done": request.query_params.get("done", ""), **context}, status_code=status_code)


async def _signed_in(request: Request) -> Member | Response:
    member = await member_of(request)
    if member is None:
        return RedirectResponse(f"/login?next={SETTINGS_PAGE}", status_code=303)
    return member


async def settings_page(request: Request) -> Response:
    member = await _signed_in(request)
    if isinstance(member, Response):
        return member
    return await _settings_page(request, member)


async def change_email(request: Request) -> Response:
    form = await read_form(request)  # the CSRF token first: a forged form learns nothing
    member = await _signed_in(request)
    if isinstance(member, Response):
        return member
    typed = str(form.get("email", ""))
    try:
        await email_address.change_email(forum_of(request), member, typed)
    except ValidationError as error:
        return await _settings_page(request, member, status_code=400, errors=error.fields,
                                    form={"email": typed})
    except RateLimited as error:
        response = await _settings_page(request, member, status_code=429, form={"email": typed},
                                        errors={"email": str(error)})
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    return RedirectResponse(f"{SETTINGS_PAGE}?done=email", status_code=303)


async def change_notifications(request: Request) -> Response:
    form = await read_form(request)
    member = await _signed_in(request)
    if isinstance(member, Response):
        return member
    try:
        preference = check_email_notifications(form.get("email_notifications"))
    except ValidationError as error:
        return await _settings_page(request, member, status_code=400, errors=error.fields)
    await users.set_email_notifications(forum_of(request).db, member.id, preference)
    await users.set_email_events(forum_of(request).db, member.id, form.get("email_events") == "on")
    return RedirectResponse(f"{SETTINGS_PAGE}?done=notifications", status_code=303)


async def confirm_email(request: Request) -> Response:
    """The link from the confirmation email. Following it is the confirmation: whoever can
    read that mailbox owns the address."""
    row = await email_address.confirm(forum_of(request), request.path_params["token"])
    return await render(request, "settings/email_confirmed.html", {"confirmed": row},
                        status_code=200 if row else 400)


routes = [
    Route(SETTINGS_PAGE, settings_page, name="settings"),
    Route("/settings/email", change_email, methods=["POST"], name="settings_email"),
    Route("/settings/notifications", change_notifications, methods=["POST"], name="settings_notifications"),
    Route("/settings/email/confirm/{token}", confirm_email, name="confirm_email"),
]
