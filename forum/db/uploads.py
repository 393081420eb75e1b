"""Queries on uploads: the rows that say what each stored file is, whose, and how big."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import uploads


async def insert(db: Database, **values: Any) -> int:
    return await db.execute(uploads.insert().values(**values))


async def by_id(db: Database, upload_id: int) -> Any:
    return await db.fetch_one(uploads.select().where(uploads.c.id == upload_id))


async def by_key(db: Database, key: str) -> Any:
    """The upload a stored file belongs to, whichever of its sizes the key names."""
    return await db.fetch_one(
        uploads.select().where(sa.or_(uploads.c.key == key, uploads.c.display_key == key,
                                      uploads.c.thumbnail_key == key))
        .order_by(uploads.c.id).limit(1))


async def by_keys(db: Database, keys: set[str]) -> dict[str, Any]:
    """{key: upload} for the keys that name an upload's full file; unknown keys are left out."""
    if not keys:
        return {}
    rows = await db.fetch_all(uploads.select().where(uploads.c.key.in_(sorted(keys)))
                              .order_by(uploads.c.id))
    return {row["key"]: row for row in reversed(rows)}  # the same file twice: the first upload's


async def mark_used(db: Database, keys: set[str], now: datetime) -> None:
    if keys:
        await db.execute(uploads.update().where(uploads.c.key.in_(sorted(keys))).values(used_at=now))


async def bytes_since(db: Database, owner_id: int, since: datetime) -> int:
    """How much a member uploaded since then: their daily quota's measure."""
    total = await db.fetch_val(sa.select(sa.func.coalesce(sa.func.sum(uploads.c.size), 0))
                               .where(uploads.c.owner_id == owner_id, uploads.c.created_at > since))
    return int(total or 0)


def day_before(now: datetime) -> datetime:
    return now - timedelta(days=1)
