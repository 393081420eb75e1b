"""The thread page, replying, editing and deleting posts, and moderators' thread controls."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import NotFound, PermissionDenied
from forum.actions import posts as post_actions
from forum.actions import reactions as reaction_actions
from forum.actions import threads as thread_actions
from forum.auth import can_edit_post
from forum.db import channels, events, posts, reactions, reads, threads, users
from forum.ids import id_field, parse_id
from forum.ratelimit import RateLimited
from forum.routes._common import forum_of, member_of, read_form, render, render_limited, thread_or_404
from forum.routes._composer_files import read_composer_form, with_attachment
from forum.routes.events import panel_context
from forum.storage import UploadRefused, UploadTooLarge
from forum.text import summary
from forum.validation import ValidationError
from forum.web import thread_reads
from forum.web.templating import thread_url

POSTS_PER_PAGE = 50


async def _thread_or_404(request: Request) -> Any:
    return await thread_or_404(request, request.path_params["thread_id"])


async def _post_or_404(request: Request) -> Any:
    post = await posts.by_id(forum_of(request).db, request.path_params["post_id"])
    if post is None:
        raise HTTPException(404, "There is no post at this address.")
    return post


def post_url(thread: Any, post_id: int) -> str:
    return f"{thread_url(thread)}?at={post_id}#post-{post_id}"


def _description(thread: Any, opening: Any) -> str:
    """The opening post's first words; its title when the post is gone or hidden."""
    if opening is None or opening["deleted_at"] is not None or opening["hidden_at"] is not None:
        return str(thread["title"])
    return summary(opening["html"]) or str(thread["title"])


async def thread_page(request: Request) -> Response:
    forum = forum_of(request)
    thread = await thread_reads.thread(forum, request.path_params["thread_id"])
    if thread is None:
        raise HTTPException(404, "There is no thread at this address.")
    after = request.query_params.get("after")
    at = request.query_params.get("at")
    if after and not posts.PATH_PATTERN.fullmatch(after):
        raise HTTPException(400, "That page link is not one this forum gave out.")
    if at:
        target = await posts.by_id(forum.db, id_field(at, "at", "a post id"))
        if target is None or target["thread_id"] != thread["id"]:
            raise HTTPException(404, "That post is not in this thread.")
        after = target["path"] if target["depth"] else None
    # ?at= starts the page at the post itself; ?after= just past the previous page's last post.
    # Read through thread_reads, which say what they show: a visitor's copy of the page is
    # dropped when any of it changes (forum/web/invalidation.py).
    rows, next_cursor = await thread_reads.page(forum, thread["id"], after, POSTS_PER_PAGE,
                                                inclusive=bool(at))
    thread_tags = await thread_reads.thread_tags(forum, thread["id"])
    member = await member_of(request)
    new_after = first_new = None
    my_reactions: dict[int, set[str]] = {}
    if member and any(row["reactions"] for row in rows):  # a thread nobody reacted in asks nothing
        my_reactions = await reactions.mine(forum.db, member.id, [row["id"] for row in rows])
    if member:
        new_after, first_new = await reads.read_mark(forum.db, member.id, thread["id"])
    # An event's thread carries the event box (date, place, seats, the Register button).
    event = await events.by_thread(forum.db, thread["id"]) if thread["event_starts_at"] else None
    opening = rows[0] if rows and rows[0]["depth"] == 0 else await posts.opening_post(forum.db, thread["id"])
    # A newcomer just introduced: tell them what happens next, not invite them to answer themselves.
    own_waiting_introduction = bool(member and thread["is_introduction"] and not thread["reply_count"]
                                    and thread["author_id"] == member.id)
    response = await render(request, "threads/thread.html", {
        "page_description": _description(thread, opening),
        **await panel_context(request, event), "back": thread_url(thread),
        "thread": thread, "posts": rows, "next_cursor": next_cursor, "first_page": not after,
        "channels": await thread_reads.channels(forum, thread["id"]),
        "tags": thread_tags,
        "library_item": await thread_reads.library_item(forum, thread["id"]) if not after else None,
        "errors": {}, "form": {},
        "new_after": new_after, "first_new": first_new, "my_reactions": my_reactions,
        "own_waiting_introduction": own_waiting_introduction,
        "greeters_told": own_waiting_introduction and await users.has_greeters(forum.db),
    })
    last_shown = max((r["id"] for r in rows), default=None)
    # Reading clears what was shown; the marks above were taken before. Re-reading a page
    # already read writes nothing (a write would take SQLite's one write lock).
    if member and last_shown is not None and (new_after is None or last_shown > new_after):
        await reads.mark_read(forum.db, member.id, thread["id"], last_shown)
    return response


async def reply(request: Request) -> Response:
    forum = forum_of(request)
    thread = await _thread_or_404(request)
    member = await member_of(request)
    if member is None:
        return RedirectResponse(f"/login?next={thread_url(thread)}", status_code=303)
    parent_id = request.query_params.get("to")
    if parent_id:
        id_field(parent_id, "to", "a post id")
    limited: RateLimited | None = None
    form_values = {"body": "", "parent_id": parent_id or ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form, posted = await read_composer_form(request)
        form_values = {"body": str(form.get("body", "")), "parent_id": str(form.get("parent_id", "")),
                       "alt": str(form.get("alt", ""))}
        try:
            form_values["body"] = await with_attachment(request, member, form_values["body"], posted,
                                                        form_values["alt"])
            post = await post_actions.reply(forum, member, thread["id"], form_values["body"],
                                            form_values["parent_id"] or None, thread=thread)
            return RedirectResponse(post_url(thread, post["id"]), status_code=303)
        except ValidationError as error:
            errors, status = error.fields, 400
        except UploadRefused as error:
            errors, status = {"file": str(error)}, 413 if isinstance(error, UploadTooLarge) else 400
        except PermissionDenied as error:
            errors, status = {"form": str(error)}, 403
        except RateLimited as error:
            limited = error
    parent = None
    if (shown_parent_id := parse_id(form_values["parent_id"])) is not None:
        parent = await posts.by_id(forum.db, shown_parent_id)
        if parent is not None and parent["thread_id"] != thread["id"]:
            parent = None
    context = {"thread": thread, "parent": parent, "form": form_values, "errors": errors}
    if limited:
        return await render_limited(request, "threads/reply.html", context, limited)
    return await render(request, "threads/reply.html", context, status_code=status)


async def _own_post(request: Request, verb: str) -> tuple[Any, Any, Any]:
    """(post, member, thread) when the member may change the post; 403 otherwise."""
    post = await _post_or_404(request)
    member = await member_of(request)
    if not can_edit_post(member, post):
        raise HTTPException(403, f"Only the author or a moderator can {verb} this post.")
    return post, member, await thread_or_404(request, post["thread_id"])


async def edit_post(request: Request) -> Response:
    forum = forum_of(request)
    post, member, thread = await _own_post(request, "edit")
    form_values, errors, status = {"body": post["body"]}, {}, 200
    if request.method == "POST":
        form, posted = await read_composer_form(request)
        form_values = {"body": str(form.get("body", "")), "alt": str(form.get("alt", ""))}
        try:
            form_values["body"] = await with_attachment(request, member, form_values["body"], posted,
                                                        form_values["alt"])
            await post_actions.edit(forum, member, post["id"], form_values["body"])
            return RedirectResponse(post_url(thread, post["id"]), status_code=303)
        except ValidationError as error:
            errors, status = error.fields, 400
        except UploadRefused as error:
            errors, status = {"file": str(error)}, 413 if isinstance(error, UploadTooLarge) else 400
        except PermissionDenied as error:
            errors, status = {"form": str(error)}, 403
        except RateLimited as error:
            return await render_limited(request, "threads/edit.html", {
                "thread": thread, "post": post, "form": form_values, "errors": errors}, error)
    return await render(request, "threads/edit.html", {
        "thread": thread, "post": post, "form": form_values, "errors": errors}, status_code=status)


async def delete_post(request: Request) -> Response:
    forum = forum_of(request)
    post, member, thread = await _own_post(request, "delete")
    if request.method == "POST":
        await read_form(request)
        await post_actions.delete(forum, member, post["id"])
        return RedirectResponse(post_url(thread, post["id"]), status_code=303)
    return await render(request, "threads/delete.html", {"thread": thread, "post": post})


async def react(request: Request) -> Response:
    """One click of a reaction button sets the reaction, or takes it back if it was there.
    GET shows all six, for a reaction nobody has given the post yet."""
    forum = forum_of(request)
    post = await _post_or_404(request)
    thread = await thread_or_404(request, post["thread_id"])
    form = await read_form(request) if request.method == "POST" else None
    member = await member_of(request)
    if member is None:
        return RedirectResponse(f"/login?next=/p/{post['id']}/react", status_code=303)
    if form is None:
        mine = await reactions.mine(forum.db, member.id, [post["id"]])
        return await render(request, "threads/react.html", {
            "post": post, "thread": thread, "back": post_url(thread, post["id"]),
            "mine": mine.get(post["id"], set())})
    await reaction_actions.react(forum, member, post["id"], form.get("emoji"), None)
    return RedirectResponse(post_url(thread, post["id"]), status_code=303)


MOD_FLAGS = {"pin": ("pinned", True), "unpin": ("pinned", False),
             "lock": ("locked", True), "unlock": ("locked", False)}


async def moderate(request: Request) -> Response:
    forum = forum_of(request)
    thread = await _thread_or_404(request)
    if request.path_params["action"] not in MOD_FLAGS:
        raise HTTPException(404, "There is nothing at this address.")
    await read_form(request)
    flag, value = MOD_FLAGS[request.path_params["action"]]
    try:
        await thread_actions.set_flag(forum, await member_of(request), thread["id"], flag, value)
    except PermissionDenied as error:
        raise HTTPException(403, str(error)) from None
    return RedirectResponse(thread_url(thread), status_code=303)


async def move_thread(request: Request) -> Response:
    forum = forum_of(request)
    thread = await _thread_or_404(request)
    member = await member_of(request)
    if not (member and member.is_moderator):
        raise HTTPException(403, "Only moderators can move threads.")
    current = [c["slug"] for c in await threads.channels_of(forum.db, thread["id"])]
    form_values, errors, status = {"categories": current}, {}, 200
    if request.method == "POST":
        form = await read_form(request)
        form_values = {"categories": [str(v) for v in form.getlist("categories")]}
        try:
            await thread_actions.move(forum, member, thread["id"], form_values["categories"])
            return RedirectResponse(thread_url(thread), status_code=303)
        except ValidationError as error:
            errors, status = error.fields, 400
        except (PermissionDenied, NotFound) as error:
            raise HTTPException(403, str(error)) from None
    return await render(request, "threads/move.html", {
        "thread": thread, "form": form_values, "errors": errors,
        "all_channels": await channels.all_channels(forum.db)}, status_code=status)


routes = [
    Route("/t/{thread_id:id}", thread_page, name="thread"),
    Route("/t/{thread_id:id}/reply", reply, methods=["GET", "POST"], name="reply"),
    Route("/t/{thread_id:id}/move", move_thread, methods=["GET", "POST"], name="move_thread"),
    Route("/t/{thread_id:id}/{action:str}", moderate, methods=["POST"], name="moderate_thread"),
    Route("/t/{thread_id:id}/{slug:str}", thread_page, name="thread_slug"),
    Route("/p/{post_id:id}/edit", edit_post, methods=["GET", "POST"], name="edit_post"),
    Route("/p/{post_id:id}/delete", delete_post, methods=["GET", "POST"], name="delete_post"),
    Route("/p/{post_id:id}/react", react, methods=["GET", "POST"], name="react"),
]
