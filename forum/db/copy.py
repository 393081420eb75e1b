"""Copy a whole forum from one database to another (SQLite to PostgreSQL when a community
outgrows one file), every row of every table, then check the counts match."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from forum.db import bulk, message_search, search
from forum.db.engine import Database
from forum.db.tables import metadata


async def copy_forum(source: Database, target: Database,
                     progress: Callable[[str, int], None] = lambda table, rows: None,
                     nul_removed: Callable[[str, int], None] = lambda table, values: None,
                     ) -> dict[str, tuple[int, int]]:
    """Copy into an empty, migrated target. Returns {table: (source rows, target rows)}.
    Raises bulk.BulkError when the target already holds a forum. Text with NUL characters
    (older versions stored them on SQLite) is copied without them: PostgreSQL cannot hold one,
    and one such row must not stop a move; `nul_removed` hears how many values per table."""
    tables = metadata.sorted_tables  # parents before children
    async with target.transaction(), bulk.snapshot(source):
        await bulk.require_empty(target, "copy")
        await bulk.clear(target, tables)
        for table in tables:
            copied = cleaned = 0
            async for rows in bulk.batches(source, table):
                cleaned += without_nul(rows)
                await target.execute_many(table.insert(), rows)
                copied += len(rows)
                progress(table.name, copied)
            if cleaned:
                nul_removed(table.name, cleaned)
        await bulk.reset_sequences(target, tables)
        await search.rebuild_index(target)
        await message_search.rebuild_index(target)
    return {table.name: (await bulk.count_rows(source, table), await bulk.count_rows(target, table))
            for table in tables}


def without_nul(rows: list[dict[str, Any]]) -> int:
    """Remove NUL from every text value, in place; how many values had one."""
    changed = 0
    for row in rows:
        for column, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                row[column] = value.replace("\x00", "")
                changed += 1
    return changed
