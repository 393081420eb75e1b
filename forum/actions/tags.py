"""Tag threads (chosen, or #tag in what people write); rename and merge tags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from forum.actions import NotFound, PermissionDenied, require_moderator, require_writer
from forum.actions.library_live import item_changed
from forum.actions.live import channel_row_html, thread_subject
from forum.auth import Member
from forum.clock import utcnow
from forum.db import live_log, moderation, tags, threads
from forum.services import Forum
from forum.tag_names import MAX_PER_THREAD, NAME_RULE, check_names, is_valid_name, tag_key
from forum.validation import ValidationError


def tag_channel(key: str) -> str:
    """The live channel an open tag page listens to."""
    return f"tag:{key}"


async def add_tags(forum: Forum, thread_id: int, names: list[str], last_activity_at: datetime) -> bool:
    """Inside the caller's transaction: the thread carries these tags too (up to the limit;
    a #tag past it still links to its page). Whether it carries any it lacked: a library
    item's row shows its tags (see library_live.item_changed)."""
    if not names:
        return False
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(tag_key(name), name)
    rows = await tags.ensure(forum.db, list(wanted.values()), list(wanted), utcnow())
    return await tags.attach(forum.db, thread_id, [r["id"] for r in rows], last_activity_at, MAX_PER_THREAD)


async def announce_new_thread(forum: Forum, thread_id: int, author_id: int) -> None:
    """Inside the thread's transaction: open pages of its tags list it at once."""
    carried = await tags.of_thread(forum.db, thread_id)
    if not carried:
        return
    thread = await threads.existing(forum.db, thread_id)
    names = [c["name"] for c in await threads.channels_of(forum.db, thread_id)]
    row_html = channel_row_html(forum, thread, names)
    for tag in carried:
        await live_log.append(forum.db, tag_channel(tag["key"]), "thread.created", {
            "thread_id": thread_id, "title": thread["title"], "html": row_html},
            subject=thread_subject(thread_id), author_id=author_id)


async def set_thread_tags(forum: Forum, member: Member | None, thread_id: int, value: Any) -> list[Any]:
    """The thread's starter or a moderator chooses exactly which tags it carries."""
    member = require_writer(member)
    thread = await threads.by_id(forum.db, thread_id)
    if thread is None:
        raise NotFound("No thread has that id.")
    if not member.owns_or_moderates(thread["author_id"]):
        raise PermissionDenied("Only the thread's starter or a moderator can change its tags.")
    names = check_names(value)
    keys = {tag_key(n) for n in names}
    async with forum.db.transaction():
        carried = await tags.of_thread(forum.db, thread_id)
        await tags.detach(forum.db, thread_id, [t["id"] for t in carried if t["key"] not in keys])
        await add_tags(forum, thread_id, names, thread["last_activity_at"])
        now_carried = await tags.of_thread(forum.db, thread_id)
        await live_log.append(forum.db, f"thread:{thread_id}", "thread.tagged", {
            "thread_id": thread_id, "tags": [t["name"] for t in now_carried]})
        await item_changed(forum, thread_id)
        return now_carried


async def _tag_or_404(forum: Forum, key: str) -> Any:
    tag = await tags.by_key(forum.db, tag_key(key)) if is_valid_name(key) else None
    if tag is None:
        raise NotFound("No such tag.")
    return tag


def _check_name(value: Any, field: str) -> str:
    name = value.strip().removeprefix("#") if isinstance(value, str) else ""
    if not is_valid_name(name):
        raise ValidationError({field: NAME_RULE})
    return name


async def rename(forum: Forum, member: Member | None, key: str, new_name: Any) -> str:
    """Moderators: a new name (or spelling) for a tag; returns its key. Links to the old name
    keep working."""
    member = require_moderator(member)
    tag = await _tag_or_404(forum, key)
    name = _check_name(new_name, "name")
    new_key = tag_key(name)
    existing = await tags.by_key(forum.db, new_key)
    if existing is not None and existing["id"] != tag["id"]:
        raise ValidationError({"name": f"#{existing['name']} already exists: merge into it instead."})
    async with forum.db.transaction():
        await tags.rename(forum.db, tag["id"], name, new_key, utcnow())
        await moderation.record(forum.db, member.id, "rename_tag", reason=f"#{tag['name']} to #{name}")
        # Pages of threads carrying it show its name (forum/web/invalidation.py).
        await live_log.append(forum.db, tag_channel(tag["key"]), "tag.renamed",
                               {"name": name, "key": new_key})
    return new_key


async def merge(forum: Forum, member: Member | None, key: str, into: Any) -> str:
    """Moderators: every thread of one tag carries another instead; returns the kept tag's key."""
    member = require_moderator(member)
    tag = await _tag_or_404(forum, key)
    target = await tags.by_key(forum.db, tag_key(_check_name(into, "into")))
    if target is None:
        raise ValidationError({"into": "There is no tag of that name to merge into."})
    if target["id"] == tag["id"]:
        raise ValidationError({"into": "A tag cannot be merged into itself."})
    async with forum.db.transaction():
        await tags.merge(forum.db, tag["id"], target["id"])
        await moderation.record(forum.db, member.id, "merge_tag",
                                reason=f"#{tag['name']} into #{target['name']}")
        await live_log.append(forum.db, tag_channel(tag["key"]), "tag.merged",
                               {"into": target["key"], "name": target["name"]})
    return str(target["key"])
