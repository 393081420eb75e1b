"""Queries on events (network meetings, conferences): each is a thread with a date, a place and
seats, and the members registered for it or waiting on its reserve list."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import meeting_registrations, meetings, posts, threads, users

REGISTERED, RESERVE = "registered", "reserve"


def _count(status: str) -> Any:
    return (sa.select(sa.func.count()).select_from(meeting_registrations)
            .where(meeting_registrations.c.meeting_id == meetings.c.id,
                   meeting_registrations.c.status == status)
            .scalar_subquery())


COLUMNS = [
    meetings.c.id, meetings.c.thread_id, meetings.c.starts_at, meetings.c.ends_at,
    meetings.c.location, meetings.c.capacity, meetings.c.timezone, meetings.c.cancelled_at,
    meetings.c.cancel_note, threads.c.title, threads.c.slug,
    _count(REGISTERED).label("registered"), _count(RESERVE).label("reserve"),
]


def _select() -> Any:
    return sa.select(*COLUMNS).join(threads, threads.c.id == meetings.c.thread_id)


def seats_left(row: Any) -> int | None:
    """None when the event has no limit."""
    if row["capacity"] is None:
        return None
    return max(0, row["capacity"] - row["registered"])


async def insert(db: Database, *, thread_id: int, starts_at: datetime, ends_at: datetime,
                 location: str, capacity: int | None, timezone: str | None = None) -> int:
    return await db.execute(meetings.insert().values(
        thread_id=thread_id, starts_at=starts_at, ends_at=ends_at, location=location, capacity=capacity,
        timezone=timezone))


async def update(db: Database, meeting_id: int, **values: Any) -> None:
    await db.execute(meetings.update().where(meetings.c.id == meeting_id).values(**values))


async def by_id(db: Database, meeting_id: int) -> Any:
    return await db.fetch_one(_select().where(meetings.c.id == meeting_id))


async def by_thread(db: Database, thread_id: int) -> Any:
    return await db.fetch_one(_select().where(meetings.c.thread_id == thread_id))


async def lock(db: Database, meeting_id: int) -> Any:
    """The event row, locked until the transaction ends (PostgreSQL), so registrations for one
    event queue up behind each other; SQLite's BEGIN IMMEDIATE already admits one writer."""
    return await db.fetch_one(sa.select(meetings).where(meetings.c.id == meeting_id).with_for_update())


async def upcoming(db: Database, now: datetime, limit: int = 40,
                   with_cancelled: bool = True) -> list[Any]:
    """Events not yet over, soonest first (a page subscribes to at most 50 live channels).
    Cancelled ones stay, marked, until they would have ended, unless `with_cancelled` is off."""
    query = _select().where(meetings.c.ends_at > now)
    if not with_cancelled:
        query = query.where(meetings.c.cancelled_at.is_(None))
    return await db.fetch_all(query.order_by(meetings.c.starts_at, meetings.c.id).limit(limit))


async def mark_cancelled(db: Database, meeting_id: int, now: datetime, note: str) -> None:
    await db.execute(meetings.update().where(meetings.c.id == meeting_id)
                     .values(cancelled_at=now, cancel_note=note))


async def past(db: Database, now: datetime, limit: int = 40) -> list[Any]:
    """Events that are over, the latest first."""
    return await db.fetch_all(_select().where(meetings.c.ends_at <= now)
                              .order_by(meetings.c.starts_at.desc(), meetings.c.id.desc()).limit(limit))


async def opening_post(db: Database, thread_id: int) -> Any:
    """The event's description: its thread's opening post."""
    return await db.fetch_one(sa.select(posts).where(posts.c.thread_id == thread_id,
                                                     posts.c.parent_id.is_(None))
                              .order_by(posts.c.id).limit(1))


async def registration(db: Database, meeting_id: int, user_id: int) -> Any:
    return await db.fetch_one(sa.select(meeting_registrations).where(
        meeting_registrations.c.meeting_id == meeting_id, meeting_registrations.c.user_id == user_id))


async def count(db: Database, meeting_id: int, status: str) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(meeting_registrations).where(
        meeting_registrations.c.meeting_id == meeting_id, meeting_registrations.c.status == status)) or 0


async def add_registration(db: Database, meeting_id: int, user_id: int, status: str, now: datetime) -> int:
    return await db.execute(meeting_registrations.insert().values(
        meeting_id=meeting_id, user_id=user_id, status=status, created_at=now))


async def remove_registration(db: Database, registration_id: int) -> None:
    await db.execute(meeting_registrations.delete().where(meeting_registrations.c.id == registration_id))


async def first_on_reserve(db: Database, meeting_id: int, limit: int = 1) -> list[Any]:
    return await db.fetch_all(sa.select(meeting_registrations).where(
        meeting_registrations.c.meeting_id == meeting_id, meeting_registrations.c.status == RESERVE)
        .order_by(meeting_registrations.c.id).limit(limit))


async def give_seat(db: Database, registration_id: int) -> None:
    await db.execute(meeting_registrations.update().where(meeting_registrations.c.id == registration_id)
                     .values(status=REGISTERED))


async def reserve_position(db: Database, meeting_id: int, registration_id: int) -> int:
    """1 for the first in line."""
    return await db.fetch_val(sa.select(sa.func.count()).select_from(meeting_registrations).where(
        meeting_registrations.c.meeting_id == meeting_id, meeting_registrations.c.status == RESERVE,
        meeting_registrations.c.id <= registration_id)) or 0


async def attendees(db: Database, meeting_id: int) -> list[Any]:
    """Registered members first, then the reserve list in its order."""
    return await db.fetch_all(
        sa.select(meeting_registrations.c.id, meeting_registrations.c.status,
                  meeting_registrations.c.created_at, users.c.username, users.c.display_name,
                  users.c.organisation)
        .join(users, users.c.id == meeting_registrations.c.user_id)
        .where(meeting_registrations.c.meeting_id == meeting_id)
        .order_by(meeting_registrations.c.status, meeting_registrations.c.id))  # "registered" < "reserve"


async def due_reminders(db: Database, now: datetime, within: timedelta, lock: bool = False) -> list[Any]:
    """Seats at events starting in (now, now + within] whose holders were not reminded yet."""
    query = (
        sa.select(meeting_registrations.c.id, meeting_registrations.c.user_id, meetings.c.thread_id,
                  meetings.c.starts_at)
        .join(meetings, meetings.c.id == meeting_registrations.c.meeting_id)
        .where(meeting_registrations.c.status == REGISTERED, meeting_registrations.c.reminded_at.is_(None),
               meetings.c.starts_at > now, meetings.c.starts_at <= now + within,
               meetings.c.cancelled_at.is_(None))
        .order_by(meeting_registrations.c.id))
    if lock:
        query = query.with_for_update(of=meeting_registrations)
    return await db.fetch_all(query)


async def mark_reminded(db: Database, registration_id: int, now: datetime) -> None:
    await db.execute(meeting_registrations.update().where(
        meeting_registrations.c.id == registration_id).values(reminded_at=now))


async def registered_member_ids(db: Database, meeting_id: int) -> list[int]:
    """Everyone holding a seat or a place on the reserve list."""
    rows = await db.fetch_all(sa.select(meeting_registrations.c.user_id)
                              .where(meeting_registrations.c.meeting_id == meeting_id)
                              .order_by(meeting_registrations.c.id))
    return [row["user_id"] for row in rows]
