"""Fill a migrated, empty forum database with a large, realistic forum, fast.

    python -m bench.generate sqlite:///big.db --posts 1000000 --threads 50000 --members 10000

Rows are what the forum's own code would write (materialised paths and depths from
forum/db/posts.py, HTML rendered by forum/text.py beside the Markdown, thread and channel
counters, read marks, the search index, some event-log rows), but inserted in bulk: plain
sqlite3 executemany in large transactions with synchronous=OFF, and each distinct body rendered
once rather than a million times. SQLite only for now.

Known shapes for benchmarks, the same at every size: thread 1 has exactly 50 replies; member 2
is a heavy reader with read marks on a fifth of the threads; the rare word "quokka" is in
exactly 5 posts; the tag "evaluation" is on every fifth thread, and every twentieth thread is a
library item (case studies and resources in turn), none of them tagged "evaluation"."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from tqdm import tqdm

from forum.db.channels import DEFAULT_CHANNELS
from forum.db.posts import placement
from forum.settings import sqlite_path
from forum.text import render_markdown, slugify

BENCH_THREAD_ID = 1
BENCH_THREAD_REPLIES = 50
HEAVY_READER_ID = 2
HEAVY_READER_SHARE = 0.2
MAX_THREAD_REPLIES = 5_000
RARE_WORD = "quokka"
RARE_POSTS = 5
COMMON_WORD = "evaluation"
PHRASE = ("logic", "model")
MODERATORS = 3
BENCH_TAG = "evaluation"
BENCH_TAG_EVERY = 5  # threads
TAG_POOL = 200
LIBRARY_EVERY = 20  # threads
PASSWORD = "benchmark password"
SECONDS_PER_POST = 150  # the forum's age grows with its size: same pace at every scale
BATCH = 20_000
CATEGORY_SLUGS = [slug for slug, _, _ in DEFAULT_CHANNELS if slug != "welcome"]

WORDS = ("survey data outcome people community service funding report volunteer partner "
         "question method interview theory change baseline indicator budget trustee workshop "
         "feedback youth housing health wellbeing sample analysis spreadsheet dashboard grant "
         "learning practice story evidence consent safeguarding network meeting local").split()


def sql_time(moment: datetime) -> str:
    """SQLAlchemy's SQLite DateTime storage format (naive UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def body_templates(rng: random.Random, count: int) -> list[str]:
    """Distinct Markdown bodies; a share mention the common word and the phrase."""
    bodies = []
    for i in range(count):
        paragraphs = []
        for _ in range(rng.randint(1, 3)):
            words = rng.choices(WORDS, k=rng.randint(12, 40))
            if rng.random() < 0.35:
                words.insert(rng.randrange(len(words)), COMMON_WORD)
            if rng.random() < 0.1:
                at = rng.randrange(len(words))
                words[at:at] = list(PHRASE)
            paragraphs.append(" ".join(words).capitalize() + ".")
        if i % 7 == 0:
            paragraphs.append("- **first** step\n- second step with a [link](https://example.org/guide)")
        if i % 11 == 0:
            paragraphs.append("> quoted from the *report*")
        bodies.append("\n\n".join(paragraphs))
    return bodies


def thread_sizes(rng: random.Random, threads: int, replies: int) -> list[int]:
    """Replies per thread: a long tail (Pareto), summing exactly to `replies`; thread 1 has 50."""
    rest = replies - BENCH_THREAD_REPLIES
    weights = [rng.paretovariate(1.3) for _ in range(threads - 1)]
    total = sum(weights)
    sizes = [int(w / total * rest) for w in weights]
    for i in rng.sample(range(threads - 1), rest - sum(sizes)) if threads > 1 else []:
        sizes[i] += 1
    # The very longest threads are capped (a forum splits or locks those); the excess spreads out.
    excess = sum(max(0, s - MAX_THREAD_REPLIES) for s in sizes)
    sizes = [min(s, MAX_THREAD_REPLIES) for s in sizes]
    for i in rng.choices(range(threads - 1), k=excess):
        sizes[i] += 1
    return [BENCH_THREAD_REPLIES, *sizes]


class Plan:
    """Every post's thread, time and author, in id order (ids grow with time, as in the forum)."""

    def __init__(self, rng: random.Random, posts: int, threads: int, members: int, now: datetime) -> None:
        if posts < threads + BENCH_THREAD_REPLIES or threads < 1 or members < MODERATORS + 2:
            raise SystemExit("need posts >= threads + 50, threads >= 1, members >= 5")
        self.span = posts * SECONDS_PER_POST
        self.start = now - timedelta(seconds=self.span)
        sizes = thread_sizes(rng, threads, posts - threads)
        starts = sorted(rng.uniform(0, self.span * 0.98) for _ in range(threads))
        events: list[tuple[float, int]] = []
        for t, (begin, size) in enumerate(zip(starts, sizes, strict=True)):
            events.append((begin, t))
            # A thread stays alive a while, longer when it is a long one.
            life = min(self.span - begin, rng.expovariate(1 / (3600 * 24)) * (1 + math.sqrt(size)))
            events.extend((begin + rng.uniform(0, life) + 1e-3, t) for _ in range(size))
        events.sort()
        self.seconds = [e[0] for e in events]
        self.thread_of = [e[1] for e in events]
        # Skewed authorship: a few members write much, most a little.
        self.author_of = [int(members * rng.random() ** 3) + 1 for _ in events]
        self.sizes = sizes

    def moment(self, post_index: int) -> datetime:
        return self.start + timedelta(seconds=self.seconds[post_index])


def connect(url: str) -> sqlite3.Connection:
    path = sqlite_path(url)
    if path is None:
        raise SystemExit("bench.generate writes SQLite databases only (sqlite:///file.db)")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def bulk(conn: sqlite3.Connection, sql: str, rows: Any, total: int, label: str) -> None:
    """executemany in large transactions, with a progress bar."""
    batch: list[tuple] = []
    with tqdm(total=total, desc=label, unit="row", file=sys.stderr, mininterval=1) as bar:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                conn.execute("BEGIN")
                conn.executemany(sql, batch)
                conn.execute("COMMIT")
                bar.update(len(batch))
                batch = []
        if batch:
            conn.execute("BEGIN")
            conn.executemany(sql, batch)
            conn.execute("COMMIT")
            bar.update(len(batch))


def insert_members(conn: sqlite3.Connection, members: int, joined: datetime) -> None:
    password_hash = PasswordHasher().hash(PASSWORD)  # the forum's own cost, as a real member's
    when = sql_time(joined)

    def rows() -> Any:
        for i in range(1, members + 1):
            role = "moderator" if i <= MODERATORS else "member"
            yield (i, f"member{i}", f"member{i}", f"Member {i}", role, password_hash, when)

    bulk(conn, "INSERT INTO users (id, username, username_key, display_name, role, password_hash, "
         "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows(), members, "members")


def ensure_channels(conn: sqlite3.Connection) -> dict[str, int]:
    if not conn.execute("SELECT count(*) FROM channels").fetchone()[0]:
        conn.executemany("INSERT INTO channels (slug, name, description, position) VALUES (?, ?, ?, ?)",
                         [(slug, name, text, pos) for pos, (slug, name, text) in enumerate(DEFAULT_CHANNELS)])
    return dict(conn.execute("SELECT slug, id FROM channels").fetchall())


def generate(url: str, posts: int, threads: int, members: int, seed: int = 9) -> dict[str, Any]:
    rng = random.Random(seed)
    began = time.perf_counter()
    from forum.db.migrate import migrate

    migrate(url)
    conn = connect(url)
    if conn.execute("SELECT count(*) FROM posts").fetchone()[0]:
        raise SystemExit("the database already has posts: generate into an empty one")
    now = datetime.now(UTC).replace(microsecond=0)
    print("planning ...", file=sys.stderr)
    plan = Plan(rng, posts, threads, members, now)
    channel_ids = ensure_channels(conn)
    insert_members(conn, members, plan.start - timedelta(days=30))

    # Threads: titles, channels (some in two or three), pins; counters filled as posts land.
    titles = [" ".join(rng.choices(WORDS, k=rng.randint(3, 8))).capitalize() for _ in range(threads)]
    for t in range(0, threads, 97):
        titles[t] += f" and {COMMON_WORD}"
    in_channels: list[list[str]] = []
    for _ in range(threads):
        k = 1 if rng.random() < 0.8 else (2 if rng.random() < 0.75 else 3)
        in_channels.append(rng.sample(CATEGORY_SLUGS, k))
    pinned = set(rng.sample(range(threads), min(threads, 2 * len(CATEGORY_SLUGS))))
    pinned.discard(BENCH_THREAD_ID - 1)

    templates = body_templates(rng, 400)
    rare_body = f"Has anyone met a {RARE_WORD} at a community {COMMON_WORD} day?"
    print("rendering bodies ...", file=sys.stderr)
    rendered = [(body, render_markdown(body)) for body in [*templates, rare_body]]
    rare_posts = set(rng.sample(range(threads, posts), RARE_POSTS))

    path_of: list[str] = [""] * posts
    depth_of = bytearray(posts)
    posts_in: list[list[int]] = [[] for _ in range(threads)]  # post ids per thread, in order
    last_at = [0] * threads
    author_posts = [0] * (members + 1)
    author_last = [0] * (members + 1)

    def post_rows() -> Any:
        for i in range(posts):
            post_id = i + 1
            t = plan.thread_of[i]
            author = plan.author_of[i]
            mine = posts_in[t]
            if not mine:
                author = thread_author[t]
            if not mine:
                parent_id = None
                path, depth = placement(post_id, None)
            else:
                # Half answer the opening post, the rest someone recent in the thread.
                parent_id = mine[0] if rng.random() < 0.5 else mine[-1 - int(len(mine) * rng.random() ** 2)]
                parent = {"path": path_of[parent_id - 1], "depth": depth_of[parent_id - 1]}
                path, depth = placement(post_id, parent)
            path_of[i], depth_of[i] = path, depth
            mine.append(post_id)
            last_at[t] = i
            author_posts[author] += 1
            author_last[author] = i
            body, html = rendered[-1] if i in rare_posts else rendered[rng.randrange(len(templates))]
            plan.author_of[i] = author
            yield (post_id, t + 1, parent_id, author, path, depth, body, html, sql_time(plan.moment(i)))

    # Threads first (posts refer to them), with their author and creation time from the plan.
    first_post = {}
    for i, t in enumerate(plan.thread_of):
        if t not in first_post:
            first_post[t] = i
            if len(first_post) == threads:
                break
    thread_author = {t: plan.author_of[i] for t, i in first_post.items()}
    thread_author[BENCH_THREAD_ID - 1] = MODERATORS + 5  # not the heavy reader: they read it
    for t, slugs in enumerate(in_channels):
        if "announcements" in slugs:
            thread_author[t] = 1 + t % MODERATORS  # only moderators start threads there
    bulk(conn, "INSERT INTO threads (id, title, slug, author_id, created_at, last_activity_at, reply_count, "
         "pinned) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
         ((t + 1, titles[t], slugify(titles[t]), thread_author[t], sql_time(plan.moment(first_post[t])),
           sql_time(plan.moment(first_post[t])), 0, t in pinned) for t in range(threads)),
         threads, "threads")
    bulk(conn, "INSERT INTO posts (id, thread_id, parent_id, author_id, path, depth, body, html, created_at) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", post_rows(), posts, "posts")

    print("counters ...", file=sys.stderr)
    conn.execute("BEGIN")
    conn.executemany("UPDATE threads SET reply_count = ?, last_activity_at = ? WHERE id = ?",
                     [(len(posts_in[t]) - 1, sql_time(plan.moment(last_at[t])), t + 1)
                      for t in range(threads)])
    conn.executemany("INSERT INTO thread_channels (channel_id, thread_id, pinned, last_activity_at) "
                     "VALUES (?, ?, ?, ?)",
                     [(channel_ids[slug], t + 1, t in pinned, sql_time(plan.moment(last_at[t])))
                      for t in range(threads) for slug in in_channels[t]])
    conn.execute("UPDATE channels SET thread_count = (SELECT count(*) FROM thread_channels tc "
                 "WHERE tc.channel_id = channels.id), last_activity_at = (SELECT max(last_activity_at) "
                 "FROM thread_channels tc WHERE tc.channel_id = channels.id)")
    conn.executemany("UPDATE users SET post_count = ?, last_active_at = ? WHERE id = ?",
                     [(author_posts[m], sql_time(plan.moment(author_last[m])), m)
                      for m in range(1, members + 1) if author_posts[m]])
    conn.execute("COMMIT")

    insert_tags_and_library(conn, random.Random(seed + 1), threads, [plan.moment(i) for i in last_at],
                            plan.start)
    bulk(conn, "INSERT INTO thread_reads (user_id, thread_id, last_read_post_id) VALUES (?, ?, ?)",
         read_marks(rng, members, posts_in), None, "read marks")
    insert_events(conn, plan, posts_in, path_of, depth_of, in_channels)
    conn.close()

    print("search index ...", file=sys.stderr)
    asyncio.run(_rebuild_search(url))
    conn = connect(url)  # no ANALYZE: the forum never runs it, so plans must not depend on it
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    seconds = time.perf_counter() - began
    return {"posts": posts, "threads": threads, "members": members, "seconds": round(seconds, 1),
            "largest_thread": max(plan.sizes) + 1}


def insert_tags_and_library(conn: sqlite3.Connection, rng: random.Random, threads: int,
                            last_activity: list[datetime], start: datetime) -> None:
    """Tags as people use them (a few common, a long tail; BENCH_TAG on every fifth thread) and
    library items. Its own random stream, so the rest of the data is as it was before tags."""
    names = [BENCH_TAG] + [f"{rng.choice(WORDS)}-{n}" for n in range(1, TAG_POOL)]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO tags (id, name, key, thread_count, created_at) VALUES (?, ?, ?, 0, ?)",
                     [(n + 1, name, name, sql_time(start)) for n, name in enumerate(names)])
    pairs = set()
    for t in range(threads):
        if t % BENCH_TAG_EVERY == 0:
            pairs.add((1, t))
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            pairs.add((min(TAG_POOL, 2 + int(rng.paretovariate(1.2))) if rng.random() < 0.5
                       else rng.randint(2, TAG_POOL), t))
    conn.executemany("INSERT INTO thread_tags (tag_id, thread_id, last_activity_at) VALUES (?, ?, ?)",
                     [(tag, t + 1, sql_time(last_activity[t])) for tag, t in sorted(pairs)])
    conn.execute("UPDATE tags SET thread_count = "
                 "(SELECT count(*) FROM thread_tags tt WHERE tt.tag_id = tags.id)")
    conn.executemany("INSERT INTO library_items (thread_id, kind, resource_type, link, organisation) "
                     "VALUES (?, ?, ?, ?, ?)",
                     [(t + 1, "resource" if n % 2 else "case_study", "guide" if n % 2 else None,
                       f"https://example.org/{t}" if n % 2 else "", rng.choice(WORDS).capitalize())
                      for n, t in enumerate(range(LIBRARY_EVERY - 1, threads, LIBRARY_EVERY))])
    # As forum/db/threads.py keeps it: an item's copy of its thread's reply count.
    conn.execute("UPDATE library_items SET reply_count ="
                 " (SELECT reply_count FROM threads WHERE threads.id = library_items.thread_id)")
    # As forum/db/library.py's insert does: a library thread's tags carry its item's id.
    conn.execute("UPDATE thread_tags SET library_item_id = (SELECT id FROM library_items li"
                 " WHERE li.thread_id = thread_tags.thread_id)"
                 " WHERE thread_id IN (SELECT thread_id FROM library_items)")
    conn.execute("COMMIT")


def read_marks(rng: random.Random, members: int, posts_in: list[list[int]]) -> Any:
    """A fifth of the members have read some threads, member 2 a fifth of all of them; each mark
    sits somewhere in the second half of the thread, so there is something new to count."""
    threads = len(posts_in)
    readers = {HEAVY_READER_ID: max(1, int(threads * HEAVY_READER_SHARE))}
    for m in rng.sample(range(MODERATORS + 2, members + 1), max(1, members // 5)):
        readers[m] = rng.randint(1, min(threads, 50))
    for member, count in sorted(readers.items()):
        chosen = rng.sample(range(threads), count)
        if member == HEAVY_READER_ID and BENCH_THREAD_ID - 1 not in chosen:
            chosen[0] = BENCH_THREAD_ID - 1
        for t in sorted(chosen):
            ids = posts_in[t]
            at = len(ids) - 1 if rng.random() < 0.3 else int(len(ids) * rng.uniform(0.5, 1.0))
            yield (member, t + 1, ids[min(at, len(ids) - 1)])


def insert_events(conn: sqlite3.Connection, plan: Plan, posts_in: list[list[int]], path_of: list[str],
                  depth_of: bytearray, in_channels: list[list[str]]) -> None:
    """The newest few thousand posts' live events, as the event log would hold them."""
    newest = range(max(0, len(plan.thread_of) - 2000), len(plan.thread_of))
    rows = []
    for i in newest:
        t = plan.thread_of[i]
        data = {"thread_id": t + 1, "post_id": i + 1, "path": path_of[i], "depth": depth_of[i]}
        when = sql_time(plan.moment(i))
        rows.append((f"thread:{t + 1}", "post.created", json.dumps(data), when))
        rows.extend((f"category:{slug}", "post.created", json.dumps(data), when) for slug in in_channels[t])
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO live_log (channel, type, data, created_at) VALUES (?, ?, ?, ?)", rows)
    conn.execute("COMMIT")


async def _rebuild_search(url: str) -> None:
    from forum.db import search
    from forum.db.engine import Database

    db = Database(url)
    await db.connect()
    try:
        async with db.transaction():
            await search.rebuild_index(db)
    finally:
        await db.disconnect()


async def check_thread_page(url: str, thread_id: int = BENCH_THREAD_ID) -> int:
    """Render /t/{id} through the app and check the reply tree: every post on the page comes
    after its parent, one level deeper (or flat at MAX_DEPTH). Returns the posts shown."""
    import re

    import httpx
    from asgi_lifespan import LifespanManager

    from forum.app import create_app
    from forum.db.posts import MAX_DEPTH
    from forum.settings import Settings

    app = create_app(Settings(database_url=url, secret_key="bench", rate_limits=False))
    async with LifespanManager(app) as manager:
        db = manager._state["forum"].db
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app),
                                     base_url="http://bench") as client:
            page = await client.get(f"/t/{thread_id}")
        page.raise_for_status()
        shown = [int(m) for m in re.findall(r'<article class="post[^"]*" id="post-(\d+)"', page.text)]
        rows = {r["id"]: r for r in await db.fetch_all(
            "SELECT id, parent_id, depth FROM posts WHERE thread_id = :t", {"t": thread_id})}
    seen: set[int] = set()
    for post_id in shown:
        row = rows[post_id]
        if row["parent_id"] is not None:
            parent = rows[row["parent_id"]]
            assert row["parent_id"] in seen, f"post {post_id} shown before its parent"
            assert row["depth"] == min(parent["depth"] + 1, MAX_DEPTH), f"post {post_id} at wrong depth"
        seen.add(post_id)
    assert shown and len(shown) == min(len(rows), 50), f"{len(shown)} posts shown of {len(rows)}"
    return len(shown)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", help="sqlite:///path/to/new.db (migrated here if needed)")
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=50_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args(argv)
    result = generate(args.database_url, args.posts, args.threads, args.members, args.seed)
    result["thread_1_posts_rendered"] = asyncio.run(check_thread_page(args.database_url))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
