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
    return await db.execute(library_items.insert().values(**values))


_COLUMNS: list[Any] = [
    library_items, threads.c.title, threads.c.slug, threads.c.reply_count, threads.c.created_at,
    threads.c.last_activity_at, threads.c.author_id,
    users.c.username.label("author_username"), users.c.display_name.label("author_display_name"),
    uploads.c.key.label("upload_key"), uploads.c.original_name.label("upload_name"),
    uploads.c.content_type.label("upload_content_type"), uploads.c.size.label("upload_size"),
    # The opening post, for the item's summary: none once it is hidden or deleted.
    sa.select(posts.c.html).where(posts.c.thread_id == threads.c.id, posts.c.parent_id.is_(None),
                                  posts.c.hidden_at.is_(None), posts.c.deleted_at.is_(None))
    .limit(1).scalar_subquery().label("opening_html"),
]


def _select() -> Any:
    return (sa.select(*_COLUMNS)
            .select_from(library_items.join(threads, threads.c.id == library_items.c.thread_id)
                         .join(users, users.c.id == threads.c.author_id)
                         .outerjoin(uploads, uploads.c.id == library_items.c.upload_id)))


async def by_thread(db: Database, thread_id: int) -> Any:
    return await db.fetch_one(_select().where(library_items.c.thread_id == thread_id))


async def by_id(db: Database, item_id: int) -> Any:
    return await db.fetch_one(_select().where(library_items.c.id == item_id))


async def featured(db: Database, limit: int = 5) -> list[Any]:
    return await db.fetch_all(_select().where(library_items.c.featured.is_(True))
                              .order_by(library_items.c.id.desc()).limit(limit))


async def update(db: Database, item_id: int, **values: Any) -> None:
    await db.execute(library_items.update().where(library_items.c.id == item_id).values(**values))


async def set_featured(db: Database, item_id: int, value: bool) -> None:
    await db.execute(library_items.update().where(library_items.c.id == item_id).values(featured=value))


async def listing(db: Database, *, kind: str | None = None, tag_id: int | None = None,
                  channel: str | None = None, thread_ids: list[int] | None = None, sort: str = "newest",
                  cursor: str | None = None, limit: int = 20) -> tuple[list[Any], str | None]:
    """Items, newest first or most discussed first, one page after `cursor` (keyset)."""
    query = _select()
    if kind:
        query = query.where(library_items.c.kind == kind)
    if tag_id is not None:
        query = query.where(sa.exists().where(thread_tags.c.thread_id == library_items.c.thread_id,
                                              thread_tags.c.tag_id == tag_id))
    if channel:
        query = query.where(sa.exists().where(
            thread_channels.c.thread_id == library_items.c.thread_id,
            thread_channels.c.channel_id == channels.c.id, channels.c.slug == channel))
    if thread_ids is not None:
        query = query.where(library_items.c.thread_id.in_(thread_ids))
    item_id = library_items.c.id
    if sort == "discussed":
        query = query.order_by(threads.c.reply_count.desc(), item_id.desc())
        if cursor:
            replies, last_id = cursors.decode(cursor, 2)
            if type(replies) is not int or not 0 <= replies < 2**31:
                raise cursors.BadCursor("cursor is not one this forum gave out")
            query = query.where(sa.tuple_(threads.c.reply_count, item_id)
                                < sa.tuple_(sa.literal(replies), sa.literal(cursors.id_in(last_id))))
    else:
        query = query.order_by(item_id.desc())
        if cursor:
            [last_id] = cursors.decode(cursor, 1)
            query = query.where(item_id < cursors.id_in(last_id))
    rows = await db.fetch_all(query.limit(limit + 1))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = (cursors.encode(last["reply_count"], last["id"]) if sort == "discussed"
                       else cursors.encode(last["id"]))
    return rows[:limit], next_cursor
