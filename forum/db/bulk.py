"""Whole tables at a time: the one walk over every row that copy-to, export and import share,
plus what a freshly filled database needs afterwards (sequences, an empty-target check)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import threads, users

BATCH_ROWS = 1_000


class BulkError(Exception):
    """A whole-forum copy, export or import refused, with a message for the administrator."""


@asynccontextmanager
async def snapshot(db: Database) -> AsyncIterator[None]:
    """Read many batches as of one moment while the forum keeps taking writes: one connection,
    one read transaction (a WAL snapshot on SQLite, REPEATABLE READ on PostgreSQL)."""
    async with db.connection():
        await db.execute("BEGIN" if db.is_sqlite
                         else "START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield
        finally:
            await db.execute("COMMIT")


async def count_rows(db: Database, table: sa.Table) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(table))


async def batches(db: Database, table: sa.Table,
                  size: int = BATCH_ROWS) -> AsyncIterator[list[dict[str, Any]]]:
    """Every row of `table` in primary-key order, `size` rows at a time, by keyset (no OFFSET,
    so the millionth row costs what the first did)."""
    key = list(table.primary_key.columns)
    after: list[Any] | None = None
    while True:
        query = sa.select(table).order_by(*key).limit(size)
        if after is not None:
            query = query.where(key[0] > after[0] if len(key) == 1
                                else sa.tuple_(*key) > sa.tuple_(*after))
        rows = [dict(row._mapping) for row in await db.fetch_all(query)]
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        after = [rows[-1][column.name] for column in key]


async def require_empty(db: Database, what: str) -> None:
    """A target with members or threads is someone's forum: never write over it. The default
    channels a fresh forum creates on start do not count (the caller replaces them)."""
    for table in (users, threads):
        if await count_rows(db, table):
            raise BulkError(f"The target database already has {table.name}: {what} only into an "
                            "empty forum (a new database, migrated with `forum migrate`).")


async def clear(db: Database, tables: list[sa.Table]) -> None:
    for table in reversed(tables):  # children before parents
        await db.execute(table.delete())


async def reset_sequences(db: Database, tables: list[sa.Table]) -> None:
    """After rows arrive with their ids, PostgreSQL's sequences must move past them (SQLite
    takes max(id) + 1 by itself)."""
    if db.is_sqlite:
        return
    for table in tables:
        if "id" in table.c and table.c.id.primary_key:
            await db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)")
