"""The database handle: `databases` over SQLAlchemy Core, with what must hold on every
connection set where connections are made, and write transactions that serialise cleanly."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import databases
from sqlalchemy.sql import ClauseElement

from forum.settings import sqlite_path

# Seconds a SQLite writer waits for another process's write lock before giving up.
SQLITE_BUSY_TIMEOUT_SECONDS = 10


class ForumSQLiteConnection(sqlite3.Connection):
    """`databases` opens a fresh aiosqlite connection on every acquire and would silently drop
    PRAGMAs set once, so they are set here, in the connection's constructor."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA foreign_keys = ON")
        self.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")


def async_driver_url(database_url: str) -> str:
    """The SQLAlchemy async-driver spelling of a plain URL (for Alembic's engine)."""
    scheme, rest = database_url.split("://", 1)
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg",
              "postgres": "postgresql+asyncpg"}.get(scheme, scheme)
    return f"{driver}://{rest}"


def ensure_sqlite_file(database_url: str) -> None:
    """Create the SQLite file's folder and switch the file to WAL (a persistent setting)."""
    path = sqlite_path(database_url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


class Database:
    """One per app, opened in the lifespan. Reads go straight through; writes go through
    `transaction()`, which on SQLite takes the write lock up front (BEGIN IMMEDIATE) so two
    writers never deadlock upgrading a read lock."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        options: dict[str, Any] = {}
        if self.is_sqlite:
            options = {"factory": ForumSQLiteConnection, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        elif url.startswith("postgres"):
            options = {"min_size": 1, "max_size": 20}
        self._db = databases.Database(url, **options)
        # One writer at a time inside this process; SQLite's own lock covers other processes.
        self._sqlite_write_lock = asyncio.Lock()

    async def connect(self) -> None:
        if self.is_sqlite:
            ensure_sqlite_file(self.url)
        await self._db.connect()

    async def disconnect(self) -> None:
        await self._db.disconnect()

    async def fetch_all(self, query: ClauseElement | str, values: dict | None = None) -> list:
        return await self._db.fetch_all(query, values)

    async def fetch_one(self, query: ClauseElement | str, values: dict | None = None) -> Any:
        return await self._db.fetch_one(query, values)

    async def fetch_val(self, query: ClauseElement | str, values: dict | None = None) -> Any:
        return await self._db.fetch_val(query, values)

    async def execute(self, query: ClauseElement | str, values: dict | None = None) -> Any:
        return await self._db.execute(query, values)

    async def execute_many(self, query: ClauseElement | str, values: Sequence[Mapping]) -> None:
        await self._db.execute_many(query, list(values))

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[None]:
        """Hold one connection for the enclosed queries of this task."""
        async with self._db.connection():
            yield

    def before_commit(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` at the end of the current transaction, after everything else in it and
        just before it commits (the event log uses this: see forum/db/event_log.py)."""
        pending = _BEFORE_COMMIT.get()
        if pending is None:
            raise RuntimeError("before_commit needs an open db.transaction()")
        pending.append(work)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A write transaction: everything inside commits together or not at all."""
        if _BEFORE_COMMIT.get() is not None:  # nested: the outermost one commits
            yield
            return
        pending: list[Callable[[], Awaitable[None]]] = []
        token = _BEFORE_COMMIT.set(pending)
        try:
            if not self.is_sqlite:
                async with self._db.transaction():
                    yield
                    await _run(pending)
                return
            async with self._sqlite_write_lock, self._db.connection() as conn:
                raw = conn.raw_connection
                await raw.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    await _run(pending)
                except BaseException:
                    await raw.execute("ROLLBACK")
                    raise
                await raw.execute("COMMIT")
        finally:
            _BEFORE_COMMIT.reset(token)


_BEFORE_COMMIT: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar(
    "forum_before_commit", default=None)


async def _run(pending: list[Callable[[], Awaitable[None]]]) -> None:
    for work in pending:
        await work()


def is_unavailable(error: BaseException) -> bool:
    """The database did not answer (down, restarting, unreachable), as opposed to a bug:
    worth a 503 and a retry, not a 500."""
    import asyncpg

    if isinstance(error, sqlite3.OperationalError):
        return any(s in str(error) for s in ("locked", "unable to open", "disk I/O"))
    return isinstance(error, (OSError, TimeoutError, asyncpg.PostgresConnectionError,
                              asyncpg.exceptions.OperatorInterventionError,
                              asyncpg.exceptions.InterfaceError))
