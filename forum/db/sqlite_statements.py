"""One trip to SQLite's thread per statement.

aiosqlite runs each call on the connection's own thread; `databases` makes three such calls per
statement (execute, fetch, close the cursor), and each trip costs a thread wake-up both ways:
about 0.13 ms of CPU of the 0.4 ms a simple query cost. Here the three happen in one trip, and
the result's metadata (SQLAlchemy's, which depends only on the statement) is built once per
cached statement rather than on every fetch. Results are the same `databases` Records.

Relies on `databases` 0.9's SQLite backend connection (`_connection`, `_dialect`, `_compile`)
and aiosqlite's `_execute` and `_conn`; tests/test_compile_cache.py checks them.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from databases.backends.common.records import Record, Row
from sqlalchemy.engine.cursor import CursorResultMetaData
from sqlalchemy.sql import ClauseElement

from forum.db.compile_cache import column_maps, kept_result
from forum.db.sqlite_inline_reads import InlineReads, SentToThread


def run_statement(connection: sqlite3.Connection, sql: str, args: Any, fetch: str) -> Any:
    """On the connection's thread: the statement, its rows and its description, in one go."""
    cursor = connection.execute(sql, args)
    try:
        if fetch == "all":
            return cursor.description, cursor.fetchall()
        if fetch == "one":
            return cursor.description, cursor.fetchone()
        return cursor.rowcount if cursor.lastrowid == 0 else cursor.lastrowid  # as `databases` does
    finally:
        cursor.close()


def _metadata(result_columns: Any, context: Any, description: Any) -> CursorResultMetaData:
    """SQLAlchemy's result metadata, built once per cached statement (it depends only on the
    statement) and afresh for a statement `databases` compiled itself."""
    kept = kept_result(result_columns)
    if kept is not None and kept.metadata is not None and kept.metadata[0] == description:
        return kept.metadata[1]
    metadata = CursorResultMetaData(context, description)
    if kept is not None:
        kept.metadata = (description, metadata)
    return metadata


class OneTripStatements:
    """Bound onto each `databases` SQLite backend connection in place of its fetch_all,
    fetch_one and execute. A short read outside a transaction runs on the event loop's thread
    instead, where `inline` allows (see forum/db/sqlite_inline_reads.py)."""

    def __init__(self, backend_connection: Any, inline: InlineReads | None) -> None:
        self.backend_connection = backend_connection
        self.inline = inline

    async def _trip(self, query: ClauseElement, fetch: str) -> tuple[Any, Any, Any]:
        made = self.backend_connection
        assert made._connection is not None, "Connection is not acquired"
        sql, args, result_columns, context = made._compile(query)
        aio = made._connection
        inline = self.inline
        if fetch != "execute" and inline is not None and inline.takes(sql) and not aio._conn.in_transaction:
            try:
                return inline.run(run_statement, sql, args, fetch), result_columns, context
            except SentToThread:
                pass
        return await aio._execute(run_statement, aio._conn, sql, args, fetch), result_columns, context

    def _records(self, rows: list[Any], description: Any, result_columns: Any, context: Any) -> list[Record]:
        metadata = _metadata(result_columns, context, description)
        maps, dialect = column_maps(result_columns), self.backend_connection._dialect
        return [Record(Row(metadata, metadata._processors, metadata._keymap, row), result_columns,
                       dialect, maps) for row in rows]

    async def fetch_all(self, query: ClauseElement) -> list[Record]:
        (description, rows), result_columns, context = await self._trip(query, "all")
        return self._records(rows, description, result_columns, context) if rows else []

    async def fetch_one(self, query: ClauseElement) -> Record | None:
        (description, row), result_columns, context = await self._trip(query, "one")
        return None if row is None else self._records([row], description, result_columns, context)[0]

    async def execute(self, query: ClauseElement) -> Any:
        result, _, _ = await self._trip(query, "execute")
        return result


def install(backend: Any, inline: InlineReads | None = None) -> None:
    """Make every connection `backend` (`databases`' SQLite backend) hands out run its
    statements in one trip, and its short reads through `inline`."""
    make_connection = backend.connection

    def connection() -> Any:
        made = make_connection()
        statements = OneTripStatements(made, inline)
        made.fetch_all, made.fetch_one, made.execute = (
            statements.fetch_all, statements.fetch_one, statements.execute)
        return made

    backend.connection = connection
