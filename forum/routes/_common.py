"""What every handler needs: the forum services, the member asking, forms with CSRF, pages."""

from __future__ import annotations

from typing import Any

from markupsafe import escape
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, Response

from forum.actions.moderation import BANNER_SUBJECT
from forum.auth import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE, Member, bearer_token, csrf_cookie_of
from forum.characters import readable
from forum.db import channels as channel_queries
from forum.db import header_counts, moderation, sessions, threads
from forum.routes._form_body import parse_form_body
from forum.services import Forum
from forum.storage import size_in_words
from forum.web.middleware import LIVE_FROM

BANNER_COOKIE = "forum_banner_dismissed"

# Forms bigger than this are refused before parsing; the largest legitimate one is a post.
MAX_FORM_BYTES = 256 * 1024


def forum_of(conn: HTTPConnection) -> Forum:
    return conn.state.forum


async def member_of(conn: HTTPConnection) -> Member | None:
    """The signed-in member (session cookie or Bearer token), looked up once per request."""
    # Cached in the scope itself: lifespan state may be one dict shared by every request.
    if "forum.member" in conn.scope:
        return conn.scope["forum.member"]
    forum = forum_of(conn)
    row = None
    if token := bearer_token(conn):
        row = await sessions.user_for_api_token(forum.db, token)
    elif session_token := forum.signer.unsign_session(conn.cookies.get(SESSION_COOKIE)):
        row = await sessions.user_for_session(forum.db, session_token)
    member = Member.from_row(row) if row else None
    conn.scope["forum.member"] = member
    conn.scope["forum.cookie_auth"] = member is not None and not bearer_token(conn)
    return member


async def thread_or_404(conn: HTTPConnection, thread_id: int) -> Any:
    """The thread, or a 404: it may have gone since whatever named it (an address, a post,
    an event) was read. Where the caller just wrote the thread, threads.existing says so."""
    thread = await threads.by_id(forum_of(conn).db, thread_id)
    if thread is None:
        raise HTTPException(404, "There is no thread at this address.")
    return thread


def require_owner_or_moderator(member: Member, owner_id: int, refusal: str) -> None:
    """A 403 saying `refusal` unless the member wrote it (see Member.owns_or_moderates)."""
    if not member.owns_or_moderates(owner_id):
        raise HTTPException(403, refusal)


def csrf_token_for(conn: HTTPConnection) -> str:
    return forum_of(conn).signer.csrf_token(csrf_cookie_of(conn))


class CSRFRejected(HTTPException):
    def __init__(self) -> None:
        super().__init__(403, "This form has expired or came from another site. "
                              "Go back, reload the page and try again; what you typed is kept.")


async def read_form(request: Request) -> FormData:
    """Parse a posted form and check its CSRF token; every form handler goes through here."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise HTTPException(413, "That form is too large.")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:  # sent without a Content-Length
        raise HTTPException(413, "That form is too large.")
    form = parse_form_body(request.headers, body)
    check_form_csrf(request, form)
    return form


def check_form_csrf(request: Request, form: FormData) -> None:
    submitted = form.get(CSRF_FIELD)
    if not forum_of(request).signer.csrf_valid(request.cookies.get(CSRF_COOKIE),
                                               submitted if isinstance(submitted, str) else None):
        raise CSRFRejected()


async def body_up_to(request: Request, limit: int, message: str) -> bytes:
    """The request's body, refused with a 413 as soon as it passes `limit` bytes: a body that
    big is never held whole, whatever its Content-Length claims."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise HTTPException(413, message)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, message)
        chunks.append(chunk)
    return b"".join(chunks)


def live_from(request: Request) -> int:
    """The event a page's live updates resume after (see LiveResumePointMiddleware)."""
    return request.scope.get(LIVE_FROM, forum_of(request).hub.cursor)


async def render(request: Request, template: str, context: dict[str, Any] | None = None,
                 status_code: int = 200) -> Response:
    forum = forum_of(request)
    member = await member_of(request)
    unread_notifications, unread_messages = (await header_counts.unread(forum.db, member.id)
                                             if member else (0, 0))
    page = {
        "request": request,
        "viewer": member,
        "csrf_token": csrf_token_for(request),
        "nav_channels": await forum.shared.get(forum, "channels",
                                               lambda: channel_queries.all_channels(forum.db),
                                               showing=("channels",)),
        "banner": await _banner_for(request, member),
        "unread_notifications": unread_notifications,
        "unread_messages": unread_messages,
        "open_flags": await moderation.open_flag_count(forum.db) if member and member.is_moderator else 0,
        "last_event_id": live_from(request),
        "upload_max_bytes": forum.settings.upload_max_bytes,
        "upload_max_words": size_in_words(forum.settings.upload_max_bytes),
        **(_readable(context) if context and request.method == "POST" else context or {}),
    }
    return forum.templates.responses.TemplateResponse(request, template, page, status_code=status_code)


def _readable(context: dict[str, Any]) -> dict[str, Any]:
    """A form put back for correcting may hold bytes that were not UTF-8 (see _form_body):
    shown as U+FFFD, since a page cannot be encoded with them."""
    def clean(value: Any) -> Any:
        if type(value) is str:  # not Markup: safe HTML stays safe
            return readable(value)
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        return value

    return {key: clean(value) for key, value in context.items()}


async def error_page(request: Request, status_code: int, message: str) -> Response:
    try:
        return await render(request, "error.html", {"status": status_code, "message": message},
                            status_code=status_code)
    except Exception:  # the database may be what failed; still say something useful
        return HTMLResponse(f'<!doctype html><html lang="en"><title>{status_code}</title>'
                            f"<h1>Sorry</h1><p>{escape(message)}</p></html>", status_code=status_code)


async def render_limited(request: Request, template: str, context: dict[str, Any],
                         error: Any) -> Response:
    """A form refused by a rate limit: 429 with Retry-After, the message, the text kept."""
    response = await render(request, template, {**context, "errors": {"form": str(error)}},
                            status_code=429)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


async def _banner_for(request: Request, member: Member | None) -> Any:
    """The site banner, unless this reader closed it (newer banners show again)."""
    forum = forum_of(request)
    banner = await forum.shared.get(forum, "banner", lambda: moderation.current_banner(forum.db),
                                    showing=(BANNER_SUBJECT,))
    if banner is None:
        return None
    dismissed = member.dismissed_banner_id if member else request.cookies.get(BANNER_COOKIE)
    return None if str(dismissed) == str(banner["id"]) else banner
