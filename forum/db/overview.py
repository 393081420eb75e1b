"""The numbers on the administrators' page: who joined, how much was written, how big the
database has grown."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import posts, users
from forum.settings import sqlite_path


async def members_joined_since(db: Database, since: datetime) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(users)
                              .where(users.c.created_at >= since))


def _utc_day(db: Database, column: sa.ColumnElement) -> sa.ColumnElement:
    """The UTC calendar day of a timestamp, as 'YYYY-MM-DD' on both engines."""
    if db.is_sqlite:  # stored as UTC text: its date part is the UTC day
        return sa.func.date(column)
    # PostgreSQL's date of a timestamptz would follow the session's time zone: ask for UTC's.
    return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD")


async def posts_per_day(db: Database, first_day: date, last_day: date) -> list[tuple[date, int]]:
    """Posts written on each UTC day from first_day to last_day, days without any included,
    counting those still there (a deleted post is no longer part of the forum)."""
    day = _utc_day(db, posts.c.created_at).label("day")
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC)
    end = start + timedelta(days=(last_day - first_day).days + 1)
    rows = await db.fetch_all(
        sa.select(day, sa.func.count().label("count"))
        .where(posts.c.created_at >= start, posts.c.created_at < end, posts.c.deleted_at.is_(None))
        .group_by(day))
    counted = {str(row["day"]): row["count"] for row in rows}
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    return [(d, counted.get(d.isoformat(), 0)) for d in days]


async def database_bytes(db: Database) -> int:
    """The space the forum's data takes: on SQLite the file with its write-ahead log (which
    holds recent writes until a checkpoint), on PostgreSQL the whole database."""
    path = sqlite_path(db.url)
    if path is None:
        return await db.fetch_val(sa.select(sa.func.pg_database_size(sa.func.current_database())))
    return sum(_size(Path(f"{path}{suffix}")) for suffix in ("", "-wal"))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # no write-ahead log right after a checkpoint
        return 0
