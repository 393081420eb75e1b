"""The mail outbox: queued in the causing change's transaction, claimed by senders, marked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import mail_outbox, users


async def insert(db: Database, *, kind: str, user_id: int | None, recipient: str, message: str,
                 now: datetime, due_at: datetime | None = None) -> int:
    """Call inside the causing change's db.transaction(): the mail exists if and only if the
    change committed."""
    return await db.execute(mail_outbox.insert().values(
        kind=kind, user_id=user_id, recipient=recipient, message=message, created_at=now,
        next_attempt_at=due_at or now, attempts=0))


_DUE = sa.and_(mail_outbox.c.sent_at.is_(None), mail_outbox.c.failed_at.is_(None))


async def any_due(db: Database, now: datetime) -> bool:
    """A plain read first: an idle outbox costs the senders no write lock (and no write)."""
    return await db.fetch_val(sa.select(mail_outbox.c.id).where(
        _DUE, mail_outbox.c.next_attempt_at <= now).limit(1)) is not None


async def claim_due(db: Database, now: datetime, limit: int, lease: timedelta) -> list[Any]:
    """Messages due now, each moved `lease` into the future and counted as an attempt, so no
    other sender (process or host) takes them meanwhile. PostgreSQL skips rows another sender
    has locked this instant (FOR UPDATE SKIP LOCKED); SQLite's write lock, taken at BEGIN
    IMMEDIATE, lets one sender claim at a time. A sender that dies holding a claim leaves its
    messages to be taken again when the lease runs out."""
    async with db.transaction():
        rows = await db.fetch_all(
            sa.select(mail_outbox).where(_DUE, mail_outbox.c.next_attempt_at <= now)
            .order_by(mail_outbox.c.next_attempt_at, mail_outbox.c.id).limit(limit)
            .with_for_update(skip_locked=True))
        if rows:
            await db.execute(mail_outbox.update().where(mail_outbox.c.id.in_([r["id"] for r in rows]))
                             .values(next_attempt_at=now + lease, attempts=mail_outbox.c.attempts + 1))
    return rows


async def release(db: Database, ids: list[int], now: datetime) -> None:
    """Give back claims on messages not tried after all: due now, the attempt uncounted."""
    if ids:
        await db.execute(mail_outbox.update()
                         .where(mail_outbox.c.id.in_(ids), mail_outbox.c.sent_at.is_(None))
                         .values(next_attempt_at=now, attempts=mail_outbox.c.attempts - 1))


async def mark_sent(db: Database, message_id: int, now: datetime) -> None:
    await db.execute(mail_outbox.update().where(mail_outbox.c.id == message_id)
                     .values(sent_at=now, last_error=""))


async def retry_later(db: Database, message_id: int, error: str, at: datetime) -> None:
    await db.execute(mail_outbox.update().where(mail_outbox.c.id == message_id)
                     .values(next_attempt_at=at, last_error=error[:500]))


async def give_up(db: Database, row: Any, error: str, now: datetime) -> None:
    """Never to be tried again; the member sees why on /settings if it was their address."""
    async with db.transaction():
        await db.execute(mail_outbox.update().where(mail_outbox.c.id == row["id"])
                         .values(failed_at=now, last_error=error[:500]))
        if row["user_id"] is not None:
            await db.execute(users.update().where(users.c.id == row["user_id"],
                                                  users.c.email == row["recipient"])
                             .values(email_problem=f"Mail to this address failed: {error}"[:300]))


async def summary(db: Database) -> dict[str, int]:
    """How many messages wait to go out, how many of those have failed at least once (and wait
    to be tried again), and how many were given up: one grouped read, for /metrics."""
    waiting = sa.and_(mail_outbox.c.sent_at.is_(None), mail_outbox.c.failed_at.is_(None))
    row = await db.fetch_one(sa.select(
        sa.func.count().filter(waiting).label("waiting"),
        sa.func.count().filter(waiting, mail_outbox.c.attempts > 0).label("retrying"),
        sa.func.count().filter(mail_outbox.c.failed_at.is_not(None)).label("failed")))
    return {"waiting": row["waiting"] or 0, "retrying": row["retrying"] or 0, "failed": row["failed"] or 0}


async def pending_for(db: Database, recipient: str) -> list[Any]:
    return await db.fetch_all(sa.select(mail_outbox).where(mail_outbox.c.recipient == recipient)
                              .order_by(mail_outbox.c.id))


async def delete_sent_before(db: Database, moment: datetime) -> None:
    await db.execute(mail_outbox.delete().where(mail_outbox.c.sent_at < moment))
