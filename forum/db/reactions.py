"""Queries on reactions to posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import post_reactions, posts, users
from forum.reactions import summary_json


async def lock_post(db: Database, post_id: int) -> Any:
    """The post's row, locked until the transaction ends (PostgreSQL), so two reactions to one
    post recount one after the other and neither summary is lost; SQLite's BEGIN IMMEDIATE
    already admits one writer."""
    return await db.fetch_one(sa.select(posts.c.id, posts.c.author_id, posts.c.thread_id)
                              .where(posts.c.id == post_id).with_for_update())


async def has(db: Database, post_id: int, user_id: int, emoji: str) -> bool:
    return await db.fetch_val(sa.select(post_reactions.c.id).where(
        post_reactions.c.post_id == post_id, post_reactions.c.user_id == user_id,
        post_reactions.c.emoji == emoji)) is not None


async def add(db: Database, post_id: int, user_id: int, emoji: str, now: datetime) -> None:
    await db.execute(post_reactions.insert().values(post_id=post_id, user_id=user_id, emoji=emoji,
                                                    created_at=now))


async def remove(db: Database, post_id: int, user_id: int, emoji: str) -> None:
    await db.execute(post_reactions.delete().where(
        post_reactions.c.post_id == post_id, post_reactions.c.user_id == user_id,
        post_reactions.c.emoji == emoji))


async def recount(db: Database, post_id: int) -> str:
    """Rewrite the post's summary from its reactions; returns it."""
    rows = await db.fetch_all(
        sa.select(post_reactions.c.emoji, users.c.username)
        .join(users, users.c.id == post_reactions.c.user_id)
        .where(post_reactions.c.post_id == post_id).order_by(post_reactions.c.id))
    stored = summary_json(rows)
    await db.execute(posts.update().where(posts.c.id == post_id).values(reactions=stored))
    return stored


async def reactors(db: Database, post_id: int, *, besides: int) -> int:
    """How many members other than `besides` (the author) reacted to the post."""
    return await db.fetch_val(sa.select(sa.func.count(sa.distinct(post_reactions.c.user_id))).where(
        post_reactions.c.post_id == post_id, post_reactions.c.user_id != besides)) or 0


async def mine(db: Database, user_id: int, post_ids: list[int]) -> dict[int, set[str]]:
    """{post id: the emoji this member reacted with} for these posts."""
    if not post_ids:
        return {}
    rows = await db.fetch_all(sa.select(post_reactions.c.post_id, post_reactions.c.emoji).where(
        post_reactions.c.user_id == user_id, post_reactions.c.post_id.in_(post_ids)))
    found: dict[int, set[str]] = {}
    for row in rows:
        found.setdefault(row["post_id"], set()).add(row["emoji"])
    return found
