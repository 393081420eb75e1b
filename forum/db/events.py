"""Queries on events (network meetings, conferences): each is a thread with a date, a place and
seats, and the members registered for it or waiting on its reserve list."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import event_registrations, events, posts, threads, users

REGISTERED, RESERVE = "registered", "reserve"


def _count(status: str) -> Any:
    return (sa.select(sa.func.count()).select_from(event_registrations)
            .where(event_registrations.c.event_id == events.c.id,
                   event_registrations.c.status == status)
            .scalar_subquery())


COLUMNS = [
    events.c.id, events.c.thread_id, events.c.starts_at, events.c.ends_at,
    events.c.location, events.c.capacity, events.c.timezone, events.c.cancelled_at,
    events.c.cancel_note, threads.c.title, threads.c.slug,
    _count(REGISTERED).label("registered"), _count(RESERVE).label("reserve"),
]


def _select() -> Any:
    return sa.select(*COLUMNS).join(threads, threads.c.id == events.c.thread_id)


def seats_left(row: Any) -> int | None:
    """None when the event has no limit."""
    if row["capacity"] is None:
        return None
    return max(0, row["capacity"] - row["registered"])


async def insert(db: Database, *, thread_id: int, starts_at: datetime, ends_at: datetime,
                 location: str, capacity: int | None, timezone: str | None = None) -> int:
    return await db.execute(events.insert().values(
        thread_id=thread_id, starts_at=starts_at, ends_at=ends_at, location=location, capacity=capacity,
        timezone=timezone))


async def update(db: Database, event_id: int, **values: Any) -> None:
    await db.execute(events.update().where(events.c.id == event_id).values(**values))


async def by_id(db: Database, event_id: int) -> Any:
    return await db.fetch_one(_select().where(events.c.id == event_id))


async def by_thread(db: Database, thread_id: int) -> Any:
    return await db.fetch_one(_select().where(events.c.thread_id == thread_id))


async def lock(db: Database, event_id: int) -> Any:
    """The event row, locked until the transaction ends (PostgreSQL), so registrations for one
    event queue up behind each other; SQLite's BEGIN IMMEDIATE already admits one writer."""
    return await db.fetch_one(sa.select(events).where(events.c.id == event_id).with_for_update())


async def upcoming(db: Database, now: datetime, limit: int = 40,
                   with_cancelled: bool = True) -> list[Any]:
    """Events not yet over, soonest first (a page subscribes to at most 50 live channels).
    Cancelled ones stay, marked, until they would have ended, unless `with_cancelled` is off."""
    query = _select().where(events.c.ends_at > now)
    if not with_cancelled:
        query = query.where(events.c.cancelled_at.is_(None))
    return await db.fetch_all(query.order_by(events.c.starts_at, events.c.id).limit(limit))


async def mark_cancelled(db: Database, event_id: int, now: datetime, note: str) -> None:
    await db.execute(events.update().where(events.c.id == event_id)
                     .values(cancelled_at=now, cancel_note=note))


async def past(db: Database, now: datetime, limit: int = 40) -> list[Any]:
    """Events that are over, the latest first."""
    return await db.fetch_all(_select().where(events.c.ends_at <= now)
                              .order_by(events.c.starts_at.desc(), events.c.id.desc()).limit(limit))


async def opening_post(db: Database, thread_id: int) -> Any:
    """The event's description: its thread's opening post."""
    return await db.fetch_one(sa.select(posts).where(posts.c.thread_id == thread_id,
                                                     posts.c.parent_id.is_(None))
                              .order_by(posts.c.id).limit(1))


async def registration(db: Database, event_id: int, user_id: int) -> Any:
    return await db.fetch_one(sa.select(event_registrations).where(
        event_registrations.c.event_id == event_id, event_registrations.c.user_id == user_id))


async def count(db: Database, event_id: int, status: str) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(event_registrations).where(
        event_registrations.c.event_id == event_id, event_registrations.c.status == status)) or 0


async def add_registration(db: Database, event_id: int, user_id: int, status: str, now: datetime) -> int:
    return await db.execute(event_registrations.insert().values(
        event_id=event_id, user_id=user_id, status=status, created_at=now))


async def remove_registration(db: Database, registration_id: int) -> None:
    await db.execute(event_registrations.delete().where(event_registrations.c.id == registration_id))


async def first_on_reserve(db: Database, event_id: int, limit: int = 1) -> list[Any]:
    return await db.fetch_all(sa.select(event_registrations).where(
        event_registrations.c.event_id == event_id, event_registrations.c.status == RESERVE)
        .order_by(event_registrations.c.id).limit(limit))


async def give_seat(db: Database, registration_id: int) -> None:
    await db.execute(event_registrations.update().where(event_registrations.c.id == registration_id)
                     .values(status=REGISTERED))


async def reserve_position(db: Database, event_id: int, registration_id: int) -> int:
    """1 for the first in line."""
    return await db.fetch_val(sa.select(sa.func.count()).select_from(event_registrations).where(
        event_registrations.c.event_id == event_id, event_registrations.c.status == RESERVE,
        event_registrations.c.id <= registration_id)) or 0


async def attendees(db: Database, event_id: int) -> list[Any]:
    """Registered members first, then the reserve list in its order."""
    return await db.fetch_all(
        sa.select(event_registrations.c.id, event_registrations.c.status,
                  event_registrations.c.created_at, users.c.username, users.c.display_name,
                  users.c.organisation)
        .join(users, users.c.id == event_registrations.c.user_id)
        .where(event_registrations.c.event_id == event_id)
        .order_by(event_registrations.c.status, event_registrations.c.id))  # "registered" < "reserve"


async def due_reminders(db: Database, now: datetime, within: timedelta, lock: bool = False) -> list[Any]:
    """Seats at events starting in (now, now + within] whose holders were not reminded yet."""
    query = (
        sa.select(event_registrations.c.id, event_registrations.c.user_id, events.c.thread_id,
                  events.c.starts_at)
        .join(events, events.c.id == event_registrations.c.event_id)
        .where(event_registrations.c.status == REGISTERED, event_registrations.c.reminded_at.is_(None),
               events.c.starts_at > now, events.c.starts_at <= now + within,
               events.c.cancelled_at.is_(None))
        .order_by(event_registrations.c.id))
    if lock:
        query = query.with_for_update(of=event_registrations)
    return await db.fetch_all(query)


async def mark_reminded(db: Database, registration_id: int, now: datetime) -> None:
    await db.execute(event_registrations.update().where(
        event_registrations.c.id == registration_id).values(reminded_at=now))


async def registered_member_ids(db: Database, event_id: int) -> list[int]:
    """Everyone holding a seat or a place on the reserve list."""
    rows = await db.fetch_all(sa.select(event_registrations.c.user_id)
                              .where(event_registrations.c.event_id == event_id)
                              .order_by(event_registrations.c.id))
    return [row["user_id"] for row in rows]
