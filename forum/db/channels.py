"""Queries on channels (the API calls them categories), and the default set every forum starts with."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import channels
from forum.validation import storable

DEFAULT_CHANNELS = [
    ("welcome", "Welcome", "New here? Say hello and tell us who you are and what you work on."),
    ("announcements", "Announcements", "News from the organisers: events, changes, reminders."),
    ("general-chat", "General Chat", "Anything on your mind about the work: questions, wins, worries."),
    ("tools-methods", "Tools & Methods", "Surveys, logic models, data tools and how to use them well."),
    ("evaluation-impact", "Evaluation & Measuring Impact",
     "Showing what difference the work makes, and learning from it."),
    ("values-principles", "Values & Principles",
     "Ethics, co-production, lived experience and doing right by people."),
]


async def ensure_defaults(db: Database) -> None:
    """On an empty database, create the default channels (idempotent)."""
    if await db.fetch_val(sa.select(sa.func.count()).select_from(channels)):
        return
    async with db.transaction():
        if await db.fetch_val(sa.select(sa.func.count()).select_from(channels)):
            return  # another process got there first
        await db.execute_many(channels.insert(), [
            {"slug": slug, "name": name, "description": description, "position": position}
            for position, (slug, name, description) in enumerate(DEFAULT_CHANNELS)])


async def all_channels(db: Database) -> list[Any]:
    return await db.fetch_all(sa.select(channels).order_by(channels.c.position, channels.c.id))


async def by_slug(db: Database, slug: str) -> Any:
    if not storable(slug):  # a NUL names no channel; asked, PostgreSQL would refuse it (a 500)
        return None
    return await db.fetch_one(sa.select(channels).where(channels.c.slug == slug))
