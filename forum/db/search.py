"""Full-text search behind one interface: SQLite FTS5 on the embedded default, PostgreSQL
tsvector with a GIN index at scale. The index is kept by the actions in the same transaction
as the post it describes, so a new post is findable at once and a deleted one never is.

Order: title matches first, then relevance, then the newest; paged by keyset on those."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from forum.clock import as_utc
from forum.db import cursors
from forum.db.engine import Database
from forum.search_query import SearchQuery


async def index_post(db: Database, post_id: int, title: str, body: str, new: bool = False) -> None:
    """Add or replace a post in the index; `title` only for an opening post. `new`: the post
    was written in this transaction, so there is nothing to replace."""
    if not new:
        await unindex_post(db, post_id)
    if db.is_sqlite:
        await db.execute("INSERT INTO post_search (rowid, title, body) VALUES (:id, :title, :body)",
                         {"id": post_id, "title": title, "body": body})
    else:
        await db.execute(
            "INSERT INTO post_search (post_id, document) VALUES (:id, "
            "setweight(to_tsvector('simple', unaccent(:title)), 'A') || "
            "setweight(to_tsvector('simple', unaccent(:body)), 'B'))",
            {"id": post_id, "title": title, "body": body})


async def unindex_post(db: Database, post_id: int) -> None:
    column = "rowid" if db.is_sqlite else "post_id"
    await db.execute(f"DELETE FROM post_search WHERE {column} = :id", {"id": post_id})


def fts5_expression(query: SearchQuery) -> str:
    # Words are \w+ runs (no quotes), so quoting each one makes it a literal token.
    parts = [f'"{w}"' for w in query.words] + ['"' + " ".join(p) + '"' for p in query.phrases]
    return " AND ".join(parts)


def tsquery_expression(query: SearchQuery) -> str:
    parts = [f"'{w}'" for w in query.words]
    parts += ["(" + " <-> ".join(f"'{w}'" for w in p) + ")" for p in query.phrases]
    return " & ".join(parts)


# Ranking reads only the newest SEARCH_WINDOW matches (after filters). Ranking every match
# cost time in proportion to the forum: a common word in a million posts took seconds. Like
# Zulip, whose search walks messages newest first, recency bounds the work; the trade-off is
# that for a word in more posts than this, older posts are not reached (narrow the search with
# more words, a phrase, a channel, an author or dates), while a rarer word is ranked in full.
SEARCH_WINDOW = 1000

_FILTERS = {
    "channel": "EXISTS (SELECT 1 FROM thread_channels tc JOIN channels c ON c.id = tc.channel_id "
               "WHERE tc.thread_id = p.thread_id AND c.slug = :channel)",
    "author": "p.author_id = (SELECT id FROM users WHERE username_key = :author)",
    "tag": "EXISTS (SELECT 1 FROM thread_tags tt WHERE tt.thread_id = p.thread_id AND tt.tag_id = :tag)",
    "since": "p.created_at >= :since",
    "until": "p.created_at < :until",
}

# The newest matches, each with its relevance (lower is better) and whether the query matched
# the thread's title (opening posts only carry one). On SQLite relevance is BM25's
# term-frequency part (title hits weigh 10, length-normalised against the window's average),
# computed here from the matches FTS5 marks: FTS5's own bm25() first counts every post holding
# each term (for term rarity), one pass over all matches, which no window can bound.
_SQLITE_WINDOW = """SELECT post_id, thread_id, title_hit,
      -(hits * 2.2) / (hits + 1.2 * (0.25 + 0.75 * size / avg(size) OVER ())) AS rank
    FROM (SELECT post_id, thread_id, title_hit, size,
            10.0 * (length(title_marked) - length(replace(title_marked, char(1), '')))
            + (length(body_marked) - length(replace(body_marked, char(1), ''))) AS hits
          FROM (SELECT s.rowid AS post_id, p.thread_id, length(s.title) + length(s.body) + 1 AS size,
                  highlight(post_search, 0, char(1), '') AS title_marked,
                  highlight(post_search, 1, char(1), '') AS body_marked,
                  CASE WHEN p.depth = 0 AND EXISTS (SELECT 1 FROM post_search
                      WHERE post_search MATCH :title_match AND rowid = s.rowid) THEN 1 ELSE 0 END
                    AS title_hit
                FROM post_search s JOIN posts p ON p.id = s.rowid
                WHERE post_search MATCH :match AND {where}
                ORDER BY s.rowid DESC LIMIT :window) AS marked) AS counted"""

_POSTGRES_WINDOW = """SELECT w.post_id, w.thread_id, -ts_rank(w.document, w.q) AS rank,
      CASE WHEN ts_filter(w.document, '{{a}}') @@ w.q THEN 1 ELSE 0 END AS title_hit
    FROM (SELECT s.post_id, p.thread_id, s.document, q.q
          FROM post_search s CROSS JOIN (SELECT to_tsquery('simple', :tsquery) AS q) q
          JOIN posts p ON p.id = s.post_id
          WHERE s.document @@ q.q AND {where}
          ORDER BY s.post_id DESC LIMIT :window) w"""

# One result per thread: its best match by the same order as the threads, with how many other
# posts in the window match too. A thread's place is its best match's, so the keyset cursor
# (title hit, rank, post id of the last best match) pages threads as it paged posts.
# Display columns for the one page only.
_PAGE = """SELECT r.post_id, r.rank, r.title_hit, r.more_matches, p.thread_id, p.html,
    p.created_at, t.title, t.slug, u.username AS author, u.display_name AS author_display_name,
    c.slug AS channel, c.name AS channel_name
  FROM (SELECT post_id, rank, title_hit, more_matches
        FROM (SELECT w.*, ROW_NUMBER() OVER (PARTITION BY thread_id
                                             ORDER BY title_hit DESC, rank ASC, post_id DESC) AS nth,
                COUNT(*) OVER (PARTITION BY thread_id) - 1 AS more_matches
              FROM ({window}) AS w) AS grouped
        WHERE nth = 1 {after}
        ORDER BY title_hit DESC, rank ASC, post_id DESC LIMIT :limit) AS r
  JOIN posts p ON p.id = r.post_id JOIN threads t ON t.id = p.thread_id JOIN users u ON u.id = p.author_id
  JOIN channels c ON c.id = (SELECT tc.channel_id FROM thread_channels tc
    JOIN channels first ON first.id = tc.channel_id
    WHERE tc.thread_id = p.thread_id ORDER BY first.position LIMIT 1)
  ORDER BY r.title_hit DESC, r.rank ASC, r.post_id DESC"""


async def search(db: Database, query: SearchQuery, *, channel: str | None = None,
                 tag: int | None = None, since: date | None = None, until: date | None = None,
                 cursor: str | None = None, limit: int = 20,
                 include_hidden: bool = False) -> tuple[list[Any], str | None]:
    values: dict[str, Any] = {"limit": limit + 1, "window": SEARCH_WINDOW}
    where = ["p.deleted_at IS NULL"] + ([] if include_hidden else ["p.hidden_at IS NULL"])
    for name, value in (("channel", channel), ("tag", tag), ("author", query.author and query.author.lower()),
                        ("since", since and midnight(since)),
                        ("until", until and midnight(until + timedelta(days=1)))):
        if value:
            where.append(_FILTERS[name])
            values[name] = value
    if db.is_sqlite:
        values["match"] = fts5_expression(query)
        values["title_match"] = "{title} : (" + values["match"] + ")"
        window = _SQLITE_WINDOW.format(where=" AND ".join(where))
    else:
        values["tsquery"] = tsquery_expression(query)
        window = _POSTGRES_WINDOW.format(where=" AND ".join(where))
    after = ""
    if cursor:
        hit, rank, post_id = cursors.decode(cursor, 3)
        try:
            if hit not in (0, 1):  # a title hit or not; 10**20 would overflow in asyncpg
                raise ValueError(hit)
            values.update(c_hit=int(hit), c_rank=float(rank), c_id=cursors.id_in(post_id))
        except (TypeError, ValueError) as error:
            raise cursors.BadCursor("cursor is not one this forum gave out") from error
        after = ("AND (title_hit < :c_hit OR (title_hit = :c_hit AND rank > :c_rank) "
                 "OR (title_hit = :c_hit AND rank = :c_rank AND post_id < :c_id))")
    rows = await db.fetch_all(_PAGE.format(window=window, after=after), values)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = cursors.encode(last["title_hit"], last["rank"], last["post_id"])
    return rows[:limit], next_cursor


def midnight(day: date) -> datetime:
    return as_utc(datetime.combine(day, time.min))


# A library item's opening post is indexed with the item's fields too (forum/actions/library.py
# searchable_text), so a rebuilt index finds it by them as well.
_LIBRARY_WORDS = (
    "COALESCE((SELECT REPLACE(li.kind, '_', ' ') || ' ' || COALESCE(li.resource_type, '') || ' ' || "
    "li.organisation || ' ' || li.location || ' ' || li.what_was_done || ' ' || li.outcomes || ' ' || "
    "COALESCE(CAST(li.year AS TEXT), '') FROM library_items li "
    "WHERE li.thread_id = p.thread_id AND p.depth = 0), '')")


async def rebuild_index(db: Database) -> None:
    """Index every live post afresh (after a copy between engines, whose indexes differ)."""
    body = f"p.body || ' ' || {_LIBRARY_WORDS}"
    if db.is_sqlite:
        await db.execute("DELETE FROM post_search")
        await db.execute(
            "INSERT INTO post_search (rowid, title, body) "
            f"SELECT p.id, CASE WHEN p.depth = 0 THEN t.title ELSE '' END, {body} "
            "FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.deleted_at IS NULL")
    else:
        await db.execute("DELETE FROM post_search")
        await db.execute(
            "INSERT INTO post_search (post_id, document) "
            "SELECT p.id, setweight(to_tsvector('simple', unaccent("
            "CASE WHEN p.depth = 0 THEN t.title ELSE '' END)), 'A') || "
            f"setweight(to_tsvector('simple', unaccent({body})), 'B') "
            "FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.deleted_at IS NULL")
