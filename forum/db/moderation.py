"""Queries for moderation: the log of moderator actions, and hidden posts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.clock import utcnow
from forum.db.engine import Database
from forum.db.tables import banners, flags, moderation_log, post_revisions, posts, threads, users


async def record(db: Database, actor_id: int, action: str, *, thread_id: int | None = None,
                 post_id: int | None = None, reason: str = "") -> None:
    await db.execute(moderation_log.insert().values(
        actor_id=actor_id, action=action, thread_id=thread_id, post_id=post_id,
        reason=reason, created_at=utcnow()))


async def recent(db: Database, limit: int = 50) -> list[Any]:
    query = (sa.select(moderation_log, users.c.username.label("actor_username"),
                       users.c.display_name.label("actor_display_name"),
                       threads.c.title.label("thread_title"), threads.c.slug.label("thread_slug"))
             .join(users, users.c.id == moderation_log.c.actor_id)
             .outerjoin(threads, threads.c.id == moderation_log.c.thread_id)
             .order_by(moderation_log.c.id.desc()).limit(limit))
    return await db.fetch_all(query)


async def set_hidden(db: Database, post_id: int, *, by: int | None, reason: str | None) -> None:
    await db.execute(posts.update().where(posts.c.id == post_id).values(
        hidden_at=utcnow() if by else None, hidden_by=by, hidden_reason=reason))


async def hidden_posts(db: Database, limit: int = 50) -> list[Any]:
    query = (sa.select(posts.c.id, posts.c.thread_id, posts.c.hidden_at, posts.c.hidden_reason,
                       threads.c.title, threads.c.slug, users.c.username.label("author_username"))
             .join(threads, threads.c.id == posts.c.thread_id)
             .join(users, users.c.id == posts.c.author_id)
             .where(posts.c.hidden_at.is_not(None)).order_by(posts.c.hidden_at.desc()).limit(limit))
    return await db.fetch_all(query)


# -- revisions ---------------------------------------------------------------------------
async def add_revision(db: Database, post_id: int, body: str, edited_by: int) -> None:
    await db.execute(post_revisions.insert().values(
        post_id=post_id, body=body, edited_by=edited_by, created_at=utcnow()))


async def revisions_of(db: Database, post_id: int) -> list[Any]:
    query = (sa.select(post_revisions, users.c.username.label("editor_username"),
                       users.c.display_name.label("editor_display_name"))
             .join(users, users.c.id == post_revisions.c.edited_by)
             .where(post_revisions.c.post_id == post_id).order_by(post_revisions.c.id.desc()))
    return await db.fetch_all(query)


# -- flags -------------------------------------------------------------------------------
async def add_flag(db: Database, post_id: int, reporter_id: int, reason: str) -> int:
    return await db.execute(flags.insert().values(
        post_id=post_id, reporter_id=reporter_id, reason=reason, created_at=utcnow()))


async def flag_by_id(db: Database, flag_id: int) -> Any:
    return await db.fetch_one(sa.select(flags).where(flags.c.id == flag_id))


async def open_flags(db: Database, limit: int = 100) -> list[Any]:
    reporter = users.alias("reporter")
    query = (sa.select(flags, reporter.c.username.label("reporter_username"),
                       posts.c.thread_id, posts.c.html, threads.c.title, threads.c.slug)
             .join(reporter, reporter.c.id == flags.c.reporter_id)
             .join(posts, posts.c.id == flags.c.post_id)
             .join(threads, threads.c.id == posts.c.thread_id)
             .where(flags.c.resolved_at.is_(None)).order_by(flags.c.id).limit(limit))
    return await db.fetch_all(query)


async def open_flag_count(db: Database) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(flags)
                              .where(flags.c.resolved_at.is_(None)))


async def resolve_flags(db: Database, post_id: int, by: int, resolution: str, note: str) -> None:
    """Resolving one flag settles every open flag on the same post."""
    await db.execute(flags.update().where(flags.c.post_id == post_id, flags.c.resolved_at.is_(None))
                     .values(resolved_at=utcnow(), resolved_by=by, resolution=resolution, note=note))


# -- the site banner ---------------------------------------------------------------------
async def current_banner(db: Database) -> Any:
    return await db.fetch_one(sa.select(banners).where(banners.c.cleared_at.is_(None))
                              .order_by(banners.c.id.desc()).limit(1))


async def set_banner(db: Database, text: str, by: int) -> int:
    await clear_banner(db)
    return await db.execute(banners.insert().values(text=text, created_by=by, created_at=utcnow()))


async def clear_banner(db: Database) -> None:
    await db.execute(banners.update().where(banners.c.cleared_at.is_(None)).values(cleared_at=utcnow()))


async def dismiss_banner(db: Database, user_id: int, banner_id: int) -> None:
    await db.execute(users.update().where(users.c.id == user_id).values(dismissed_banner_id=banner_id))


# -- members -----------------------------------------------------------------------------
async def set_suspended(db: Database, user_id: int, suspended: bool) -> None:
    await db.execute(users.update().where(users.c.id == user_id)
                     .values(suspended_at=utcnow() if suspended else None))
