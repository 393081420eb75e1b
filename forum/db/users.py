"""Queries on members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from forum.clock import as_utc, isoformat, utcnow
from forum.db import cursors
from forum.db.engine import Database
from forum.db.tables import posts, threads, users
from forum.validation import storable

PROFILE_COLUMNS = [users.c.id, users.c.username, users.c.display_name, users.c.bio,
                   users.c.role, users.c.created_at, users.c.suspended_at]


async def by_username(db: Database, username: str) -> Any:
    if not storable(username):  # a NUL names no one; asked, PostgreSQL would refuse it (a 500)
        return None
    return await db.fetch_one(sa.select(users).where(users.c.username_key == username.lower()))


async def by_id(db: Database, user_id: int) -> Any:
    return await db.fetch_one(sa.select(users).where(users.c.id == user_id))


async def insert(db: Database, *, username: str, display_name: str, password_hash: str,
                 role: str = "member", bio: str = "") -> int:
    return await db.execute(users.insert().values(
        username=username, username_key=username.lower(), display_name=display_name,
        password_hash=password_hash, role=role, bio=bio, created_at=utcnow()))


async def set_role(db: Database, user_id: int, role: str) -> None:
    await db.execute(users.update().where(users.c.id == user_id).values(role=role))


async def set_bio(db: Database, user_id: int, bio: str) -> None:
    await db.execute(users.update().where(users.c.id == user_id).values(bio=bio))


async def set_password_hash(db: Database, user_id: int, password_hash: str) -> None:
    await db.execute(users.update().where(users.c.id == user_id).values(password_hash=password_hash))


async def count(db: Database) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(users))


async def post_counts(db: Database, user_id: int) -> dict[str, int]:
    thread_count = await db.fetch_val(
        sa.select(sa.func.count()).select_from(threads).where(threads.c.author_id == user_id))
    post_count = await db.fetch_val(sa.select(sa.func.count()).select_from(posts).where(
        posts.c.author_id == user_id, posts.c.deleted_at.is_(None)))
    return {"threads": thread_count, "replies": max(post_count - thread_count, 0)}


async def record_post(db: Database, user_id: int, now: datetime, change: int = 1) -> None:
    values: dict[str, Any] = {"post_count": users.c.post_count + change}
    if change > 0:
        values["last_active_at"] = now
    await db.execute(users.update().where(users.c.id == user_id).values(**values))


async def update_profile(db: Database, user_id: int, **fields: object) -> None:
    await db.execute(users.update().where(users.c.id == user_id).values(**fields))


DIRECTORY_SORTS = {"joined", "active", "name"}


async def directory(db: Database, *, q: str = "", sort: str = "joined", cursor: str | None = None,
                    limit: int = 30) -> tuple[list[Any], str | None]:
    """Members, newest first, most recently active first, or by name; keyset pages."""
    key_column = {"joined": users.c.created_at, "active": users.c.last_active_at,
                  "name": users.c.username_key}[sort]
    query = sa.select(users)
    if q:
        # "_" and "%" are what people type (priya_shah), so escaped rather than dropped:
        # dropping "_" made a username typed in full find nothing.
        typed = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{typed}%"
        query = query.where(sa.or_(users.c.username_key.like(pattern, escape="\\"),
                                   sa.func.lower(users.c.display_name).like(pattern, escape="\\"),
                                   sa.func.lower(users.c.organisation).like(pattern, escape="\\")))
    if sort == "active":
        query = query.where(users.c.last_active_at.is_not(None))
    descending = sort != "name"
    order = [key_column.desc(), users.c.id.desc()] if descending else [key_column, users.c.id]
    if cursor:
        value, last_id = cursors.decode(cursor, 2)
        last_id = cursors.id_in(last_id)
        if sort == "name" and not (isinstance(value, str) and storable(value)):
            raise cursors.BadCursor("cursor is not one this forum gave out")
        if sort != "name":
            try:
                value = as_utc(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
            except ValueError as error:
                raise cursors.BadCursor("cursor is not one this forum gave out") from error
        same = key_column == value
        if descending:
            query = query.where(sa.or_(key_column < value, sa.and_(same, users.c.id < last_id)))
        else:
            query = query.where(sa.or_(key_column > value, sa.and_(same, users.c.id > last_id)))
    rows = await db.fetch_all(query.order_by(*order).limit(limit + 1))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        value = last[key_column.name]
        next_cursor = cursors.encode(isoformat(value) if sort != "name" else value, last["id"])
    return rows[:limit], next_cursor


async def by_usernames(db: Database, usernames: list[str]) -> list[Any]:
    if not usernames:
        return []
    return await db.fetch_all(sa.select(users).where(
        users.c.username_key.in_([u.lower() for u in usernames])).order_by(users.c.display_name))


async def greeters(db: Database) -> list[Any]:
    return await db.fetch_all(sa.select(users).where(users.c.greeter.is_(True)))


async def has_greeters(db: Database) -> bool:
    return await db.fetch_val(sa.select(users.c.id).where(users.c.greeter.is_(True)).limit(1)) is not None


async def moderators(db: Database) -> list[Any]:
    """Moderators and admins: who is told when a post is flagged."""
    return await db.fetch_all(sa.select(users).where(users.c.role.in_(("moderator", "admin"))))


async def mark_welcomed(db: Database, user_id: int, by: int, now: datetime) -> None:
    """The first member to answer a newcomer's introduction welcomed them (kept once)."""
    await db.execute(users.update().where(users.c.id == user_id, users.c.welcomed_by.is_(None))
                     .values(welcomed_by=by, welcomed_at=now))


async def by_email(db: Database, email: str) -> Any:
    """`email` already normalised (forum/mail/addresses.py)."""
    return await db.fetch_one(sa.select(users).where(users.c.email == email))


async def set_email(db: Database, user_id: int, email: str) -> None:
    """A new address waits for its confirmation; its predecessor's problem no longer applies."""
    await db.execute(users.update().where(users.c.id == user_id).values(
        email=email, email_confirmed_at=None, email_problem=""))


async def confirm_email(db: Database, user_id: int, email: str, now: datetime) -> bool:
    """Confirmed only if it is still the member's address (a later change voids older links)."""
    row = await db.fetch_one(sa.select(users.c.id).where(users.c.id == user_id, users.c.email == email))
    if row is None:
        return False
    await db.execute(users.update().where(users.c.id == user_id).values(email_confirmed_at=now))
    return True


async def set_email_events(db: Database, user_id: int, wanted: bool) -> None:
    await db.execute(users.update().where(users.c.id == user_id).values(email_events=wanted))


async def set_email_notifications(db: Database, user_id: int, preference: str) -> None:
    await db.execute(users.update().where(users.c.id == user_id).values(email_notifications=preference))
