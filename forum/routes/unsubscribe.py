"""/unsubscribe/{token}: one click from an email stops that kind of email, without signing in.
GET only asks (mail scanners follow links); the form's POST, or a mail program's RFC 8058
one-click POST, unsubscribes."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.auth import CSRF_COOKIE, CSRF_FIELD
from forum.db import users
from forum.mail.unsubscribe import KINDS
from forum.routes._common import MAX_FORM_BYTES, CSRFRejected, forum_of, render

ONE_CLICK = ("List-Unsubscribe", "One-Click")  # the body RFC 8058 section 3.1 prescribes


async def unsubscribe(request: Request) -> Response:
    forum = forum_of(request)
    link = forum.mailer.unsubscribe_links.read(request.path_params["token"])
    row = await users.by_id(forum.db, link[0]) if link else None
    if link is None or row is None:
        return await render(request, "settings/unsubscribe.html", {"valid": False}, status_code=400)
    kind = link[1]
    context = {"valid": True, "what": KINDS[kind], "account": row, "token": request.path_params["token"]}
    if request.method == "GET":
        return await render(request, "settings/unsubscribe.html", context)
    await _check_post(request)
    if kind == "notifications":
        await users.set_email_notifications(forum.db, row["id"], "off")
    elif kind == "events":
        await users.set_email_events(forum.db, row["id"], False)
    return await render(request, "settings/unsubscribe.html", {**context, "done": True})


async def _check_post(request: Request) -> None:
    """The signed token in the path is the proof of who may do this, so a mail program's
    one-click POST (which has no CSRF token) is let through, here and on no other route; the
    page's own form carries its CSRF token as every form does."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise HTTPException(413, "That form is too large.")
    form = await request.form(max_files=0, max_fields=10)
    if form.get(ONE_CLICK[0]) == ONE_CLICK[1]:
        return
    submitted = form.get(CSRF_FIELD)
    if not forum_of(request).signer.csrf_valid(request.cookies.get(CSRF_COOKIE),
                                               submitted if isinstance(submitted, str) else None):
        raise CSRFRejected()


routes = [Route("/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"], name="unsubscribe")]
