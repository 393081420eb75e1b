"""Hot reads in plain SQL (forum/db/raw.py) answer exactly what the SQLAlchemy Core statement
they stand for answers: the same rows, fields, values and value types, on both engines."""

from __future__ import annotations

from typing import Any

from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import reactions as reaction_actions
from forum.actions import threads as thread_actions
from forum.db import live_log, posts
from forum.db.raw import PageRow, _numbered
from forum.db.tables import posts as posts_table
from forum.web.templating import page_rows
from tests.helpers import make_member


def typed(rows: list[Any]) -> list[dict[str, tuple[type, Any]]]:
    return [{name: (type(value), value) for name, value in row.items()} for row in rows]


async def core_page(db: Any, thread_id: int, limit: int, after: str | None = None,
                    inclusive: bool = False) -> list[PageRow]:
    path = posts_table.c.path
    start = None if after is None else (path >= after if inclusive else path > after)
    return page_rows(await db.fetch_all(posts.page_query(start).params(thread_id=thread_id, limit=limit)))


async def test_a_page_of_posts_reads_as_the_core_statement_reads_it(forum):
    author, replier, moderator = (await make_member(forum, "ann"), await make_member(forum, "bob"),
                                  await make_member(forum, "moe", role="moderator"))
    thread_id = await thread_actions.create_thread(forum, author, "Raw", "Opening **words**",
                                                   ["general-chat"])
    other = await thread_actions.create_thread(forum, author, "Other", "Not on the page", ["general-chat"])
    await post_actions.reply(forum, replier, other, "elsewhere")
    first = await post_actions.reply(forum, replier, thread_id, "a reply")
    parent = first
    for depth in range(posts.MAX_DEPTH + 1):  # nested past the deepest level
        parent = await post_actions.reply(forum, author if depth % 2 else replier, thread_id,
                                          f"deeper {depth}", parent["id"])
    edited = await post_actions.reply(forum, replier, thread_id, "to be edited")
    await post_actions.edit(forum, replier, edited["id"], "edited words")
    gone = await post_actions.reply(forum, replier, thread_id, "to be deleted")
    await post_actions.delete(forum, replier, gone["id"])
    hidden = await post_actions.reply(forum, author, thread_id, "to be hidden")
    await moderation_actions.hide_post(forum, moderator, hidden["id"], "Off topic")
    await reaction_actions.react(forum, author, first["id"], "heart", True)

    raw, _ = await posts.in_thread(forum.db, thread_id, None, 100)
    core = await core_page(forum.db, thread_id, 100)
    assert len(raw) == 1 + 1 + posts.MAX_DEPTH + 1 + 3
    assert all(isinstance(row, PageRow) for row in raw)
    assert typed(raw) == typed(core)
    records = await forum.db.fetch_all(posts.page_query().params(thread_id=thread_id, limit=100))
    assert typed(raw) == typed([{key: record[key] for key in record.keys()} for record in records])
    assert list(raw[0]) == [column.key for column in posts.POST_COLUMNS]
    kinds = {name: {type(row[name]) for row in raw} for name in raw[0]}
    assert kinds["created_at"] == kinds["author_joined_at"] == {type(core[0]["created_at"])}
    assert {type(None), type(core[0]["created_at"])} <= kinds["edited_at"] | kinds["deleted_at"]
    assert any(row["reactions"] for row in raw) and any(row["hidden_reason"] == "Off topic" for row in raw)

    paths = [row["path"] for row in core]
    for limit in (1, 3, 50):
        for after in paths[::3]:
            for inclusive in (False, True):
                raw, next_cursor = await posts.in_thread(forum.db, thread_id, after, limit,
                                                         inclusive=inclusive)
                core = await core_page(forum.db, thread_id, limit + 1, after, inclusive)
                assert typed(raw) == typed(core[:limit])
                assert next_cursor == (core[limit - 1]["path"] if len(core) > limit else None)
    assert await posts.in_thread(forum.db, thread_id + other + 99, None, 10) == ([], None)


async def test_a_page_read_inside_a_transaction_sees_its_own_writes(forum):
    author = await make_member(forum, "ann")
    thread_id = await thread_actions.create_thread(forum, author, "Raw", "Opening", ["general-chat"])
    async with forum.db.transaction():
        await forum.db.execute(posts_table.update().where(posts_table.c.thread_id == thread_id)
                               .values(body="Not yet committed"))
        rows, _ = await posts.in_thread(forum.db, thread_id, None, 10)
        assert [row["body"] for row in rows] == ["Not yet committed"]


def test_placeholders_are_numbered_in_order_for_postgresql():
    assert _numbered("SELECT a FROM t WHERE b = ? AND c > ? LIMIT ?") == \
        "SELECT a FROM t WHERE b = $1 AND c > $2 LIMIT $3"


def records(rows: list[Any]) -> list[dict[str, Any]]:
    return [{key: row[key] for key in row.keys()} for row in rows]


async def test_the_thread_its_tags_the_session_and_read_marks_read_as_core_reads_them(forum):
    import sqlalchemy as sa

    from forum.clock import utcnow
    from forum.db import reads, sessions, tags, threads
    from forum.db.tables import events, thread_reads

    author, reader = await make_member(forum, "ann"), await make_member(forum, "bob")
    plain = await thread_actions.create_thread(forum, author, "Plain", "Words", ["general-chat"])
    event = await thread_actions.create_thread(forum, author, "An event", "Come", ["general-chat"],
                                               tags=["zeta", "alpha"])
    now = utcnow()
    await forum.db.execute(events.insert().values(thread_id=event, starts_at=now, ends_at=now,
                                                    location="Room 1", cancelled_at=now))
    await thread_actions.set_flag(forum, await make_member(forum, "moe", role="moderator"), plain,
                                  "pinned", True)
    replies = [await post_actions.reply(forum, reader if n % 2 else author, plain, f"r{n}") for n in range(4)]
    for thread_id in (plain, event, plain + event + 99):
        raw = await threads.by_id(forum.db, thread_id)
        core = await forum.db.fetch_one(threads.by_id_query(thread_id))
        assert typed([raw] if raw else []) == typed(records([core] if core else []))
        raw_tags = await tags.of_thread(forum.db, thread_id)
        assert typed(raw_tags) == typed(records(await forum.db.fetch_all(tags.of_thread_query(thread_id))))
    assert [row["name"] for row in await tags.of_thread(forum.db, event)] == ["alpha", "zeta"]
    assert (await threads.by_id(forum.db, event))["event_cancelled_at"] is not None

    token = await sessions.create_session(forum.db, reader.id)
    for hashed, opened_after in ((sessions.token_hash(token), now - sessions.SESSION_LIFETIME),
                                 (sessions.token_hash(token), utcnow() + sessions.SESSION_LIFETIME),
                                 ("no such token", now - sessions.SESSION_LIFETIME)):
        raw = await sessions.USER_FOR_SESSION.fetch_all(forum.db, hashed, opened_after)
        core = await forum.db.fetch_all(sessions.user_for_session_query(hashed, opened_after))
        assert typed(raw) == typed(records(core))
    assert (await sessions.user_for_session(forum.db, token))["session_id"] is not None

    assert await reads.last_read(forum.db, reader.id, plain) is None
    await reads.mark_read(forum.db, reader.id, plain, replies[0]["id"])
    core_mark = await forum.db.fetch_val(sa.select(thread_reads.c.last_read_post_id).where(
        thread_reads.c.user_id == reader.id, thread_reads.c.thread_id == plain))
    assert await reads.last_read(forum.db, reader.id, plain) == core_mark == replies[0]["id"]
    # Reader bob wrote replies 1 and 3: the first new one by someone else is reply 2.
    assert await reads.read_mark(forum.db, reader.id, plain) == (replies[0]["id"], replies[2]["id"])
    await reads.mark_read(forum.db, reader.id, plain, replies[3]["id"])
    assert await reads.read_mark(forum.db, reader.id, plain) == (replies[3]["id"], None)


async def test_the_header_counts_and_the_read_mark_read_as_their_separate_statements_do(forum):
    from forum.actions import conversations as conversation_actions
    from forum.db import conversations, header_counts, notifications, reads

    ann, bob, cat = (await make_member(forum, "ann"), await make_member(forum, "bob"),
                     await make_member(forum, "cat"))
    thread_id = await thread_actions.create_thread(forum, ann, "Counts", "Hello @bob", ["general-chat"])
    replies = [await post_actions.reply(forum, bob if n % 2 else cat, thread_id, f"@ann r{n}")
               for n in range(4)]
    talk = await conversation_actions.start(forum, ann, ["bob"], "Talk", "One")
    await conversation_actions.send(forum, bob, talk, "Two")
    await conversation_actions.send(forum, ann, talk, "Three")
    quiet = await conversation_actions.start(forum, cat, ["bob"], "Quiet", "Muted words")
    await conversation_actions.mute(forum, bob, quiet, True)
    await conversation_actions.start(forum, cat, ["bob", "ann"], "Loud", "Heard words")
    for member in (ann, bob, cat):
        separate = (await notifications.unread_count(forum.db, member.id),
                    await conversations.unread_total(forum.db, member.id))
        assert await header_counts.unread(forum.db, member.id) == separate
    assert await header_counts.unread(forum.db, bob.id) != (0, 0)

    for member, thread in ((bob, thread_id), (ann, thread_id), (bob, thread_id + 99)):
        assert await reads.read_mark(forum.db, member.id, thread) == (None, None)
    for up_to in replies:
        await reads.mark_read(forum.db, bob.id, thread_id, up_to["id"])
        last = await reads.last_read(forum.db, bob.id, thread_id)
        assert await reads.read_mark(forum.db, bob.id, thread_id) == (
            last, await forum.db.fetch_val(reads.first_new_query(bob.id, thread_id, last)))
        if up_to is replies[0]:  # bob wrote reply 1: the first new one by someone else is reply 2
            assert await reads.read_mark(forum.db, bob.id, thread_id) == (replies[0]["id"], replies[2]["id"])


async def test_the_hubs_reads_of_the_live_log_read_as_their_core_statements_read(forum):
    """The hub reads headings after every doorbell and poll, and the whole rows of the channels
    its readers follow: both plain SQL, answering what the Core statements answer."""
    db = forum.db
    start = await live_log.latest_id(db)
    async with db.transaction():
        for n, channel in enumerate(["thread:1", "category:general-chat", "thread:2", "thread:1", "user:3"]):
            await live_log.append(db, channel, "test.note", {"n": n, "text": "café"},
                                  subject=f"post:{n}" if n % 2 else None, author_id=n or None)
    through = await live_log.latest_id(db)

    def records(rows: list[Any]) -> list[dict[str, Any]]:
        return [{key: row[key] for key in row.keys()} for row in rows]

    for limit in (2, 500):
        core = records(await db.fetch_all(live_log.headings_query(start, limit)))
        assert typed(await live_log.headings_after(db, start, limit)) == typed(core)
        assert len(core) == min(limit, 5)
    for channels in (["thread:1"], ["thread:1", "user:3", "thread:9"], ["nowhere"]):
        core = records(await live_log.after(db, start, channels, limit=500, through=through - 1))
        raw = await live_log.followed_after(db, start, through - 1, channels, limit=500)
        assert typed(raw) == typed(core)
    assert [row["channel"] for row in await live_log.followed_after(db, start, through, ["thread:1"], 1)] \
        == ["thread:1"]
