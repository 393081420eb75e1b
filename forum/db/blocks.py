"""Queries on blocks: who a member has blocked, and whether any of some members blocked one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import blocks, users


async def add(db: Database, blocker_id: int, blocked_id: int, now: datetime) -> None:
    if not await is_blocked(db, blocker_id, blocked_id):  # blocking twice is one block
        await db.execute(blocks.insert().values(blocker_id=blocker_id, blocked_id=blocked_id, created_at=now))


async def remove(db: Database, blocker_id: int, blocked_id: int) -> None:
    await db.execute(blocks.delete().where(blocks.c.blocker_id == blocker_id,
                                           blocks.c.blocked_id == blocked_id))


async def is_blocked(db: Database, blocker_id: int, blocked_id: int) -> bool:
    return await db.fetch_val(sa.select(blocks.c.blocker_id).where(
        blocks.c.blocker_id == blocker_id, blocks.c.blocked_id == blocked_id)) is not None


async def blockers_of(db: Database, blocked_id: int, among: list[int]) -> set[int]:
    """Which of the members `among` have blocked `blocked_id`."""
    if not among:
        return set()
    rows = await db.fetch_all(sa.select(blocks.c.blocker_id).where(
        blocks.c.blocked_id == blocked_id, blocks.c.blocker_id.in_(among)))
    return {row["blocker_id"] for row in rows}


async def blocked_by(db: Database, blocker_id: int) -> list[Any]:
    """The members this one has blocked, by name."""
    return await db.fetch_all(
        sa.select(users.c.id, users.c.username, users.c.display_name, blocks.c.created_at)
        .join(users, users.c.id == blocks.c.blocked_id)
        .where(blocks.c.blocker_id == blocker_id).order_by(users.c.username_key))
