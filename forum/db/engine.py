"""The database handle: `databases` over SQLAlchemy Core, with what must hold on every
connection set where connections are made, and write transactions that serialise cleanly."""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import databases
from sqlalchemy.sql import ClauseElement

from forum.db.sqlite_backend import ForumDatabases
from forum.settings import sqlite_path

log = logging.getLogger("forum.db")


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
        if url.startswith("postgres"):
            options = {"min_size": 1, "max_size": 20}
        self._db = ForumDatabases(url, **options)
        # One writer at a time inside this process; SQLite's own lock covers other processes.
        self._sqlite_write_lock = asyncio.Lock()
        # Told how long each request waited for a pooled connection (see connection()).
        self.on_connection_wait: Callable[[float], None] | None = None
        # What to run after a transaction that wrote rows under a name commits (see watch_commits).
        self._watchers: dict[str, list[Callable[[list[Any]], Awaitable[None]]]] = {}

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
    async def connection(self) -> AsyncIterator[databases.core.Connection]:
        """Hold one connection for the enclosed queries of this task (inside a transaction, the
        transaction's). Its public `raw_connection` is the driver's own: an aiosqlite connection
        on SQLite, an asyncpg one on PostgreSQL (forum/db/raw.py reads through it). How long
        taking it from the pool took goes to `on_connection_wait` (the pool-wait histogram)."""
        started = time.perf_counter()
        async with self._db.connection() as connection:
            if self.on_connection_wait is not None:
                self.on_connection_wait(time.perf_counter() - started)
            yield connection

    def before_commit(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` at the end of the current transaction, after everything else in it and
        just before it commits (the event log uses this: see forum/db/live_log.py)."""
        self._commit_work().append(work)

    def rows_before_commit(self, name: str, write: Callable[[list[Any]], Awaitable[None]]) -> list[Any]:
        """A list that lives for the current transaction; the first call for `name` arranges
        for `write(rows)` to run once before commit, so many rows cost one statement, and for
        whatever watches `name` to run once after the commit."""
        work = self._commit_work()
        rows = work.batches.get(name)
        if rows is None:
            rows = work.batches[name] = []
            work.append(lambda: write(rows))
            for watcher in self._watchers.get(name, ()):
                self.after_commit(functools.partial(watcher, rows))
        return rows

    def after_commit(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` once the current transaction has committed; never if it rolls back. The
        same callable registered twice runs once. A failure there is logged: the change stands."""
        after = self._commit_work().after
        if work not in after:
            after.append(work)

    def watch_commits(self, name: str, callback: Callable[[list[Any]], Awaitable[None]]) -> None:
        """Call `callback(rows)` after every transaction of this process that wrote `rows` under
        `name` (see rows_before_commit): the caches drop what the events touch and the hub is
        woken this way, so no action can forget either and a rolled-back one does neither."""
        self._watchers.setdefault(name, []).append(callback)

    @staticmethod
    def _commit_work() -> _CommitWork:
        work = _BEFORE_COMMIT.get()
        if work is None:
            raise RuntimeError("before_commit needs an open db.transaction()")
        return work

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A write transaction: everything inside commits together or not at all."""
        if _BEFORE_COMMIT.get() is not None:  # nested: the outermost one commits
            yield
            return
        pending = _CommitWork()
        token = _BEFORE_COMMIT.set(pending)
        try:
            if not self.is_sqlite:
                async with self._db.transaction():
                    yield
                    await _run(pending)
            else:
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
        for work in pending.after:
            try:
                await work()
            except Exception:
                log.warning("after-commit work failed; the change itself is committed", exc_info=True)


class _CommitWork(list[Callable[[], Awaitable[None]]]):
    """What runs before the current transaction commits, in order, and the rows gathered
    for it by name (see rows_before_commit)."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: dict[str, list[Any]] = {}
        self.after: list[Callable[[], Awaitable[None]]] = []


_BEFORE_COMMIT: ContextVar[_CommitWork | None] = ContextVar("forum_before_commit", default=None)


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
