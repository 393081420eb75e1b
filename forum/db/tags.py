"""Queries on tags and the threads that carry them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from forum.clock import as_utc, isoformat
from forum.db import cursors
from forum.db.engine import Database
from forum.db.raw import PageRow, RawSelect
from forum.db.tables import library_items, tags, thread_tags, threads, users
from forum.db.threads import LISTING_COLUMNS


async def by_key(db: Database, key: str) -> Any:
    """The tag with this key, or the tag it was renamed or merged into."""
    row = await db.fetch_one(sa.select(tags).where(tags.c.key == key))
    if row is not None and row["merged_into"] is not None:
        row = await db.fetch_one(sa.select(tags).where(tags.c.id == row["merged_into"]))
    return row


async def ensure(db: Database, names: list[str], keys: list[str], now: datetime) -> list[Any]:
    """The tags with these keys, made (named as given) where new. Inside a transaction."""
    insert = (sqlite.insert if db.is_sqlite else postgresql.insert)(tags)
    found = []
    for name, key in zip(names, keys, strict=True):
        # Two members may start the same new tag at once: the second finds the first's row.
        await db.execute(insert.values(name=name, key=key, created_at=now)
                         .on_conflict_do_nothing(index_elements=["key"]))
        found.append(await by_key(db, key))
    return list({row["id"]: row for row in found}.values())


def of_thread_query(thread_id: int) -> sa.Select:
    """The Core statement OF_THREAD stands for (the tests compare the two)."""
    return (sa.select(tags.c.id, tags.c.name, tags.c.key)
            .join(thread_tags, thread_tags.c.tag_id == tags.c.id)
            .where(thread_tags.c.thread_id == thread_id).order_by(tags.c.key))


# On every thread page and thread JSON: plain SQL.
OF_THREAD = RawSelect("""
SELECT tags.id, tags.name, tags."key"
FROM tags JOIN thread_tags ON thread_tags.tag_id = tags.id
WHERE thread_tags.thread_id = ?
ORDER BY tags."key"
""", [tags.c.id, tags.c.name, tags.c.key])


async def of_thread(db: Database, thread_id: int) -> list[PageRow]:
    return await OF_THREAD.fetch_all(db, thread_id)


async def of_threads(db: Database, thread_ids: list[int]) -> dict[int, list[Any]]:
    """Each listed thread's tags, for listings: one query for the page."""
    found: dict[int, list[Any]] = {}
    if not thread_ids:
        return found
    query = (sa.select(thread_tags.c.thread_id, tags.c.name, tags.c.key)
             .join(thread_tags, thread_tags.c.tag_id == tags.c.id)
             .where(thread_tags.c.thread_id.in_(thread_ids)).order_by(tags.c.key))
    for row in await db.fetch_all(query):
        found.setdefault(row["thread_id"], []).append(row)
    return found


async def attach(db: Database, thread_id: int, tag_ids: list[int], last_activity_at: datetime,
                 limit: int) -> bool:
    """Add these tags to the thread, those it lacks, while it carries fewer than `limit`;
    whether it carries any new one."""
    have = {row["id"] for row in await of_thread(db, thread_id)}
    new = [t for t in tag_ids if t not in have][:max(0, limit - len(have))]
    if not new:
        return False
    item_id = await db.fetch_val(sa.select(library_items.c.id).where(library_items.c.thread_id == thread_id))
    await db.execute_many(thread_tags.insert(), [
        {"tag_id": t, "thread_id": thread_id, "last_activity_at": last_activity_at,
         "library_item_id": item_id} for t in new])
    await db.execute(tags.update().where(tags.c.id.in_(new)).values(thread_count=tags.c.thread_count + 1))
    return True


async def detach(db: Database, thread_id: int, tag_ids: list[int]) -> None:
    if not tag_ids:
        return
    await db.execute(thread_tags.delete().where(thread_tags.c.thread_id == thread_id,
                                                thread_tags.c.tag_id.in_(tag_ids)))
    await db.execute(tags.update().where(tags.c.id.in_(tag_ids)).values(thread_count=tags.c.thread_count - 1))


def listing_cursor(row: Any) -> str:
    return cursors.encode(isoformat(row["last_activity_at"]), row["id"])


async def threads_tagged(db: Database, tag_id: int, cursor: str | None,
                         limit: int) -> tuple[list[Any], str | None]:
    """A tag's threads, by latest activity; one page after `cursor` (keyset, as channels)."""
    tt = thread_tags
    query = (sa.select(*LISTING_COLUMNS)
             .select_from(tt.join(threads, threads.c.id == tt.c.thread_id)
                          .join(users, users.c.id == threads.c.author_id))
             .where(tt.c.tag_id == tag_id)
             .order_by(tt.c.last_activity_at.desc(), tt.c.thread_id.desc())
             .limit(limit + 1))
    if cursor:
        last_iso, thread_id = cursors.decode(cursor, 2)
        try:
            last = as_utc(datetime.fromisoformat(str(last_iso).replace("Z", "+00:00")))
            thread_id = cursors.id_in(thread_id)
        except (TypeError, ValueError) as error:
            raise cursors.BadCursor("cursor is not one this forum gave out") from error
        after = sa.tuple_(sa.literal(last, tt.c.last_activity_at.type), sa.literal(thread_id))
        query = query.where(sa.tuple_(tt.c.last_activity_at, tt.c.thread_id) < after)
    rows = await db.fetch_all(query)
    next_cursor = listing_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def suggest(db: Database, key_prefix: str, limit: int = 10) -> list[Any]:
    """Tags whose key starts so, most used first (aliases left out)."""
    query = (sa.select(tags.c.name, tags.c.key, tags.c.thread_count)
             .where(tags.c.merged_into.is_(None), tags.c.thread_count > 0,
                    tags.c.key.like(_like_prefix(key_prefix), escape="\\"))
             .order_by(tags.c.thread_count.desc(), tags.c.key).limit(limit))
    return await db.fetch_all(query)


async def rename(db: Database, tag_id: int, name: str, key: str, now: datetime) -> None:
    """New name and key; the old key stays as an alias, so its links still lead here."""
    old = await db.fetch_one(sa.select(tags).where(tags.c.id == tag_id))
    # Renamed back to a name it once had: that alias gives its key back.
    await db.execute(tags.delete().where(tags.c.key == key, tags.c.merged_into == tag_id))
    await db.execute(tags.update().where(tags.c.id == tag_id).values(name=name, key=key))
    if old["key"] != key:
        await db.execute(tags.insert().values(name=old["name"], key=old["key"], created_at=now,
                                              merged_into=tag_id))


async def merge(db: Database, source_id: int, target_id: int) -> None:
    """Every thread of `source` carries `target` instead; `source` becomes its alias."""
    moving = sa.select(thread_tags.c.thread_id, thread_tags.c.last_activity_at,
                       thread_tags.c.library_item_id).where(
        thread_tags.c.tag_id == source_id, thread_tags.c.thread_id.not_in(
            sa.select(thread_tags.c.thread_id).where(thread_tags.c.tag_id == target_id)))
    for row in await db.fetch_all(moving):
        await db.execute(thread_tags.insert().values(tag_id=target_id, thread_id=row["thread_id"],
                                                     last_activity_at=row["last_activity_at"],
                                                     library_item_id=row["library_item_id"]))
    await db.execute(thread_tags.delete().where(thread_tags.c.tag_id == source_id))
    count = sa.select(sa.func.count()).where(thread_tags.c.tag_id == target_id).scalar_subquery()
    await db.execute(tags.update().where(tags.c.id == target_id).values(thread_count=count))
    await db.execute(tags.update().where(sa.or_(tags.c.id == source_id, tags.c.merged_into == source_id))
                     .values(merged_into=target_id, thread_count=0))
