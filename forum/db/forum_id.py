"""The forum's id: a random name made the first time the forum starts and kept in its own
database. Every process of one forum shares that database, so they all read the same id; two
forums never share a database, even when they share a secret key copied from one to the other.
It names everything the forum puts in a Redis it may share with other forums
(forum/redis_names.py)."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from forum.db.engine import Database
from forum.db.tables import meta

FORUM_ID = "forum_id"


async def forum_id(db: Database) -> str:
    """This forum's id, made now if it has none yet. Processes starting at once agree: each
    insert does nothing when a row is already there, and every process reads the one that won."""
    found = await _read(db)
    if found is not None:
        return found
    insert = (sqlite.insert if db.is_sqlite else postgresql.insert)(meta)
    async with db.transaction():
        await db.execute(insert.values(key=FORUM_ID, value=secrets.token_hex(8)).on_conflict_do_nothing())
    found = await _read(db)
    assert found is not None  # just written, by this process or another
    return found


async def _read(db: Database) -> str | None:
    return await db.fetch_val(sa.select(meta.c.value).where(meta.c.key == FORUM_ID))
