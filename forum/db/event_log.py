"""The durable event log behind live updates.

Every change appends its events inside the change's own transaction, so a rolled-back change
never reaches a browser, and clients resume from the log by id.

The classic hole: on PostgreSQL a sequence hands out ids at insert, and transactions can
commit out of order, so a reader that saw id 11 might never see id 10. Here each appender
takes one transaction-scoped advisory lock *before* its id is drawn and holds it until commit,
so ids are drawn in commit order: whoever sees id N can already see every id below it.
SQLite needs nothing extra: BEGIN IMMEDIATE already admits one writer at a time.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from forum.clock import utcnow
from forum.db.engine import Database
from forum.db.tables import events, meta

# Any fixed 64-bit number; it names the lock that orders event ids across all processes.
EVENT_LOG_LOCK = 0x666F72756D5F6576  # "forum_ev"
PRUNED_THROUGH = "events_pruned_through"


async def append(db: Database, channel: str, event_type: str, data: dict[str, Any]) -> None:
    """Append one event; call inside `db.transaction()`.

    The row is written at the very end of the transaction, just before it commits. The lock
    that orders ids must be the last lock a transaction takes: taken early, a writer holding it
    could wait on a row another writer holds while that one waits for the lock (a deadlock
    PostgreSQL found when replies started sending notifications mid-transaction)."""
    async def write(rows: list[dict[str, Any]]) -> None:
        # One statement for the transaction's events; ids are drawn in the order of the rows.
        await db.execute(events.insert().values(rows) if db.is_sqlite else _locked_insert(rows))

    db.rows_before_commit("events", write).append({
        "channel": channel, "type": event_type, "created_at": utcnow(),
        "data": json.dumps(data, ensure_ascii=False)})


# PostgreSQL evaluates the uncorrelated sub-select once, before the first row, so the lock is
# held before any id is drawn, and taking it costs no round trip of its own while other writers
# queue behind it. One statement whatever the number of rows: it is prepared once.
_LOCKED_INSERT = sa.text(
    "INSERT INTO events (channel, type, data, created_at)"
    " SELECT * FROM unnest(CAST(:channels AS VARCHAR[]), CAST(:types AS VARCHAR[]),"
    " CAST(:data AS TEXT[]), CAST(:created AS TIMESTAMPTZ[]))"
    " WHERE (SELECT pg_advisory_xact_lock(:lock) IS NOT NULL)")


def _locked_insert(rows: list[dict[str, Any]]) -> sa.TextClause:
    return _LOCKED_INSERT.bindparams(
        channels=[row["channel"] for row in rows], types=[row["type"] for row in rows],
        data=[row["data"] for row in rows], created=[row["created_at"] for row in rows],
        lock=EVENT_LOG_LOCK)


async def after(db: Database, since: int, channels: list[str] | None = None,
                limit: int = 500) -> list[Any]:
    """Events with id > since, oldest first; on the given channels, or on all."""
    query = sa.select(events).where(events.c.id > since).order_by(events.c.id).limit(limit)
    if channels is not None:
        query = query.where(events.c.channel.in_(channels))
    return await db.fetch_all(query)


async def latest_id(db: Database) -> int:
    return await db.fetch_val(sa.select(sa.func.coalesce(sa.func.max(events.c.id), 0))) or 0


async def pruned_through(db: Database) -> int:
    value = await db.fetch_val(sa.select(meta.c.value).where(meta.c.key == PRUNED_THROUGH))
    return int(value) if value else 0


async def prune(db: Database, *, max_count: int, max_age_seconds: int) -> int:
    """Drop events beyond the kept window; remember how far, so older `since` gets a reset."""
    async with db.transaction():
        newest = await latest_id(db)
        by_count = newest - max_count
        by_age = await db.fetch_val(sa.select(sa.func.max(events.c.id)).where(
            events.c.created_at < utcnow() - timedelta(seconds=max_age_seconds))) or 0
        cut = max(by_count, by_age, 0)
        if cut <= await pruned_through(db):
            return 0
        deleted = await db.execute(events.delete().where(events.c.id <= cut))
        await db.execute(meta.delete().where(meta.c.key == PRUNED_THROUGH))
        await db.execute(meta.insert().values(key=PRUNED_THROUGH, value=str(cut)))
        return deleted or 0


def decode_data(row: Any) -> dict[str, Any]:
    return json.loads(row["data"])
