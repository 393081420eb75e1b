"""The library's listings stay one range of an index however large the forum grows (issue 22;
BENCHMARKS.md, Scale of data): filtered by a tag, featured, most discussed first."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from forum.actions import library as library_actions
from forum.actions import posts as post_actions
from forum.actions import tags as tag_actions
from forum.actions import threads as thread_actions
from forum.db import library, tags
from tests.helpers import make_member
from tests.test_library_live import CASE_STUDY, RESOURCE


async def test_a_tag_finds_its_items_however_the_tag_came(forum):
    """The tag filter reads the item id kept on thread_tags: right whether the tag came with the
    item, later, in a reply's #tag, or by a merge; a thread that is no item never counts."""
    author = await make_member(forum, "hywel")
    moderator = await make_member(forum, "moira", role="moderator")
    first, first_thread = await library_actions.create_item(forum, author, dict(CASE_STUDY))
    second, second_thread = await library_actions.create_item(forum, author, dict(RESOURCE))
    third, third_thread = await library_actions.create_item(forum, author, {**RESOURCE, "title": "Another"})
    await thread_actions.create_thread(forum, author, "Not an item", "On #peer-support, #mentors",
                                       ["general-chat"])
    await tag_actions.set_thread_tags(forum, author, second_thread, ["peer-support"])
    await post_actions.reply(forum, author, third_thread, "See also #mentors")

    async def ids(tag: str, **filters):
        row = await tags.by_key(forum.db, tag)
        rows, _ = await library.listing(forum.db, tag_id=row["id"], **filters)
        return [r["id"] for r in rows]
    assert await ids("mentors") == [third]
    assert await ids("peer-support") == [second, first]
    await tag_actions.merge(forum, moderator, "mentors", "peer-support")
    assert await ids("peer-support") == [third, second, first]
    assert await ids("peer-support", kind="resource") == [third, second]
    rows, cursor = await library.listing(forum.db, tag_id=(await tags.by_key(forum.db, "peer-support"))["id"],
                                         limit=2)
    assert [r["id"] for r in rows] == [third, second]
    assert await ids("peer-support", cursor=cursor) == [first]
    await tag_actions.set_thread_tags(forum, author, first_thread, [])
    assert await ids("peer-support") == [third, second]


async def test_the_tag_filter_and_featured_items_read_an_index_not_every_item(forum):
    """At 1,000,000 posts these walked (or sorted) every item (bench/data_scale.py): now each is
    one range of an index, read in the page's order, with no sort."""
    queries = {"ix_thread_tags_library": library.listing_query(tag_id=1, kind="resource"),
               "ix_library_items_featured": library.featured_query(5),
               "ix_library_items_discussed": library.listing_query(sort="discussed"),
               "ix_library_items_kind_discussed": library.listing_query(kind="case_study", sort="discussed")}
    for index, query in queries.items():
        if forum.db.is_sqlite:
            sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(row[3]) for row in await forum.db.fetch_all("EXPLAIN QUERY PLAN " + sql))
            walk = plan.split("CORRELATED")[0]  # the subquery reads one thread's opening post
            assert f"INDEX {index} " in walk and "TEMP B-TREE" not in plan, plan
            # A range of the tag's items only, not every thread the tag is on.
            assert index != "ix_thread_tags_library" or "library_item_id>?" in walk, plan
        else:
            sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
            async with forum.db.transaction():
                # With so few rows a sequential scan would be cheapest; ask whether the index serves.
                await forum.db.execute("SET LOCAL enable_seqscan = off")
                plan = " ".join(str(row[0]) for row in await forum.db.fetch_all("EXPLAIN " + sql))
            assert index in plan and "Sort" not in plan, plan


async def test_most_discussed_follows_replies_as_they_come_and_go(forum):
    """Items keep their thread's reply count, the key of "most discussed first"."""
    author = await make_member(forum, "owain")
    quiet, _ = await library_actions.create_item(forum, author, dict(CASE_STUDY))
    busy, busy_thread = await library_actions.create_item(forum, author, {**CASE_STUDY, "title": "Busy"})
    middling, middling_thread = await library_actions.create_item(forum, author, dict(RESOURCE))
    replies = [await post_actions.reply(forum, author, busy_thread, f"reply {n}") for n in range(3)]
    await post_actions.reply(forum, author, middling_thread, "one reply")

    async def discussed(**filters):
        rows, cursor = await library.listing(forum.db, sort="discussed", **filters)
        return [(r["id"], r["reply_count"]) for r in rows]
    assert await discussed() == [(busy, 3), (middling, 1), (quiet, 0)]
    assert await discussed(kind="case_study") == [(busy, 3), (quiet, 0)]
    for post in replies[:2]:
        await post_actions.delete(forum, author, post["id"])
    assert await discussed() == [(middling, 1), (busy, 1), (quiet, 0)]  # ties: newest item first
    rows, cursor = await library.listing(forum.db, sort="discussed", limit=1)
    assert [r["id"] for r in rows] == [middling]
    rows, _ = await library.listing(forum.db, sort="discussed", cursor=cursor, limit=5)
    assert [r["id"] for r in rows] == [busy, quiet]
