"""Start a thread; pin, lock and move it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from forum.actions import NotFound, notify, require_moderator, require_writer, take_posting_allowance, uploads
from forum.actions import follows as follow_actions
from forum.actions import tags as tag_actions
from forum.actions.library_live import item_changed
from forum.actions.live import channel_row_html, thread_subject
from forum.auth import Member
from forum.clock import utcnow
from forum.db import channels, live_log, moderation, posts, search, threads, users
from forum.services import Forum
from forum.tag_names import check_names
from forum.text import render_markdown, slugify
from forum.validation import FieldErrors, ValidationError, check_body, check_title

MODERATED_CHANNELS = {"announcements"}  # only moderators start threads here


async def _check_channels(forum: Forum, member: Member, slugs: Any) -> list[Any]:
    if isinstance(slugs, str):
        slugs = [slugs]
    if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs) or not slugs:
        raise ValidationError({"categories": "Choose at least one channel."})
    slugs = list(dict.fromkeys(slugs))
    # No upper limit on how many: match against the forum's few channels rather than bind
    # every submitted slug into one query.
    wanted = set(slugs)
    found = [c for c in await channels.all_channels(forum.db) if c["slug"] in wanted]
    unknown = set(slugs) - {c["slug"] for c in found}
    if unknown:
        raise ValidationError({"categories": f"No such channel: {', '.join(sorted(unknown))}."})
    if not member.is_moderator and any(c["slug"] in MODERATED_CHANNELS for c in found):
        raise ValidationError({"categories": "Only moderators start threads in Announcements."})
    return sorted(found, key=lambda c: c["position"])


async def check_thread(forum: Forum, member: Member, title: Any, body: Any, channel_slugs: Any,
                       tags: Any) -> tuple[str, str, list[Any], list[str]]:
    """Title, message, channels and tags, cleaned; every field's problem reported at once."""
    errors = FieldErrors()
    clean_title = errors.check("title", check_title, title)
    clean_body = errors.check("body", check_body, body)
    tag_names = errors.check("tags", check_names, tags) or []
    chosen = None
    try:
        chosen = await _check_channels(forum, member, channel_slugs)
    except ValidationError as error:
        errors.fields.update(error.fields)
    errors.raise_if_any()
    assert clean_title and clean_body and chosen
    return clean_title, clean_body, chosen, tag_names


async def create_thread(forum: Forum, member: Member | None, title: Any, body: Any,
                        channel_slugs: Any, *, introduction: bool = False, tags: Any = None,
                        with_thread: Callable[[int], Awaitable[Any]] | None = None) -> int:
    """`with_thread(thread_id)` runs inside the thread's transaction before its row is announced
    (an event's date goes in with it: the row shows it). `tags`: names chosen for it; every
    #tag in the message tags it too."""
    member = require_writer(member)
    clean_title, clean_body, chosen, tag_names = await check_thread(forum, member, title, body,
                                                                    channel_slugs, tags)
    await take_posting_allowance(forum, member)
    known = await notify.known_mentions(forum, clean_body)
    shown = await uploads.named_in(forum, clean_body)

    now = utcnow()
    async with forum.db.transaction():
        await uploads.mark_used(forum, shown)
        thread_id = await threads.insert(forum.db, title=clean_title, slug=slugify(clean_title),
                                         author_id=member.id, now=now, is_introduction=introduction)
        hashtags: list[str] = []
        post_id = await posts.insert(forum.db, thread_id=thread_id, author_id=member.id,
                                     parent_row=None, body=clean_body,
                                     html=render_markdown(clean_body, notify.mention_links(known), shown,
                                                          hashtags),
                                     now=now)
        await notify.notify_mentions(forum, known, actor_id=member.id, thread_id=thread_id,
                                     post_id=post_id)
        if introduction:
            for greeter in await users.greeters(forum.db):
                await notify.notify(forum, user_id=greeter["id"], kind="introduction",
                                    actor_id=member.id, thread_id=thread_id, post_id=post_id,
                                    note="introduced themselves")
        await search.index_post(forum.db, post_id, clean_title, clean_body, new=True)
        await users.record_post(forum.db, member.id, now)
        await threads.add_to_channels(forum.db, thread_id, [c["id"] for c in chosen], now)
        await tag_actions.add_tags(forum, thread_id, tag_names + hashtags, now)
        if with_thread is not None:
            await with_thread(thread_id)
        await tag_actions.announce_new_thread(forum, thread_id, member.id)
        await follow_actions.notify_followers(forum, thread_id, member.id, chosen)
        thread = await threads.existing(forum.db, thread_id)
        row_html = channel_row_html(forum, thread, [c["name"] for c in chosen])
        for channel in chosen:
            await live_log.append(forum.db, f"category:{channel['slug']}", "thread.created", {
                "thread_id": thread_id, "title": clean_title, "introduction": introduction,
                "channels": [c["slug"] for c in chosen], "html": row_html},
                subject=thread_subject(thread_id), author_id=member.id)
    return thread_id


async def _thread_or_404(forum: Forum, thread_id: int) -> Any:
    thread = await threads.by_id(forum.db, thread_id)
    if thread is None:
        raise NotFound("No such thread.")
    return thread


async def set_flag(forum: Forum, member: Member | None, thread_id: int, flag: str, value: bool) -> None:
    """Pin, unpin, lock or unlock: moderators only."""
    member = require_moderator(member)
    await _thread_or_404(forum, thread_id)
    event = {("pinned", True): "thread.pinned", ("pinned", False): "thread.unpinned",
             ("locked", True): "thread.locked", ("locked", False): "thread.unlocked"}[(flag, value)]
    async with forum.db.transaction():
        await threads.set_flags(forum.db, thread_id, **{flag: value})
        await moderation.record(forum.db, member.id, event.removeprefix("thread."), thread_id=thread_id)
        thread = await threads.existing(forum.db, thread_id)
        in_channels = await threads.channels_of(forum.db, thread_id)
        data = {"thread_id": thread_id, flag: value,
                "html": channel_row_html(forum, thread, [c["name"] for c in in_channels])}
        for name in [f"thread:{thread_id}"] + [f"category:{c['slug']}" for c in in_channels]:
            await live_log.append(forum.db, name, event, data, subject=thread_subject(thread_id),
                                   author_id=thread["author_id"])


async def move(forum: Forum, member: Member | None, thread_id: int, channel_slugs: Any) -> None:
    """Put a thread in exactly these channels: moderators only."""
    member = require_moderator(member)
    await _thread_or_404(forum, thread_id)
    target = await _check_channels(forum, member, channel_slugs)
    async with forum.db.transaction():
        before = await threads.channels_of(forum.db, thread_id)
        before_ids = {c["id"] for c in before}
        target_ids = {c["id"] for c in target}
        if removed := sorted(before_ids - target_ids):
            await threads.remove_from_channels(forum.db, thread_id, removed)
        if added := sorted(target_ids - before_ids):
            thread = await threads.existing(forum.db, thread_id)
            await threads.add_to_channels(forum.db, thread_id, added, thread["last_activity_at"],
                                          pinned=bool(thread["pinned"]))
        thread = await threads.existing(forum.db, thread_id)
        await moderation.record(forum.db, member.id, "moved", thread_id=thread_id,
                                reason="to " + ", ".join(c["name"] for c in target))
        data = {"thread_id": thread_id, "from": [c["slug"] for c in before],
                "to": [c["slug"] for c in target],
                "html": channel_row_html(forum, thread, [c["name"] for c in target])}
        names = {f"thread:{thread_id}"} | {f"category:{c['slug']}" for c in [*before, *target]}
        for name in sorted(names):
            await live_log.append(forum.db, name, "thread.moved", data, subject=thread_subject(thread_id),
                                   author_id=thread["author_id"])
        await item_changed(forum, thread_id)  # a library page filtered by channel

