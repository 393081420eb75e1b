"""Queries on library items: resources and case studies, each a thread with fields."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.db import cursors
from forum.db.engine import Database
from forum.db.tables import (
    channels,
    library_items,
    posts,
    thread_channels,
    thread_tags,
    threads,
    uploads,
    users,
)

SORTS = ("newest", "discussed")


async def insert(db: Database, **values: Any) -> int:
    """The item's row; its thread's tags (attached before it) learn its id."""
    item_id = await db.execute(library_items.insert().values(**values))
    await db.execute(thread_tags.update().where(thread_tags.c.thread_id == values["thread_id"])
                     .values(library_item_id=item_id))
    return item_id


_COLUMNS: list[Any] = [
    library_items, threads.c.title, threads.c.slug, threads.c.created_at,
    threads.c.last_activity_at, threads.c.author_id,
    users.c.username.label("author_username"), users.c.display_name.label("author_display_name"),
    uploads.c.key.label("upload_key"), uploads.c.original_name.label("upload_name"),
    uploads.c.content_type.label("upload_content_type"), uploads.c.size.label("upload_size"),
    # The opening post, for the item's summary: none once it is hidden or deleted.
    sa.select(posts.c.html).where(posts.c.thread_id == threads.c.id, posts.c.parent_id.is_(None),
                                  posts.c.hidden_at.is_(None), posts.c.deleted_at.is_(None))
    .limit(1).scalar_subquery().label("opening_html"),
]


def _select(tag_id: int | None = None) -> Any:
    items: Any = library_items
    if tag_id is not None:
        # Driven by the tag's entries in ix_thread_tags_library, newest item first: never a walk
        # over every item asking each whether it carries a tag few of them carry. "IS NOT NULL"
        # makes it a range: without it SQLite also walks the tag's threads that are no item.
        items = thread_tags.join(library_items, sa.and_(
            library_items.c.id == thread_tags.c.library_item_id, thread_tags.c.tag_id == tag_id,
            thread_tags.c.library_item_id.is_not(None)))
    return (sa.select(*_COLUMNS)
            .select_from(items.join(threads, threads.c.id == library_items.c.thread_id)
                         .join(users, users.c.id == threads.c.author_id)
                         .outerjoin(uploads, uploads.c.id == library_items.c.upload_id)))


async def by_thread(db: Database, thread_id: int) -> Any:
    return await db.fetch_one(_select().where(library_items.c.thread_id == thread_id))


async def by_id(db: Database, item_id: int) -> Any:
    return await db.fetch_one(_select().where(library_items.c.id == item_id))


async def featured(db: Database, limit: int = 5) -> list[Any]:
    return await db.fetch_all(featured_query(limit))


def featured_query(limit: int) -> Any:
    """Read down ix_library_items_featured, however few are featured."""
    return (_select().where(library_items.c.featured == sa.true())
            .order_by(library_items.c.id.desc()).limit(limit))


async def update(db: Database, item_id: int, **values: Any) -> None:
    await db.execute(library_items.update().where(library_items.c.id == item_id).values(**values))


async def set_featured(db: Database, item_id: int, value: bool) -> None:
    await db.execute(library_items.update().where(library_items.c.id == item_id).values(featured=value))


async def listing(db: Database, *, kind: str | None = None, tag_id: int | None = None,
                  channel: str | None = None, thread_ids: list[int] | None = None, sort: str = "newest",
                  cursor: str | None = None, limit: int = 20) -> tuple[list[Any], str | None]:
    """Items, newest first or most discussed first, one page after `cursor` (keyset)."""
    rows = await db.fetch_all(listing_query(kind=kind, tag_id=tag_id, channel=channel, thread_ids=thread_ids,
                                            sort=sort, cursor=cursor, limit=limit))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = (cursors.encode(last["reply_count"], last["id"]) if sort == "discussed"
                       else cursors.encode(last["id"]))
    return rows[:limit], next_cursor


def listing_query(*, kind: str | None = None, tag_id: int | None = None, channel: str | None = None,
                  thread_ids: list[int] | None = None, sort: str = "newest", cursor: str | None = None,
                  limit: int = 20) -> Any:
    """One page and one row more (to tell whether there is a next page)."""
    query = _select(tag_id)
    # Filtered by a tag, the same id is read from the tag's index entry, which the index orders.
    item_id = library_items.c.id if tag_id is None else thread_tags.c.library_item_id
    if kind:
        query = query.where(library_items.c.kind == kind)
    if channel:
        query = query.where(sa.exists().where(
            thread_channels.c.thread_id == library_items.c.thread_id,
            thread_channels.c.channel_id == channels.c.id, channels.c.slug == channel))
    if thread_ids is not None:
        query = query.where(library_items.c.thread_id.in_(thread_ids))
    if sort == "discussed":
        query = query.order_by(library_items.c.reply_count.desc(), item_id.desc())
        if cursor:
            replies, last_id = cursors.decode(cursor, 2)
            if type(replies) is not int or not 0 <= replies < 2**31:
                raise cursors.BadCursor("cursor is not one this forum gave out")
            query = query.where(sa.tuple_(library_items.c.reply_count, item_id)
                                < sa.tuple_(sa.literal(replies), sa.literal(cursors.id_in(last_id))))
    else:
        query = query.order_by(item_id.desc())
        if cursor:
            [last_id] = cursors.decode(cursor, 1)
            query = query.where(item_id < cursors.id_in(last_id))
    return query.limit(limit + 1)
