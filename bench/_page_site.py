"""The forum the page benchmarks load: demo content plus the threads they measure, made through
the forum's own actions on SQLite or PostgreSQL, and the same pages' data for baseline (a)
(bench/baseline_pages.py), read back from the forum's database once."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import httpx

POSTS_ON_PAGE = 50
REPLIES = 50
CHANNEL = "general-chat"
EXTRA_THREADS = 32  # with the demo's, more than one full page (30) in the channel
MEMBER, MEMBER_PASSWORD = "bench-reader", "bench reader password"
# The writers post in threads of another channel, so the measured thread and channel pages
# show what baseline (a) shows however long they write.
WRITER_CHANNEL = "tools-methods"
WRITERS, WRITER_THREADS, WRITER_PASSWORD = 5, 10, "bench writer password"
# Issue 23: every post of the reactions thread gets REACTORS demo members' reactions, EMOJI_EACH
# each, together all six fixed emoji on every post, and the bench member's own thumbs up, so its
# page marks a reaction as its own: nine reactions a post, six buttons with their names.
REACTORS, EMOJI_EACH = 4, 2
# A returning anonymous visitor: it already holds its CSRF cookie (as wrk's sole client would
# after its first page), so each answer is the page, not also a new cookie.
ANON_COOKIE = "forum_csrf=bench-visitor-csrf-cookie-value-0123456789"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


@dataclasses.dataclass
class Site:
    database_url: str
    thread_path: str            # the 50-reply thread
    reactions_path: str         # the 50-reply thread with reactions on every post
    channel_path: str
    api_path: str               # GET /api/v1/threads/{id} of the 50-reply thread
    writer_thread_ids: list[int]
    writers: list[str]          # usernames; WRITER_PASSWORD
    data_file: Path             # what baseline (a) serves


def _reply_bodies() -> list[str]:
    """Real demo replies (Markdown of everyday length), reused round-robin."""
    from forum.demo.timeline import threads

    return [reply["body"].strip() for thread in threads() for reply in thread.get("reply", [])]


async def _thread_of_replies(forum: Any, members: list[Any], title: str) -> int:
    from forum.actions import posts as post_actions
    from forum.actions import threads as thread_actions

    bodies = _reply_bodies()
    thread_id = await thread_actions.create_thread(
        forum, members[0], title, "Tell us one thing an evaluation changed in how you work.", [CHANNEL])
    for n in range(REPLIES):
        await post_actions.reply(forum, members[(n + 1) % len(members)], thread_id, bodies[n % len(bodies)])
    return thread_id


async def _react_to_every_post(forum: Any, thread_id: int, reactors: list[Any], reader: Any) -> None:
    """Through the forum's own action, as members pressing the buttons would."""
    from forum.actions import reactions as reaction_actions
    from forum.db import posts
    from forum.reactions import NAMES

    rows, _ = await posts.in_thread(forum.db, thread_id, None, REPLIES + 1)
    for post in rows:
        for n, member in enumerate(reactors):
            for k in range(EMOJI_EACH):
                await reaction_actions.react(forum, member, post["id"],
                                             NAMES[(n * EMOJI_EACH + k) % len(NAMES)], True)
        await reaction_actions.react(forum, reader, post["id"], NAMES[0], True)


async def _fill(forum: Any) -> dict[str, Any]:
    """Demo content, a thread with exactly 50 replies, the same again with reactions on every
    post, a channel with a full first page and the writers' threads elsewhere."""
    from forum.actions import threads as thread_actions
    from forum.actions.accounts import sign_up
    from forum.auth import Member
    from forum.db import channels, posts, threads, users
    from forum.demo import load_demo
    from forum.demo.timeline import members as demo_members

    await load_demo(forum)
    members = [Member.from_row(await users.by_username(forum.db, m["username"])) for m in demo_members()]
    reader = await sign_up(forum, MEMBER, MEMBER_PASSWORD)
    writers = [await sign_up(forum, f"bench-writer-{n + 1}", WRITER_PASSWORD) for n in range(WRITERS)]
    for n in range(EXTRA_THREADS):
        await thread_actions.create_thread(
            forum, members[n % len(members)], f"Notes from week {n + 1} of the pilot",
            "How it went, what we changed and what we would keep.", [CHANNEL])
    writer_threads = [await thread_actions.create_thread(
        forum, writers[n % WRITERS], f"Method diary {n + 1}", "Short notes as we go.", [WRITER_CHANNEL])
        for n in range(WRITER_THREADS)]
    reacted_id = await _thread_of_replies(forum, members, "Fifty replies, all reacted to: what helped?")
    await _react_to_every_post(forum, reacted_id, members[1:1 + REACTORS], reader)
    # Last, so it is the newest thread and heads the channel page as before.
    thread_id = await _thread_of_replies(forum, members,
                                         "Fifty replies: what did your last evaluation change?")
    channel = await channels.by_slug(forum.db, CHANNEL)
    listing, next_cursor = await threads.in_channel(forum.db, channel["id"], None, 30)
    pages = {}
    for page_thread in (thread_id, reacted_id):
        rows, _ = await posts.in_thread(forum.db, page_thread, None, POSTS_ON_PAGE)
        pages[page_thread] = {"thread": await threads.by_id(forum.db, page_thread), "posts": rows,
                              "channels": await threads.channels_of(forum.db, page_thread)}
    return {"thread_id": thread_id, "reacted_id": reacted_id, "pages": pages, "channel": channel,
            "threads": listing, "next_cursor": next_cursor, "channels": await channels.all_channels(forum.db),
            "writer_threads": writer_threads, "writers": [w.username for w in writers]}


def _page_data(page: dict[str, Any]) -> dict[str, Any]:
    from forum.clock import isoformat
    from forum.reactions import summary
    from forum.web.templating import exact_time, initials, thread_url

    thread = page["thread"]
    return {
        "thread": {"id": thread["id"], "title": thread["title"], "url": thread_url(thread),
                   "channels": [{"slug": c["slug"], "name": c["name"]} for c in page["channels"]]},
        "posts": [{"id": p["id"], "depth": p["depth"], "parent_id": p["parent_id"], "path": p["path"],
                   "author_username": p["author_username"], "author_display_name": p["author_display_name"],
                   "initials": initials(p["author_display_name"]), "html": p["html"],
                   "created_at": isoformat(p["created_at"]), "created_label": exact_time(p["created_at"]),
                   "reactions": summary(p["reactions"])}
                  for p in page["posts"]],
    }


def _baseline_data(found: dict[str, Any]) -> dict[str, Any]:
    from forum.clock import isoformat
    from forum.web.templating import exact_time, thread_url

    return {
        "csrf_token": "0" * 64, "last_event_id": 1000, "next_cursor": found["next_cursor"],
        "thread_pages": {str(thread_id): _page_data(page) for thread_id, page in found["pages"].items()},
        "api": {},  # filled once the forum answers: see add_api_document
        "channel": {k: found["channel"][k] for k in ("slug", "name", "description")},
        "threads": [{"id": t["id"], "title": t["title"], "url": thread_url(t),
                     "author_username": t["author_username"], "author_display_name": t["author_display_name"],
                     "reply_count": t["reply_count"], "last_activity_at": isoformat(t["last_activity_at"]),
                     "last_activity_label": exact_time(t["last_activity_at"])} for t in found["threads"]],
        "channels": [{"slug": c["slug"], "name": c["name"]} for c in found["channels"]],
    }


def build_site(folder: Path, database_url: str) -> Site:
    """Fill a migrated, empty database (SQLite file or PostgreSQL database) at `database_url`."""
    from forum.app import create_app
    from forum.db.migrate import migrate
    from forum.settings import Settings
    from forum.web.templating import thread_url
    from tests.forum_command import CHEAP_HASHER

    migrate(database_url)
    # argon2's cheapest profile, as the served forum uses (tests/forum_command.py): hashing two
    # dozen passwords at full cost took most of a minute on a busy machine, and is not measured.
    settings = Settings(database_url=database_url, secret_key="bench-secret", rate_limits=False,
                        password_hasher=CHEAP_HASHER)

    async def fill() -> dict[str, Any]:
        app = create_app(settings)
        async with app.router.lifespan_context(app) as state:
            return await _fill(state["forum"])

    found = asyncio.run(fill())
    data_file = folder / f"baseline-data-{found['thread_id']}.json"
    data_file.write_text(json.dumps(_baseline_data(found)))
    return Site(database_url, thread_url(found["pages"][found["thread_id"]]["thread"]),
                thread_url(found["pages"][found["reacted_id"]]["thread"]), f"/c/{CHANNEL}",
                f"/api/v1/threads/{found['thread_id']}", found["writer_threads"], found["writers"], data_file)


def member_cookie(base_url: str) -> str:
    """Log the bench member in through the real form; wrk then sends its cookies."""
    with httpx.Client(base_url=base_url) as client:
        token = CSRF_META.search(client.get("/login").text)
        assert token, "no CSRF token on /login"
        done = client.post("/login", data={"username": MEMBER, "password": MEMBER_PASSWORD,
                                           "csrf_token": token.group(1)})
        assert done.status_code == 303, f"log-in failed: {done.status_code}"
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def add_api_document(site: Site, base_url: str, cookie: str) -> None:
    """Baseline (a)'s JSON: the very document the forum's API gives the member for the thread,
    which the baseline serialises again on every request."""
    answer = httpx.get(base_url + site.api_path, headers={"Cookie": cookie})
    assert answer.status_code == 200, f"{site.api_path}: {answer.status_code}"
    document = answer.json()
    assert len(document["posts"]) == POSTS_ON_PAGE, len(document["posts"])
    data = json.loads(site.data_file.read_text())
    data["api"][str(document["thread"]["id"])] = document
    site.data_file.write_text(json.dumps(data))


def page_bytes(url: str, cookie: str) -> int:
    response = httpx.get(url, headers={"Cookie": cookie})
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(response.content)
