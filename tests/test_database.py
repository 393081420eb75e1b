"""The database layer: migrations, SQLite settings on every connection, default channels."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
import sqlalchemy as sa

from forum.db import channels
from forum.db.channels import DEFAULT_CHANNELS
from forum.db.engine import Database


async def test_default_channels_exist_on_an_empty_database(forum):
    rows = await channels.all_channels(forum.db)
    assert [r["name"] for r in rows] == [
        "Welcome", "Announcements", "General Chat", "Tools & Methods",
        "Evaluation & Measuring Impact", "Values & Principles"]
    assert all(r["description"] for r in rows)


async def test_default_channels_are_created_once(forum):
    await channels.ensure_defaults(forum.db)
    await channels.ensure_defaults(forum.db)
    assert len(await channels.all_channels(forum.db)) == len(DEFAULT_CHANNELS)


async def test_sqlite_pragmas_hold_on_every_connection(tmp_path, sqlite_template):
    """`databases` opens a new connection per acquire; each must have the PRAGMAs."""
    path = tmp_path / "f.db"
    path.write_bytes(sqlite_template.read_bytes())
    db = Database(f"sqlite:///{path}")
    await db.connect()
    try:
        async def pragmas():
            async with db.connection():
                return (await db.fetch_val("PRAGMA foreign_keys"),
                        await db.fetch_val("PRAGMA busy_timeout"),
                        await db.fetch_val("PRAGMA journal_mode"))
        results = await asyncio.gather(*(pragmas() for _ in range(5)))
    finally:
        await db.disconnect()
    assert results == [(1, 10_000, "wal")] * 5


SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY  # PostgreSQL always enforces foreign keys
async def test_sqlite_foreign_keys_are_enforced(forum):
    with pytest.raises(sqlite3.IntegrityError):
        await forum.db.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) "
            "VALUES ('x', 999, '2026-01-01', '2026-01-01')")


async def test_transaction_rolls_back_everything_on_error(forum):
    with pytest.raises(RuntimeError):
        async with forum.db.transaction():
            await forum.db.execute(sa.text(
                "UPDATE channels SET thread_count = 42 WHERE slug = 'welcome'"))
            raise RuntimeError("boom")
    welcome = await channels.by_slug(forum.db, "welcome")
    assert welcome["thread_count"] == 0


@SQLITE_ONLY  # read-then-write without a row lock is serialised by SQLite's write lock only
async def test_concurrent_write_transactions_all_commit(forum):
    """Many writers at once: none fails with 'database is locked' and none is lost."""
    async def bump():
        async with forum.db.transaction():
            value = await forum.db.fetch_val(
                sa.text("SELECT thread_count FROM channels WHERE slug = 'general-chat'"))
            await asyncio.sleep(0)
            await forum.db.execute(
                "UPDATE channels SET thread_count = :v WHERE slug = 'general-chat'", {"v": value + 1})
    await asyncio.gather(*(bump() for _ in range(20)))
    chat = await channels.by_slug(forum.db, "general-chat")
    assert chat["thread_count"] == 20


def test_unknown_broadcast_urls_are_refused_clearly():
    from forum.realtime.backends import MemoryBackend, backend_for

    assert isinstance(backend_for("memory://", "a-forum"), MemoryBackend)
    assert type(backend_for("redis://127.0.0.1:6379/0", "a-forum")).__name__ == "RedisBackend"
    for url in ("kafka://x", "127.0.0.1:6379"):
        with pytest.raises(ValueError, match="FORUM_BROADCAST_URL"):
            backend_for(url, "a-forum")


async def test_migrations_build_exactly_the_schema_in_tables_py(forum):
    """forum/db/tables.py is the one schema: the migrations must not drift from it."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine

    from forum.db.engine import async_driver_url
    from forum.db.tables import metadata

    engine = create_async_engine(async_driver_url(forum.db.url))
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata))
    await engine.dispose()
    # The full-text indexes are engine-specific (FTS5 / tsvector) and live in migrations alone:
    # post_search (0002) and message_search (0026).
    assert [d for d in diff if "post_search" not in str(d) and "message_search" not in str(d)] == []
