"""Short SQLite reads on the event loop's thread (forum/db/sqlite_inline_reads.py): what runs
there, what must not, and that the loop never waits on a read that would stall it."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from forum.db.engine import Database
from forum.db.sqlite_statements import run_statement

HEAVY_READ = ("SELECT (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000)"
              " SELECT count(*) FROM n) AS counted")


@pytest.fixture
async def db(sqlite_template, tmp_path):
    """SQLite only: PostgreSQL's driver runs on the event loop already."""
    shutil.copy(sqlite_template, tmp_path / "forum.db")
    database = Database(f"sqlite:///{tmp_path / 'forum.db'}")
    await database.connect()
    await database.execute("CREATE TABLE notes (slug TEXT PRIMARY KEY, name TEXT)")
    await database.execute("INSERT INTO notes VALUES ('welcome', 'First')")
    yield database
    await database.disconnect()


async def test_a_read_outside_a_transaction_runs_inline_and_sees_every_commit(db):
    before = db.inline_reads.reads
    async with db.transaction():
        await db.execute("UPDATE notes SET name = 'Committed' WHERE slug = 'welcome'")
    assert await db.fetch_val("SELECT name FROM notes WHERE slug = 'welcome'") == "Committed"
    assert db.inline_reads.reads == before + 1


async def test_a_read_inside_a_transaction_sees_its_own_writes_on_its_own_connection(db):
    before = db.inline_reads.reads
    async with db.transaction():
        await db.execute("UPDATE notes SET name = 'Not yet committed' WHERE slug = 'welcome'")
        assert await db.fetch_val("SELECT name FROM notes WHERE slug = 'welcome'") == "Not yet committed"
        assert db.inline_reads.reads == before
        # Another connection (the inline one among them) does not see it before the commit.
        read = "SELECT name FROM notes WHERE slug = 'welcome'"
        _, row = db.inline_reads.run(run_statement, read, (), "one")
        assert row[0] != "Not yet committed"


async def test_a_write_that_returns_rows_is_never_run_inline(db):
    before = db.inline_reads.reads
    name = await db.fetch_val("UPDATE notes SET name = 'Returned' WHERE slug = 'welcome' RETURNING name")
    assert name == "Returned"
    assert await db.fetch_val("SELECT name FROM notes WHERE slug = 'welcome'") == "Returned"
    assert db.inline_reads.reads == before + 1  # only the SELECT


async def test_a_read_over_budget_is_finished_on_a_thread_and_its_shape_stays_there(db):
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    running = asyncio.create_task(ticker())
    try:
        assert await db.fetch_val(HEAVY_READ) == 3_000_000
        assert HEAVY_READ in db.inline_reads.heavy
        before = db.inline_reads.reads
        assert await db.fetch_val(HEAVY_READ) == 3_000_000
        assert db.inline_reads.reads == before
    finally:
        running.cancel()
    assert ticks >= 3, "the event loop stood still while the heavy read ran"
