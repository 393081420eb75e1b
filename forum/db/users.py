"""Queries on members."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.clock import utcnow
from forum.db.engine import Database
from forum.db.tables import posts, threads, users

PROFILE_COLUMNS = [users.c.id, users.c.username, users.c.display_name, users.c.bio,
                   users.c.role, users.c.created_at, users.c.suspended_at]


async def by_username(db: Database, username: str) -> Any:
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
