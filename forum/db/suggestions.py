"""Suggestions as someone types in the search box: threads whose title holds the words typed
(the last one a prefix) and members whose username or display name starts with them.

Titles are found through the search index, never by scanning posts: on SQLite the FTS5
title column, on PostgreSQL the tsvector's title weight ('A'). Both walk matches newest first
and stop at the limit."""

from __future__ import annotations

from typing import Any

from forum.db.engine import Database

_SQLITE_TITLES = """SELECT t.id, t.title, t.slug
  FROM post_search s JOIN posts p ON p.id = s.rowid JOIN threads t ON t.id = p.thread_id
  WHERE post_search MATCH :match AND p.depth = 0
    AND p.deleted_at IS NULL AND p.hidden_at IS NULL
  ORDER BY s.rowid DESC LIMIT :limit"""

_POSTGRES_TITLES = """WITH titled AS MATERIALIZED (SELECT post_id FROM post_search
    WHERE ts_filter(document, '{a}') @@ to_tsquery('simple', :tsquery))
  SELECT t.id, t.title, t.slug
  FROM titled s JOIN posts p ON p.id = s.post_id JOIN threads t ON t.id = p.thread_id
  WHERE p.depth = 0 AND p.deleted_at IS NULL AND p.hidden_at IS NULL
  ORDER BY s.post_id DESC LIMIT :limit"""


async def threads_by_title(db: Database, words: list[str], limit: int) -> list[Any]:
    """`words` folded (lower case, no accents) and made of word characters only, so each can be
    quoted as a literal token."""
    if db.is_sqlite:
        terms = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}" *']
        return await db.fetch_all(_SQLITE_TITLES, {
            "match": "{title} : (" + " AND ".join(terms) + ")", "limit": limit})
    terms = [f"'{w}':A" for w in words[:-1]] + [f"'{words[-1]}':*A"]
    return await db.fetch_all(_POSTGRES_TITLES, {"tsquery": " & ".join(terms), "limit": limit})


# Usernames are a unique index's keys: a prefix is one range of it. Display names have no
# index; the members table is small beside the posts, and it is read only when the username
# range has not filled the list.
_USERNAMES = """SELECT username, display_name FROM users
  WHERE username_key >= :start AND username_key < :end ORDER BY username_key LIMIT :limit"""

_DISPLAY_NAMES = """SELECT username, display_name FROM users
  WHERE lower(display_name) LIKE :prefix ESCAPE '!' OR lower(display_name) LIKE :word ESCAPE '!'
  ORDER BY username_key LIMIT :limit"""


async def members_by_name(db: Database, typed: str, limit: int) -> list[Any]:
    typed = typed.lower()
    found: list[Any] = []
    if typed.isascii():
        # Every key starting with `typed` sorts before `typed` with its last character bumped.
        end = typed[:-1] + chr(ord(typed[-1]) + 1)
        found = list(await db.fetch_all(_USERNAMES, {"start": typed, "end": end, "limit": limit}))
    if len(found) < limit:
        escaped = typed.replace("!", "!!").replace("%", "!%").replace("_", "!_")
        seen = {row["username"] for row in found}
        more = await db.fetch_all(_DISPLAY_NAMES, {
            "prefix": escaped + "%", "word": "% " + escaped + "%", "limit": limit + len(found)})
        found += [row for row in more if row["username"] not in seen]
    return found[:limit]
