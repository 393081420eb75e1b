"""Copy a whole forum from one database to another (SQLite to PostgreSQL when a community
outgrows one file), every row of every table, then check the counts match."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from forum.db import search
from forum.db.engine import Database
from forum.db.tables import metadata, users

BATCH_ROWS = 1_000


class CopyError(Exception):
    pass


async def copy_forum(source: Database, target: Database,
                     progress: Callable[[str, int], None] = lambda table, rows: None,
                     ) -> dict[str, tuple[int, int]]:
    """Copy into an empty, migrated target. Returns {table: (source rows, target rows)}."""
    if await target.fetch_val(sa.select(sa.func.count()).select_from(users)):
        raise CopyError("The target database already has members: copy only into an empty forum.")
    async with target.transaction():
        for table in metadata.sorted_tables:  # parents before children
            await target.execute(table.delete())
        for table in metadata.sorted_tables:
            key = list(table.primary_key.columns)
            offset_key = None
            copied = 0
            while True:
                query = sa.select(table).order_by(*key).limit(BATCH_ROWS)
                if offset_key is not None and len(key) == 1:
                    query = query.where(key[0] > offset_key)
                elif offset_key is not None:
                    query = query.offset(copied)  # composite keys: small link tables only
                rows = [dict(row._mapping) for row in await source.fetch_all(query)]
                if not rows:
                    break
                await target.execute_many(table.insert(), rows)
                copied += len(rows)
                offset_key = rows[-1][key[0].name]
                progress(table.name, copied)
                if len(rows) < BATCH_ROWS:
                    break
        if not target.is_sqlite:
            for table in metadata.sorted_tables:
                if "id" in table.c and table.c.id.primary_key:
                    await target.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)")
        await search.rebuild_index(target)
    counts = {}
    for table in metadata.sorted_tables:
        count = sa.select(sa.func.count()).select_from(table)
        counts[table.name] = (await source.fetch_val(count), await target.fetch_val(count))
    return counts
