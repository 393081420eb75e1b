"""Everything one member wrote, for their own download: their profile, threads, posts with
the Markdown they typed, earlier versions of those posts, event registrations and the flags
they raised. Nobody else's private data: no hashes, no moderator notes, no other reporters."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.clock import isoformat
from forum.db.engine import Database
from forum.db.tables import event_registrations, events, flags, post_revisions, posts, threads, users

PROFILE_FIELDS = ("username", "display_name", "bio", "organisation", "location", "role", "created_at",
                  "suspended_at", "greeter", "post_count")


def _plain(row: Any) -> dict[str, Any]:
    """JSON-ready: timestamps as ISO 8601 UTC strings."""
    return {key: isoformat(value) if key.endswith("_at") else value for key, value in dict(row).items()}


async def everything_by(db: Database, user_id: int) -> dict[str, Any]:
    profile = await db.fetch_one(sa.select(*(users.c[name] for name in PROFILE_FIELDS))
                                 .where(users.c.id == user_id))
    own_threads = await db.fetch_all(
        sa.select(threads.c.id, threads.c.title, threads.c.created_at, threads.c.last_activity_at)
        .where(threads.c.author_id == user_id).order_by(threads.c.id))
    own_posts = await db.fetch_all(
        sa.select(posts.c.id, posts.c.thread_id, threads.c.title.label("thread_title"), posts.c.parent_id,
                  posts.c.body, posts.c.created_at, posts.c.edited_at, posts.c.deleted_at,
                  posts.c.hidden_at, posts.c.hidden_reason)
        .join(threads, threads.c.id == posts.c.thread_id)
        .where(posts.c.author_id == user_id).order_by(posts.c.id))
    # Earlier versions of their own posts (a moderator's edit keeps the member's text too).
    revisions = await db.fetch_all(
        sa.select(post_revisions.c.post_id, post_revisions.c.body, post_revisions.c.created_at)
        .join(posts, posts.c.id == post_revisions.c.post_id)
        .where(posts.c.author_id == user_id).order_by(post_revisions.c.id))
    registrations = await db.fetch_all(
        sa.select(events.c.id.label("event_id"), threads.c.title, events.c.starts_at,
                  events.c.location, event_registrations.c.status, event_registrations.c.created_at)
        .join(events, events.c.id == event_registrations.c.event_id)
        .join(threads, threads.c.id == events.c.thread_id)
        .where(event_registrations.c.user_id == user_id).order_by(event_registrations.c.id))
    raised = await db.fetch_all(
        sa.select(flags.c.post_id, flags.c.reason, flags.c.created_at, flags.c.resolved_at,
                  flags.c.resolution)
        .where(flags.c.reporter_id == user_id).order_by(flags.c.id))
    return {
        "profile": _plain(profile._mapping),
        "threads": [_plain(row._mapping) for row in own_threads],
        "posts": [_plain(row._mapping) for row in own_posts],
        "revisions": [_plain(row._mapping) for row in revisions],
        "event_registrations": [_plain(row._mapping) for row in registrations],
        "flags_raised": [_plain(row._mapping) for row in raised],
    }
