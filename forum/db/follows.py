"""Who follows which tags and channels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from forum.db.engine import Database
from forum.db.tables import follows


def _target(tag_id: int | None, channel_id: int | None) -> Any:
    return follows.c.tag_id == tag_id if tag_id is not None else follows.c.channel_id == channel_id


async def follow(db: Database, user_id: int, now: datetime, *, tag_id: int | None = None,
                 channel_id: int | None = None) -> None:
    insert = (sqlite.insert if db.is_sqlite else postgresql.insert)(follows)
    # Following twice (two tabs, a double click) is following once.
    await db.execute(insert.values(user_id=user_id, tag_id=tag_id, channel_id=channel_id, created_at=now)
                     .on_conflict_do_nothing())


async def unfollow(db: Database, user_id: int, *, tag_id: int | None = None,
                   channel_id: int | None = None) -> None:
    await db.execute(follows.delete().where(follows.c.user_id == user_id, _target(tag_id, channel_id)))


async def is_following(db: Database, user_id: int, *, tag_id: int | None = None,
                       channel_id: int | None = None) -> bool:
    query = sa.select(follows.c.id).where(follows.c.user_id == user_id, _target(tag_id, channel_id))
    return await db.fetch_one(query) is not None


async def followers(db: Database, *, tag_ids: list[int], channel_ids: list[int]) -> list[Any]:
    """Each member following any of these, once, with the first tag or channel that made it so."""
    query = (sa.select(follows.c.user_id, follows.c.tag_id, follows.c.channel_id)
             .where(sa.or_(follows.c.tag_id.in_(tag_ids or [0]),
                           follows.c.channel_id.in_(channel_ids or [0])))
             .order_by(follows.c.user_id, follows.c.tag_id.is_(None), follows.c.id))
    found: dict[int, Any] = {}
    for row in await db.fetch_all(query):
        found.setdefault(row["user_id"], row)
    return list(found.values())
