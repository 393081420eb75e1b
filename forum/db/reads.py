"""Unread: how far each member has read each thread, and what is new to them."""

from __future__ import annotations

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.raw import RawSelect
from forum.db.tables import posts, thread_channels, thread_reads, threads

# The home page counts new replies only in this many of the most recently active threads.
UNREAD_WINDOW = 500


# On every member's thread page: plain SQL.
LAST_READ = RawSelect("""
SELECT thread_reads.last_read_post_id FROM thread_reads
WHERE thread_reads.user_id = ? AND thread_reads.thread_id = ?""", [thread_reads.c.last_read_post_id])


async def last_read(db: Database, user_id: int, thread_id: int) -> int | None:
    last: int | None = await LAST_READ.fetch_value(db, user_id, thread_id)
    return last


async def mark_read(db: Database, user_id: int, thread_id: int, up_to_post_id: int) -> None:
    """Move the mark forward (never back): reading an old page does not unread newer posts."""
    async with db.transaction():
        current = await last_read(db, user_id, thread_id)
        if current is None:
            await db.execute(thread_reads.insert().values(
                user_id=user_id, thread_id=thread_id, last_read_post_id=up_to_post_id))
        elif up_to_post_id > current:
            await db.execute(thread_reads.update().where(
                thread_reads.c.user_id == user_id, thread_reads.c.thread_id == thread_id,
            ).values(last_read_post_id=up_to_post_id))


async def new_counts(db: Database, user_id: int, thread_ids: list[int]) -> dict[int, int]:
    """Replies by others since the member last read each thread (only threads they have read)."""
    if not thread_ids:
        return {}
    query = (sa.select(posts.c.thread_id, sa.func.count())
             .join(thread_reads, sa.and_(thread_reads.c.thread_id == posts.c.thread_id,
                                         thread_reads.c.user_id == user_id))
             .where(posts.c.thread_id.in_(thread_ids), posts.c.id > thread_reads.c.last_read_post_id,
                    posts.c.author_id != user_id, posts.c.deleted_at.is_(None))
             .group_by(posts.c.thread_id))
    return {row[0]: row[1] for row in await db.fetch_all(query)}


async def read_thread_ids(db: Database, user_id: int, thread_ids: list[int]) -> set[int]:
    if not thread_ids:
        return set()
    rows = await db.fetch_all(sa.select(thread_reads.c.thread_id).where(
        thread_reads.c.user_id == user_id, thread_reads.c.thread_id.in_(thread_ids)))
    return {row[0] for row in rows}


# The thread page asks both at once: one statement, not two.
READ_MARK_AND_FIRST_NEW = RawSelect("""
SELECT thread_reads.last_read_post_id,
       (SELECT posts.id FROM posts
        WHERE posts.thread_id = thread_reads.thread_id AND posts.id > thread_reads.last_read_post_id
          AND posts.author_id != thread_reads.user_id AND posts.deleted_at IS NULL
        ORDER BY posts.path
        LIMIT 1) AS first_new
FROM thread_reads
WHERE thread_reads.user_id = ? AND thread_reads.thread_id = ?""",
                                    [thread_reads.c.last_read_post_id, sa.column("first_new", sa.Integer)])


def first_new_query(user_id: int, thread_id: int, after_post_id: int) -> sa.Select:
    """The Core statement READ_MARK_AND_FIRST_NEW's first_new stands for (the tests compare)."""
    return (sa.select(posts.c.id)
            .where(posts.c.thread_id == thread_id, posts.c.id > after_post_id,
                   posts.c.author_id != user_id, posts.c.deleted_at.is_(None))
            .order_by(posts.c.path).limit(1))


async def read_mark(db: Database, user_id: int, thread_id: int) -> tuple[int | None, int | None]:
    """(the last post read, the first new reply by someone else after it in reading order,
    for "jump to first new reply"); (None, None) for a thread the member has not read."""
    row = await READ_MARK_AND_FIRST_NEW.fetch_one(db, user_id, thread_id)
    return (None, None) if row is None else (row["last_read_post_id"], row["first_new"])


async def new_by_channel(db: Database, user_id: int) -> dict[int, int]:
    """New replies per channel, in the threads the member has read, among the forum's
    UNREAD_WINDOW most recently active threads.

    Counting every read thread grew with the member's history (a long-standing reader of a
    million-post forum has read tens of thousands of threads); like Zulip, which caps the unread
    messages it counts, the work is bounded by recency instead. Trade-off: new replies in a
    thread that has since dropped out of the window are not counted here (they still show on
    the channel page and the thread itself), which is rare: a thread with new replies is recent."""
    recent = (sa.select(threads.c.id).order_by(threads.c.last_activity_at.desc())
              .limit(UNREAD_WINDOW).subquery("recent"))
    # The mark as a per-thread lookup, so the plan starts from the window: as a join, SQLite
    # (knowing no row counts) started from all of the member's marks instead.
    marks = (sa.select(recent.c.id.label("thread_id"), sa.select(thread_reads.c.last_read_post_id)
                       .where(thread_reads.c.user_id == user_id, thread_reads.c.thread_id == recent.c.id)
                       .scalar_subquery().label("mark"))
             .subquery("marks"))
    query = (sa.select(thread_channels.c.channel_id, sa.func.count())
             .select_from(marks
                          .join(posts, sa.and_(posts.c.thread_id == marks.c.thread_id,
                                               posts.c.id > marks.c.mark))
                          .join(thread_channels, thread_channels.c.thread_id == marks.c.thread_id))
             .where(marks.c.mark.is_not(None), posts.c.author_id != user_id, posts.c.deleted_at.is_(None))
             .group_by(thread_channels.c.channel_id))
    return {row[0]: row[1] for row in await db.fetch_all(query)}
