"""Queries on threads and their place in channels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from forum.clock import as_utc, isoformat
from forum.db import cursors
from forum.db.engine import Database
from forum.db.raw import PageRow, RawSelect
from forum.db.tables import channels, events, library_items, thread_channels, thread_tags, threads, users

LISTING_COLUMNS = [
    threads.c.id, threads.c.title, threads.c.slug, threads.c.created_at, threads.c.reply_count,
    threads.c.pinned, threads.c.locked, threads.c.last_activity_at, threads.c.author_id,
    threads.c.is_introduction,
    users.c.username.label("author_username"), users.c.display_name.label("author_display_name"),
    # When the thread is an event: its start, shown on the channel row and the thread page.
    sa.select(events.c.starts_at).where(events.c.thread_id == threads.c.id)
    .scalar_subquery().label("event_starts_at"),
    sa.select(events.c.cancelled_at).where(events.c.thread_id == threads.c.id)
    .scalar_subquery().label("event_cancelled_at"),
]


async def insert(db: Database, *, title: str, slug: str, author_id: int, now: datetime,
                 is_introduction: bool = False) -> int:
    return await db.execute(threads.insert().values(
        title=title, slug=slug, author_id=author_id, created_at=now, last_activity_at=now,
        is_introduction=is_introduction))


async def waiting_introductions(db: Database, limit: int = 10) -> list[Any]:
    """Newcomers' introductions nobody has answered yet, oldest first: greet these."""
    query = (sa.select(*LISTING_COLUMNS).join(users, users.c.id == threads.c.author_id)
             .where(threads.c.is_introduction.is_(True), threads.c.reply_count == 0)
             .order_by(threads.c.id).limit(limit))
    return await db.fetch_all(query)


async def add_to_channels(db: Database, thread_id: int, channel_ids: list[int], now: datetime,
                          pinned: bool = False) -> None:
    await db.execute_many(thread_channels.insert(), [
        {"thread_id": thread_id, "channel_id": cid, "pinned": pinned, "last_activity_at": now}
        for cid in channel_ids])
    await db.execute(channels.update().where(channels.c.id.in_(channel_ids)).values(
        thread_count=channels.c.thread_count + 1, last_activity_at=now))


async def remove_from_channels(db: Database, thread_id: int, channel_ids: list[int]) -> None:
    await db.execute(thread_channels.delete().where(
        thread_channels.c.thread_id == thread_id, thread_channels.c.channel_id.in_(channel_ids)))
    await db.execute(channels.update().where(channels.c.id.in_(channel_ids)).values(
        thread_count=channels.c.thread_count - 1))


def by_id_query(thread_id: int) -> sa.Select:
    """The Core statement BY_ID stands for (the tests compare the two)."""
    return (sa.select(*LISTING_COLUMNS).join(users, users.c.id == threads.c.author_id)
            .where(threads.c.id == thread_id))


# Read on every thread page, reply and live subscription: plain SQL, in LISTING_COLUMNS' order.
BY_ID = RawSelect("""
SELECT threads.id, threads.title, threads.slug, threads.created_at, threads.reply_count,
       threads.pinned, threads.locked, threads.last_activity_at, threads.author_id,
       threads.is_introduction, users.username, users.display_name,
       (SELECT events.starts_at FROM events WHERE events.thread_id = threads.id),
       (SELECT events.cancelled_at FROM events WHERE events.thread_id = threads.id)
FROM threads JOIN users ON users.id = threads.author_id
WHERE threads.id = ?""", LISTING_COLUMNS)


async def by_id(db: Database, thread_id: int) -> PageRow | None:
    return await BY_ID.fetch_one(db, thread_id)


async def existing(db: Database, thread_id: int) -> PageRow:
    """The thread whose id the caller took from a row it just read or wrote (inside the same
    transaction): its absence is a bug, not a visitor's mistake."""
    thread = await BY_ID.fetch_one(db, thread_id)
    if thread is None:
        raise LookupError(f"thread {thread_id} is gone")
    return thread


async def channels_of(db: Database, thread_id: int) -> list[Any]:
    query = (sa.select(channels).join(thread_channels, thread_channels.c.channel_id == channels.c.id)
             .where(thread_channels.c.thread_id == thread_id).order_by(channels.c.position))
    return await db.fetch_all(query)


async def record_reply(db: Database, thread_id: int, author_id: int, now: datetime) -> int:
    """A reply bumps the thread in every channel it sits in and counts toward its author's
    posts; counters move in the same transaction. Returns the thread's new reply count.

    Every reply to the thread, in its channels or by its author needs these rows, and each
    stays locked until commit; so PostgreSQL updates them all in one round trip."""
    bump_thread = threads.update().where(threads.c.id == thread_id).values(
        reply_count=threads.c.reply_count + 1, last_activity_at=now).returning(threads.c.reply_count)
    bump_placings = (thread_channels.update().where(thread_channels.c.thread_id == thread_id)
                     .values(last_activity_at=now))
    bump_tags = thread_tags.update().where(thread_tags.c.thread_id == thread_id).values(last_activity_at=now)
    # A library item's copy, for its "most discussed" index (no row for other threads).
    bump_item = library_items.update().where(library_items.c.thread_id == thread_id).values(
        reply_count=library_items.c.reply_count + 1)
    count_author = users.update().where(users.c.id == author_id).values(
        post_count=users.c.post_count + 1, last_active_at=now)
    if db.is_sqlite:  # one writer at a time: there is no lock to shorten
        channel_ids = sa.select(thread_channels.c.channel_id).where(thread_channels.c.thread_id == thread_id)
        await db.execute(count_author)
        reply_count = await db.fetch_val(bump_thread)
        await db.execute(bump_placings)
        await db.execute(bump_tags)
        await db.execute(bump_item)
        await db.execute(channels.update().where(channels.c.id.in_(channel_ids)).values(last_activity_at=now))
        return int(reply_count)
    # Data-modifying WITH clauses run to completion whether or not anything reads them.
    placed = bump_placings.returning(thread_channels.c.channel_id).cte("placed")
    bump_channels = channels.update().where(channels.c.id.in_(sa.select(placed.c.channel_id))).values(
        last_activity_at=now).cte("bumped_channels")
    statement = bump_thread.add_cte(count_author.cte("counted_author"), placed, bump_channels,
                                    bump_tags.cte("bumped_tags"), bump_item.cte("bumped_item"))
    return int(await db.fetch_val(statement))


async def record_reply_removed(db: Database, thread_id: int) -> None:
    await db.execute(threads.update().where(threads.c.id == thread_id).values(
        reply_count=threads.c.reply_count - 1))
    await db.execute(library_items.update().where(library_items.c.thread_id == thread_id).values(
        reply_count=library_items.c.reply_count - 1))


async def set_flags(db: Database, thread_id: int, **flags: bool) -> None:
    await db.execute(threads.update().where(threads.c.id == thread_id).values(**flags))
    if "pinned" in flags:
        await db.execute(thread_channels.update().where(thread_channels.c.thread_id == thread_id)
                         .values(pinned=flags["pinned"]))


def listing_cursor(row: Any) -> str:
    return cursors.encode(bool(row["pinned"]), isoformat(row["last_activity_at"]), row["id"])


async def in_channel(db: Database, channel_id: int, cursor: str | None,
                     limit: int) -> tuple[list[Any], str | None]:
    """A channel's threads, pinned first, then by latest activity; one page after `cursor`."""
    tc = thread_channels
    query = (sa.select(*LISTING_COLUMNS)
             .select_from(tc.join(threads, threads.c.id == tc.c.thread_id)
                          .join(users, users.c.id == threads.c.author_id))
             .where(tc.c.channel_id == channel_id)
             .order_by(tc.c.pinned.desc(), tc.c.last_activity_at.desc(), tc.c.thread_id.desc())
             .limit(limit + 1))
    if cursor:
        pinned, last_iso, thread_id = cursors.decode(cursor, 3)
        try:
            last = as_utc(datetime.fromisoformat(str(last_iso).replace("Z", "+00:00")))
            pinned, thread_id = bool(pinned), cursors.id_in(thread_id)
        except (TypeError, ValueError) as error:
            raise cursors.BadCursor("cursor is not one this forum gave out") from error
        # Every sort key descends, so "after the cursor" is one row-value comparison: both
        # engines turn it into a range of ix_thread_channels_listing, however deep the page
        # (spelt as OR-ed conditions, SQLite scanned from the channel's first row).
        after = sa.tuple_(sa.literal(pinned, sa.Boolean), sa.literal(last, tc.c.last_activity_at.type),
                          sa.literal(thread_id))
        query = query.where(sa.tuple_(tc.c.pinned, tc.c.last_activity_at, tc.c.thread_id) < after)
    rows = await db.fetch_all(query)
    next_cursor = listing_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def _first_channel(column: Any) -> Any:
    """The thread's first channel (in the channels' own order): the one a feed row names."""
    return (sa.select(column).join(thread_channels, thread_channels.c.channel_id == channels.c.id)
            .where(thread_channels.c.thread_id == threads.c.id)
            .order_by(channels.c.position, channels.c.id).limit(1).scalar_subquery())


def latest_query(limit: int) -> Any:
    """The most recently active threads across every channel, newest first: one walk down
    ix_threads_last_activity_at, stopping after `limit` rows."""
    return (sa.select(*LISTING_COLUMNS, _first_channel(channels.c.name).label("channel_name"),
                      _first_channel(channels.c.slug).label("channel_slug"))
            .select_from(threads.join(users, users.c.id == threads.c.author_id))
            .order_by(threads.c.last_activity_at.desc()).limit(limit))


async def latest(db: Database, limit: int = 10) -> list[Any]:
    return await db.fetch_all(latest_query(limit))


async def retitle(db: Database, thread_id: int, title: str, slug: str) -> None:
    await db.execute(threads.update().where(threads.c.id == thread_id).values(title=title, slug=slug))
