"""Copy a whole forum from one database to another (SQLite to PostgreSQL when a community
outgrows one file), every row of every table, then check the counts match."""

from __future__ import annotations

from collections.abc import Callable

from forum.db import bulk, search
from forum.db.engine import Database
from forum.db.tables import metadata


async def copy_forum(source: Database, target: Database,
                     progress: Callable[[str, int], None] = lambda table, rows: None,
                     ) -> dict[str, tuple[int, int]]:
    """Copy into an empty, migrated target. Returns {table: (source rows, target rows)}.
    Raises bulk.BulkError when the target already holds a forum."""
    tables = metadata.sorted_tables  # parents before children
    async with target.transaction(), bulk.snapshot(source):
        await bulk.require_empty(target, "copy")
        await bulk.clear(target, tables)
        for table in tables:
            copied = 0
            async for rows in bulk.batches(source, table):
                await target.execute_many(table.insert(), rows)
                copied += len(rows)
                progress(table.name, copied)
        await bulk.reset_sequences(target, tables)
        await search.rebuild_index(target)
    return {table.name: (await bulk.count_rows(source, table), await bulk.count_rows(target, table))
            for table in tables}
