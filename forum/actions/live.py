"""Fragments for live events, rendered from the same partials as the pages, so a reply
inserted live looks exactly like one loaded with the page. Rendered viewer-neutral: the
script reveals the controls that belong to the reader.

Every logged event that carries what a member wrote names its subject ('post:12', 'thread:3',
'user:7') and the member whose name it shows. When that changes (an edit, a deletion, a hiding,
a new title or display name) the events already logged are restated as it now stands, in the
same transaction: a page resuming from an old id replays nothing that was taken down."""

from __future__ import annotations

from typing import Any

from forum.actions.library_live import item_changed
from forum.actions.notify import user_channel
from forum.db import live_log, posts, threads, users
from forum.services import Forum


def post_subject(post_id: int) -> str:
    return f"post:{post_id}"


def thread_subject(thread_id: int) -> str:
    return f"thread:{thread_id}"


def user_subject(user_id: int) -> str:
    return f"user:{user_id}"


def channel_row_html(forum: Forum, thread: Any, channel_names: list[str]) -> str:
    return forum.templates.render_fragment(
        "channels/_thread_row.html", thread=thread, channel_names=channel_names)


def post_html(forum: Forum, post: Any, thread: Any) -> str:
    return forum.templates.render_fragment(
        "threads/_post.html", post=post, thread=thread, viewer=None, live=True)


async def post_changed(forum: Forum, event_type: str, post_id: int) -> None:
    """Log that a post changed (edited, deleted, hidden, restored), and restate every earlier
    event about it: they all carry the post as it now stands. Inside the change's transaction."""
    post = await posts.by_id(forum.db, post_id)
    thread = await threads.existing(forum.db, post["thread_id"])
    html = post_html(forum, post, thread)
    await live_log.restate(forum.db, post_subject(post_id), {"html": html})
    await live_log.append(forum.db, f"thread:{post['thread_id']}", event_type, {
        "thread_id": post["thread_id"], "post_id": post_id, "html": html},
        subject=post_subject(post_id), author_id=post["author_id"])
    if post["parent_id"] is None:  # a library item's description is its opening post
        await item_changed(forum, post["thread_id"])


async def restate_thread(forum: Forum, thread_id: int) -> None:
    """Every logged event showing this thread's row (its title, its starter's name) shows it as
    it now stands."""
    thread = await threads.existing(forum.db, thread_id)
    names = [c["name"] for c in await threads.channels_of(forum.db, thread_id)]
    await live_log.restate(forum.db, thread_subject(thread_id), {
        "title": thread["title"], "html": channel_row_html(forum, thread, names)})


async def restate_member(forum: Forum, user_id: int) -> None:
    """A member's new display name reaches every logged event that shows their name, and is
    logged itself (on their own channel, about them), so every cached page showing the name
    is dropped, in every process."""
    member = await users.by_id(forum.db, user_id)
    await live_log.append(forum.db, user_channel(user_id), "member.renamed",
                           {"display_name": member["display_name"]},
                           subject=user_subject(user_id), author_id=user_id)
    for subject in await live_log.subjects_shown_with(forum.db, user_id):
        kind, _, number = subject.partition(":")
        if kind == "post":
            post = await posts.by_id(forum.db, int(number))
            thread = await threads.existing(forum.db, post["thread_id"])
            await live_log.restate(forum.db, subject, {"html": post_html(forum, post, thread)})
        elif kind == "thread":
            await restate_thread(forum, int(number))
        elif kind == "user":
            await live_log.restate(forum.db, subject, {"display_name": member["display_name"]})
