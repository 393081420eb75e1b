"""Queries on posts and the reply tree.

A post's `path` is its ancestors' keys and its own, e.g. "0000000007/0000000012/0000000031".
Ordering by path gives reading order (depth first, oldest first at each level), so a page of
a 10,000-reply thread is one range scan on (thread_id, path). Nesting stops at MAX_DEPTH:
a reply to a post at that depth becomes its sibling, shown flat with an "in reply to" link.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.raw import PageRow, RawSelect
from forum.db.tables import posts, threads, users

MAX_DEPTH = 4
KEY_DIGITS = 10
PATH_PATTERN = re.compile(rf"^\d{{{KEY_DIGITS}}}(/\d{{{KEY_DIGITS}}}){{0,{MAX_DEPTH}}}$")

parent = posts.alias("parent")
parent_author = users.alias("parent_author")

POST_COLUMNS = [
    posts.c.id, posts.c.thread_id, posts.c.parent_id, posts.c.author_id, posts.c.path,
    posts.c.depth, posts.c.body, posts.c.html, posts.c.created_at, posts.c.edited_at,
    posts.c.deleted_at, posts.c.hidden_at, posts.c.hidden_reason, posts.c.reactions,
    users.c.username.label("author_username"),
    users.c.display_name.label("author_display_name"),
    users.c.created_at.label("author_joined_at"),
    parent.c.depth.label("parent_depth"),
    parent.c.author_id.label("parent_author_id"),
    parent_author.c.username.label("parent_username"),
    parent_author.c.display_name.label("parent_display_name"),
]


def _key(post_id: int) -> str:
    return str(post_id).zfill(KEY_DIGITS)


def placement(post_id: int, parent_row: Any | None) -> tuple[str, int]:
    """(path, depth) for a new post under `parent_row` (None for an opening post)."""
    if parent_row is None:
        return _key(post_id), 0
    if parent_row["depth"] < MAX_DEPTH:
        return f"{parent_row['path']}/{_key(post_id)}", parent_row["depth"] + 1
    siblings_prefix = parent_row["path"].rsplit("/", 1)[0]
    return f"{siblings_prefix}/{_key(post_id)}", MAX_DEPTH


def _select() -> sa.Select:
    return (sa.select(*POST_COLUMNS)
            .select_from(posts.join(users, users.c.id == posts.c.author_id)
                         .outerjoin(parent, parent.c.id == posts.c.parent_id)
                         .outerjoin(parent_author, parent_author.c.id == parent.c.author_id)))


async def insert(db: Database, *, thread_id: int, author_id: int, parent_row: Any | None,
                 body: str, html: str, now: datetime) -> int:
    # The path needs the new id, so insert with a unique placeholder and set it at once.
    post_id = await db.execute(posts.insert().values(
        thread_id=thread_id, parent_id=parent_row["id"] if parent_row else None,
        author_id=author_id, path=f"new:{secrets.token_hex(8)}", depth=0,
        body=body, html=html, created_at=now))
    path, depth = placement(post_id, parent_row)
    await db.execute(posts.update().where(posts.c.id == post_id).values(path=path, depth=depth))
    return post_id


async def by_id(db: Database, post_id: int) -> Any:
    return await db.fetch_one(_select().where(posts.c.id == post_id))


async def opening_post(db: Database, thread_id: int) -> Any:
    return await db.fetch_one(_select().where(posts.c.thread_id == thread_id, posts.c.depth == 0))


def page_query(start: Any = None) -> sa.Select:
    """The Core statement a page of posts stands for (PAGE_SQL is what runs; the tests compare)."""
    query = (_select().where(posts.c.thread_id == sa.bindparam("thread_id", type_=sa.Integer))
             .order_by(posts.c.path).limit(sa.bindparam("limit", type_=sa.Integer)))
    return query if start is None else query.where(start)


# A thread's pages are the forum's most read query: plain SQL, in POST_COLUMNS' order.
_PAGE_SQL = """
SELECT posts.id, posts.thread_id, posts.parent_id, posts.author_id, posts.path,
       posts.depth, posts.body, posts.html, posts.created_at, posts.edited_at,
       posts.deleted_at, posts.hidden_at, posts.hidden_reason, posts.reactions,
       users.username, users.display_name, users.created_at,
       parent.depth, parent.author_id, parent_author.username, parent_author.display_name
FROM posts
JOIN users ON users.id = posts.author_id
LEFT OUTER JOIN posts AS parent ON parent.id = posts.parent_id
LEFT OUTER JOIN users AS parent_author ON parent_author.id = parent.author_id
WHERE posts.thread_id = ?{start}
ORDER BY posts.path
LIMIT ?"""
PAGE_FIRST = RawSelect(_PAGE_SQL.format(start=""), POST_COLUMNS)
PAGE_AFTER = RawSelect(_PAGE_SQL.format(start=" AND posts.path > ?"), POST_COLUMNS)
PAGE_FROM = RawSelect(_PAGE_SQL.format(start=" AND posts.path >= ?"), POST_COLUMNS)


async def in_thread(db: Database, thread_id: int, after_path: str | None, limit: int,
                    inclusive: bool = False) -> tuple[list[PageRow], str | None]:
    """One page of a thread in reading order after `after_path` (or from it, if inclusive);
    and the next page's cursor."""
    if after_path:
        rows = await (PAGE_FROM if inclusive else PAGE_AFTER).fetch_all(db, thread_id, after_path, limit + 1)
    else:
        rows = await PAGE_FIRST.fetch_all(db, thread_id, limit + 1)
    next_cursor = rows[limit - 1]["path"] if len(rows) > limit else None
    return rows[:limit], next_cursor


async def update_body(db: Database, post_id: int, body: str, html: str, now: datetime) -> None:
    await db.execute(posts.update().where(posts.c.id == post_id).values(
        body=body, html=html, edited_at=now))


async def mark_deleted(db: Database, post_id: int, now: datetime) -> None:
    await db.execute(posts.update().where(posts.c.id == post_id).values(deleted_at=now))


async def recent_by_author(db: Database, author_id: int, limit: int = 10) -> list[Any]:
    query = (sa.select(posts.c.id, posts.c.thread_id, posts.c.html, posts.c.created_at,
                       threads.c.title, threads.c.slug)
             .join(threads, threads.c.id == posts.c.thread_id)
             .where(posts.c.author_id == author_id, posts.c.deleted_at.is_(None))
             .order_by(posts.c.id.desc()).limit(limit))
    return await db.fetch_all(query)
