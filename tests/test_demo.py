"""The demo community (forum/demo/): loaded by `forum demo` into a fresh database, it reads like
a year of a living community, its counters agree with its rows, and loading twice adds nothing."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from forum.clock import as_utc, utcnow
from forum.db import events, library, tags, threads
from forum.db.tables import channels, posts, thread_channels, thread_tags, users
from forum.db.tables import threads as threads_table
from forum.demo.timeline import happenings, members
from forum.demo.timeline import threads as thread_files
from tests.test_cli import run_forum


def _everything(rows: list) -> list[dict]:
    return [{k: as_utc(v) if hasattr(v, "tzinfo") else v for k, v in dict(row._mapping).items()}
            for row in rows]


async def _snapshot(db) -> dict[str, list[dict]]:
    tables = (users, threads_table, posts, channels, thread_channels)
    return {t.name: _everything(await db.fetch_all(sa.select(t).order_by(*t.primary_key.columns)))
            for t in tables}


async def test_the_demo_reads_like_a_year_of_a_living_community(forum, database_url):
    loaded = run_forum(database_url, "demo")
    assert loaded.returncode == 0, loaded.stderr
    db, now = forum.db, utcnow()
    # Events coming up: one full with a reserve list, one online.
    upcoming = await events.upcoming(db, now, limit=10)
    assert len(upcoming) >= 2
    assert any(e["reserve"] > 0 and e["registered"] == e["capacity"] for e in upcoming)
    assert any("online" in e["location"].lower() for e in upcoming)

    # Members joined over months; the three the README names are there.
    people = {row["username"]: row for row in await db.fetch_all(sa.select(users))}
    assert {"helen_marsh", "gwenllian_ap", "morag_maclean"} <= set(people)
    assert (people["helen_marsh"]["role"], people["gwenllian_ap"]["role"]) == ("admin", "moderator")
    joined = sorted(as_utc(row["created_at"]) for row in people.values())
    assert now - joined[0] > timedelta(days=300) and now - joined[-1] < timedelta(days=3)
    assert len({(now - when).days // 30 for when in joined}) >= 6  # spread over 6+ months

    # Nothing "just now"; threads spread over weeks.
    all_threads = await db.fetch_all(sa.select(threads_table))
    assert all(now - as_utc(t["last_activity_at"]) > timedelta(hours=1) for t in all_threads)
    assert len({(now - as_utc(t["created_at"])).days // 7 for t in all_threads}) >= 8

    # A pinned welcome from the co-chairs in Welcome, the milestone in Announcements, and
    # introductions waiting for a first reply.
    welcome = await db.fetch_one(sa.select(channels).where(channels.c.slug == "welcome"))
    listed, _ = await threads.in_channel(db, welcome["id"], None, 30)
    assert listed[0]["pinned"] and "co-chairs" in listed[0]["title"]
    announcements = await db.fetch_one(sa.select(channels).where(channels.c.slug == "announcements"))
    listed, _ = await threads.in_channel(db, announcements["id"], None, 30)
    assert any(t["pinned"] and "500 members" in t["title"] for t in listed)
    waiting = await threads.waiting_introductions(db)
    assert len(waiting) >= 2
    assert all(now - as_utc(t["created_at"]) < timedelta(days=3) for t in waiting)

    await _counters_agree_with_rows(db)
    before = await _snapshot(db)
    again = run_forum(database_url, "demo")
    assert again.returncode == 0 and "already there" in again.stdout
    assert await _snapshot(db) == before


async def _counters_agree_with_rows(db) -> None:
    all_posts = await db.fetch_all(sa.select(posts))
    by_id = {p["id"]: p for p in all_posts}
    joined = {row["id"]: as_utc(row["created_at"]) for row in await db.fetch_all(sa.select(users))}
    for post in all_posts:  # replies after what they answer; nobody posts before joining
        assert as_utc(post["created_at"]) >= joined[post["author_id"]]
        if post["parent_id"]:
            assert as_utc(post["created_at"]) > as_utc(by_id[post["parent_id"]]["created_at"])
    for thread in await db.fetch_all(sa.select(threads_table)):
        mine = [p for p in all_posts if p["thread_id"] == thread["id"]]
        assert thread["reply_count"] == len(mine) - 1
        assert as_utc(thread["last_activity_at"]) == max(as_utc(p["created_at"]) for p in mine)
        assert as_utc(thread["created_at"]) == min(as_utc(p["created_at"]) for p in mine)
    links = await db.fetch_all(sa.select(thread_channels, threads_table.c.last_activity_at.label("latest"))
                               .join(threads_table, threads_table.c.id == thread_channels.c.thread_id))
    assert all(as_utc(link["last_activity_at"]) == as_utc(link["latest"]) for link in links)
    for channel in await db.fetch_all(sa.select(channels)):
        mine = [link for link in links if link["channel_id"] == channel["id"]]
        assert channel["thread_count"] == len(mine)
        if mine:
            assert as_utc(channel["last_activity_at"]) == max(as_utc(link["latest"]) for link in mine)
    counted = Counter(p["author_id"] for p in all_posts)
    for row in await db.fetch_all(sa.select(users)):
        assert row["post_count"] == counted[row["id"]]


def test_the_content_files_tell_a_possible_story():
    """Every reply after what it answers, nobody acting before joining, nothing in the last hour:
    the timeline raises otherwise. And the demo still shows every channel and a deep thread."""
    assert len(happenings(utcnow())) > 100
    assert len(members()) >= 12
    files = thread_files()
    assert {slug for t in files for slug in t["channels"]} == {
        "welcome", "announcements", "general-chat", "tools-methods", "evaluation-impact",
        "values-principles"}
    assert any(len(t["channels"]) == 3 for t in files)
    depth = {}
    for t in files:
        for reply in t.get("reply", []):
            depth[(t["name"], reply.get("key"))] = depth.get((t["name"], reply.get("to")), 0) + 1
    assert max(depth.values()) >= 5


async def test_the_demo_has_a_library_and_tags(forum, database_url):
    loaded = run_forum(database_url, "demo")
    assert loaded.returncode == 0, loaded.stderr
    items, _ = await library.listing(forum.db, limit=50)
    kinds = Counter(item["kind"] for item in items)
    assert len(items) >= 12 and kinds["resource"] >= 5 and kinds["case_study"] >= 4
    assert all(item["link"].startswith("https://") for item in items if item["kind"] == "resource")
    conference = await tags.by_key(forum.db, "coproduction13")
    tagged, _ = await tags.threads_tagged(forum.db, conference["id"], None, 30)
    assert conference["name"] == "coproduction13" and len(tagged) >= 1
    co_design = await tags.by_key(forum.db, "co-design")
    assert co_design["thread_count"] >= 3
    # Tags carry the thread's last activity, as channel placings do.
    links = await forum.db.fetch_all(sa.select(thread_tags, threads_table.c.last_activity_at.label("latest"))
                                     .join(threads_table, threads_table.c.id == thread_tags.c.thread_id))
    assert links and all(as_utc(link["last_activity_at"]) == as_utc(link["latest"]) for link in links)
