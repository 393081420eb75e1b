"""Reply, edit and delete posts."""

from __future__ import annotations

from typing import Any

from forum.actions import NotFound, PermissionDenied, notify, require_writer, take_posting_allowance, uploads
from forum.actions import library as library_actions
from forum.actions.library_live import item_changed
from forum.actions.live import channel_row_html, post_changed, post_html, post_subject, thread_subject
from forum.actions.tags import add_tags
from forum.auth import Member, can_edit_post
from forum.clock import isoformat, utcnow
from forum.db import library, live_log, moderation, posts, search, threads, users
from forum.ids import id_field
from forum.services import Forum
from forum.text import render_markdown
from forum.validation import ValidationError, check_body


async def _reply_kind(forum: Forum, thread: Any, parent: Any, member: Member) -> str:
    """'welcome' for the first answer another member gives a newcomer's introduction (the one
    that records who welcomed them): told in its own words, not as any reply."""
    if thread["is_introduction"] and parent["author_id"] == thread["author_id"] != member.id:
        newcomer = await users.by_id(forum.db, thread["author_id"])
        if newcomer is not None and newcomer["welcomed_by"] is None:
            return "welcome"
    return "reply"


async def reply(forum: Forum, member: Member | None, thread_id: int, body: Any,
                parent_id: Any = None, *, thread: Any = None) -> Any:
    """Add a reply; returns the new post's row. `thread` is the thread's row, when the caller
    has read it already (a form route does, for its links)."""
    member = require_writer(member)
    if thread is None or thread["id"] != thread_id:
        thread = await threads.by_id(forum.db, thread_id)
    if thread is None:
        raise NotFound("No thread has that id.")
    if thread["locked"] and not member.is_moderator:
        raise PermissionDenied("This thread is locked: it takes no new replies.")
    clean_body = check_body(body)
    if parent_id in (None, ""):
        parent = await posts.opening_post(forum.db, thread_id)
    else:
        parent = await posts.by_id(forum.db, id_field(parent_id, "parent_id", "a post id"))
        if parent is None or parent["thread_id"] != thread_id:
            raise ValidationError({"parent_id": "That post is not in this thread."})
        if parent["deleted_at"] is not None:
            raise ValidationError({"parent_id": "That post was deleted; reply to another."})

    await take_posting_allowance(forum, member)
    now = utcnow()
    known = await notify.known_mentions(forum, clean_body)
    shown = await uploads.named_in(forum, clean_body)
    async with forum.db.transaction():
        await uploads.mark_used(forum, shown)
        hashtags: list[str] = []
        post_id = await posts.insert(forum.db, thread_id=thread_id, author_id=member.id,
                                     parent_row=parent, body=clean_body,
                                     html=render_markdown(clean_body, notify.mention_links(known), shown,
                                                          hashtags),
                                     now=now)
        tagged = await add_tags(forum, thread_id, hashtags, now)
        kind = await _reply_kind(forum, thread, parent, member)
        await notify.notify(forum, user_id=parent["author_id"], kind=kind, actor_id=member.id,
                            thread_id=thread_id, post_id=post_id)
        await notify.notify_mentions(forum, known, actor_id=member.id, thread_id=thread_id,
                                     post_id=post_id, skip={parent["author_id"]})
        await search.index_post(forum.db, post_id, "", clean_body, new=True)
        post = await posts.by_id(forum.db, post_id)
        in_channels = await threads.channels_of(forum.db, thread_id)
        # Rows every reply to this thread, or in its channels, or by this member must update
        # come last: each is locked until commit, so other replies wait only for the commit.
        # The row read above, brought up to date: the write lock is held, nothing else moved.
        thread = {**thread, "last_activity_at": now,
                  "reply_count": await threads.record_reply(forum.db, thread_id, member.id, now)}
        if thread["is_introduction"] and thread["author_id"] != member.id:
            await users.mark_welcomed(forum.db, thread["author_id"], member.id, now)
        if tagged:  # open /library pages show a library item's tags (and now its replies)
            await item_changed(forum, thread_id)
        await live_log.append(forum.db, f"thread:{thread_id}", "post.created", {
            "thread_id": thread_id, "post_id": post_id, "parent_id": parent["id"],
            "path": post["path"], "depth": post["depth"], "author": member.username,
            "html": post_html(forum, post, thread)}, subject=post_subject(post_id), author_id=member.id)
        row = channel_row_html(forum, thread, [c["name"] for c in in_channels])
        for channel in in_channels:
            await live_log.append(forum.db, f"category:{channel['slug']}", "post.created", {
                "thread_id": thread_id, "post_id": post_id, "reply_count": thread["reply_count"],
                "last_activity_at": isoformat(thread["last_activity_at"]), "html": row},
                subject=thread_subject(thread_id), author_id=thread["author_id"])
    return post


async def _editable(forum: Forum, member: Member | None, post_id: int) -> Any:
    post = await posts.by_id(forum.db, post_id)
    if post is None:
        raise NotFound("No such post.")
    member = require_writer(member)
    if post["deleted_at"] is not None:
        raise NotFound("That post was deleted.")
    if not can_edit_post(member, post):
        raise PermissionDenied("Only the author or a moderator can change this post.")
    return post


async def edit(forum: Forum, member: Member | None, post_id: int, body: Any) -> None:
    member = require_writer(member)
    post = await _editable(forum, member, post_id)
    clean_body = check_body(body)
    if clean_body == post["body"]:
        return
    known = await notify.known_mentions(forum, clean_body)
    shown = await uploads.named_in(forum, clean_body)
    async with forum.db.transaction():
        await uploads.mark_used(forum, shown)
        await moderation.add_revision(forum.db, post_id, post["body"], member.id)
        hashtags: list[str] = []
        await posts.update_body(forum.db, post_id, clean_body,
                                render_markdown(clean_body, notify.mention_links(known), shown, hashtags),
                                utcnow())
        thread_row = await threads.existing(forum.db, post["thread_id"])
        tagged = await add_tags(forum, post["thread_id"], hashtags, thread_row["last_activity_at"])
        if member.id != post["author_id"]:
            await moderation.record(forum.db, member.id, "edit_post", thread_id=post["thread_id"],
                                    post_id=post_id)
            await notify.notify(forum, user_id=post["author_id"], kind="moderation", actor_id=member.id,
                                thread_id=post["thread_id"], post_id=post_id, note="edited your post")
        if post["depth"] == 0:
            thread = await threads.existing(forum.db, post["thread_id"])
            # A library item is found by its fields too, not only its description.
            item = await library.by_thread(forum.db, post["thread_id"])
            extra = "\n" + library_actions.searchable_text(item) if item else ""
            await search.index_post(forum.db, post_id, thread["title"], clean_body + extra)
        else:
            await search.index_post(forum.db, post_id, "", clean_body)
            if tagged:  # the opening post's edit restates the item anyway (post_changed)
                await item_changed(forum, post["thread_id"])
        await post_changed(forum, "post.edited", post_id)


async def delete(forum: Forum, member: Member | None, post_id: int) -> None:
    """Leaves a placeholder, so replies keep their place in the tree."""
    post = await _editable(forum, member, post_id)
    async with forum.db.transaction():
        await posts.mark_deleted(forum.db, post_id, utcnow())
        if member and member.id != post["author_id"]:
            await moderation.record(forum.db, member.id, "delete_post", thread_id=post["thread_id"],
                                    post_id=post_id)
            await notify.notify(forum, user_id=post["author_id"], kind="moderation", actor_id=member.id,
                                thread_id=post["thread_id"], note="deleted your post")
        await search.unindex_post(forum.db, post_id)
        await users.record_post(forum.db, post["author_id"], utcnow(), change=-1)
        if post["depth"] > 0:
            await threads.record_reply_removed(forum.db, post["thread_id"])
        await post_changed(forum, "post.deleted", post_id)
