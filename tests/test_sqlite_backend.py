"""The forum's SQLite backend for `databases` (forum/db/sqlite_backend.py): connections kept and
reused, never more than the pool's size at once, never handed on mid-transaction; and the public
`databases` behaviour it is built on, pinned so a new release that changes it fails here."""

from __future__ import annotations

import asyncio
import shutil

import aiosqlite
import databases
import pytest

from forum.db.engine import Database
from forum.db.sqlite_backend import (
    SQLITE_POOL_SIZE,
    ForumDatabases,
    ForumSQLiteBackend,
    SQLiteConnectionPool,
)
from forum.db.sqlite_statements import OneTripConnection


@pytest.fixture
async def db(sqlite_template, tmp_path):
    """SQLite only: PostgreSQL's pool is asyncpg's own."""
    shutil.copy(sqlite_template, tmp_path / "forum.db")
    database = Database(f"sqlite:///{tmp_path / 'forum.db'}")
    await database.connect()
    await database.execute("CREATE TABLE notes (slug TEXT PRIMARY KEY, name TEXT)")
    await database.execute("INSERT INTO notes VALUES ('welcome', 'First')")
    yield database
    await database.disconnect()


async def raw_of(db: Database) -> aiosqlite.Connection:
    async with db.connection() as connection:
        return connection.raw_connection


async def test_one_task_after_another_reuses_one_connection(db):
    seen = {id(await raw_of(db)) for _ in range(20)}
    for _ in range(5):
        assert await db.fetch_val("SELECT name FROM notes") == "First"
    assert seen == {id(await raw_of(db))}


async def test_concurrent_tasks_share_at_most_the_pools_size(db):
    holding = most = 0
    used: set[int] = set()

    async def read() -> None:
        nonlocal holding, most
        async with db.connection() as connection:
            holding += 1
            most = max(most, holding)
            used.add(id(connection.raw_connection))
            assert await db.fetch_val("SELECT count(*) FROM notes") == 1
            holding -= 1

    await asyncio.gather(*(read() for _ in range(3 * SQLITE_POOL_SIZE)))
    assert 1 < most <= SQLITE_POOL_SIZE
    assert len(used) <= SQLITE_POOL_SIZE


async def test_a_task_cut_off_mid_transaction_hands_on_a_clean_connection(db):
    written = asyncio.Event()

    async def writer() -> None:
        async with db.transaction():
            await db.execute("UPDATE notes SET name = 'Never committed'")
            written.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(writer())
    await written.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with db.connection() as connection:
        assert not connection.raw_connection.in_transaction
        assert await db.fetch_val("SELECT name FROM notes") == "First"
    async with db.transaction():  # and the write lock is free again
        await db.execute("UPDATE notes SET name = 'Second'")
    assert await db.fetch_val("SELECT name FROM notes") == "Second"


# -- the `databases` behaviour the backend relies on ------------------------------------------

def test_a_databases_subclass_picks_its_backend_by_url_scheme():
    """`Database.SUPPORTED_BACKENDS` is read through `self`, so a subclass names its own."""
    assert databases.__version__.startswith("0.9."), databases.__version__
    assert ForumDatabases.SUPPORTED_BACKENDS["sqlite"] == "forum.db.sqlite_backend:ForumSQLiteBackend"
    theirs = databases.Database.SUPPORTED_BACKENDS
    assert ForumDatabases.SUPPORTED_BACKENDS["postgresql"] == theirs["postgresql"]
    with pytest.raises(ValueError, match="plain file URL"):  # built by `databases` from the URL
        ForumDatabases("sqlite:///forum.db?cache=shared")


async def test_a_backend_connection_takes_and_gives_back_through_the_pool(tmp_path):
    """The backend's connection asks the pool for a connection on acquire, hands it out as
    `raw_connection`, and gives it back on release."""
    backend = ForumSQLiteBackend(f"sqlite:///{tmp_path / 'pool.db'}")
    pool: SQLiteConnectionPool = backend.pool
    try:
        first = backend.connection()
        assert isinstance(first, OneTripConnection)
        await first.acquire()
        raw = first.raw_connection
        assert isinstance(raw, aiosqlite.Connection)
        await first.release()
        second = backend.connection()
        await second.acquire()
        assert second.raw_connection is raw and pool.opened == 1
        await second.release()
    finally:
        await backend.disconnect()
