"""The forum's SQLite backend for `databases`: a bounded pool of aiosqlite connections.

`databases`' own SQLite "pool" opens a new aiosqlite connection (a file handle and a thread)
on every acquire and closes it on release. This one keeps them open for reuse. It plugs in by
the public road: `databases.Database.SUPPORTED_BACKENDS` maps the URL scheme to a backend class
(see ForumDatabases), which implements `databases.interfaces.DatabaseBackend`. Its connections
are forum/db/sqlite_statements.py's OneTripConnection, which runs each statement in one trip
to the connection's thread (`databases`' own SQLiteConnection takes three).
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import aiosqlite
import databases
from databases.core import DatabaseURL
from databases.interfaces import DatabaseBackend
from sqlalchemy.dialects.sqlite import pysqlite

from forum.db.sqlite_statements import OneTripConnection

# Seconds a SQLite writer waits for another process's write lock before giving up.
SQLITE_BUSY_TIMEOUT_SECONDS = 10
# SQLite connections kept open for reuse; also the most a process uses at once, so a burst of
# requests waits its turn instead of starting a driver thread each (they all share one GIL).
SQLITE_POOL_SIZE = 8
# A request that waits this long for a pooled connection opens one of its own instead: slower
# than waiting, but never stuck behind requests that are themselves waiting on it.
SQLITE_POOL_WAIT_SECONDS = 5.0


class ForumSQLiteConnection(sqlite3.Connection):
    """What must hold on every connection is set in the connection's constructor, so no
    connection, pooled or overflow, can be handed out without it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA foreign_keys = ON")
        self.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        # A commit is on disk before its 201 goes out. In WAL, NORMAL would survive a killed
        # process but could lose the last commits to a power cut; FULL is most builds' default,
        # not every build's, so it is said here.
        self.execute("PRAGMA synchronous = FULL")
        # Rows that carry their field names, so a statement's rows and its names come back in
        # one trip (aiosqlite's execute_fetchall returns rows only).
        self.row_factory = sqlite3.Row


class SQLiteConnectionPool:
    """Open aiosqlite connections, at most `size` handed out at once; one that waited too long
    gets an overflow connection of its own, closed on release."""

    def __init__(self, database: str, size: int = SQLITE_POOL_SIZE) -> None:
        self.database = database
        self.size = size
        self._idle: list[aiosqlite.Connection] = []
        self._slots = asyncio.Semaphore(size)
        self._overflow: set[int] = set()
        self.opened = 0  # connections opened so far (tests read it)

    async def acquire(self) -> aiosqlite.Connection:
        try:
            async with asyncio.timeout(SQLITE_POOL_WAIT_SECONDS):
                await self._slots.acquire()
        except TimeoutError:
            connection = await self._open()
            self._overflow.add(id(connection))
            return connection
        try:
            return self._idle.pop() if self._idle else await self._open()
        except BaseException:
            self._slots.release()
            raise

    async def release(self, connection: aiosqlite.Connection) -> None:
        if id(connection) in self._overflow:
            self._overflow.discard(id(connection))
            await _close_quietly(connection)
            return
        try:
            if connection.in_transaction:  # a task cut off mid-transaction: never hand that on
                await connection.rollback()
            self._idle.append(connection)
        except Exception:
            await _close_quietly(connection)
        finally:
            self._slots.release()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await _close_quietly(connection)

    async def _open(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(
            self.database, isolation_level=None, factory=ForumSQLiteConnection,
            timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
        self.opened += 1
        return connection


async def _close_quietly(connection: aiosqlite.Connection) -> None:
    try:
        await connection.close()
    except Exception:  # a connection that failed is dropped either way
        pass


class ForumSQLiteBackend(DatabaseBackend):
    """`databases.interfaces.DatabaseBackend` for sqlite:/// URLs, over SQLiteConnectionPool."""

    def __init__(self, database_url: DatabaseURL | str, **options: Any) -> None:
        url = DatabaseURL(database_url)
        if url.options or options:
            raise ValueError(f"the forum's SQLite backend takes a plain file URL, not {url!r} {options!r}")
        self.pool = SQLiteConnectionPool(url.database)
        # As `databases`' own SQLite backend compiles: question-mark parameters, no Decimal.
        self.dialect = pysqlite.dialect(paramstyle="qmark")
        self.dialect.supports_native_decimal = False

    async def connect(self) -> None:
        pass  # connections open when first needed

    async def disconnect(self) -> None:
        await self.pool.close()

    def connection(self) -> OneTripConnection:
        return OneTripConnection(self.pool, self.dialect)


class ForumDatabases(databases.Database):
    """`databases.Database` with sqlite:/// served by ForumSQLiteBackend; every other scheme
    as `databases` serves it."""

    SUPPORTED_BACKENDS = {**databases.Database.SUPPORTED_BACKENDS,
                          "sqlite": f"{__name__}:ForumSQLiteBackend"}
