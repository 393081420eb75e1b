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


def _unused_since(cutoff: datetime) -> Any:
    return sa.and_(uploads.c.used_at.is_(None), uploads.c.created_at < cutoff)


async def any_unused(db: Database, cutoff: datetime) -> bool:
    """A plain read first: a forum with nothing to sweep takes no lock."""
    return await db.fetch_val(sa.select(uploads.c.id).where(_unused_since(cutoff)).limit(1)) is not None


async def lock_for_sweep(db: Database) -> None:
    """Inside the sweep's transaction: no upload row may be added or marked used until it
    commits, so a key found unused stays unused while its bytes are deleted, and two sweepers
    take turns. PostgreSQL: a table lock that blocks writers but not readers; SQLite's write
    lock (BEGIN IMMEDIATE) already does both."""
    if not db.is_sqlite:
        await db.execute("LOCK TABLE uploads IN SHARE ROW EXCLUSIVE MODE")


async def delete_unused(db: Database, cutoff: datetime, limit: int) -> list[Any]:
    """Delete up to `limit` uploads no post has named, made before `cutoff`; returns each one's
    keys (full, page-width, thumbnail)."""
    oldest = sa.select(uploads.c.id).where(_unused_since(cutoff)).order_by(uploads.c.id).limit(limit)
    return await db.fetch_all(uploads.delete().where(uploads.c.id.in_(oldest))
                              .returning(uploads.c.key, uploads.c.display_key, uploads.c.thumbnail_key))


async def keys_in_use(db: Database, keys: set[str]) -> set[str]:
    """Those of `keys` some upload still names, at any of its sizes (keys name contents, so two
    uploads of the same bytes share them)."""
    if not keys:
        return set()
    wanted = sorted(keys)
    rows = await db.fetch_all(sa.select(uploads.c.key, uploads.c.display_key, uploads.c.thumbnail_key)
                              .where(sa.or_(uploads.c.key.in_(wanted), uploads.c.display_key.in_(wanted),
                                            uploads.c.thumbnail_key.in_(wanted))))
    return {key for row in rows for key in sizes_of(row) if key in keys}


def sizes_of(row: Any) -> set[str]:
    """An upload's stored keys: one for a file, up to three for a picture."""
    return {row[name] for name in ("key", "display_key", "thumbnail_key") if row[name]}
