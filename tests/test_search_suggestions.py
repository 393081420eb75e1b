"""Suggestions under the header search box: threads by title and members by name, as typed."""

from __future__ import annotations

import pytest

from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.db import suggestions, users
from tests.helpers import make_member


async def suggest(client, q):
    response = await client.get("/api/v1/search/suggest", params={"q": q})
    assert response.status_code == 200, response.text
    return response.json()


async def test_threads_by_the_words_of_their_titles_as_typed(client, forum):
    tom = await make_member(forum, "tom")
    titled = await thread_actions.create_thread(forum, tom, "Outcomes frameworks for Mòrag's team",
                                                "Which do you use?", ["general-chat"])
    await thread_actions.create_thread(forum, tom, "Reporting", "outcomes in the body only",
                                       ["general-chat"])
    for typed in ("outc", "Outcomes", "frameworks outc", "mora", "FRAME"):
        found = await suggest(client, typed)
        assert [t["id"] for t in found["threads"]] == [titled], typed
    assert found["threads"][0] == {"id": titled, "title": "Outcomes frameworks for Mòrag's team",
                                   "url": f"/t/{titled}/outcomes-frameworks-for-morags-team"}
    assert (await suggest(client, "frameworks zzz"))["threads"] == []


async def test_deleted_threads_are_never_suggested(client, forum):
    tom = await make_member(forum, "tom")
    thread_id = await thread_actions.create_thread(forum, tom, "Budgets", "x", ["general-chat"])
    opening = await forum.db.fetch_val("SELECT id FROM posts WHERE thread_id = :t", {"t": thread_id})
    await post_actions.delete(forum, tom, opening)
    assert (await suggest(client, "budg"))["threads"] == []


async def test_members_by_username_or_display_name(client, forum):
    rhian = await make_member(forum, "rhian_j")
    await users.update_profile(forum.db, rhian.id, display_name="Rhian Jones")
    await make_member(forum, "eilidh")
    for typed in ("rhi", "RHIAN_", "jon", "@rhi"):
        found = await suggest(client, typed)
        assert found["members"] == [{"username": "rhian_j", "display_name": "Rhian Jones",
                                     "url": "/u/rhian_j"}], typed


async def test_suggestions_are_few_and_quiet(client, forum):
    tom = await make_member(forum, "tom")
    for i in range(8):
        await thread_actions.create_thread(forum, tom, f"Budget {i}", "x", ["general-chat"])
    found = await suggest(client, "budget")
    assert [t["title"] for t in found["threads"]] == [f"Budget {i}" for i in range(7, 2, -1)]
    for typed in ("", "b", "  ", "x" * 500, "a\x00b", '"', "*", "'", "(", "--"):
        assert await suggest(client, typed) == {"threads": [], "members": []}, typed


async def test_on_postgresql_titles_are_found_through_an_index_of_titles_alone(forum):
    """The tsvector's GIN index cannot tell a title word from a body word: a prefix found only
    in bodies walked every post (0.6 s on a million). An index of the title part answers it."""
    if forum.db.is_sqlite:
        pytest.skip("FTS5 has the title as a column of its own")
    async with forum.db.connection():
        async with forum.db.transaction():
            await forum.db.execute("SET LOCAL enable_seqscan = off")  # a small table otherwise
            plan = await forum.db.fetch_all("EXPLAIN " + suggestions._POSTGRES_TITLES,
                                            {"tsquery": "'zzz':*A", "limit": 5})
    assert "ix_post_search_titles" in "\n".join(row[0] for row in plan)
