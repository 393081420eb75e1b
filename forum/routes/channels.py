"""The home page, channel pages and starting a thread."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import PermissionDenied
from forum.actions.live import thread_subject, user_subject
from forum.actions.moderation import SITE_CHANNEL
from forum.actions.threads import create_thread
from forum.clock import as_utc, utcnow
from forum.db import channels, cursors, events, follows, reads, threads, users
from forum.ratelimit import RateLimited
from forum.routes._common import forum_of, member_of, render, render_limited
from forum.routes._composer_files import read_composer_form, with_attachment
from forum.storage import UploadRefused, UploadTooLarge
from forum.tag_names import split_line
from forum.validation import ValidationError
from forum.web.invalidation import row_of, shows
from forum.web.templating import page_rows, thread_url

THREADS_PER_PAGE = 30
LATEST_ON_HOME = 10


async def home(request: Request) -> Response:
    forum = forum_of(request)
    member = await member_of(request)
    return await render(request, "home.html", {
        "channel_new": await reads.new_by_channel(forum.db, member.id) if member else {},
        "channels": await channels.all_channels(forum.db),
        "member_count": await users.count(forum.db),
        "online": forum.hub.presence.frame(SITE_CHANNEL)["members"],
        "next_events": await events.upcoming(forum.db, utcnow(), limit=3, with_cancelled=False),
        "latest": page_rows(await threads.latest(forum.db, limit=LATEST_ON_HOME)),
    })


async def _channel_or_404(request: Request) -> Any:
    channel = await channels.by_slug(forum_of(request).db, request.path_params["slug"])
    if channel is None:
        raise HTTPException(404, "There is no channel at this address.")
    return channel


async def channel_page(request: Request) -> Response:
    forum = forum_of(request)
    channel = await _channel_or_404(request)
    try:
        rows, next_cursor = await threads.in_channel(
            forum.db, channel["id"], request.query_params.get("cursor"), THREADS_PER_PAGE)
    except cursors.BadCursor as error:
        raise HTTPException(400, str(error)) from None
    rows = page_rows(rows)
    # A visitor's copy is dropped when any of these changes (forum/web/invalidation.py): a
    # thread's row, not all that happens in the thread.
    shows(f"category:{channel['slug']}", *(row_of(thread_subject(row["id"])) for row in rows),
          *{user_subject(row["author_id"]) for row in rows})
    member = await member_of(request)
    new_counts: dict[int, int] = {}
    new_threads: set[int] = set()
    if member:
        ids = [r["id"] for r in rows]
        new_counts = await reads.new_counts(forum.db, member.id, ids)
        opened = await reads.read_thread_ids(forum.db, member.id, ids)
        joined = member.joined_at
        new_threads = {r["id"] for r in rows if r["id"] not in opened and r["author_id"] != member.id
                       and (joined is None or as_utc(r["last_activity_at"]) > joined)}
    return await render(request, "channels/channel.html", {
        "following": bool(member and await follows.is_following(forum.db, member.id,
                                                                channel_id=channel["id"])),
        "channel": channel, "threads": rows, "next_cursor": next_cursor,
        "first_page": not request.query_params.get("cursor"),
        "new_counts": new_counts, "new_threads": new_threads,
        "waiting": await threads.waiting_introductions(forum.db) if channel["slug"] == "welcome" else [],
    })


async def new_thread(request: Request) -> Response:
    forum = forum_of(request)
    channel = await _channel_or_404(request)
    member = await member_of(request)
    if member is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    all_channels = await channels.all_channels(forum.db)
    context = {"channel": channel, "all_channels": all_channels, "errors": {},
               "form": {"title": "", "body": "", "tags": "", "categories": [channel["slug"]]}}
    if request.method == "GET":
        return await render(request, "channels/new_thread.html", context)
    form, posted = await read_composer_form(request)
    chosen = [str(v) for v in form.getlist("categories")]
    context["form"] = {"title": str(form.get("title", "")), "body": str(form.get("body", "")),
                       "tags": str(form.get("tags", "")), "categories": chosen,
                       "alt": str(form.get("alt", ""))}
    try:
        context["form"]["body"] = await with_attachment(request, member, context["form"]["body"], posted,
                                                        context["form"]["alt"])
        thread_id = await create_thread(forum, member, form.get("title"), context["form"]["body"], chosen,
                                        tags=split_line(context["form"]["tags"]))
    except ValidationError as error:
        context["errors"] = error.fields
        return await render(request, "channels/new_thread.html", context, status_code=400)
    except UploadRefused as error:
        context["errors"] = {"file": str(error)}
        status = 413 if isinstance(error, UploadTooLarge) else 400
        return await render(request, "channels/new_thread.html", context, status_code=status)
    except PermissionDenied as error:
        context["errors"] = {"form": str(error)}
        return await render(request, "channels/new_thread.html", context, status_code=403)
    except RateLimited as error:
        return await render_limited(request, "channels/new_thread.html", context, error)
    thread = await threads.existing(forum.db, thread_id)
    return RedirectResponse(thread_url(thread), status_code=303)


routes = [
    Route("/", home, name="home"),
    Route("/c/{slug}", channel_page, name="channel"),
    Route("/c/{slug}/new", new_thread, methods=["GET", "POST"], name="new_thread"),
]
