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
from forum.db.raw import RawSelect, columns_sql
from forum.db.tables import live_log as entries
from forum.db.tables import meta

# Any fixed 64-bit number; it names the lock that orders event ids across all processes.
EVENT_LOG_LOCK = 0x666F72756D5F6576  # "forum_ev"
PRUNED_THROUGH = "live_log_pruned_through"


async def append(db: Database, channel: str, event_type: str, data: dict[str, Any], *,
                 subject: str | None = None, author_id: int | None = None) -> None:
    """Append one event; call inside `db.transaction()`. An event that carries what a member
    wrote names its `subject` (and the `author_id` whose name it shows), so that `restate`
    can bring it up to date when that changes or is taken down.

    The row is written at the very end of the transaction, just before it commits. The lock
    that orders ids must be the last lock a transaction takes: taken early, a writer holding it
    could wait on a row another writer holds while that one waits for the lock (a deadlock
    PostgreSQL found when replies started sending notifications mid-transaction)."""
    _pending(db).append({
        "channel": channel, "type": event_type, "created_at": utcnow(),
        "data": json.dumps(data, ensure_ascii=False), "subject": subject, "author_id": author_id})


def _pending(db: Database) -> list[dict[str, Any]]:
    """The events this transaction has appended so far; written in one statement before commit,
    after which the hub is woken and the caches told (each row then carries its `id`)."""
    async def write(rows: list[dict[str, Any]]) -> None:
        # One statement for the transaction's events; ids are drawn in the order of the rows.
        if rows:  # a restate alone appends nothing
            statement = (entries.insert().values(rows).returning(entries.c.id) if db.is_sqlite
                         else _locked_insert(rows))
            ids = sorted(row[0] for row in await db.fetch_all(statement))
            for row, event_id in zip(rows, ids, strict=True):
                row["id"] = event_id

    return db.rows_before_commit("live_log", write)


# PostgreSQL evaluates the uncorrelated sub-select once, before the first row, so the lock is
# held before any id is drawn, and taking it costs no round trip of its own while other writers
# queue behind it. One statement whatever the number of rows: it is prepared once.
_LOCKED_INSERT = sa.text(
    "INSERT INTO live_log (channel, type, data, created_at, subject, author_id)"
    " SELECT * FROM unnest(CAST(:channels AS VARCHAR[]), CAST(:types AS VARCHAR[]),"
    " CAST(:data AS TEXT[]), CAST(:created AS TIMESTAMPTZ[]), CAST(:subjects AS VARCHAR[]),"
    " CAST(:authors AS INTEGER[]))"
    " WHERE (SELECT pg_advisory_xact_lock(:lock) IS NOT NULL)"
    " RETURNING id")


def _locked_insert(rows: list[dict[str, Any]]) -> sa.TextClause:
    return _LOCKED_INSERT.bindparams(
        channels=[row["channel"] for row in rows], types=[row["type"] for row in rows],
        data=[row["data"] for row in rows], created=[row["created_at"] for row in rows],
        subjects=[row["subject"] for row in rows], authors=[row["author_id"] for row in rows],
        lock=EVENT_LOG_LOCK)


async def restate(db: Database, subject: str, changes: dict[str, Any], *,
                  event_type: str | None = None) -> int:
    """Bring every logged event about `subject` up to date; call inside the transaction that
    changes it. Each key of `changes` replaces that key where an event's data has it (an event
    without it keeps its shape), so a replay shows the post, title or name as it stands now and
    never what was edited, deleted or hidden away. With `event_type`, the events also take that
    type and `changes` as their whole data (a banner cleared: every earlier banner event says
    so). Returns how many events were rewritten."""
    def restated(row_type: str, encoded: str) -> tuple[str, str]:
        if event_type is not None:
            return event_type, json.dumps(changes, ensure_ascii=False)
        data = json.loads(encoded)
        data.update({key: value for key, value in changes.items() if key in data})
        return row_type, json.dumps(data, ensure_ascii=False)

    # Events this same transaction appended before the change are not written yet.
    for pending in _pending(db):
        if pending["subject"] == subject:
            pending["type"], pending["data"] = restated(pending["type"], pending["data"])
    rows = await db.fetch_all(sa.select(entries.c.id, entries.c.type, entries.c.data)
                              .where(entries.c.subject == subject).order_by(entries.c.id))
    updates = []
    for row in rows:
        new_type, new_data = restated(row["type"], row["data"])
        updates.append({"event_id": row["id"], "new_type": new_type, "new_data": new_data})
    if updates:  # a busy thread's row is in thousands of events: one statement for them all
        await db.execute_many(_RESTATE, updates)
    return len(rows)


# A plain string: `databases` binds each row's values to it (a Core update would take them as
# columns to set).
_RESTATE = "UPDATE live_log SET type = :new_type, data = :new_data WHERE id = :event_id"


async def subjects_shown_with(db: Database, author_id: int) -> list[str]:
    """The subjects of logged events that show this member's name."""
    rows = await db.fetch_all(sa.select(entries.c.subject).distinct().where(
        entries.c.author_id == author_id, entries.c.subject.is_not(None)))
    return [row["subject"] for row in rows]


# Every process's hub reads the log after each doorbell it answers and at every poll: plain SQL
# (forum/db/raw.py), no statement compiled per read. tests/test_raw_reads.py checks each
# against its Core statement (`headings_query`, and `after`'s).
HEADING_COLUMNS = (entries.c.id, entries.c.channel, entries.c.type, entries.c.author_id, entries.c.subject)
_HEADINGS = RawSelect(
    "SELECT live_log.id, live_log.channel, live_log.type, live_log.author_id, live_log.subject"
    " FROM live_log WHERE live_log.id > ? ORDER BY live_log.id LIMIT ?", HEADING_COLUMNS)
# The channels go as one value: an array on PostgreSQL, a JSON list on SQLite.
_FOLLOWED = ("SELECT {columns} FROM live_log WHERE live_log.id > ? AND live_log.id <= ?"
             " AND live_log.channel {among} ORDER BY live_log.id LIMIT ?")
_FOLLOWED_POSTGRES = RawSelect(_FOLLOWED.format(columns=columns_sql(entries), among="= ANY(?)"),
                               list(entries.columns))
_FOLLOWED_SQLITE = RawSelect(_FOLLOWED.format(columns=columns_sql(entries),
                                              among="IN (SELECT value FROM json_each(?))"),
                             list(entries.columns))


def headings_query(since: int, limit: int) -> sa.Select[Any]:
    return (sa.select(*HEADING_COLUMNS).where(entries.c.id > since).order_by(entries.c.id).limit(limit))


async def followed_after(db: Database, since: int, through: int, channels: list[str],
                         limit: int) -> list[Any]:
    """What `after(db, since, channels, limit, through=through)` answers, for the hub."""
    if db.is_sqlite:
        return await _FOLLOWED_SQLITE.fetch_all(db, since, through, json.dumps(channels), limit)
    return await _FOLLOWED_POSTGRES.fetch_all(db, since, through, channels, limit)


async def after(db: Database, since: int, channels: list[str] | None = None,
                limit: int = 500, *, through: int | None = None) -> list[Any]:
    """Events with id > since (and <= through), oldest first; on the given channels, or on all."""
    query = sa.select(entries).where(entries.c.id > since).order_by(entries.c.id).limit(limit)
    if channels is not None:
        query = query.where(entries.c.channel.in_(channels))
    if through is not None:
        query = query.where(entries.c.id <= through)
    return await db.fetch_all(query)


async def headings_after(db: Database, since: int, limit: int = 500) -> list[Any]:
    """What `after` gives without the events' data: enough to tell whose they are, and (by
    channel and subject) which cached pages they touch."""
    return await _HEADINGS.fetch_all(db, since, limit)


async def latest_id(db: Database) -> int:
    return await db.fetch_val(sa.select(sa.func.coalesce(sa.func.max(entries.c.id), 0))) or 0


async def pruned_through(db: Database) -> int:
    value = await db.fetch_val(sa.select(meta.c.value).where(meta.c.key == PRUNED_THROUGH))
    return int(value) if value else 0


async def prune(db: Database, *, max_count: int, max_age_seconds: int) -> int:
    """Drop events beyond the kept window; remember how far, so older `since` gets a reset."""
    async with db.transaction():
        newest = await latest_id(db)
        by_count = newest - max_count
        by_age = await db.fetch_val(sa.select(sa.func.max(entries.c.id)).where(
            entries.c.created_at < utcnow() - timedelta(seconds=max_age_seconds))) or 0
        cut = max(by_count, by_age, 0)
        if cut <= await pruned_through(db):
            return 0
        deleted = await db.execute(entries.delete().where(entries.c.id <= cut))
        await db.execute(meta.delete().where(meta.c.key == PRUNED_THROUGH))
        await db.execute(meta.insert().values(key=PRUNED_THROUGH, value=str(cut)))
        return deleted or 0


def decode_data(row: Any) -> dict[str, Any]:
    return json.loads(row["data"])
