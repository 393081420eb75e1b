"""Queries on reported private messages: the moderators' queue holds each reported message
alone, never the conversation around it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import message_reports, messages, users


async def add(db: Database, message_id: int, reporter_id: int, reason: str, now: datetime) -> int:
    return await db.execute(message_reports.insert().values(
        message_id=message_id, reporter_id=reporter_id, reason=reason, created_at=now))


async def by_id(db: Database, report_id: int) -> Any:
    return await db.fetch_one(sa.select(message_reports).where(message_reports.c.id == report_id))


async def open_reports(db: Database, limit: int = 100) -> list[Any]:
    author = users.alias("author")
    reporter = users.alias("reporter")
    return await db.fetch_all(
        sa.select(message_reports.c.id, message_reports.c.reason, message_reports.c.created_at,
                  messages.c.id.label("message_id"), messages.c.html,
                  messages.c.created_at.label("message_created_at"),
                  author.c.username.label("author_username"),
                  author.c.display_name.label("author_display_name"),
                  reporter.c.username.label("reporter_username"))
        .join(messages, messages.c.id == message_reports.c.message_id)
        .join(author, author.c.id == messages.c.author_id)
        .join(reporter, reporter.c.id == message_reports.c.reporter_id)
        .where(message_reports.c.resolved_at.is_(None)).order_by(message_reports.c.id).limit(limit))


async def resolve(db: Database, message_id: int, by: int, now: datetime) -> None:
    """Dismissing one report settles every open report of the same message."""
    await db.execute(message_reports.update().where(
        message_reports.c.message_id == message_id, message_reports.c.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by=by))
